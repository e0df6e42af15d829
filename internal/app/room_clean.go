package app

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// CleanHistory is what rooms.cleanHistory prunes: the messages of a room
// between Oldest and Latest (bounds included when Inclusive).
type CleanHistory struct {
	Oldest, Latest model.Time
	Inclusive      bool
	// Limit caps the number of messages removed, the oldest first; 0 is
	// no cap.
	Limit int
	// ExcludePinned keeps pinned messages.
	ExcludePinned bool
	// FilesOnly removes the files of the messages and keeps the messages.
	FilesOnly bool
	// IgnoreThreads keeps thread replies and thread parents.
	IgnoreThreads bool
	// IgnoreDiscussion keeps the messages that started discussions (and so
	// the discussions); otherwise they go with their discussions.
	IgnoreDiscussion bool
	// Users, when not empty, restricts the pruning to messages written by
	// these usernames.
	Users []string
}

// cleanPage is how many messages a pruning reads at a time.
const cleanPage = 500

// maxBulkIDs bounds the ids a deleteMessageBulk notice carries, so that it
// stays small enough to cross nodes; past it listeners go by the query.
const maxBulkIDs = 200

// prunedFileText replaces the files a FilesOnly pruning removes.
const prunedFileText = "_File removed by prune_"

// CleanRoomHistory is rooms.cleanHistory (Rocket.Chat's cleanRoomHistory):
// who may see room rid and holds clean-channel-history there removes its
// messages in the range, or only their files, and learns how many (of
// the messages, or of the files). The
// files of removed messages are deleted, discussions started by them go
// with them, and listeners hear one MessagesBulkDeleted.
func (a *App) CleanRoomHistory(ctx context.Context, actor *model.User, rid string, q CleanHistory) (int, error) {
	if rid == "" {
		return 0, E("error-roomid-param-not-provided", `The parameter "roomId" or "roomName" is required`)
	}
	r, err := a.store.Rooms().Get(ctx, rid)
	if isNotFound(err) {
		return 0, errRoomNotFound(model.RoomChannel)
	}
	if err != nil {
		return 0, a.storeErr(err)
	}
	if r.Archived {
		return 0, E("error-room-archived", "The channel, "+r.Name+", is archived")
	}
	// The endpoint words its access refusal itself, with the code inside.
	if err := a.requireSee(ctx, r, actor, &Error{Status: 400, Type: "error-not-allowed", Reason: "User does not have access to the room [error-not-allowed]", Plain: true}); err != nil {
		return 0, err
	}
	if !a.HasRoomPermission(ctx, actor, "clean-channel-history", r.ID) {
		return 0, ErrNotAllowed.With(map[string]any{"method": "cleanRoomHistory"})
	}
	f := store.MessageFilter{RID: r.ID, ExcludeHidden: true, TsAfter: q.Oldest, TsBefore: q.Latest, TsInclusive: q.Inclusive}
	if len(q.Users) > 0 {
		names := make([]string, 0, len(q.Users))
		for _, n := range q.Users {
			names = append(names, strings.TrimPrefix(strings.TrimSpace(n), "@"))
		}
		users, err := a.store.Users().GetManyByUsername(ctx, names)
		if err != nil {
			return 0, a.storeErr(err)
		}
		if len(users) == 0 {
			return 0, nil
		}
		for _, u := range users {
			f.UserIDs = append(f.UserIDs, u.ID)
		}
	}
	ids, err := a.pruneCandidates(ctx, f, q)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	count := 0
	err = a.tx(ctx, func(st store.Store) error {
		count = 0
		cur, err := lockRoom(ctx, st, r.ID)
		if err != nil {
			return err
		}
		var removed []string
		for _, id := range ids {
			m, err := st.Messages().Get(ctx, id)
			if isNotFound(err) {
				continue // removed meanwhile
			}
			if err != nil {
				return err
			}
			if q.FilesOnly {
				// Rocket.Chat counts the files removed, not their messages.
				count += len(messageFileIDs(m))
				if err := a.pruneFiles(ctx, st, m); err != nil {
					return err
				}
				continue
			}
			if err := a.pruneMessage(ctx, st, cur, m); err != nil {
				return err
			}
			removed = append(removed, m.ID)
			count++
		}
		if q.FilesOnly || count == 0 {
			return nil
		}
		if err := st.Rooms().AddMessages(ctx, r.ID, -count, nil); err != nil {
			return err
		}
		if err := a.refreshRoomLastMessage(ctx, st, r.ID); err != nil {
			return err
		}
		a.emit(st, events.RoomChanged, r.ID, actor.ID, r.ID)
		return a.emitBulkDeleted(st, r.ID, actor.ID, q, removed)
	})
	if err != nil {
		return 0, err
	}
	return count, nil
}

