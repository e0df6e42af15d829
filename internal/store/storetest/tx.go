package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/store"
)

var errBoom = errors.New("boom")

// writeAll makes one write through every accessor, in s.
func writeAll(ctx context.Context, s store.Store, tag string) error {
	u := newUser("user-"+tag, 1)
	if err := s.Users().Create(ctx, u); err != nil {
		return err
	}
	if err := s.Tokens().Create(ctx, newToken(u.ID, "hash-"+tag, "login", "", 1)); err != nil {
		return err
	}
	r := newChannel("room-"+tag, 1)
	if err := s.Rooms().Create(ctx, r); err != nil {
		return err
	}
	if err := s.Rooms().AddUsersCount(ctx, r.ID, 1); err != nil {
		return err
	}
	if err := s.Subscriptions().Create(ctx, newSub(r.ID, u.ID, 1)); err != nil {
		return err
	}
	if err := s.Settings().Set(ctx, "setting-"+tag, []byte(`1`)); err != nil {
		return err
	}
	if err := s.Permissions().Seed(ctx, []store.Permission{{ID: "perm-" + tag, Roles: []string{"admin"}}}); err != nil {
		return err
	}
	return s.BumpConfigVersion(ctx)
}

// visible reports which of writeAll(tag)'s writes s sees, as a string such
// as "user token room sub setting perm".
func visible(t testing.TB, s store.Store, tag string) string {
	t.Helper()
	ctx := t.Context()
	var seen []string
	check := func(what string, err error) bool {
		t.Helper()
		switch {
		case err == nil:
			seen = append(seen, what)
			return true
		case !errors.Is(err, store.ErrNotFound):
			t.Fatalf("looking for %s: %v", what, err)
		}
		return false
	}
	u, err := s.Users().GetByUsername(ctx, "user-"+tag)
	hasUser := check("user", err)
	_, err = s.Tokens().Owner(ctx, "hash-"+tag)
	check("token", err)
	r, err := s.Rooms().GetByName(ctx, "room-"+tag)
	if check("room", err) && hasUser {
		_, err = s.Subscriptions().Get(ctx, r.ID, u.ID)
		check("sub", err)
	}
	settings := settingsMap(t, s)
	if _, ok := settings["setting-"+tag]; ok {
		seen = append(seen, "setting")
	}
	perms, _ := permissionsMap(t, s)
	if _, ok := perms["perm-"+tag]; ok {
		seen = append(seen, "perm")
	}
	return fmt.Sprint(seen)
}

const allVisible = "[user token room sub setting perm]"

