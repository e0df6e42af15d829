package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/parleychat/parley/internal/store"
)

// SQLite has one writer, so concurrent transactions queue for it anyway.
// The batcher lets the queue share commits: it runs every waiting
// transaction inside one database transaction, each behind its own
// savepoint so that one failing leaves the others' writes intact, and
// commits once. Each caller still gets its own result only after the
// commit, so an acknowledged write is as durable as an unbatched one, and
// the per-commit cost (WAL frames, checkpoints) is paid once per batch.
type batcher struct {
	s    *Store
	jobs chan *txJob
	quit chan struct{}
	done sync.WaitGroup
	once sync.Once
}

// maxBatch bounds a batch so that one commit never holds callers too long.
const maxBatch = 128

type txJob struct {
	ctx    context.Context
	fn     func(store.Store) error
	result chan txResult
}

type txResult struct {
	err      error
	panicked bool
	panicVal any
}

var errClosed = errors.New("store: closed")

func newBatcher(s *Store) *batcher {
	b := &batcher{s: s, jobs: make(chan *txJob), quit: make(chan struct{})}
	b.done.Add(1)
	go b.loop()
	return b
}

// run submits fn and waits for its outcome.
func (b *batcher) run(ctx context.Context, fn func(store.Store) error) error {
	j := &txJob{ctx: ctx, fn: fn, result: make(chan txResult, 1)}
	select {
	case b.jobs <- j:
	case <-b.quit:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once taken, a job always finishes: the writer does not abandon a
	// transaction halfway because one caller stopped waiting.
	r := <-j.result
	if r.panicked {
		panic(r.panicVal)
	}
	return r.err
}

func (b *batcher) close() {
	b.once.Do(func() { close(b.quit) })
	b.done.Wait()
}

func (b *batcher) loop() {
	defer b.done.Done()
	for {
		var first *txJob
		select {
		case first = <-b.jobs:
		case <-b.quit:
			return
		}
		batch := b.gather(first)
		b.commit(batch)
		if b.s.wcache != nil {
			b.s.wcache.prepareWanted()
		}
	}
}

// Yielding the processor before committing lets requests that are being
// prepared on other goroutines (decoded, authorised, rendered) reach the
// queue and share the commit. Without it a batch holds two or three jobs
// under load and each pays a commit of its own: WAL frames and a full-text
// segment. The writer keeps yielding while that brings new jobs, and gives
// up after minYields fruitless ones, so a lone writer waits only a few
// scheduler round trips.
const (
	maxYields = 16
	minYields = 4
)

// gather collects the jobs waiting behind first, up to maxBatch.
func (b *batcher) gather(first *txJob) []*txJob {
	batch := []*txJob{first}
	drain := func() (took bool) {
		for len(batch) < maxBatch {
			select {
			case j := <-b.jobs:
				batch = append(batch, j)
				took = true
			default:
				return took
			}
		}
		return took
	}
	drain()
	for i := 0; i < maxYields && len(batch) < maxBatch; i++ {
		runtime.Gosched()
		if !drain() && i >= minYields-1 {
			break
		}
	}
	return batch
}

// call runs one job's function, turning a panic into a result.
func call(j *txJob, tx store.Store) (r txResult) {
	defer func() {
		if p := recover(); p != nil {
			r = txResult{panicked: true, panicVal: p}
		}
	}()
	if err := j.ctx.Err(); err != nil {
		return txResult{err: err}
	}
	if err := j.fn(tx); err != nil {
		return txResult{err: err}
	}
	// As with database/sql's BeginTx, a context cancelled before the commit
	// rolls the work back.
	return txResult{err: j.ctx.Err()}
}

func (b *batcher) commit(batch []*txJob) {
	s := b.s
	results := make([]txResult, len(batch))
	finish := func() {
		for i, j := range batch {
			j.result <- results[i]
		}
	}
	defer finish()
	// The transaction outlives any single caller's context.
	tx, err := s.writer.BeginTx(context.Background(), nil)
	if err != nil {
		for i := range results {
			results[i].err = s.wrap(err)
		}
		return
	}
	q := s.txQuerier(tx)
	txs := s.txStore(q)
	txs.pending = &batchPending{}
	// Runs before finish: no caller sees its result while a room it
	// changed may still be kept as it was.
	defer txs.pending.changed.forget(s.rooms)
	if len(batch) == 1 {
		results[0] = call(batch[0], txs)
		if results[0].err != nil || results[0].panicked {
			_ = tx.Rollback()
			return
		}
	} else {
		shared := s.txStore(jobTx{q})
		shared.pending = txs.pending
		for i, j := range batch {
			if _, err := tx.Exec(`SAVEPOINT job`); err != nil {
				results[i].err = s.wrap(err)
				continue
			}
			results[i] = call(j, shared)
			if results[i].err != nil || results[i].panicked {
				if _, err := tx.Exec(`ROLLBACK TO job`); err != nil {
					b.abort(tx, results, fmt.Errorf("rollback to savepoint: %w", err))
					return
				}
			}
			if _, err := tx.Exec(`RELEASE job`); err != nil {
				b.abort(tx, results, fmt.Errorf("release savepoint: %w", err))
				return
			}
		}
	}
	if err := txs.pending.fts.flush(context.Background(), txs); err != nil {
		b.abort(tx, results, err)
		return
	}
	if err := tx.Commit(); err != nil {
		b.fail(results, s.wrap(err))
		return
	}
	if s.ckpt != nil {
		s.ckpt.committed(len(batch))
	}
}

// jobTx runs the statements of a job that shares its transaction with
// others. When a context ends mid-statement, the driver interrupts the
// connection, and SQLite answers an interrupted write by rolling back the
// whole transaction: every other job's work would go too. So a statement
// that has started runs to its end; a job whose context has ended fails at
// its next statement, and call rolls it back to its savepoint.
type jobTx struct{ q querier }

// detach keeps ctx's values but not its cancellation, unless ctx has
// already ended: then database/sql fails the statement before it starts.
func detach(ctx context.Context) context.Context {
	if ctx.Err() != nil {
		return ctx
	}
	return context.WithoutCancel(ctx)
}

func (q jobTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return q.q.ExecContext(detach(ctx), query, args...)
}

func (q jobTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return q.q.QueryContext(detach(ctx), query, args...)
}

func (q jobTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return q.q.QueryRowContext(detach(ctx), query, args...)
}

// abort rolls the whole batch back after a savepoint failed.
func (b *batcher) abort(tx interface{ Rollback() error }, results []txResult, err error) {
	_ = tx.Rollback()
	b.fail(results, err)
}

// fail marks every job that had succeeded as failed with err.
func (b *batcher) fail(results []txResult, err error) {
	for i := range results {
		if results[i].err == nil && !results[i].panicked {
			results[i].err = err
		}
	}
}
