package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

var threadTests = []test{
	{"reply counters", testThreadReplyCounters},
	{"replies counted concurrently", testThreadConcurrentReplies},
	{"unread lists", testThreadUnread},
	{"list", testThreadList},
	{"discussion counters", testDiscussionCounters},
	{"receipts", testReceipts},
	{"settle unread", testReceiptSettle},
}

func testThreadReplyCounters(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := insertMsg(t, s, newMsg("p", "r1", "u1", "root", 1))
	must(t, s.Threads().AddReply(ctx, "p", at(5)))
	must(t, s.Threads().AddReply(ctx, "p", at(3))) // an older reply leaves tlm alone
	got, err := s.Messages().Get(ctx, "p")
	must(t, err)
	wantEqual(t, "tcount", got.TCount, int64(2))
	wantEqual(t, "tlm", *got.TLM, at(5))
	wantEqual(t, "_updatedAt", got.UpdatedAt, at(5))
	// A document rewrite keeps the counters.
	got.Replies = []string{"u1", "u2"}
	must(t, s.Messages().Update(ctx, got))
	got, err = s.Messages().Get(ctx, p.ID)
	must(t, err)
	wantEqual(t, "tcount after update", got.TCount, int64(2))
	wantEqual(t, "replies", got.Replies, []string{"u1", "u2"})
	for range 3 {
		must(t, s.Threads().RemoveReply(ctx, "p", at(9)))
	}
	got, err = s.Messages().Get(ctx, "p")
	must(t, err)
	wantEqual(t, "tcount never below zero", got.TCount, int64(0))
	wantErr(t, s.Threads().AddReply(ctx, "missing", at(1)), store.ErrNotFound)
}

