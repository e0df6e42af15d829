package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/api/apitest"
)

// mcDate is an EJSON date parameter.
func ejsonDate(t time.Time) map[string]any { return map[string]any{"$date": t.UnixMilli()} }

// mcMs reads an EJSON date of a result.
func ejsonMillis(t *testing.T, v any) int64 {
	t.Helper()
	d, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%v is not an EJSON date", v)
	}
	f, ok := d["$date"].(float64)
	if !ok {
		t.Fatalf("%v is not an EJSON date", v)
	}
	return int64(f)
}

// mcNothing calls method and checks that it answered neither a result
// nor an error.
func methodNothing(t *testing.T, c *apitest.Client, method string, params ...any) {
	t.Helper()
	status, out := callMethod(t, c, false, method, methodFrame(method, params...))
	_, hasResult := out["result"]
	if status != http.StatusOK || hasResult || out["error"] != nil {
		t.Fatalf("%s %v: %d %v, want neither result nor error", method, params, status, out)
	}
}

// mcBareError calls method and checks a Meteor error without a reason.
func methodBareError(t *testing.T, c *apitest.Client, method string, code string, params ...any) map[string]any {
	t.Helper()
	status, out := callMethod(t, c, false, method, methodFrame(method, params...))
	e, _ := out["error"].(map[string]any)
	if status != http.StatusBadRequest || e == nil || e["error"] != code {
		t.Fatalf("%s: %d %v, want error %s", method, status, out, code)
	}
	if _, has := e["reason"]; has || e["message"] != "["+code+"]" {
		t.Errorf("%s: error = %v, want no reason", method, e)
	}
	return e
}

func TestMethodSendMessage(t *testing.T) {
	t.Parallel()
	e := newMethodScene(t, "alice", "outsider")
	e.SetSetting(t, "DDP_Rate_Limit_Send_Message_Requests_Allowed", 0)
	alice, outsider := e.Users[0], e.Users[1]
	rid := alice.CreateRoom(t, "groups", "sendroom", nil)

	// The client's _id is kept; the result is the saved message in EJSON.
	got, _ := methodOK(t, alice, "sendMessage", map[string]any{"_id": "client-chosen-id", "rid": rid, "msg": "hello *there*"}).(map[string]any)
	if got["_id"] != "client-chosen-id" || got["rid"] != rid || got["msg"] != "hello *there*" {
		t.Fatalf("result = %v", got)
	}
	if u, _ := got["u"].(map[string]any); u["username"] != "alice" {
		t.Errorf("u = %v", got["u"])
	}
	ejsonMillis(t, got["ts"])
	ejsonMillis(t, got["_updatedAt"])
	if got["md"] == nil {
		t.Errorf("no md: %v", got)
	}
	// The post is in the room's history, as any other.
	h := alice.History(t, "groups", rid)
	if len(h) == 0 || h[0]["_id"] != "client-chosen-id" || h[0]["msg"] != "hello *there*" {
		t.Fatalf("history = %v", h)
	}

	// A ts a few seconds off is kept (in a room with no newer message);
	// the key is an EJSON date.
	quiet := alice.CreateRoom(t, "groups", "quiet", nil)
	ts := time.Now().Add(-5 * time.Second).Truncate(time.Millisecond)
	got, _ = methodOK(t, alice, "sendMessage", map[string]any{"rid": quiet, "msg": "dated", "ts": ejsonDate(ts)}).(map[string]any)
	if ejsonMillis(t, got["ts"]) != ts.UnixMilli() {
		t.Errorf("ts = %v, want %d", got["ts"], ts.UnixMilli())
	}

	// The strict check: unknown keys and wrong types fail Meteor's check.
	for _, bad := range []any{
		map[string]any{"rid": rid, "msg": "x", "alias": "Someone"},
		map[string]any{"rid": rid, "msg": "x", "attachments": []any{}},
		map[string]any{"rid": rid, "msg": 5},
		map[string]any{"rid": rid, "msg": "x", "ts": ts.Format(time.RFC3339)},
		map[string]any{"rid": rid, "msg": "x", "tshow": "yes"},
		map[string]any{"rid": rid, "msg": "x", "customFields": []any{}},
		"not an object",
	} {
		methodFails(t, alice, false, "sendMessage", 400.0, "Match failed", bad)
	}
	methodFails(t, alice, false, "sendMessage", 400.0, "Match failed", map[string]any{"rid": rid, "msg": "x"}, "not a list")
	// Keys Rocket.Chat lets through are accepted, null ones included.
	methodOK(t, alice, "sendMessage", map[string]any{"rid": rid, "msg": "with extras", "bot": map[string]any{"i": "x"}, "groupable": false, "tmid": nil})

	// A system message type is an internal error, as a thrown Error is.
	methodFails(t, alice, false, "sendMessage", 500.0, "Internal server error", map[string]any{"rid": rid, "msg": "x", "t": "uj"})
	// Not being let into the room comes back as error-not-allowed.
	got2 := methodBareError(t, outsider, "sendMessage", "error-not-allowed", map[string]any{"rid": rid, "msg": "intruding"})
	if d, _ := got2["details"].(map[string]any); d["method"] != "sendMessage" {
		t.Errorf("details = %v", got2["details"])
	}
	methodFails(t, e.Anon(), true, "sendMessage", "error-invalid-user", "Invalid user", map[string]any{"rid": rid, "msg": "x"})

	// Every other failure answers nothing at all, and stores nothing.
	before := len(alice.History(t, "groups", rid))
	e.SetSetting(t, "Message_MaxAllowedSize", 20)
	for _, quiet := range []map[string]any{
		{"rid": "no-such-room", "msg": "lost"},
		{"rid": rid, "msg": strings.Repeat("long ", 10)},
		{"rid": rid, "msg": "late", "ts": ejsonDate(time.Now().Add(-5 * time.Minute))},
		{"rid": rid, "msg": "shown", "tshow": true},
	} {
		methodNothing(t, alice, "sendMessage", quiet)
	}
	if n := len(alice.History(t, "groups", rid)); n != before {
		t.Errorf("history grew from %d to %d", before, n)
	}
	// A reply while threads are off is a refusal with its own reason.
	parent := got["_id"].(string)
	e.SetSetting(t, "Threads_enabled", false)
	methodFails(t, alice, false, "sendMessage", "error-not-allowed", "not-allowed", map[string]any{"rid": rid, "msg": "reply", "tmid": parent})
}

