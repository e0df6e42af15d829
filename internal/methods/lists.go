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

// subscriptionsGet [since?] lists the caller's subscriptions; with a date
// ({"$date": 0} included) it answers {update, remove} with those changed
// since. A caller who is not logged in gets an empty list.
func (r *Registry) subscriptionsGet(ctx context.Context, u *model.User, params []json.RawMessage) (any, error) {
	t, dated := since(params)
	if u == nil {
		return []any{}, nil
	}
	subs, err := r.app.Subscriptions(ctx, u, t)
	if err != nil {
		return nil, err
	}
	if subs == nil {
		subs = []*model.Subscription{}
	}
	if dated {
		// Leaving a room deletes its subscription outright and keeps no
		// record of it, so remove stays empty; clients drop a room they
		// left when its own change reaches them.
		return changes{Update: subs, Remove: []any{}}, nil
	}
	return subs, nil
}

// roomsGet [since?] lists the rooms the caller is subscribed to, or with
// a date {update, remove} with those changed since. A caller who is not
// logged in gets an empty list.
func (r *Registry) roomsGet(ctx context.Context, u *model.User, params []json.RawMessage) (any, error) {
	t, dated := since(params)
	if u == nil {
		return []any{}, nil
	}
	rooms, err := r.app.SubscribedRooms(ctx, u, t)
	if err != nil {
		return nil, err
	}
	if rooms == nil {
		rooms = []*model.Room{}
	}
	if dated {
		return changes{Update: rooms, Remove: []any{}}, nil
	}
	return rooms, nil
}
