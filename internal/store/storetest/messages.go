package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

func newMsg(id, rid, userID, text string, sec int) *model.Message {
	return &model.Message{
		ID:        id,
		RID:       rid,
		Msg:       text,
		Ts:        at(sec),
		U:         model.UserRef{ID: userID, Username: "user-" + userID},
		UpdatedAt: at(sec),
	}
}

func insertMsg(t testing.TB, s store.Store, m *model.Message) *model.Message {
	t.Helper()
	must(t, s.Messages().Insert(t.Context(), m))
	return m
}

// msgIDs never returns nil, so that an empty result compares equal to ids("").
func msgIDs(ms []*model.Message) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

// ids splits a space-separated list of message ids.
func ids(s string) []string { return append([]string{}, strings.Fields(s)...) }

func listIDs(t testing.TB, s store.Store, f store.MessageFilter, opts store.ListOptions) []string {
	t.Helper()
	list, err := s.Messages().List(t.Context(), f, opts)
	must(t, err)
	return msgIDs(list)
}

func searchIDs(t testing.TB, s store.Store, f store.MessageFilter, terms ...string) []string {
	t.Helper()
	list, err := s.Messages().Search(t.Context(), f, terms, store.ListOptions{})
	must(t, err)
	return msgIDs(list)
}

// marks lists the messages that user id starred and that mention username,
// through the lookups that Insert, Update and Delete maintain.
func marks(t testing.TB, s store.Store, userID, username string) string {
	t.Helper()
	starred := listIDs(t, s, store.MessageFilter{StarredBy: userID}, store.ListOptions{})
	mentioned := listIDs(t, s, store.MessageFilter{MentionedUser: username}, store.ListOptions{})
	return fmt.Sprintf("starred %v mentioned %v", starred, mentioned)
}

// fullMessage sets every field that a message can carry.
func fullMessage() *model.Message {
	yes, no := true, false
	m := newMsg(model.NewID(), "r1", "u1", "hello @bob see https://example.com", 10)
	m.T = ""
	m.Alias, m.Emoji, m.Avatar = "Bot", ":robot:", "https://example.com/a.png"
	m.Groupable, m.ParseURLs = &no, &yes
	m.Mentions = []model.Mention{{ID: "u2", Username: "bob", Name: "Bob", Type: "user"}, {ID: "all", Username: "all"}}
	m.Channels = []model.ChannelMention{{ID: "GENERAL", Name: "general", FName: "General"}}
	m.URLs = []model.URL{{
		URL:     "https://example.com",
		Meta:    map[string]string{"pageTitle": "Example"},
		Headers: map[string]string{"contentType": "text/html"},
	}, {URL: "https://ignored.example", IgnoreParse: true}}
	m.MD = json.RawMessage(`[{"type":"PARAGRAPH","value":[{"type":"PLAIN_TEXT","value":"hello "},{"type":"MENTION_USER","value":{"type":"PLAIN_TEXT","value":"bob"}}]}]`)
	m.Attachments = []json.RawMessage{json.RawMessage(`{"title":"file.txt","title_link":"/file-upload/x/file.txt","type":"file","fields":[{"short":true,"title":"a","value":"b"}]}`)}
	m.Blocks = []json.RawMessage{json.RawMessage(`{"type":"section","text":{"type":"mrkdwn","text":"*hi*"}}`)}
	m.CustomFields = map[string]any{"priority": "high", "weight": float64(3), "flag": true, "nested": map[string]any{"list": []any{"x", float64(1.5)}}}
	m.Reactions = map[string]*model.Reaction{
		":+1:":    {Usernames: []string{"bob", "carol"}, Names: []string{"Bob", "Carol"}},
		":smile:": {Usernames: []string{"alice"}},
	}
	m.Starred = []model.IDRef{{ID: "u2"}, {ID: "u3"}}
	m.Pinned, m.PinnedAt, m.PinnedBy = true, tp(at(11)), &model.UserRef{ID: "u2", Username: "bob"}
	m.EditedAt, m.EditedBy = tp(at(12)), &model.UserRef{ID: "u1", Username: "user-u1"}
	m.TMID, m.TShow = "parent-id", true
	m.TCount, m.TLM = 4, tp(at(13))
	m.Replies = []string{"u2", "u3"}
	m.DRID, m.DCount, m.DLM = "discussion-id", 2, tp(at(14))
	m.File = json.RawMessage(`{"_id":"f1","name":"file.txt","type":"text/plain"}`)
	m.Files = []json.RawMessage{json.RawMessage(`{"_id":"f1","name":"file.txt","type":"text/plain","size":12}`)}
	m.Unread, m.Parent = true, "parent-id"
	m.Translations, m.TranslationProvider = map[string]string{"de": "hallo @bob"}, "google-translate"
	m.UpdatedAt = at(15)
	return m
}