// pruneCandidates lists, oldest first, the ids of the messages a pruning
// removes: f's range, less deleted placeholders and whatever q keeps.
func (a *App) pruneCandidates(ctx context.Context, f store.MessageFilter, q CleanHistory) ([]string, error) {
	var ids []string
	opts := store.ListOptions{Count: cleanPage, Sort: []store.SortField{{Field: "ts"}}}
	for {
		page, err := a.store.Messages().List(ctx, f, opts)
		if err != nil {
			return nil, a.storeErr(err)
		}
		for _, m := range page {
			switch {
			case m.T == "rm",
				q.ExcludePinned && m.Pinned,
				q.IgnoreThreads && (m.TMID != "" || m.TCount > 0),
				q.IgnoreDiscussion && m.DRID != "",
				q.FilesOnly && len(messageFileIDs(m)) == 0:
				continue
			}
			ids = append(ids, m.ID)
			if q.Limit > 0 && len(ids) == q.Limit {
				return ids, nil
			}
		}
		if len(page) < cleanPage {
			return ids, nil
		}
		opts.Offset += cleanPage
	}
}

// pruneMessage removes m for good, with its files, its part in thread and
// discussion counters, and the discussion it started.
func (a *App) pruneMessage(ctx context.Context, st store.Store, r *model.Room, m *model.Message) error {
	if err := a.dropMessageFiles(ctx, st, m); err != nil {
		return err
	}
	if err := a.threadAfterDelete(ctx, st, r, m); err != nil {
		return err
	}
	c := *m
	now := a.now()
	c.DeletedAt = &now
	if err := st.Messages().Trash(ctx, &c); err != nil {
		return err
	}
	return st.Messages().Delete(ctx, m.ID)
}

// pruneFiles removes m's files and their attachments, leaving a notice in
// their place; its other attachments (quotes) stay.
func (a *App) pruneFiles(ctx context.Context, st store.Store, m *model.Message) error {
	if err := a.dropMessageFiles(ctx, st, m); err != nil {
		return err
	}
	var kept []json.RawMessage
	for _, raw := range m.Attachments {
		var at struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(raw, &at) == nil && at.Type == "file" {
			continue
		}
		kept = append(kept, raw)
	}
	notice, err := json.Marshal(map[string]string{"color": "#FD745E", "text": prunedFileText})
	if err != nil {
		return err
	}
	m.File, m.Files, m.Attachments = nil, nil, append(kept, notice)
	m.UpdatedAt = a.now()
	if err := st.Messages().Update(ctx, m); err != nil {
		return err
	}
	a.emit(st, events.MessageUpdated, m.RID, "", m.ID)
	return nil
}

// refreshRoomLastMessage points the room's lastMessage at its newest
// visible user message, or clears it.
func (a *App) refreshRoomLastMessage(ctx context.Context, st store.Store, rid string) error {
	if !a.Settings.Bool("Store_Last_Message") {
		return nil
	}
	last, err := st.Messages().List(ctx, store.MessageFilter{RID: rid, ExcludeHidden: true, UserMessages: true, RoomVisible: true}, store.ListOptions{Count: 1})
	if err != nil {
		return err
	}
	var newest *model.Message
	if len(last) > 0 {
		newest = last[0]
	}
	return st.Rooms().SetLastMessage(ctx, rid, newest)
}

// emitBulkDeleted announces a pruning with the query that chose the
// messages, in the shape of Rocket.Chat's deleteMessageBulk notice.
func (a *App) emitBulkDeleted(st store.Store, rid, uid string, q CleanHistory, removed []string) error {
	// Dates go as EJSON, the way the realtime streams carry them.
	date := func(t model.Time) map[string]int64 { return map[string]int64{"$date": int64(t)} }
	gt, lt := "$gt", "$lt"
	if q.Inclusive {
		gt, lt = "$gte", "$lte"
	}
	ts := map[string]any{gt: date(q.Oldest), lt: date(q.Latest)}
	users := q.Users
	if users == nil {
		users = []string{}
	}
	body := map[string]any{
		"rid": rid, "excludePinned": q.ExcludePinned, "ignoreDiscussion": q.IgnoreDiscussion,
		"ts": ts, "users": users,
	}
	if q.Limit > 0 && len(removed) <= maxBulkIDs {
		body["ids"] = removed
	}
	data, err := json.Marshal(body)
	if err != nil {
		return err
	}
	e := events.Event{Kind: events.MessagesBulkDeleted, RoomID: rid, UserID: uid, Data: data}
	if t, ok := st.(*emitter); ok {
		t.events = append(t.events, e)
		return nil
	}
	a.bus.Publish(e)
	return nil
}
