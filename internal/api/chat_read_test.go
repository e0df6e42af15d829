package api_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/api/apitest"
)

// epochMillis turns a JSON date into the epoch-millisecond string that
// chat.syncMessages uses as a cursor.
func epochMillis(t *testing.T, v any) string {
	t.Helper()
	s, _ := v.(string)
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("date %v: %v", v, err)
	}
	return strconv.FormatInt(ts.UnixMilli(), 10)
}

// isoDate is a wall-clock instant as Rocket.Chat writes dates.
func isoDate(ts time.Time) string { return ts.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

func TestChatGetMentionedMessages(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "mentioner", "mentionee")
	a, b := e.Users[0], e.Users[1]
	e.NewUser(t, "bystander")
	rid := a.CreateRoom(t, "channels", "", nil, "mentionee", "bystander")

	m1 := a.PostText(t, rid, "hello @mentionee")["_id"].(string)
	a.PostText(t, rid, "@all listen")
	a.PostText(t, rid, "@here listen")
	a.PostText(t, rid, "@bystander only")
	a.PostText(t, rid, "mentionee without the at sign")
	a.PostText(t, rid, "mail mentioner@mentionee.example")
	m2 := a.PostText(t, rid, "again @mentionee and @bystander")["_id"].(string)

	l := b.ListMessages(t, "chat.getMentionedMessages", apitest.Q("roomId", rid))
	if got := apitest.IDs(l.Messages); !slices.Equal(got, []string{m2, m1}) || l.Total != 2 || l.Count != 2 || l.Offset != 0 {
		t.Fatalf("mentions = %v %+v", got, l)
	}
	l = b.ListMessages(t, "chat.getMentionedMessages", apitest.Q("roomId", rid, "count", "1", "offset", "1"))
	if got := apitest.IDs(l.Messages); !slices.Equal(got, []string{m1}) || l.Total != 2 || l.Count != 1 || l.Offset != 1 {
		t.Fatalf("page = %v %+v", got, l)
	}
	l = b.ListMessages(t, "chat.getMentionedMessages", apitest.Q("roomId", rid, "sort", `{"ts":1}`))
	if got := apitest.IDs(l.Messages); !slices.Equal(got, []string{m1, m2}) {
		t.Fatalf("ascending = %v", got)
	}
	// The author mentioned nobody's name but others'.
	l = a.ListMessages(t, "chat.getMentionedMessages", apitest.Q("roomId", rid))
	if len(l.Messages) != 0 || l.Total != 0 {
		t.Fatalf("author's mentions = %v", apitest.IDs(l.Messages))
	}
	// A deleted mention is gone from the list.
	a.DeleteMessage(t, rid, m2)
	l = b.ListMessages(t, "chat.getMentionedMessages", apitest.Q("roomId", rid))
	if got := apitest.IDs(l.Messages); !slices.Equal(got, []string{m1}) {
		t.Fatalf("after delete = %v", got)
	}

	b.Get(t, "chat.getMentionedMessages").Fails(t, 400, "error-invalid-params", `The required "roomId" query param is missing. [error-invalid-params]`)
	b.Get(t, "chat.getMentionedMessages", apitest.Q("roomId", rid, "fields", `{"msg":1}`)).Fails(t, 400, "invalid-params", "")
	b.Get(t, "chat.getMentionedMessages", apitest.Q("roomId", "nope")).FailsPlain(t, "error-not-allowed")
}

