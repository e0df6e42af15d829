package api_test

import (
	"slices"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

// listPermissions reads the whole permission table as c sees it.
func listPermissions(t *testing.T, c *apitest.Client) map[string][]string {
	t.Helper()
	var out struct{ Update []map[string]any }
	c.Get(t, "permissions.listAll").OK(t).Decode(t, &out)
	m := map[string][]string{}
	for _, p := range out.Update {
		if p["_updatedAt"] == nil {
			t.Fatalf("permission without _updatedAt: %v", p)
		}
		m[p["_id"].(string)] = apitest.Strings(p["roles"])
	}
	return m
}

// Every permission Rocket.Chat defines is known, with its default roles,
// whether Parley has the feature it guards or not.
func TestPermissionsListAllHasRocketChatTable(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "plain")
	perms := listPermissions(t, e.Users[0])
	want := map[string][]string{
		"create-team":                      {"admin", "user"},
		"edit-team-member":                 {"admin", "moderator", "owner"},
		"view-all-teams":                   {"admin"},
		"manage-outgoing-integrations":     {"admin"},
		"manage-own-incoming-integrations": {"admin"},
		"view-outside-room":                {"admin", "federated-external", "moderator", "owner", "user"},
		"logout-other-user":                {"admin"},
		"assign-admin-role":                {"admin"},
		"view-livechat-manager":            {"admin", "livechat-manager", "livechat-monitor"},
		"mark-message-as-important":        {"admin", "important-message-marker", "owner"},
		// Parley's own checks keep their table.
		"access-permissions": {"admin"},
		"auto-translate":     {"admin"},
	}
	for id, roles := range want {
		if got, ok := perms[id]; !ok || !slices.Equal(got, roles) {
			t.Errorf("%s: roles %v (known: %v), want %v", id, got, ok, roles)
		}
	}
	if len(perms) < 170 {
		t.Fatalf("only %d permissions", len(perms))
	}
}

func TestPermissionsUpdateKnowsEveryID(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "plain")
	update := func(c *apitest.Client, id string, roles ...string) *apitest.Response {
		if roles == nil {
			roles = []string{}
		}
		return c.Post(t, "permissions.update", map[string]any{"permissions": []map[string]any{{"_id": id, "roles": roles}}})
	}
	var out struct{ Permissions []map[string]any }
	update(e.Admin, "create-team", "admin", "livechat-agent").OK(t).Decode(t, &out)
	if i := slices.IndexFunc(out.Permissions, func(p map[string]any) bool { return p["_id"] == "create-team" }); i < 0 ||
		!slices.Equal(apitest.Strings(out.Permissions[i]["roles"]), []string{"admin", "livechat-agent"}) {
		t.Fatalf("permissions.update answer lacks the change")
	}
	if got := listPermissions(t, e.Users[0])["create-team"]; !slices.Equal(got, []string{"admin", "livechat-agent"}) {
		t.Fatalf("create-team read back = %v", got)
	}
	update(e.Admin, "no-such-permission", "admin").Fails(t, 400, "error-invalid-permission", "Invalid permission [error-invalid-permission]")
	update(e.Admin, "logout-other-user", "no-such-role").Fails(t, 400, "error-invalid-role", "Invalid role [error-invalid-role]")
	update(e.Users[0], "logout-other-user", "user").
		Fails(t, 403, "", "User does not have the permissions required for this action [error-unauthorized]")
	if got := listPermissions(t, e.Admin)["logout-other-user"]; !slices.Equal(got, []string{"admin"}) {
		t.Fatalf("a refused update changed logout-other-user: %v", got)
	}
}