func TestMethodSendMessageRateLimit(t *testing.T) {
	t.Parallel()
	e, bob, rid := apitest.NewUserRoom(t, "bob", "channels", "burst")
	// A long window keeps the test independent of how fast the calls are
	// made; the rule is the same at its default second.
	e.SetSetting(t, "DDP_Rate_Limit_Send_Message_Interval_Time", 60000)
	// sendMessage is not counted by the per-method rule.
	e.SetSetting(t, "DDP_Rate_Limit_User_By_Method_Requests_Allowed", 2)

	for i := range 5 {
		methodOK(t, bob, "sendMessage", map[string]any{"rid": rid, "msg": "post " + string(rune('a'+i))})
	}
	got := methodFails(t, bob, false, "sendMessage", "too-many-requests", "", map[string]any{"rid": rid, "msg": "sixth"})
	if !strings.HasPrefix(got["reason"].(string), "Error, too many requests. Please slow down. You must wait ") {
		t.Errorf("reason = %v", got["reason"])
	}
	d, _ := got["details"].(map[string]any)
	if wait, ok := d["timeToReset"].(float64); !ok || wait <= 0 || wait > 60000 {
		t.Errorf("details = %v", got["details"])
	}
	for _, m := range bob.History(t, "channels", rid) {
		if m["msg"] == "sixth" {
			t.Errorf("the refused post was stored")
		}
	}
	// Holders of send-many-messages (admins, bots) are not limited.
	for range 7 {
		methodOK(t, e.Admin, "sendMessage", map[string]any{"rid": rid, "msg": "announcement"})
	}
}

