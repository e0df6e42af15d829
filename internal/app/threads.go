package app

import (
	"context"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// threadAfterSave does the thread and discussion bookkeeping of a new
// message, inside its transaction.
func (a *App) threadAfterSave(ctx context.Context, st store.Store, r *model.Room, m *model.Message) error {
	return nil
}

// threadAfterDelete undoes a deleted message's thread bookkeeping, inside
// the deletion's transaction.
func (a *App) threadAfterDelete(ctx context.Context, st store.Store, r *model.Room, m *model.Message) error {
	return nil
}

// recordReceipts stores read receipts for what u has read in room rid
// since the previous read, inside subscriptions.read's transaction.
func (a *App) recordReceipts(ctx context.Context, st store.Store, rid string, u *model.User, prevLs *model.Time, now model.Time) error {
	return nil
}
