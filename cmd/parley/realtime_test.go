package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// The websocket is mounted beside the API, and a shutdown closes it with
// 1001 so that clients reconnect elsewhere.
func TestServeWebsocketAndShutdown(t *testing.T) {
	base, stop := startServer(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	read := func() map[string]any {
		t.Helper()
		_, b, err := ws.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var f map[string]any
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatal(err)
		}
		return f
	}
	read() // greeting
	if err := ws.Write(ctx, websocket.MessageText, []byte(`{"msg":"connect","version":"1","support":["1"]}`)); err != nil {
		t.Fatal(err)
	}
	if f := read(); f["msg"] != "connected" {
		t.Fatalf("connect: %v", f)
	}
	// stop waits for serve to return, and fails the test if it hangs.
	stopped := make(chan struct{})
	go func() { defer close(stopped); stop() }()
	if _, _, err := ws.Read(ctx); websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Fatalf("read after shutdown: %v", err)
	}
	<-stopped
}