func TestMethodUpdateAndDeleteMessage(t *testing.T) {
	t.Parallel()
	e := newMethodScene(t, "alice", "bob", "outsider")
	alice, bob, outsider := e.Users[0], e.Users[1], e.Users[2]
	rid := alice.CreateRoom(t, "groups", "edits", nil, "bob")
	m := alice.PostMessage(t, map[string]any{"roomId": rid, "text": "first draft"})
	id := m["_id"].(string)

	methodNothing(t, alice, "updateMessage", map[string]any{"_id": id, "msg": "second draft"})
	if got := alice.GetMessage(t, id); got["msg"] != "second draft" || got["editedAt"] == nil {
		t.Fatalf("after update = %v", got)
	}
	// Keys that hold the stored value may be sent along.
	methodNothing(t, alice, "updateMessage", map[string]any{"_id": id, "rid": rid, "msg": "third draft"}, []string{})
	if got := alice.GetMessage(t, id); got["msg"] != "third draft" {
		t.Fatalf("after update with rid = %v", got)
	}
	// An unknown message, or an unchanged text, is quietly left alone.
	methodNothing(t, alice, "updateMessage", map[string]any{"_id": "no-such-message", "msg": "x"})
	methodNothing(t, alice, "updateMessage", map[string]any{"_id": id, "msg": "third draft"})

	for _, c := range []struct {
		who          *apitest.Client
		msg          any
		code, reason string
	}{
		// Sending a received message back: its u and ts are objects.
		{alice, map[string]any{"_id": id, "msg": "x", "ts": map[string]any{"$date": 1}}, "error-invalid-update-key", "Cannot update the message ts"},
		{alice, map[string]any{"_id": id, "msg": "x", "rid": "elsewhere"}, "error-invalid-update-key", "Cannot update the message rid"},
		{alice, map[string]any{"_id": id, "msg": "x", "u": map[string]any{"_id": alice.UserID}}, "error-invalid-update-key", "Cannot update the message u"},
		{bob, map[string]any{"_id": id, "msg": "not mine"}, "error-action-not-allowed", "Message editing not allowed"},
		{outsider, map[string]any{"_id": id, "msg": "not mine"}, "error-action-not-allowed", "Message editing not allowed"},
	} {
		got := methodFails(t, c.who, false, "updateMessage", c.code, c.reason, c.msg)
		if d, _ := got["details"].(map[string]any); d["method"] != "updateMessage" {
			t.Errorf("details = %v", got["details"])
		}
	}
	methodFails(t, alice, false, "updateMessage", 400.0, "Match failed", map[string]any{"_id": 5, "msg": "x"})
	methodFails(t, alice, false, "updateMessage", 400.0, "Match failed", map[string]any{"_id": id, "msg": false})
	if got := alice.GetMessage(t, id); got["msg"] != "third draft" {
		t.Errorf("a refused update changed the message: %v", got)
	}

	// deleteMessage: a missing or hidden message is one the caller may not
	// delete; the author may.
	for _, c := range []struct {
		who *apitest.Client
		id  string
	}{{alice, "no-such-message"}, {outsider, id}, {bob, id}} {
		got := methodFails(t, c.who, false, "deleteMessage", "error-action-not-allowed", "Not allowed", map[string]any{"_id": c.id})
		if c.who == outsider {
			if d, _ := got["details"].(map[string]any); d["method"] != "deleteMessage" || d["action"] != "Delete_message" {
				t.Errorf("details = %v", got["details"])
			}
		}
	}
	methodFails(t, alice, false, "deleteMessage", 400.0, "Match failed", map[string]any{"_id": map[string]any{"$ne": ""}})
	methodNothing(t, alice, "deleteMessage", map[string]any{"_id": id})
	alice.Get(t, "chat.getMessage", apitest.Q("msgId", id)).Expect(t, 400)
}

