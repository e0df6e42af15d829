package storetest

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

func newDM(a, b string, sec int) *model.Room {
	return &model.Room{
		ID:         model.DirectRoomID(a, b),
		T:          model.RoomDirect,
		Ts:         at(sec),
		UIDs:       []string{a, b},
		Usernames:  []string{"user-" + a, "user-" + b},
		UsersCount: 2,
		UpdatedAt:  at(sec),
	}
}

var roomTests = []test{
	{"CreateAndGetRoundTrip", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		sys := false
		r := newChannel("General-Talk", 1)
		r.Ro, r.SysMes, r.Default, r.Featured, r.Broadcast = true, &sys, true, true, true
		r.Topic, r.Description, r.Announcement = "topic", "desc", "news"
		r.Msgs, r.UsersCount, r.LM = 7, 3, tp(at(9))
		r.LastMessage = json.RawMessage(`{"_id":"m1","msg":"hi","ts":"2023-11-14T22:13:29.123Z","u":{"_id":"owner"}}`)
		r.CustomFields = map[string]any{"k": "v"}
		r.Muted = []string{"spammer"}
		// The join code is kept out of JSON answers but must be stored.
		r.JoinCode, r.JoinCodeRequired, r.Favorite = "s3cret", true, true
		r.SysMesHidden = []string{"uj"}
		createRoom(t, s, r)

		got, err := s.Rooms().Get(ctx, r.ID)
		must(t, err)
		wantEqual(t, "Get", got, r)
		got, err = s.Rooms().GetByName(ctx, "general-TALK")
		must(t, err)
		wantEqual(t, "GetByName (case-insensitive)", got, r)

		head, err := s.Rooms().GetHead(ctx, r.ID)
		must(t, err)
		wantEqual(t, "GetHead", head, &model.Room{ID: r.ID, T: r.T})
		sub := newChannel("discussion-1", 2)
		sub.T, sub.Prid = model.RoomGroup, r.ID
		createRoom(t, s, sub)
		head, err = s.Rooms().GetHead(ctx, sub.ID)
		must(t, err)
		wantEqual(t, "GetHead of a discussion", head, &model.Room{ID: sub.ID, T: model.RoomGroup, Prid: r.ID})

		wantNotFound(t, s.Rooms().Get, "missing")
		wantNotFound(t, s.Rooms().GetHead, "missing")
		wantNotFound(t, s.Rooms().GetByName, "missing")
	}},
	{"GetCachedFollowsChanges", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		r := createRoom(t, s, newChannel("cached", 1))
		got, err := s.Rooms().GetCached(ctx, r.ID)
		must(t, err)
		wantEqual(t, "first read", got.Name, "cached")
		// A caller changing its copy must not change the next one.
		got.Muted = append(got.Muted, "someone")
		got.Ro = true

		// Changes made outside a transaction, inside one, and rolled back.
		r.Topic = "direct"
		must(t, s.Rooms().Update(ctx, r))
		got, err = s.Rooms().GetCached(ctx, r.ID)
		must(t, err)
		wantEqual(t, "after Update", []any{got.Topic, got.Ro, len(got.Muted)}, []any{"direct", false, 0})

		must(t, s.InTx(ctx, func(tx store.Store) error {
			r.Muted = []string{"spammer"}
			if err := tx.Rooms().Update(ctx, r); err != nil {
				return err
			}
			if err := tx.Rooms().AddUsersCount(ctx, r.ID, 2); err != nil {
				return err
			}
			// Readers outside the transaction may load the old document
			// meanwhile; it must not outlive the commit.
			_, err := s.Rooms().GetCached(ctx, r.ID)
			return err
		}))
		got, err = s.Rooms().GetCached(ctx, r.ID)
		must(t, err)
		wantEqual(t, "after a transaction", []any{got.Muted, got.UsersCount}, []any{[]string{"spammer"}, int64(2)})

		errRollback := errors.New("roll back")
		err = s.InTx(ctx, func(tx store.Store) error {
			r.Archived = true
			if err := tx.Rooms().Update(ctx, r); err != nil {
				return err
			}
			if _, err := s.Rooms().GetCached(ctx, r.ID); err != nil {
				return err
			}
			return errRollback
		})
		wantErr(t, err, errRollback)
		r.Archived = false
		got, err = s.Rooms().GetCached(ctx, r.ID)
		must(t, err)
		wantEqual(t, "after a rollback", got.Archived, false)

		head, err := s.Rooms().GetHead(ctx, r.ID)
		must(t, err)
		wantEqual(t, "GetHead", head, &model.Room{ID: r.ID, T: r.T})

		must(t, s.Rooms().Delete(ctx, r.ID))
		wantNotFound(t, s.Rooms().GetCached, r.ID)
		wantNotFound(t, s.Rooms().GetHead, r.ID)
	}},
	{"DuplicateNameConflicts", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		createRoom(t, s, newChannel("team", 1))
		wantErr(t, s.Rooms().Create(ctx, newChannel("TEAM", 2)), store.ErrConflict)
		grp := newChannel("Team", 3)
		grp.T = model.RoomGroup
		wantErr(t, s.Rooms().Create(ctx, grp), store.ErrConflict)
		dupID := newChannel("other", 4)
		r, err := s.Rooms().GetByName(ctx, "team")
		must(t, err)
		dupID.ID = r.ID
		wantErr(t, s.Rooms().Create(ctx, dupID), store.ErrConflict)
		_, total, err := s.Rooms().List(ctx, store.RoomFilter{}, store.ListOptions{})
		must(t, err)
		wantEqual(t, "rooms after conflicts", total, 1)
	}},
	{"DirectRoomsHaveNoName", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		createRoom(t, s, newChannel("alice", 1))
		dm1 := createRoom(t, s, newDM("alice", "bob", 2))
		dm2 := createRoom(t, s, newDM("alice", "carol", 3))
		// A name on a direct room is not indexed, so it never conflicts.
		named := newDM("bob", "carol", 4)
		named.Name = "alice"
		createRoom(t, s, named)

		got, err := s.Rooms().Get(ctx, dm1.ID)
		must(t, err)
		wantEqual(t, "Get of a DM", got, dm1)
		wantEqual(t, "DM id", got.ID, "alicebob")
		got, err = s.Rooms().GetByName(ctx, "alice")
		must(t, err)
		wantEqual(t, "GetByName finds the channel, not the DM", got.T, model.RoomChannel)
		wantNotFound(t, s.Rooms().GetByName, "")

		dm2.Usernames = append(dm2.Usernames, "x")
		dm2.UpdatedAt = at(20)
		must(t, s.Rooms().Update(ctx, dm2))
		got, err = s.Rooms().Get(ctx, dm2.ID)
		must(t, err)
		wantEqual(t, "DM after Update", got, dm2)
	}},
	{"UpdateKeepsCounters", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		r := newChannel("news", 1)
		r.Msgs, r.UsersCount, r.LM = 10, 4, tp(at(5))
		r.LastMessage = json.RawMessage(`{"_id":"m1","msg":"last"}`)
		createRoom(t, s, r)

		// A stale copy, as a caller that read the room earlier holds it.
		stale := *r
		stale.Msgs, stale.UsersCount, stale.LM, stale.LastMessage = 0, 0, nil, nil
		stale.Name, stale.FName, stale.Topic, stale.Ro, stale.Default = "News-Renamed", "News Renamed", "new topic", true, true
		stale.UpdatedAt = at(30)
		must(t, s.Rooms().Update(ctx, &stale))

		got, err := s.Rooms().Get(ctx, r.ID)
		must(t, err)
		want := stale
		want.Msgs, want.UsersCount, want.LM, want.LastMessage = 10, 4, tp(at(5)), r.LastMessage
		wantEqual(t, "room after Update", got, &want)

		wantNotFound(t, s.Rooms().GetByName, "news")
		got, err = s.Rooms().GetByName(ctx, "news-renamed")
		must(t, err)
		wantEqual(t, "GetByName after rename", got.ID, r.ID)
		def, err := s.Rooms().ListDefault(ctx)
		must(t, err)
		wantEqual(t, "ListDefault after Update", roomNames(def), []string{"News-Renamed"})
	}},
	{"UpdateConflictAndMissing", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		createRoom(t, s, newChannel("one", 1))
		two := createRoom(t, s, newChannel("two", 2))
		two.Name = "ONE"
		wantErr(t, s.Rooms().Update(ctx, two), store.ErrConflict)
		wantErr(t, s.Rooms().Update(ctx, newChannel("three", 3)), store.ErrNotFound)
	}},
	{"Delete", func(t *testing.T, s store.Store) {
		r := createRoom(t, s, newChannel("gone", 1))
		wantDeletedOnce(t, r.ID, s.Rooms().Delete, s.Rooms().Get)
		// The name is free again.
		createRoom(t, s, newChannel("GONE", 2))
	}},
	{"ListFilters", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		c1 := createRoom(t, s, newChannel("sales", 1))
		c2 := createRoom(t, s, newChannel("dev_ops", 2))
		c3 := createRoom(t, s, newChannel("devXops", 3))
		p1 := newChannel("Secret-Dev", 4)
		p1.T = model.RoomGroup
		createRoom(t, s, p1)
		pct := createRoom(t, s, newChannel("100%-done", 5))
		createRoom(t, s, newDM("u1", "u2", 6))
		talk := newChannel("talk-of-sales", 7)
		talk.Prid = c1.ID
		createRoom(t, s, talk)

		cases := []struct {
			name string
			f    store.RoomFilter
			want []string
		}{
			{"all, oldest first", store.RoomFilter{}, []string{"sales", "dev_ops", "devXops", "Secret-Dev", "100%-done", "", "talk-of-sales"}},
			{"channels", store.RoomFilter{Types: []string{model.RoomChannel}}, []string{"sales", "dev_ops", "devXops", "100%-done", "talk-of-sales"}},
			{"channels and groups", store.RoomFilter{Types: []string{model.RoomChannel, model.RoomGroup}}, []string{"sales", "dev_ops", "devXops", "Secret-Dev", "100%-done", "talk-of-sales"}},
			{"direct", store.RoomFilter{Types: []string{model.RoomDirect}}, []string{""}},
			{"name, case-insensitive", store.RoomFilter{Name: "DEV"}, []string{"dev_ops", "devXops", "Secret-Dev"}},
			{"name with _ literal", store.RoomFilter{Name: "v_o"}, []string{"dev_ops"}},
			{"name with % literal", store.RoomFilter{Name: "0%"}, []string{"100%-done"}},
			{"name and type", store.RoomFilter{Name: "dev", Types: []string{model.RoomGroup}}, []string{"Secret-Dev"}},
			{"ids", store.RoomFilter{IDs: []string{c3.ID, c1.ID, "missing"}}, []string{"sales", "devXops"}},
			{"ids and type", store.RoomFilter{IDs: []string{c2.ID, p1.ID, pct.ID}, Types: []string{model.RoomGroup}}, []string{"Secret-Dev"}},
			{"ids, name and type", store.RoomFilter{IDs: []string{c2.ID, c3.ID, p1.ID}, Name: "_", Types: []string{model.RoomChannel}}, []string{"dev_ops"}},
			{"discussions of a room", store.RoomFilter{Prid: c1.ID}, []string{"talk-of-sales"}},
			{"discussions of a room without any", store.RoomFilter{Prid: c2.ID}, []string{}},
			{"empty ids: nothing", store.RoomFilter{IDs: []string{}}, []string{}},
			{"empty ids and type: nothing", store.RoomFilter{IDs: []string{}, Types: []string{model.RoomChannel}}, []string{}},
		}
		for _, c := range cases {
			list, total, err := s.Rooms().List(ctx, c.f, store.ListOptions{})
			must(t, err)
			wantEqual(t, c.name, roomNames(list), c.want)
			wantEqual(t, c.name+": total", total, len(c.want))
		}
	}},
	{"ListPagingAndSorting", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		for i, name := range []string{"delta", "alpha", "echo", "charlie", "bravo"} {
			r := newChannel(name, i)
			r.UsersCount = int64([]int{3, 1, 5, 2, 4}[i])
			r.Msgs = int64(10 - i)
			createRoom(t, s, r)
		}
		wantPages(t, 5, func(opts store.ListOptions) ([]string, int, error) {
			list, total, err := s.Rooms().List(ctx, store.RoomFilter{}, opts)
			return roomNames(list), total, err
		}, []pageCase{
			{"default: ts", store.ListOptions{}, []string{"delta", "alpha", "echo", "charlie", "bravo"}},
			{"count", store.ListOptions{Count: 2}, []string{"delta", "alpha"}},
			{"offset+count", store.ListOptions{Offset: 1, Count: 3}, []string{"alpha", "echo", "charlie"}},
			{"offset only", store.ListOptions{Offset: 4}, []string{"bravo"}},
			{"offset past end", store.ListOptions{Offset: 5}, []string{}},
			{"name", store.ListOptions{Sort: []store.SortField{{Field: "name"}}}, []string{"alpha", "bravo", "charlie", "delta", "echo"}},
			{"name desc paged", store.ListOptions{Offset: 1, Count: 2, Sort: []store.SortField{{Field: "name", Desc: true}}}, []string{"delta", "charlie"}},
			{"usersCount desc", store.ListOptions{Sort: []store.SortField{{Field: "usersCount", Desc: true}}}, []string{"echo", "bravo", "delta", "charlie", "alpha"}},
			{"msgs", store.ListOptions{Sort: []store.SortField{{Field: "msgs"}}}, []string{"bravo", "charlie", "echo", "alpha", "delta"}},
			{"ts desc", store.ListOptions{Sort: []store.SortField{{Field: "ts", Desc: true}}}, []string{"bravo", "charlie", "echo", "alpha", "delta"}},
			{"unknown field ignored", store.ListOptions{Sort: []store.SortField{{Field: "1; DROP TABLE rooms"}}}, []string{"delta", "alpha", "echo", "charlie", "bravo"}},
		})
	}},
	{"ListSortByNameWithDirectRooms", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		createRoom(t, s, newChannel("beta", 1))
		createRoom(t, s, newDM("u1", "u2", 2))
		createRoom(t, s, newChannel("alpha", 3))
		// Rooms without a name sort as the lowest names (as in MongoDB),
		// whatever the database's default for NULLs.
		list, _, err := s.Rooms().List(ctx, store.RoomFilter{}, store.ListOptions{Sort: []store.SortField{{Field: "name"}}})
		must(t, err)
		wantEqual(t, "by name", roomNames(list), []string{"", "alpha", "beta"})
		list, _, err = s.Rooms().List(ctx, store.RoomFilter{}, store.ListOptions{Sort: []store.SortField{{Field: "name", Desc: true}}})
		must(t, err)
		wantEqual(t, "by name, descending", roomNames(list), []string{"beta", "alpha", ""})
	}},
	{"ListSortByUpdatedAtMatchesReturnedValues", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		a := createRoom(t, s, newChannel("a", 1))
		createRoom(t, s, newChannel("b", 2))
		createRoom(t, s, newChannel("c", 3))
		// A counter change is a change of the room.
		must(t, s.Rooms().AddUsersCount(ctx, a.ID, 1))

		list, _, err := s.Rooms().List(ctx, store.RoomFilter{}, store.ListOptions{Sort: []store.SortField{{Field: "_updatedAt"}}})
		must(t, err)
		wantEqual(t, "rooms by _updatedAt", roomNames(list), []string{"b", "c", "a"})
		for i := 1; i < len(list); i++ {
			if list[i].UpdatedAt < list[i-1].UpdatedAt {
				t.Errorf("sorted by _updatedAt, but %s (%v) comes after %s (%v)", list[i].Name, list[i].UpdatedAt, list[i-1].Name, list[i-1].UpdatedAt)
			}
		}
		got, err := s.Rooms().Get(ctx, a.ID)
		must(t, err)
		if got.UpdatedAt <= a.UpdatedAt {
			t.Errorf("AddUsersCount left _updatedAt at %v", got.UpdatedAt)
		}
	}},
	{"ListDefault", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		list, err := s.Rooms().ListDefault(ctx)
		must(t, err)
		wantEqual(t, "ListDefault of empty store", len(list), 0)

		for i, name := range []string{"third", "first", "plain", "second"} {
			r := newChannel(name, []int{3, 1, 0, 2}[i])
			r.Default = name != "plain"
			createRoom(t, s, r)
		}
		list, err = s.Rooms().ListDefault(ctx)
		must(t, err)
		wantEqual(t, "ListDefault, oldest first", roomNames(list), []string{"first", "second", "third"})
		for _, r := range list {
			wantEqual(t, "Default of "+r.Name, r.Default, true)
		}
	}},
	{"AddUsersCount", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		r := newChannel("counted", 1)
		r.UsersCount, r.Msgs = 5, 3
		createRoom(t, s, r)
		must(t, s.Rooms().AddUsersCount(ctx, r.ID, 2))
		must(t, s.Rooms().AddUsersCount(ctx, r.ID, -3))
		got, err := s.Rooms().Get(ctx, r.ID)
		must(t, err)
		wantEqual(t, "usersCount", got.UsersCount, int64(4))
		wantEqual(t, "msgs", got.Msgs, int64(3))
		wantErr(t, s.Rooms().AddUsersCount(ctx, "missing", 1), store.ErrNotFound)
	}},
}
