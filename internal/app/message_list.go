package app

import (
	"context"
	"encoding/json"
	"regexp"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// MessagePage is one page of a message listing.
type MessagePage struct {
	Messages []*model.Message
	Total    int
}

// listMessages returns a page of f and its total.
func (a *App) listMessages(ctx context.Context, f store.MessageFilter, opts store.ListOptions) (*MessagePage, error) {
	list, err := a.store.Messages().List(ctx, f, opts)
	if err != nil {
		return nil, a.storeErr(err)
	}
	total, err := a.store.Messages().Count(ctx, f)
	if err != nil {
		return nil, a.storeErr(err)
	}
	if list == nil {
		list = []*model.Message{}
	}
	return &MessagePage{Messages: list, Total: total}, nil
}

// listShaped is listMessages with the messages shaped for u as
// normalizeAll does.
func (a *App) listShaped(ctx context.Context, u *model.User, f store.MessageFilter, opts store.ListOptions) (*MessagePage, error) {
	p, err := a.listMessages(ctx, f, opts)
	if err != nil {
		return nil, err
	}
	if p.Messages, err = a.normalizeAll(ctx, u, p.Messages); err != nil {
		return nil, err
	}
	return p, nil
}

// roomForRead loads room rid when u may see it; otherwise it returns
// denied, so that a missing room and a hidden one look the same.
func (a *App) roomForRead(ctx context.Context, u *model.User, rid string, denied error) (*model.Room, error) {
	r, err := a.store.Rooms().Get(ctx, rid)
	if isNotFound(err) {
		return nil, denied
	}
	if err != nil {
		return nil, a.storeErr(err)
	}
	if err := a.requireSee(ctx, r, u, denied); err != nil {
		return nil, err
	}
	return r, nil
}

// PinnedMessages is chat.getPinnedMessages.
func (a *App) PinnedMessages(ctx context.Context, u *model.User, rid string, opts store.ListOptions) (*MessagePage, error) {
	if _, err := a.roomForRead(ctx, u, rid, ErrNotAllowed); err != nil {
		return nil, err
	}
	return a.listShaped(ctx, u, store.MessageFilter{RID: rid, Pinned: true, ExcludeHidden: true, ExcludeTypes: []string{"rm"}}, opts)
}

// StarredMessages is chat.getStarredMessages: the caller's stars.
func (a *App) StarredMessages(ctx context.Context, u *model.User, rid string, opts store.ListOptions) (*MessagePage, error) {
	if _, err := a.roomForRead(ctx, u, rid, Plain("error-not-allowed")); err != nil {
		return nil, err
	}
	return a.listShaped(ctx, u, store.MessageFilter{RID: rid, StarredBy: u.ID, ExcludeHidden: true}, opts)
}

// MentionedMessages is chat.getMentionedMessages: messages naming the
// caller (not @all or @here).
func (a *App) MentionedMessages(ctx context.Context, u *model.User, rid string, opts store.ListOptions) (*MessagePage, error) {
	if _, err := a.roomForRead(ctx, u, rid, Plain("error-not-allowed")); err != nil {
		return nil, err
	}
	return a.listMessages(ctx, store.MessageFilter{RID: rid, MentionedUser: u.Username, ExcludeHidden: true}, opts)
}

// UserMentionsInRoom is channels.getAllUserMentionsByChannel: the
// messages of rid that mention the caller by name, oldest first unless
// opts sorts otherwise. Any room the caller can access may be asked for.
func (a *App) UserMentionsInRoom(ctx context.Context, u *model.User, rid string, opts store.ListOptions) (*MessagePage, error) {
	invalid := E("error-invalid-room", "Invalid room").With(map[string]any{"method": "getUserMentionsByChannel"})
	r, err := a.store.Rooms().Get(ctx, rid)
	if isNotFound(err) {
		return nil, invalid
	}
	if err != nil {
		return nil, a.storeErr(err)
	}
	if ok, err := a.CanAccessRoom(ctx, r, u); err != nil {
		return nil, err
	} else if !ok {
		return nil, invalid
	}
	if len(opts.Sort) == 0 {
		opts.Sort = []store.SortField{{Field: "ts"}}
	}
	return a.listMessages(ctx, store.MessageFilter{RID: rid, MentionedUser: u.Username, ExcludeHidden: true}, opts)
}

// DeletedMessages is chat.getDeletedMessages: ids of messages of rid
// deleted after since. Rocket.Chat answers anyone here; Parley asks for
// the room access every other listing asks for, because even the ids and
// count of deletions say when and how much a private room talks.
func (a *App) DeletedMessages(ctx context.Context, u *model.User, rid string, since model.Time, opts store.ListOptions) ([]Tombstone, int, error) {
	if _, err := a.roomForRead(ctx, u, rid, ErrNotAllowed); err != nil {
		return nil, 0, err
	}
	opts.Sort = nil
	list, total, err := a.store.Messages().ListTrash(ctx, store.TrashFilter{RID: rid, DeletedAfter: since}, opts)
	if err != nil {
		return nil, 0, a.storeErr(err)
	}
	out := make([]Tombstone, len(list))
	for i, m := range list {
		out[i] = Tombstone{ID: m.ID}
	}
	return out, total, nil
}

// SyncQuery is chat.syncMessages' query.
type SyncQuery struct {
	RoomID     string
	LastUpdate string
	Type       string
	Next       string
	Previous   string
	Count      int
}

// SyncCursor is the paging state of cursor-mode sync.
type SyncCursor struct {
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
}

// SyncResult is chat.syncMessages' result.
type SyncResult struct {
	Updated []json.RawMessage `json:"updated"`
	Deleted []Tombstone       `json:"deleted"`
	Cursor  *SyncCursor       `json:"cursor,omitempty"`
}

// Tombstone is what listings of deleted messages show of each.
type Tombstone struct {
	ID        string      `json:"_id"`
	DeletedAt *model.Time `json:"_deletedAt,omitempty"`
}

// searchQuery is a chat.search text split into its operators and the
// words left over.
type searchQuery struct {
	filter store.MessageFilter
	asc    bool
	regex  *regexp.Regexp
	terms  []string
	empty  bool
}

var (
	searchFrom    = regexp.MustCompile(`(?i)(?:^|\s)from:([^\s]+)`)
	searchMention = regexp.MustCompile(`(?i)(?:^|\s)mention:([^\s]+)`)
	searchFlag    = regexp.MustCompile(`(?i)(?:^|\s)(has:star|is:pinned|has:pin)(?:\s|$)`)
	searchOrder   = regexp.MustCompile(`(?i)(?:^|\s)(?:order|sort):(asc|ascend|ascending|desc|descend|descending)(?:\s|$)`)
	searchDate    = regexp.MustCompile(`(?i)(?:^|\s)(before|after|on):(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s|$)`)
	searchRegexp  = regexp.MustCompile(`^/(.+)/([a-z]*)$`)
	spaces        = regexp.MustCompile(`\s+`)
)

// regexScanLimit bounds how many messages (the newest first, or the oldest
// with order:asc) one pattern search reads, so that a single request cannot
// make the server scan an arbitrarily large room.
const regexScanLimit = 20_000

// HistoryQuery is a room history request (channels.history,
// groups.history, dm.history).
type HistoryQuery struct {
	Latest             *model.Time // default now
	Oldest             *model.Time
	Inclusive          bool
	Offset, Count      int
	Unreads            bool
	ShowThreadMessages bool
}

// HistoryResult is a page of room history, newest first.
type HistoryResult struct {
	Messages        []json.RawMessage `json:"messages"`
	FirstUnread     *model.Message    `json:"firstUnread,omitempty"`
	UnreadNotLoaded *int              `json:"unreadNotLoaded,omitempty"`
}
