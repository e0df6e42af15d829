package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache prepares each distinct query once per pool. modernc's SQLite
// driver otherwise compiles every statement on every execution, which
// costs about a fifth of a message post; pgx caches statements itself, so
// only SQLite uses this.
type stmtCache struct {
	db *sql.DB
	mu sync.RWMutex
	m  map[string]*sql.Stmt
	// wanted lists queries first seen inside a transaction. They cannot be
	// prepared there: the writer's only connection is the transaction's.
	// The batcher prepares them between transactions.
	wanted map[string]struct{}
	// failed lists queries whose prepare failed; they run unprepared.
	failed map[string]struct{}
}

// maxCachedStmts bounds the cache: queries with variable-length IN lists
// are distinct texts, and an unbounded cache would grow with them.
const maxCachedStmts = 512

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}, wanted: map[string]struct{}{}, failed: map[string]struct{}{}}
}

// lookup returns q's prepared statement without preparing it; a miss is
// noted for prepareWanted.
func (c *stmtCache) lookup(q string) *sql.Stmt {
	c.mu.RLock()
	st := c.m[q]
	c.mu.RUnlock()
	if st == nil {
		c.mu.Lock()
		if _, failed := c.failed[q]; !failed && len(c.m)+len(c.wanted) < maxCachedStmts {
			c.wanted[q] = struct{}{}
		}
		c.mu.Unlock()
	}
	return st
}

// prepareWanted prepares the queries lookup missed. Call it only while no
// transaction holds the writer.
func (c *stmtCache) prepareWanted() {
	c.mu.RLock()
	n := len(c.wanted)
	c.mu.RUnlock()
	if n == 0 {
		return
	}
	c.mu.Lock()
	wanted := c.wanted
	c.wanted = map[string]struct{}{}
	c.mu.Unlock()
	for q := range wanted {
		c.get(context.Background(), q)
	}
}

// get returns the prepared statement for q, or nil when q is not cached
// (the cache is full, or q does not prepare: the caller then runs it
// directly and reports its error). Preparing runs outside the lock, so a
// slow prepare never stalls the lookups of other queries; when two callers
// race on one query, the first statement stored wins and the other closes.
func (c *stmtCache) get(ctx context.Context, q string) *sql.Stmt {
	c.mu.RLock()
	st := c.m[q]
	_, failed := c.failed[q]
	n := len(c.m) + len(c.failed)
	c.mu.RUnlock()
	if st != nil || failed || n >= maxCachedStmts {
		return st
	}
	st, err := c.db.PrepareContext(context.WithoutCancel(ctx), q)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		// A query that does not prepare would fail the same way on every
		// call; trying again would only add a round of parsing to each.
		c.failed[q] = struct{}{}
		return nil
	}
	if prev := c.m[q]; prev != nil {
		st.Close()
		return prev
	}
	c.m[q] = st
	return st
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = map[string]*sql.Stmt{}
}

// cachedPool runs queries on a pool through its statement cache.
type cachedPool struct{ c *stmtCache }

func (p cachedPool) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := p.c.get(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.c.db.ExecContext(ctx, q, args...)
}

func (p cachedPool) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := p.c.get(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.c.db.QueryContext(ctx, q, args...)
}

func (p cachedPool) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := p.c.get(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.c.db.QueryRowContext(ctx, q, args...)
}

// cachedTx runs queries in a transaction with the writer's prepared
// statements. The transaction's statement handles close with it.
type cachedTx struct {
	tx *sql.Tx
	c  *stmtCache
}

func (t cachedTx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := t.c.lookup(q); st != nil {
		return t.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, q, args...)
}

func (t cachedTx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := t.c.lookup(q); st != nil {
		return t.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, q, args...)
}

func (t cachedTx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := t.c.lookup(q); st != nil {
		return t.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, q, args...)
}
