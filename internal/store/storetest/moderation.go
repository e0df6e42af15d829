package storetest

import (
	"testing"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

func newBan(rid, uid string, sec int) *model.Ban {
	return &model.Ban{
		RID: rid, User: model.UserRef{ID: uid, Username: "name-" + uid, Name: "Name " + uid}, BannedAt: at(sec),
		BannedBy: model.UserRef{ID: "mod", Username: "mod"},
	}
}

func banUsers(bs []*model.Ban) []string {
	out := []string{}
	for _, b := range bs {
		out = append(out, b.User.ID)
	}
	return out
}

func newInvite(id, rid, uid string, days, maxUses, sec int) *model.Invite {
	inv := &model.Invite{
		ID: id, Token: "token-" + id, RID: rid, UserID: uid, Days: days, MaxUses: maxUses,
		CreatedAt: at(sec), UpdatedAt: at(sec),
	}
	if days > 0 {
		inv.Expires = tp(at(sec + days*86400))
	}
	return inv
}

func inviteIDs(list []*model.Invite) []string {
	out := []string{}
	for _, inv := range list {
		out = append(out, inv.ID)
	}
	return out
}

var moderationTests = []test{
	{"Bans", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		b := s.Bans()
		must(t, b.Add(ctx, newBan("r1", "u2", 2)))
		must(t, b.Add(ctx, newBan("r1", "u1", 1)))
		must(t, b.Add(ctx, newBan("r1", "u3", 3)))
		must(t, b.Add(ctx, newBan("r2", "u1", 4)))
		wantErr(t, b.Add(ctx, newBan("r1", "u1", 5)), store.ErrConflict)

		for _, c := range []struct {
			rid, uid string
			want     bool
		}{{"r1", "u1", true}, {"r2", "u1", true}, {"r2", "u2", false}, {"r9", "u1", false}} {
			got, err := b.Exists(ctx, c.rid, c.uid)
			must(t, err)
			wantEqual(t, "Exists "+c.rid+"/"+c.uid, got, c.want)
		}

		wantPages(t, 3, func(o store.ListOptions) ([]string, int, error) {
			list, n, err := b.ListByRoom(ctx, "r1", o)
			return banUsers(list), n, err
		}, []pageCase{
			{"all, oldest first", store.ListOptions{}, []string{"u1", "u2", "u3"}},
			{"a page", store.ListOptions{Offset: 1, Count: 1}, []string{"u2"}},
			{"past the end", store.ListOptions{Offset: 5, Count: 2}, []string{}},
		})
		list, _, err := b.ListByRoom(ctx, "r1", store.ListOptions{Count: 1})
		must(t, err)
		wantEqual(t, "stored ban", list[0], newBan("r1", "u1", 1))

		must(t, b.Remove(ctx, "r1", "u2"))
		wantErr(t, b.Remove(ctx, "r1", "u2"), store.ErrNotFound)
		if got, err := b.Exists(ctx, "r1", "u2"); err != nil || got {
			t.Fatalf("Exists after Remove = %v, %v", got, err)
		}
		must(t, b.Add(ctx, newBan("r1", "u2", 6))) // banned again

		must(t, b.DeleteByRoom(ctx, "r1"))
		_, n, err := b.ListByRoom(ctx, "r1", store.ListOptions{})
		must(t, err)
		wantEqual(t, "bans left in r1", n, 0)
		if got, err := b.Exists(ctx, "r2", "u1"); err != nil || !got {
			t.Fatalf("another room's ban went: %v, %v", got, err)
		}
	}},
	{"Invites", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		inv := s.Invites()
		a := newInvite("a", "r1", "u1", 1, 2, 10)
		forever := newInvite("b", "r1", "u1", 0, 0, 20)
		other := newInvite("c", "r2", "u2", 7, 1, 5)
		for _, x := range []*model.Invite{a, forever, other} {
			must(t, inv.Create(ctx, x))
		}
		wantErr(t, inv.Create(ctx, newInvite("a", "r1", "u1", 1, 2, 30)), store.ErrConflict)

		got, err := inv.Get(ctx, "a")
		must(t, err)
		wantEqual(t, "Get", got, a)
		got, err = inv.GetByToken(ctx, "token-b")
		must(t, err)
		wantEqual(t, "GetByToken", got, forever)
		wantNotFound(t, inv.Get, "nope", "token-a")
		wantNotFound(t, inv.GetByToken, "nope", "a")

		list, err := inv.List(ctx)
		must(t, err)
		wantEqual(t, "List, oldest first", inviteIDs(list), []string{"c", "a", "b"})

		match := store.InviteMatch{UserID: "u1", RID: "r1", Days: 1, MaxUses: 2, Now: at(11)}
		got, err = inv.FindReusable(ctx, match)
		must(t, err)
		wantEqual(t, "FindReusable", got.ID, "a")
		for name, m := range map[string]store.InviteMatch{
			"another creator": {UserID: "u2", RID: "r1", Days: 1, MaxUses: 2, Now: at(11)},
			"other days":      {UserID: "u1", RID: "r1", Days: 7, MaxUses: 2, Now: at(11)},
			"expired":         {UserID: "u1", RID: "r1", Days: 1, MaxUses: 2, Now: at(10 + 86400)},
		} {
			if _, err := inv.FindReusable(ctx, m); err != store.ErrNotFound {
				t.Fatalf("FindReusable (%s): %v, want ErrNotFound", name, err)
			}
		}

		// Uses count up to the limit and no further.
		must(t, inv.AddUse(ctx, "a", at(12)))
		must(t, inv.AddUse(ctx, "a", at(13)))
		wantErr(t, inv.AddUse(ctx, "a", at(14)), store.ErrNotFound)
		got, err = inv.Get(ctx, "a")
		must(t, err)
		wantEqual(t, "uses", got.Uses, 2)
		wantEqual(t, "updated", got.UpdatedAt, at(13))
		if _, err := inv.FindReusable(ctx, match); err != store.ErrNotFound {
			t.Fatalf("a used-up invite is reusable: %v", err)
		}
		for range 3 {
			must(t, inv.AddUse(ctx, "b", at(15)))
		}
		wantErr(t, inv.AddUse(ctx, "nope", at(15)), store.ErrNotFound)

		wantDeletedOnce(t, "b", inv.Delete, inv.Get)
		must(t, inv.DeleteByRoom(ctx, "r1"))
		list, err = inv.List(ctx)
		must(t, err)
		wantEqual(t, "List after DeleteByRoom", inviteIDs(list), []string{"c"})
	}},
	{"RoomExports", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		x := s.RoomExports()
		old := &model.RoomExport{ID: "e1", RID: "r1", UserID: "u1", Name: "room-1.zip", Format: "json", Size: 123, CreatedAt: at(1)}
		recent := &model.RoomExport{ID: "e2", RID: "r1", UserID: "u2", Name: "room-2.zip", Format: "html", Size: 456, CreatedAt: at(100)}
		must(t, x.Create(ctx, old))
		must(t, x.Create(ctx, recent))
		wantErr(t, x.Create(ctx, old), store.ErrConflict)

		got, err := x.Get(ctx, "e2")
		must(t, err)
		wantEqual(t, "Get", got, recent)
		wantNotFound(t, x.Get, "nope")

		list, err := x.ListCreatedBefore(ctx, at(100))
		must(t, err)
		wantEqual(t, "ListCreatedBefore", len(list), 1)
		wantEqual(t, "ListCreatedBefore", list[0], old)
		list, err = x.ListCreatedBefore(ctx, at(1))
		must(t, err)
		wantEqual(t, "ListCreatedBefore its creation", len(list), 0)

		wantDeletedOnce(t, "e1", x.Delete, x.Get)
	}},
}
