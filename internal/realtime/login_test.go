package realtime_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parleychat/parley/internal/realtime"
)

func TestRealtimeLogin(t *testing.T) {
	t.Parallel()
	env, rt := newRealtime(t, realtime.Config{})
	bob := env.NewUser(t, "bob")

	checkOK := func(t *testing.T, res frame, kind string) string {
		t.Helper()
		r, ok := res["result"].(map[string]any)
		if !ok {
			t.Fatalf("login: %v", res)
		}
		exp, _ := r["tokenExpires"].(map[string]any)
		ms, _ := exp["$date"].(float64)
		if r["id"] != bob.UserID || r["type"] != kind || r["token"] == "" ||
			time.UnixMilli(int64(ms)).Before(time.Now().Add(80*24*time.Hour)) {
			t.Fatalf("login result = %v", r)
		}
		return r["token"].(string)
	}

	t.Run("resume", func(t *testing.T) {
		d := dial(t, rt)
		if tok := checkOK(t, d.call("login", frame{"resume": bob.Token}), "resume"); tok != bob.Token {
			t.Fatalf("resume answered another token %q", tok)
		}
	})
	for _, tc := range []struct {
		name   string
		params frame
	}{
		{"digest by username", frame{"user": frame{"username": "bob"}, "password": frame{"digest": digest("pw-bob"), "algorithm": "sha-256"}}},
		{"digest by email", frame{"user": frame{"email": "bob@example.com"}, "password": frame{"digest": digest("pw-bob"), "algorithm": "sha-256"}}},
		{"plain by id", frame{"user": frame{"id": bob.UserID}, "password": "pw-bob"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := dial(t, rt)
			tok := checkOK(t, d.call("login", tc.params), "password")
			// The new token works over REST as well.
			c := env.Anon()
			c.UserID, c.Token = bob.UserID, tok
			c.Get(t, "me").OK(t)
		})
	}
	for _, tc := range []struct {
		name   string
		params any
	}{
		{"bad token", frame{"resume": "not-a-token"}},
		{"wrong password", frame{"user": frame{"username": "bob"}, "password": frame{"digest": digest("nope"), "algorithm": "sha-256"}}},
		{"unknown user", frame{"user": frame{"username": "nobody"}, "password": "x"}},
		{"no credentials", frame{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := dial(t, rt)
			res := d.call("login", tc.params)
			meteorError(t, res["error"], float64(401), "User not found")
			// Still anonymous.
			_, f := d.sub("stream-notify-logged", "user-status", false)
			meteorError(t, f["error"], "not-allowed", "Not allowed")
		})
	}
}

func TestRealtimePersonalAccessTokenLogin(t *testing.T) {
	t.Parallel()
	env, rt := newRealtime(t, realtime.Config{})
	env.Admin.Post(t, "permissions.update", map[string]any{"permissions": []map[string]any{
		{"_id": "create-personal-access-tokens", "roles": []string{"admin", "user"}},
	}}).OK(t)
	bob := env.NewUser(t, "bob")
	bob.Header.Set("X-2fa-Code", digest("pw-bob"))
	bob.Header.Set("X-2fa-Method", "password")
	res := bob.Post(t, "users.generatePersonalAccessToken", map[string]any{"tokenName": "bot"}).OK(t).JSON(t)
	tok, _ := res["token"].(string)
	if tok == "" {
		t.Fatalf("no token: %v", res)
	}
	d := dial(t, rt)
	r := d.call("login", frame{"resume": tok})
	if m, _ := r["result"].(map[string]any); m["id"] != bob.UserID {
		t.Fatalf("login with a personal access token: %v", r)
	}
	// Logging out of the socket keeps the personal token.
	d.call("logout")
	d.closeStatus()
	d2 := dial(t, rt)
	if r := d2.call("login", frame{"resume": tok}); r["error"] != nil {
		t.Fatalf("personal token gone after logout: %v", r)
	}
}

