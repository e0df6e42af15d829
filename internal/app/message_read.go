package app

import (
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

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
	ok, err := a.CanAccessRoom(ctx, r, u)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, denied
	}
	return r, nil
}

// PinnedMessages is chat.getPinnedMessages.
func (a *App) PinnedMessages(ctx context.Context, u *model.User, rid string, opts store.ListOptions) (*MessagePage, error) {
	if _, err := a.roomForRead(ctx, u, rid, ErrNotAllowed); err != nil {
		return nil, err
	}
	p, err := a.listMessages(ctx, store.MessageFilter{RID: rid, Pinned: true, ExcludeHidden: true, ExcludeTypes: []string{"rm"}}, opts)
	if err != nil {
		return nil, err
	}
	if p.Messages, err = a.normalizeAll(ctx, u, p.Messages); err != nil {
		return nil, err
	}
	return p, nil
}

// StarredMessages is chat.getStarredMessages: the caller's stars.
func (a *App) StarredMessages(ctx context.Context, u *model.User, rid string, opts store.ListOptions) (*MessagePage, error) {
	if _, err := a.roomForRead(ctx, u, rid, Plain("error-not-allowed")); err != nil {
		return nil, err
	}
	p, err := a.listMessages(ctx, store.MessageFilter{RID: rid, StarredBy: u.ID, ExcludeHidden: true}, opts)
	if err != nil {
		return nil, err
	}
	if p.Messages, err = a.normalizeAll(ctx, u, p.Messages); err != nil {
		return nil, err
	}
	return p, nil
}

// MentionedMessages is chat.getMentionedMessages: messages naming the
// caller (not @all or @here).
func (a *App) MentionedMessages(ctx context.Context, u *model.User, rid string, opts store.ListOptions) (*MessagePage, error) {
	if _, err := a.roomForRead(ctx, u, rid, Plain("error-not-allowed")); err != nil {
		return nil, err
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
	Updated []*model.Message `json:"updated"`
	Deleted []Tombstone      `json:"deleted"`
	Cursor  *SyncCursor      `json:"cursor,omitempty"`
}

// ParseJSDate reads a date in the common forms JavaScript's Date.parse
// accepts: ISO-8601 (model.ParseTime's forms, and without zone or seconds),
// and the RFC 1123 and Date.toString forms. Endpoints that Rocket.Chat
// checks with Date.parse accept what it accepts.
func ParseJSDate(s string) (model.Time, bool) { return parseJSDate(s) }

func parseJSDate(s string) (model.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := model.ParseTime(s); err == nil {
		return t, true
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", time.RFC1123, time.RFC1123Z, "Mon Jan 02 2006 15:04:05 GMT-0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return model.FromTime(t), true
		}
	}
	return 0, false
}

