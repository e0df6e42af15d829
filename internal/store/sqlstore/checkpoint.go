package sqlstore

import (
	"context"
	"database/sql"
	"log/slog"
	"sync/atomic"
	"time"
)

// checkpointer copies SQLite's write-ahead log into the database file on a
// connection of its own, beside the writer. Left to the writer, every
// 1,000 pages of log a checkpoint ran after a commit, in the writer's
// path: the commits waiting behind it waited for it too, and it took a
// seventh of the writer's time under load. Here it runs on the other core
// while the writer goes on, once checkpointEveryWrites transactions have
// committed since its last run (about 1,000 pages of log, as SQLite's own
// default), and at most once per checkpointPause. Each checkpoint syncs the
// log and the file to disk; running one after every commit made those
// syncs stall the writer's next commits at low load (a p99 of 126 ms at
// 17 requests/s, against 7 ms).
//
// The writer still checkpoints by itself once the log holds
// writerCheckpointFrames pages. By then this one has copied nearly every
// frame, so that checkpoint is short; and only a checkpoint by the writer
// lets SQLite start the log over from its beginning, which keeps the log
// file at about writerCheckpointFrames pages (16 MiB). It also bounds the
// log if this one falls behind.
type checkpointer struct {
	db *sql.DB
	// writes counts the jobs of the batches committed since the last
	// checkpoint: a cheap measure of how much log they added.
	writes atomic.Int64
	kick   chan struct{}
	quit   chan struct{}
	done   chan struct{}
}

const (
	checkpointEveryWrites  = 250
	checkpointPause        = 50 * time.Millisecond
	writerCheckpointFrames = 4000
)

func newCheckpointer(db *sql.DB) *checkpointer {
	c := &checkpointer{db: db, kick: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c
}

// committed tells the checkpointer that n transactions have added to the
// log.
func (c *checkpointer) committed(n int) {
	if c.writes.Add(int64(n)) < checkpointEveryWrites {
		return
	}
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop() {
	defer close(c.done)
	pause := time.NewTimer(0)
	defer pause.Stop()
	for {
		select {
		case <-c.kick:
		case <-c.quit:
			return
		}
		c.writes.Store(0)
		// PASSIVE never waits for readers or the writer: it copies what it
		// can and leaves the rest to the next round.
		if _, err := c.db.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`); err != nil {
			slog.Warn("sqlite checkpoint", "err", err)
		}
		pause.Reset(checkpointPause)
		select {
		case <-pause.C:
		case <-c.quit:
			return
		}
	}
}

// close stops the loop and closes the connection. The store closes it
// before the writer, so that the writer's closing folds the log into the
// file.
func (c *checkpointer) close() error {
	close(c.quit)
	<-c.done
	return c.db.Close()
}
