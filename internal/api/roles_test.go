package api_test

import (
	"slices"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/api/apitest"
	"github.com/parleychat/parley/internal/events"
)

// roleIDs lists the _id of each role in an answer.
func roleIDs(list []map[string]any) []string {
	var out []string
	for _, r := range list {
		out = append(out, r["_id"].(string))
	}
	return out
}

func TestRolesList(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "plain")
	var out struct{ Roles []map[string]any }
	e.Users[0].Get(t, "roles.list").OK(t).Decode(t, &out)
	want := []string{"admin", "moderator", "leader", "owner", "user", "federated-external", "bot", "app", "guest", "anonymous", "livechat-agent", "livechat-manager"}
	if got := roleIDs(out.Roles); !slices.Equal(got, want) {
		t.Fatalf("roles.list ids = %v, want %v", got, want)
	}
	for _, r := range out.Roles {
		if r["name"] != r["_id"] || r["protected"] != true || r["mandatory2fa"] != false {
			t.Errorf("role %v", r)
		}
		if _, has := r["_updatedAt"]; has {
			t.Errorf("roles.list shows _updatedAt: %v", r)
		}
	}
	if out.Roles[0]["scope"] != "Users" || out.Roles[0]["description"] != "Admin" || out.Roles[3]["scope"] != "Subscriptions" {
		t.Fatalf("admin or owner role = %v, %v", out.Roles[0], out.Roles[3])
	}
	e.Anon().Get(t, "roles.list").Expect(t, 401)
}

func TestRolesSync(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	type syncOut struct {
		Roles struct{ Update, Remove []map[string]any }
	}
	var none syncOut
	e.Admin.Get(t, "roles.sync").OK(t).Decode(t, &none)
	if len(none.Roles.Update) != 0 || none.Roles.Remove == nil || len(none.Roles.Remove) != 0 {
		t.Fatalf("roles.sync without updatedSince = %+v", none)
	}
	var all syncOut
	e.Admin.Get(t, "roles.sync", apitest.Q("updatedSince", "2020-01-01T00:00:00.000Z")).OK(t).Decode(t, &all)
	if len(all.Roles.Update) != 12 || all.Roles.Update[0]["_updatedAt"] == nil {
		t.Fatalf("roles.sync since 2020 = %+v", all)
	}
	var later syncOut
	future := time.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04:05.000Z")
	e.Admin.Get(t, "roles.sync", apitest.Q("updatedSince", future)).OK(t).Decode(t, &later)
	if len(later.Roles.Update) != 0 {
		t.Fatalf("roles.sync since the future = %+v", later)
	}
	e.Admin.Get(t, "roles.sync", apitest.Q("updatedSince", "yesterday")).Fails(t, 400, "error-updatedSince-param-invalid", "")
}

// Custom roles need Rocket.Chat's enterprise license, which is checked
// before anything else, the login included.
func TestRolesCreateAndUpdateAreEnterprise(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	for _, path := range []string{"roles.create", "roles.update"} {
		for _, c := range []*apitest.Client{e.Admin, e.Anon()} {
			c.Post(t, path, map[string]any{"name": "support", "roleId": ""}).
				Fails(t, 400, "error-action-not-allowed", "This is an enterprise feature [error-action-not-allowed]")
		}
	}
	var out struct{ Roles []map[string]any }
	e.Admin.Get(t, "roles.list").OK(t).Decode(t, &out)
	if slices.Contains(roleIDs(out.Roles), "support") {
		t.Fatal("roles.create made a role")
	}
}

func TestRolesDelete(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "plain")
	cases := []struct {
		name   string
		caller *apitest.Client
		body   map[string]any
		typ    string
		text   string
	}{
		{"no permission", e.Users[0], map[string]any{"roleId": "bot"}, "", "User does not have the permissions required for this action [error-unauthorized]"},
		{"no role", e.Admin, map[string]any{}, "error-invalid-role-properties", "The role properties are invalid. [error-invalid-role-properties]"},
		{"unknown role", e.Admin, map[string]any{"roleId": "invalid-role"}, "error-invalid-roleId", "This role does not exist [error-invalid-roleId]"},
		{"protected role", e.Admin, map[string]any{"roleId": "livechat-agent"}, "error-role-protected", "Cannot delete a protected role [error-role-protected]"},
	}
	for _, tc := range cases {
		status := 400
		if tc.typ == "" {
			status = 403
		}
		t.Run(tc.name, func(t *testing.T) {
			tc.caller.Post(t, "roles.delete", tc.body).Fails(t, status, tc.typ, tc.text)
		})
	}
}

