package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/sqlstore"
	"github.com/parleychat/parley/internal/store/storetest"
)

// openSQLite opens a fresh SQLite store in t.TempDir() and closes it when
// the test ends.
func openSQLite(t testing.TB) store.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := sqlstore.Open(ctx, "", t.TempDir(), sqlstore.Options{})
	if err != nil {
		t.Fatalf("open SQLite store: %v", err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("close SQLite store: %v", err)
		}
	})
	return st
}

// openPostgres opens a store on a fresh, empty PostgreSQL schema (see
// storetest.PostgresURL), closes it and drops the schema when the test ends. It skips
// the test when PARLEY_TEST_POSTGRES_URL is not set.
func openPostgres(t testing.TB) store.Store {
	t.Helper()
	u := storetest.PostgresURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// A small pool: many tests and packages share one server.
	st, err := sqlstore.Open(ctx, u, "", sqlstore.Options{MaxConns: 10})
	if err != nil {
		t.Fatalf("open PostgreSQL store: %v", err)
	}
	// Registered after PostgresURL's cleanup, so it runs before the schema
	// is dropped.
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("close PostgreSQL store: %v", err)
		}
	})
	return st
}
