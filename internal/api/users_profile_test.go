package api_test

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestUsersUpdateOwnBasicInfo(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	hal := e.NewUser(t, "hal")
	e.NewUser(t, "taken")
	update := func(c *apitest.Client, data map[string]any) *apitest.Response {
		return c.Post(t, "users.updateOwnBasicInfo", map[string]any{"data": data})
	}
	var out struct{ User map[string]any }
	update(hal, map[string]any{"name": "Hal Nine", "username": "hal9", "nickname": "h", "bio": "a computer", "statusText": "on duty"}).OK(t).Decode(t, &out)
	if out.User["username"] != "hal9" || out.User["name"] != "Hal Nine" || out.User["bio"] != "a computer" || out.User["statusText"] != "on duty" {
		t.Fatalf("user = %v", out.User)
	}
	if out.User["emails"] == nil {
		t.Fatalf("the user sees their own emails: %v", out.User)
	}
	// The status type goes through users.setStatus's rules.
	update(hal, map[string]any{"statusType": "busy"}).OK(t).Decode(t, &out)
	if out.User["status"] != "busy" {
		t.Fatalf("status = %v", out.User["status"])
	}
	// Only the own password unlocks email and password changes.
	cases := []struct {
		name      string
		data      map[string]any
		errorType string
		errorText string
	}{
		{"email without password", map[string]any{"email": "hal@new.example.com"}, "totp-required", ""},
		{"password without password", map[string]any{"newPassword": "new"}, "totp-required", ""},
		{"wrong password", map[string]any{"newPassword": "new", "currentPassword": sha("wrong")}, "totp-invalid", ""},
		{"blank name", map[string]any{"name": "   "}, "error-invalid-name", ""},
		{"reserved username", map[string]any{"username": "admin"}, "error-could-not-save-identity", "Could not save user identity [error-could-not-save-identity]"},
		{"taken username", map[string]any{"username": "taken"}, "error-field-unavailable", ""},
		{"bad status", map[string]any{"statusType": "asleep"}, "error-invalid-status", ""},
		{"long nickname", map[string]any{"nickname": strings.Repeat("n", 121)}, "error-nickname-size-exceeded", "Nickname size exceeds 120 characters [error-nickname-size-exceeded]"},
		{"long bio", map[string]any{"bio": strings.Repeat("b", 261)}, "error-bio-size-exceeded", "Bio size exceeds 260 characters [error-bio-size-exceeded]"},
	}
	for _, tc := range cases {
		update(hal, tc.data).Fails(t, 400, tc.errorType, tc.errorText)
	}
	hal.Post(t, "users.updateOwnBasicInfo", map[string]any{}).Fails(t, 400, "invalid-params", "must have required property 'data' [invalid-params]")

	update(hal, map[string]any{"email": "hal@new.example.com", "newPassword": "new-pw", "currentPassword": sha("pw-hal")}).OK(t).Decode(t, &out)
	emails := out.User["emails"].([]any)
	if first := emails[0].(map[string]any); first["address"] != "hal@new.example.com" || first["verified"] != false {
		t.Fatalf("emails = %v", emails)
	}
	// The new password works; the session that changed it stays.
	e.Login(t, "hal9", "new-pw")
	hal.Get(t, "me").OK(t)

	// The Accounts_* settings bind users editing themselves.
	for _, tc := range []struct {
		setting string
		data    map[string]any
	}{
		{"Accounts_AllowRealNameChange", map[string]any{"name": "Other"}},
		{"Accounts_AllowUsernameChange", map[string]any{"username": "other"}},
		{"Accounts_AllowUserStatusMessageChange", map[string]any{"statusText": "away"}},
		{"Accounts_AllowEmailChange", map[string]any{"email": "x@example.com", "currentPassword": sha("new-pw")}},
		{"Accounts_AllowPasswordChange", map[string]any{"newPassword": "x", "currentPassword": sha("new-pw")}},
	} {
		e.SetSetting(t, tc.setting, false)
		update(hal, tc.data).Fails(t, 400, "error-action-not-allowed", "")
		e.SetSetting(t, tc.setting, true)
	}
	e.SetSetting(t, "Accounts_AllowInvisibleStatusOption", false)
	update(hal, map[string]any{"statusType": "offline"}).Fails(t, 400, "error-status-not-allowed", "Invisible status is disabled [error-status-not-allowed]")
}