// Adding and removing one role of a permission are methods as well.
func TestPermissionRoleMethods(t *testing.T) {
	t.Parallel()
	e := newMethodScene(t, "plain")
	plain := e.Users[0]
	if methodOK(t, e.Admin, "authorization:addPermissionToRole", "view-outside-room", "guest") != nil {
		t.Fatal("addPermissionToRole has a result")
	}
	if got := listPermissions(t, plain)["view-outside-room"]; !slices.Contains(got, "guest") || !slices.Contains(got, "user") {
		t.Fatalf("view-outside-room after adding guest = %v", got)
	}
	methodOK(t, e.Admin, "authorization:removeRoleFromPermission", "view-outside-room", "user")
	if got := listPermissions(t, plain)["view-outside-room"]; slices.Contains(got, "user") || !slices.Contains(got, "guest") {
		t.Fatalf("view-outside-room after removing user = %v", got)
	}

	methodFails(t, plain, false, "authorization:addPermissionToRole", "error-action-not-allowed", "Adding permission is not allowed", "view-outside-room", "user")
	methodFails(t, plain, false, "authorization:removeRoleFromPermission", "error-action-not-allowed", "Removing permission is not allowed", "view-outside-room", "guest")
	methodFails(t, e.Admin, false, "authorization:addPermissionToRole", "error-invalid-permission", "Permission does not exist", "no-such", "user")
	methodFails(t, e.Admin, false, "authorization:removeRoleFromPermission", "error-permission-not-found", "Permission not found", "no-such", "user")
	methodFails(t, e.Admin, false, "authorization:addPermissionToRole", "error-invalid-role", "Invalid role", "view-outside-room", "no-such-role")
	if got := listPermissions(t, plain)["view-outside-room"]; slices.Contains(got, "user") || !slices.Contains(got, "guest") {
		t.Fatalf("refused calls changed view-outside-room: %v", got)
	}
}

func TestPermissionsAddAndRemoveRole(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "plain")
	plain := e.Users[0]
	body := func(perm, role string) map[string]any { return map[string]any{"permissionId": perm, "role": role} }

	e.Anon().Post(t, "permissions.addRole", body("add-oauth-service", "moderator")).Expect(t, 401)
	e.Anon().Post(t, "permissions.removeRole", body("add-oauth-service", "admin")).Expect(t, 401)
	for _, path := range []string{"permissions.addRole", "permissions.removeRole"} {
		plain.Post(t, path, body("add-oauth-service", "moderator")).
			Fails(t, 403, "", "User does not have the permissions required for this action [error-unauthorized]")
		e.Admin.Post(t, path, map[string]any{"permissionId": "add-oauth-service"}).
			Fails(t, 400, "invalid-params", "must have required property 'role' [invalid-params]")
	}
	e.Admin.Post(t, "permissions.addRole", body("this-permission-does-not-exist", "moderator")).
		Fails(t, 400, "error-invalid-permission", "Permission does not exist [error-invalid-permission]")
	e.Admin.Post(t, "permissions.addRole", body("add-oauth-service", "this-role-does-not-exist")).
		Fails(t, 400, "error-invalid-role", "Invalid role [error-invalid-role]")
	e.Admin.Post(t, "permissions.removeRole", body("this-permission-does-not-exist", "admin")).
		Fails(t, 400, "error-permission-not-found", "Permission not found [error-permission-not-found]")

	e.Admin.Post(t, "permissions.addRole", body("add-oauth-service", "moderator")).OK(t)
	e.Admin.Post(t, "permissions.addRole", body("add-oauth-service", "moderator")).OK(t) // twice is once
	if got := listPermissions(t, plain)["add-oauth-service"]; !slices.Equal(got, []string{"admin", "moderator"}) {
		t.Fatalf("add-oauth-service after addRole = %v", got)
	}
	e.Admin.Post(t, "permissions.removeRole", body("add-oauth-service", "moderator")).OK(t)
	if got := listPermissions(t, plain)["add-oauth-service"]; !slices.Equal(got, []string{"admin"}) {
		t.Fatalf("add-oauth-service after removeRole = %v", got)
	}

	// A change to a permission Parley checks takes effect at once.
	e.Admin.Post(t, "permissions.addRole", body("access-permissions", "user")).OK(t)
	plain.Get(t, "roles.getUsersInRole", apitest.Q("role", "admin")).OK(t)
	e.Admin.Post(t, "permissions.removeRole", body("access-permissions", "user")).OK(t)
	plain.Get(t, "roles.getUsersInRole", apitest.Q("role", "admin")).Expect(t, 403)
}
