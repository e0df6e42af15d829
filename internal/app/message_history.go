package app

import (
	"context"
	"encoding/json"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// hiddenSystemTypes lists the message types Hide_System_Messages hides.
func (a *App) hiddenSystemTypes() []string {
	var types []string
	_ = json.Unmarshal([]byte(a.Settings.String("Hide_System_Messages")), &types)
	return types
}

// History is Rocket.Chat's getChannelHistory: visible messages of r
// before latest (and after oldest), newest first. A reader who cannot
// see the room gets ErrForbidden.
func (a *App) History(ctx context.Context, u *model.User, r *model.Room, q HistoryQuery) (*HistoryResult, error) {
	return a.history(ctx, u, r, q, nil)
}

// history is History whose listing requires guard, when set.
func (a *App) history(ctx context.Context, u *model.User, r *model.Room, q HistoryQuery, guard *store.ReadGuard) (*HistoryResult, error) {
	if err := a.requireSee(ctx, r, u, ErrForbidden); err != nil {
		return nil, err
	}
	f := store.MessageFilter{
		RID: r.ID, ExcludeHidden: true, ExcludeTypes: a.hiddenSystemTypes(),
		TsInclusive: q.Inclusive, RoomVisible: !q.ShowThreadMessages, Guard: guard,
	}
	// Without latest there is no upper bound rather than "now": a burst of
	// messages gets timestamps a little ahead of the clock (they are
	// strictly increasing per room), and the newest must still be read.
	if q.Latest != nil {
		f.TsBefore = *q.Latest
	}
	if q.Oldest != nil {
		f.TsAfter = *q.Oldest
	}
	list, err := a.store.Messages().ListJSON(ctx, f, store.ListOptions{Offset: q.Offset, Count: q.Count})
	if err != nil {
		return nil, a.storeErr(err)
	}
	msgs, err := a.normalizeJSON(ctx, u, list)
	if err != nil {
		return nil, err
	}
	res := &HistoryResult{Messages: msgs}
	if q.Unreads {
		n := 0
		res.UnreadNotLoaded = &n
		if q.Oldest != nil && len(list) > 0 && list[len(list)-1].Ts > *q.Oldest {
			older := f
			older.Guard = nil // the page came back, so it held
			older.TsBefore, older.TsInclusive = list[len(list)-1].Ts, false
			older.TsAfter = *q.Oldest
			count, err := a.store.Messages().Count(ctx, older)
			if err != nil {
				return nil, a.storeErr(err)
			}
			n = count
			if count > 0 {
				first, err := a.store.Messages().List(ctx, older, store.ListOptions{Count: 1, Sort: []store.SortField{{Field: "ts"}}})
				if err != nil {
					return nil, a.storeErr(err)
				}
				if len(first) > 0 {
					if res.FirstUnread, err = a.normalize(ctx, u, first[0]); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	return res, nil
}

// RoomHistory is channels.history / groups.history: the room named by ref,
// of type t, read with q.
func (a *App) RoomHistory(ctx context.Context, u *model.User, ref RoomRef, t string, q HistoryQuery) (*HistoryResult, error) {
	if ref.ID != "" && t == model.RoomChannel {
		if res, ok, err := a.memberChannelHistory(ctx, u, ref.ID, q); ok || err != nil {
			return res, err
		}
	}
	u, err := a.confirmSession(ctx, u)
	if err != nil {
		return nil, err
	}
	if ref.ID != "" && t == model.RoomChannel {
		// The hottest read: a channel by id needs only the room's type,
		// not its whole document. (Groups go through findRoom, which hides
		// a group from non-members.)
		r, err := a.store.Rooms().GetHead(ctx, ref.ID)
		switch {
		case isNotFound(err) || (err == nil && r.T != t):
			return nil, errRoomNotFound(t)
		case err != nil:
			return nil, a.storeErr(err)
		}
		return a.History(ctx, u, r, q)
	}
	r, err := a.findRoom(ctx, u, ref, t)
	if err != nil {
		return nil, err
	}
	return a.History(ctx, u, r, q)
}

// memberChannelHistory serves a member's read of a channel by id, the
// most frequent of all, on the node's hints of the room and the
// membership, with no reads before the listing: the listing itself
// requires both still to hold (a store.ReadGuard), so a hint another
// node made stale yields nothing. ok is false when the hints do not
// cover the read, or the listing came back empty (an empty page, or a
// stale hint); the caller then checks again on fresh reads.
func (a *App) memberChannelHistory(ctx context.Context, u *model.User, rid string, q HistoryQuery) (*HistoryResult, bool, error) {
	if !a.HasPermission(u, "view-c-room") {
		return nil, false, nil
	}
	r, err := a.store.Rooms().GetHint(ctx, rid)
	if err != nil || r.T != model.RoomChannel {
		return nil, false, nil
	}
	hinted, member, err := a.memberHint(ctx, rid, u.ID)
	if err != nil || !member {
		return nil, false, nil
	}
	guard := &store.ReadGuard{RoomType: model.RoomChannel, Member: u.ID, Session: sessionGuard(ctx)}
	res, err := a.history(hinted, u, r, q, guard)
	if err != nil || len(res.Messages) == 0 {
		return nil, false, nil
	}
	return res, true, nil
}

// normalizeJSON is normalize for stored message JSON: documents that need
// no per-reader change are passed through as they are.
func (a *App) normalizeJSON(ctx context.Context, u *model.User, list []store.MessageJSON) ([]json.RawMessage, error) {
	realNames := a.Settings.Bool("UI_Use_Real_Name")
	out := make([]json.RawMessage, len(list))
	var (
		changed []*model.Message
		at      []int
	)
	for i, row := range list {
		if !row.Starred && !realNames {
			out[i] = row.JSON
			continue
		}
		m := new(model.Message)
		if err := json.Unmarshal(row.JSON, m); err != nil {
			return nil, err
		}
		changed = append(changed, m)
		at = append(at, i)
	}
	if len(changed) == 0 {
		return out, nil
	}
	shaped, err := a.normalizeAll(ctx, u, changed)
	if err != nil {
		return nil, err
	}
	for j, m := range shaped {
		b, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		out[at[j]] = b
	}
	return out, nil
}