// userRoles reads a user's global roles through users.info, as the admin.
func userRoles(t *testing.T, e *apitest.Env, id string) []string {
	t.Helper()
	u := e.Admin.Get(t, "users.info", apitest.Q("userId", id)).OK(t).JSON(t)["user"].(map[string]any)
	return apitest.Strings(u["roles"])
}

func TestRolesAddUserToRole(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "bob", "carol")
	alice, bob, carol := e.Users[0], e.Users[1], e.Users[2]
	rid := alice.CreateRoom(t, "channels", "", nil, "bob")
	cases := []struct {
		name   string
		caller *apitest.Client
		body   map[string]any
		typ    string
		text   string
	}{
		{"no user", e.Admin, map[string]any{"roleId": "bot"}, "error-invalid-role-properties", "must have required property 'username' [error-invalid-role-properties]"},
		{"unknown user", e.Admin, map[string]any{"roleId": "bot", "username": "nobody"}, "error-invalid-user", `The required "userId" or "username" param provided does not match any users [error-invalid-user]`},
		{"no role", e.Admin, map[string]any{"username": "bob"}, "", "error-invalid-role-properties"},
		{"unknown role", e.Admin, map[string]any{"roleId": "nope", "username": "bob"}, "Role not found", "error-role-not-found"},
		{"held already", e.Admin, map[string]any{"roleId": "user", "username": "bob"}, "error-user-already-in-role", "User already in role [error-user-already-in-role]"},
		{"room role without room", e.Admin, map[string]any{"roleId": "owner", "username": "bob"}, "error-invalid-arguments", "Invalid arguments [error-invalid-arguments]"},
		{"not a member", e.Admin, map[string]any{"roleId": "owner", "username": "carol", "roomId": rid}, "error-invalid-user", "User is not part of given room [error-invalid-user]"},
		{"no permission", alice, map[string]any{"roleId": "bot", "username": "bob"}, "error-action-not-allowed", "Accessing permissions is not allowed [error-action-not-allowed]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.caller.Post(t, "roles.addUserToRole", tc.body)
			if tc.typ == "" {
				r.FailsPlain(t, tc.text)
				return
			}
			r.Fails(t, 400, tc.typ, tc.text)
		})
	}

	// A global role, named the old way (roleName).
	var out struct{ Role map[string]any }
	e.Admin.Post(t, "roles.addUserToRole", map[string]any{"roleName": "livechat-agent", "username": "bob"}).OK(t).Decode(t, &out)
	if out.Role["_id"] != "livechat-agent" || out.Role["scope"] != "Users" || out.Role["_updatedAt"] == nil {
		t.Fatalf("role = %v", out.Role)
	}
	if got := userRoles(t, e.Env, bob.UserID); !slices.Contains(got, "livechat-agent") || !slices.Contains(got, "user") {
		t.Fatalf("bob's roles = %v", got)
	}

	// A room role, on the member's subscription; the room's roles show it.
	e.Admin.Post(t, "roles.addUserToRole", map[string]any{"roleId": "moderator", "username": "bob", "roomId": rid}).OK(t)
	if roles := apitest.Strings(bob.Subscription(t, rid)["roles"]); !slices.Contains(roles, "moderator") {
		t.Fatalf("bob's subscription roles = %v", roles)
	}
	if got := userRoles(t, e.Env, bob.UserID); slices.Contains(got, "moderator") {
		t.Fatalf("a room role became global: %v", got)
	}

	// admin takes assign-admin-role besides access-permissions.
	e.SetPermission(t, "assign-admin-role")
	e.Admin.Post(t, "roles.addUserToRole", map[string]any{"roleId": "admin", "username": "carol"}).
		Fails(t, 400, "error-action-not-allowed", "Assigning admin is not allowed [error-action-not-allowed]")
	e.SetPermission(t, "assign-admin-role", "admin")
	e.Admin.Post(t, "roles.addUserToRole", map[string]any{"roleId": "admin", "userId": carol.UserID}).OK(t)
	// The new admin's next request already acts as one.
	carol.Get(t, "roles.getUsersInRole", apitest.Q("role", "admin")).OK(t)
}

