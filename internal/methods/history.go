package methods

import (
	"context"
	"encoding/json"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/model"
)

// maxHistoryLimit bounds one loadHistory page.
const maxHistoryLimit = 1000

// loadHistory [rid, end?, limit=20, ls?, showThreadMessages=true] reads a
// page of a room's history older than end, newest first:
// {messages, firstUnread?, unreadNotLoaded}. A room that is missing or
// hidden from the caller gives false, not an error.
func (r *Registry) loadHistory(ctx context.Context, u *model.User, params []json.RawMessage) (any, error) {
	rid, ok := str(param(params, 0))
	if !ok {
		return nil, ErrMatch
	}
	var q app.LoadHistoryQuery
	if p := param(params, 1); !absent(p) {
		end, ok := date(p)
		if !ok {
			return nil, ErrMatch
		}
		q.End = &end
	}
	q.Limit = 20
	if p := param(params, 2); !absent(p) {
		n, ok := number(p)
		if !ok || n < 0 {
			return nil, ErrMatch
		}
		// 0 is "no limit" to MongoDB; here it is the largest page.
		q.Limit = int(n)
		if q.Limit == 0 || q.Limit > maxHistoryLimit {
			q.Limit = maxHistoryLimit
		}
	}
	if p := param(params, 3); !absent(p) {
		ls, ok := date(p)
		if !ok {
			// Rocket.Chat's web client sends the subscription's ls as
			// it holds it, a date or its ISO string.
			s, isStr := str(p)
			if !isStr {
				return nil, ErrMatch
			}
			if ls, ok = app.ParseJSDate(s); !ok {
				return nil, ErrMatch
			}
		}
		q.LastSeen = &ls
	}
	var err error
	if q.ShowThreadMessages, err = optionalBool(param(params, 4), true); err != nil {
		return nil, err
	}
	res, ok, err := r.app.LoadHistory(ctx, u, rid, q)
	if err != nil || !ok {
		return false, err
	}
	if res.Messages == nil {
		res.Messages = []json.RawMessage{}
	}
	return res, nil
}

// loadMissedMessages [rid, since] returns every message of the room newer
// than since, newest first, or false when the caller cannot see the room.
// Clients call it to catch up after a reconnect.
func (r *Registry) loadMissedMessages(ctx context.Context, u *model.User, params []json.RawMessage) (any, error) {
	rid, ok := str(param(params, 0))
	if !ok {
		return nil, ErrMatch
	}
	since, ok := date(param(params, 1))
	if !ok {
		return nil, ErrMatch
	}
	res, ok, err := r.app.MissedMessages(ctx, u, rid, since, 0)
	if err != nil || !ok {
		return false, err
	}
	if res.Messages == nil {
		return []json.RawMessage{}, nil
	}
	return res.Messages, nil
}

// getRoomIdByNameOrId [ref] returns the id of the room whose id or name
// is ref.
func (r *Registry) getRoomIDByNameOrID(ctx context.Context, u *model.User, params []json.RawMessage) (any, error) {
	ref, ok := str(param(params, 0))
	if !ok {
		return nil, ErrMatch
	}
	return r.app.RoomIDByNameOrID(ctx, u, ref)
}

// readMessages [rid, readThreads=false] marks the room read for the
// caller. No result.
func (r *Registry) readMessages(ctx context.Context, u *model.User, params []json.RawMessage) (any, error) {
	rid, ok := str(param(params, 0))
	if !ok {
		return nil, ErrMatch
	}
	threads, err := optionalBool(param(params, 1), false)
	if err != nil {
		return nil, err
	}
	return nil, r.app.ReadRoom(ctx, u, rid, threads)
}

// getRoomRoles [rid] lists the room's owners, moderators and leaders.
func (r *Registry) getRoomRoles(ctx context.Context, u *model.User, params []json.RawMessage) (any, error) {
	rid, ok := str(param(params, 0))
	if !ok {
		return nil, ErrMatch
	}
	return r.app.RoomRoles(ctx, u, rid)
}