var messageTests = []test{
	{"InsertAndGetRoundTrip", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		m := fullMessage()
		score := 1.5
		m.Score = &score
		insertMsg(t, s, m)
		want := *m
		want.Score = nil // a search result's score is never stored

		got, err := s.Messages().Get(ctx, m.ID)
		must(t, err)
		wantEqual(t, "Get", got, &want)
		must(t, s.InTx(ctx, func(tx store.Store) error {
			got, err := tx.Messages().GetForUpdate(ctx, m.ID)
			if err != nil {
				return err
			}
			wantEqual(t, "GetForUpdate", got, &want)
			_, err = tx.Messages().GetForUpdate(ctx, "missing")
			wantErr(t, err, store.ErrNotFound)
			return nil
		}))

		// A system message with almost nothing set round-trips too.
		sys := newMsg(model.NewID(), "r1", "u1", "", 20)
		sys.T = "uj"
		insertMsg(t, s, sys)
		got, err = s.Messages().Get(ctx, sys.ID)
		must(t, err)
		wantEqual(t, "Get of a bare system message", got, sys)

		dup := newMsg(m.ID, "r2", "u2", "other", 30)
		wantErr(t, s.Messages().Insert(ctx, dup), store.ErrConflict)
		got, err = s.Messages().Get(ctx, m.ID)
		must(t, err)
		wantEqual(t, "Get after a conflicting Insert", got, &want)

		wantNotFound(t, s.Messages().Get, "missing")
	}},
	{"ListJSONMatchesList", func(t *testing.T, s store.Store) {
		// The JSON read path merges counters into the stored document
		// without decoding it; it must say exactly what List says, also
		// after counters and _updatedAt moved in their columns only.
		ctx := t.Context()
		insertMsg(t, s, fullMessage())
		insertMsg(t, s, newMsg(model.NewID(), "r1", "u1", "plain", 20))
		f := store.MessageFilter{RID: "r1"}
		list, err := s.Messages().List(ctx, f, store.ListOptions{})
		must(t, err)
		rows, err := s.Messages().ListJSON(ctx, f, store.ListOptions{})
		must(t, err)
		if len(rows) != len(list) {
			t.Fatalf("ListJSON returned %d rows, List %d", len(rows), len(list))
		}
		for i, row := range rows {
			var got model.Message
			must(t, json.Unmarshal(row.JSON, &got))
			wantEqual(t, "ListJSON row "+row.ID, &got, list[i])
			if row.ID != list[i].ID || row.Ts != list[i].Ts {
				t.Errorf("row %d: id/ts %s/%d, want %s/%d", i, row.ID, row.Ts, list[i].ID, list[i].Ts)
			}
			wantEqual(t, "Starred of "+row.ID, row.Starred, len(list[i].Starred) > 0)
		}
	}},
	{"UpdateKeepsCounters", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		m := insertMsg(t, s, fullMessage())

		// A stale copy, read before replies and discussion messages came in.
		stale := *m
		stale.TCount, stale.TLM, stale.DCount, stale.DLM = 0, nil, 0, nil
		stale.Msg, stale.EditedAt, stale.UpdatedAt = "edited text", tp(at(40)), at(40)
		stale.Reactions = map[string]*model.Reaction{":tada:": {Usernames: []string{"dave"}}}
		stale.Pinned, stale.PinnedAt, stale.PinnedBy = false, nil, nil
		stale.TMID, stale.TShow, stale.DRID = "", false, ""
		stale.CustomFields, stale.Attachments, stale.MD = nil, nil, nil
		must(t, s.Messages().Update(ctx, &stale))

		got, err := s.Messages().Get(ctx, m.ID)
		must(t, err)
		want := stale
		want.TCount, want.TLM, want.DCount, want.DLM = m.TCount, m.TLM, m.DCount, m.DLM
		wantEqual(t, "after Update", got, &want)

		// The columns followed the document.
		wantEqual(t, "pinned after unpinning", listIDs(t, s, store.MessageFilter{Pinned: true}, store.ListOptions{}), ids(""))
		wantEqual(t, "by tmid after leaving the thread", listIDs(t, s, store.MessageFilter{TMID: "parent-id"}, store.ListOptions{}), ids(""))
		wantEqual(t, "discussions after clearing drid", listIDs(t, s, store.MessageFilter{Discussions: true}, store.ListOptions{}), ids(""))
		wantEqual(t, "updated after", listIDs(t, s, store.MessageFilter{UpdatedAfter: at(39)}, store.ListOptions{}), ids(m.ID))
		wantEqual(t, "text", listIDs(t, s, store.MessageFilter{TextContains: "EDITED"}, store.ListOptions{}), ids(m.ID))

		wantErr(t, s.Messages().Update(ctx, newMsg("missing", "r1", "u1", "x", 1)), store.ErrNotFound)
	}},
	{"Delete", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		a := insertMsg(t, s, newMsg("a", "r1", "u1", "keep this", 1))
		insertMsg(t, s, newMsg("b", "r1", "u1", "remove this", 2))
		wantDeletedOnce(t, "b", s.Messages().Delete, s.Messages().Get)
		wantEqual(t, "left in the room", listIDs(t, s, store.MessageFilter{RID: "r1"}, store.ListOptions{}), ids("a"))
		got, err := s.Messages().Get(ctx, "a")
		must(t, err)
		wantEqual(t, "untouched message", got, a)
		// The id is free again.
		insertMsg(t, s, newMsg("b", "r2", "u2", "new", 3))
	}},
	{"StarredAndMentionedLookups", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		m1 := newMsg("m1", "r1", "u9", "hi @carol @all @here", 1)
		m1.Starred = []model.IDRef{{ID: "u1"}, {ID: "u2"}}
		m1.Mentions = []model.Mention{{ID: "u3", Username: "carol"}, {ID: "all", Username: "all"}, {ID: "here", Username: "here"}}
		insertMsg(t, s, m1)
		m2 := newMsg("m2", "r2", "u9", "hi @dave", 2)
		m2.Starred = []model.IDRef{{ID: "u1"}}
		m2.Mentions = []model.Mention{{ID: "u4", Username: "dave"}}
		insertMsg(t, s, m2)
		// Hidden messages (edit history, hidden system messages) are not
		// anyone's starred or mentioned messages.
		m3 := newMsg("m3", "r1", "u9", "old @carol", 3)
		m3.Hidden, m3.Starred = true, []model.IDRef{{ID: "u1"}}
		m3.Mentions = []model.Mention{{ID: "u3", Username: "carol"}}
		insertMsg(t, s, m3)

		wantEqual(t, "u1/carol", marks(t, s, "u1", "carol"), "starred [m2 m1] mentioned [m1]")
		wantEqual(t, "u2/dave", marks(t, s, "u2", "dave"), "starred [m1] mentioned [m2]")
		wantEqual(t, "nobody/all", marks(t, s, "nobody", "all"), "starred [] mentioned []")
		wantEqual(t, "here", marks(t, s, "nobody", "here"), "starred [] mentioned []")
		wantEqual(t, "starred by u1 in r1", listIDs(t, s, store.MessageFilter{RID: "r1", StarredBy: "u1"}, store.ListOptions{}), ids("m1"))
		wantEqual(t, "starred by u1 and mentioning dave", listIDs(t, s, store.MessageFilter{StarredBy: "u1", MentionedUser: "dave"}, store.ListOptions{}), ids("m2"))
		n, err := s.Messages().Count(ctx, store.MessageFilter{StarredBy: "u1"})
		must(t, err)
		wantEqual(t, "Count starred by u1", n, 2)

		// Update replaces both lookups.
		m1.Starred = []model.IDRef{{ID: "u2"}}
		m1.Mentions = []model.Mention{{ID: "u4", Username: "dave"}}
		must(t, s.Messages().Update(ctx, m1))
		wantEqual(t, "u1/carol after Update", marks(t, s, "u1", "carol"), "starred [m2] mentioned []")
		wantEqual(t, "u2/dave after Update", marks(t, s, "u2", "dave"), "starred [m1] mentioned [m2 m1]")

		// Hiding a message takes it out; showing it again puts it back.
		m2.Hidden = true
		must(t, s.Messages().Update(ctx, m2))
		wantEqual(t, "u1/dave after hiding m2", marks(t, s, "u1", "dave"), "starred [] mentioned [m1]")
		m2.Hidden = false
		must(t, s.Messages().Update(ctx, m2))
		wantEqual(t, "u1/dave after showing m2", marks(t, s, "u1", "dave"), "starred [m2] mentioned [m2 m1]")

		// Delete drops them: a new message under the same id, without
		// stars or mentions, is in neither listing.
		must(t, s.Messages().Delete(ctx, "m1"))
		must(t, s.Messages().Delete(ctx, "m3"))
		wantEqual(t, "u2/dave after Delete", marks(t, s, "u2", "dave"), "starred [] mentioned [m2]")
		insertMsg(t, s, newMsg("m1", "r3", "u9", "reborn", 4))
		insertMsg(t, s, newMsg("m3", "r3", "u9", "reborn", 5))
		wantEqual(t, "u2/dave after reusing the id", marks(t, s, "u2", "dave"), "starred [] mentioned [m2]")
		wantEqual(t, "u1/carol after reusing the id", marks(t, s, "u1", "carol"), "starred [m2] mentioned []")
	}},
	{"ListPagesByUpdate", func(t *testing.T, s store.Store) {
		// b and e were changed after they were saved; the others were not.
		seedListFixture(t, s)
		byUpdate := func(desc bool) []store.SortField { return []store.SortField{{Field: "_updatedAt", Desc: desc}} }
		cases := []struct {
			name string
			f    store.MessageFilter
			opts store.ListOptions
			want string
		}{
			{"after, first page", store.MessageFilter{RID: "r1", UpdatedAfter: at(30)}, store.ListOptions{Count: 3, Sort: byUpdate(false)}, "d f g"},
			{"after, last page", store.MessageFilter{RID: "r1", UpdatedAfter: at(30)}, store.ListOptions{Offset: 6, Count: 3, Sort: byUpdate(false)}, "k e b"},
			{"after, across both kinds", store.MessageFilter{RID: "r1", UpdatedAfter: at(105)}, store.ListOptions{Count: 2, Sort: byUpdate(false)}, "k e"},
			{"before, newest first", store.MessageFilter{RID: "r1", UpdatedBefore: at(450)}, store.ListOptions{Count: 3, Sort: byUpdate(true)}, "e k j"},
			{"before, second page", store.MessageFilter{RID: "r1", UpdatedBefore: at(450)}, store.ListOptions{Offset: 3, Count: 3, Sort: byUpdate(true)}, "i h g"},
			{"before, hidden excluded", store.MessageFilter{RID: "r1", UpdatedBefore: at(45), ExcludeHidden: true}, store.ListOptions{Count: 5, Sort: byUpdate(true)}, "c a"},
			{"after, whole room", store.MessageFilter{RID: "r1", UpdatedAfter: at(1)}, store.ListOptions{Sort: byUpdate(true)}, "b e k j i h g f d c a"},
		}
		for _, c := range cases {
			wantEqual(t, c.name, listIDs(t, s, c.f, c.opts), ids(c.want))
		}
	}},
	{"ListFilters", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		seedListFixture(t, s)
		cases := []struct {
			name string
			f    store.MessageFilter
			want string
		}{
			{"room", store.MessageFilter{RID: "r1"}, "k j i h g f e d c b a"},
			{"everything", store.MessageFilter{}, "k j i h g f e d c b x a"},
			{"ids", store.MessageFilter{RID: "r1", IDs: []string{"a", "e", "x", "nope"}}, "e a"},
			{"ids in any room", store.MessageFilter{IDs: []string{"a", "x"}}, "x a"},
			{"no ids", store.MessageFilter{IDs: []string{}}, ""},
			{"exclude hidden", store.MessageFilter{RID: "r1", ExcludeHidden: true}, "k j i h g f e c b a"},
			{"exclude types", store.MessageFilter{RID: "r1", ExcludeTypes: []string{"uj", "ul"}}, "j i h g f e d b a"},
			{"user messages", store.MessageFilter{RID: "r1", UserMessages: true}, "j h g f e d b a"},
			{"user ids", store.MessageFilter{RID: "r1", UserIDs: []string{"u2", "u3"}}, "j h g e b"},
			{"pinned", store.MessageFilter{RID: "r1", Pinned: true}, "e"},
			{"thread", store.MessageFilter{RID: "r1", TMID: "f"}, "h g"},
			{"thread after", store.MessageFilter{TMID: "f", TsAfter: at(70)}, "h"},
			{"thread parents", store.MessageFilter{RID: "r1", ThreadParents: true}, "f"},
			{"discussions", store.MessageFilter{RID: "r1", Discussions: true}, "i"},
			{"room visible", store.MessageFilter{RID: "r1", RoomVisible: true}, "k j i h f e d c b a"},
			{"updated after", store.MessageFilter{RID: "r1", UpdatedAfter: at(300)}, "e b"},
			{"updated after (strict)", store.MessageFilter{RID: "r1", UpdatedAfter: at(400)}, "b"},
			{"updated before (strict)", store.MessageFilter{RID: "r1", UpdatedBefore: at(40)}, "c a"},
			{"updated between", store.MessageFilter{RID: "r1", UpdatedAfter: at(60), UpdatedBefore: at(500)}, "k j i h g e"},
			{"ts between", store.MessageFilter{RID: "r1", TsAfter: at(30), TsBefore: at(70)}, "f e d"},
			{"ts between inclusive", store.MessageFilter{RID: "r1", TsAfter: at(30), TsBefore: at(70), TsInclusive: true}, "g f e d c"},
			{"ts after", store.MessageFilter{RID: "r1", TsAfter: at(100)}, "k"},
			{"ts after inclusive", store.MessageFilter{RID: "r1", TsAfter: at(100), TsInclusive: true}, "k j"},
			{"ts before", store.MessageFilter{RID: "r1", TsBefore: at(20)}, "a"},
			{"ts before inclusive", store.MessageFilter{RID: "r1", TsBefore: at(20), TsInclusive: true}, "b a"},
			{"text, any case", store.MessageFilter{TextContains: "HELLO"}, "x a"},
			{"text in room", store.MessageFilter{RID: "r1", TextContains: "hello"}, "a"},
			{"text with a percent sign", store.MessageFilter{TextContains: "%"}, "b"},
			{"text around a percent sign", store.MessageFilter{TextContains: "0% S"}, "b"},
			{"percent sign is no wildcard", store.MessageFilter{TextContains: "a%b"}, ""},
			{"text with an underscore", store.MessageFilter{TextContains: "_"}, "j"},
			{"text around an underscore", store.MessageFilter{TextContains: "A_B"}, "j"},
			{"underscore is no wildcard", store.MessageFilter{TextContains: "o_W"}, ""},
			{"backslash is plain text", store.MessageFilter{TextContains: `\`}, ""},
			{"combined", store.MessageFilter{RID: "r1", UserIDs: []string{"u1"}, ExcludeHidden: true, UserMessages: true}, "f a"},
			{"nothing", store.MessageFilter{RID: "nowhere"}, ""},
		}
		for _, c := range cases {
			wantEqual(t, "List "+c.name, listIDs(t, s, c.f, store.ListOptions{}), ids(c.want))
			n, err := s.Messages().Count(ctx, c.f)
			must(t, err)
			wantEqual(t, "Count "+c.name, n, len(ids(c.want)))
		}
	}},
	{"ListSortAndPage", func(t *testing.T, s store.Store) {
		seedListFixture(t, s)
		room := store.MessageFilter{RID: "r1"}
		asc := []store.SortField{{Field: "ts"}}
		cases := []struct {
			name string
			opts store.ListOptions
			want string
		}{
			{"default", store.ListOptions{}, "k j i h g f e d c b a"},
			{"ts ascending", store.ListOptions{Sort: asc}, "a b c d e f g h i j k"},
			{"ts descending", store.ListOptions{Sort: []store.SortField{{Field: "ts", Desc: true}}}, "k j i h g f e d c b a"},
			{"_updatedAt ascending", store.ListOptions{Sort: []store.SortField{{Field: "_updatedAt"}}}, "a c d f g h i j k e b"},
			{"_updatedAt descending", store.ListOptions{Sort: []store.SortField{{Field: "_updatedAt", Desc: true}}}, "b e k j i h g f d c a"},
			{"unknown field ignored", store.ListOptions{Sort: []store.SortField{{Field: "bogus; DROP TABLE messages"}}}, "k j i h g f e d c b a"},
			{"first page", store.ListOptions{Sort: asc, Count: 3}, "a b c"},
			{"second page", store.ListOptions{Sort: asc, Offset: 3, Count: 3}, "d e f"},
			{"last page", store.ListOptions{Sort: asc, Offset: 9, Count: 3}, "j k"},
			{"offset only", store.ListOptions{Sort: asc, Offset: 8}, "i j k"},
			{"past the end", store.ListOptions{Sort: asc, Offset: 20, Count: 5}, ""},
			{"newest two", store.ListOptions{Count: 2}, "k j"},
		}
		for _, c := range cases {
			wantEqual(t, "List "+c.name, listIDs(t, s, room, c.opts), ids(c.want))
		}
	}},
	{"Search", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		insertMsg(t, s, newMsg("fruit", "r1", "u1", "apple banana cherry", 1))
		insertMsg(t, s, newMsg("apple", "r1", "u2", "apple grape kiwi", 2))
		insertMsg(t, s, newMsg("dog", "r1", "u1", "the lazy Dog sleeps", 3))
		insertMsg(t, s, newMsg("other", "r2", "u1", "apple in another room", 4))
		hidden := newMsg("hidden", "r1", "u1", "apple before the edit", 5)
		hidden.Hidden = true
		insertMsg(t, s, hidden)
		ops := newMsg("ops", "r1", "u3", "foo bar OR baz", 6)
		insertMsg(t, s, ops)

		wantEqual(t, "one term", searchIDs(t, s, store.MessageFilter{}, "banana"), ids("fruit"))
		wantEqual(t, "any case", searchIDs(t, s, store.MessageFilter{}, "DOG"), ids("dog"))
		wantEqual(t, "any of the terms", searchIDs(t, s, store.MessageFilter{}, "kiwi", "dog"), ids("dog apple"))
		wantEqual(t, "no match", searchIDs(t, s, store.MessageFilter{}, "durian"), ids(""))
		wantEqual(t, "every room", searchIDs(t, s, store.MessageFilter{}, "apple"), ids("hidden other apple fruit"))
		wantEqual(t, "filters combine", searchIDs(t, s, store.MessageFilter{RID: "r1", ExcludeHidden: true}, "apple"), ids("apple fruit"))
		wantEqual(t, "filters combine with several terms",
			searchIDs(t, s, store.MessageFilter{RID: "r1", UserIDs: []string{"u1"}, ExcludeHidden: true}, "apple", "lazy"), ids("dog fruit"))
		wantEqual(t, "filters combine with text", searchIDs(t, s, store.MessageFilter{TextContains: "kiwi"}, "apple"), ids("apple"))

		list, err := s.Messages().Search(ctx, store.MessageFilter{RID: "r1", ExcludeHidden: true}, []string{"apple", "banana"}, store.ListOptions{})
		must(t, err)
		wantEqual(t, "scored results", msgIDs(list), ids("apple fruit"))
		score := map[string]float64{}
		for _, m := range list {
			if m.Score == nil {
				t.Fatalf("Search result %s has no score", m.ID)
			}
			score[m.ID] = *m.Score
		}
		if !(score["fruit"] > score["apple"] && score["apple"] > 0) {
			t.Errorf("scores %v: want the message matching both terms above the one matching one, and both above 0", score)
		}
		got, err := s.Messages().Get(ctx, "fruit")
		must(t, err)
		if got.Score != nil {
			t.Errorf("Get returned a score %v", *got.Score)
		}

		list, err = s.Messages().Search(ctx, store.MessageFilter{}, []string{"apple"}, store.ListOptions{Sort: []store.SortField{{Field: "ts"}}, Offset: 1, Count: 2})
		must(t, err)
		wantEqual(t, "sorted page", msgIDs(list), ids("apple other"))
		list, err = s.Messages().Search(ctx, store.MessageFilter{}, nil, store.ListOptions{})
		must(t, err)
		wantEqual(t, "no terms", msgIDs(list), ids(""))

		// Query syntax of either database is plain text here.
		for _, term := range []string{`"a`, `a"`, `"`, `OR`, `AND`, `NOT`, `NEAR`, `foo*`, `*`, `-bar`, `+bar`, `bar:`, `msg:bar`,
			`(`, `)`, `'`, `''`, `\`, `&`, `|`, `!`, `<->`, `:*`, `^foo`, `{msg}: foo`, `foo AND NOT bar`, `%`, `_`} {
			if _, err := s.Messages().Search(ctx, store.MessageFilter{}, []string{term}, store.ListOptions{}); err != nil {
				t.Errorf("Search(%q): %v", term, err)
			}
		}
		wantEqual(t, "operator as a word", searchIDs(t, s, store.MessageFilter{}, "OR"), ids("ops"))
		wantEqual(t, "prefix syntax is plain text", searchIDs(t, s, store.MessageFilter{}, "foo*"), ids("ops"))
		wantEqual(t, "negation syntax is plain text", searchIDs(t, s, store.MessageFilter{}, "-bar"), ids("ops"))
		wantEqual(t, "a quote is plain text", searchIDs(t, s, store.MessageFilter{}, `"baz`), ids("ops"))
		wantEqual(t, "operators mixed with words", searchIDs(t, s, store.MessageFilter{}, `"`, "OR", "kiwi"), ids("ops apple"))
	}},
	{"SearchFollowsWrites", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		insertMsg(t, s, newMsg("base", "r1", "u1", "unrelated words", 1))
		// Found once the inserting transaction committed. (Within it, SQLite
		// indexes new texts only at commit.)
		must(t, s.InTx(ctx, func(tx store.Store) error {
			return tx.Messages().Insert(ctx, newMsg("m", "r1", "u1", "original zebra", 2))
		}))
		wantEqual(t, "after commit", searchIDs(t, s, store.MessageFilter{}, "zebra"), ids("m"))
		// Inserted and edited in one transaction: only the edit is indexed.
		must(t, s.InTx(ctx, func(tx store.Store) error {
			n := newMsg("n", "r1", "u1", "draft alpaca", 3)
			if err := tx.Messages().Insert(ctx, n); err != nil {
				return err
			}
			n.Msg = "final llama"
			return tx.Messages().Update(ctx, n)
		}))
		wantEqual(t, "edited in its inserting transaction", searchIDs(t, s, store.MessageFilter{}, "llama"), ids("n"))
		wantEqual(t, "draft of a message edited in its inserting transaction", searchIDs(t, s, store.MessageFilter{}, "alpaca"), ids(""))
		must(t, s.Messages().Delete(ctx, "n"))

		// Rolled back: not found.
		err := s.InTx(ctx, func(tx store.Store) error {
			if err := tx.Messages().Insert(ctx, newMsg("gone", "r1", "u1", "ghostly zebra", 3)); err != nil {
				return err
			}
			return errBoom
		})
		wantErr(t, err, errBoom)
		wantEqual(t, "after rollback", searchIDs(t, s, store.MessageFilter{}, "ghostly", "zebra"), ids("m"))

		// Update re-indexes.
		m, err := s.Messages().Get(ctx, "m")
		must(t, err)
		m.Msg, m.UpdatedAt = "edited giraffe", at(10)
		must(t, s.Messages().Update(ctx, m))
		wantEqual(t, "old word after Update", searchIDs(t, s, store.MessageFilter{}, "zebra"), ids(""))
		wantEqual(t, "old words after Update", searchIDs(t, s, store.MessageFilter{}, "original"), ids(""))
		wantEqual(t, "new word after Update", searchIDs(t, s, store.MessageFilter{}, "giraffe"), ids("m"))
		// An Update that leaves msg alone keeps the index.
		m.Pinned, m.UpdatedAt = true, at(11)
		must(t, s.Messages().Update(ctx, m))
		wantEqual(t, "word after an Update of other fields", searchIDs(t, s, store.MessageFilter{}, "giraffe"), ids("m"))
		// Inside a transaction, the update is seen at once.
		must(t, s.InTx(ctx, func(tx store.Store) error {
			m.Msg = "edited okapi"
			if err := tx.Messages().Update(ctx, m); err != nil {
				return err
			}
			wantEqual(t, "new word inside the updating transaction", searchIDs(t, tx, store.MessageFilter{}, "okapi"), ids("m"))
			wantEqual(t, "old word inside the updating transaction", searchIDs(t, tx, store.MessageFilter{}, "giraffe"), ids(""))
			return nil
		}))
		wantEqual(t, "new word after the updating transaction", searchIDs(t, s, store.MessageFilter{}, "okapi"), ids("m"))

		must(t, s.Messages().Delete(ctx, "m"))
		wantEqual(t, "after Delete", searchIDs(t, s, store.MessageFilter{}, "okapi", "edited"), ids(""))
		wantEqual(t, "others after Delete", searchIDs(t, s, store.MessageFilter{}, "unrelated", "okapi"), ids("base"))
		// The id is reused by a new message: only its own words find it.
		insertMsg(t, s, newMsg("m", "r1", "u1", "fresh start", 20))
		wantEqual(t, "reused id, old word", searchIDs(t, s, store.MessageFilter{}, "okapi"), ids(""))
		wantEqual(t, "reused id, new word", searchIDs(t, s, store.MessageFilter{}, "fresh"), ids("m"))
	}},
	{"Trash", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		trash := func(m *model.Message, deleted int) *model.Message {
			t.Helper()
			m.DeletedAt = tp(at(deleted))
			must(t, s.Messages().Trash(ctx, m))
			return m
		}
		m1 := fullMessage()
		m1.ID, m1.TMID, m1.TCount = "m1", "", 0
		trash(m1, 100)
		m2 := newMsg("m2", "r1", "u1", "a reply", 2)
		m2.TMID = "p"
		trash(m2, 110)
		m3 := newMsg("m3", "r1", "u1", "a parent", 3)
		m3.TCount, m3.TLM = 3, tp(at(4))
		trash(m3, 120)
		m4 := newMsg("m4", "r2", "u1", "elsewhere", 4)
		trash(m4, 105)

		// The same id again replaces the earlier copy.
		m1.Msg, m1.UpdatedAt = "deleted again", at(129)
		score := 2.0
		m1.Score = &score
		trash(m1, 130)
		m1.Score = nil

		list, total, err := s.Messages().ListTrash(ctx, store.TrashFilter{}, store.ListOptions{})
		must(t, err)
		wantEqual(t, "trash", msgIDs(list), ids("m4 m2 m3 m1"))
		wantEqual(t, "total", total, 4)
		wantEqual(t, "trashed copy", list[3], m1)
		wantEqual(t, "trashed parent", list[2], m3)

		cases := []struct {
			name string
			f    store.TrashFilter
			opts store.ListOptions
			want string
		}{
			{"room", store.TrashFilter{RID: "r1"}, store.ListOptions{}, "m2 m3 m1"},
			{"thread", store.TrashFilter{TMID: "p"}, store.ListOptions{}, "m2"},
			{"thread parents", store.TrashFilter{ThreadParents: true}, store.ListOptions{}, "m3"},
			{"deleted after (strict)", store.TrashFilter{DeletedAfter: at(110)}, store.ListOptions{}, "m3 m1"},
			{"deleted before (strict)", store.TrashFilter{DeletedBefore: at(120)}, store.ListOptions{}, "m4 m2"},
			{"deleted between", store.TrashFilter{RID: "r1", DeletedAfter: at(100), DeletedBefore: at(130)}, store.ListOptions{}, "m2 m3"},
			{"none", store.TrashFilter{RID: "nowhere"}, store.ListOptions{}, ""},
		}
		for _, c := range cases {
			list, total, err := s.Messages().ListTrash(ctx, c.f, c.opts)
			must(t, err)
			wantEqual(t, "ListTrash "+c.name, msgIDs(list), ids(c.want))
			wantEqual(t, "ListTrash total "+c.name, total, len(ids(c.want)))
		}

		for _, c := range []struct {
			name  string
			opts  store.ListOptions
			want  string
			total int
		}{
			{"newest deletion first", store.ListOptions{Sort: []store.SortField{{Field: "_deletedAt", Desc: true}}}, "m1 m3 m2 m4", 4},
			{"by ts", store.ListOptions{Sort: []store.SortField{{Field: "ts"}}}, "m2 m3 m4 m1", 4},
			{"by _updatedAt descending", store.ListOptions{Sort: []store.SortField{{Field: "_updatedAt", Desc: true}}}, "m1 m4 m3 m2", 4},
			{"page", store.ListOptions{Offset: 1, Count: 2}, "m2 m3", 4},
			{"offset only", store.ListOptions{Offset: 3}, "m1", 4},
		} {
			list, total, err := s.Messages().ListTrash(ctx, store.TrashFilter{}, c.opts)
			must(t, err)
			wantEqual(t, "ListTrash "+c.name, msgIDs(list), ids(c.want))
			wantEqual(t, "ListTrash total "+c.name, total, c.total)
		}
	}},
	{"DeleteByRoom", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		marked := func(id, rid string, sec int) *model.Message {
			m := newMsg(id, rid, "u9", "marked words "+id, sec)
			m.Starred = []model.IDRef{{ID: "u1"}}
			m.Mentions = []model.Mention{{ID: "u3", Username: "carol"}}
			return insertMsg(t, s, m)
		}
		marked("a1", "r1", 1)
		insertMsg(t, s, newMsg("a2", "r1", "u1", "plain words", 2))
		marked("b1", "r2", 3)
		for _, m := range []*model.Message{newMsg("ta", "r1", "u1", "x", 4), newMsg("tb", "r2", "u1", "y", 5)} {
			m.DeletedAt = tp(at(6))
			must(t, s.Messages().Trash(ctx, m))
		}

		must(t, s.Messages().DeleteByRoom(ctx, "r1"))
		wantEqual(t, "messages left", listIDs(t, s, store.MessageFilter{}, store.ListOptions{}), ids("b1"))
		wantEqual(t, "lookups left", marks(t, s, "u1", "carol"), "starred [b1] mentioned [b1]")
		wantEqual(t, "search after DeleteByRoom", searchIDs(t, s, store.MessageFilter{}, "words"), ids("b1"))
		list, total, err := s.Messages().ListTrash(ctx, store.TrashFilter{}, store.ListOptions{})
		must(t, err)
		wantEqual(t, "trash left", msgIDs(list), ids("tb"))
		wantEqual(t, "trash total", total, 1)

		// No stale lookups remain for the ids.
		insertMsg(t, s, newMsg("a1", "r3", "u9", "reborn", 7))
		wantEqual(t, "lookups after reusing the id", marks(t, s, "u1", "carol"), "starred [b1] mentioned [b1]")

		must(t, s.Messages().DeleteByRoom(ctx, "r1")) // nothing left: not an error
		must(t, s.Messages().DeleteByRoom(ctx, "nowhere"))
	}},
	{"Report", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		m := insertMsg(t, s, fullMessage())
		r := &model.Report{
			ID:          model.NewID(),
			Message:     m,
			Description: "spam",
			Room:        map[string]any{"_id": m.RID, "name": "general"},
			ReportedBy:  map[string]any{"_id": "u2", "username": "bob"},
			Ts:          at(50),
			UpdatedAt:   at(50),
		}
		must(t, s.Messages().Report(ctx, r))
		// Another report about the same message, by another user, in a transaction.
		must(t, s.InTx(ctx, func(tx store.Store) error {
			r2 := *r
			r2.ID, r2.ReportedBy, r2.Description = model.NewID(), map[string]any{"_id": "u3", "username": "carol"}, "rude"
			return tx.Messages().Report(ctx, &r2)
		}))
	}},
	{"RoomNextTs", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		r := createRoom(t, s, newChannel("busy", 1))
		other := createRoom(t, s, newChannel("quiet", 1))
		next := func(id string, want model.Time) model.Time {
			t.Helper()
			ts, err := s.Rooms().NextTs(ctx, id, want)
			must(t, err)
			return ts
		}
		wantEqual(t, "first", next(r.ID, at(10)), at(10))
		wantEqual(t, "same want again", next(r.ID, at(10)), at(10)+1)
		wantEqual(t, "want in the past", next(r.ID, at(5)), at(10)+2)
		wantEqual(t, "want zero", next(r.ID, 0), at(10)+3)
		wantEqual(t, "want exactly next", next(r.ID, at(10)+4), at(10)+4)
		wantEqual(t, "want later", next(r.ID, at(20)), at(20))
		wantEqual(t, "want one before the last", next(r.ID, at(20)-1), at(20)+1)
		// Rooms count separately.
		wantEqual(t, "other room", next(other.ID, at(1)), at(1))

		// A rolled-back transaction hands out nothing that a later one
		// could collide with.
		var inTx model.Time
		err := s.InTx(ctx, func(tx store.Store) error {
			var err error
			if inTx, err = tx.Rooms().NextTs(ctx, r.ID, at(15)); err != nil {
				return err
			}
			return errBoom
		})
		wantErr(t, err, errBoom)
		wantEqual(t, "inside the transaction", inTx, at(20)+2)
		if got := next(r.ID, at(15)); got <= at(20)+1 {
			t.Errorf("NextTs after a rollback = %v, want after %v", got, at(20)+1)
		}

		_, err = s.Rooms().NextTs(ctx, "missing", at(1))
		wantErr(t, err, store.ErrNotFound)
	}},
	{"RoomAddMessagesAndSetLastMessage", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		r := createRoom(t, s, newChannel("news", 1))
		get := func() *model.Room {
			t.Helper()
			got, err := s.Rooms().Get(ctx, r.ID)
			must(t, err)
			return got
		}
		asJSON := func(m *model.Message) json.RawMessage {
			b, err := json.Marshal(m)
			must(t, err)
			return b
		}

		must(t, s.Rooms().AddMessages(ctx, r.ID, 1, nil))
		got := get()
		wantEqual(t, "msgs", got.Msgs, int64(1))
		wantEqual(t, "lm without last", got.LM, (*model.Time)(nil))
		wantEqual(t, "lastMessage without last", got.LastMessage, json.RawMessage(nil))
		if got.UpdatedAt <= r.UpdatedAt {
			t.Errorf("AddMessages left _updatedAt at %v", got.UpdatedAt)
		}

		m1 := fullMessage()
		m1.RID, m1.Ts = r.ID, at(30)
		must(t, s.Rooms().AddMessages(ctx, r.ID, 2, m1))
		got = get()
		wantEqual(t, "msgs with last", got.Msgs, int64(3))
		wantEqual(t, "lm with last", got.LM, tp(at(30)))
		wantEqual(t, "lastMessage with last", got.LastMessage, asJSON(m1))

		must(t, s.Rooms().AddMessages(ctx, r.ID, -1, nil))
		got = get()
		wantEqual(t, "msgs after a decrement", got.Msgs, int64(2))
		wantEqual(t, "lm kept", got.LM, tp(at(30)))
		wantEqual(t, "lastMessage kept", got.LastMessage, asJSON(m1))

		m2 := newMsg("m2", r.ID, "u1", "earlier", 20)
		must(t, s.Rooms().SetLastMessage(ctx, r.ID, m2))
		got = get()
		wantEqual(t, "lastMessage replaced", got.LastMessage, asJSON(m2))
		wantEqual(t, "msgs after SetLastMessage", got.Msgs, int64(2))

		must(t, s.Rooms().SetLastMessage(ctx, r.ID, nil))
		got = get()
		wantEqual(t, "lastMessage cleared", got.LastMessage, json.RawMessage(nil))
		wantEqual(t, "msgs after clearing", got.Msgs, int64(2))
		// Rooms().Update of a copy read before leaves lastMessage alone.
		must(t, s.Rooms().SetLastMessage(ctx, r.ID, m2))
		got.Topic = "new topic"
		must(t, s.Rooms().Update(ctx, got))
		got = get()
		wantEqual(t, "topic", got.Topic, "new topic")
		wantEqual(t, "lastMessage after Update", got.LastMessage, asJSON(m2))

		wantErr(t, s.Rooms().AddMessages(ctx, "missing", 1, nil), store.ErrNotFound)
		wantErr(t, s.Rooms().AddMessages(ctx, "missing", 1, m1), store.ErrNotFound)
		wantErr(t, s.Rooms().SetLastMessage(ctx, "missing", m2), store.ErrNotFound)
		wantErr(t, s.Rooms().SetLastMessage(ctx, "missing", nil), store.ErrNotFound)
	}},
	{"SubscriptionNotifyMessage", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		members := []string{"sender", "u1", "u2", "u3", "u4"}
		// setup gives every member of a new room a subscription with some
		// counts already, closed and not alerted, and u1 a subscription to
		// another room, which must stay as it is.
		var elsewhere *model.Subscription
		setup := func() (string, map[string]*model.Subscription) {
			rid := model.NewID()
			subs := map[string]*model.Subscription{}
			for i, u := range members {
				sub := newSub(rid, u, 1)
				sub.Open, sub.Alert, sub.Unread, sub.UserMentions, sub.GroupMentions = false, false, int64(i), 1, 2
				sub.Ls = tp(at(1))
				subs[u] = createSub(t, s, sub)
			}
			elsewhere = newSub(model.NewID(), "u1", 1)
			elsewhere.Open = false
			createSub(t, s, elsewhere)
			return rid, subs
		}
		now := at(100)
		type delta struct{ unread, user, group int64 }
		check := func(what, rid string, subs map[string]*model.Subscription, want map[string]delta) {
			t.Helper()
			for _, u := range members {
				got, err := s.Subscriptions().Get(ctx, rid, u)
				must(t, err)
				w := *subs[u]
				if d, ok := want[u]; ok {
					w.Open, w.Alert, w.UpdatedAt = true, true, now
					w.Unread += d.unread
					w.UserMentions += d.user
					w.GroupMentions += d.group
				}
				wantEqual(t, what+": subscription of "+u, got, &w)
			}
			got, err := s.Subscriptions().Get(ctx, elsewhere.RID, "u1")
			must(t, err)
			wantEqual(t, what+": subscription to another room", got, elsewhere)
		}

		rid, subs := setup()
		must(t, s.Subscriptions().NotifyMessage(ctx, rid, store.MessageNotice{
			Sender: "sender", UnreadOthers: 1, UnreadMentioned: 5, UnreadGroup: 7, Now: now,
		}))
		check("plain message", rid, subs, map[string]delta{"u1": {1, 0, 0}, "u2": {1, 0, 0}, "u3": {1, 0, 0}, "u4": {1, 0, 0}})

		rid, subs = setup()
		must(t, s.Subscriptions().NotifyMessage(ctx, rid, store.MessageNotice{
			Sender: "sender", Mentioned: []string{"u1", "u2", "sender", "stranger"}, UnreadMentioned: 1, UnreadGroup: 7, Now: now,
		}))
		check("user mentions", rid, subs, map[string]delta{"u1": {1, 1, 0}, "u2": {1, 1, 0}, "u3": {0, 0, 0}, "u4": {0, 0, 0}})

		rid, subs = setup()
		must(t, s.Subscriptions().NotifyMessage(ctx, rid, store.MessageNotice{
			Sender: "sender", Mentioned: []string{"u1"}, UnreadMentioned: 3, Group: true, UnreadGroup: 2, UnreadOthers: 9, Now: now,
		}))
		check("group and user mentions", rid, subs, map[string]delta{"u1": {3, 1, 0}, "u2": {2, 0, 1}, "u3": {2, 0, 1}, "u4": {2, 0, 1}})

		rid, subs = setup()
		must(t, s.Subscriptions().NotifyMessage(ctx, rid, store.MessageNotice{
			Sender: "sender", Group: true, UnreadGroup: 1, Now: now,
		}))
		check("group mention", rid, subs, map[string]delta{"u1": {1, 0, 1}, "u2": {1, 0, 1}, "u3": {1, 0, 1}, "u4": {1, 0, 1}})

		rid, subs = setup()
		must(t, s.InTx(ctx, func(tx store.Store) error {
			return tx.Subscriptions().NotifyMessage(ctx, rid, store.MessageNotice{Sender: "sender", Now: now})
		}))
		check("counting nothing", rid, subs, map[string]delta{"u1": {}, "u2": {}, "u3": {}, "u4": {}})

		// A room without members is no error.
		must(t, s.Subscriptions().NotifyMessage(ctx, "empty", store.MessageNotice{Sender: "sender", UnreadOthers: 1, Now: now}))
	}},
	{"PostWritesWhatTheStepsWrite", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		r := createRoom(t, s, newChannel("posting", 1))
		createSub(t, s, newSub(r.ID, "u1", 1))
		other := newSub(r.ID, "u2", 1)
		other.Open = false
		createSub(t, s, other)
		now := model.Now()
		post := func(m *model.Message, member string) error {
			return s.Messages().Post(ctx, store.NewPost{
				Message: m, Want: now, Last: true, Member: member,
				Notice: &store.MessageNotice{Sender: "u1", UnreadOthers: 1, Now: now},
			})
		}
		// Two posts asking for the same ts: the second one is moved on,
		// and its stored document says so too.
		first := newMsg(model.NewID(), r.ID, "u1", "first", 0)
		second := newMsg(model.NewID(), r.ID, "u1", "second", 0)
		must(t, post(first, "u1"))
		must(t, post(second, "u1"))
		if first.Ts != now || second.Ts != now+1 || second.UpdatedAt != second.Ts {
			t.Fatalf("ts %d and %d (updated %d), want %d and %d", first.Ts, second.Ts, second.UpdatedAt, now, now+1)
		}
		for _, m := range []*model.Message{first, second} {
			got, err := s.Messages().Get(ctx, m.ID)
			must(t, err)
			wantEqual(t, "Get of a post", got, m)
		}
		rows, err := s.Messages().ListJSON(ctx, store.MessageFilter{RID: r.ID}, store.ListOptions{})
		must(t, err)
		for _, row := range rows {
			var doc struct {
				Ts        model.Time `json:"ts"`
				UpdatedAt model.Time `json:"_updatedAt"`
			}
			must(t, json.Unmarshal(row.JSON, &doc))
			if doc.Ts != row.Ts || doc.UpdatedAt != row.Ts {
				t.Errorf("message %s: document ts %d and _updatedAt %d, column %d", row.ID, doc.Ts, doc.UpdatedAt, row.Ts)
			}
		}
		room, err := s.Rooms().Get(ctx, r.ID)
		must(t, err)
		var last model.Message
		must(t, json.Unmarshal(room.LastMessage, &last))
		if room.Msgs != 2 || room.LM == nil || *room.LM != second.Ts || last.ID != second.ID || last.Ts != second.Ts {
			t.Errorf("room msgs %d, lm %v, lastMessage %s at %d; want 2 messages, the last %s at %d", room.Msgs, room.LM, last.ID, last.Ts, second.ID, second.Ts)
		}
		sub, err := s.Subscriptions().Get(ctx, r.ID, "u2")
		must(t, err)
		if !sub.Open || !sub.Alert || sub.Unread != 2 {
			t.Errorf("other member's subscription: open %v, alert %v, unread %d; want open, alerted, 2 unread", sub.Open, sub.Alert, sub.Unread)
		}
		sub, err = s.Subscriptions().Get(ctx, r.ID, "u1")
		must(t, err)
		if sub.Unread != 0 {
			t.Errorf("sender's unread %d, want 0", sub.Unread)
		}

		// A member that is gone, or a room that is, writes nothing.
		gone := newMsg(model.NewID(), r.ID, "u3", "gone", 0)
		wantErr(t, post(gone, "u3"), store.ErrChanged)
		wantNotFound(t, s.Messages().Get, gone.ID)
		nowhere := newMsg(model.NewID(), "no-such-room", "u1", "nowhere", 0)
		wantErr(t, post(nowhere, ""), store.ErrChanged)
		wantNotFound(t, s.Messages().Get, nowhere.ID)
		// A taken id is a conflict, and changes nothing either.
		dup := newMsg(first.ID, r.ID, "u1", "again", 0)
		wantErr(t, post(dup, "u1"), store.ErrConflict)
		room, err = s.Rooms().Get(ctx, r.ID)
		must(t, err)
		if room.Msgs != 2 {
			t.Errorf("room msgs %d after refused posts, want 2", room.Msgs)
		}
		// A user mention goes to its lookup table as Insert's does.
		mention := newMsg(model.NewID(), r.ID, "u1", "hi @user-u2", 0)
		mention.Mentions = []model.Mention{{ID: "u2", Username: "user-u2", Type: "user"}}
		must(t, s.Messages().Post(ctx, store.NewPost{Message: mention, Want: now, Member: "u1",
			Notice: &store.MessageNotice{Sender: "u1", Mentioned: []string{"u2"}, UnreadMentioned: 1, Now: now}}))
		wantEqual(t, "messages mentioning user-u2", listIDs(t, s, store.MessageFilter{MentionedUser: "user-u2"}, store.ListOptions{}), []string{mention.ID})
	}},
	{"ConcurrentPostsToOneRoom", func(t *testing.T, s store.Store) { testConcurrentPosts(t, s, 1) }},
	{"ConcurrentPostsToSeveralRooms", func(t *testing.T, s store.Store) { testConcurrentPosts(t, s, 3) }},
	{"ConcurrentInsertsGetIncreasingTs", testConcurrentInserts},
	{"CancelMidStatementSparesOthers", testCancelMidStatement},
}

