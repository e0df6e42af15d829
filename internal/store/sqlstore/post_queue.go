package sqlstore

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/parleychat/parley/internal/store"
)

// maxPostBatch bounds the posts one statement writes (23 arrays of it).
const maxPostBatch = 64

// postBatchTimeout bounds a batch's statement, which runs for several
// requests and so under none of their deadlines.
const postBatchTimeout = 30 * time.Second

// postQueue makes the concurrent posts of a PostgreSQL node to one room
// into one statement (postBatch). Posts to one room all update its row,
// so on PostgreSQL each waited for the row lock of the one before and
// then re-checked the row it had waited for; the batch takes the lock
// once, moves the counters once and flags each member's subscription
// once. A post with no statement of its room under way writes at once,
// alone, so an idle room's post waits for nothing; the posts that arrive
// meanwhile wait and are written together when it is done. Every post is
// still answered only after the statement that wrote it has committed.
type postQueue struct {
	mu sync.Mutex
	// waiting holds the posts of each room with a statement under way;
	// a room is a key exactly while one is.
	waiting map[string][]*queuedPost
}

type queuedPost struct {
	ctx  context.Context
	p    store.NewPost
	done chan error
}

func newPostQueue() *postQueue {
	return &postQueue{waiting: map[string][]*queuedPost{}}
}

// post writes p, in a batch with the room's other waiting posts when a
// statement of its room is under way.
func (q *postQueue) post(ctx context.Context, t messages, p store.NewPost) error {
	rid := p.Message.RID
	q.mu.Lock()
	if w, busy := q.waiting[rid]; busy {
		qp := &queuedPost{ctx: ctx, p: p, done: make(chan error, 1)}
		q.waiting[rid] = append(w, qp)
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
	q.waiting[rid] = nil
	q.mu.Unlock()
	err := t.postBatch(ctx, []store.NewPost{p})[0]
	if batch := q.next(rid); batch != nil {
		go q.drain(t, rid, batch)
	}
	return err
}

// next takes the room's next batch: the longest run of waiting posts, up
// to maxPostBatch, that agree on RoomHint (one statement checks the room
// once, for all or none). With none waiting the room is idle again.
func (q *postQueue) next(rid string) []*queuedPost {
	q.mu.Lock()
	defer q.mu.Unlock()
	w := q.waiting[rid]
	if len(w) == 0 {
		delete(q.waiting, rid)
		return nil
	}
	n := 1
	for n < len(w) && n < maxPostBatch && w[n].p.RoomHint == w[0].p.RoomHint {
		n++
	}
	batch := w[:n:n]
	q.waiting[rid] = w[n:]
	return batch
}

// drain writes the room's waiting posts, batch after batch, until none
// is left.
func (q *postQueue) drain(t messages, rid string, batch []*queuedPost) {
	for ; batch != nil; batch = q.next(rid) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(batch[0].ctx), postBatchTimeout)
		posts := make([]store.NewPost, len(batch))
		for i, qp := range batch {
			posts[i] = qp.p
		}
		errs := t.postBatch(ctx, posts)
		if len(posts) > 1 && failedWhole(errs) {
			// One post can fail a whole statement (a message id that
			// exists already); each is then written alone, to get its own
			// answer.
			for i, p := range posts {
				errs[i] = t.postBatch(ctx, []store.NewPost{p})[0]
			}
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
