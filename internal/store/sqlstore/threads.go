package sqlstore

import "github.com/parleychat/parley/internal/store"

type threads struct{ s *Store }

type receipts struct{ s *Store }

func (s *Store) Threads() store.Threads   { return threads{s} }
func (s *Store) Receipts() store.Receipts { return receipts{s} }
