//go:build unix

package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parleychat/parley/internal/store/storetest"
)

// TestRealtimeAcrossNodes: a websocket subscriber on node B receives,
// within a second, a message posted through node A's REST API.
func TestRealtimeAcrossNodes(t *testing.T) {
	if os.Getenv(storetest.EnvPostgresURL) == "" && os.Getenv("CI") != "" {
		t.Fatalf("%s is not set in CI: the two-node test needs PostgreSQL", storetest.EnvPostgresURL)
	}
	dbURL := storetest.PostgresURL(t)
	node := func() *child {
		return startChild(t,
			"PARLEY_DATA_DIR="+t.TempDir(),
			"PARLEY_DATABASE_URL="+dbURL,
			"PARLEY_DB_MAX_CONNS=4",
			"ADMIN_USERNAME=root", "ADMIN_PASS=pw", "ADMIN_EMAIL=root@example.com",
			"OVERWRITE_SETTING_API_Enable_Rate_Limiter=false",
		)
	}
	a, b := node(), node()
	adminA := newREST(a.url).login(t, "root", "pw")
	adminB := newREST(b.url).login(t, "root", "pw")

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
	send(map[string]any{"msg": "method", "id": "1", "method": "login", "params": []any{map[string]any{"resume": adminB.token}}})
	until("login", 10*time.Second, func(f map[string]any) bool { return f["msg"] == "result" && f["id"] == "1" && f["error"] == nil })
	send(map[string]any{"msg": "sub", "id": "s", "name": "stream-room-messages", "params": []any{"GENERAL", false}})
	until("ready", 10*time.Second, func(f map[string]any) bool { return f["msg"] == "ready" })

	res := adminA.must(t, http.MethodPost, "chat.postMessage", map[string]any{"roomId": "GENERAL", "text": "from node A"})
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
