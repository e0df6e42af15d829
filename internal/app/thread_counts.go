package app

import (
	"context"
	"slices"

	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// threadAfterSave does the thread, discussion and read-receipt bookkeeping
// of a new message, inside its transaction.
func (a *App) threadAfterSave(ctx context.Context, st store.Store, r *model.Room, m *model.Message) error {
	if m.TMID != "" && a.Settings.Bool("Threads_enabled") {
		if err := a.countReply(ctx, st, r, m); err != nil {
			return err
		}
	}
	if r.Prid != "" {
		// The discussion's counters mirror its room's msgs and lm, which
		// every saved message moves.
		if err := st.Threads().AddDiscussionMessage(ctx, r.ID, 1, &m.Ts); err != nil {
			return err
		}
	}
	if m.Unread && a.Settings.Bool("Message_Read_Receipt_Enabled") {
		return a.senderReads(ctx, st, r, m)
	}
	return nil
}

// errReplyParent refuses a reply whose parent is not a message of the
// room the reply is posted in.
var errReplyParent = E("error-invalid-message", "Invalid message")

// checkReplyParent is the one rule every path that stores a reply obeys
// (postMessage, sendMessage, uploads, discussions' first reply): the
// parent must exist and belong to r, the room the caller was just allowed
// to post in. Without it a reply posted through a room the caller may
// write to would land in, and count towards, a thread of a room they
// cannot see.
func (a *App) checkReplyParent(ctx context.Context, r *model.Room, in MessageInput) error {
	if in.TMID == "" {
		return nil
	}
	parent, err := in.parent, error(nil)
	if parent == nil || parent.ID != in.TMID {
		parent, err = a.store.Messages().Get(ctx, in.TMID)
	}
	if isNotFound(err) || (err == nil && parent.RID != r.ID) {
		return errReplyParent
	}
	return a.storeErr(err)
}

// mentionedUsers splits a message's mentions into user ids (without the
// author) and whether @all or @here is among them.
func mentionedUsers(m *model.Message) (ids []string, group bool) {
	for _, mn := range m.Mentions {
		switch {
		case mn.ID == "all" || mn.ID == "here":
			group = true
		case (mn.Type == "" || mn.Type == "user") && mn.ID != m.U.ID && !slices.Contains(ids, mn.ID):
			ids = append(ids, mn.ID)
		}
	}
	return ids, group
}

// union appends to list the ids of more it lacks, keeping the order.
func union(list []string, more ...string) []string {
	for _, id := range more {
		if id != "" && !slices.Contains(list, id) {
			list = append(list, id)
		}
	}
	return list
}

func without(list []string, drop ...string) []string {
	out := make([]string, 0, len(list))
	for _, id := range list {
		if !slices.Contains(drop, id) {
			out = append(out, id)
		}
	}
	return out
}

// countReply is Rocket.Chat's processThreads and reply: the parent gains
// the repliers and mentioned users as followers, one more reply and a new
// tlm; every follower but the replier gets the thread as unread.
func (a *App) countReply(ctx context.Context, st store.Store, r *model.Room, m *model.Message) error {
	// The parent's row lock serialises replies of one thread, so that the
	// followers list (part of the document) is never written from a
	// stale read; tcount itself is incremented in SQL.
	parent, err := st.Messages().GetForUpdate(ctx, m.TMID)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	mentioned, group := mentionedUsers(m)
	var followers []string
	if parent.TCount == 0 {
		followers = union(followers, parent.U.ID)
		if r.T == model.RoomDirect {
			followers = union(followers, r.UIDs...)
		}
	} else {
		followers = union(followers, parent.Replies...)
	}
	followers = union(followers, mentioned...)
	add := union(without(followers, m.U.ID), mentioned...)
	if len(parent.Replies) == 0 {
		add = union(add, parent.U.ID)
	}
	add = union(add, m.U.ID)
	parent.Replies = union(parent.Replies, add...)
	parent.UpdatedAt = max(parent.UpdatedAt, m.Ts)
	if err := st.Messages().Update(ctx, parent); err != nil {
		return err
	}
	if err := st.Threads().AddReply(ctx, parent.ID, m.Ts); err != nil {
		return err
	}
	now := a.now()
	others := without(parent.Replies, append([]string{m.U.ID}, mentioned...)...)
	if err := st.Threads().AddUnread(ctx, r.ID, parent.ID, store.ThreadUnread{Users: others, GroupMention: group, Now: now}); err != nil {
		return err
	}
	a.emit(st, events.MessageUpdated, r.ID, m.U.ID, parent.ID)
	a.emit(st, events.SubscriptionChanged, r.ID, "", "")
	return st.Threads().AddUnread(ctx, r.ID, parent.ID, store.ThreadUnread{Users: mentioned, UserMention: true, Now: now})
}

// senderReads is Rocket.Chat's markMessageAsReadBySender: the author has
// read their own message, and alone in the room, so has everyone.
func (a *App) senderReads(ctx context.Context, st store.Store, r *model.Room, m *model.Message) error {
	if a.Settings.Bool("Message_Read_Receipt_Store_Users") {
		if err := st.Receipts().Add(ctx, &store.Receipt{RoomID: r.ID, UserID: m.U.ID, MessageID: m.ID, Ts: m.Ts}); err != nil {
			return err
		}
	}
	_, members, err := st.Subscriptions().ListByRoom(ctx, r.ID, store.ListOptions{Count: 1})
	if err != nil || members > 1 {
		return err
	}
	if _, err := st.Receipts().Settle(ctx, r.ID, "", m.Ts); err != nil {
		return err
	}
	m.Unread = false
	return nil
}

// threadAfterDelete undoes a deleted message's thread and discussion
// bookkeeping, inside the deletion's transaction. Receipts go with the
// message row itself (Messages().Delete).
func (a *App) threadAfterDelete(ctx context.Context, st store.Store, r *model.Room, m *model.Message) error {
	now := a.now()
	if m.TMID != "" && !m.Hidden {
		if err := st.Threads().RemoveReply(ctx, m.TMID, now); err != nil && !isNotFound(err) {
			return err
		}
		if err := st.Threads().RemoveUnread(ctx, r.ID, m.TMID, "", now); err != nil {
			return err
		}
		a.emit(st, events.MessageUpdated, r.ID, "", m.TMID)
		a.emit(st, events.SubscriptionChanged, r.ID, "", "")
	}
	if r.Prid != "" && !m.Hidden {
		if err := st.Threads().AddDiscussionMessage(ctx, r.ID, -1, nil); err != nil {
			return err
		}
	}
	if m.DRID != "" && m.DRID != r.ID {
		// The discussion goes with the message that announced it.
		if _, err := st.Rooms().Get(ctx, m.DRID); err == nil {
			return a.eraseRoom(ctx, st, "", m.DRID)
		} else if !isNotFound(err) {
			return err
		}
	}
	return nil
}

// recordReceipts stores read receipts for what u has read in room rid
// since the previous read, inside subscriptions.read's transaction, and
// clears unread on the messages everyone has now seen.
func (a *App) recordReceipts(ctx context.Context, st store.Store, rid string, u *model.User, prevLs *model.Time, now model.Time) error {
	if !a.Settings.Bool("Message_Read_Receipt_Enabled") {
		return nil
	}
	if a.Settings.Bool("Message_Read_Receipt_Store_Users") {
		var after model.Time
		if prevLs != nil {
			after = *prevLs
		}
		if _, err := st.Receipts().Record(ctx, rid, u.ID, after, now, now); err != nil {
			return err
		}
	}
	_, err := st.Receipts().Settle(ctx, rid, u.ID, now)
	return err
}
