package main

// The websocket ceilings: what a server written for nothing but holding
// sockets and broadcasting costs on this machine, with the same library
// Parley uses.

import (
	"context"
	"encoding/json"
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

// bareHub broadcasts each POST /post body to every socket of room "" (the
// sockets opened without ?room=) through a bounded queue and a writer per
// socket, the usual shape of a broadcast server; the answer goes out once
// every queue holds the frame. With insert set, it is also the ceiling for
// posting while people listen: chat.postMessage stores the message as
// bare-insert does and queues it for the sockets of its room.
type bareHub struct {
	insert func(r *http.Request) (bareMsg, error)
	mu     sync.RWMutex
	rooms  map[string]map[chan []byte]struct{}
}

func newBareHub(insert func(r *http.Request) (bareMsg, error)) *bareHub {
	return &bareHub{insert: insert, rooms: map[string]map[chan []byte]struct{}{}}
}

func (h *bareHub) broadcast(room string, b []byte) {
	h.mu.RLock()
	for q := range h.rooms[room] {
		select {
		case q <- b:
		default: // a client that fell behind misses the frame
		}
	}
	h.mu.RUnlock()
}

func (h *bareHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/post":
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h.broadcast("", b)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"success":true}`))
		return
	case h.insert != nil && r.URL.Path == "/api/v1/chat.postMessage":
		m, err := h.insert(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		b, _ := json.Marshal(map[string]any{"message": m, "success": true})
		h.broadcast(m.Rid, b)
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
		return
	}
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	ctx := c.CloseRead(context.Background())
	room := r.URL.Query().Get("room")
	q := make(chan []byte, 64)
	h.mu.Lock()
	if h.rooms[room] == nil {
		h.rooms[room] = map[chan []byte]struct{}{}
	}
	h.rooms[room][q] = struct{}{}
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.rooms[room], q)
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
