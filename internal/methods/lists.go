package methods

import (
	"context"
	"encoding/json"

	"github.com/parleychat/parley/internal/model"
)

// changes is the answer of the list methods asked with a date: what
// changed since, and what was removed.
type changes struct {
	Update any   `json:"update"`
	Remove []any `json:"remove"`
}

// since reads the optional date of a list method. Rocket.Chat branches on
// "is a Date": any other parameter asks for the whole list.
func since(params []json.RawMessage) (model.Time, bool) {
	return date(param(params, 0))
}

// listSince answers a list method: the list load gives (never null), or,
// when the call names a date, {update, remove} with what changed since.
// Leaving a room deletes its subscription outright and keeps no record
// of it, so remove stays empty; clients drop a room they left when its
// own change reaches them. A caller who is not logged in gets an empty
// list.
func listSince[T any](u *model.User, params []json.RawMessage, load func(since model.Time) ([]T, error)) (any, error) {
	t, dated := since(params)
	if u == nil {
		return []any{}, nil
	}
	list, err := load(t)
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []T{}
	}
	if dated {
		return changes{Update: list, Remove: []any{}}, nil
	}
	return list, nil
}

// subscriptionsGet [since?] lists the caller's subscriptions; with a date
// ({"$date": 0} included) it answers {update, remove} with those changed
// since.
func (r *Registry) subscriptionsGet(ctx context.Context, u *model.User, params []json.RawMessage) (any, error) {
	return listSince(u, params, func(t model.Time) ([]*model.Subscription, error) {
		return r.app.Subscriptions(ctx, u, t)
	})
}

// roomsGet [since?] lists the rooms the caller is subscribed to, or with
// a date {update, remove} with those changed since.
func (r *Registry) roomsGet(ctx context.Context, u *model.User, params []json.RawMessage) (any, error) {
	return listSince(u, params, func(t model.Time) ([]*model.Room, error) {
		return r.app.SubscribedRooms(ctx, u, t)
	})
}