func TestRolesRemoveUserFromRole(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "bob")
	alice, bob := e.Users[0], e.Users[1]
	rid := alice.CreateRoom(t, "channels", "", nil, "bob")
	e.Admin.Post(t, "roles.addUserToRole", map[string]any{"roleId": "livechat-manager", "username": "bob"}).OK(t)
	e.Admin.Post(t, "roles.addUserToRole", map[string]any{"roleId": "leader", "username": "bob", "roomId": rid}).OK(t)

	cases := []struct {
		name   string
		caller *apitest.Client
		body   map[string]any
		status int
		typ    string
		text   string
	}{
		{"no permission", bob, map[string]any{"roleId": "livechat-manager", "username": "bob"}, 403, "", "User does not have the permissions required for this action [error-unauthorized]"},
		{"no role", e.Admin, map[string]any{"username": "bob"}, 400, "error-invalid-role-properties", "The role properties are invalid. [error-invalid-role-properties]"},
		{"unknown user", e.Admin, map[string]any{"roleId": "livechat-manager", "username": "invalid-username"}, 400, "error-invalid-user", "There is no user with this username [error-invalid-user]"},
		{"unknown role", e.Admin, map[string]any{"roleId": "invalid-role", "username": "bob"}, 400, "error-invalid-roleId", "This role does not exist [error-invalid-roleId]"},
		{"not held", e.Admin, map[string]any{"roleId": "admin", "username": "bob"}, 400, "error-user-not-in-role", "User is not in this role [error-user-not-in-role]"},
		{"last admin", e.Admin, map[string]any{"roleId": "admin", "username": "admin"}, 400, "error-admin-required", "You need to have at least one admin [error-admin-required]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.caller.Post(t, "roles.removeUserFromRole", tc.body).Fails(t, tc.status, tc.typ, tc.text)
		})
	}

	var out struct{ Role map[string]any }
	e.Admin.Post(t, "roles.removeUserFromRole", map[string]any{"roleId": "livechat-manager", "username": "bob"}).OK(t).Decode(t, &out)
	if out.Role["_id"] != "livechat-manager" {
		t.Fatalf("role = %v", out.Role)
	}
	if got := userRoles(t, e.Env, bob.UserID); slices.Contains(got, "livechat-manager") {
		t.Fatalf("bob keeps the role: %v", got)
	}
	e.Admin.Post(t, "roles.removeUserFromRole", map[string]any{"roleId": "leader", "username": "bob", "scope": rid}).OK(t)
	if roles := apitest.Strings(bob.Subscription(t, rid)["roles"]); slices.Contains(roles, "leader") {
		t.Fatalf("bob is still leader: %v", roles)
	}
}

func TestRolesGetUsersInRole(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "bob", "carol")
	alice := e.Users[0]
	rid := alice.CreateRoom(t, "groups", "", nil, "bob")
	for _, name := range []string{"bob", "carol"} {
		e.Admin.Post(t, "roles.addUserToRole", map[string]any{"roleId": "livechat-agent", "username": name}).OK(t)
	}

	alice.Get(t, "roles.getUsersInRole", apitest.Q("role", "admin")).
		Fails(t, 403, "", "User does not have the permissions required for this action [error-unauthorized]")
	e.Admin.Get(t, "roles.getUsersInRole").Fails(t, 400, "error-param-not-provided", `Query param "role" is required [error-param-not-provided]`)
	e.Admin.Get(t, "roles.getUsersInRole", apitest.Q("role", "invalid-role")).Fails(t, 400, "error-invalid-roleId", "[error-invalid-roleId]")

	type usersOut struct {
		Users []map[string]any
		Total int
	}
	var agents usersOut
	e.Admin.Get(t, "roles.getUsersInRole", apitest.Q("role", "livechat-agent")).OK(t).Decode(t, &agents)
	if agents.Total != 2 || len(agents.Users) != 2 || agents.Users[0]["username"] != "bob" || agents.Users[0]["emails"] == nil {
		t.Fatalf("livechat agents = %+v", agents)
	}
	var page usersOut
	e.Admin.Get(t, "roles.getUsersInRole", apitest.Q("role", "livechat-agent", "count", "1", "offset", "1")).OK(t).Decode(t, &page)
	if page.Total != 2 || len(page.Users) != 1 || page.Users[0]["username"] != "carol" {
		t.Fatalf("second page = %+v", page)
	}

	// A room role, in one room or in any.
	var owners usersOut
	e.Admin.Get(t, "roles.getUsersInRole", apitest.Q("role", "owner", "roomId", rid)).OK(t).Decode(t, &owners)
	if owners.Total != 1 || owners.Users[0]["_id"] != alice.UserID {
		t.Fatalf("owners of the room = %+v", owners)
	}
	var anyOwners usersOut
	e.Admin.Get(t, "roles.getUsersInRole", apitest.Q("role", "owner")).OK(t).Decode(t, &anyOwners)
	if anyOwners.Total != 1 {
		t.Fatalf("owners anywhere = %+v", anyOwners)
	}
	// Naming a room takes view-other-user-channels.
	e.SetPermission(t, "view-other-user-channels")
	e.Admin.Get(t, "roles.getUsersInRole", apitest.Q("role", "owner", "roomId", rid)).Fails(t, 400, "error-not-allowed", "Not allowed [error-not-allowed]")
}

