package app

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// VisibleMessage is the message id as u may read it. A message that does
// not exist gives (nil, nil); one in a room u cannot see gives denied, so
// that callers can answer both cases as their Rocket.Chat twin does
// without telling an outsider whether the message exists.
func (a *App) VisibleMessage(ctx context.Context, u *model.User, id string, denied error) (*model.Message, error) {
	m, r, err := a.loadMessage(ctx, id)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := a.requireSee(ctx, r, u, denied); err != nil {
		return nil, err
	}
	return a.normalize(ctx, u, m)
}

// StarInRoom is the starMessage method: it stars (or unstars) message id
// when it is in room rid and u is a member there. It reports false, and
// changes nothing, when either is not so.
func (a *App) StarInRoom(ctx context.Context, u *model.User, rid, id string, star bool) (bool, error) {
	member, err := a.store.Subscriptions().Exists(ctx, rid, u.ID)
	if err != nil {
		return false, a.storeErr(err)
	}
	if !member {
		return false, nil
	}
	m, err := a.store.Messages().Get(ctx, id)
	if isNotFound(err) || (err == nil && m.RID != rid) {
		return false, nil
	}
	if err != nil {
		return false, a.storeErr(err)
	}
	if err := a.StarMessage(ctx, u, id, star); err != nil {
		return false, err
	}
	return true, nil
}

// LoadHistoryQuery is the loadHistory method's parameters.
type LoadHistoryQuery struct {
	// End bounds the page: only messages strictly older are read; nil
	// reads from the newest.
	End   *model.Time
	Limit int
	// LastSeen, when set, asks for the first unread message and the
	// number of unread messages older than the page.
	LastSeen           *model.Time
	ShowThreadMessages bool
}

// LoadHistory is the loadHistory method: a page of rid's history, newest
// first. ok is false when the room does not exist or u cannot see it,
// which the method answers with false rather than an error.
func (a *App) LoadHistory(ctx context.Context, u *model.User, rid string, q LoadHistoryQuery) (res *HistoryResult, ok bool, err error) {
	r, err := a.roomForRead(ctx, u, rid, ErrNotAllowed)
	if err != nil {
		if errors.Is(err, ErrNotAllowed) {
			return nil, false, nil
		}
		return nil, false, err
	}
	res, err = a.History(ctx, u, r, HistoryQuery{Latest: q.End, Count: q.Limit, ShowThreadMessages: q.ShowThreadMessages})
	if err != nil {
		return nil, false, err
	}
	zero := 0
	res.UnreadNotLoaded = &zero
	if q.LastSeen == nil || len(res.Messages) == 0 {
		return res, true, nil
	}
	oldest, err := messageTs(res.Messages[len(res.Messages)-1])
	if err != nil {
		return nil, false, err
	}
	if oldest <= *q.LastSeen {
		return res, true, nil
	}
	// The unread messages the page does not hold: after last seen and
	// before the page's oldest.
	f := store.MessageFilter{
		RID: r.ID, ExcludeHidden: true, ExcludeTypes: a.hiddenSystemTypes(), RoomVisible: !q.ShowThreadMessages,
		TsAfter: *q.LastSeen, TsBefore: oldest,
	}
	n, err := a.store.Messages().Count(ctx, f)
	if err != nil {
		return nil, false, a.storeErr(err)
	}
	res.UnreadNotLoaded = &n
	if n > 0 {
		first, err := a.store.Messages().List(ctx, f, store.ListOptions{Count: 1, Sort: []store.SortField{{Field: "ts"}}})
		if err != nil {
			return nil, false, a.storeErr(err)
		}
		if len(first) > 0 {
			if res.FirstUnread, err = a.normalize(ctx, u, first[0]); err != nil {
				return nil, false, err
			}
		}
	}
	return res, true, nil
}

// MissedMessages is the loadMissedMessages method: every visible message
// of rid newer than since, newest first, for a client resyncing after a
// reconnect. ok is false when u cannot see the room. At most limit
// messages are read (0: all).
func (a *App) MissedMessages(ctx context.Context, u *model.User, rid string, since model.Time, limit int) (res *HistoryResult, ok bool, err error) {
	r, err := a.roomForRead(ctx, u, rid, ErrNotAllowed)
	if err != nil {
		if errors.Is(err, ErrNotAllowed) {
			return nil, false, nil
		}
		return nil, false, err
	}
	res, err = a.History(ctx, u, r, HistoryQuery{Oldest: &since, Count: limit, ShowThreadMessages: true})
	if err != nil {
		return nil, false, err
	}
	return res, true, nil
}

// messageTs reads the ts of a stored message document.
func messageTs(raw []byte) (model.Time, error) {
	var m struct {
		Ts model.Time `json:"ts"`
	}
	err := json.Unmarshal(raw, &m)
	return m.Ts, err
}
