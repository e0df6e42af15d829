package app

import (
	"context"

	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// Subscriptions is subscriptions.get: the actor's subscriptions changed
// after since (all of them when since is zero).
func (a *App) Subscriptions(ctx context.Context, actor *model.User, since model.Time) ([]*model.Subscription, error) {
	subs, err := a.store.Subscriptions().ListByUser(ctx, actor.ID, since)
	return subs, a.storeErr(err)
}

// Subscription is subscriptions.getOne; nil when the actor is no member.
func (a *App) Subscription(ctx context.Context, actor *model.User, rid string) (*model.Subscription, error) {
	s, err := a.store.Subscriptions().Get(ctx, rid, actor.ID)
	if isNotFound(err) {
		return nil, nil
	}
	return s, a.storeErr(err)
}

// MarkRead is subscriptions.read: ls moves to now, unread and mention
// counters go to zero, and alert stays only while unread threads remain
// (unless readThreads clears those too).
func (a *App) MarkRead(ctx context.Context, actor *model.User, rid string, readThreads bool) error {
	if _, err := a.store.Rooms().Get(ctx, rid); err != nil {
		if isNotFound(err) {
			return Plain("error-invalid-subscription")
		}
		return a.storeErr(err)
	}
	err := a.tx(ctx, func(st store.Store) error {
		sub, err := st.Subscriptions().GetForUpdate(ctx, rid, actor.ID)
		if isNotFound(err) {
			return Plain("error-invalid-subscription")
		}
		if err != nil {
			return err
		}
		now := a.now()
		if err := a.recordReceipts(ctx, st, rid, actor, sub.Ls, now); err != nil {
			return err
		}
		if readThreads {
			sub.Tunread, sub.TunreadUser, sub.TunreadGroup = nil, nil, nil
		}
		sub.Open = true
		sub.Alert = sub.Alert && len(sub.Tunread) > 0
		sub.Unread, sub.UserMentions, sub.GroupMentions = 0, 0, 0
		sub.Ls = &now
		sub.UpdatedAt = now
		a.emit(st, events.SubscriptionChanged, rid, actor.ID, sub.ID)
		return st.Subscriptions().Update(ctx, sub)
	})
	return err
}