// seedListFixture stores messages "a" to "k" in room r1 (ts a..k at 10, 20,
// …, 110 s) and "x" in r2 at 15 s. b and e were edited late (_updatedAt
// 500 s and 400 s); the rest have _updatedAt = ts.
func seedListFixture(t testing.TB, s store.Store) {
	add := func(id, rid, user, text string, sec int, edit func(m *model.Message)) {
		t.Helper()
		m := newMsg(id, rid, user, text, sec)
		if edit != nil {
			edit(m)
		}
		insertMsg(t, s, m)
	}
	add("a", "r1", "u1", "Hello World", 10, nil)
	add("b", "r1", "u2", "second: 100% sure", 20, func(m *model.Message) { m.UpdatedAt = at(500) })
	add("c", "r1", "u4", "alice joined", 30, func(m *model.Message) { m.T = "uj" })
	add("d", "r1", "u1", "hidden text", 40, func(m *model.Message) { m.Hidden = true })
	add("e", "r1", "u2", "pinned note", 50, func(m *model.Message) { m.Pinned, m.UpdatedAt = true, at(400) })
	add("f", "r1", "u1", "thread root", 60, func(m *model.Message) { m.TCount, m.TLM = 2, tp(at(80)) })
	add("g", "r1", "u2", "reply one", 70, func(m *model.Message) { m.TMID = "f" })
	add("h", "r1", "u3", "reply two", 80, func(m *model.Message) { m.TMID, m.TShow = "f", true })
	add("i", "r1", "u1", "discussion start", 90, func(m *model.Message) {
		m.T, m.DRID, m.DCount, m.DLM = "discussion-created", "disc1", 1, tp(at(95))
	})
	add("j", "r1", "u3", "under_score a_b", 100, nil)
	add("k", "r1", "u4", "bob left", 110, func(m *model.Message) { m.T = "ul" })
	add("x", "r2", "u1", "hello from r2", 15, nil)
}

