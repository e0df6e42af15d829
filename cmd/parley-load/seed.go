package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleychat/parley/internal/markdown"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/sqlstore"
)

// seedTxSize is the number of messages per transaction when seeding
// through the store: large enough that commits cost nothing next to the
// inserts, small enough that the full-text flush at each commit stays
// short.
const seedTxSize = 5000

// seeder writes messages fromPerRoom…toPerRoom of each room (round-robin
// over the rooms, as the API seeding does) while the servers are stopped.
// Posting 10^6 messages through the API takes about 25 minutes here; the
// store takes under two minutes on SQLite, COPY well under that on
// PostgreSQL.
//
// The rows are those Parley itself writes for a plain post (same document
// and md tree, same columns, room counters and last message). Only the
// members' unread counters are left alone: they do not change what the
// measured requests read.
type seeder struct {
	db, dataDir string
	fx          *fixture
	// maxTotal is the largest number of messages any step will seed, so
	// that every seeded message is older than anything the runs post and
	// later steps extend the seeded range without overlapping it.
	maxTotal int
	base     int64
	logf     func(string, ...any)
}

func newSeeder(db, dataDir string, fx *fixture, maxPerRoom int, logf func(string, ...any)) *seeder {
	total := maxPerRoom * len(fx.roomIDs)
	base := int64(model.Now()) - int64(total) - int64(2*time.Hour/time.Millisecond)
	return &seeder{db: db, dataDir: dataDir, fx: fx, maxTotal: total, base: base, logf: logf}
}

// message is seeded message n, as chat.postMessage would store it.
func (s *seeder) message(n int) (*model.Message, error) {
	text := messageText(n)
	md, err := markdown.Parse(text, markdown.DefaultOptions())
	if err != nil {
		return nil, err
	}
	ts := model.Time(s.base + int64(n))
	// chat.postMessage sets these two on a message without attachments.
	no, yes := false, true
	u := model.UserRef{ID: s.fx.admin.userID, Username: s.fx.admin.username, Name: s.fx.adminName}
	return &model.Message{
		ID: model.NewID(), RID: s.fx.roomIDs[n%len(s.fx.roomIDs)], Msg: text, Ts: ts, UpdatedAt: ts, U: u, MD: md,
		Groupable: &no, ParseURLs: &yes,
	}, nil
}

// lastOf is what a step seeding from message from may make a room's last
// message: only the first step's newest message is one; later steps write
// older messages than those the runs have posted since.
func (s *seeder) lastOf(from int, m *model.Message) *model.Message {
	if from > 0 {
		return nil
	}
	return m
}

func (s *seeder) seed(ctx context.Context, fromPerRoom, toPerRoom int) error {
	from, to := fromPerRoom*len(s.fx.roomIDs), toPerRoom*len(s.fx.roomIDs)
	if to <= from {
		return nil
	}
	if strings.HasPrefix(s.db, "postgres") {
		return s.seedPostgres(ctx, from, to)
	}
	return s.seedSQLite(ctx, from, to)
}

