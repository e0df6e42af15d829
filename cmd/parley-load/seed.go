package main

import (
	"context"
	"fmt"
	"time"

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

// seedDirect writes perRoom messages into each room of the SQLite database
// in dataDir, round-robin over the rooms as the API seeding does, while the
// server is stopped. Posting 10^6 messages through the API takes about 25
// minutes here; the store takes under two minutes.
//
// The rows are those Parley itself writes for a plain post (same document,
// md tree, indexes and full-text entries, room counters and last message),
// through the same store code. Only the members' unread counters are left
// alone: they do not change what the measured requests read.
func seedDirect(ctx context.Context, dataDir string, fx *fixture, perRoom int, logf func(string, ...any)) error {
	total := perRoom * len(fx.roomIDs)
	if total == 0 {
		return nil
	}
	st, err := sqlstore.Open(ctx, "", dataDir, sqlstore.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	if st.Dialect() != "sqlite" {
		return fmt.Errorf("direct seeding needs SQLite, not %s", st.Dialect())
	}
	u := model.UserRef{ID: fx.admin.userID, Username: fx.admin.username, Name: fx.adminName}
	opts := markdown.DefaultOptions()
	// Older than anything the measured runs post, so that the newest end
	// of each room is what the runs write, as in a live server.
	base := int64(model.Now()) - int64(total) - int64(2*time.Hour/time.Millisecond)
	// chat.postMessage sets these two on a message without attachments.
	no, yes := false, true
	t0 := time.Now()
	for from := 0; from < total; from += seedTxSize {
		to := min(from+seedTxSize, total)
		err := st.InTx(ctx, func(tx store.Store) error {
			last := map[string]*model.Message{}
			count := map[string]int{}
			for n := from; n < to; n++ {
				text := messageText(n)
				md, err := markdown.Parse(text, opts)
				if err != nil {
					return err
				}
				ts := model.Time(base + int64(n))
				m := &model.Message{
					ID: model.NewID(), RID: fx.roomIDs[n%len(fx.roomIDs)], Msg: text, Ts: ts, UpdatedAt: ts, U: u, MD: md,
					Groupable: &no, ParseURLs: &yes,
				}
				if err := tx.Messages().Insert(ctx, m); err != nil {
					return err
				}
				last[m.RID] = m
				count[m.RID]++
			}
			for rid, n := range count {
				if err := tx.Rooms().AddMessages(ctx, rid, n, last[rid]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("seeding messages %d–%d: %w", from, to, err)
		}
		if to%(20*seedTxSize) == 0 || to == total {
			logf("seeded %d of %d messages through the store (%.0f/s)", to, total, float64(to)/time.Since(t0).Seconds())
		}
	}
	// A checkpoint now keeps the first measured run from paying for the
	// seeding's write-ahead log.
	_, err = st.DB().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}