func TestChatSearch(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "seeker", "speaker")
	sa, sb := e.Users[0], e.Users[1]
	rid := sa.CreateRoom(t, "channels", "", nil, "speaker")

	m1 := sa.PostText(t, rid, "the quick brown fox")["_id"].(string)
	m2 := sb.PostText(t, rid, "lazy dog sleeps")["_id"].(string)
	m3 := sa.PostText(t, rid, "quick thinking @speaker")["_id"].(string)
	m4 := sb.PostText(t, rid, "fox hunting")["_id"].(string)
	m5 := sa.PostText(t, rid, "今天天气很好")["_id"].(string)
	sa.Post(t, "chat.pinMessage", map[string]any{"messageId": m2}).OK(t)
	sa.Post(t, "chat.starMessage", map[string]any{"messageId": m4}).OK(t)

	// The subtests that post search a room of their own, so that the
	// table's answers stay fixed.
	searchIn := func(c *apitest.Client, rid, text string, kv ...string) []map[string]any {
		t.Helper()
		var out struct {
			Messages []map[string]any `json:"messages"`
		}
		r := c.Get(t, "chat.search", apitest.Q(append([]string{"roomId", rid, "searchText", text}, kv...)...)).OK(t)
		r.Decode(t, &out)
		if _, ok := r.JSON(t)["total"]; ok {
			t.Fatalf("search answered with a total: %s", r.Body)
		}
		return out.Messages
	}
	search := func(c *apitest.Client, text string, kv ...string) []map[string]any {
		t.Helper()
		return searchIn(c, rid, text, kv...)
	}

	for _, tc := range []struct {
		name string
		by   *apitest.Client
		text string
		kv   []string
		want []string
	}{
		{"word", sa, "quick", nil, []string{m3, m1}},
		{"word in other case", sa, "QUICK", nil, []string{m3, m1}},
		{"any of the words", sa, "quick fox", nil, []string{m4, m3, m1}},
		{"no match", sa, "elephant", nil, []string{}},
		{"count", sa, "quick fox", []string{"count", "2"}, []string{m4, m3}},
		{"offset", sa, "quick fox", []string{"count", "2", "offset", "2"}, []string{m1}},
		{"offset past the end", sa, "quick", []string{"offset", "10"}, []string{}},
		{"from:me", sa, "from:me quick", nil, []string{m3, m1}},
		{"from:me for another caller", sb, "from:me fox", nil, []string{m4}},
		{"from:username", sa, "from:speaker", nil, []string{m4, m2}},
		{"from:@username", sa, "from:@speaker dog", nil, []string{m2}},
		{"from:unknown", sa, "from:nobody quick", nil, []string{}},
		{"mention:", sa, "mention:speaker", nil, []string{m3}},
		{"mention: with words", sa, "mention:speaker fox", nil, []string{}},
		{"has:star", sa, "has:star", nil, []string{m4}},
		{"has:star is the caller's", sb, "has:star", nil, []string{}},
		{"is:pinned", sa, "is:pinned", nil, []string{m2}},
		{"has:pin", sb, "has:pin", nil, []string{m2}},
		{"order:asc", sa, "order:asc quick", nil, []string{m1, m3}},
		{"sort:descending", sa, "quick sort:descending", nil, []string{m3, m1}},
		{"regexp with flag", sa, "/QU.CK/i", nil, []string{m3, m1}},
		{"regexp without flag", sa, "/QU.CK/", nil, []string{}},
		{"regexp anchored", sa, "/^fox/", nil, []string{m4}},
		{"regexp paged", sa, "/o/", []string{"count", "2", "offset", "1"}, []string{m2, m1}},
		{"CJK substring", sa, "天气", nil, []string{m5}},
		{"CJK no match", sa, "下雨", nil, []string{}},
		{"only spaces after operators", sa, "order:asc", nil, []string{}},
		{"punctuation only", sa, "!!!", nil, []string{}},
		{"word with punctuation", sa, "fox!", nil, []string{m4, m1}},
		{"quotes are plain text", sa, `"lazy" dog's`, nil, []string{m2}},
		{"search syntax is plain text", sa, "NEAR(fox quick) OR dog*", nil, []string{m4, m3, m2, m1}},
		{"words split at punctuation", sa, "dog,hunting", nil, []string{m4, m2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := search(tc.by, tc.text, tc.kv...)
			if ids := apitest.IDs(got); !slices.Equal(ids, tc.want) {
				t.Fatalf("search %q = %v, want %v", tc.text, ids, tc.want)
			}
		})
	}

	t.Run("full-text results carry a score", func(t *testing.T) {
		t.Parallel()
		for _, m := range search(sa, "quick") {
			if s, ok := m["score"].(float64); !ok || s <= 0 {
				t.Fatalf("score = %#v in %v", m["score"], m)
			}
			if m["rid"] != rid || m["msg"] == nil || m["u"] == nil {
				t.Fatalf("result = %v", m)
			}
		}
	})

	t.Run("searchable at once, gone when deleted", func(t *testing.T) {
		t.Parallel()
		rid := sa.CreateRoom(t, "channels", "", nil, "speaker")
		id := sb.PostText(t, rid, "xylophone concert")["_id"].(string)
		if ids := apitest.IDs(searchIn(sa, rid, "xylophone")); !slices.Equal(ids, []string{id}) {
			t.Fatalf("new message not found: %v", ids)
		}
		sb.DeleteMessage(t, rid, id)
		if ids := apitest.IDs(searchIn(sa, rid, "xylophone")); len(ids) != 0 {
			t.Fatalf("deleted message found: %v", ids)
		}
		if ids := apitest.IDs(searchIn(sa, rid, "/xylophone/")); len(ids) != 0 {
			t.Fatalf("deleted message found by regexp: %v", ids)
		}
	})

	t.Run("edits are searchable", func(t *testing.T) {
		t.Parallel()
		rid := sa.CreateRoom(t, "channels", "", nil, "speaker")
		id := sb.PostText(t, rid, "trombone practice")["_id"].(string)
		sb.UpdateMessage(t, rid, id, "tuba practice").OK(t)
		if ids := apitest.IDs(searchIn(sa, rid, "tuba")); !slices.Equal(ids, []string{id}) {
			t.Fatalf("edited text not found: %v", ids)
		}
		if ids := apitest.IDs(searchIn(sa, rid, "trombone")); len(ids) != 0 {
			t.Fatalf("old text still found: %v", ids)
		}
	})

	t.Run("errors", func(t *testing.T) {
		t.Parallel()
		sa.Get(t, "chat.search", apitest.Q("roomId", rid, "searchText", "")).
			Fails(t, 400, "error-searchText-param-not-provided", `The required "searchText" query param is missing. [error-searchText-param-not-provided]`)
		sa.Get(t, "chat.search", apitest.Q("roomId", "", "searchText", "x")).
			Fails(t, 400, "error-roomId-param-not-provided", `The required "roomId" query param is missing. [error-roomId-param-not-provided]`)
		sa.Get(t, "chat.search", apitest.Q("searchText", "quick")).Fails(t, 400, "invalid-params", "must have required property 'roomId' [invalid-params]")
		sa.Get(t, "chat.search", apitest.Q("roomId", rid)).Fails(t, 400, "invalid-params", "must have required property 'searchText' [invalid-params]")
		sa.Get(t, "chat.search", apitest.Q("roomId", rid, "searchText", "x", "sort", `{"ts":1}`)).Fails(t, 400, "invalid-params", "")
		r := sa.Get(t, "chat.search", apitest.Q("roomId", "nope", "searchText", "quick")).Expect(t, 400)
		if string(r.Body) != `{"success":false}`+"\n" {
			t.Fatalf("unknown room body = %s", r.Body)
		}
	})
}

