package api_test

import (
	"maps"
	"net/url"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/api/apitest"
)

// usernames lists the usernames of a users or items answer.
func usernames(list []map[string]any) map[string]bool {
	out := map[string]bool{}
	for _, u := range list {
		out[u["username"].(string)] = true
	}
	return out
}

func TestUsersAutocomplete(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	ann := e.NewUser(t, "ann", map[string]any{"joinDefaultChannels": false})
	e.NewUser(t, "annette", map[string]any{"joinDefaultChannels": false, "nickname": "nettie"})
	e.Admin.Post(t, "users.create", map[string]any{"username": "anna", "name": "Anna", "email": "anna@example.com", "password": "pw", "active": false}).OK(t)
	bo := e.NewUser(t, "bo", map[string]any{"joinDefaultChannels": false})
	auto := func(c *apitest.Client, sel string) []map[string]any {
		var out struct{ Items []map[string]any }
		c.Get(t, "users.autocomplete", apitest.Q("selector", sel)).OK(t).Decode(t, &out)
		return out.Items
	}
	// Active users whose username or name contains the term.
	got := usernames(auto(e.Admin, `{"term":"ann"}`))
	if !got["ann"] || !got["annette"] || got["anna"] || got["bo"] {
		t.Fatalf("term ann: %v", got)
	}
	got = usernames(auto(e.Admin, `{"term":"ann","exceptions":["ann"]}`))
	if got["ann"] || !got["annette"] {
		t.Fatalf("exceptions: %v", got)
	}
	items := auto(e.Admin, `{"term":"annette"}`)
	if len(items) != 1 || items[0]["nickname"] != "nettie" || items[0]["status"] != "offline" || items[0]["_id"] == nil {
		t.Fatalf("item shape: %v", items)
	}
	// Conditions: equality under $and/$or.
	if items := auto(e.Admin, `{"conditions":{"$and":[{"active":false},{"status":"online"}]}}`); len(items) != 0 {
		t.Fatalf("an active user cannot be inactive: %v", items)
	}
	got = usernames(auto(e.Admin, `{"term":"ann","conditions":{"$or":[{"username":"annette"},{"username":"bo"}]}}`))
	if len(got) != 1 || !got["annette"] {
		t.Fatalf("$or: %v", got)
	}
	for _, sel := range []string{`{"conditions":{"$nor":[{"username":{"$exists":false}}]}}`, `{"conditions":{"username":{"$regex":"a"}}}`} {
		e.Admin.Get(t, "users.autocomplete", apitest.Q("selector", sel)).Fails(t, 400, "error-invalid-query", "")
	}
	e.Admin.Get(t, "users.autocomplete").Fails(t, 400, "invalid-params", "must have required property 'selector' [invalid-params]")
	e.Admin.Get(t, "users.autocomplete", apitest.Q("selector", "{nope")).Fails(t, 400, "invalid-params", "")

	// Without view-outside-room only the users sharing a room show, and
	// never the caller.
	e.SetPermission(t, "view-outside-room", "admin")
	if items := auto(ann, `{}`); len(items) != 0 {
		t.Fatalf("ann shares no room: %v", items)
	}
	rid := ann.CreateRoom(t, "channels", e.Unique("auto"), nil)
	if items := auto(ann, `{}`); len(items) != 0 {
		t.Fatalf("alone in the room: %v", items)
	}
	bo.Post(t, "channels.join", map[string]any{"roomId": rid}).OK(t)
	if got := usernames(auto(ann, `{}`)); len(got) != 1 || !got["bo"] {
		t.Fatalf("room mates: %v", got)
	}
}

