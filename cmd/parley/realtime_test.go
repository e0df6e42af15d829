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
	base, cancel, done := startServer(t, nil)
	defer cancel()
	ctx, stop := context.WithTimeout(context.Background(), 20*time.Second)
	defer stop()
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
	cancel()
	if _, _, err := ws.Read(ctx); websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Fatalf("read after shutdown: %v", err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-ctx.Done():
		t.Fatal("shutdown hung")
	}
}
