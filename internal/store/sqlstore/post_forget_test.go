package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/storetest"
)

// A post refused in a batch forgets only the hints that may have let it
// through: its sender's membership, and its room only when no post of the
// room was written. The other members' memberships and a room that still
// matched stay remembered.
func TestRefusedPostForgetsOnlyItsHints(t *testing.T) {
	t.Parallel()
	ctx, s := openPostgresStore(t)

	now := model.Now()
	room := func(name string) string {
		r := &model.Room{ID: model.NewID(), T: model.RoomChannel, Name: name, FName: name,
			U: &model.UserRef{ID: "owner", Username: "owner"}, Ts: now, UpdatedAt: now}
		if err := s.Rooms().Create(ctx, r); err != nil {
			t.Fatal(err)
		}
		for _, u := range []string{"u1", "u2", "u3"} {
			sub := &model.Subscription{ID: model.NewID(), RID: r.ID, U: model.UserRef{ID: u, Username: u}, T: model.RoomChannel,
				Name: name, Open: true, Ts: now, UpdatedAt: now}
			if err := s.Subscriptions().Create(ctx, sub); err != nil {
				t.Fatal(err)
			}
		}
		// Remember the room and its memberships, as a node serving it does.
		if _, err := s.Rooms().GetHint(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
		for _, u := range []string{"u1", "u2", "u3"} {
			if ok, err := s.Subscriptions().MemberHint(ctx, r.ID, u); !ok || err != nil {
				t.Fatalf("MemberHint %s: %v, %v", u, ok, err)
			}
		}
		return r.ID
	}
	busy, quiet := room("busy"), room("quiet")
	// Another node ends u1's membership of both rooms.
	for _, rid := range []string{busy, quiet} {
		if _, err := s.w.ExecContext(ctx, `DELETE FROM subscriptions WHERE rid = $1 AND user_id = 'u1'`, rid); err != nil {
			t.Fatal(err)
		}
	}

	post := func(rid, user string) store.NewPost {
		m := &model.Message{ID: model.NewID(), RID: rid, Msg: "hi", U: model.UserRef{ID: user, Username: user}, Mentions: []model.Mention{}}
		return store.NewPost{Message: m, Want: now, Member: user, RoomHint: true}
	}
	errs := messages{s}.postBatch(ctx, []store.NewPost{post(busy, "u1"), post(busy, "u2"), post(quiet, "u1")})
	for i, want := range []error{store.ErrChanged, nil, store.ErrChanged} {
		if !errors.Is(errs[i], want) {
			t.Fatalf("post %d: %v, want %v", i, errs[i], want)
		}
	}

	for _, tc := range []struct {
		rid, user string
		kept      bool
	}{
		{busy, "u1", false}, {busy, "u2", true}, {busy, "u3", true},
		{quiet, "u1", false}, {quiet, "u2", true}, {quiet, "u3", true},
	} {
		if kept, _ := s.rooms.isMember(tc.rid, tc.user); kept != tc.kept {
			t.Errorf("membership of %s in %s remembered: %v, want %v", tc.user, tc.rid, kept, tc.kept)
		}
	}
	if r, _ := s.rooms.get(busy); r == nil {
		t.Error("the room a post was written to is forgotten")
	}
	if r, _ := s.rooms.get(quiet); r != nil {
		t.Error("the room whose every post was refused is still remembered")
	}
}

// A batch that fails for a taken id answers that post store.ErrConflict
// and writes the others together.
func TestFailedBatchLeavesOutATakenID(t *testing.T) {
	t.Parallel()
	ctx, s := openPostgresStore(t)
	now := model.Now()
	rooms := make([]string, 2)
	for i := range rooms {
		r := &model.Room{ID: model.NewID(), T: model.RoomChannel, Name: fmt.Sprintf("r%d", i), FName: fmt.Sprintf("r%d", i),
			U: &model.UserRef{ID: "owner", Username: "owner"}, Ts: now, UpdatedAt: now}
		if err := s.Rooms().Create(ctx, r); err != nil {
			t.Fatal(err)
		}
		rooms[i] = r.ID
	}
	post := func(id, rid string) store.NewPost {
		return store.NewPost{Message: &model.Message{ID: id, RID: rid, Msg: "hi", U: model.UserRef{ID: "u1", Username: "u1"},
			Mentions: []model.Mention{}}, Want: now}
	}
	if errs := (messages{s}).postBatch(ctx, []store.NewPost{post("taken", rooms[0])}); errs[0] != nil {
		t.Fatal(errs[0])
	}
	batch := []store.NewPost{post("a", rooms[0]), post("taken", rooms[1]), post("b", rooms[1])}
	errs := messages{s}.postBatch(ctx, batch)
	if !failedWhole(errs) || !errors.Is(errs[0], store.ErrConflict) {
		t.Fatalf("the batch's statement: %v, want a conflict for all", errs)
	}
	errs = messages{s}.retryFailedBatch(ctx, batch, errs)
	for i, want := range []error{nil, store.ErrConflict, nil} {
		if !errors.Is(errs[i], want) {
			t.Fatalf("post %d: %v, want %v", i, errs[i], want)
		}
	}
	for i, want := range []int64{2, 1} {
		r, err := s.Rooms().Get(ctx, rooms[i])
		if err != nil {
			t.Fatal(err)
		}
		if r.Msgs != want {
			t.Errorf("room %d counts %d messages, want %d", i, r.Msgs, want)
		}
	}
	if m, err := s.Messages().Get(ctx, "taken"); err != nil || m.RID != rooms[0] {
		t.Fatalf("the taken id's message: %+v, %v; want the first one, in room 0", m, err)
	}
}

// openPostgresStore opens a store on a fresh schema, closed at the end of
// the test, with the test's context; without PostgreSQL the test skips.
func openPostgresStore(t *testing.T) (context.Context, *Store) {
	t.Helper()
	storetest.RequirePostgres(t)
	ctx := t.Context()
	s, err := Open(ctx, storetest.PostgresURL(t), "", Options{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return ctx, s
}
