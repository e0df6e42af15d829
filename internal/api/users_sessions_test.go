package api_test

import (
	"slices"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/api/apitest"
	"github.com/parleychat/parley/internal/events"
)

func TestUsersLogout(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	wes := e.NewUser(t, "wes")
	wes2 := e.Login(t, "wes", "pw-wes")
	xan := e.NewUser(t, "xan")

	wes.Post(t, "users.logout", map[string]any{"userId": xan.UserID}).Fails(t, 403, "", "unauthorized")
	xan.Get(t, "me").OK(t)

	// Admins log others out, every session of them.
	var out struct{ Message string }
	e.Admin.Post(t, "users.logout", map[string]any{"userId": wes.UserID}).OK(t).Decode(t, &out)
	if out.Message != "User "+wes.UserID+" has been logged out!" {
		t.Fatalf("message %q", out.Message)
	}
	wes.Get(t, "me").Expect(t, 401)
	wes2.Get(t, "me").Expect(t, 401)
	e.Admin.Post(t, "users.logout", map[string]any{"userId": "nobody"}).Fails(t, 400, "error-invalid-user-id", "")

	// Anyone logs themselves out.
	xan.Post(t, "users.logout", map[string]any{}).OK(t)
	xan.Get(t, "me").Expect(t, 401)

	e.SetPermission(t, "logout-other-user")
	e.Admin.Post(t, "users.logout", map[string]any{"userId": wes.UserID}).Fails(t, 403, "", "unauthorized")
}

func TestUsersLogoutOtherClients(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	yve := e.NewUser(t, "yve")
	old := e.Login(t, "yve", "pw-yve")
	// A personal access token survives.
	var pat struct{ Token string }
	yve.Header.Set("X-2fa-Method", "password")
	yve.Header.Set("X-2fa-Code", sha("pw-yve"))
	yve.Post(t, "users.generatePersonalAccessToken", map[string]any{"tokenName": "bot"}).OK(t).Decode(t, &pat)

	var out struct {
		Token        string
		TokenExpires string
	}
	before := time.Now()
	yve.Post(t, "users.logoutOtherClients", nil).OK(t).Decode(t, &out)
	if out.Token != yve.Token {
		t.Fatalf("token %q, want this session's", out.Token)
	}
	exp, err := time.Parse(time.RFC3339Nano, out.TokenExpires)
	if err != nil || exp.Before(before.Add(89*24*time.Hour)) {
		t.Fatalf("tokenExpires %q", out.TokenExpires)
	}
	old.Get(t, "me").Expect(t, 401)
	yve.Get(t, "me").OK(t)
	patClient := *yve
	patClient.Token = pat.Token
	patClient.Get(t, "me").OK(t)
}

func TestUsersRemoveOtherTokens(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	zed := e.NewUser(t, "zed")
	other := e.Login(t, "zed", "pw-zed")
	zed.Post(t, "users.removeOtherTokens", nil).OK(t)
	other.Get(t, "me").Expect(t, 401)
	zed.Get(t, "me").OK(t)
}

func TestUsersRegeneratePersonalAccessToken(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	amy := e.NewUser(t, "amy")
	amy.Header.Set("X-2fa-Method", "password")
	amy.Header.Set("X-2fa-Code", sha("pw-amy"))
	var first, second struct{ Token string }
	amy.Post(t, "users.generatePersonalAccessToken", map[string]any{"tokenName": "ci", "bypassTwoFactor": true}).OK(t).Decode(t, &first)
	amy.Post(t, "users.regeneratePersonalAccessToken", map[string]any{"tokenName": "ci"}).OK(t).Decode(t, &second)
	if second.Token == "" || second.Token == first.Token {
		t.Fatalf("tokens %q → %q", first.Token, second.Token)
	}
	c := *amy
	c.Header = c.Header.Clone()
	c.Token = first.Token
	c.Get(t, "me").Expect(t, 401)
	c.Token = second.Token
	c.Get(t, "me").OK(t)
	var list struct{ Tokens []map[string]any }
	amy.Get(t, "users.getPersonalAccessTokens").OK(t).Decode(t, &list)
	if len(list.Tokens) != 1 || list.Tokens[0]["bypassTwoFactor"] != true || list.Tokens[0]["lastTokenPart"] != second.Token[len(second.Token)-6:] {
		t.Fatalf("tokens: %v", list.Tokens)
	}

	amy.Post(t, "users.regeneratePersonalAccessToken", map[string]any{"tokenName": "nope"}).Fails(t, 400, "not-authorized", "")
	amy.Post(t, "users.regeneratePersonalAccessToken", map[string]any{}).Fails(t, 400, "invalid-params", "")
	noPassword := *amy
	noPassword.Header = map[string][]string{}
	noPassword.Post(t, "users.regeneratePersonalAccessToken", map[string]any{"tokenName": "ci"}).Fails(t, 400, "totp-required", "")
	e.SetPermission(t, "create-personal-access-tokens", "admin")
	amy.Post(t, "users.regeneratePersonalAccessToken", map[string]any{"tokenName": "ci"}).Fails(t, 400, "not-authorized", "")
}

