package sqlstore_test

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/sqlstore"
)

// walRestarts reads the checkpoint sequence number of the log's header
// (bytes 12–15, big-endian), which SQLite increments each time the log
// starts over from its beginning.
func walRestarts(t *testing.T, path string) uint32 {
	t.Helper()
	f, err := os.Open(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var hdr [16]byte
	if _, err := io.ReadFull(f, hdr[:]); err != nil {
		t.Fatal(err)
	}
	return binary.BigEndian.Uint32(hdr[12:])
}

// With checkpoints off the writer's path, the log must still start over
// regularly: under a steady stream of commits it restarts from its
// beginning instead of growing with every commit, and everything
// committed is in the database.
func TestSQLiteLogStaysBounded(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	path := filepath.Join(dir, "parley.db")
	s, err := sqlstore.Open(ctx, "sqlite:"+path, dir, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Each commit writes several pages of log (the message, its indexes,
	// the full-text entry): 6,000 unbatched commits make over 80 MiB of
	// log. On a quiet machine the log starts over 16 or 17 times and its
	// file stays near 20 MiB. The checkpointer runs beside the writer and
	// lags on a busy machine, where the file has been seen to reach
	// 64 MiB, so the test asks for restarts, not for a size.
	const commits = 6000
	start := model.Now()
	var first uint32
	for i := range commits {
		ts := start + model.Time(i)
		m := &model.Message{ID: fmt.Sprintf("m%05d", i), RID: fmt.Sprintf("room%d", i%10), Msg: fmt.Sprintf("message %d of the stream", i),
			Ts: ts, UpdatedAt: ts, U: model.UserRef{ID: "u1", Username: "ann"}, Mentions: []model.Mention{}}
		if err := s.InTx(ctx, func(tx store.Store) error { return tx.Messages().Insert(ctx, m) }); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = walRestarts(t, path)
		}
	}
	restarts := walRestarts(t, path) - first
	fi, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the log started over %d times; its file is %d MiB", restarts, fi.Size()>>20)
	if restarts == 0 {
		t.Fatalf("the log never started over in %d commits; its file is %d bytes", commits, fi.Size())
	}
	n, err := s.Messages().Count(ctx, store.MessageFilter{})
	if err != nil || n != commits {
		t.Fatalf("Count = %d, %v; want %d", n, err, commits)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// A clean close folds the log into the file and removes it.
	if _, err := os.Stat(path + "-wal"); !os.IsNotExist(err) {
		t.Fatalf("log still there after Close: %v", err)
	}
}