var txTests = []test{
	{"Commit", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		v0, err := s.ConfigVersion(ctx)
		must(t, err)
		must(t, s.InTx(ctx, func(tx store.Store) error {
			if err := writeAll(ctx, tx, "a"); err != nil {
				return err
			}
			// The transaction reads its own writes.
			wantEqual(t, "visible inside the transaction", visible(t, tx, "a"), allVisible)
			return nil
		}))
		wantEqual(t, "visible after commit", visible(t, s, "a"), allVisible)
		r, err := s.Rooms().GetByName(ctx, "room-a")
		must(t, err)
		wantEqual(t, "usersCount after commit", r.UsersCount, int64(1))
		v1, err := s.ConfigVersion(ctx)
		must(t, err)
		if v1 == v0 {
			t.Errorf("ConfigVersion bumped in a committed transaction stayed %d", v1)
		}
	}},
	{"RollbackOnError", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		v0, err := s.ConfigVersion(ctx)
		must(t, err)
		err = s.InTx(ctx, func(tx store.Store) error {
			if err := writeAll(ctx, tx, "a"); err != nil {
				return err
			}
			return fmt.Errorf("wrapped: %w", errBoom)
		})
		wantErr(t, err, errBoom)
		wantEqual(t, "visible after rollback", visible(t, s, "a"), "[]")
		v1, err := s.ConfigVersion(ctx)
		must(t, err)
		wantEqual(t, "ConfigVersion after rollback", v1, v0)
		n, err := s.Users().Count(ctx)
		must(t, err)
		wantEqual(t, "users after rollback", n, 0)

		// A store error inside the transaction rolls back the earlier writes.
		must(t, s.Users().Create(ctx, newUser("taken", 1)))
		err = s.InTx(ctx, func(tx store.Store) error {
			if err := tx.Rooms().Create(ctx, newChannel("room-b", 1)); err != nil {
				return err
			}
			return tx.Users().Create(ctx, newUser("TAKEN", 2))
		})
		wantErr(t, err, store.ErrConflict)
		wantNotFound(t, s.Rooms().GetByName, "room-b")

		// The store works normally afterwards.
		must(t, writeAll(ctx, s, "c"))
		wantEqual(t, "visible after a later write", visible(t, s, "c"), allVisible)
	}},
	{"UncommittedWritesAreInvisibleOutside", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		must(t, s.InTx(ctx, func(tx store.Store) error {
			if err := writeAll(ctx, tx, "a"); err != nil {
				return err
			}
			// The outer store reads on connections of its own, as a
			// concurrent request would.
			wantEqual(t, "visible outside before commit", visible(t, s, "a"), "[]")
			return nil
		}))
		wantEqual(t, "visible after commit", visible(t, s, "a"), allVisible)
	}},
	{"NestedJoinsOuter", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		// The inner InTx commits nothing by itself: the outer failure undoes it.
		err := s.InTx(ctx, func(tx store.Store) error {
			if err := tx.InTx(ctx, func(inner store.Store) error { return writeAll(ctx, inner, "a") }); err != nil {
				return err
			}
			wantEqual(t, "inner writes seen by the outer transaction", visible(t, tx, "a"), allVisible)
			return errBoom
		})
		wantErr(t, err, errBoom)
		wantEqual(t, "visible after outer rollback", visible(t, s, "a"), "[]")

		// An inner error returned by the outer function rolls everything back.
		err = s.InTx(ctx, func(tx store.Store) error {
			if err := writeAll(ctx, tx, "b"); err != nil {
				return err
			}
			return tx.InTx(ctx, func(inner store.Store) error {
				if err := inner.Settings().Set(ctx, "inner", []byte(`1`)); err != nil {
					return err
				}
				return errBoom
			})
		})
		wantErr(t, err, errBoom)
		wantEqual(t, "visible after inner error", visible(t, s, "b"), "[]")
		if _, ok := settingsMap(t, s)["inner"]; ok {
			t.Errorf("inner write survived the rollback")
		}

		// Both commit together.
		must(t, s.InTx(ctx, func(tx store.Store) error {
			if err := writeAll(ctx, tx, "c"); err != nil {
				return err
			}
			return tx.InTx(ctx, func(inner store.Store) error { return writeAll(ctx, inner, "d") })
		}))
		wantEqual(t, "outer writes after commit", visible(t, s, "c"), allVisible)
		wantEqual(t, "inner writes after commit", visible(t, s, "d"), allVisible)
	}},
	{"PanicRollsBack", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		func() {
			defer func() {
				if p := recover(); p != errBoom {
					t.Fatalf("InTx recovered %v; want the panic to propagate", p)
				}
			}()
			_ = s.InTx(ctx, func(tx store.Store) error {
				if err := writeAll(ctx, tx, "a"); err != nil {
					return err
				}
				panic(errBoom)
			})
		}()
		wantEqual(t, "visible after panic", visible(t, s, "a"), "[]")
		// The connection went back to the pool: later writes work (and do
		// not wait for ever for it).
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		must(t, writeAll(wctx, s, "b"))
		must(t, s.InTx(ctx, func(tx store.Store) error { return writeAll(ctx, tx, "c") }))
		wantEqual(t, "visible after a later transaction", visible(t, s, "c"), allVisible)
	}},
	{"Ping", func(t *testing.T, s store.Store) {
		must(t, s.Ping(t.Context()))
		must(t, s.InTx(t.Context(), func(tx store.Store) error { return tx.Ping(t.Context()) }))
	}},
	{"CancelledContextRollsBack", func(t *testing.T, s store.Store) {
		// A transaction whose context is cancelled before it commits leaves
		// nothing behind and frees its connection.
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		err := s.InTx(ctx, func(tx store.Store) error {
			if err := tx.Settings().Set(ctx, "cancelled", []byte(`1`)); err != nil {
				return err
			}
			cancel()
			return nil
		})
		if err == nil {
			t.Fatalf("InTx committed although its context was cancelled")
		}
		if _, ok := settingsMap(t, s)["cancelled"]; ok {
			t.Errorf("write of a cancelled transaction survived")
		}
		must(t, writeAll(t.Context(), s, "after"))
	}},
}