// SyncMessages is chat.syncMessages in both of its modes.
func (a *App) SyncMessages(ctx context.Context, u *model.User, q SyncQuery) (*SyncResult, error) {
	if q.RoomID == "" {
		return nil, E("error-param-required", `The required "roomId" query param is missing`)
	}
	if q.LastUpdate == "" && q.Type == "" {
		return nil, E("error-param-required", `The "type" or "lastUpdate" parameters must be provided`)
	}
	var last model.Time
	if q.LastUpdate != "" {
		t, ok := parseJSDate(q.LastUpdate)
		if !ok {
			return nil, E("error-lastUpdate-param-invalid", `The "lastUpdate" query parameter must be a valid date`)
		}
		last = t
	}
	if _, err := a.roomForRead(ctx, u, q.RoomID, ErrNotAllowed.With(map[string]any{"method": "messages/get"})); err != nil {
		return nil, err
	}
	if q.Type != "" && q.Type != "UPDATED" && q.Type != "DELETED" {
		return nil, E("error-type-param-not-supported", `The "type" parameter must be either "UPDATED" or "DELETED"`)
	}
	if (q.Next != "" || q.Previous != "") && q.Type == "" {
		return nil, E("error-type-param-required", `The "type" parameter is required when using the "next" or "previous" parameters`)
	}
	if q.Next != "" && q.Previous != "" {
		return nil, E("error-cursor-conflict", `You cannot provide both "next" and "previous" parameters`)
	}
	if (q.Next != "" || q.Previous != "") && q.LastUpdate != "" {
		return nil, E("error-cursor-and-lastUpdate-conflict", `The attributes "next", "previous" and "lastUpdate" cannot be used together`)
	}
	res := &SyncResult{Updated: []*model.Message{}, Deleted: []Tombstone{}}
	if q.LastUpdate != "" {
		updated, err := a.store.Messages().List(ctx, store.MessageFilter{RID: q.RoomID, ExcludeHidden: true, UpdatedAfter: last}, store.ListOptions{})
		if err != nil {
			return nil, a.storeErr(err)
		}
		deleted, _, err := a.store.Messages().ListTrash(ctx, store.TrashFilter{RID: q.RoomID, DeletedAfter: last},
			store.ListOptions{Sort: []store.SortField{{Field: "ts", Desc: true}}})
		if err != nil {
			return nil, a.storeErr(err)
		}
		shaped, err := a.normalizeAll(ctx, u, updated)
		if err != nil {
			return nil, err
		}
		res.Updated = append(res.Updated, shaped...)
		res.Deleted = append(res.Deleted, tombstones(deleted)...)
		return res, nil
	}
	if q.Next == "" && q.Previous == "" {
		return res, nil
	}
	cursor := q.Next
	if cursor == "" {
		cursor = q.Previous
	}
	at, err := strconv.ParseInt(cursor, 10, 64)
	if err != nil {
		return nil, Plain("Invalid Date")
	}
	count := q.Count
	if count <= 0 {
		count = 20
	}
	forward := q.Next != ""
	opts := store.ListOptions{Count: count + 1}
	var (
		items []*model.Message
		mark  func(*model.Message) model.Time
	)
	switch {
	case !forward && at <= 0:
		// Nothing is older than the epoch, and the store filters would
		// read a 0 bound as no bound at all.
	case q.Type == "UPDATED":
		f := store.MessageFilter{RID: q.RoomID, ExcludeHidden: true}
		if forward {
			f.UpdatedAfter = model.Time(at)
		} else {
			f.UpdatedBefore = model.Time(at)
		}
		opts.Sort = []store.SortField{{Field: "_updatedAt", Desc: !forward}}
		items, err = a.store.Messages().List(ctx, f, opts)
		mark = func(m *model.Message) model.Time { return m.UpdatedAt }
	default:
		f := store.TrashFilter{RID: q.RoomID}
		if forward {
			f.DeletedAfter = model.Time(at)
		} else {
			f.DeletedBefore = model.Time(at)
		}
		opts.Sort = []store.SortField{{Field: "_updatedAt", Desc: !forward}}
		items, _, err = a.store.Messages().ListTrash(ctx, f, opts)
		mark = func(m *model.Message) model.Time {
			if m.DeletedAt != nil {
				return *m.DeletedAt
			}
			return 0
		}
	}
	if err != nil {
		return nil, a.storeErr(err)
	}
	more := len(items) > count
	if more {
		items = items[:count]
	}
	res.Cursor = &SyncCursor{}
	if len(items) > 0 {
		first := strconv.FormatInt(int64(mark(items[0])), 10)
		lastKept := strconv.FormatInt(int64(mark(items[len(items)-1])), 10)
		if forward {
			res.Cursor.Previous = &first
			if more {
				res.Cursor.Next = &lastKept
			}
		} else {
			res.Cursor.Next = &first
			if more {
				res.Cursor.Previous = &lastKept
			}
		}
	}
	if q.Type == "UPDATED" {
		shaped, err := a.normalizeAll(ctx, u, items)
		if err != nil {
			return nil, err
		}
		res.Updated = append(res.Updated, shaped...)
	} else {
		res.Deleted = append(res.Deleted, tombstones(items)...)
	}
	return res, nil
}

// Tombstone is what listings of deleted messages show of each.
type Tombstone struct {
	ID        string      `json:"_id"`
	DeletedAt *model.Time `json:"_deletedAt,omitempty"`
}

// tombstones keeps only the id and deletion time of trashed messages.
func tombstones(list []*model.Message) []Tombstone {
	out := make([]Tombstone, len(list))
	for i, m := range list {
		out[i] = Tombstone{ID: m.ID, DeletedAt: m.DeletedAt}
	}
	return out
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

// hasCJK reports whether text has Chinese, Japanese or Korean characters,
// which the word index cannot split, so they are matched as substrings.
func hasCJK(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) {
			return true
		}
	}
	return false
}

