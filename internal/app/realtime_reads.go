package app

import (
	"context"
	"errors"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// The realtime streams load what an event names, once per event, and
// decide per subscriber with CanSeeRoomID. These reads check no access:
// their callers filter. A missing document is store.ErrNotFound.

// StreamMessage reads message id for the message streams, shaped as the
// REST answers shape it (reactors' names under UI_Use_Real_Name).
func (a *App) StreamMessage(ctx context.Context, id string) (*model.Message, error) {
	m, err := a.store.Messages().Get(ctx, id)
	if err != nil {
		return nil, a.storeErr(err)
	}
	return a.normalize(ctx, nil, m)
}

// StreamRoom reads room rid for the streams: with full, the whole
// document (rooms-changed), otherwise the cached one without the counters
// each message moves.
func (a *App) StreamRoom(ctx context.Context, rid string, full bool) (*model.Room, error) {
	var (
		r   *model.Room
		err error
	)
	if full {
		r, err = a.store.Rooms().Get(ctx, rid)
	} else {
		r, err = a.store.Rooms().GetCached(ctx, rid)
	}
	return r, a.storeErr(err)
}

// RoomKind returns the type and parent of room rid, what access to it
// depends on besides membership.
func (a *App) RoomKind(ctx context.Context, rid string) (t, prid string, err error) {
	r, err := a.store.Rooms().GetHead(ctx, rid)
	if err != nil {
		return "", "", a.storeErr(err)
	}
	return r.T, r.Prid, nil
}

// CanSeeRoomID is CanAccessRoom for a room id; an unknown room is not
// visible.
func (a *App) CanSeeRoomID(ctx context.Context, u *model.User, rid string) (bool, error) {
	if rid == "" || u == nil {
		return false, nil
	}
	r, err := a.store.Rooms().GetHead(ctx, rid)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, a.storeErr(err)
	}
	return a.CanAccessRoom(ctx, r, u)
}

// IsMember reports whether user uid is subscribed to room rid.
func (a *App) IsMember(ctx context.Context, rid, uid string) (bool, error) {
	ok, err := a.store.Subscriptions().Exists(ctx, rid, uid)
	return ok, a.storeErr(err)
}

// MemberSubscription reads user uid's subscription to room rid.
func (a *App) MemberSubscription(ctx context.Context, rid, uid string) (*model.Subscription, error) {
	s, err := a.store.Subscriptions().Get(ctx, rid, uid)
	return s, a.storeErr(err)
}

// RoomSubscriptions lists every subscription to room rid.
func (a *App) RoomSubscriptions(ctx context.Context, rid string) ([]*model.Subscription, error) {
	list, _, err := a.store.Subscriptions().ListByRoom(ctx, rid, store.ListOptions{})
	return list, a.storeErr(err)
}

// StreamUser reads user uid, for the presence and name events.
func (a *App) StreamUser(ctx context.Context, uid string) (*model.User, error) {
	u, err := a.store.Users().Get(ctx, uid)
	return u, a.storeErr(err)
}