func TestUsersListByStatus(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	pat := e.NewUser(t, "pat") // logged in
	e.Admin.Post(t, "users.create", map[string]any{"username": "quinn", "name": "Quinn Q", "email": "quinn@example.com", "password": "pw"}).OK(t)
	e.Admin.Post(t, "users.create", map[string]any{"username": "rae", "name": "Rae", "email": "rae@example.com", "password": "pw", "active": false}).OK(t)
	list := func(q url.Values) []map[string]any {
		var out struct {
			Users []map[string]any
			Total int
			Count int
		}
		e.Admin.Get(t, "users.listByStatus", q).OK(t).Decode(t, &out)
		if out.Count != len(out.Users) {
			t.Fatalf("count %d of %d", out.Count, len(out.Users))
		}
		return out.Users
	}
	cases := []struct {
		name    string
		q       url.Values
		in, out []string
	}{
		{"pending", apitest.Q("hasLoggedIn", "false", "type", "user"), []string{"quinn", "rae"}, []string{"pat", "admin"}},
		{"active logged in", apitest.Q("hasLoggedIn", "true", "status", "active"), []string{"pat", "admin"}, []string{"quinn", "rae"}},
		{"deactivated", apitest.Q("status", "deactivated"), []string{"rae"}, []string{"pat", "quinn"}},
		{"search name", apitest.Q("searchTerm", "Quinn"), []string{"quinn"}, []string{"pat"}},
		{"search email (admin)", apitest.Q("searchTerm", "rae@example"), []string{"rae"}, []string{"quinn"}},
		{"role", apitest.Q("roles[]", "admin"), []string{"admin"}, []string{"pat"}},
		{"all roles", apitest.Q("roles", "all", "count", "100"), []string{"admin", "pat", "quinn", "rae"}, nil},
	}
	for _, tc := range cases {
		got := usernames(list(tc.q))
		for _, n := range tc.in {
			if !got[n] {
				t.Errorf("%s: %s missing from %v", tc.name, n, got)
			}
		}
		for _, n := range tc.out {
			if got[n] {
				t.Errorf("%s: %s should not be in %v", tc.name, n, got)
			}
		}
	}
	users := list(apitest.Q("searchTerm", "pat"))
	if len(users) != 1 || users[0]["active"] != true || users[0]["lastLogin"] == nil || users[0]["emails"] == nil || users[0]["roles"] == nil {
		t.Fatalf("shape: %v", users)
	}
	e.Admin.Get(t, "users.listByStatus", apitest.Q("status", "abcd")).
		Fails(t, 400, "invalid-params", "must be equal to one of the allowed values [invalid-params]")
	// Others see no email addresses.
	var out struct{ Users []map[string]any }
	pat.Get(t, "users.listByStatus", apitest.Q("searchTerm", "quinn")).OK(t).Decode(t, &out)
	if len(out.Users) != 1 || out.Users[0]["emails"] != nil {
		t.Fatalf("a user's view: %v", out.Users)
	}
	pat.Get(t, "users.listByStatus", apitest.Q("searchTerm", "rae@example")).OK(t).Decode(t, &out)
	if len(out.Users) != 0 {
		t.Fatalf("users cannot search by email: %v", out.Users)
	}
	const refused = "User does not have the permissions required for this action [error-unauthorized]"
	e.SetPermission(t, "view-outside-room", "admin")
	pat.Get(t, "users.listByStatus", apitest.Q("status", "active")).Fails(t, 403, "", refused)
	e.SetPermission(t, "view-outside-room", "admin", "user")
	e.SetPermission(t, "view-d-room", "admin")
	pat.Get(t, "users.listByStatus", apitest.Q("status", "active")).Fails(t, 403, "", refused)
}

func TestUsersPresence(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	sam := e.NewUser(t, "sam")
	e.NewUser(t, "tia")
	sam.Post(t, "users.setStatus", map[string]any{"status": "away"}).OK(t)
	presence := func(q url.Values) ([]map[string]any, bool) {
		var out struct {
			Users []map[string]any
			Full  bool
		}
		e.Admin.Get(t, "users.presence", q).OK(t).Decode(t, &out)
		return out.Users, out.Full
	}
	users, full := presence(nil)
	got := usernames(users)
	if !full || !got["sam"] || got["tia"] {
		t.Fatalf("full list of users not offline: %v %v", full, got)
	}
	for _, u := range users {
		if u["username"] == "sam" && (u["status"] != "away" || u["utcOffset"] == nil || u["name"] != "Sam") {
			t.Fatalf("shape: %v", u)
		}
	}
	e.Anon().Get(t, "users.presence").Expect(t, 401)
	// from: now → nothing changed since.
	if users, full := presence(apitest.Q("from", time.Now().Add(time.Second).UTC().Format(time.RFC3339Nano))); full || len(users) != 0 {
		t.Fatalf("from now: %v %v", full, users)
	}
	// from a minute ago: the users changed since, offline ones too.
	if users, full := presence(apitest.Q("from", time.Now().Add(-time.Minute).UTC().Format(time.RFC3339Nano))); full || !usernames(users)["tia"] {
		t.Fatalf("from a minute ago: %v %v", full, users)
	}
	// from long ago: the full list.
	if _, full := presence(apitest.Q("from", time.Now().Add(-11*time.Minute).UTC().Format(time.RFC3339Nano))); !full {
		t.Fatal("from 11 minutes ago should answer the full list")
	}
	if users, full := presence(apitest.Q("ids", sam.UserID+",nobody")); full || len(users) != 1 {
		t.Fatalf("ids: %v %v", full, users)
	}
	e.SetSetting(t, "Presence_broadcast_disabled", true)
	if users, full := presence(nil); !full || len(users) != 0 {
		t.Fatalf("broadcast disabled: %v %v", full, users)
	}
}

