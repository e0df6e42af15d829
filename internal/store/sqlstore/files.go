package sqlstore

import "github.com/parleychat/parley/internal/store"

type files struct{ s *Store }

func (s *Store) Files() store.Files { return files{s} }