var errPanicked = errors.New("InTx panicked")

// testConcurrentInserts runs many transactions at once that each take a
// timestamp and insert a message, as sending a message does. Some fail
// after writing, one panics, some have their context cancelled before
// commit: on SQLite they share batched commits, and each must still commit
// or roll back alone.
func testConcurrentInserts(t *testing.T, s store.Store) {
	const (
		goroutines = 16
		perG       = 50
	)
	ctx := t.Context()
	rooms := []string{createRoom(t, s, newChannel("busy-a", 1)).ID, createRoom(t, s, newChannel("busy-b", 1)).ID}

	type outcome int
	const (
		committed outcome = iota
		failed
		panicked
		cancelled
	)
	plan := func(g, j int) outcome {
		switch {
		case g == 5 && j == 10:
			return panicked
		case j%3 == 2:
			return failed
		case (g+j)%11 == 0:
			return cancelled
		}
		return committed
	}
	msgID := func(g, j int) string { return fmt.Sprintf("g%02d-%02d", g, j) }

	var (
		mu   sync.Mutex
		errs []string
		wg   sync.WaitGroup
	)
	report := func(format string, args ...any) {
		mu.Lock()
		errs = append(errs, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	start := make(chan struct{})
	for g := range goroutines {
		wg.Go(func() {
			<-start
			rid := rooms[g%len(rooms)]
			for j := range perG {
				want := plan(g, j)
				cctx, cancel := context.WithCancel(ctx)
				err := func() (err error) {
					defer func() {
						if p := recover(); p != nil {
							if p != errBoom {
								panic(p)
							}
							err = errPanicked
						}
					}()
					return s.InTx(cctx, func(tx store.Store) error {
						// Wanting a time in the past makes NextTs step past
						// the previous message; now and then the wall clock
						// is ahead and wins.
						wantTs := at(j)
						if j%4 == 0 {
							wantTs = model.Now()
						}
						ts, err := tx.Rooms().NextTs(cctx, rid, wantTs)
						if err != nil {
							return err
						}
						m := newMsg(msgID(g, j), rid, fmt.Sprintf("u%d", g), fmt.Sprintf("message %d of %d", j, g), 0)
						m.Ts, m.UpdatedAt = ts, ts
						if err := tx.Messages().Insert(cctx, m); err != nil {
							return err
						}
						if err := tx.Rooms().AddMessages(cctx, rid, 1, m); err != nil {
							return err
						}
						switch want {
						case panicked:
							panic(errBoom)
						case failed:
							return errBoom
						case cancelled:
							cancel()
						}
						return nil
					})
				}()
				cancel()
				switch want {
				case committed:
					if err != nil {
						report("%s: %v", msgID(g, j), err)
					}
				case failed:
					if !errors.Is(err, errBoom) {
						report("%s: got %v, want errBoom", msgID(g, j), err)
					}
				case panicked:
					if err != errPanicked {
						report("%s: got %v, want the panic", msgID(g, j), err)
					}
				case cancelled:
					if err == nil {
						report("%s: committed although its context was cancelled", msgID(g, j))
					}
				}
			}
		})
	}
	close(start)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d transactions went wrong; first: %s", len(errs), errs[0])
	}

	for r, rid := range rooms {
		list, err := s.Messages().List(ctx, store.MessageFilter{RID: rid}, store.ListOptions{Sort: []store.SortField{{Field: "ts"}}})
		must(t, err)
		var wantIDs []string
		for g := r; g < goroutines; g += len(rooms) {
			for j := range perG {
				if plan(g, j) == committed {
					wantIDs = append(wantIDs, msgID(g, j))
				}
			}
		}
		wantEqual(t, "messages of room "+rid, sortedCopy(msgIDs(list)), sortedCopy(wantIDs))

		// Distinct and increasing: each goroutine's messages in the order it
		// sent them.
		last := map[string]string{}
		for i, m := range list {
			if i > 0 && m.Ts <= list[i-1].Ts {
				t.Fatalf("room %s: %s has ts %d, not after %s's %d", rid, m.ID, m.Ts, list[i-1].ID, list[i-1].Ts)
			}
			g := m.ID[:3]
			if prev, ok := last[g]; ok && prev > m.ID {
				t.Fatalf("room %s: %s sorts after %s although it was sent before", rid, prev, m.ID)
			}
			last[g] = m.ID
		}

		room, err := s.Rooms().Get(ctx, rid)
		must(t, err)
		wantEqual(t, "msgs of room "+rid, room.Msgs, int64(len(wantIDs)))
		newest := list[len(list)-1]
		wantEqual(t, "lm of room "+rid, room.LM, tp(newest.Ts))
		var lastMsg model.Message
		must(t, json.Unmarshal(room.LastMessage, &lastMsg))
		wantEqual(t, "lastMessage of room "+rid, lastMsg.ID, newest.ID)

		next, err := s.Rooms().NextTs(ctx, rid, 0)
		must(t, err)
		if next <= newest.Ts {
			t.Errorf("room %s: NextTs after the run = %d, not after the newest message's %d", rid, next, newest.Ts)
		}
	}
	for g := range goroutines {
		for j := range perG {
			if plan(g, j) == committed {
				continue
			}
			if _, err := s.Messages().Get(ctx, msgID(g, j)); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("message %s of a failed transaction: Get returned %v", msgID(g, j), err)
			}
		}
	}
}

