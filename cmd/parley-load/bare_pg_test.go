package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/store/storetest"
)

// The PostgreSQL ceilings answer the same requests as the SQLite ones,
// against their own tables, which the run makes and drops.
func TestBarePostgres(t *testing.T) {
	url := storetest.PostgresURL(t) // skips without PARLEY_TEST_POSTGRES_URL
	const rooms, perRoom = 2, 60
	if err := seedBarePG(url, rooms, perRoom); err != nil {
		t.Fatal(err)
	}
	do := func(mode string, req *http.Request) map[string]any {
		t.Helper()
		h, closeDB, err := barePGHandler(mode, url)
		if err != nil {
			t.Fatal(err)
		}
		defer closeDB()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var out map[string]any
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &out) != nil || out["success"] != true {
			t.Fatalf("%s: %d %s", mode, rec.Code, rec.Body)
		}
		return out
	}
	read := do("pg-read", httptest.NewRequest("GET", "/api/v1/channels.history?roomId="+bareRoomID(1)+"&count=50", nil))
	msgs := read["messages"].([]any)
	if len(msgs) != 50 || msgs[0].(map[string]any)["rid"] != bareRoomID(1) ||
		msgs[0].(map[string]any)["ts"].(float64) < msgs[49].(map[string]any)["ts"].(float64) {
		t.Fatalf("read: %d messages, first %v", len(msgs), msgs[0])
	}
	post := do("pg-insert", httptest.NewRequest("POST", "/api/v1/chat.postMessage", strings.NewReader(`{"roomId":"r1","text":"hi"}`)))
	if m := post["message"].(map[string]any); m["rid"] != "r1" || m["msg"] != "hi" {
		t.Fatalf("insert: %v", post)
	}
	if err := emptyBarePGPosts(url); err != nil {
		t.Fatal(err)
	}
	if err := dropBarePG(url); err != nil {
		t.Fatal(err)
	}
	if _, _, err := barePGHandler("pg-nothing", url); err == nil {
		t.Fatal("an unknown mode was accepted")
	}
}
