package main

// The websocket ceilings: what a server written for nothing but holding
// sockets and broadcasting costs on this machine, with the same library
// Parley uses.

import (
	"context"
	"io"
	"net/http"
	"sync"

	"github.com/coder/websocket"
)

// bareEcho accepts websockets and echoes every message: an idle connection
// costs it one goroutine blocked in Read and the library's buffers.
func bareEcho() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx := context.Background()
		for {
			typ, b, err := c.Read(ctx)
			if err != nil {
				return
			}
			if err := c.Write(ctx, typ, b); err != nil {
				return
			}
		}
	})
}

// bareHub broadcasts each POST /post body to every connected socket through
// a bounded queue and a writer per socket, the usual shape of a broadcast
// server; the answer goes out once every queue holds the frame.
type bareHub struct {
	mu    sync.RWMutex
	conns map[chan []byte]struct{}
}

func newBareHub() *bareHub { return &bareHub{conns: map[chan []byte]struct{}{}} }

func (h *bareHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/post" {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h.mu.RLock()
		for q := range h.conns {
			select {
			case q <- b:
			default: // a client that fell behind misses the frame
			}
		}
		h.mu.RUnlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"success":true}`))
		return
	}
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	ctx := c.CloseRead(context.Background())
	q := make(chan []byte, 64)
	h.mu.Lock()
	h.conns[q] = struct{}{}
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.conns, q)
		h.mu.Unlock()
	}()
	for {
		select {
		case b := <-q:
			if err := c.Write(ctx, websocket.MessageText, b); err != nil {
				return
			}
		case <-ctx.Done():
			return
		}
	}
}
