package api

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
)

// answerBudget bounds the memory held by answers that are still being
// written. A client that asks for large answers and never reads them
// makes the server hold each one until the write deadline; many such
// clients could hold gigabytes. Answers under budgetFrom bytes are not
// counted (the kernel's socket buffer takes them); larger ones are refused
// with a 503 once the server holds limit bytes, or once one client (a
// user, or an address before login) holds a quarter of it. A single answer
// larger than a client's share still goes out when that client holds
// nothing else and the server holds nothing else either.
type answerBudget struct {
	mu    sync.Mutex
	limit int64
	total int64
	held  map[string]int64
	// inUse mirrors total for the lock-free check of saturated.
	inUse atomic.Int64
	// clients are the requests each client has running (see enter).
	clients map[string]*clientSlots
}

// clientSlots bounds one client's requests in flight.
type clientSlots struct {
	sem  chan struct{}
	refs int
}

// slotsPerClient is how many requests one logged-in user has running at
// once; more wait for a turn. A browser
// opens six connections to a server, so honest clients rarely wait. It
// keeps a burst of large reads from one client from loading hundreds of
// answers before the first of them shows the client does not read.
const slotsPerClient = 8

// slotsPool keeps a user's slots for the next user once their requests
// are done: most users have one request at a time, and one allocation per
// request would be for nothing.
var slotsPool = sync.Pool{New: func() any { return &clientSlots{sem: make(chan struct{}, slotsPerClient)} }}

// enter waits for one of key's slots; it reports false when ctx ended
// first. release must be called after a true.
func (b *answerBudget) enter(ctx context.Context, key string) bool {
	b.mu.Lock()
	cs := b.clients[key]
	if cs == nil {
		cs = slotsPool.Get().(*clientSlots)
		b.clients[key] = cs
	}
	cs.refs++
	b.mu.Unlock()
	select {
	case cs.sem <- struct{}{}:
		return true
	default:
	}
	select {
	case cs.sem <- struct{}{}:
		return true
	case <-ctx.Done():
		b.leave(key, cs, false)
		return false
	}
}

func (b *answerBudget) leave(key string, cs *clientSlots, held bool) {
	if held {
		<-cs.sem
	}
	b.mu.Lock()
	cs.refs--
	if cs.refs == 0 {
		// Nobody holds or waits for a slot: the channel is empty.
		delete(b.clients, key)
		slotsPool.Put(cs)
	}
	b.mu.Unlock()
}

// exit gives back the slot enter took.
func (b *answerBudget) exit(key string) {
	b.mu.Lock()
	cs := b.clients[key]
	b.mu.Unlock()
	b.leave(key, cs, true)
}

const budgetFrom = 32 << 10

func newAnswerBudget(limit int64) *answerBudget {
	if limit <= 0 {
		return nil
	}
	return &answerBudget{limit: limit, held: map[string]int64{}, clients: map[string]*clientSlots{}}
}

func (b *answerBudget) acquire(key string, n int64) bool {
	if b == nil || n < budgetFrom {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	h := b.held[key]
	if h > 0 && h+n > b.limit/4 {
		return false
	}
	if b.total > 0 && b.total+n > b.limit {
		return false
	}
	b.total += n
	b.inUse.Store(b.total)
	b.held[key] = h + n
	return true
}

// saturated says whether a request of key should be refused before it
// runs: its client holds large answers it has not read (1/32 of the budget,
// 1 MiB by default), or the server half of its budget. Refusing then saves
// loading an answer that could not be sent, whose garbage would raise the
// heap as much as the answers held.
func (b *answerBudget) saturated(key string) bool {
	if b == nil || b.inUse.Load() == 0 {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.held[key] >= b.limit/32 || b.total >= b.limit/2
}

func (b *answerBudget) release(key string, n int64) {
	if b == nil || n < budgetFrom {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.total -= n
	b.inUse.Store(b.total)
	if h := b.held[key] - n; h > 0 {
		b.held[key] = h
	} else {
		delete(b.held, key)
	}
}

// budgetOf is the budget and whom w's answer is counted against; nil
// when w is not the server's own writer (tests of bare handlers).
func budgetOf(w http.ResponseWriter) (*answerBudget, string) {
	sw, ok := w.(*statusWriter)
	if !ok || sw.budget == nil {
		return nil, ""
	}
	if sw.userID != "" {
		return sw.budget, sw.userID
	}
	return sw.budget, sw.srv.clientIP(sw.req)
}

// writeBusy refuses an answer the budget has no room for.
func writeBusy(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Retry-After", strconv.Itoa(1))
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write([]byte(`{"success":false,"error":"The server is busy, try again later [error-server-busy]","errorType":"error-server-busy"}` + "\n"))
}

// budgetedWriter holds back the status of an encoder's answer until its
// one Write, when the size is known, and refuses it if the budget has no
// room. encoding/json's Encoder writes an answer in a single Write.
type budgetedWriter struct {
	w      http.ResponseWriter
	status int
	b      *answerBudget
	key    string
}

func (bw *budgetedWriter) Write(p []byte) (int, error) {
	if bw.status == 0 {
		return bw.w.Write(p)
	}
	status := bw.status
	bw.status = 0
	n := int64(len(p))
	if !bw.b.acquire(bw.key, n) {
		writeBusy(bw.w)
		return len(p), nil
	}
	defer bw.b.release(bw.key, n)
	bw.w.WriteHeader(status)
	return bw.w.Write(p)
}
