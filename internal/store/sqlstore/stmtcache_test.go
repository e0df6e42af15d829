package sqlstore

import (
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	sqlite "modernc.org/sqlite"

	"github.com/parleychat/parley/internal/store"
)

func openRawSQLite(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT)`); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestStmtCache(t *testing.T) {
	t.Parallel()
	c := newStmtCache(openRawSQLite(t))
	defer c.close()
	ctx := t.Context()

	const bad = `SELECT v FROM no_such_table`
	if st := c.get(ctx, bad); st != nil {
		t.Fatal("a query that does not prepare was cached")
	}
	if _, failed := c.failed[bad]; !failed {
		t.Fatal("a failed prepare is not remembered")
	}
	if c.lookup(bad); len(c.wanted) != 0 {
		t.Fatal("a query known not to prepare is wanted again")
	}

	// Callers racing on one query all get the one statement kept.
	const good = `SELECT v FROM kv WHERE k = $1`
	var wg sync.WaitGroup
	got := make([]*sql.Stmt, 8)
	for i := range got {
		wg.Go(func() { got[i] = c.get(ctx, good) })
	}
	wg.Wait()
	for i, st := range got {
		if st == nil || st != c.m[good] {
			t.Fatalf("caller %d got statement %p, the cache keeps %p", i, st, c.m[good])
		}
	}
}

func TestWrapKeepsTheDriverError(t *testing.T) {
	t.Parallel()
	db := openRawSQLite(t)
	if _, err := db.Exec(`INSERT INTO kv VALUES ('a', '1')`); err != nil {
		t.Fatal(err)
	}
	_, err := db.Exec(`INSERT INTO kv VALUES ('a', '2')`)
	err = (&Store{d: sqliteDialect}).wrap(err)
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("wrap(duplicate key) = %v, not ErrConflict", err)
	}
	var driverErr *sqlite.Error
	if !errors.As(err, &driverErr) {
		t.Fatalf("wrap(duplicate key) = %v: the driver's error is no longer in the chain", err)
	}
}