func TestChatGetDeletedMessages(t *testing.T) {
	t.Parallel()
	clock := apitest.NewClock(time.Now())
	e := apitest.New(t, apitest.WithClock(clock))
	owner := e.NewUser(t, "deleter")
	rid := owner.CreateRoom(t, "groups", "", nil)
	var ids []string
	for _, text := range []string{"d1", "d2", "d3", "kept"} {
		ids = append(ids, owner.PostText(t, rid, text)["_id"].(string))
	}
	owner.DeleteMessage(t, rid, ids[0])
	mid := isoDate(clock.Advance(5 * time.Millisecond))
	clock.Advance(5 * time.Millisecond)
	owner.DeleteMessage(t, rid, ids[1])
	// Apart, so that the deletion order is the listing order.
	clock.Advance(2 * time.Millisecond)
	owner.DeleteMessage(t, rid, ids[2])

	const old = "2000-01-01T00:00:00.000Z"
	for _, tc := range []struct {
		name          string
		q             []string
		want          []string
		count, offset int
		total         int
	}{
		{"all", []string{"since", old}, ids[:3], 3, 0, 3},
		{"after since", []string{"since", mid}, ids[1:3], 2, 0, 2},
		{"future", []string{"since", "2999-01-01T00:00:00Z"}, []string{}, 0, 0, 0},
		{"count", []string{"since", old, "count", "2"}, ids[:2], 2, 0, 3},
		{"offset", []string{"since", old, "count", "2", "offset", "2"}, ids[2:3], 1, 2, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			q := apitest.Q(tc.q...)
			if q.Get("roomId") == "" {
				q.Set("roomId", rid)
			}
			l := owner.ListMessages(t, "chat.getDeletedMessages", q)
			if got := apitest.IDs(l.Messages); !slices.Equal(got, tc.want) || l.Count != tc.count || l.Offset != tc.offset || l.Total != tc.total {
				t.Fatalf("deleted = %v %+v, want %v", got, l, tc.want)
			}
			for _, m := range l.Messages {
				if len(m) != 1 {
					t.Fatalf("entry %v has more than its _id", m)
				}
			}
		})
	}

	// Rocket.Chat's own texts, which are the errorType as well.
	for _, tc := range []struct {
		name string
		q    []string
		text string
	}{
		{"since missing", []string{"roomId", rid}, `The required "since" query param is missing.`},
		{"since empty", []string{"roomId", rid, "since", ""}, `The required "since" query param is missing.`},
		{"since not a date", []string{"roomId", rid, "since", "yesterday"}, `The "since" query parameter must be a valid date.`},
		{"roomId missing", []string{"since", old}, `The required "roomId" query param is missing.`},
		{"roomId empty", []string{"roomId", "", "since", old}, `The required "roomId" query param is missing.`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			owner.Get(t, "chat.getDeletedMessages", apitest.Q(tc.q...)).Fails(t, 400, tc.text, "["+tc.text+"]")
		})
	}
	owner.Get(t, "chat.getDeletedMessages", apitest.Q("roomId", rid, "bogus", "1", "since", old)).Fails(t, 400, "invalid-params", "must NOT have additional properties [invalid-params]")
	// An unknown room is refused as a hidden one is, so that the answer
	// does not tell which room ids exist.
	owner.Get(t, "chat.getDeletedMessages", apitest.Q("roomId", "nope", "since", old)).
		Fails(t, 400, "error-not-allowed", "Not allowed [error-not-allowed]")
}

