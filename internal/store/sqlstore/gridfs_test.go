package sqlstore_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/parleychat/parley/internal/files/filestest"
	"github.com/parleychat/parley/internal/store/sqlstore"
)

// TestGridFS runs the file storage suite on the database storage, on
// SQLite and on PostgreSQL.
func TestGridFS(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		filestest.Run(t, sqlstore.NewGridFS(openSQLite(t).(*sqlstore.Store)))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		filestest.Run(t, sqlstore.NewGridFS(openPostgres(t).(*sqlstore.Store)))
	})
}

// TestGridFSLeavesNoChunks checks that replaced, refused and deleted
// files leave no chunk behind.
func TestGridFSLeavesNoChunks(t *testing.T) {
	t.Parallel()
	st := openSQLite(t).(*sqlstore.Store)
	g := sqlstore.NewGridFS(st)
	ctx := context.Background()
	data := filestest.Content(3*sqlstore.GridFSChunkSize+5, 9)
	chunks := func() int {
		var n int
		if err := st.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM file_chunks`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if _, _, err := g.Put(ctx, "keyone", bytes.NewReader(data), -1); err != nil {
		t.Fatal(err)
	}
	if n := chunks(); n != 4 {
		t.Fatalf("%d chunks for a file of 3 chunks and 5 bytes", n)
	}
	if _, _, err := g.Put(ctx, "keyone", bytes.NewReader(data[:10]), -1); err != nil {
		t.Fatal(err)
	}
	if n := chunks(); n != 1 {
		t.Fatalf("%d chunks after replacing the file with 10 bytes", n)
	}
	if _, _, err := g.Put(ctx, "keytwo", bytes.NewReader(data), 2*sqlstore.GridFSChunkSize); err == nil {
		t.Fatal("an upload over the limit was kept")
	}
	if err := g.Delete(ctx, "keyone"); err != nil {
		t.Fatal(err)
	}
	var pending int
	if err := st.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM file_blobs_pending`).Scan(&pending); err != nil {
		t.Fatal(err)
	}
	if n := chunks(); n != 0 || pending != 0 {
		t.Fatalf("%d chunks and %d pending blobs left", n, pending)
	}
}
