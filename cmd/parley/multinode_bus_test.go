//go:build unix

package main

import (
	"bufio"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/web/browsertest"
)

// TestNodesFollowEachOthersChanges runs two server processes on one
// PostgreSQL schema and checks that what one node changes governs the
// other at once: settings and permissions arrive with the bus's events
// (the nodes poll only every 30 s), and a token removed on one node is
// refused by the other on the very next request.
func TestNodesFollowEachOthersChanges(t *testing.T) {
	a, b, adminA, adminB := twoNodes(t, "PARLEY_DB_MAX_CONNS=4", "PARLEY_METRICS_TOKEN=bus-test")
	adminA.Must(http.MethodPost, "users.create", map[string]any{
		"username": "walter", "name": "Walter", "email": "walter@example.com", "password": "pw-walter",
	})
	walterB := browsertest.NewAPI(t, b.url).Login("walter", "pw-walter")
	room := adminA.Must(http.MethodPost, "channels.create", map[string]any{"name": "bus-probe", "members": []string{"walter"}})
	rid, _ := room["channel"].(map[string]any)["_id"].(string)

	t.Run("setting", func(t *testing.T) {
		// Failures of the clients must end the subtest, not its parent.
		adminA, adminB := adminA.For(t), adminB.For(t)
		long := strings.Repeat("x", 40)
		adminB.Must(http.MethodPost, "chat.postMessage", map[string]any{"roomId": rid, "text": long})
		adminA.Must(http.MethodPost, "settings/Message_MaxAllowedSize", map[string]any{"value": 20})
		withinASecond(t, "node B refuses a message over the size node A set", func() bool {
			code, m, err := adminB.Call(http.MethodPost, "chat.postMessage", map[string]any{"roomId": rid, "text": long})
			if err != nil {
				t.Fatal(err)
			}
			if e, _ := m["error"].(string); code == http.StatusBadRequest && strings.Contains(e, "error-message-size-exceeded") {
				return true
			}
			if code != http.StatusOK {
				t.Fatalf("post on node B: %d %v", code, m)
			}
			return false
		})
	})

	t.Run("permission", func(t *testing.T) {
		adminA, walterB := adminA.For(t), walterB.For(t)
		walterB.Must(http.MethodPost, "channels.create", map[string]any{"name": "walter-before"})
		adminA.Must(http.MethodPost, "permissions.update", map[string]any{
			"permissions": []map[string]any{{"_id": "create-c", "roles": []string{"admin"}}},
		})
		n := 0
		withinASecond(t, "node B refuses channels.create after node A took create-c from users", func() bool {
			n++
			code, m, err := walterB.Call(http.MethodPost, "channels.create", map[string]any{"name": "walter-after-" + strconv.Itoa(n)})
			if err != nil {
				t.Fatal(err)
			}
			if code == http.StatusOK {
				return false
			}
			// Rocket.Chat answers a missing permission with a bare 403.
			if code != http.StatusForbidden || m["success"] != false {
				t.Fatalf("channels.create on node B: %d %v", code, m)
			}
			return true
		})
	})

	t.Run("logout", func(t *testing.T) {
		walterB := walterB.For(t)
		// Each login is its own token: one for node A to remove, one
		// that stays.
		gone := browsertest.NewAPI(t, a.url).Login("walter", "pw-walter")
		onB := gone.At(b.url)
		onB.Must(http.MethodGet, "me", nil)
		if code, m, err := gone.Call(http.MethodPost, "logout", map[string]any{}); err != nil || code != http.StatusOK || m["status"] != "success" {
			t.Fatalf("logout on node A: %d %v %v", code, m, err)
		}
		if code, m, err := onB.Call(http.MethodGet, "me", nil); err != nil || code != http.StatusUnauthorized {
			t.Fatalf("node B after the token was removed on node A: %d %v %v", code, m, err)
		}
		walterB.Must(http.MethodGet, "me", nil)
	})

	// The events crossed through the bus: node B counts what it received.
	if got := metricValue(t, b.url, "parley_bus_events_received_total"); got < 2 {
		t.Fatalf("node B received %v events from node A", got)
	}
	if got := metricValue(t, a.url, "parley_bus_reconnects_total"); got != 0 {
		t.Fatalf("node A reconnected %v times", got)
	}
}

// withinASecond polls ok, briefly, until it holds; it fails t when a
// second passes first.
func withinASecond(t *testing.T, what string, ok func() bool) {
	t.Helper()
	start := time.Now()
	for !ok() {
		if time.Since(start) > time.Second {
			t.Fatalf("%s: not within a second", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("%s after %s", what, time.Since(start).Round(time.Millisecond))
}

// metricValue reads one unlabelled series from a node's /metrics.
func metricValue(t *testing.T, base, name string) float64 {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer bus-test")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return f
		}
	}
	t.Fatalf("%s is not in %s/metrics (status %d)", name, base, res.StatusCode)
	return 0
}
