package realtime

import (
	"bufio"
	"net"
	"net/http"
	"sync"
	"time"
)

// coalescer sits between the websocket library's buffered writer and the
// socket. The library flushes after every message, which costs one write
// system call per frame: a room's post fanned out to many listeners made
// that the server's largest cost. While the writer drains its queue it
// holds the coalescer, so the frames of one wake-up leave in one write.
// Outside a batch (the library's own pongs and close frames, written from
// other goroutines) writes go straight through.
type coalescer struct {
	conn net.Conn

	mu      sync.Mutex
	holding bool
	pending []byte
}

// coalesceLimit is how much a batch gathers before writing anyway, so that
// a long queue of large frames is not copied into one huge buffer.
const coalesceLimit = 64 << 10

// batchBuffers lends batch buffers to connections only while they write:
// most connections sit idle most of the time, and a buffer each would
// cost as much memory as the socket's own.
var batchBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

func (c *coalescer) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.holding {
		return c.conn.Write(p)
	}
	if c.pending == nil {
		c.pending = (*batchBuffers.Get().(*[]byte))[:0]
	}
	c.pending = append(c.pending, p...)
	if len(c.pending) >= coalesceLimit {
		if err := c.flushLocked(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// hold starts a batch; the socket's write deadline covers every write
// until release, since frames written in a batch carry no deadline of
// their own.
func (c *coalescer) hold(timeout time.Duration) {
	c.mu.Lock()
	c.holding = true
	_ = c.conn.SetWriteDeadline(time.Now().Add(timeout))
	c.mu.Unlock()
}

// release ends the batch and writes what it gathered.
func (c *coalescer) release() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.holding = false
	err := c.flushLocked()
	_ = c.conn.SetWriteDeadline(time.Time{})
	if c.pending != nil && cap(c.pending) <= coalesceLimit {
		buf := c.pending[:0]
		batchBuffers.Put(&buf)
	}
	c.pending = nil
	return err
}

func (c *coalescer) flushLocked() error {
	if len(c.pending) == 0 {
		return nil
	}
	_, err := c.conn.Write(c.pending)
	c.pending = c.pending[:0]
	return err
}

// coalescingWriter hands the websocket library a hijacked connection whose
// buffered writer ends in a coalescer.
type coalescingWriter struct {
	http.ResponseWriter
	out *coalescer
}

func (w *coalescingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	w.out = &coalescer{conn: conn}
	if rw.Writer.Buffered() > 0 {
		// Nothing is written before the upgrade's own response, which
		// the server has flushed; a leftover would belong before ours.
		if err := rw.Writer.Flush(); err != nil {
			return nil, nil, err
		}
	}
	// The hijacked writer's buffer is reused, not doubled, for each of
	// many idle sockets.
	rw.Writer.Reset(w.out)
	return conn, rw, nil
}
