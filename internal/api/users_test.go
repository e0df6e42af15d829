package api_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

func TestUsersCreate(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	plain := e.NewUser(t, "plain")
	base := func(over map[string]any) map[string]any {
		b := map[string]any{"username": "carol", "name": "Carol", "email": "carol@example.com", "password": "pw"}
		for k, v := range over {
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
		}
		return b
	}
	cases := []struct {
		name      string
		caller    *apitest.Client
		body      map[string]any
		status    int
		errorType string
		errorText string
	}{
		{"missing username", e.Admin, base(map[string]any{"username": nil}), 400, "invalid-params", "must have required property 'username' [invalid-params]"},
		{"unknown field", e.Admin, base(map[string]any{"color": "red"}), 400, "invalid-params", "must NOT have additional properties [invalid-params]"},
		{"wrong type", e.Admin, base(map[string]any{"roles": "admin,user", "verified": map[string]any{}}), 400, "invalid-params", ""},
		{"invalid username", e.Admin, base(map[string]any{"username": "no spaces"}), 400, "error-input-is-not-a-valid-field", "no spaces is not a valid username [error-input-is-not-a-valid-field]"},
		{"invalid email", e.Admin, base(map[string]any{"email": "nope"}), 400, "error-invalid-email", "Invalid email nope [error-invalid-email]"},
		{"email without a domain", e.Admin, base(map[string]any{"email": "carol@"}), 400, "error-invalid-email", ""},
		{"email with a space", e.Admin, base(map[string]any{"email": "car ol@example.com"}), 400, "error-invalid-email", ""},
		{"email with two @", e.Admin, base(map[string]any{"email": "carol@x@example.com"}), 400, "error-invalid-email", ""},
		{"taken username", e.Admin, base(map[string]any{"username": "plain"}), 400, "error-field-unavailable", "plain is already in use :( [error-field-unavailable]"},
		{"taken email", e.Admin, base(map[string]any{"email": "PLAIN@example.com"}), 400, "error-field-unavailable", ""},
		{"no permission", plain, base(nil), 400, "error-action-not-allowed", "Adding user is not allowed [error-action-not-allowed]"},
		{"ok", e.Admin, base(map[string]any{"roles": []string{"user", "bot"}, "verified": true}), 200, "", ""},
	}
	for _, tc := range cases {
		r := tc.caller.Post(t, "users.create", tc.body)
		if tc.status != 200 {
			r.Fails(t, tc.status, tc.errorType, tc.errorText)
			continue
		}
		var out struct{ User map[string]any }
		r.OK(t).Decode(t, &out)
		if out.User["username"] != "carol" || out.User["type"] != "bot" {
			t.Fatalf("%s: user = %v", tc.name, out.User)
		}
	}
	// Addresses that strict mail parsers refuse but people use are taken.
	for i, addr := range []string{"dotted.@example.com", "nodot@localhost", "dash@rocket.chat-1700000000000"} {
		e.Admin.Post(t, "users.create", map[string]any{"username": fmt.Sprintf("odd%d", i), "name": "Odd", "email": addr, "password": "pw"}).OK(t)
	}
	// New users join the default channel.
	carol := e.Login(t, "carol", "pw")
	sub := carol.Get(t, "subscriptions.getOne", apitest.Q("roomId", "GENERAL")).OK(t).JSON(t)["subscription"]
	if sub == nil {
		t.Fatal("a new user should be subscribed to GENERAL")
	}
	// joinDefaultChannels:false leaves them out.
	loner := e.NewUser(t, "loner", map[string]any{"joinDefaultChannels": false})
	if sub := loner.Get(t, "subscriptions.getOne", apitest.Q("roomId", "GENERAL")).OK(t).JSON(t)["subscription"]; sub != nil {
		t.Fatalf("joinDefaultChannels:false still joined: %v", sub)
	}
}

