package api

import (
	"io"
	"net/http"
	"strings"
	"time"
)

// longLivedPaths are the prefixes of connections that outlive one answer
// (websockets): they get no read or write deadline here and keep
// themselves alive with their own ping/pong deadlines.
var longLivedPaths = []string{"/websocket", "/sockjs/"}

// setDeadlines gives one request its read deadline for the body and its
// write deadline for the answer. Without them a client that sends its body
// one byte at a time, or never reads the answer, holds the connection and
// the memory behind it for as long as it likes.
func (s *Server) setDeadlines(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	for _, p := range s.longLived {
		if strings.HasPrefix(r.URL.Path, p) {
			// An earlier request on this keep-alive connection may have
			// left its write deadline behind.
			_ = rc.SetWriteDeadline(time.Time{})
			return
		}
	}
	now := time.Now()
	write := s.opts.WriteTimeout
	if write > 0 && !strings.HasPrefix(r.URL.Path, "/debug/pprof/") {
		// Errors mean the writer has no connection (a test recorder).
		_ = rc.SetWriteDeadline(now.Add(write))
	} else {
		write = 0
	}
	read := s.opts.ReadTimeout
	if read <= 0 || r.Body == nil || r.Body == http.NoBody {
		// Without a body there is nothing to wait for: the headers had
		// their own deadline.
		return
	}
	if rc.SetReadDeadline(now.Add(read)) != nil {
		return
	}
	b := &deadlineBody{ReadCloser: r.Body, rc: rc, start: now, read: read, write: write}
	if isUploadPath(r.URL.Path) {
		b.rate = s.opts.UploadMinRate
	}
	r.Body = b
}

// deadlineBody lifts the read deadline once the body is read, and moves
// the deadlines of uploads on as their bytes arrive.
type deadlineBody struct {
	io.ReadCloser
	rc          *http.ResponseController
	start       time.Time
	read, write time.Duration
	// rate is the slowest transfer (bytes per second) an upload may keep
	// up; 0 holds the body to the read deadline alone.
	rate int64
	n    int64
	next time.Time
	done bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	if b.done {
		return n, err
	}
	if err != nil {
		if err == io.EOF {
			// net/http now watches the connection for the client going
			// away; a deadline would cancel a slow handler's context.
			b.done = true
			_ = b.rc.SetReadDeadline(time.Time{})
		}
		return n, err
	}
	if b.rate > 0 && n > 0 {
		now := time.Now()
		if now.Before(b.next) {
			return n, err
		}
		// Setting a deadline costs a timer reset: do it at most a few
		// times a second.
		b.next = now.Add(250 * time.Millisecond)
		earned := time.Duration(float64(b.n) / float64(b.rate) * float64(time.Second))
		deadline := b.start.Add(b.read + earned)
		_ = b.rc.SetReadDeadline(deadline)
		if b.write > 0 {
			_ = b.rc.SetWriteDeadline(deadline.Add(b.write))
		}
	}
	return n, err
}
