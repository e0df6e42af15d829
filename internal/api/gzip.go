package api

import (
	"compress/gzip"
	"net/http"
	"strings"
	"sync"
)

// gzipMin is the size from which a JSON answer is compressed: below it
// the header costs about what compression saves.
const gzipMin = 1024

var gzipPool = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return zw
}}

// gzipWriter compresses a JSON answer of at least gzipMin bytes for a
// client that accepts gzip. Lists of messages are most of what a client
// reads (a page of history is tens of kilobytes of md trees), and they
// compress several times over. It holds the first bytes until it knows
// the answer is large enough, so small answers go out as they are.
type gzipWriter struct {
	http.ResponseWriter
	status  int
	buf     []byte
	decided bool
	zw      *gzip.Writer
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		q := strings.ReplaceAll(params, " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

func (g *gzipWriter) WriteHeader(code int) {
	if g.decided {
		g.ResponseWriter.WriteHeader(code)
		return
	}
	if code < 200 {
		g.ResponseWriter.WriteHeader(code)
		return
	}
	if g.status == 0 {
		g.status = code
	}
}

func (g *gzipWriter) Write(p []byte) (int, error) {
	if !g.decided {
		g.buf = append(g.buf, p...)
		if len(g.buf) < gzipMin {
			return len(p), nil
		}
		if err := g.decide(true); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	if g.zw != nil {
		return g.zw.Write(p)
	}
	return g.ResponseWriter.Write(p)
}

// decide sends the headers, compressed when large is set and the answer
// is JSON that nothing else has encoded, then what was held back.
func (g *gzipWriter) decide(large bool) error {
	g.decided = true
	h := g.ResponseWriter.Header()
	status := g.status
	if status == 0 {
		status = http.StatusOK
	}
	if large && strings.HasPrefix(h.Get("Content-Type"), "application/json") && h.Get("Content-Encoding") == "" &&
		status != http.StatusNoContent && status != http.StatusNotModified {
		h.Set("Content-Encoding", "gzip")
		h.Add("Vary", "Accept-Encoding")
		h.Del("Content-Length")
		g.ResponseWriter.WriteHeader(status)
		g.zw = gzipPool.Get().(*gzip.Writer)
		g.zw.Reset(g.ResponseWriter)
		_, err := g.zw.Write(g.buf)
		g.buf = nil
		return err
	}
	if g.status != 0 || len(g.buf) > 0 {
		g.ResponseWriter.WriteHeader(status)
	}
	if len(g.buf) == 0 {
		return nil
	}
	_, err := g.ResponseWriter.Write(g.buf)
	g.buf = nil
	return err
}

// Flush sends what is held, uncompressed if it was not decided yet.
func (g *gzipWriter) Flush() {
	if !g.decided {
		_ = g.decide(false)
	}
	if g.zw != nil {
		_ = g.zw.Flush()
	}
	if f, ok := g.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// close ends the answer: a small one goes out as it is.
func (g *gzipWriter) close() {
	if !g.decided {
		_ = g.decide(false)
	}
	if g.zw != nil {
		_ = g.zw.Close()
		g.zw.Reset(nil)
		gzipPool.Put(g.zw)
		g.zw = nil
	}
}

func (g *gzipWriter) Unwrap() http.ResponseWriter { return g.ResponseWriter }