// syncAnswer decodes chat.syncMessages.
type syncAnswer struct {
	Result struct {
		Updated []map[string]any `json:"updated"`
		Deleted []map[string]any `json:"deleted"`
		Cursor  *struct {
			Next     *string `json:"next"`
			Previous *string `json:"previous"`
		} `json:"cursor"`
	} `json:"result"`
}

func TestChatSyncMessages(t *testing.T) {
	t.Parallel()
	clock := apitest.NewClock(time.Now())
	e := apitest.New(t, apitest.WithClock(clock))
	me := e.NewUser(t, "syncer")
	other := e.NewUser(t, "syncother")
	sync := func(kv ...string) *syncAnswer {
		t.Helper()
		var out syncAnswer
		me.Get(t, "chat.syncMessages", apitest.Q(kv...)).OK(t).Decode(t, &out)
		return &out
	}

	t.Run("lastUpdate", func(t *testing.T) {
		t.Parallel()
		rid := me.CreateRoom(t, "groups", "", nil)
		m0 := me.PostText(t, rid, "m0")["_id"].(string)
		m1 := me.PostText(t, rid, "m1")["_id"].(string)
		m2 := me.PostText(t, rid, "m2")["_id"].(string)
		// Message times run ahead of a clock that stands still (they are
		// strictly increasing per room); let the clock pass them.
		since := isoDate(clock.Advance(20 * time.Millisecond))
		clock.Advance(5 * time.Millisecond)
		me.Post(t, "chat.react", map[string]any{"messageId": m0, "emoji": "smile"}).OK(t)
		me.DeleteMessage(t, rid, m1)

		r := me.Get(t, "chat.syncMessages", apitest.Q("roomId", rid, "lastUpdate", since)).OK(t)
		if _, ok := r.JSON(t)["result"].(map[string]any)["cursor"]; ok {
			t.Fatalf("lastUpdate mode answered with a cursor: %s", r.Body)
		}
		var out syncAnswer
		r.Decode(t, &out)
		if got := apitest.IDs(out.Result.Updated); !slices.Equal(got, []string{m0}) {
			t.Fatalf("updated = %v", got)
		}
		if out.Result.Updated[0]["reactions"] == nil {
			t.Fatalf("updated message = %v", out.Result.Updated[0])
		}
		if got := apitest.IDs(out.Result.Deleted); !slices.Equal(got, []string{m1}) || out.Result.Deleted[0]["_deletedAt"] == nil || len(out.Result.Deleted[0]) != 2 {
			t.Fatalf("deleted = %v", out.Result.Deleted)
		}

		all := sync("roomId", rid, "lastUpdate", "2000-01-01")
		if got := apitest.IDs(all.Result.Updated); !slices.Equal(got, []string{m2, m0}) {
			t.Fatalf("updated since 2000 = %v", got)
		}
		none := sync("roomId", rid, "lastUpdate", isoDate(clock.Now().Add(time.Hour)))
		if len(none.Result.Updated) != 0 || len(none.Result.Deleted) != 0 {
			t.Fatalf("future lastUpdate = %+v", none.Result)
		}
	})

	t.Run("validation order", func(t *testing.T) {
		t.Parallel()
		rid := me.CreateRoom(t, "groups", "", nil)
		hidden := other.CreateRoom(t, "groups", "", nil)
		const valid = "2020-01-01T00:00:00.000Z"
		for _, tc := range []struct {
			name      string
			q         []string
			errorType string
			errorText string
		}{
			{"roomId missing", []string{"lastUpdate", valid}, "invalid-params", "must have required property 'roomId' [invalid-params]"},
			{"unknown param", []string{"roomId", rid, "lastUpdate", valid, "offset", "1"}, "invalid-params", ""},
			{"type outside the enum", []string{"roomId", rid, "type", "ALL", "next", "1"}, "invalid-params", ""},
			{"roomId empty", []string{"roomId", "", "lastUpdate", "bad"}, "error-param-required", `The required "roomId" query param is missing [error-param-required]`},
			{"no type or lastUpdate", []string{"roomId", hidden}, "error-param-required", `The "type" or "lastUpdate" parameters must be provided [error-param-required]`},
			{"bad lastUpdate before access", []string{"roomId", hidden, "lastUpdate", "not a date"}, "error-lastUpdate-param-invalid", `The "lastUpdate" query parameter must be a valid date [error-lastUpdate-param-invalid]`},
			{"access before cursor checks", []string{"roomId", hidden, "lastUpdate", valid, "next", "1"}, "error-not-allowed", "Not allowed [error-not-allowed]"},
			{"unknown room", []string{"roomId", "nope", "lastUpdate", valid}, "error-not-allowed", "Not allowed [error-not-allowed]"},
			{"cursor without type", []string{"roomId", rid, "lastUpdate", valid, "next", "1"}, "error-type-param-required", `The "type" parameter is required when using the "next" or "previous" parameters [error-type-param-required]`},
			{"next and previous", []string{"roomId", rid, "type", "UPDATED", "next", "1", "previous", "1"}, "error-cursor-conflict", `You cannot provide both "next" and "previous" parameters [error-cursor-conflict]`},
			{"cursor and lastUpdate", []string{"roomId", rid, "type", "DELETED", "previous", "1", "lastUpdate", valid}, "error-cursor-and-lastUpdate-conflict", `The attributes "next", "previous" and "lastUpdate" cannot be used together [error-cursor-and-lastUpdate-conflict]`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				m := me.Get(t, "chat.syncMessages", apitest.Q(tc.q...)).Fails(t, 400, tc.errorType, tc.errorText).JSON(t)
				if tc.errorType == "error-not-allowed" && apitest.JSON(m["details"]) != `{"method":"messages/get"}` {
					t.Fatalf("details = %v", m["details"])
				}
			})
		}
		me.Get(t, "chat.syncMessages", apitest.Q("roomId", rid, "type", "UPDATED", "next", "abc")).FailsPlain(t, "Invalid Date")
		me.Get(t, "chat.syncMessages", apitest.Q("roomId", rid, "type", "DELETED", "previous", "1.5")).FailsPlain(t, "Invalid Date")

		// A type without a cursor has no first page: always empty.
		me.PostText(t, rid, "present")
		r := me.Get(t, "chat.syncMessages", apitest.Q("roomId", rid, "type", "UPDATED")).OK(t)
		if got := apitest.JSON(r.JSON(t)["result"]); got != `{"deleted":[],"updated":[]}` {
			t.Fatalf("type without cursor = %s", got)
		}
	})

	t.Run("cursor", func(t *testing.T) {
		t.Parallel()
		rid := me.CreateRoom(t, "groups", "", nil)
		var ids []string
		for i := range 5 {
			ids = append(ids, me.PostText(t, rid, "page "+strconv.Itoa(i))["_id"].(string))
		}
		full := sync("roomId", rid, "type", "UPDATED", "next", "0", "count", "100")
		if got := apitest.IDs(full.Result.Updated); !slices.Equal(got, ids) {
			t.Fatalf("everything = %v, want %v", got, ids)
		}
		at := map[string]string{}
		for _, m := range full.Result.Updated {
			at[m["_id"].(string)] = epochMillis(t, m["_updatedAt"])
		}
		check := func(res *syncAnswer, want []string, next, previous string) {
			t.Helper()
			if got := apitest.IDs(res.Result.Updated); !slices.Equal(got, want) {
				t.Fatalf("page = %v, want %v", got, want)
			}
			if len(res.Result.Deleted) != 0 || res.Result.Cursor == nil {
				t.Fatalf("result = %+v", res.Result)
			}
			str := func(p *string) string {
				if p == nil {
					return "null"
				}
				return *p
			}
			if c := res.Result.Cursor; str(c.Next) != next || str(c.Previous) != previous {
				t.Fatalf("cursor = {next %s, previous %s}, want {next %s, previous %s}", str(c.Next), str(c.Previous), next, previous)
			}
		}

		p1 := sync("roomId", rid, "type", "UPDATED", "next", "0", "count", "2")
		check(p1, ids[0:2], at[ids[1]], at[ids[0]])
		p2 := sync("roomId", rid, "type", "UPDATED", "next", *p1.Result.Cursor.Next, "count", "2")
		check(p2, ids[2:4], at[ids[3]], at[ids[2]])
		p3 := sync("roomId", rid, "type", "UPDATED", "next", *p2.Result.Cursor.Next, "count", "2")
		check(p3, ids[4:5], "null", at[ids[4]])
		check(sync("roomId", rid, "type", "UPDATED", "next", at[ids[4]], "count", "2"), []string{}, "null", "null")

		// Backwards: newest first.
		b1 := sync("roomId", rid, "type", "UPDATED", "previous", at[ids[4]], "count", "2")
		check(b1, []string{ids[3], ids[2]}, at[ids[3]], at[ids[2]])
		b2 := sync("roomId", rid, "type", "UPDATED", "previous", *b1.Result.Cursor.Previous, "count", "2")
		check(b2, []string{ids[1], ids[0]}, at[ids[1]], "null")
		check(sync("roomId", rid, "type", "UPDATED", "previous", at[ids[0]], "count", "2"), []string{}, "null", "null")
		check(sync("roomId", rid, "type", "UPDATED", "previous", "0"), []string{}, "null", "null")

		// count=0 is the default of 20.
		check(sync("roomId", rid, "type", "UPDATED", "next", "0", "count", "0"), ids, "null", at[ids[0]])

		// Deleted messages, paged the same way.
		for _, id := range ids[:3] {
			me.DeleteMessage(t, rid, id)
			clock.Advance(3 * time.Millisecond)
		}
		var d1 syncAnswer
		me.Get(t, "chat.syncMessages", apitest.Q("roomId", rid, "type", "DELETED", "next", "0", "count", "2")).OK(t).Decode(t, &d1)
		if got := apitest.IDs(d1.Result.Deleted); !slices.Equal(got, ids[:2]) || len(d1.Result.Updated) != 0 {
			t.Fatalf("deleted page = %v, updated %v", got, apitest.IDs(d1.Result.Updated))
		}
		for _, m := range d1.Result.Deleted {
			if len(m) != 2 || m["_deletedAt"] == nil {
				t.Fatalf("deleted entry = %v", m)
			}
		}
		c := d1.Result.Cursor
		if c == nil || c.Next == nil || c.Previous == nil || *c.Next != epochMillis(t, d1.Result.Deleted[1]["_deletedAt"]) || *c.Previous != epochMillis(t, d1.Result.Deleted[0]["_deletedAt"]) {
			t.Fatalf("deleted cursor = %+v", c)
		}
		d2 := sync("roomId", rid, "type", "DELETED", "next", *c.Next, "count", "2")
		if got := apitest.IDs(d2.Result.Deleted); !slices.Equal(got, ids[2:3]) || d2.Result.Cursor.Next != nil {
			t.Fatalf("second deleted page = %v %+v", got, d2.Result.Cursor)
		}
		// What is left of UPDATED no longer lists the deleted ones.
		if got := apitest.IDs(sync("roomId", rid, "type", "UPDATED", "next", "0").Result.Updated); !slices.Equal(got, ids[3:]) {
			t.Fatalf("updated after deletes = %v", got)
		}
	})
}

