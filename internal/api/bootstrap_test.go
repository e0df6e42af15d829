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