func TestUsersUpdateCustomFieldsMerge(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	ivy := e.NewUser(t, "ivy")
	up := func(cf map[string]any) map[string]any {
		var out struct{ User map[string]any }
		e.Admin.Post(t, "users.update", map[string]any{"userId": ivy.UserID, "data": map[string]any{"customFields": cf}}).OK(t).Decode(t, &out)
		return out.User["customFields"].(map[string]any)
	}
	up(map[string]any{"a": "1", "b": "2"})
	if got := up(map[string]any{"a": "x"}); got["a"] != "x" || got["b"] != "2" {
		t.Fatalf("custom fields are merged, not replaced: %v", got)
	}
	if got := up(map[string]any{"b": nil}); got["b"] != nil || got["a"] != "x" {
		t.Fatalf("null value: %v", got)
	}
}

func TestUsersSetActiveStatus(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	jo := e.NewUser(t, "jo")
	kim := e.NewUser(t, "kim")
	set := func(c *apitest.Client, body map[string]any) *apitest.Response {
		return c.Post(t, "users.setActiveStatus", body)
	}
	set(kim, map[string]any{"userId": jo.UserID, "activeStatus": false}).
		Fails(t, 403, "", "User does not have the permissions required for this action [error-unauthorized]")
	set(e.Admin, map[string]any{"userId": jo.UserID}).Fails(t, 400, "invalid-params", "must have required property 'activeStatus' [invalid-params]")
	set(e.Admin, map[string]any{"userId": "nobody", "activeStatus": false}).Fails(t, 400, "error-invalid-user", "")

	var out struct{ User map[string]any }
	set(e.Admin, map[string]any{"userId": jo.UserID, "activeStatus": false}).OK(t).Decode(t, &out)
	if out.User["active"] != false || out.User["_id"] != jo.UserID {
		t.Fatalf("user = %v", out.User)
	}
	// Deactivation logs the user out and keeps the roles.
	jo.Get(t, "me").Expect(t, 401)
	var info struct{ User map[string]any }
	e.Admin.Get(t, "users.info", apitest.Q("userId", jo.UserID)).OK(t).Decode(t, &info)
	if info.User["active"] != false || len(info.User["roles"].([]any)) != 1 {
		t.Fatalf("info = %v", info.User)
	}
	e.Anon().Post(t, "login", map[string]any{"user": "jo", "password": "pw-jo"}).Expect(t, 401)
	set(e.Admin, map[string]any{"userId": jo.UserID, "activeStatus": true}).OK(t).Decode(t, &out)
	if out.User["active"] != true {
		t.Fatalf("user = %v", out.User)
	}
	e.Login(t, "jo", "pw-jo")

	// The permission may be granted to users.
	e.SetPermission(t, "edit-other-user-active-status", "admin", "user")
	set(kim, map[string]any{"userId": jo.UserID, "activeStatus": false}).OK(t)
	set(kim, map[string]any{"userId": jo.UserID, "activeStatus": true}).OK(t)
}

func TestUsersLastOwner(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	e.SetSetting(t, "Accounts_AllowDeleteOwnAccount", true)
	for _, action := range []string{"setActiveStatus", "delete", "deleteOwnAccount"} {
		t.Run(action, func(t *testing.T) {
			owner := e.NewUser(t, e.Unique("own"))
			rid := owner.CreateRoom(t, "channels", e.Unique("owned"), nil, "admin")
			// The admin joined as a member, after the owner.
			call := func(confirm bool) *apitest.Response {
				switch action {
				case "setActiveStatus":
					return e.Admin.Post(t, "users.setActiveStatus", map[string]any{"userId": owner.UserID, "activeStatus": false, "confirmRelinquish": confirm})
				case "delete":
					return e.Admin.Post(t, "users.delete", map[string]any{"userId": owner.UserID, "confirmRelinquish": confirm})
				}
				return owner.Post(t, "users.deleteOwnAccount", map[string]any{"password": sha("pw-" + owner.Username), "confirmRelinquish": confirm})
			}
			call(false).Fails(t, 400, "user-last-owner", "[user-last-owner]")
			call(true).OK(t)
			sub := e.Admin.Subscription(t, rid)
			if roles := apitest.Strings(sub["roles"]); len(roles) != 1 || roles[0] != "owner" {
				t.Fatalf("the remaining member should own the room: %v", sub)
			}
		})
	}
}

