package sqlstore_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/sqlstore"
)

// With checkpoints off the writer's path, the log must still start over
// regularly: under a steady stream of commits its file stays near the
// writer's checkpoint size instead of growing with every commit, and
// everything committed is in the database.
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
	// the full-text entry): 6,000 unbatched commits would make a log of
	// over 80 MiB if it never started over. The checkpointer runs beside
	// the writer and lags on a busy machine (a log of 36 MiB was seen with
	// other test binaries on both cores), so the bound leaves it room.
	const commits = 6000
	start := model.Now()
	for i := range commits {
		ts := start + model.Time(i)
		m := &model.Message{ID: fmt.Sprintf("m%05d", i), RID: fmt.Sprintf("room%d", i%10), Msg: fmt.Sprintf("message %d of the stream", i),
			Ts: ts, UpdatedAt: ts, U: model.UserRef{ID: "u1", Username: "ann"}, Mentions: []model.Mention{}}
		if err := s.InTx(ctx, func(tx store.Store) error { return tx.Messages().Insert(ctx, m) }); err != nil {
			t.Fatal(err)
		}
	}
	fi, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	const limit = 48 << 20
	if fi.Size() > limit {
		t.Fatalf("log is %d bytes after %d commits, want at most %d", fi.Size(), commits, limit)
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
