package app

import (
	"context"
	"slices"

	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

var (
	errThreadsDisabled  = E("error-not-allowed", "Threads Disabled")
	errTmidMissing      = E("error-invalid-params", `The required "tmid" query param is missing.`)
	errThreadNotAllowed = E("error-not-allowed", "Not Allowed")
	errInvalidThread    = E("error-invalid-message", "Invalid Message")
)

// FollowMessage is chat.followMessage (follow) and chat.unfollowMessage:
// the caller joins or leaves the followers (replies) of the thread the
// message belongs to. Any message can be followed, even one without
// replies yet.
func (a *App) FollowMessage(ctx context.Context, u *model.User, mid string, follow bool) error {
	method := "followMessage"
	if !follow {
		method = "unfollowMessage"
	}
	details := map[string]any{"method": method}
	if !a.Settings.Bool("Threads_enabled") {
		return E("error-not-allowed", "not-allowed").With(details)
	}
	m, r, err := a.loadMessageOr(ctx, mid, E("error-invalid-message", "Invalid message").With(details))
	if err != nil {
		return err
	}
	if err := a.requireSee(ctx, r, u, E("error-not-allowed", "not-allowed").With(details)); err != nil {
		return err
	}
	target := m.ID
	if m.TMID != "" {
		target = m.TMID
	}
	now := a.now()
	err = a.tx(ctx, func(st store.Store) error {
		cur, err := lockMessage(ctx, st, r.ID, target)
		if err != nil {
			return err
		}
		if !follow {
			if err := st.Threads().RemoveUnread(ctx, m.RID, target, u.ID, now); err != nil {
				return err
			}
			a.emit(st, events.SubscriptionChanged, m.RID, u.ID, "")
		}
		has := slices.Contains(cur.Replies, u.ID)
		switch {
		case follow && !has:
			cur.Replies = append(cur.Replies, u.ID)
		case !follow && has:
			cur.Replies = without(cur.Replies, u.ID)
		default:
			return nil
		}
		cur.UpdatedAt = now
		a.emit(st, events.MessageUpdated, m.RID, u.ID, target)
		return st.Messages().Update(ctx, cur)
	})
	if isNotFound(err) {
		return E("error-invalid-message", "Invalid message").With(details)
	}
	return err
}

// ThreadsQuery is chat.getThreadsList's query.
type ThreadsQuery struct {
	RID  string
	Type string // "", "following" or "unread"
	Text string
}

// ThreadsList is chat.getThreadsList: a room's thread parents, the most
// recently active first, optionally only those the caller follows or
// has unread.
func (a *App) ThreadsList(ctx context.Context, u *model.User, q ThreadsQuery, opts store.ListOptions) (*MessagePage, error) {
	if !a.Settings.Bool("Threads_enabled") {
		return nil, errThreadsDisabled
	}
	if _, err := a.roomForRead(ctx, u, q.RID, errThreadNotAllowed); err != nil {
		return nil, err
	}
	f := store.ThreadFilter{RID: q.RID, ExcludeHidden: true, TextContains: q.Text}
	switch q.Type {
	case "following":
		f.FollowedBy = u.ID
	case "unread":
		sub, err := a.store.Subscriptions().Get(ctx, q.RID, u.ID)
		if err != nil && !isNotFound(err) {
			return nil, a.storeErr(err)
		}
		f.IDs = []string{}
		if sub != nil {
			f.IDs = append(f.IDs, sub.Tunread...)
		}
	}
	list, total, err := a.store.Threads().List(ctx, f, opts)
	if err != nil {
		return nil, a.storeErr(err)
	}
	shaped, err := a.normalizeAll(ctx, u, list)
	if err != nil {
		return nil, err
	}
	return &MessagePage{Messages: shaped, Total: total}, nil
}

// threadParent loads thread tmid for u, in chat.getThreadMessages' order
// of checks.
func (a *App) threadParent(ctx context.Context, u *model.User, tmid string) (*model.Message, error) {
	m, r, err := a.loadMessage(ctx, tmid)
	if isNotFound(err) || (err == nil && m.RID == "") {
		return nil, errInvalidThread
	}
	if err != nil {
		return nil, err
	}
	if err := a.requireSee(ctx, r, u, errThreadNotAllowed); err != nil {
		return nil, err
	}
	return m, nil
}

// ThreadMessages is chat.getThreadMessages: the replies of a thread, the
// oldest first; the parent is not among them. Like Rocket.Chat it does
// not filter hidden history copies.
func (a *App) ThreadMessages(ctx context.Context, u *model.User, tmid string, opts store.ListOptions) (*MessagePage, error) {
	if !a.Settings.Bool("Threads_enabled") {
		return nil, errThreadsDisabled
	}
	if tmid == "" {
		return nil, errTmidMissing
	}
	if _, err := a.threadParent(ctx, u, tmid); err != nil {
		return nil, err
	}
	if len(opts.Sort) == 0 {
		opts.Sort = []store.SortField{{Field: "ts"}}
	}
	return a.listMessages(ctx, store.MessageFilter{TMID: tmid}, opts)
}

// ThreadSync is the update/remove answer of the syncThread* endpoints.
type ThreadSync struct {
	Update []*model.Message `json:"update"`
	Remove []*model.Message `json:"remove"`
}

func newThreadSync(update, remove []*model.Message) *ThreadSync {
	if update == nil {
		update = []*model.Message{}
	}
	if remove == nil {
		remove = []*model.Message{}
	}
	return &ThreadSync{Update: update, Remove: remove}
}

// RequireThreads refuses every thread endpoint while Threads_enabled is
// off. The sync endpoints ask it before reading their query, so that a
// client learns threads are off whatever it sent.
func (a *App) RequireThreads() error {
	if !a.Settings.Bool("Threads_enabled") {
		return errThreadsDisabled
	}
	return nil
}

// parseUpdatedSince reads the updatedSince of the thread sync endpoints,
// which is required and read as Date.parse reads it.
func parseUpdatedSince(s string) (model.Time, error) {
	if s == "" {
		return 0, E("error-updatedSince-param-invalid", `The required param "updatedSince" is missing.`)
	}
	t, ok := parseJSDate(s)
	if !ok {
		return 0, E("error-updatedSince-param-invalid", `The "updatedSince" query parameter must be a valid date.`)
	}
	return t, nil
}

// SyncThreadsList is chat.syncThreadsList: the room's thread parents
// changed after since, and those deleted after it.
func (a *App) SyncThreadsList(ctx context.Context, u *model.User, rid, updatedSince string) (*ThreadSync, error) {
	if !a.Settings.Bool("Threads_enabled") {
		return nil, errThreadsDisabled
	}
	if rid == "" {
		return nil, E("error-room-id-param-not-provided", `The required "rid" query param is missing.`)
	}
	since, err := parseUpdatedSince(updatedSince)
	if err != nil {
		return nil, err
	}
	if _, err := a.roomForRead(ctx, u, rid, errThreadNotAllowed); err != nil {
		return nil, err
	}
	update, _, err := a.store.Threads().List(ctx, store.ThreadFilter{RID: rid, UpdatedAfter: since}, store.ListOptions{})
	if err != nil {
		return nil, a.storeErr(err)
	}
	remove, _, err := a.store.Messages().ListTrash(ctx, store.TrashFilter{RID: rid, ThreadParents: true, DeletedAfter: since}, store.ListOptions{})
	if err != nil {
		return nil, a.storeErr(err)
	}
	return newThreadSync(update, remove), nil
}

// SyncThreadMessages is chat.syncThreadMessages: a thread's replies
// changed after since, and those deleted after it.
func (a *App) SyncThreadMessages(ctx context.Context, u *model.User, tmid, updatedSince string) (*ThreadSync, error) {
	if !a.Settings.Bool("Threads_enabled") {
		return nil, errThreadsDisabled
	}
	if tmid == "" {
		return nil, errTmidMissing
	}
	since, err := parseUpdatedSince(updatedSince)
	if err != nil {
		return nil, err
	}
	if _, err := a.threadParent(ctx, u, tmid); err != nil {
		return nil, err
	}
	update, err := a.store.Messages().List(ctx, store.MessageFilter{TMID: tmid, UpdatedAfter: since},
		store.ListOptions{Sort: []store.SortField{{Field: "ts"}}})
	if err != nil {
		return nil, a.storeErr(err)
	}
	remove, _, err := a.store.Messages().ListTrash(ctx, store.TrashFilter{TMID: tmid, DeletedAfter: since}, store.ListOptions{})
	if err != nil {
		return nil, a.storeErr(err)
	}
	return newThreadSync(update, remove), nil
}

// ReadReceipts is chat.getMessageReadReceipts. Rocket.Chat serves it only
// with its enterprise license; Parley's stand-in for the license is
// Message_Read_Receipt_Enabled, and without it the answer is the same
// refusal.
func (a *App) ReadReceipts(ctx context.Context, u *model.User, mid string, opts store.ListOptions) ([]*store.Receipt, error) {
	if !a.Settings.Bool("Message_Read_Receipt_Enabled") {
		return nil, E("error-action-not-allowed", "This is an enterprise feature")
	}
	_, r, err := a.loadMessage(ctx, mid)
	if isNotFound(err) {
		return nil, E("error-invalid-message", "Invalid message").With(map[string]any{"method": "getReadReceipts"})
	}
	if err != nil {
		return nil, err
	}
	if err := a.requireSee(ctx, r, u, E("error-invalid-room", "Invalid room")); err != nil {
		return nil, err
	}
	list, err := a.store.Receipts().ListByMessage(ctx, mid, opts)
	if err != nil {
		return nil, a.storeErr(err)
	}
	if list == nil {
		list = []*store.Receipt{}
	}
	return list, nil
}