func TestUsersCreateToken(t *testing.T) {
	t.Parallel()
	// Off unless the server starts with CREATE_TOKENS_FOR_USERS.
	off := apitest.New(t)
	off.Admin.Post(t, "users.createToken", map[string]any{"userId": off.Admin.UserID}).Fails(t, 400, "error-not-authorized", "Not authorized [error-not-authorized]")

	e := apitest.New(t, apitest.WithCreateTokensForUsers())
	bea := e.NewUser(t, "bea")
	cal := e.NewUser(t, "cal")
	var out struct {
		Data struct {
			UserID    string `json:"userId"`
			AuthToken string `json:"authToken"`
		}
	}
	bea.Post(t, "users.createToken", map[string]any{"userId": bea.UserID}).OK(t).Decode(t, &out)
	if out.Data.UserID != bea.UserID || out.Data.AuthToken == "" {
		t.Fatalf("data: %+v", out.Data)
	}
	c := *bea
	c.Token = out.Data.AuthToken
	c.Get(t, "me").OK(t)

	bea.Post(t, "users.createToken", map[string]any{"username": "cal"}).Fails(t, 400, "error-not-authorized", "")
	e.Admin.Post(t, "users.createToken", map[string]any{"username": "cal"}).OK(t).Decode(t, &out)
	if out.Data.UserID != cal.UserID {
		t.Fatalf("data: %+v", out.Data)
	}
	e.Admin.Post(t, "users.createToken", map[string]any{}).Fails(t, 400, "error-user-param-not-provided", "")
}

// Ending sessions is announced, so that open websockets of the user close.
func TestUsersSessionChangesEmitEvents(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	cases := []struct {
		name string
		act  func(u *apitest.Client)
		want []events.Kind
	}{
		{"logout", func(u *apitest.Client) { e.Admin.Post(t, "users.logout", map[string]any{"userId": u.UserID}).OK(t) }, []events.Kind{events.LoggedOut}},
		{"logoutOtherClients", func(u *apitest.Client) { u.Post(t, "users.logoutOtherClients", nil).OK(t) }, []events.Kind{events.LoggedOut}},
		{"setActiveStatus", func(u *apitest.Client) {
			e.Admin.Post(t, "users.setActiveStatus", map[string]any{"userId": u.UserID, "activeStatus": false}).OK(t)
		}, []events.Kind{events.LoggedOut, events.UserChanged}},
		{"updateOwnBasicInfo", func(u *apitest.Client) {
			u.Post(t, "users.updateOwnBasicInfo", map[string]any{"data": map[string]any{"nickname": "nick"}}).OK(t)
		}, []events.Kind{events.UserChanged}},
	}
	for _, tc := range cases {
		u := e.NewUser(t, e.Unique("ev"))
		rec := e.App.Bus().Subscribe(64)
		tc.act(u)
		got := drainEvents(rec)
		rec.Close()
		for _, k := range tc.want {
			if !slices.ContainsFunc(got, func(ev events.Event) bool { return ev.Kind == k && ev.UserID == u.UserID }) {
				t.Errorf("%s: no %s for the user in %v", tc.name, k, got)
			}
		}
	}
}
