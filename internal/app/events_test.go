package app

import (
	"context"
	"errors"
	"testing"

	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/settings"
	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/sqlstore"
)

// The emission rule under every endpoint: a change's events reach the bus
// only when its transaction commits.
func TestTransactionEventsWaitForCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlstore.Open(ctx, "sqlite:"+dir+"/parley.db", dir, sqlstore.Options{MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	bus := events.NewMemory()
	a := New(Config{Store: st, Settings: settings.NewDefault(), Bus: bus})
	t.Cleanup(func() { a.Close(ctx) })
	rec := bus.Subscribe(16)
	defer rec.Close()

	failed := errors.New("the change fails after emitting")
	err = a.tx(ctx, func(st store.Store) error {
		a.emit(st, events.RoomChanged, "r1", "u1", "r1")
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatalf("tx error = %v", err)
	}
	if len(rec.C) != 0 {
		t.Fatalf("a rolled-back change published %v", <-rec.C)
	}

	err = a.tx(ctx, func(st store.Store) error {
		a.emit(st, events.RoomChanged, "r1", "u1", "r1")
		a.emit(st, events.RoomChanged, "r1", "u1", "r1") // said twice, sent once
		if len(rec.C) != 0 {
			t.Error("an event was published before the commit")
		}
		a.emit(st, events.MessageSaved, "r1", "u1", "m1")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(rec.C); got != 2 {
		t.Fatalf("committed change published %d events, want 2", got)
	}
	if e := <-rec.C; e.Kind != events.RoomChanged {
		t.Fatalf("first event %v", e)
	}
}
