package realtime

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/parleychat/parley/internal/model"
)

// outFrame is one item of a connection's send queue: a frame, or, with
// code set, the close that follows the frames queued before it.
type outFrame struct {
	data   []byte
	code   websocket.StatusCode
	reason string
}

// conn is one websocket client.
type conn struct {
	s    *Server
	ws   *websocket.Conn
	out  *coalescer
	id   string // the DDP session id
	addr string

	ctx    context.Context
	cancel context.CancelFunc
	// queue holds the frames waiting for the writer, which wake rouses.
	qmu   sync.Mutex
	queue []outFrame
	wake  chan struct{}
	// inbound carries the frames processed in order by the worker, which
	// runs only while there are some: an idle connection keeps no worker
	// goroutine (and no stack grown by its last call).
	inbound chan inFrame
	working atomic.Bool
	workers sync.WaitGroup

	lastRecv  atomic.Int64 // unix nanoseconds
	closeOnce sync.Once

	mu     sync.Mutex
	user   *model.User
	hashed string          // the login token's hash
	subs   map[string]*sub // by DDP subscription id
}

// inFrame is a parsed frame waiting for the worker.
type inFrame struct {
	msg  string
	raw  []byte
	keys map[string]json.RawMessage
}

func newConn(s *Server, ws *websocket.Conn, out *coalescer, addr string) *conn {
	ctx, cancel := context.WithCancel(s.ctx)
	c := &conn{
		s: s, ws: ws, out: out, id: sessionID(), addr: addr, ctx: ctx, cancel: cancel,
		wake: make(chan struct{}, 1), inbound: make(chan inFrame, 16),
		subs: map[string]*sub{},
	}
	c.lastRecv.Store(time.Now().UnixNano())
	return c
}

// sessionID is a random session id for the connected frame.
func sessionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// serve runs the connection: the writer (with the heartbeat) and the
// in-order worker beside the reader, until one of them ends it.
func (c *conn) serve() {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); c.writer() }()
	// Meteor's greeting, which clients read past.
	c.enqueue([]byte(`{"server_id":"0"}`))
	c.reader()
	c.cancel()
	wg.Wait()
	c.workers.Wait()
	c.mu.Lock()
	u, subs := c.user, c.subs
	c.user, c.subs = nil, map[string]*sub{}
	c.mu.Unlock()
	for _, s := range subs {
		c.s.hub.remove(s)
	}
	c.s.metrics.subscriptions.Sub(float64(len(subs)))
	if u != nil {
		c.s.hub.setSession(c, u, nil)
		c.s.pres.disconnected(u.ID)
	}
	_ = c.ws.CloseNow()
}

// reader reads frames until the socket ends. Handshake and heartbeat
// frames are answered here, at once; everything else is queued for the
// worker so that a connection's calls run one at a time, in order.
func (c *conn) reader() {
	connected := false
	defer close(c.inbound)
	for {
		// Not c.ctx: a cancelled read cuts the socket without a close
		// frame, and closeNow wants its close code to reach the client.
		typ, data, err := c.ws.Read(context.Background())
		if err != nil {
			return
		}
		c.lastRecv.Store(time.Now().UnixNano())
		c.s.metrics.framesIn.Inc()
		if typ != websocket.MessageText {
			c.closeNow(websocket.StatusUnsupportedData, "text frames only")
			return
		}
		// SockJS-style clients wrap a frame in an array.
		if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '[' {
			var arr []json.RawMessage
			if json.Unmarshal(t, &arr) == nil && len(arr) > 0 {
				var inner string
				if json.Unmarshal(arr[0], &inner) == nil {
					data = []byte(inner)
				} else {
					data = arr[0]
				}
			}
		}
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(data, &keys); err != nil || keys == nil {
			c.sendError("Parse error", nil)
			continue
		}
		var msg string
		if raw, ok := keys["msg"]; ok {
			_ = json.Unmarshal(raw, &msg)
		}
		if !connected {
			if msg != "connect" {
				c.sendError("Must connect first", data)
				continue
			}
			if !c.handshake(keys) {
				// Returning would cancel the writer before it sends
				// "failed"; the writer closes the socket after it, which
				// ends the read.
				c.discardUntilClosed()
				return
			}
			connected = true
			continue
		}
		switch msg {
		case "connect":
			c.sendError("Already connected", data)
		case "ping":
			c.pong(keys)
		case "pong":
			// Any frame counts as an answer to our ping.
		case "method", "sub", "unsub":
			select {
			case c.inbound <- inFrame{msg: msg, raw: data, keys: keys}:
				c.startWorker()
			case <-c.ctx.Done():
				return
			}
		default:
			c.sendError("Bad request", data)
		}
	}
}

// discardUntilClosed reads and drops frames until the socket ends.
func (c *conn) discardUntilClosed() {
	for {
		if _, _, err := c.ws.Read(context.Background()); err != nil {
			return
		}
	}
}

// supported lists the DDP versions this server speaks.
var supported = []string{"1"}

// handshake answers connect with connected or, as Meteor negotiates,
// failed and a close. It reports whether the session goes on.
func (c *conn) handshake(keys map[string]json.RawMessage) bool {
	var version string
	var support []string
	okVersion := json.Unmarshal(keys["version"], &version) == nil && keys["version"] != nil
	okSupport := json.Unmarshal(keys["support"], &support) == nil && keys["support"] != nil
	best := supported[0]
	if okSupport {
		for _, v := range support {
			if contains(supported, v) {
				best = v
				break
			}
		}
	}
	if !okVersion || !okSupport || !contains(support, version) || best != version {
		c.enqueue(mustJSON(map[string]any{"msg": "failed", "version": best}))
		c.closeAfterQueued(websocket.StatusProtocolError, "unsupported DDP version")
		return false
	}
	c.enqueue(mustJSON(map[string]any{"msg": "connected", "session": c.id}))
	return true
}