func TestUsersDeleteOwnAccount(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	lee := e.NewUser(t, "lee")
	lee.Post(t, "users.deleteOwnAccount", map[string]any{}).Fails(t, 400, "", `Body parameter "password" is required.`)
	lee.Post(t, "users.deleteOwnAccount", map[string]any{"password": sha("pw-lee")}).Fails(t, 400, "error-not-allowed", "Not allowed [error-not-allowed]")
	e.SetSetting(t, "Accounts_AllowDeleteOwnAccount", true)
	lee.Post(t, "users.deleteOwnAccount", map[string]any{"password": sha("wrong")}).Fails(t, 400, "error-invalid-password", "")
	// The digest may come in upper case.
	lee.Post(t, "users.deleteOwnAccount", map[string]any{"password": strings.ToUpper(sha("pw-lee"))}).OK(t)
	e.Admin.Get(t, "users.info", apitest.Q("userId", lee.UserID)).Fails(t, 400, "", "User not found.")
	lee.Get(t, "me").Expect(t, 401)
}

func TestUsersCheckUsernameAvailability(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	max := e.NewUser(t, "max")
	e.NewUser(t, "nell")
	e.Anon().Get(t, "users.checkUsernameAvailability", apitest.Q("username", "x")).Expect(t, 401)
	max.Get(t, "users.checkUsernameAvailability").Fails(t, 400, "invalid-params", "must have required property 'username' [invalid-params]")
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"max", true}, {"free.name", true}, {"nell", false}, {"NELL", false}, {"admin", false}, {"all", false}, {"bad name", false},
	} {
		var out struct{ Result bool }
		max.Get(t, "users.checkUsernameAvailability", apitest.Q("username", tc.name)).OK(t).Decode(t, &out)
		if out.Result != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, out.Result, tc.want)
		}
	}
	e.SetSetting(t, "Accounts_AllowUsernameChange", false)
	max.Get(t, "users.checkUsernameAvailability", apitest.Q("username", "free.name")).Fails(t, 400, "error-not-allowed", "")
}

func TestUsersGetUsernameSuggestion(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	// "Olga Petrova" suggests olga.petrova; once that is taken, a number
	// is added.
	olga := e.NewUser(t, "olga", map[string]any{"name": "Olga Petrova"})
	var out struct{ Result string }
	olga.Get(t, "users.getUsernameSuggestion").OK(t).Decode(t, &out)
	if out.Result != "olga.petrova" {
		t.Fatalf("suggestion %q", out.Result)
	}
	e.NewUser(t, "olga.petrova", map[string]any{"email": "op@example.com"})
	olga.Get(t, "users.getUsernameSuggestion").OK(t).Decode(t, &out)
	if out.Result == "olga.petrova" || out.Result == "" {
		t.Fatalf("suggestion %q is taken", out.Result)
	}
	var avail struct{ Result bool }
	e.Admin.Get(t, "users.checkUsernameAvailability", apitest.Q("username", out.Result)).OK(t).Decode(t, &avail)
	if !avail.Result {
		t.Fatalf("suggestion %q is not available", out.Result)
	}
}