// TestChatListingsSkipRemovedAndHistory checks the listings and search
// against the other deletion modes and the hidden copies that
// Message_KeepHistory leaves. Each mode runs on its own server: the settings
// are global.
func TestChatListingsSkipRemovedAndHistory(t *testing.T) {
	t.Parallel()
	setup := func(t *testing.T, settings map[string]any) (e *apitest.Env, a, b *apitest.Client, rid, id string, since string) {
		e = apitest.New(t)
		for k, v := range settings {
			e.SetSetting(t, k, v)
		}
		a = e.NewUser(t, "author")
		b = e.NewUser(t, "reader")
		rid = a.CreateRoom(t, "groups", "", nil, "reader")
		since = isoDate(time.Now().Add(-time.Second))
		id = a.PostText(t, rid, "alpha @reader")["_id"].(string)
		a.Post(t, "chat.pinMessage", map[string]any{"messageId": id}).OK(t)
		b.Post(t, "chat.starMessage", map[string]any{"messageId": id}).OK(t)
		return
	}
	listed := func(t *testing.T, c *apitest.Client, path string, q ...string) []string {
		t.Helper()
		l := c.ListMessages(t, path, apitest.Q(q...))
		if l.Total != len(l.Messages) {
			t.Fatalf("%s total %d for %d messages", path, l.Total, len(l.Messages))
		}
		return apitest.IDs(l.Messages)
	}

	t.Run("deleted shown as removed", func(t *testing.T) {
		t.Parallel()
		_, a, b, rid, id, since := setup(t, map[string]any{"Message_ShowDeletedStatus": true})
		a.DeleteMessage(t, rid, id)
		if got := listed(t, b, "chat.getPinnedMessages", "roomId", rid); len(got) != 0 {
			t.Fatalf("pinned lists the removed message: %v", got)
		}
		if got := listed(t, b, "chat.getMentionedMessages", "roomId", rid); len(got) != 0 {
			t.Fatalf("mentioned lists the removed message: %v", got)
		}
		// The star survives the conversion, as in Rocket.Chat.
		if got := listed(t, b, "chat.getStarredMessages", "roomId", rid); !slices.Equal(got, []string{id}) {
			t.Fatalf("starred = %v", got)
		}
		if got := listed(t, b, "chat.getDeletedMessages", "roomId", rid, "since", since); len(got) != 0 {
			t.Fatalf("a removed (not erased) message is listed as deleted: %v", got)
		}
		for _, text := range []string{"alpha", "has:pin", "mention:reader", "/.*/"} {
			out := b.ListMessages(t, "chat.search", apitest.Q("roomId", rid, "searchText", text))
			for _, m := range out.Messages {
				if m["_id"] == id {
					t.Fatalf("search %q finds the removed message", text)
				}
			}
		}
		var s syncAnswer
		b.Get(t, "chat.syncMessages", apitest.Q("roomId", rid, "lastUpdate", since)).OK(t).Decode(t, &s)
		var rm map[string]any
		for _, m := range s.Result.Updated {
			if m["_id"] == id {
				rm = m
			}
		}
		if rm == nil || rm["t"] != "rm" || rm["msg"] != "" || len(s.Result.Deleted) != 0 {
			t.Fatalf("sync = %+v", s.Result)
		}
	})

	t.Run("history copies stay hidden", func(t *testing.T) {
		t.Parallel()
		_, a, b, rid, id, since := setup(t, map[string]any{"Message_KeepHistory": true})
		a.UpdateMessage(t, rid, id, "beta @reader").OK(t)
		a.Post(t, "chat.unPinMessage", map[string]any{"messageId": id}).OK(t)
		a.Post(t, "chat.pinMessage", map[string]any{"messageId": id}).OK(t)
		for _, tc := range []struct {
			path string
			want []string
		}{
			{"chat.getPinnedMessages", []string{id}},
			{"chat.getMentionedMessages", []string{id}},
			{"chat.getStarredMessages", []string{id}},
		} {
			if got := listed(t, b, tc.path, "roomId", rid); !slices.Equal(got, tc.want) {
				t.Fatalf("%s = %v, want %v", tc.path, got, tc.want)
			}
		}
		for text, want := range map[string][]string{"alpha": {}, "/alpha/": {}, "beta": {id}} {
			out := b.ListMessages(t, "chat.search", apitest.Q("roomId", rid, "searchText", text))
			var got []string
			for _, m := range out.Messages {
				if m["t"] == nil {
					got = append(got, m["_id"].(string))
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("search %q = %v, want %v", text, got, want)
			}
		}
		var s syncAnswer
		b.Get(t, "chat.syncMessages", apitest.Q("roomId", rid, "lastUpdate", since)).OK(t).Decode(t, &s)
		for _, m := range s.Result.Updated {
			if m["_hidden"] != nil || m["parent"] != nil {
				t.Fatalf("sync lists a history copy: %v", m)
			}
		}

		// Deleting with history kept hides the message from everything.
		a.DeleteMessage(t, rid, id)
		for _, path := range []string{"chat.getPinnedMessages", "chat.getMentionedMessages", "chat.getStarredMessages"} {
			if got := listed(t, b, path, "roomId", rid); len(got) != 0 {
				t.Fatalf("%s after delete = %v", path, got)
			}
		}
		out := b.ListMessages(t, "chat.search", apitest.Q("roomId", rid, "searchText", "beta"))
		if len(out.Messages) != 0 {
			t.Fatalf("search finds the hidden message: %v", apitest.IDs(out.Messages))
		}
	})
}

// TestChatHistoryIncludesNewest: a message whose ts is ahead of the clock
// (a client ts a few seconds early, or a burst that the strictly increasing
// per-room ts pushes ahead) is in the history at once, and so is every
// message after it.
func TestChatHistoryIncludesNewest(t *testing.T) {
	t.Parallel()
	_, u, rid := apitest.NewUserRoom(t, "historian", "groups", "")
	early := u.Post(t, "chat.sendMessage", map[string]any{"message": map[string]any{
		"rid": rid, "msg": "from the near future", "ts": isoDate(time.Now().Add(5 * time.Second)),
	}}).OK(t).JSON(t)["message"].(map[string]any)["_id"].(string)
	next := u.PostText(t, rid, "right after")["_id"].(string)
	h := u.ListMessages(t, "groups.history", apitest.Q("roomId", rid))
	if got := apitest.IDs(h.Messages); len(got) < 2 || got[0] != next || got[1] != early {
		t.Fatalf("history = %v, want %s, %s first", got, next, early)
	}
	// An explicit latest still bounds it.
	h = u.ListMessages(t, "groups.history", apitest.Q("roomId", rid, "latest", isoDate(time.Now())))
	if got := apitest.IDs(h.Messages); slices.Contains(got, early) || slices.Contains(got, next) {
		t.Fatalf("history before now = %v", got)
	}
}
