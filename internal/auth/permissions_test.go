package auth_test

import (
	"os"
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/auth"
)

// docs/permissions.md lists every permission a server stores, and every
// role.
func TestPermissionsDocIsComplete(t *testing.T) {
	b, err := os.ReadFile("../../docs/permissions.md")
	if err != nil {
		t.Fatalf("read docs/permissions.md: %v", err)
	}
	doc := string(b)
	for id := range auth.AllPermissions() {
		if !strings.Contains(doc, "| `"+id+"` |") {
			t.Errorf("docs/permissions.md does not list permission %s", id)
		}
	}
	for _, r := range auth.Roles {
		if !strings.Contains(doc, "| `"+r.ID+"` | "+r.Scope+" |") {
			t.Errorf("docs/permissions.md does not list role %s", r.ID)
		}
	}
}

// Parley's own table wins where both name a permission, and every role a
// default table names for a stored permission is a role or one of the
// enterprise roles Rocket.Chat's table mentions.
func TestAllPermissions(t *testing.T) {
	all := auth.AllPermissions()
	for id, roles := range auth.DefaultPermissions {
		if strings.Join(all[id], ",") != strings.Join(roles, ",") {
			t.Errorf("%s: %v, want Parley's %v", id, all[id], roles)
		}
	}
	enterprise := map[string]bool{"livechat-monitor": true, "important-message-marker": true}
	for id, roles := range all {
		for _, r := range roles {
			if !auth.IsRole(r) && !enterprise[r] {
				t.Errorf("%s names unknown role %s", id, r)
			}
		}
	}
	if _, ok := auth.FindRole("livechat-agent"); !ok {
		t.Error("livechat-agent is not a role")
	}
}
