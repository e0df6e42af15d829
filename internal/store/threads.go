package store

import (
	"context"

	"github.com/parleychat/parley/internal/model"
)

// ThreadUnread says whose subscriptions a thread reply marks unread.
type ThreadUnread struct {
	// Users get the thread in tunread.
	Users []string
	// UserMention also puts it in tunreadUser; GroupMention in tunreadGroup.
	UserMention  bool
	GroupMention bool
	Now          model.Time
}

// ThreadFilter selects thread parents of one room: messages that have had
// a reply (tlm set), whatever their tcount is now.
type ThreadFilter struct {
	RID string
	// FollowedBy keeps threads whose replies list this user id.
	FollowedBy string
	// IDs keeps only these ids when non-nil (an empty list matches nothing).
	IDs           []string
	ExcludeHidden bool
	TextContains  string
	UpdatedAfter  model.Time
}

// Threads keeps thread and discussion bookkeeping on messages and
// subscriptions. Counters change in SQL (col = col + n), so that
// concurrent replies on several nodes never lose an increment.
type Threads interface {
	// AddReply counts a new reply of thread tmid: tcount + 1, and tlm and
	// _updatedAt move to ts when it is later.
	AddReply(ctx context.Context, tmid string, ts model.Time) error
	// RemoveReply uncounts a deleted reply: tcount − 1, never below zero.
	RemoveReply(ctx context.Context, tmid string, now model.Time) error
	// AddUnread adds tmid to the thread-unread lists of the users'
	// subscriptions of rid (lists hold each thread once).
	AddUnread(ctx context.Context, rid, tmid string, u ThreadUnread) error
	// RemoveUnread takes tmid out of tunread, tunreadUser and tunreadGroup of
	// rid's subscriptions: of userID's only, or of every member when "".
	RemoveUnread(ctx context.Context, rid, tmid, userID string, now model.Time) error
	// List returns a page of thread parents, with the total; the newest
	// thread activity (tlm) first unless opts sorts.
	List(ctx context.Context, f ThreadFilter, opts ListOptions) ([]*model.Message, int, error)
	// AddDiscussionMessage moves the counters of the discussion-created
	// message pointing at room drid: dcount + delta, and dlm = lm if set.
	AddDiscussionMessage(ctx context.Context, drid string, delta int, lm *model.Time) error
}

// Receipt is one user's read receipt of one message. Its id is the
// message id followed by the user id, as Rocket.Chat builds it.
type Receipt struct {
	ID        string         `json:"_id"`
	RoomID    string         `json:"roomId"`
	UserID    string         `json:"userId"`
	MessageID string         `json:"messageId"`
	Ts        model.Time     `json:"ts"`
	User      *model.UserRef `json:"user,omitempty"`
}

// Receipts stores read receipts, one row per (message, user).
type Receipts interface {
	// Record stores a receipt of userID, dated now, for every visible message
	// of rid still marked unread with after < ts <= upTo. Existing receipts
	// are kept. It returns how many were added.
	Record(ctx context.Context, rid, userID string, after, upTo, now model.Time) (int, error)
	// Add stores one receipt unless the user has one for the message.
	Add(ctx context.Context, r *Receipt) error
	// ListByMessage returns a message's receipts, oldest first, each with
	// its user (nil when the user no longer exists).
	ListByMessage(ctx context.Context, mid string, opts ListOptions) ([]*Receipt, error)
	// DeleteByMessage drops a message's receipts.
	DeleteByMessage(ctx context.Context, mid string) error
	// Settle clears unread on the messages of rid that every member other
	// than their author has seen (subscription ls >= message ts), and gives
	// them _updatedAt now. readerID, when set, counts as having seen
	// everything up to now: its ls is being moved in the same transaction.
	// It returns how many messages changed.
	Settle(ctx context.Context, rid, readerID string, now model.Time) (int, error)
}