func (c *conn) pong(keys map[string]json.RawMessage) {
	if id, ok := keys["id"]; ok {
		var s string
		if json.Unmarshal(id, &s) == nil {
			c.enqueue(mustJSON(map[string]any{"msg": "pong", "id": s}))
			return
		}
	}
	c.enqueue([]byte(`{"msg":"pong"}`))
}

// sendError is Meteor's {"msg":"error","reason":...,"offendingMessage":...}.
func (c *conn) sendError(reason string, offending []byte) {
	f := map[string]any{"msg": "error", "reason": reason}
	if offending != nil && json.Valid(offending) {
		f["offendingMessage"] = json.RawMessage(offending)
	}
	c.enqueue(mustJSON(f))
}

// startWorker runs a worker unless one is running.
func (c *conn) startWorker() {
	if c.working.CompareAndSwap(false, true) {
		c.workers.Add(1)
		go c.worker()
	}
}

// worker processes methods and subscriptions one at a time, in order,
// until none is waiting.
func (c *conn) worker() {
	defer c.workers.Done()
	for {
		select {
		case f, ok := <-c.inbound:
			if !ok {
				return
			}
			c.process(f)
			continue
		default:
		}
		c.working.Store(false)
		// A frame queued between the empty read and the store above found
		// the flag still set and started nobody: take it on.
		if len(c.inbound) == 0 || !c.working.CompareAndSwap(false, true) {
			return
		}
	}
}

func (c *conn) process(f inFrame) {
	if c.ctx.Err() != nil {
		return
	}
	switch f.msg {
	case "method":
		c.handleMethod(f)
	case "sub":
		c.handleSub(f)
	case "unsub":
		c.handleUnsub(f)
	}
}

// writer writes queued frames until the connection ends or a queued
// close comes up. It also keeps the heartbeat: a client silent for
// PingInterval is pinged, and closed when nothing arrives within
// PingTimeout after that.
func (c *conn) writer() {
	interval, timeout := c.s.cfg.PingInterval, c.s.cfg.PingTimeout
	timer := time.NewTimer(interval)
	defer timer.Stop()
	var (
		pingAt time.Time // of the ping not yet answered
		batch  []outFrame
	)
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-timer.C:
			if !pingAt.IsZero() {
				if c.lastRecv.Load() < pingAt.UnixNano() {
					c.s.metrics.drops.WithLabelValues("timeout").Inc()
					c.closeNow(4000, "TIMEOUT")
					return
				}
				pingAt = time.Time{}
			}
			if idle := time.Since(time.Unix(0, c.lastRecv.Load())); idle < interval {
				timer.Reset(interval - idle)
				continue
			}
			pingAt = time.Now()
			c.enqueue([]byte(`{"msg":"ping"}`))
			timer.Reset(timeout)
			continue
		case <-c.wake:
		}
		c.qmu.Lock()
		batch, c.queue = c.queue, batch[:0]
		c.qmu.Unlock()
		if !c.writeBatch(batch) {
			return
		}
		clear(batch)
		if cap(batch) > 64 {
			// A burst's buffer is not kept by an idle connection.
			batch = nil
		}
	}
}

// writeBatch writes the frames of one wake-up in one go, and reports
// whether the connection goes on.
func (c *conn) writeBatch(batch []outFrame) bool {
	c.out.hold(c.s.cfg.WriteTimeout)
	for _, f := range batch {
		if f.code != 0 {
			if c.out.release() != nil {
				c.closeNow(websocket.StatusInternalError, "write failed")
				return false
			}
			c.closeNow(f.code, f.reason)
			return false
		}
		// The batch's deadline bounds the write: no context of its own.
		if err := c.ws.Write(context.Background(), websocket.MessageText, f.data); err != nil {
			_ = c.out.release()
			c.closeNow(websocket.StatusInternalError, "write failed")
			return false
		}
	}
	if c.out.release() != nil {
		c.closeNow(websocket.StatusInternalError, "write failed")
		return false
	}
	c.s.metrics.framesOut.Add(float64(len(batch)))
	return true
}

// enqueue queues a frame without waiting. A client whose queue is full
// reads too slowly to keep up: it is disconnected rather than allowed to
// hold anyone else back. The queue holds only what waits, so that an idle
// connection costs no buffer.
func (c *conn) enqueue(b []byte) bool {
	if c.ctx.Err() != nil {
		return false
	}
	c.qmu.Lock()
	if len(c.queue) >= c.s.cfg.SendQueue {
		c.qmu.Unlock()
		c.s.metrics.drops.WithLabelValues("slow_consumer").Inc()
		c.s.log.Info("realtime client too slow, disconnected", "session", c.id)
		c.closeNow(websocket.StatusTryAgainLater, "SLOW_CONSUMER")
		return false
	}
	c.queue = append(c.queue, outFrame{data: b})
	c.qmu.Unlock()
	c.signal()
	return true
}

func (c *conn) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// closeAfterQueued closes the socket once the frames queued so far are
// written.
func (c *conn) closeAfterQueued(code websocket.StatusCode, reason string) {
	c.qmu.Lock()
	c.queue = append(c.queue, outFrame{code: code, reason: reason})
	c.qmu.Unlock()
	c.signal()
}

// closeNow ends the connection at once with a close frame.
func (c *conn) closeNow(code websocket.StatusCode, reason string) {
	c.closeOnce.Do(func() {
		c.cancel()
		// The close handshake waits for the peer; nobody waits for it.
		go func() { _ = c.ws.Close(code, reason) }()
	})
}

// currentUser returns the logged-in user, or nil.
func (c *conn) currentUser() *model.User {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.user
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