// testCancelMidStatement cancels a transaction while its one long statement
// runs, with other transactions queued alongside it. On SQLite they share
// one database transaction, which an interrupted write would roll back as a
// whole; only the cancelled one may fail. The timing arranges that overlap
// but is not needed for the test to pass.
func testCancelMidStatement(t *testing.T, s store.Store) {
	ctx := t.Context()
	var b strings.Builder
	for i := range 500_000 {
		fmt.Fprintf(&b, "w%d ", i%5000)
	}
	long := b.String()
	for round := range 3 {
		var wg sync.WaitGroup
		// Holding the writer makes the others queue up behind it, the
		// small ones first.
		wg.Go(func() {
			_ = s.InTx(ctx, func(store.Store) error { time.Sleep(50 * time.Millisecond); return nil })
		})
		time.Sleep(10 * time.Millisecond)
		small := make([]error, 8)
		for i := range small {
			wg.Go(func() {
				small[i] = s.InTx(ctx, func(tx store.Store) error {
					return tx.Messages().Insert(ctx, newMsg(fmt.Sprintf("small-%d-%d", round, i), "r1", "u1", "hi", i))
				})
			})
		}
		time.Sleep(10 * time.Millisecond)
		var longErr error
		longID := fmt.Sprintf("long-%d", round)
		wg.Go(func() {
			cctx, cancel := context.WithCancel(ctx)
			defer cancel()
			longErr = s.InTx(cctx, func(tx store.Store) error {
				time.AfterFunc(10*time.Millisecond, cancel)
				return tx.Messages().Insert(cctx, newMsg(longID, "r2", "u1", long, 1))
			})
		})
		wg.Wait()

		for i, err := range small {
			if err != nil {
				t.Fatalf("round %d: transaction %d failed beside a cancelled one: %v", round, i, err)
			}
			_, err = s.Messages().Get(ctx, fmt.Sprintf("small-%d-%d", round, i))
			must(t, err)
		}
		_, err := s.Messages().Get(ctx, longID)
		if longErr == nil {
			must(t, err) // the cancel came too late: it committed
		} else {
			wantErr(t, err, store.ErrNotFound)
		}
	}
}