// seedSQLite goes through Parley's own store, 5,000 messages a
// transaction.
func (s *seeder) seedSQLite(ctx context.Context, from, total int) error {
	st, err := sqlstore.Open(ctx, "", s.dataDir, sqlstore.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	if st.Dialect() != "sqlite" {
		return fmt.Errorf("expected SQLite, found %s", st.Dialect())
	}
	t0 := time.Now()
	for lo := from; lo < total; lo += seedTxSize {
		hi := min(lo+seedTxSize, total)
		err := st.InTx(ctx, func(tx store.Store) error {
			last := map[string]*model.Message{}
			count := map[string]int{}
			for n := lo; n < hi; n++ {
				m, err := s.message(n)
				if err != nil {
					return err
				}
				if err := tx.Messages().Insert(ctx, m); err != nil {
					return err
				}
				last[m.RID] = m
				count[m.RID]++
			}
			for rid, n := range count {
				if err := tx.Rooms().AddMessages(ctx, rid, n, s.lastOf(from, last[rid])); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("seeding messages %d–%d: %w", lo, hi, err)
		}
		if hi%(20*seedTxSize) == 0 || hi == total {
			s.logf("seeded %d of %d messages through the store (%.0f/s)", hi, total, float64(hi-from)/time.Since(t0).Seconds())
		}
	}
	// A checkpoint now keeps the first measured run from paying for the
	// seeding's write-ahead log.
	_, err = st.DB().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

// seedPostgres COPYs the rows in one transaction and adds each room's
// visible count once. The room's message count and last message then go
// through the store, as a post's do. VACUUM ANALYZE at the end leaves
// the table as a server that has run for a while has it: statistics, and
// the visibility map that lets the first reads skip setting hint bits.
func (s *seeder) seedPostgres(ctx context.Context, from, total int) error {
	t0 := time.Now()
	conn, err := pgx.Connect(ctx, s.db)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.Background())
	last := map[string]*model.Message{}
	count := map[string]int{}
	n := from
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if n >= total {
			return nil, nil
		}
		m, err := s.message(n)
		if err != nil {
			return nil, err
		}
		n++
		last[m.RID] = m
		count[m.RID]++
		// The document is the message without the counters the columns
		// hold, which are all zero for a plain post.
		doc, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		if n%200000 == 0 {
			s.logf("copied %d of %d messages (%.0f/s)", n, total, float64(n-from)/time.Since(t0).Seconds())
		}
		return []any{m.ID, m.RID, int64(m.Ts), m.T, m.U.ID, m.Msg, nil, false, false, false, nil,
			int64(0), nil, int64(0), nil, int64(m.UpdatedAt), doc}, nil
	})
	cols := []string{"id", "rid", "ts", "t", "u_id", "msg", "tmid", "tshow", "hidden", "pinned", "drid",
		"tcount", "tlm", "dcount", "dlm", "updated_at", "doc"}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"messages"}, cols, src); err != nil {
		return fmt.Errorf("copying messages %d–%d: %w", from, total, err)
	}
	for rid, k := range count {
		if _, err := tx.Exec(ctx, `UPDATE rooms SET visible_msgs = visible_msgs + $2 WHERE id = $1`, rid, k); err != nil {
			return err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	st, err := sqlstore.Open(ctx, s.db, s.dataDir, sqlstore.Options{MaxConns: 2})
	if err != nil {
		return err
	}
	defer st.Close()
	for rid, k := range count {
		if err := st.Rooms().AddMessages(ctx, rid, k, s.lastOf(from, last[rid])); err != nil {
			return err
		}
	}
	s.logf("copied %d messages in %s; vacuuming", total-from, time.Since(t0).Round(time.Millisecond))
	if _, err := conn.Exec(ctx, `VACUUM ANALYZE messages`); err != nil {
		return err
	}
	// As on SQLite, the first measured runs must not pay for writing out
	// the seeding: a checkpoint now flushes its pages, where the
	// checkpointer would otherwise spread that work over the next minutes.
	// It needs superuser or pg_checkpoint rights; without them the runs
	// start on a pending checkpoint, and the log says so.
	if _, err := conn.Exec(ctx, `CHECKPOINT`); err != nil {
		s.logf("no checkpoint after seeding (%v): the first runs share the machine with it", err)
	}
	s.logf("seeded %d of %d messages by COPY in %s (%.0f/s)", total-from, total, time.Since(t0).Round(time.Millisecond),
		float64(total-from)/time.Since(t0).Seconds())
	return nil
}

// analyzeAfterAPISeeding gives PostgreSQL the statistics of the messages
// just posted through the API, as autovacuum would within a minute or so
// on a server that keeps running. Without them the planner may still see
// the few rows of its last look at the table, and read a whole room and
// sort it for a page of 50: the first runs of a sitting then measured
// the timing of autovacuum (history reads at a fifth of their rate),
// not the server.
func analyzeAfterAPISeeding(ctx context.Context, db string) error {
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, `ANALYZE messages, rooms, subscriptions`)
	return err
}
