package api_test

import (
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

// The administrator created from ADMIN_* on first start joins the default
// channel, as every new user does, and counts among its members.
func TestFirstAdminJoinsGeneral(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	sub := env.Admin.Get(t, "subscriptions.getOne", apitest.Q("roomId", "GENERAL")).OK(t).JSON(t)["subscription"]
	s, ok := sub.(map[string]any)
	if !ok || s["rid"] != "GENERAL" {
		t.Fatalf("admin's subscription to GENERAL: %v", sub)
	}
	room := env.Admin.Get(t, "channels.info", apitest.Q("roomId", "GENERAL")).OK(t).JSON(t)["channel"].(map[string]any)
	if room["usersCount"] != float64(1) {
		t.Fatalf("usersCount of #general with only the admin: %v", room["usersCount"])
	}
}

// A fresh server has Rocket.Chat's bot, rocket.cat: a bot account with no
// password, in no room, which the first administrator does not displace.
func TestFreshServerHasRocketCat(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	u := env.Admin.Get(t, "users.info", apitest.Q("username", "rocket.cat")).OK(t).JSON(t)["user"].(map[string]any)
	want := map[string]any{"_id": "rocket.cat", "username": "rocket.cat", "name": "Rocket.Cat", "type": "bot", "active": true, "status": "online"}
	for k, v := range want {
		if u[k] != v {
			t.Errorf("rocket.cat %s = %v, want %v", k, u[k], v)
		}
	}
	if roles := apitest.Strings(u["roles"]); len(roles) != 1 || roles[0] != "bot" {
		t.Errorf("rocket.cat roles = %v", roles)
	}
	env.Anon().Post(t, "login", map[string]any{"user": "rocket.cat", "password": ""}).Expect(t, 401)
	env.Anon().Post(t, "login", map[string]any{"user": "rocket.cat", "password": "rocket.cat"}).Expect(t, 401)
	// It is in no room, so GENERAL still counts the admin alone.
	room := env.Admin.Get(t, "channels.info", apitest.Q("roomId", "GENERAL")).OK(t).JSON(t)["channel"].(map[string]any)
	if room["usersCount"] != float64(1) {
		t.Fatalf("usersCount of #general: %v", room["usersCount"])
	}
	// The admin was still created from ADMIN_* on that first start.
	if roles := apitest.Strings(env.Admin.Get(t, "me").OK(t).JSON(t)["roles"]); len(roles) == 0 || roles[0] != "admin" {
		t.Fatalf("admin roles = %v", roles)
	}
}