func TestUsersGetPresence(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	uma := e.NewUser(t, "uma")
	uma.Post(t, "users.setStatus", map[string]any{"status": "busy"}).OK(t)
	var other map[string]any
	e.Admin.Get(t, "users.getPresence", apitest.Q("userId", uma.UserID)).OK(t).Decode(t, &other)
	if other["presence"] != "busy" || other["connectionStatus"] != nil {
		t.Fatalf("other: %v", other)
	}
	var self map[string]any
	uma.Get(t, "users.getPresence").OK(t).Decode(t, &self)
	if self["presence"] != "busy" || self["connectionStatus"] != "offline" || self["lastLogin"] == nil {
		t.Fatalf("self: %v", self)
	}
	e.Admin.Get(t, "users.getPresence", apitest.Q("username", "nobody")).Fails(t, 400, "error-invalid-user", "")
}

func TestUsersListTeams(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	vic := e.NewUser(t, "vic")
	wes := e.NewUser(t, "wes")
	names := func(c *apitest.Client) map[string]bool {
		t.Helper()
		var out struct {
			Teams []struct {
				Name    string `json:"name"`
				IsOwner bool   `json:"isOwner"`
			}
		}
		c.Get(t, "users.listTeams", apitest.Q("userId", vic.UserID)).OK(t).Decode(t, &out)
		if out.Teams == nil {
			t.Fatal("teams: null, want a list")
		}
		got := map[string]bool{}
		for _, tm := range out.Teams {
			got[tm.Name] = tm.IsOwner
		}
		return got
	}
	if got := names(vic); len(got) != 0 {
		t.Fatalf("before any team: %v", got)
	}
	createTeam(t, vic, "lt-public", 0, nil)
	createTeam(t, vic, "lt-private", 1, nil)
	for _, c := range []struct {
		who  string
		as   *apitest.Client
		want map[string]bool
	}{
		{"the member", vic, map[string]bool{"lt-public": true, "lt-private": true}},
		{"an outsider", wes, map[string]bool{"lt-public": true}},
		{"an admin (view-all-teams)", e.Admin, map[string]bool{"lt-public": true, "lt-private": true}},
	} {
		if got := names(c.as); !maps.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.who, got, c.want)
		}
	}
	e.Anon().Get(t, "users.listTeams").Expect(t, 401)
}

func TestUsersInfoRooms(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	rex := e.NewUser(t, "rex")
	rid := e.Admin.CreateRoom(t, "channels", e.Unique("info"), nil, "rex")
	rooms := func(c *apitest.Client, q url.Values) []any {
		var out struct{ User map[string]any }
		c.Get(t, "users.info", q).OK(t).Decode(t, &out)
		r, _ := out.User["rooms"].([]any)
		if _, has := out.User["rooms"]; has && r == nil {
			t.Fatalf("rooms: %v", out.User["rooms"])
		}
		return r
	}
	found := func(list []any) bool {
		for _, r := range list {
			if m := r.(map[string]any); m["rid"] == rid && m["unread"] != nil {
				return true
			}
		}
		return false
	}
	if !found(rooms(e.Admin, apitest.Q("userId", rex.UserID, "includeUserRooms", "true"))) {
		t.Fatal("the admin should see rex's rooms")
	}
	if rooms(e.Admin, apitest.Q("userId", rex.UserID)) != nil {
		t.Fatal("rooms only when asked for")
	}
	e.SetPermission(t, "view-other-user-channels")
	if rooms(e.Admin, apitest.Q("userId", rex.UserID, "fields", `{"userRooms":1}`)) != nil {
		t.Fatal("rooms of others need view-other-user-channels")
	}
	if !found(rooms(rex, apitest.Q("userId", rex.UserID, "includeUserRooms", "true"))) {
		t.Fatal("users see their own rooms")
	}
}
