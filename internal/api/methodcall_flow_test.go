package api_test

import (
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

// TestMethodCallPostAndAddUser drives a room the way Rocket.Chat's web
// client does, through method.call alone: alice posts with sendMessage,
// brings bob in with addUsersToRoom, and bob, now a member, reads and posts.
func TestMethodCallPostAndAddUser(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	alice := e.NewUser(t, "alice")
	bob := e.NewUser(t, "bob")
	group := alice.CreateRoom(t, "groups", e.Unique("mc-flow"), nil)

	// Before being added, bob may not post.
	_, out := callMethod(t, bob, false, "sendMessage", methodFrame("sendMessage", map[string]any{"rid": group, "msg": "let me in"}))
	if e, _ := out["error"].(map[string]any); e == nil || e["error"] != "error-not-allowed" {
		t.Fatalf("outsider's sendMessage = %v, want error-not-allowed", out)
	}

	// The client chooses the message id; the answer is the stored message.
	sent, ok := methodOK(t, alice, "sendMessage", map[string]any{"_id": "mc-flow-first", "rid": group, "msg": "hello from a method"}).(map[string]any)
	if !ok {
		t.Fatalf("sendMessage result is not a message")
	}
	if sent["_id"] != "mc-flow-first" || sent["rid"] != group || sent["msg"] != "hello from a method" {
		t.Errorf("sendMessage result = %v", sent)
	}
	if u, _ := sent["u"].(map[string]any); u["_id"] != alice.UserID || u["username"] != alice.Username {
		t.Errorf("sendMessage author = %v", sent["u"])
	}
	if ts, _ := sent["ts"].(map[string]any); ts == nil || ts["$date"] == nil {
		t.Errorf("sendMessage ts = %v, want an EJSON date", sent["ts"])
	}

	if got := methodOK(t, alice, "addUsersToRoom", map[string]any{"rid": group, "users": []string{bob.Username}}); got != true {
		t.Fatalf("addUsersToRoom = %v", got)
	}
	bob.Get(t, "subscriptions.getOne", apitest.Q("roomId", group)).OK(t)

	// bob sees alice's message and the notice of his arrival, and can post.
	methodOK(t, bob, "sendMessage", map[string]any{"rid": group, "msg": "thanks"})
	hist := bob.History(t, "groups", group)
	var seen []string
	for _, m := range hist {
		u, _ := m["u"].(map[string]any)
		seen = append(seen, apitest.JSON(m["t"])+":"+apitest.JSON(u["username"])+":"+apitest.JSON(m["msg"]))
	}
	want := []string{
		`null:"` + bob.Username + `":"thanks"`,
		`"au":"` + alice.Username + `":"` + bob.Username + `"`,
		`null:"` + alice.Username + `":"hello from a method"`,
	}
	if len(seen) != len(want) {
		t.Fatalf("history, newest first = %v, want %v", seen, want)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Errorf("history[%d] = %s, want %s", i, seen[i], want[i])
		}
	}
	if hist[2]["_id"] != "mc-flow-first" {
		t.Errorf("first message id = %v", hist[2]["_id"])
	}
}
