package api_test

import (
	"slices"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

// The username and room-name patterns are settings, applied at once to
// every path that names a user or a room.
func TestNamePatterns(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	bob := e.NewUser(t, "bob")
	e.SetSetting(t, "UTF8_User_Names_Validation", "[a-z]+")
	e.Admin.Post(t, "users.create", map[string]any{"username": "Bob2", "email": "bob2@example.com", "name": "B", "password": "pw"}).
		Fails(t, 400, "error-input-is-not-a-valid-field", "Bob2 is not a valid username [error-input-is-not-a-valid-field]")
	e.Anon().Post(t, "users.register", map[string]any{"username": "eve.x", "email": "eve@example.com", "name": "E", "pass": "pw"}).
		FailsPlain(t, "The username provided is not valid")
	e.Admin.Post(t, "users.update", map[string]any{"userId": bob.UserID, "data": map[string]any{"username": "bob_2"}}).
		Fails(t, 400, "error-input-is-not-a-valid-field", "bob_2 is not a valid username [error-input-is-not-a-valid-field]")
	// The pattern covers the whole name: a matching part is not enough.
	e.Admin.Post(t, "users.create", map[string]any{"username": "ok1", "email": "ok1@example.com", "name": "O", "password": "pw"}).
		Fails(t, 400, "error-input-is-not-a-valid-field", "")
	e.Admin.Post(t, "users.create", map[string]any{"username": "okay", "email": "okay@example.com", "name": "O", "password": "pw"}).OK(t)
	// A broken pattern falls back to Rocket.Chat's default.
	e.SetSetting(t, "UTF8_User_Names_Validation", "[a-z")
	e.Admin.Post(t, "users.create", map[string]any{"username": "Back.2", "email": "back@example.com", "name": "B", "password": "pw"}).OK(t)
	e.Admin.Post(t, "users.create", map[string]any{"username": "no way", "email": "noway@example.com", "name": "N", "password": "pw"}).
		Fails(t, 400, "error-input-is-not-a-valid-field", "")

	e.SetSetting(t, "UTF8_Channel_Names_Validation", "[a-z-]+")
	for _, kind := range []string{"channels", "groups"} {
		e.Admin.Post(t, kind+".create", map[string]any{"name": "room1"}).
			Fails(t, 400, "error-invalid-room-name", "room1 is not a valid room name [error-invalid-room-name]")
		e.Admin.Post(t, kind+".create", map[string]any{"name": "all"}).
			Fails(t, 400, "error-invalid-room-name", "all is not a valid room name [error-invalid-room-name]")
		e.Admin.Post(t, kind+".create", map[string]any{"name": kind + "-room"}).OK(t)
	}
}

// With UI_Allow_room_names_with_special_chars on, any display name goes:
// it is the room's fname and its slug the name.
func TestRoomNamesWithSpecialChars(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	e.Admin.Post(t, "channels.create", map[string]any{"name": "Salle de Réunion!"}).
		Fails(t, 400, "error-invalid-room-name", "Salle de Réunion! is not a valid room name [error-invalid-room-name]")
	e.SetSetting(t, "UI_Allow_room_names_with_special_chars", true)
	var out struct{ Channel map[string]any }
	e.Admin.Post(t, "channels.create", map[string]any{"name": "Salle de Réunion!"}).OK(t).Decode(t, &out)
	if out.Channel["name"] != "Salle-de-Reunion" || out.Channel["fname"] != "Salle de Réunion!" {
		t.Fatalf("name %v, fname %v", out.Channel["name"], out.Channel["fname"])
	}
	info := e.Admin.Get(t, "channels.info", apitest.Q("roomName", "Salle-de-Reunion")).OK(t).JSON(t)["channel"].(map[string]any)
	if info["_id"] != out.Channel["_id"] || info["fname"] != "Salle de Réunion!" {
		t.Fatalf("channels.info = %v", info)
	}
	// Greek and Cyrillic names are spelled in Latin letters, case kept.
	for _, c := range []struct{ fname, name string }{
		{"Ελληνικά-ομάδα", "Ellinika-omada"},
		{"Новости Ёлки", "Novosti-Yolki"},
		{"Київ_й", "Kiyiv_j"},
	} {
		var got struct{ Group map[string]any }
		e.Admin.Post(t, "groups.create", map[string]any{"name": c.fname}).OK(t).Decode(t, &got)
		if got.Group["name"] != c.name || got.Group["fname"] != c.fname {
			t.Errorf("%s: name %v, fname %v; want name %s", c.fname, got.Group["name"], got.Group["fname"], c.name)
		}
	}
	// The slug still has to match the pattern.
	e.SetSetting(t, "UTF8_Channel_Names_Validation", "[a-z-]+")
	e.Admin.Post(t, "groups.create", map[string]any{"name": "Team 42"}).
		Fails(t, 400, "error-invalid-room-name", "Team-42 is not a valid room name [error-invalid-room-name]")
	e.Admin.Post(t, "groups.create", map[string]any{"name": "?!"}).
		Fails(t, 400, "error-invalid-room-name", "")
}

const teamField = `{"team": {"type": "select", "options": ["red", "blue"], "required": true},
 "code": {"type": "text", "required": true, "minLength": 2, "maxLength": 10}}`

func TestCustomFieldsDefinition(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	bob := e.NewUser(t, "bob")
	// Without a definition, customFields are stored as given.
	var out struct{ User map[string]any }
	e.Admin.Post(t, "users.create", map[string]any{"username": "free", "email": "free@example.com", "name": "F", "password": "pw",
		"customFields": map[string]any{"anything": "goes"}}).OK(t).Decode(t, &out)
	if out.User["customFields"].(map[string]any)["anything"] != "goes" {
		t.Fatalf("customFields = %v", out.User["customFields"])
	}

	e.SetSetting(t, "Accounts_CustomFields", teamField)
	const fail = "error-user-registration-custom-field"
	cases := []struct {
		fields map[string]any
		text   string
	}{
		{map[string]any{"code": "abc"}, "Field team is required [error-user-registration-custom-field]"},
		{map[string]any{"team": "  ", "code": "abc"}, "Field team is required [error-user-registration-custom-field]"},
		{map[string]any{"team": "green", "code": "abc"}, "Value for field team is invalid [error-user-registration-custom-field]"},
		{map[string]any{"team": "red", "code": ""}, "Field code is required [error-user-registration-custom-field]"},
		{map[string]any{"team": "red", "code": "0"}, "Min length of field code 2 [error-user-registration-custom-field]"},
		{map[string]any{"team": "red", "code": "0123456789-0"}, "Max length of field code 10 [error-user-registration-custom-field]"},
	}
	for i, tc := range cases {
		name := e.Unique("cf")
		e.Admin.Post(t, "users.create", map[string]any{"username": name, "email": name + "@example.com", "name": name, "password": "pw",
			"customFields": tc.fields}).Fails(t, 400, fail, tc.text)
		e.Admin.Post(t, "users.update", map[string]any{"userId": bob.UserID, "data": map[string]any{"customFields": tc.fields}}).
			Fails(t, 400, fail, tc.text)
		e.Anon().Post(t, "users.register", map[string]any{"username": name, "email": name + "@example.com", "name": name, "pass": "pw",
			"customFields": tc.fields}).Fails(t, 400, fail, tc.text)
		if r := e.Admin.Get(t, "users.info", apitest.Q("username", name)); r.Status != 400 {
			t.Fatalf("case %d: the refused user exists", i)
		}
	}
	// Registration needs the required fields even when no customFields
	// are sent; users.create checks them only when it gets customFields.
	e.Anon().Post(t, "users.register", map[string]any{"username": "nofields", "email": "nofields@example.com", "name": "N", "pass": "pw"}).
		Fails(t, 400, fail, "Field team is required [error-user-registration-custom-field]")
	e.Admin.Post(t, "users.create", map[string]any{"username": "plainer", "email": "plainer@example.com", "name": "P", "password": "pw"}).OK(t)

	// Valid values are stored, and only the defined fields.
	good := map[string]any{"team": "blue", "code": " x1 ", "extra": "dropped"}
	e.Admin.Post(t, "users.create", map[string]any{"username": "carol", "email": "carol@example.com", "name": "C", "password": "pw",
		"customFields": good}).OK(t).Decode(t, &out)
	want := map[string]any{"team": "blue", "code": " x1 "}
	if got := out.User["customFields"].(map[string]any); len(got) != len(want) || got["team"] != "blue" || got["code"] != " x1 " {
		t.Fatalf("users.create customFields = %v, want %v", got, want)
	}
	e.Admin.Post(t, "users.update", map[string]any{"userId": bob.UserID, "data": map[string]any{"customFields": good}}).OK(t).Decode(t, &out)
	if got := out.User["customFields"].(map[string]any); len(got) != 2 || got["team"] != "blue" {
		t.Fatalf("users.update customFields = %v", got)
	}
	e.Anon().Post(t, "users.register", map[string]any{"username": "dave", "email": "dave@example.com", "name": "D", "pass": "pw",
		"customFields": good}).OK(t).Decode(t, &out)
	info := e.Admin.Get(t, "users.info", apitest.Q("username", "dave")).OK(t).JSON(t)["user"].(map[string]any)
	if got, _ := info["customFields"].(map[string]any); len(got) != 2 || got["code"] != " x1 " {
		t.Fatalf("users.register stored customFields %v", info["customFields"])
	}
	// Clearing the definition lifts the rules.
	e.SetSetting(t, "Accounts_CustomFields", "")
	e.Admin.Post(t, "users.update", map[string]any{"userId": bob.UserID, "data": map[string]any{"customFields": map[string]any{"x": 1}}}).OK(t)
}

// API_User_Limit bounds the users one call adds to a room.
func TestAPIUserLimit(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	ids := []string{}
	names := []string{}
	for _, n := range []string{"u1", "u2", "u3"} {
		c := e.NewUser(t, n)
		ids = append(ids, c.UserID)
		names = append(names, c.Username)
	}
	e.SetSetting(t, "API_User_Limit", 2)
	const text = "User Limit Exceeded [error-user-limit-exceeded]"
	e.Admin.Post(t, "channels.create", map[string]any{"name": "crowd", "members": names}).Fails(t, 400, "error-user-limit-exceeded", text)
	e.Admin.Post(t, "groups.create", map[string]any{"name": "crowd", "members": names}).Fails(t, 400, "error-user-limit-exceeded", text)
	var out struct{ Channel map[string]any }
	e.Admin.Post(t, "channels.create", map[string]any{"name": "pair", "members": names[:2]}).OK(t).Decode(t, &out)
	rid := out.Channel["_id"].(string)
	room := e.Admin.Get(t, "channels.info", apitest.Q("roomId", rid)).OK(t).JSON(t)["channel"].(map[string]any)
	if apitest.Num(room["usersCount"]) != 3 {
		t.Fatalf("usersCount = %v", room["usersCount"])
	}
	e.Admin.Post(t, "channels.create", map[string]any{"name": "quiet"}).OK(t).Decode(t, &out)
	quiet := out.Channel["_id"].(string)
	e.Admin.Post(t, "channels.invite", map[string]any{"roomId": quiet, "userIds": ids}).Fails(t, 400, "error-user-limit-exceeded", text)
	if n := apitest.Num(e.Admin.Get(t, "channels.info", apitest.Q("roomId", quiet)).OK(t).JSON(t)["channel"].(map[string]any)["usersCount"]); n != 1 {
		t.Fatalf("a refused invite added users: usersCount %d", n)
	}
	e.Admin.Post(t, "channels.invite", map[string]any{"roomId": quiet, "userIds": ids[:2]}).OK(t)
	// Below 1 is no limit.
	e.SetSetting(t, "API_User_Limit", 0)
	e.Admin.Post(t, "channels.create", map[string]any{"name": "crowd", "members": names}).OK(t)
}

// users.register makes accounts with Accounts_Registration_Users_Default_Roles,
// deactivated while Accounts_ManuallyApproveNewUsers is on.
func TestRegistrationSettings(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	e.SetSetting(t, "Accounts_Registration_Users_Default_Roles", "user, bot")
	var out struct{ User map[string]any }
	e.Anon().Post(t, "users.register", map[string]any{"username": "reg", "email": "reg@example.com", "name": "R", "pass": "pw"}).OK(t)
	info := e.Admin.Get(t, "users.info", apitest.Q("username", "reg")).OK(t).JSON(t)["user"].(map[string]any)
	if got := apitest.Strings(info["roles"]); !slices.Equal(got, []string{"bot", "user"}) {
		t.Fatalf("registered roles = %v", info["roles"])
	}
	// users.create without roles takes them too; with roles, its own.
	e.Admin.Post(t, "users.create", map[string]any{"username": "made", "email": "made@example.com", "name": "M", "password": "pw"}).OK(t).Decode(t, &out)
	if got := apitest.Strings(out.User["roles"]); len(got) != 2 {
		t.Fatalf("users.create roles = %v", out.User["roles"])
	}
	e.Admin.Post(t, "users.create", map[string]any{"username": "guest", "email": "guest@example.com", "name": "G", "password": "pw", "roles": []string{"guest"}}).OK(t).Decode(t, &out)
	if got := apitest.Strings(out.User["roles"]); len(got) != 1 || got[0] != "guest" {
		t.Fatalf("users.create with roles = %v", out.User["roles"])
	}

	e.SetSetting(t, "Accounts_ManuallyApproveNewUsers", true)
	e.Anon().Post(t, "users.register", map[string]any{"username": "waiting", "email": "waiting@example.com", "name": "W", "pass": "pw"}).OK(t).Decode(t, &out)
	if out.User["active"] != false {
		t.Fatalf("registered user active = %v while approval is manual", out.User["active"])
	}
	e.Anon().Post(t, "login", map[string]any{"user": "waiting", "password": "pw"}).Expect(t, 401)
}