func TestRealtimeLogoutEndsSession(t *testing.T) {
	t.Parallel()
	env, rt := newRealtime(t, realtime.Config{})
	bob := env.NewUser(t, "bob")

	t.Run("logout method", func(t *testing.T) {
		tok := env.Login(t, "bob", "pw-bob")
		d := loggedIn(t, rt, tok)
		id := d.mustSub("stream-notify-user", tok.UserID+"/notification", false)
		res := d.call("logout")
		if _, has := res["result"]; has || res["error"] != nil {
			t.Fatalf("logout result = %v", res)
		}
		f := d.until("nosub", func(f frame) bool { return f["msg"] == "nosub" })
		if f["id"] != id {
			t.Fatalf("nosub = %v", f)
		}
		d.closeStatus()
		// The token is gone.
		tok.Get(t, "me").Expect(t, 401)
	})

	t.Run("REST logout of the same token", func(t *testing.T) {
		d := loggedIn(t, rt, bob)
		id := d.mustSub("stream-room-messages", "__my_messages__", false)
		bob.Post(t, "logout", nil).Expect(t, 200)
		f := d.until("nosub", func(f frame) bool { return f["msg"] == "nosub" })
		if f["id"] != id {
			t.Fatalf("nosub = %v", f)
		}
		if code := d.closeStatus(); code != websocket.StatusNormalClosure {
			t.Fatalf("close code %d", code)
		}
	})

	t.Run("other tokens stay", func(t *testing.T) {
		a := env.Login(t, "bob", "pw-bob")
		b := env.Login(t, "bob", "pw-bob")
		da, db := loggedIn(t, rt, a), loggedIn(t, rt, b)
		da.mustSub("stream-notify-logged", "user-status", false)
		db.mustSub("stream-notify-logged", "user-status", false)
		a.Post(t, "logout", nil).Expect(t, 200)
		da.closeStatus()
		// b's session is still served.
		if res := db.call("UserPresence:online"); res["error"] != nil {
			t.Fatalf("other session: %v", res)
		}
	})

	t.Run("deactivated user", func(t *testing.T) {
		carol := env.NewUser(t, "carol")
		d := loggedIn(t, rt, carol)
		d.mustSub("stream-notify-logged", "user-status", false)
		env.Admin.Post(t, "users.update", map[string]any{"userId": carol.UserID, "data": map[string]any{"active": false}}).OK(t)
		d.closeStatus()
	})
}

func TestRealtimePresence(t *testing.T) {
	t.Parallel()
	env, rt := newRealtime(t, realtime.Config{OfflineAfter: 20 * time.Millisecond})
	bob := env.NewUser(t, "bob")
	alice := env.NewUser(t, "alice")
	watcher := loggedIn(t, rt, alice)
	watcher.mustSub("stream-notify-logged", "user-status", false)

	status := func() map[string]any {
		return bob.Get(t, "users.getStatus", url.Values{"userId": {bob.UserID}}).OK(t).JSON(t)
	}
	// waitStatus waits for bob's user-status event with the code.
	waitStatus := func(code float64) {
		t.Helper()
		watcher.until("user-status of bob", func(f frame) bool {
			if f["msg"] != "changed" || f["collection"] != "stream-notify-logged" {
				return false
			}
			args := f["fields"].(map[string]any)["args"].([]any)
			rec := args[0].([]any)
			return rec[0] == bob.UserID && rec[2] == code
		})
	}

	d := loggedIn(t, rt, bob)
	waitStatus(1)
	if s := status(); s["status"] != "online" || s["connectionStatus"] != "online" {
		t.Fatalf("after login: %v", s)
	}
	if res := d.call("UserPresence:away"); res["error"] != nil {
		t.Fatal(res)
	}
	waitStatus(2)
	if s := status(); s["status"] != "away" {
		t.Fatalf("after away: %v", s)
	}
	d.call("UserPresence:online")
	waitStatus(1)
	d.call("UserPresence:setDefaultStatus", "busy")
	waitStatus(3)
	if s := status(); s["status"] != "busy" {
		t.Fatalf("after setDefaultStatus: %v", s)
	}
	if res := d.call("setUserStatus", "online", "at lunch"); res["error"] != nil {
		t.Fatal(res)
	}
	waitStatus(1)
	if s := status(); s["status"] != "online" || s["message"] != "at lunch" {
		t.Fatalf("after setUserStatus: %v", s)
	}
	// The last connection gone, bob goes offline after the grace period.
	_ = d.ws.Close(websocket.StatusNormalClosure, "")
	waitStatus(0)
	if s := status(); s["status"] != "offline" || s["connectionStatus"] != "offline" {
		t.Fatalf("after disconnect: %v", s)
	}
}
