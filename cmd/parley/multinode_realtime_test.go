//go:build unix

package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestRealtimeAcrossNodes: a websocket subscriber on node B receives,
// within a second, a message posted through node A's REST API.
func TestRealtimeAcrossNodes(t *testing.T) {
	_, b, adminA, adminB := twoNodes(t, "PARLEY_DB_MAX_CONNS=4")

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(b.url, "http")+"/websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	send := func(v any) {
		raw, _ := json.Marshal(v)
		if err := ws.Write(ctx, websocket.MessageText, raw); err != nil {
			t.Fatal(err)
		}
	}
	// until reads frames until match holds, within the deadline.
	until := func(what string, deadline time.Duration, match func(map[string]any) bool) {
		t.Helper()
		rctx, rcancel := context.WithTimeout(ctx, deadline)
		defer rcancel()
		for {
			_, raw, err := ws.Read(rctx)
			if err != nil {
				t.Fatalf("waiting for %s: %v", what, err)
			}
			var f map[string]any
			if json.Unmarshal(raw, &f) == nil && match(f) {
				return
			}
		}
	}
	send(map[string]any{"msg": "connect", "version": "1", "support": []string{"1"}})
	send(map[string]any{"msg": "method", "id": "1", "method": "login", "params": []any{map[string]any{"resume": adminB.Token}}})
	until("login", 10*time.Second, func(f map[string]any) bool { return f["msg"] == "result" && f["id"] == "1" && f["error"] == nil })
	send(map[string]any{"msg": "sub", "id": "s", "name": "stream-room-messages", "params": []any{"GENERAL", false}})
	until("ready", 10*time.Second, func(f map[string]any) bool { return f["msg"] == "ready" })

	res := adminA.Must(http.MethodPost, "chat.postMessage", map[string]any{"roomId": "GENERAL", "text": "from node A"})
	id, _ := res["message"].(map[string]any)["_id"].(string)
	until("the message from node A", time.Second, func(f map[string]any) bool {
		if f["msg"] != "changed" {
			return false
		}
		args, _ := f["fields"].(map[string]any)["args"].([]any)
		m, _ := args[0].(map[string]any)
		return m["_id"] == id
	})
}