func TestRolesGetUsersInPublicRoles(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "bob")
	e.Admin.Post(t, "roles.addUserToRole", map[string]any{"roleId": "livechat-agent", "username": "bob"}).OK(t)
	var out struct{ Users []map[string]any }
	e.Users[0].Get(t, "roles.getUsersInPublicRoles").OK(t).Decode(t, &out)
	got := map[string][]string{}
	for _, u := range out.Users {
		got[u["username"].(string)] = apitest.Strings(u["roles"])
	}
	if len(got) != 2 || !slices.Equal(got["admin"], []string{"admin"}) || !slices.Equal(got["bob"], []string{"livechat-agent"}) {
		t.Fatalf("users in public roles = %v", out.Users)
	}
}

// Role changes are announced as changes of the user or of the
// subscription that holds the role; refused ones announce nothing.
func TestRoleChangesEmitEvents(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "bob")
	alice, bob := e.Users[0], e.Users[1]
	rid := alice.CreateRoom(t, "channels", "", nil, "bob")
	cases := []struct {
		name string
		act  func(t *testing.T)
		want []events.Event
	}{
		{"global role", func(t *testing.T) {
			e.Admin.Post(t, "roles.addUserToRole", map[string]any{"roleId": "bot", "username": "bob"}).OK(t)
		}, []events.Event{{Kind: events.UserChanged, UserID: bob.UserID, ID: bob.UserID}}},
		{"room role", func(t *testing.T) {
			e.Admin.Post(t, "roles.addUserToRole", map[string]any{"roleId": "leader", "username": "bob", "roomId": rid}).OK(t)
		}, []events.Event{{Kind: events.SubscriptionChanged, RoomID: rid, UserID: bob.UserID}}},
		{"removed room role", func(t *testing.T) {
			e.Admin.Post(t, "roles.removeUserFromRole", map[string]any{"roleId": "leader", "username": "bob", "scope": rid}).OK(t)
		}, []events.Event{{Kind: events.SubscriptionChanged, RoomID: rid, UserID: bob.UserID}}},
		{"refused", func(t *testing.T) {
			alice.Post(t, "roles.addUserToRole", map[string]any{"roleId": "app", "username": "bob"}).Expect(t, 400)
		}, nil},
	}
	for _, tc := range cases {
		rec := e.App.Bus().Subscribe(64)
		tc.act(t)
		var got []events.Event
		for _, ev := range drainEvents(rec) {
			if ev.Kind == events.SubscriptionChanged {
				ev.ID = "" // the subscription's own id is not known here
			}
			got = append(got, ev)
		}
		rec.Close()
		if !slices.EqualFunc(got, tc.want, func(a, b events.Event) bool {
			return a.Kind == b.Kind && a.RoomID == b.RoomID && a.UserID == b.UserID && a.ID == b.ID
		}) {
			t.Errorf("%s: events %v, want %v", tc.name, got, tc.want)
		}
	}
}

// assign-admin-role guards every way of making an administrator.
func TestAssignAdminRole(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "bob")
	bob := e.Users[0]
	const refusal = "Assigning admin is not allowed [error-action-not-allowed]"
	e.SetPermission(t, "assign-admin-role")
	e.Admin.Post(t, "users.create", map[string]any{"username": "root2", "name": "R", "email": "root2@example.com", "password": "pw", "roles": []string{"admin"}}).
		Fails(t, 400, "error-action-not-allowed", refusal)
	e.Admin.Post(t, "users.update", map[string]any{"userId": bob.UserID, "data": map[string]any{"roles": []string{"user", "admin"}}}).
		Fails(t, 400, "error-action-not-allowed", refusal)
	e.Admin.Post(t, "roles.addUserToRole", map[string]any{"roleId": "admin", "username": "bob"}).
		Fails(t, 400, "error-action-not-allowed", refusal)
	if got := userRoles(t, e.Env, bob.UserID); slices.Contains(got, "admin") {
		t.Fatalf("bob became an admin: %v", got)
	}
	// Other roles need no more than before.
	e.Admin.Post(t, "users.update", map[string]any{"userId": bob.UserID, "data": map[string]any{"roles": []string{"user", "bot"}}}).OK(t)

	e.SetPermission(t, "assign-admin-role", "admin")
	e.Admin.Post(t, "users.update", map[string]any{"userId": bob.UserID, "data": map[string]any{"roles": []string{"user", "admin"}}}).OK(t)
	if got := userRoles(t, e.Env, bob.UserID); !slices.Contains(got, "admin") {
		t.Fatalf("bob's roles = %v", got)
	}
}
