package storetest

import (
	"slices"
	"testing"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

var subscriptionTests = []test{
	{"ExistsFollowsDeletes", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		r1 := createRoom(t, s, newChannel("one", 1))
		r2 := createRoom(t, s, newChannel("two", 1))
		for _, rid := range []string{r1.ID, r2.ID} {
			for _, uid := range []string{"ann", "bob"} {
				createSub(t, s, newSub(rid, uid, 2))
			}
		}
		member := func(what, rid, uid string, want bool) {
			t.Helper()
			ok, err := s.Subscriptions().Exists(ctx, rid, uid)
			must(t, err)
			wantEqual(t, what+" "+rid+"/"+uid, ok, want)
		}
		// Read every membership once, so a store that remembers them has.
		for _, rid := range []string{r1.ID, r2.ID} {
			member("before", rid, "ann", true)
			member("before", rid, "bob", true)
		}
		must(t, s.Subscriptions().Delete(ctx, r1.ID, "ann"))
		member("after Delete", r1.ID, "ann", false)
		member("after Delete", r1.ID, "bob", true)

		// A reader outside the transaction may see the membership while
		// the delete is pending; what it saw must not outlive the commit.
		must(t, s.InTx(ctx, func(tx store.Store) error {
			if err := tx.Subscriptions().DeleteByUser(ctx, "bob"); err != nil {
				return err
			}
			_, err := s.Subscriptions().Exists(ctx, r2.ID, "bob")
			return err
		}))
		member("after DeleteByUser", r1.ID, "bob", false)
		member("after DeleteByUser", r2.ID, "bob", false)
		member("after DeleteByUser", r2.ID, "ann", true)

		must(t, s.InTx(ctx, func(tx store.Store) error {
			if err := tx.Subscriptions().DeleteByRoom(ctx, r2.ID); err != nil {
				return err
			}
			_, err := s.Subscriptions().Exists(ctx, r2.ID, "ann")
			return err
		}))
		member("after DeleteByRoom", r2.ID, "ann", false)
		createSub(t, s, newSub(r2.ID, "ann", 3))
		member("after joining again", r2.ID, "ann", true)
	}},
	{"CreateAndGetRoundTrip", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		at1 := true
		sub := newSub("r1", "u1", 1)
		sub.FName, sub.Ls, sub.Alert, sub.Open = "Room One", tp(at(2)), true, false
		sub.Unread, sub.UserMentions, sub.GroupMentions = 4, 2, 1
		sub.Roles, sub.Ignored = []string{"owner"}, []string{"u9"}
		sub.AutoTranslate, sub.AutoTranslateLanguage = &at1, "de"
		sub.Tunread, sub.TunreadUser, sub.TunreadGroup = []string{"t1"}, []string{"t2"}, []string{"t3"}
		sub.Prid = "parent"
		createSub(t, s, sub)

		got, err := s.Subscriptions().Get(ctx, "r1", "u1")
		must(t, err)
		wantEqual(t, "Get", got, sub)
		got, err = s.Subscriptions().GetForUpdate(ctx, "r1", "u1")
		must(t, err)
		wantEqual(t, "GetForUpdate", got, sub)

		_, err = s.Subscriptions().Get(ctx, "r1", "u2")
		wantErr(t, err, store.ErrNotFound)
		for _, c := range []struct {
			rid, uid string
			want     bool
		}{{"r1", "u1", true}, {"r1", "u2", false}, {"r2", "u1", false}} {
			ok, err := s.Subscriptions().Exists(ctx, c.rid, c.uid)
			must(t, err)
			wantEqual(t, "Exists "+c.rid+"/"+c.uid, ok, c.want)
		}
		_, err = s.Subscriptions().GetForUpdate(ctx, "r2", "u1")
		wantErr(t, err, store.ErrNotFound)
	}},
	{"UniqueRoomAndUser", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		createSub(t, s, newSub("r1", "u1", 1))
		wantErr(t, s.Subscriptions().Create(ctx, newSub("r1", "u1", 2)), store.ErrConflict)
		// Same room or same user alone is fine.
		createSub(t, s, newSub("r1", "u2", 3))
		createSub(t, s, newSub("r2", "u1", 4))
		// So is the id.
		dup := newSub("r3", "u3", 5)
		got, err := s.Subscriptions().Get(ctx, "r1", "u1")
		must(t, err)
		dup.ID = got.ID
		wantErr(t, s.Subscriptions().Create(ctx, dup), store.ErrConflict)
	}},
	{"UpdateWritesEveryField", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		sub := createSub(t, s, newSub("r1", "u1", 1))
		sub.Open, sub.Alert, sub.Unread, sub.UserMentions, sub.GroupMentions = false, true, 9, 3, 2
		sub.Ls, sub.Name, sub.Roles, sub.UpdatedAt = tp(at(7)), "renamed", []string{"moderator"}, at(8)
		must(t, s.Subscriptions().Update(ctx, sub))
		got, err := s.Subscriptions().Get(ctx, "r1", "u1")
		must(t, err)
		wantEqual(t, "after Update", got, sub)

		// Back to zero values: counters and ls are cleared, not kept.
		sub.Alert, sub.Unread, sub.UserMentions, sub.GroupMentions, sub.Ls = false, 0, 0, 0, nil
		must(t, s.Subscriptions().Update(ctx, sub))
		got, err = s.Subscriptions().Get(ctx, "r1", "u1")
		must(t, err)
		wantEqual(t, "after second Update", got, sub)

		wantErr(t, s.Subscriptions().Update(ctx, newSub("r1", "u2", 1)), store.ErrNotFound)
	}},
	{"ListByUserUpdatedSince", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		createSub(t, s, newSub("r1", "u1", 10))
		createSub(t, s, newSub("r2", "u1", 20))
		createSub(t, s, newSub("r3", "u1", 30))
		createSub(t, s, newSub("r1", "u2", 40))

		cases := []struct {
			since model.Time
			want  []string
		}{
			{0, []string{"r1/u1", "r2/u1", "r3/u1"}},
			{at(10) - 1, []string{"r1/u1", "r2/u1", "r3/u1"}},
			{at(10), []string{"r2/u1", "r3/u1"}}, // strictly after
			{at(25), []string{"r3/u1"}},
			{at(30), []string{}},
		}
		for _, c := range cases {
			list, err := s.Subscriptions().ListByUser(ctx, "u1", c.since)
			must(t, err)
			wantEqual(t, "ListByUser since "+c.since.String(), sortedSubKeys(list), c.want)
		}
		// MarkRead moves _updatedAt, so the subscription shows up again.
		must(t, s.Subscriptions().MarkRead(ctx, "r1", "u1", at(50), false))
		list, err := s.Subscriptions().ListByUser(ctx, "u1", at(30))
		must(t, err)
		wantEqual(t, "ListByUser after MarkRead", sortedSubKeys(list), []string{"r1/u1"})
		list, err = s.Subscriptions().ListByUser(ctx, "nobody", 0)
		must(t, err)
		wantEqual(t, "ListByUser of unknown user", len(list), 0)
	}},
	{"ListByRoomPaging", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		var all []string
		for i := range 5 {
			sub := createSub(t, s, newSub("r1", model.NewID(), i))
			all = append(all, sub.U.ID)
		}
		createSub(t, s, newSub("r2", "u-other", 9))

		list, total, err := s.Subscriptions().ListByRoom(ctx, "r1", store.ListOptions{})
		must(t, err)
		wantEqual(t, "total", total, 5)
		full := subUsers(list)
		if len(full) != 5 {
			t.Fatalf("ListByRoom returned %d subscriptions, want 5", len(full))
		}
		wantEqual(t, "members", sortedCopy(full), sortedCopy(all))
		// Pages are stable slices of one order.
		for _, c := range []struct {
			opts     store.ListOptions
			from, to int
		}{
			{store.ListOptions{Count: 2}, 0, 2},
			{store.ListOptions{Offset: 2, Count: 2}, 2, 4},
			{store.ListOptions{Offset: 4, Count: 2}, 4, 5},
			{store.ListOptions{Offset: 3}, 3, 5},
			{store.ListOptions{Offset: 7, Count: 2}, 5, 5},
		} {
			list, total, err := s.Subscriptions().ListByRoom(ctx, "r1", c.opts)
			must(t, err)
			wantEqual(t, "page", subUsers(list), full[c.from:c.to])
			wantEqual(t, "page total", total, 5)
		}
		list, total, err = s.Subscriptions().ListByRoom(ctx, "empty", store.ListOptions{Count: 10})
		must(t, err)
		wantEqual(t, "empty room", len(list), 0)
		wantEqual(t, "empty room total", total, 0)
	}},
	{"MarkRead", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		for _, keep := range []bool{false, true} {
			for _, alert := range []bool{false, true} {
				rid := model.NewID()
				sub := newSub(rid, "u1", 1)
				sub.Open, sub.Alert, sub.Unread, sub.UserMentions, sub.GroupMentions = false, alert, 5, 2, 1
				sub.Ls, sub.Name = tp(at(1)), "kept"
				createSub(t, s, sub)

				must(t, s.Subscriptions().MarkRead(ctx, rid, "u1", at(60), keep))
				got, err := s.Subscriptions().Get(ctx, rid, "u1")
				must(t, err)
				want := *sub
				want.Open, want.Alert, want.Unread, want.UserMentions, want.GroupMentions = true, alert && keep, 0, 0, 0
				want.Ls, want.UpdatedAt = tp(at(60)), at(60)
				wantEqual(t, "after MarkRead", got, &want)
			}
		}
		wantErr(t, s.Subscriptions().MarkRead(ctx, "missing", "u1", at(1), false), store.ErrNotFound)
	}},
	{"Delete", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		createSub(t, s, newSub("r1", "u1", 1))
		createSub(t, s, newSub("r1", "u2", 2))
		must(t, s.Subscriptions().Delete(ctx, "r1", "u1"))
		_, err := s.Subscriptions().Get(ctx, "r1", "u1")
		wantErr(t, err, store.ErrNotFound)
		wantErr(t, s.Subscriptions().Delete(ctx, "r1", "u1"), store.ErrNotFound)
		_, err = s.Subscriptions().Get(ctx, "r1", "u2")
		must(t, err)
		// It may be created again.
		createSub(t, s, newSub("r1", "u1", 3))
	}},
	{"DeleteByRoomAndByUser", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		for _, k := range [][2]string{{"r1", "u1"}, {"r1", "u2"}, {"r2", "u1"}, {"r2", "u2"}, {"r3", "u3"}} {
			createSub(t, s, newSub(k[0], k[1], 1))
		}
		must(t, s.Subscriptions().DeleteByRoom(ctx, "r1"))
		must(t, s.Subscriptions().DeleteByRoom(ctx, "r1")) // none left: not an error
		must(t, s.Subscriptions().DeleteByUser(ctx, "u2"))
		must(t, s.Subscriptions().DeleteByUser(ctx, "u2"))

		var left []*model.Subscription
		for _, u := range []string{"u1", "u2", "u3"} {
			l, err := s.Subscriptions().ListByUser(ctx, u, 0)
			must(t, err)
			left = append(left, l...)
		}
		wantEqual(t, "remaining subscriptions", sortedSubKeys(left), []string{"r2/u1", "r3/u3"})
	}},
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}