func TestUsersRegister(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	body := map[string]any{"username": "dave", "email": "dave@example.com", "pass": "pw", "name": "Dave"}
	e.Anon().Post(t, "users.register", body).OK(t)
	e.Anon().Post(t, "users.register", body).Fails(t, 400, "", "Username is already in use")
	e.Login(t, "dave", "pw")
	// An admin's headers do not make it an admin's act: it is a plain
	// registration, as in Rocket.Chat, where routes that need no login
	// never read them.
	var reg struct{ User map[string]any }
	e.Admin.Post(t, "users.register", map[string]any{"username": "xena", "email": "xena@example.com", "pass": "pw", "name": "X"}).OK(t).Decode(t, &reg)
	if reg.User["username"] != "xena" || !slices.Equal(apitest.Strings(reg.User["roles"]), []string{"user"}) {
		t.Fatalf("registered with an admin's headers: %v", reg.User)
	}
	e.Login(t, "xena", "pw")
	e.Admin.Post(t, "users.register", map[string]any{"username": "xena", "email": "other@example.com", "pass": "pw", "name": "X"}).
		FailsPlain(t, "Username is already in use")

	// The names are checked first, the display name before the username.
	for _, tc := range []struct{ username, name, want string }{
		{"test$username<>", "name", "The username provided is not valid"},
		{"dave", `</\name>`, "Name contains invalid characters"},
		{"fred", "a %3Cb%3E c", "Name contains invalid characters"},
		{"fred", "100%", "Name contains invalid characters"},
	} {
		e.Anon().Post(t, "users.register", map[string]any{"username": tc.username, "email": "fred@example.com", "pass": "pw", "name": tc.name}).FailsPlain(t, tc.want)
	}
	e.Anon().Post(t, "users.register", map[string]any{"username": "fred", "email": "fred@example.com", "pass": "pw", "name": "Fred a%2Fb"}).OK(t)

	e.SetSetting(t, "Accounts_RegistrationForm", "Disabled")
	e.Anon().Post(t, "users.register", map[string]any{"username": "erin", "email": "erin@example.com", "pass": "pw", "name": "Erin"}).
		Fails(t, 400, "error-user-registration-disabled", "")
}

func TestUsersInfoListUpdateDelete(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "bob")
	alice, bob := e.Users[0], e.Users[1]

	info := alice.Get(t, "users.info", apitest.Q("username", "bob")).OK(t).JSON(t)["user"].(map[string]any)
	if info["_id"] != bob.UserID {
		t.Fatalf("users.info = %v", info)
	}
	if _, ok := info["emails"]; ok {
		t.Fatal("users.info shows another user's emails to a plain user")
	}
	full := e.Admin.Get(t, "users.info", apitest.Q("userId", bob.UserID)).OK(t).JSON(t)["user"].(map[string]any)
	if full["emails"] == nil {
		t.Fatal("admins see emails")
	}
	alice.Get(t, "users.info").Fails(t, 400, "", "Invalid search query.")
	alice.Get(t, "users.info", apitest.Q("userId", "nope")).Fails(t, 400, "", "User not found.")

	var list struct {
		Users                []map[string]any
		Count, Offset, Total int
	}
	alice.Get(t, "users.list", apitest.Q("count", "2", "sort", `{"username":1}`)).OK(t).Decode(t, &list)
	// admin, alice, bob and the rocket.cat bot.
	if list.Count != 2 || list.Total != 4 || list.Users[0]["username"] != "admin" {
		t.Fatalf("users.list = %+v", list)
	}
	alice.Get(t, "users.list", apitest.Q("sort", `{"username":2}`)).Fails(t, 400, "error-invalid-sort", "")
	alice.Get(t, "users.list", apitest.Q("query", `{"$where":"1"}`)).Fails(t, 400, "error-invalid-query", "")
	alice.Get(t, "users.list", apitest.Q("filter", "bo")).OK(t).Decode(t, &list)
	if list.Total != 1 {
		t.Fatalf("filtered users.list = %+v", list)
	}

	// Self-update of the name; other users need edit-other-user-info.
	alice.Post(t, "users.update", map[string]any{"userId": alice.UserID, "data": map[string]any{"name": "Alice A."}}).OK(t)
	alice.Post(t, "users.update", map[string]any{"userId": bob.UserID, "data": map[string]any{"name": "X"}}).
		Fails(t, 400, "error-action-not-allowed", "")
	alice.Post(t, "users.update", map[string]any{"userId": alice.UserID, "data": map[string]any{"roles": []string{"admin"}}}).
		Fails(t, 400, "error-action-not-allowed", "")
	e.Admin.Post(t, "users.update", map[string]any{"userId": bob.UserID, "data": map[string]any{"username": "alice"}}).
		Fails(t, 400, "error-field-unavailable", "")
	e.Admin.Post(t, "users.update", map[string]any{"userId": bob.UserID, "data": map[string]any{"password": "new-pw", "username": "robert"}}).OK(t)
	e.Login(t, "robert", "new-pw")

	// Deactivation logs the user out.
	e.Admin.Post(t, "users.update", map[string]any{"userId": alice.UserID, "data": map[string]any{"active": false}}).OK(t)
	alice.Get(t, "me").Expect(t, 401)

	alice2 := e.NewUser(t, "zed")
	alice2.Post(t, "users.delete", map[string]any{"userId": bob.UserID}).Fails(t, 403, "", "unauthorized")
	e.Admin.Post(t, "users.delete", map[string]any{"userId": bob.UserID}).OK(t)
	e.Admin.Get(t, "users.info", apitest.Q("userId", bob.UserID)).Fails(t, 400, "", "User not found.")
	e.Admin.Post(t, "users.delete", map[string]any{}).Fails(t, 400, "invalid-params", "")
}