func testThreadConcurrentReplies(t *testing.T, s store.Store) {
	insertMsg(t, s, newMsg("p", "r1", "u1", "root", 1))
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				if err := s.InTx(t.Context(), func(tx store.Store) error {
					return tx.Threads().AddReply(t.Context(), "p", at(10+w*25+i))
				}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	got, err := s.Messages().Get(t.Context(), "p")
	must(t, err)
	wantEqual(t, "tcount", got.TCount, int64(200))
	wantEqual(t, "tlm", *got.TLM, at(10+7*25+24))
}

func testThreadUnread(t *testing.T, s store.Store) {
	ctx := t.Context()
	for _, u := range []string{"a", "b", "c"} {
		createSub(t, s, newSub("r1", u, 1))
	}
	createSub(t, s, newSub("r2", "a", 1))
	must(t, s.Threads().AddUnread(ctx, "r1", "t1", store.ThreadUnread{Users: []string{"a", "b"}, Now: at(5)}))
	must(t, s.Threads().AddUnread(ctx, "r1", "t1", store.ThreadUnread{Users: []string{"a"}, UserMention: true, Now: at(6)}))
	must(t, s.Threads().AddUnread(ctx, "r1", "t2", store.ThreadUnread{Users: []string{"a"}, GroupMention: true, Now: at(7)}))
	must(t, s.Threads().AddUnread(ctx, "r1", "t1", store.ThreadUnread{Users: []string{"a", "b"}, Now: at(8)}))
	must(t, s.Threads().AddUnread(ctx, "r2", "t9", store.ThreadUnread{Users: nil, Now: at(8)}))
	sub := func(rid, u string) *model.Subscription {
		got, err := s.Subscriptions().Get(ctx, rid, u)
		must(t, err)
		return got
	}
	a := sub("r1", "a")
	wantEqual(t, "a tunread", a.Tunread, []string{"t1", "t2"})
	wantEqual(t, "a tunreadUser", a.TunreadUser, []string{"t1"})
	wantEqual(t, "a tunreadGroup", a.TunreadGroup, []string{"t2"})
	wantEqual(t, "a _updatedAt", a.UpdatedAt, at(7))
	wantEqual(t, "b tunread", sub("r1", "b").Tunread, []string{"t1"})
	wantEqual(t, "c tunread", len(sub("r1", "c").Tunread), 0)
	wantEqual(t, "other room", len(sub("r2", "a").Tunread), 0)

	must(t, s.Threads().RemoveUnread(ctx, "r1", "t1", "b", at(9)))
	wantEqual(t, "b after removal", len(sub("r1", "b").Tunread), 0)
	wantEqual(t, "a untouched", sub("r1", "a").Tunread, []string{"t1", "t2"})
	must(t, s.Threads().RemoveUnread(ctx, "r1", "t1", "", at(10)))
	a = sub("r1", "a")
	wantEqual(t, "a after room-wide removal", a.Tunread, []string{"t2"})
	wantEqual(t, "a tunreadUser after removal", len(a.TunreadUser), 0)
	wantEqual(t, "a tunreadGroup kept", a.TunreadGroup, []string{"t2"})
	// The lists survive a whole-document rewrite of the subscription.
	a.Alert = true
	must(t, s.Subscriptions().Update(ctx, a))
	wantEqual(t, "after update", sub("r1", "a").Tunread, []string{"t2"})
}

func testThreadList(t *testing.T, s store.Store) {
	ctx := t.Context()
	for i, id := range []string{"a", "b", "c", "d"} {
		m := newMsg(id, "r1", "u1", fmt.Sprintf("Topic %s", id), i+1)
		if id == "c" {
			m.Replies = []string{"u2"}
		}
		if id == "d" {
			m.Hidden = true
		}
		insertMsg(t, s, m)
	}
	insertMsg(t, s, newMsg("other", "r2", "u1", "Topic", 1))
	for _, r := range []struct {
		id string
		ts int
	}{{"a", 10}, {"b", 30}, {"c", 20}, {"d", 40}, {"other", 50}} {
		must(t, s.Threads().AddReply(ctx, r.id, at(r.ts)))
	}
	list := func(f store.ThreadFilter, opts store.ListOptions) (string, int) {
		t.Helper()
		got, total, err := s.Threads().List(ctx, f, opts)
		must(t, err)
		return fmt.Sprint(msgIDs(got)), total
	}
	for _, tc := range []struct {
		name  string
		f     store.ThreadFilter
		opts  store.ListOptions
		want  string
		total int
	}{
		{"all, newest activity first", store.ThreadFilter{RID: "r1"}, store.ListOptions{}, "[d b c a]", 4},
		{"visible", store.ThreadFilter{RID: "r1", ExcludeHidden: true}, store.ListOptions{}, "[b c a]", 3},
		{"page", store.ThreadFilter{RID: "r1", ExcludeHidden: true}, store.ListOptions{Offset: 1, Count: 1}, "[c]", 3},
		{"followed", store.ThreadFilter{RID: "r1", FollowedBy: "u2"}, store.ListOptions{}, "[c]", 1},
		{"ids", store.ThreadFilter{RID: "r1", IDs: []string{"a", "b"}}, store.ListOptions{}, "[b a]", 2},
		{"no ids", store.ThreadFilter{RID: "r1", IDs: []string{}}, store.ListOptions{}, "[]", 0},
		{"text", store.ThreadFilter{RID: "r1", TextContains: "topic a"}, store.ListOptions{}, "[a]", 1},
		{"updated after", store.ThreadFilter{RID: "r1", UpdatedAfter: at(25)}, store.ListOptions{}, "[d b]", 2},
		{"sorted", store.ThreadFilter{RID: "r1"}, store.ListOptions{Sort: []store.SortField{{Field: "ts"}}}, "[a b c d]", 4},
	} {
		got, total := list(tc.f, tc.opts)
		if got != tc.want || total != tc.total {
			t.Errorf("%s: got %s (total %d), want %s (total %d)", tc.name, got, total, tc.want, tc.total)
		}
	}
}

func testDiscussionCounters(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := newMsg("dm", "r1", "u1", "Plans", 1)
	m.T, m.DRID = "discussion-created", "d1"
	insertMsg(t, s, m)
	must(t, s.Threads().AddDiscussionMessage(ctx, "d1", 1, tp(at(5))))
	must(t, s.Threads().AddDiscussionMessage(ctx, "d1", 1, tp(at(7))))
	must(t, s.Threads().AddDiscussionMessage(ctx, "d1", -1, nil))
	must(t, s.Threads().AddDiscussionMessage(ctx, "nothing", 1, tp(at(7))))
	got, err := s.Messages().Get(ctx, "dm")
	must(t, err)
	wantEqual(t, "dcount", got.DCount, int64(1))
	wantEqual(t, "dlm", *got.DLM, at(7))
	for range 3 {
		must(t, s.Threads().AddDiscussionMessage(ctx, "d1", -1, nil))
	}
	got, err = s.Messages().Get(ctx, "dm")
	must(t, err)
	wantEqual(t, "dcount never below zero", got.DCount, int64(0))
}

func unreadMsg(id, rid, uid string, sec int) *model.Message {
	m := newMsg(id, rid, uid, id, sec)
	m.Unread = true
	return m
}

func testReceipts(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := createUser(t, s, newUser("alice", 1))
	insertMsg(t, s, unreadMsg("m1", "r1", "x", 1))
	insertMsg(t, s, unreadMsg("m2", "r1", "x", 2))
	insertMsg(t, s, unreadMsg("m3", "r1", "x", 3))
	insertMsg(t, s, newMsg("read", "r1", "x", "read by all", 4))
	hidden := unreadMsg("hidden", "r1", "x", 5)
	hidden.Hidden = true
	insertMsg(t, s, hidden)
	insertMsg(t, s, unreadMsg("elsewhere", "r2", "x", 2))

	n, err := s.Receipts().Record(ctx, "r1", alice.ID, at(1), at(10), at(11))
	must(t, err)
	wantEqual(t, "recorded", n, 2)
	n, err = s.Receipts().Record(ctx, "r1", alice.ID, 0, at(10), at(12))
	must(t, err)
	wantEqual(t, "recorded again", n, 1)
	must(t, s.Receipts().Add(ctx, &store.Receipt{RoomID: "r1", UserID: "ghost", MessageID: "m2", Ts: at(1)}))
	must(t, s.Receipts().Add(ctx, &store.Receipt{RoomID: "r1", UserID: "ghost", MessageID: "m2", Ts: at(2)}))
	list, err := s.Receipts().ListByMessage(ctx, "m2", store.ListOptions{})
	must(t, err)
	wantEqual(t, "receipts", list, []*store.Receipt{
		{ID: "m2ghost", RoomID: "r1", UserID: "ghost", MessageID: "m2", Ts: at(1)},
		{ID: "m2" + alice.ID, RoomID: "r1", UserID: alice.ID, MessageID: "m2", Ts: at(11),
			User: &model.UserRef{ID: alice.ID, Username: "alice", Name: alice.Name}},
	})
	page, err := s.Receipts().ListByMessage(ctx, "m2", store.ListOptions{Offset: 1, Count: 1})
	must(t, err)
	wantEqual(t, "page", len(page), 1)
	for _, mid := range []string{"read", "hidden", "elsewhere"} {
		l, err := s.Receipts().ListByMessage(ctx, mid, store.ListOptions{})
		must(t, err)
		wantEqual(t, "receipts of "+mid, len(l), 0)
	}
	must(t, s.Receipts().DeleteByMessage(ctx, "m2"))
	list, err = s.Receipts().ListByMessage(ctx, "m2", store.ListOptions{})
	must(t, err)
	wantEqual(t, "after delete", len(list), 0)
	// Deleting a message or a room's messages takes their receipts along.
	must(t, s.Messages().Delete(ctx, "m1"))
	must(t, s.Messages().DeleteByRoom(ctx, "r1"))
	list, err = s.Receipts().ListByMessage(ctx, "m3", store.ListOptions{})
	must(t, err)
	wantEqual(t, "after room delete", len(list), 0)
}

func testReceiptSettle(t *testing.T, s store.Store) {
	ctx := t.Context()
	for _, u := range []struct {
		id string
		ls int
	}{{"a", 10}, {"b", 20}, {"c", 30}} {
		sub := newSub("r1", u.id, 1)
		sub.Ls = tp(at(u.ls))
		createSub(t, s, sub)
	}
	insertMsg(t, s, unreadMsg("byB5", "r1", "b", 5))
	insertMsg(t, s, unreadMsg("byA15", "r1", "a", 15))
	insertMsg(t, s, unreadMsg("byB15", "r1", "b", 15))
	insertMsg(t, s, unreadMsg("byC25", "r1", "c", 25))
	insertMsg(t, s, unreadMsg("other", "r2", "a", 1))
	unread := func() []string {
		var out []string
		for _, id := range []string{"byB5", "byA15", "byB15", "byC25", "other"} {
			m, err := s.Messages().Get(ctx, id)
			must(t, err)
			if m.Unread {
				out = append(out, id)
			}
		}
		return out
	}
	n, err := s.Receipts().Settle(ctx, "r1", "", at(40))
	must(t, err)
	// a (ls 10) is the least recent reader: byB5 is read by all; a's own
	// byA15 needs only b (20) and c (30).
	wantEqual(t, "settled", n, 2)
	wantEqual(t, "still unread", unread(), []string{"byB15", "byC25", "other"})
	m, err := s.Messages().Get(ctx, "byA15")
	must(t, err)
	wantEqual(t, "_updatedAt", m.UpdatedAt, at(40))
	// a reading now settles everything the others have seen.
	n, err = s.Receipts().Settle(ctx, "r1", "a", at(41))
	must(t, err)
	wantEqual(t, "settled by a's read", n, 1)
	wantEqual(t, "still unread after a", unread(), []string{"byC25", "other"})
	if !slices.Contains(unread(), "byC25") {
		t.Fatal("byC25 needs b, whose ls is older")
	}
	n, err = s.Receipts().Settle(ctx, "empty-room", "", at(41))
	must(t, err)
	wantEqual(t, "empty room", n, 0)
}