func TestMethodReactPinStar(t *testing.T) {
	t.Parallel()
	e := newMethodScene(t, "alice", "carol", "outsider")
	alice, carol, outsider := e.Users[0], e.Users[1], e.Users[2]
	rid := alice.CreateRoom(t, "groups", "reacts", nil, "carol")
	other := alice.CreateRoom(t, "groups", "other", nil)
	id := alice.PostMessage(t, map[string]any{"roomId": rid, "text": "react to me"})["_id"].(string)
	reactors := func() []any {
		r, _ := alice.GetMessage(t, id)["reactions"].(map[string]any)
		if x, _ := r[":smile:"].(map[string]any); x != nil {
			list, _ := x["usernames"].([]any)
			return list
		}
		return nil
	}

	// setReaction toggles when shouldReact is left out.
	methodNothing(t, alice, "setReaction", "smile", id)
	if got := reactors(); len(got) != 1 || got[0] != "alice" {
		t.Fatalf("reactors = %v", got)
	}
	methodNothing(t, alice, "setReaction", ":smile:", id)
	if got := reactors(); len(got) != 0 {
		t.Fatalf("after toggle = %v", got)
	}
	methodNothing(t, alice, "setReaction", ":smile:", id, true)
	methodNothing(t, alice, "setReaction", ":smile:", id, true)
	if got := reactors(); len(got) != 1 {
		t.Fatalf("after shouldReact twice = %v", got)
	}
	methodFails(t, alice, false, "setReaction", "error-not-allowed", "Invalid emoji provided.", ":no-such-emoji:", id)
	methodFails(t, alice, false, "setReaction", "error-not-allowed", "Not allowed", ":smile:", "no-such-message")
	methodFails(t, outsider, false, "setReaction", "not-authorized", "Not Authorized", ":smile:", id)
	methodFails(t, alice, false, "setReaction", 400.0, "Match failed", ":smile:", 5)
	methodFails(t, alice, false, "setReaction", 400.0, "Match failed", ":smile:", id, "yes")
	// A muted member gets false rather than an error.
	alice.Post(t, "rooms.muteUser", map[string]any{"roomId": rid, "userId": carol.UserID}).OK(t)
	if got := methodOK(t, carol, "setReaction", ":smile:", id); got != false {
		t.Errorf("muted member's reaction = %v, want false", got)
	}

	// pinMessage answers the message_pinned system message.
	sys, _ := methodOK(t, alice, "pinMessage", map[string]any{"_id": id}).(map[string]any)
	if sys["t"] != "message_pinned" || sys["rid"] != rid {
		t.Fatalf("pin result = %v", sys)
	}
	if got := alice.GetMessage(t, id); got["pinned"] != true {
		t.Errorf("not pinned: %v", got)
	}
	if got := methodOK(t, alice, "unpinMessage", map[string]any{"_id": id, "rid": rid}); got != true {
		t.Errorf("unpin result = %v", got)
	}
	if got := alice.GetMessage(t, id); got["pinned"] == true {
		t.Errorf("still pinned: %v", got)
	}
	methodFails(t, alice, false, "pinMessage", "error-invalid-message", "Message you are pinning was not found", map[string]any{"_id": "no-such-message"})
	methodFails(t, alice, false, "unpinMessage", "error-invalid-message", "Message you are unpinning was not found", map[string]any{"_id": "no-such-message"})
	methodFails(t, outsider, false, "pinMessage", "not-authorized", "Not Authorized", map[string]any{"_id": id})
	methodFails(t, alice, false, "pinMessage", 400.0, "Match failed", id)

	// starMessage answers true, or false where the caller is no member or
	// the message is not in the room named.
	if got := methodOK(t, alice, "starMessage", map[string]any{"_id": id, "rid": rid, "starred": true}); got != true {
		t.Fatalf("star result = %v", got)
	}
	starred, _ := alice.GetMessage(t, id)["starred"].([]any)
	if len(starred) != 1 {
		t.Errorf("starred = %v", starred)
	}
	for _, c := range []struct {
		who *apitest.Client
		rid string
	}{{outsider, rid}, {alice, other}} {
		if got := methodOK(t, c.who, "starMessage", map[string]any{"_id": id, "rid": c.rid, "starred": true}); got != false {
			t.Errorf("star in %s by %s = %v, want false", c.rid, c.who.Username, got)
		}
	}
	methodOK(t, alice, "starMessage", map[string]any{"_id": id, "rid": rid, "starred": false})
	if starred, _ := alice.GetMessage(t, id)["starred"].([]any); len(starred) != 0 {
		t.Errorf("after unstar = %v", starred)
	}
	e.SetSetting(t, "Message_AllowStarring", false)
	methodFails(t, alice, false, "starMessage", "error-action-not-allowed", "Message starring not allowed", map[string]any{"_id": id, "rid": rid, "starred": true})
}