func TestUsersStatusAndPreferences(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	u := e.NewUser(t, "sam")
	u.Post(t, "users.setStatus", map[string]any{"status": "away", "message": "lunch"}).OK(t)
	st := u.Get(t, "users.getStatus").OK(t).JSON(t)
	if st["status"] != "away" || st["message"] != "lunch" {
		t.Fatalf("status = %v", st)
	}
	u.Post(t, "users.setStatus", map[string]any{"status": "sleeping"}).Fails(t, 400, "error-invalid-status", "")
	u.Post(t, "users.setStatus", map[string]any{}).Fails(t, 400, "", "Match error: Failed Match.OneOf, Match.Maybe or Match.Optional validation")

	u.Post(t, "users.setPreferences", map[string]any{"data": map[string]any{"language": "de", "emailNotificationMode": "nothing"}}).OK(t)
	prefs := u.Get(t, "users.getPreferences").OK(t).JSON(t)["preferences"].(map[string]any)
	if prefs["language"] != "de" {
		t.Fatalf("preferences = %v", prefs)
	}
	u.Post(t, "users.setPreferences", map[string]any{}).Fails(t, 400, "invalid-params", "must have required property 'data' [invalid-params]")
}

// A user asking users.info about themself sees whether the account has a
// password and its tokens, never their hashes; nobody else sees them.
func TestUsersInfoOwnServices(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "svbob")
	bob := e.Users[0]
	withPassword(bob, "pw-svbob").Post(t, "users.generatePersonalAccessToken", map[string]any{"tokenName": "cli"}).OK(t)
	e.SetPermission(t, "view-full-other-user-info")
	for _, q := range [][]string{{"userId", bob.UserID}, {"username", "svbob"}} {
		user := bob.Get(t, "users.info", apitest.Q(q...)).OK(t).JSON(t)["user"].(map[string]any)
		services, _ := user["services"].(map[string]any)
		if services["password"] != true {
			t.Fatalf("services: %v", services)
		}
		tokens := toMaps(services["resume"].(map[string]any)["loginTokens"])
		if len(tokens) != 2 || tokens[0]["when"] == nil || tokens[1]["name"] != "cli" || tokens[1]["type"] != "personalAccessToken" {
			t.Fatalf("tokens: %v", tokens)
		}
		if strings.Contains(apitest.JSON(services), "hashedToken") {
			t.Fatalf("hashes shown: %v", services)
		}
	}
	if _, ok := e.Admin.Get(t, "users.info", apitest.Q("userId", bob.UserID)).OK(t).JSON(t)["user"].(map[string]any)["services"]; ok {
		t.Fatal("another user sees the services")
	}
}
