package app

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

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
	res := &SyncResult{Updated: []json.RawMessage{}, Deleted: []Tombstone{}}
	if q.LastUpdate != "" {
		// The stored documents go out as they are, as history pages do.
		updated, err := a.store.Messages().ListJSON(ctx, store.MessageFilter{RID: q.RoomID, ExcludeHidden: true, UpdatedAfter: last}, store.ListOptions{})
		if err != nil {
			return nil, a.storeErr(err)
		}
		deleted, _, err := a.store.Messages().ListTrash(ctx, store.TrashFilter{RID: q.RoomID, DeletedAfter: last},
			store.ListOptions{Sort: []store.SortField{{Field: "ts", Desc: true}}})
		if err != nil {
			return nil, a.storeErr(err)
		}
		shaped, err := a.normalizeJSON(ctx, u, updated)
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
		for _, m := range shaped {
			b, err := json.Marshal(m)
			if err != nil {
				return nil, err
			}
			res.Updated = append(res.Updated, b)
		}
	} else {
		res.Deleted = append(res.Deleted, tombstones(items)...)
	}
	return res, nil
}

// tombstones keeps only the id and deletion time of trashed messages.
func tombstones(list []*model.Message) []Tombstone {
	out := make([]Tombstone, len(list))
	for i, m := range list {
		out[i] = Tombstone{ID: m.ID, DeletedAt: m.DeletedAt}
	}
	return out
}