func (a *App) parseSearch(ctx context.Context, u *model.User, rid, text string) (*searchQuery, error) {
	q := &searchQuery{filter: store.MessageFilter{RID: rid, ExcludeHidden: true, ExcludeTypes: []string{"rm"}}}
	text = searchFrom.ReplaceAllStringFunc(text, func(s string) string {
		name := searchFrom.FindStringSubmatch(s)[1]
		id := ""
		if strings.EqualFold(name, "me") {
			id = u.ID
		} else if usr, err := a.store.Users().GetByUsername(ctx, strings.TrimPrefix(name, "@")); err == nil {
			id = usr.ID
		}
		if id == "" {
			q.empty = true
		} else {
			q.filter.UserIDs = append(q.filter.UserIDs, id)
		}
		return " "
	})
	text = searchMention.ReplaceAllStringFunc(text, func(s string) string {
		name := strings.TrimPrefix(searchMention.FindStringSubmatch(s)[1], "@")
		if strings.EqualFold(name, "me") {
			name = u.Username
		}
		q.filter.MentionedUser = name
		return " "
	})
	text = searchFlag.ReplaceAllStringFunc(text, func(s string) string {
		if strings.Contains(strings.ToLower(s), "star") {
			q.filter.StarredBy = u.ID
		} else {
			q.filter.Pinned = true
		}
		return " "
	})
	text = searchOrder.ReplaceAllStringFunc(text, func(s string) string {
		q.asc = strings.HasPrefix(strings.ToLower(searchOrder.FindStringSubmatch(s)[1]), "asc")
		return " "
	})
	offset := time.Duration(u.UTCOffset) * time.Hour
	text = searchDate.ReplaceAllStringFunc(text, func(s string) string {
		p := searchDate.FindStringSubmatch(s)
		d, _ := strconv.Atoi(p[2])
		mo, _ := strconv.Atoi(p[3])
		y, _ := strconv.Atoi(p[4])
		day := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC).Add(-offset)
		switch strings.ToLower(p[1]) {
		case "before":
			q.filter.TsBefore = model.FromTime(day)
		case "after":
			q.filter.TsAfter = model.FromTime(day.AddDate(0, 0, 1))
			q.filter.TsInclusive = true
		case "on":
			q.filter.TsAfter, q.filter.TsBefore = model.FromTime(day), model.FromTime(day.AddDate(0, 0, 1))
			q.filter.TsInclusive = true
		}
		return " "
	})
	text = strings.TrimSpace(spaces.ReplaceAllString(text, " "))
	switch {
	case text == "":
		if q.filter.UserIDs == nil && q.filter.MentionedUser == "" && q.filter.StarredBy == "" && !q.filter.Pinned && q.filter.TsAfter == 0 && q.filter.TsBefore == 0 {
			q.empty = true
		}
	case searchRegexp.MatchString(text):
		p := searchRegexp.FindStringSubmatch(text)
		flags := ""
		if strings.Contains(p[2], "i") {
			flags = "(?i)"
		}
		re, err := regexp.Compile(flags + p[1])
		if err != nil {
			q.empty = true
			break
		}
		q.regex = re
	case a.Settings.Bool("Message_AlwaysSearchRegExp") || hasCJK(text):
		re, err := regexp.Compile("(?i)" + text)
		if err != nil {
			re = regexp.MustCompile("(?i)" + regexp.QuoteMeta(text))
		}
		q.regex = re
	default:
		// MongoDB's $text splits at punctuation too, and any word matches:
		// "fox,quick" is two words, not a phrase that must match whole.
		q.terms = strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
		if len(q.terms) == 0 {
			q.empty = true
		}
	}
	return q, nil
}

// SearchMessages is chat.search: full-text search in one room, with
// Rocket.Chat's from:, mention:, has:star, is:pinned, before:/after:/on:
// and order: operators and /regexp/ queries.
func (a *App) SearchMessages(ctx context.Context, u *model.User, rid, text string, opts store.ListOptions) ([]*model.Message, error) {
	if _, err := a.roomForRead(ctx, u, rid, Plain("")); err != nil {
		return nil, err
	}
	q, err := a.parseSearch(ctx, u, rid, text)
	if err != nil {
		return nil, err
	}
	if q.empty {
		return []*model.Message{}, nil
	}
	opts.Sort = []store.SortField{{Field: "ts", Desc: !q.asc}}
	var list []*model.Message
	switch {
	case q.terms != nil:
		list, err = a.store.Messages().Search(ctx, q.filter, q.terms, opts)
	case q.regex != nil:
		list, err = a.regexSearch(ctx, q, opts)
	default:
		list, err = a.store.Messages().List(ctx, q.filter, opts)
	}
	if err != nil {
		return nil, a.storeErr(err)
	}
	if list == nil {
		list = []*model.Message{}
	}
	return a.normalizeAll(ctx, u, list)
}

// regexScanLimit bounds how many messages (the newest first, or the oldest
// with order:asc) one pattern search reads, so that a single request cannot
// make the server scan an arbitrarily large room.
const regexScanLimit = 20_000

// regexSearch scans the filtered messages in batches and keeps those
// whose text matches, then applies the page.
func (a *App) regexSearch(ctx context.Context, q *searchQuery, opts store.ListOptions) ([]*model.Message, error) {
	const batch = 500
	var out []*model.Message
	skip := opts.Offset
	for off := 0; off < regexScanLimit; off += batch {
		list, err := a.store.Messages().List(ctx, q.filter, store.ListOptions{Offset: off, Count: batch, Sort: opts.Sort})
		if err != nil {
			return nil, err
		}
		for _, m := range list {
			if !q.regex.MatchString(m.Msg) {
				continue
			}
			if skip > 0 {
				skip--
				continue
			}
			out = append(out, m)
			if opts.Count > 0 && len(out) == opts.Count {
				return out, nil
			}
		}
		if len(list) < batch {
			return out, nil
		}
	}
	return out, nil
}

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
	ok, err := a.CanAccessRoom(ctx, r, u)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrForbidden
	}
	f := store.MessageFilter{
		RID: r.ID, ExcludeHidden: true, ExcludeTypes: a.hiddenSystemTypes(),
		TsInclusive: q.Inclusive, RoomVisible: !q.ShowThreadMessages,
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
