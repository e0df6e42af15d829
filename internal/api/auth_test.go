package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
	"github.com/parleychat/parley/internal/auth"
)

func TestLogin(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice")
	anon := e.Anon()

	cases := []struct {
		name string
		body any
		form url.Values
		want int
	}{
		{"username field", map[string]any{"username": "alice", "password": "pw-alice"}, nil, 200},
		{"user field", map[string]any{"user": "alice", "password": "pw-alice"}, nil, 200},
		{"user field with email", map[string]any{"user": "alice@example.com", "password": "pw-alice"}, nil, 200},
		{"email field", map[string]any{"email": "ALICE@example.com", "password": "pw-alice"}, nil, 200},
		{"digest", map[string]any{"user": "alice", "password": map[string]any{"digest": auth.Digest("pw-alice"), "algorithm": "sha-256"}}, nil, 200},
		{"form encoded", nil, url.Values{"user": {"alice"}, "password": {"pw-alice"}}, 200},
		{"wrong password", map[string]any{"user": "alice", "password": "nope"}, nil, 401},
		{"unknown user", map[string]any{"user": "nobody", "password": "pw"}, nil, 401},
		{"no password", map[string]any{"user": "alice"}, nil, 401},
		{"bad digest algorithm", map[string]any{"user": "alice", "password": map[string]any{"digest": "x", "algorithm": "md5"}}, nil, 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var r *apitest.Response
			if tc.form != nil {
				r = anon.Do(t, http.MethodPost, "/api/v1/login", []byte(tc.form.Encode()), "application/x-www-form-urlencoded")
			} else {
				r = anon.Post(t, "login", tc.body)
			}
			if tc.want != 200 {
				m := r.Fails(t, tc.want, "", "Unauthorized").JSON(t)
				if m["status"] != "error" || m["message"] != "Unauthorized" {
					t.Fatalf("login failure body = %v", m)
				}
				return
			}
			var out struct {
				Status string `json:"status"`
				Data   struct {
					UserID, AuthToken string
					Me                map[string]any
				}
			}
			r.OK(t).Decode(t, &out)
			if out.Status != "success" || out.Data.AuthToken == "" || out.Data.Me["username"] != "alice" {
				t.Fatalf("login answer = %+v", out)
			}
			if _, leaked := out.Data.Me["password"]; leaked {
				t.Fatal("me leaks the password hash")
			}
		})
	}
}

func TestResumeMeLogout(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	bob := e.NewUser(t, "bob")

	var resumed struct {
		Data struct{ UserID, AuthToken string }
	}
	e.Anon().Post(t, "login", map[string]any{"resume": bob.Token}).OK(t).Decode(t, &resumed)
	if resumed.Data.UserID != bob.UserID || resumed.Data.AuthToken != bob.Token {
		t.Fatalf("resume gave %+v", resumed)
	}
	me := bob.Get(t, "me").OK(t).JSON(t)
	if me["username"] != "bob" || me["email"] != "bob@example.com" {
		t.Fatalf("me = %v", me)
	}
	if r := bob.Get(t, "me"); r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("Cache-Control = %q", r.Header.Get("Cache-Control"))
	}
	out := bob.Post(t, "logout", nil).Expect(t, 200).JSON(t)
	if out["status"] != "success" {
		t.Fatalf("logout = %v", out)
	}
	bob.Get(t, "me").Fails(t, 401, "", "You must be logged in to do this.")
	e.Anon().Post(t, "login", map[string]any{"resume": bob.Token}).Expect(t, 401)
}

func TestAuthenticationRequired(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	bad := e.Anon()
	bad.UserID, bad.Token = e.Admin.UserID, "not-the-token"
	for _, c := range []*apitest.Client{e.Anon(), bad} {
		for _, path := range []string{"me", "users.list", "subscriptions.get", "rooms.get", "channels.list"} {
			m := c.Get(t, path).Fails(t, 401, "", "You must be logged in to do this.").JSON(t)
			if m["status"] != "error" {
				t.Fatalf("%s: 401 body = %v", path, m)
			}
		}
	}
}

func TestPersonalAccessTokens(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	bot := e.NewUser(t, "bot1")
	// Making a token needs the password, as Rocket.Chat's two-factor check.
	bot.Header.Set("X-2fa-Code", auth.Digest("pw-bot1"))
	bot.Header.Set("X-2fa-Method", "password")

	var gen struct{ Token string }
	bot.Post(t, "users.generatePersonalAccessToken", map[string]any{"tokenName": "ci"}).OK(t).Decode(t, &gen)
	if len(gen.Token) < 40 {
		t.Fatalf("token = %q", gen.Token)
	}
	bot.Post(t, "users.generatePersonalAccessToken", map[string]any{"tokenName": "ci"}).
		Fails(t, 400, "error-token-already-exists", "A token with this name already exists [error-token-already-exists]")
	bot.Post(t, "users.generatePersonalAccessToken", map[string]any{}).
		Fails(t, 400, "invalid-params", "must have required property 'tokenName' [invalid-params]")

	// The token works as X-Auth-Token, like a login token.
	pat := e.Anon()
	pat.UserID, pat.Token = bot.UserID, gen.Token
	if me := pat.Get(t, "me").OK(t).JSON(t); me["username"] != "bot1" {
		t.Fatalf("me with PAT = %v", me)
	}
	var list struct{ Tokens []map[string]any }
	bot.Get(t, "users.getPersonalAccessTokens").OK(t).Decode(t, &list)
	if len(list.Tokens) != 1 || list.Tokens[0]["name"] != "ci" || !strings.HasSuffix(gen.Token, list.Tokens[0]["lastTokenPart"].(string)) {
		t.Fatalf("tokens = %v", list.Tokens)
	}
	bot.Post(t, "users.removePersonalAccessToken", map[string]any{"tokenName": "ci"}).OK(t)
	bot.Post(t, "users.removePersonalAccessToken", map[string]any{"tokenName": "ci"}).
		Fails(t, 400, "error-token-does-not-exists", "")
	pat.Get(t, "me").Expect(t, 401)

	// Without create-personal-access-tokens the endpoints refuse.
	e.SetPermission(t, "create-personal-access-tokens", "admin")
	bot.Post(t, "users.generatePersonalAccessToken", map[string]any{"tokenName": "x"}).Fails(t, 400, "not-authorized", "Not Authorized [not-authorized]")
}