// testConcurrentPosts posts to rooms from many goroutines at once, as
// busy rooms' members do: the posts of members, of a user who is not one,
// and one with a taken id. Each gets its own answer, the written ones
// distinct increasing timestamps in their room, and each room's and
// subscription's counters add up to exactly what was written, however
// the store groups the writes.
func testConcurrentPosts(t *testing.T, s store.Store, rooms int) {
	const perMember = 15
	ctx := t.Context()
	members := []string{"u1", "u2", "u3", "u4"}
	rs := make([]*model.Room, rooms)
	for i := range rs {
		rs[i] = createRoom(t, s, newChannel(fmt.Sprintf("crowded-%d", i), 1))
		for _, u := range members {
			createSub(t, s, newSub(rs[i].ID, u, 1))
		}
	}
	taken := newMsg(model.NewID(), rs[0].ID, "u1", "taken", 0)
	now := model.Now()
	must(t, s.Messages().Post(ctx, store.NewPost{Message: taken, Want: now, Member: "u1"}))

	type result struct {
		m     *model.Message
		group bool
		err   error
	}
	var (
		mu      sync.Mutex
		results []result
		wg      sync.WaitGroup
	)
	post := func(m *model.Message, member string, group bool) {
		n := &store.MessageNotice{Sender: m.U.ID, UnreadOthers: 1, Now: now}
		if group {
			n = &store.MessageNotice{Sender: m.U.ID, Group: true, UnreadGroup: 2, Now: now}
		}
		err := s.Messages().Post(ctx, store.NewPost{Message: m, Want: now, Last: true, Member: member, Notice: n})
		mu.Lock()
		results = append(results, result{m, group, err})
		mu.Unlock()
	}
	start := make(chan struct{})
	for i, u := range members {
		wg.Go(func() {
			<-start
			for j := range perMember {
				// u4's every fifth post is an @all, which counts 2 for the others.
				post(newMsg(fmt.Sprintf("%s-%02d", u, j), rs[(i+j)%rooms].ID, u, "hello", 0), u, i == 3 && j%5 == 0)
			}
		})
	}
	wg.Go(func() { <-start; post(newMsg("outsider", rs[rooms-1].ID, "u9", "let me in", 0), "u9", false) })
	wg.Go(func() { <-start; post(newMsg(taken.ID, rs[rooms-1].ID, "u2", "same id", 0), "u2", false) })
	close(start)
	wg.Wait()

	type tally struct {
		written map[string]int // by sender
		groups  int
		total   int
		newest  *model.Message
	}
	tallies := map[string]*tally{}
	for _, r := range rs {
		tallies[r.ID] = &tally{written: map[string]int{}}
	}
	tallies[taken.RID].total++
	seen := map[string]string{} // room and ts
	for _, res := range results {
		switch res.m.ID {
		case "outsider":
			wantErr(t, res.err, store.ErrChanged)
			continue
		case taken.ID:
			wantErr(t, res.err, store.ErrConflict)
			continue
		}
		if res.err != nil {
			t.Fatalf("post %s: %v", res.m.ID, res.err)
		}
		key := fmt.Sprintf("%s %d", res.m.RID, res.m.Ts)
		if other, ok := seen[key]; ok {
			t.Errorf("posts %s and %s share ts %d in their room", other, res.m.ID, res.m.Ts)
		}
		seen[key] = res.m.ID
		if res.m.Ts < now {
			t.Errorf("post %s at %d, before its wanted %d", res.m.ID, res.m.Ts, now)
		}
		got, err := s.Messages().Get(ctx, res.m.ID)
		must(t, err)
		wantEqual(t, "Get of "+res.m.ID, got, res.m)
		tl := tallies[res.m.RID]
		tl.written[res.m.U.ID]++
		tl.total++
		if res.group {
			tl.groups++
		}
		if tl.newest == nil || res.m.Ts > tl.newest.Ts {
			tl.newest = res.m
		}
	}
	wantNotFound(t, s.Messages().Get, "outsider")
	for _, r := range rs {
		tl := tallies[r.ID]
		room, err := s.Rooms().Get(ctx, r.ID)
		must(t, err)
		var last model.Message
		must(t, json.Unmarshal(room.LastMessage, &last))
		if room.Msgs != int64(tl.total) || last.ID != tl.newest.ID || last.Ts != tl.newest.Ts || *room.LM != tl.newest.Ts {
			t.Errorf("room %s: msgs %d, last message %s at %d; want %d, %s at %d", r.Name, room.Msgs, last.ID, last.Ts, tl.total, tl.newest.ID, tl.newest.Ts)
		}
		n, err := s.Messages().Count(ctx, store.MessageFilter{RID: r.ID, ExcludeHidden: true})
		must(t, err)
		wantEqual(t, "visible count of "+r.Name, n, tl.total)
		for _, u := range members {
			sub, err := s.Subscriptions().Get(ctx, r.ID, u)
			must(t, err)
			// Every other member's post counts 1, and u4's @all posts 2
			// instead.
			want, wantGroup := 0, 0
			for _, o := range members {
				if o != u {
					want += tl.written[o]
				}
			}
			if u != "u4" {
				want += tl.groups // counted once in written already
				wantGroup = tl.groups
			}
			if sub.Unread != int64(want) || sub.GroupMentions != int64(wantGroup) || !sub.Alert || !sub.Open {
				t.Errorf("%s in %s: unread %d, group mentions %d, alert %v, open %v; want %d, %d, alerted and open", u, r.Name, sub.Unread, sub.GroupMentions, sub.Alert, sub.Open, want, wantGroup)
			}
		}
	}
}
