package sqlstore

import (
	"context"
	"sync"

	"github.com/parleychat/parley/internal/model"
)

// roomClock hands out message timestamps on SQLite from memory. SQLite
// serves one process whose writes all pass through one connection, so the
// room row need not be locked and rewritten for each message (that is
// PostgreSQL's way, where several nodes share the room). A room's clock
// starts from the newest timestamp stored for it; a timestamp handed out to
// a transaction that then failed is simply never used.
type roomClock struct {
	mu   sync.Mutex
	last map[string]model.Time
}

func (c *roomClock) next(ctx context.Context, s *Store, rid string, want model.Time) (model.Time, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	last, ok := c.last[rid]
	if !ok {
		var stored int64
		err := s.w.QueryRowContext(ctx, `SELECT max(last_ts, COALESCE((SELECT MAX(ts) FROM messages WHERE rid = $1), 0)) FROM rooms WHERE id = $1`, rid).Scan(&stored)
		if err != nil {
			return 0, s.wrap(err)
		}
		last = model.Time(stored)
	}
	ts := max(last+1, want)
	if c.last == nil {
		c.last = map[string]model.Time{}
	}
	c.last[rid] = ts
	return ts, nil
}