// The refusals of the older users endpoints, with Rocket.Chat's texts.
func TestUsersRefusalTexts(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	ned := e.NewUser(t, "ned")
	cases := []struct {
		name      string
		caller    *apitest.Client
		path      string
		body      map[string]any
		status    int
		errorType string
		errorText string
	}{
		{"setStatus of another", ned, "users.setStatus", map[string]any{"status": "busy", "userId": e.Admin.UserID}, 403, "", "unauthorized"},
		{"setStatus offline when invisible is off", ned, "users.setStatus", map[string]any{"status": "offline"}, 400, "error-status-not-allowed", "Invisible status is disabled [error-status-not-allowed]"},
		{"setPreferences of an unknown user", e.Admin, "users.setPreferences", map[string]any{"userId": "invalid-id", "data": map[string]any{"language": "en"}}, 400, "error-invalid-user", `The optional "userId" param provided does not match any users [error-invalid-user]`},
		{"setPreferences of another", ned, "users.setPreferences", map[string]any{"userId": e.Admin.UserID, "data": map[string]any{"language": "en"}}, 400, "error-action-not-allowed", "Editing user is not allowed [error-action-not-allowed]"},
		{"update with an empty userId", e.Admin, "users.update", map[string]any{"userId": "", "data": map[string]any{}}, 400, "invalid-params", "must NOT have fewer than 1 characters [invalid-params]"},
		{"create with a long bio", e.Admin, "users.create", map[string]any{"username": "lb", "name": "L", "email": "lb@example.com", "password": "pw", "bio": strings.Repeat("b", 261)}, 400, "error-bio-size-exceeded", "Bio size exceeds 260 characters [error-bio-size-exceeded]"},
		{"create with a long nickname", e.Admin, "users.create", map[string]any{"username": "ln", "name": "L", "email": "ln@example.com", "password": "pw", "nickname": strings.Repeat("n", 121)}, 400, "error-nickname-size-exceeded", "Nickname size exceeds 120 characters [error-nickname-size-exceeded]"},
		{"update with a long bio", e.Admin, "users.update", map[string]any{"userId": ned.UserID, "data": map[string]any{"bio": strings.Repeat("b", 261)}}, 400, "error-bio-size-exceeded", "Bio size exceeds 260 characters [error-bio-size-exceeded]"},
		{"update with a long nickname", e.Admin, "users.update", map[string]any{"userId": ned.UserID, "data": map[string]any{"nickname": strings.Repeat("n", 121)}}, 400, "error-nickname-size-exceeded", "Nickname size exceeds 120 characters [error-nickname-size-exceeded]"},
		{"update with joinDefaultChannels", e.Admin, "users.update", map[string]any{"userId": ned.UserID, "data": map[string]any{"joinDefaultChannels": true}}, 400, "invalid-params", "must NOT have additional properties [invalid-params]"},
	}
	e.SetSetting(t, "Accounts_AllowInvisibleStatusOption", false)
	for _, tc := range cases {
		tc.caller.Post(t, tc.path, tc.body).Fails(t, tc.status, tc.errorType, tc.errorText)
	}
}

func TestUsersDeactivateIdle(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	e.NewUser(t, "ola")                                                                                                                                               // logged in just now
	e.Admin.Post(t, "users.create", map[string]any{"username": "pia", "name": "Pia", "email": "pia@example.com", "password": "pw", "roles": []string{"guest"}}).OK(t) // never logged in
	// A user who never logged in is idle since the account was made.
	e.Admin.Post(t, "users.create", map[string]any{"username": "rue", "name": "Rue", "email": "rue@example.com", "password": "pw"}).OK(t)
	kit := e.NewUser(t, "kit")
	var out struct{ Count int }
	kit.Post(t, "users.deactivateIdle", map[string]any{"daysIdle": 0}).Fails(t, 403, "", "unauthorized")
	e.Admin.Post(t, "users.deactivateIdle", map[string]any{}).Fails(t, 400, "invalid-params", "must have required property 'daysIdle' [invalid-params]")
	e.Admin.Post(t, "users.deactivateIdle", map[string]any{"daysIdle": 999999}).OK(t).Decode(t, &out)
	if out.Count != 0 {
		t.Fatalf("count %d", out.Count)
	}
	e.Admin.Post(t, "users.deactivateIdle", map[string]any{"daysIdle": 0, "role": "guest"}).OK(t).Decode(t, &out)
	if out.Count != 1 {
		t.Fatalf("count %d", out.Count)
	}
	e.Admin.Post(t, "users.deactivateIdle", map[string]any{"daysIdle": 0, "role": "guest"}).OK(t).Decode(t, &out)
	if out.Count != 0 {
		t.Fatalf("again: count %d", out.Count)
	}
	var info struct{ User map[string]any }
	e.Admin.Get(t, "users.info", apitest.Q("username", "pia")).OK(t).Decode(t, &info)
	if info.User["active"] != false {
		t.Fatalf("pia: %v", info.User)
	}
	for _, name := range []string{"ola", "rue"} {
		e.Admin.Get(t, "users.info", apitest.Q("username", name)).OK(t).Decode(t, &info)
		if info.User["active"] != true {
			t.Fatalf("%s: %v", name, info.User)
		}
	}
}

