package sqlstore

import (
	"context"
	"errors"
	"hash/fnv"
	"runtime"
	"sync"
	"time"

	"github.com/parleychat/parley/internal/store"
)

// maxPostBatch bounds the posts one statement writes.
const maxPostBatch = 64

// postBatchTimeout bounds a batch's statement, which runs for several
// requests and so under none of their deadlines.
const postBatchTimeout = 30 * time.Second

// postLanes is how many post statements a node runs at once: one for
// every four cores, at least one. A statement's fixed cost (its round
// trip, starting its plan, the commit) is paid once per batch, so fewer
// lanes make larger batches and less work per post, but each lane is one
// PostgreSQL backend at a time. On 2 cores one lane wrote the most posts
// (docs/performance.md). Posts of one room always take the same lane, so
// a room has one statement under way at a time and its posts are written
// in the order they came.
var postLanes = max(1, runtime.GOMAXPROCS(0)/4)

// postQueue makes the concurrent posts of a PostgreSQL node into few
// statements (postBatch), as SQLite's shared commits do. Each statement
// has a fixed cost (its round trip, starting its plan, the commit) that a
// post alone paid in full; posts to one room also all update its row, so
// each waited for the row lock of the one before and then re-checked the
// row it had waited for. A batch pays the fixed cost once, and takes each
// room's lock once, moves its counters once and flags each of its
// members' subscriptions once. A post whose lane has no statement under
// way writes at once, alone, so a post to an idle node waits for nothing;
// the posts that arrive meanwhile wait and are written together when it
// is done. Every post is still answered only after the statement that
// wrote it has committed.
type postQueue struct {
	mu sync.Mutex
	// waiting holds the posts of each lane with a statement under way; a
	// lane is a key exactly while one is.
	waiting map[int][]*queuedPost
}

type queuedPost struct {
	ctx  context.Context
	p    store.NewPost
	done chan error
}

func newPostQueue() *postQueue {
	return &postQueue{waiting: map[int][]*queuedPost{}}
}

// laneOf gives a room its lane.
func laneOf(rid string) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(rid))
	return int(h.Sum32() % uint32(postLanes))
}

// post writes p, in a batch with its lane's other waiting posts when a
// statement of its lane is under way.
func (q *postQueue) post(ctx context.Context, t messages, p store.NewPost) error {
	lane := laneOf(p.Message.RID)
	q.mu.Lock()
	if w, busy := q.waiting[lane]; busy {
		qp := &queuedPost{ctx: ctx, p: p, done: make(chan error, 1)}
		q.waiting[lane] = append(w, qp)
		q.mu.Unlock()
		select {
		case err := <-qp.done:
			return err
		case <-ctx.Done():
			// The post may still be written, as one whose client went
			// away after sending it may be; it is not acknowledged.
			return ctx.Err()
		}
	}
	q.waiting[lane] = nil
	q.mu.Unlock()
	err := t.postBatch(ctx, []store.NewPost{p})[0]
	if batch := q.next(lane); batch != nil {
		go q.drain(t, lane, batch)
	}
	return err
}

// next takes the lane's next batch: the longest run of waiting posts, up
// to maxPostBatch, in which the posts of each room agree on RoomHint (one
// statement checks a room once, for all its posts or none). With none
// waiting the lane is idle again.
func (q *postQueue) next(lane int) []*queuedPost {
	q.mu.Lock()
	defer q.mu.Unlock()
	w := q.waiting[lane]
	if len(w) == 0 {
		delete(q.waiting, lane)
		return nil
	}
	hints := map[string]bool{}
	n := 0
	for ; n < len(w) && n < maxPostBatch; n++ {
		rid, hint := w[n].p.Message.RID, w[n].p.RoomHint
		if h, seen := hints[rid]; seen && h != hint {
			break
		}
		hints[rid] = hint
	}
	batch := w[:n:n]
	q.waiting[lane] = w[n:]
	return batch
}

// drain writes the lane's waiting posts, batch after batch, until none
// is left.
func (q *postQueue) drain(t messages, lane int, batch []*queuedPost) {
	for ; batch != nil; batch = q.next(lane) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(batch[0].ctx), postBatchTimeout)
		posts := make([]store.NewPost, len(batch))
		for i, qp := range batch {
			posts[i] = qp.p
		}
		errs := t.postBatch(ctx, posts)
		if len(posts) > 1 && failedWhole(errs) {
			errs = t.retryFailedBatch(ctx, posts, errs)
		}
		cancel()
		for i, qp := range batch {
			qp.done <- errs[i]
		}
	}
}

// failedWhole says a batch's statement failed as a whole: every post has
// the same error, and not the one a changed room or membership gives.
func failedWhole(errs []error) bool {
	for _, err := range errs {
		if err == nil || errors.Is(err, store.ErrChanged) || err != errs[0] {
			return false
		}
	}
	return true
}

// retryFailedBatch answers the posts of a batch whose statement failed as
// a whole, with the error failed. One post can do that, most often with
// an id that exists already (a client may choose its message's id): the
// posts whose ids are taken are answered store.ErrConflict and the others
// written again in one statement, so that one client's taken id does not
// cost every other post of the batch a statement of its own. Failing
// that, each post is written alone, to get its own answer.
func (t messages) retryFailedBatch(ctx context.Context, posts []store.NewPost, failed []error) []error {
	if errors.Is(failed[0], store.ErrConflict) {
		if errs, ok := t.postWithoutTaken(ctx, posts); ok {
			return errs
		}
	}
	errs := make([]error, len(posts))
	for i, p := range posts {
		errs[i] = t.postBatch(ctx, []store.NewPost{p})[0]
	}
	return errs
}

// postWithoutTaken writes the posts whose ids are not taken in one
// statement, and answers the others store.ErrConflict; ok is false when
// no id was found taken or the statement failed as a whole again.
func (t messages) postWithoutTaken(ctx context.Context, posts []store.NewPost) (errs []error, ok bool) {
	ids := make([]string, len(posts))
	for i, p := range posts {
		ids[i] = p.Message.ID
	}
	rows, err := t.s.w.QueryContext(ctx, `SELECT id FROM messages WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, false
	}
	taken := map[string]bool{}
	for rows.Next() {
		var id string
		if rows.Scan(&id) == nil {
			taken[id] = true
		}
	}
	if rows.Close() != nil || rows.Err() != nil || len(taken) == 0 {
		return nil, false
	}
	errs = make([]error, len(posts))
	var (
		rest []store.NewPost
		at   []int
	)
	for i, p := range posts {
		if taken[p.Message.ID] {
			errs[i] = store.ErrConflict
			continue
		}
		rest, at = append(rest, p), append(at, i)
	}
	if len(rest) == 0 {
		return errs, true
	}
	restErrs := t.postBatch(ctx, rest)
	if len(rest) > 1 && failedWhole(restErrs) {
		return nil, false
	}
	for j, err := range restErrs {
		errs[at[j]] = err
	}
	return errs, true
}