func TestUsersListGate(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	quy := e.NewUser(t, "quy")
	e.SetPermission(t, "view-outside-room", "admin")
	quy.Get(t, "users.list").OK(t)
	// Rocket.Chat's clients add query keys the endpoint does not know.
	quy.Get(t, "users.list", apitest.Q("name[$regex]", "g", "sort", `{"createdAt":-1}`)).OK(t)
	e.SetSetting(t, "API_Apply_permission_view-outside-room_on_users-list", true)
	quy.Get(t, "users.list").Fails(t, 403, "", "unauthorized")
	e.Admin.Get(t, "users.list").OK(t)
	e.SetSetting(t, "API_Apply_permission_view-outside-room_on_users-list", false)
	e.SetPermission(t, "view-d-room", "admin")
	quy.Get(t, "users.list").Fails(t, 403, "", "unauthorized")
}

func TestUsersGetAvatarSuggestion(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	e.Anon().Get(t, "users.getAvatarSuggestion").Expect(t, 401)
	var out struct{ Suggestions map[string]any }
	e.Admin.Get(t, "users.getAvatarSuggestion").OK(t).Decode(t, &out)
	if out.Suggestions == nil {
		t.Fatal("suggestions should be an object")
	}
}

func TestUsersDefaultRoles(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	e.SetSetting(t, "Accounts_Registration_Users_Default_Roles", "user, admin")
	roles := func(r *apitest.Response) []string {
		var out struct{ User map[string]any }
		r.OK(t).Decode(t, &out)
		got := apitest.Strings(out.User["roles"])
		slices.Sort(got)
		return got
	}
	if got := roles(e.Admin.Post(t, "users.create", map[string]any{"username": "uno", "name": "U", "email": "uno@example.com", "password": "pw"})); !slices.Equal(got, []string{"admin", "user"}) {
		t.Fatalf("default roles: %v", got)
	}
	if got := roles(e.Admin.Post(t, "users.create", map[string]any{"username": "dos", "name": "D", "email": "dos@example.com", "password": "pw", "roles": []string{"guest"}})); len(got) != 1 || got[0] != "guest" {
		t.Fatalf("given roles: %v", got)
	}
	e.Anon().Post(t, "users.register", map[string]any{"username": "tres", "name": "T", "email": "tres@example.com", "pass": "pw"}).OK(t)
	var info struct{ User map[string]any }
	e.Admin.Get(t, "users.info", apitest.Q("username", "tres")).OK(t).Decode(t, &info)
	if got := apitest.Strings(info.User["roles"]); len(got) != 2 {
		t.Fatalf("registered roles: %v", got)
	}
}

func TestUsersUpdateDeactivateLastOwner(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	own := e.NewUser(t, "own")
	rid := own.CreateRoom(t, "channels", e.Unique("upd"), nil, "admin")
	e.Admin.Post(t, "users.update", map[string]any{"userId": own.UserID, "data": map[string]any{"active": false}}).Fails(t, 400, "user-last-owner", "[user-last-owner]")
	e.Admin.Post(t, "users.update", map[string]any{"userId": own.UserID, "data": map[string]any{"active": false}, "confirmRelinquish": true}).OK(t)
	if roles := apitest.Strings(e.Admin.Subscription(t, rid)["roles"]); len(roles) != 1 || roles[0] != "owner" {
		t.Fatalf("admin's roles: %v", roles)
	}
}
