package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/api"
	"github.com/parleychat/parley/internal/api/apitest"
	"github.com/parleychat/parley/internal/auth"
	"github.com/parleychat/parley/internal/store"
)

// tryLogin logs in and returns the answer.
func tryLogin(t *testing.T, e *apitest.Env, user, password string) *apitest.Response {
	t.Helper()
	return e.Anon().Post(t, "login", map[string]any{"user": user, "password": password})
}

// anotherSession is a second login of c's user: another device.
func anotherSession(t *testing.T, e *apitest.Env, c *apitest.Client, password string) *apitest.Client {
	t.Helper()
	return e.Login(t, c.Username, password)
}

// withPassword confirms c's requests with its password, the way Rocket.Chat
// clients answer a two-factor check by password.
func withPassword(c *apitest.Client, password string) *apitest.Client {
	c.Header.Set("X-2fa-Code", auth.Digest(password))
	c.Header.Set("X-2fa-Method", "password")
	return c
}

func checkBlockedLogin(t *testing.T, r *apitest.Response, code, message string) {
	t.Helper()
	m := r.Expect(t, http.StatusUnauthorized).JSON(t)
	if m["status"] != "error" || m["error"] != code || m["message"] != message {
		t.Fatalf("blocked login = %s, want error %q, message %q", r.Body, code, message)
	}
}

// Hole 4: a password change ends the user's other sessions, keeps the one
// that made it and the personal access tokens.
func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	dan := e.NewUser(t, "dan")
	phone := anotherSession(t, e, dan, "pw-dan")
	var pat struct{ Token string }
	withPassword(anotherSession(t, e, dan, "pw-dan"), "pw-dan").
		Post(t, "users.generatePersonalAccessToken", map[string]any{"tokenName": "ci"}).OK(t).Decode(t, &pat)
	script := e.Anon()
	script.UserID, script.Token = dan.UserID, pat.Token

	dan.Post(t, "users.update", map[string]any{"userId": dan.UserID, "data": map[string]any{
		"password": "new-pw-dan", "currentPassword": auth.Digest("pw-dan")}}).OK(t)
	dan.Get(t, "me").OK(t)
	phone.Get(t, "me").Fails(t, 401, "", "You must be logged in to do this.")
	script.Get(t, "me").OK(t)
	tryLogin(t, e, "dan", "pw-dan").Expect(t, 401)
	tryLogin(t, e, "dan", "new-pw-dan").OK(t)

	// An administrator's reset ends every login session of the user.
	e.Admin.Post(t, "users.update", map[string]any{"userId": dan.UserID, "data": map[string]any{"password": "reset-pw"}}).OK(t)
	dan.Get(t, "me").Fails(t, 401, "", "You must be logged in to do this.")
	e.Admin.Get(t, "me").OK(t)
}

// Hole 4: changing your own password or email needs the current password,
// as the hex SHA-256 digest, in data.currentPassword or Rocket.Chat's
// two-factor headers.
func TestOwnPasswordAndEmailNeedCurrentPassword(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	const required, invalid = "TOTP Required [totp-required]", "TOTP Invalid [totp-invalid]"
	cases := []struct {
		name      string
		data      map[string]any
		header    string // x-2fa-code, with x-2fa-method: password
		wantType  string // empty: success
		wantError string
	}{
		{"password without confirmation", map[string]any{"password": "x1"}, "", "totp-required", required},
		{"password with a wrong digest", map[string]any{"password": "x1", "currentPassword": auth.Digest("wrong")}, "", "totp-invalid", invalid},
		{"password with the plain password", map[string]any{"password": "x1", "currentPassword": "PW"}, "", "totp-invalid", invalid},
		{"email without confirmation", map[string]any{"email": "new@example.com"}, "", "totp-required", required},
		{"email with a wrong header", map[string]any{"email": "new@example.com"}, auth.Digest("wrong"), "totp-invalid", invalid},
		{"password with currentPassword", map[string]any{"password": "x2", "currentPassword": auth.Digest("PW")}, "", "", ""},
		{"email with the headers", map[string]any{"email": "new2@example.com"}, auth.Digest("PW"), "", ""},
		{"same email needs nothing", map[string]any{"email": "USER@example.com"}, "", "", ""},
		{"name needs nothing", map[string]any{"name": "Someone"}, "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			name := e.Unique("pwc")
			u := e.NewUser(t, name)
			// Every user's password is PW here.
			e.Admin.Post(t, "users.update", map[string]any{"userId": u.UserID, "data": map[string]any{"password": "PW"}}).OK(t)
			u = e.Login(t, name, "PW")
			if c.data["email"] == "USER@example.com" {
				c.data["email"] = strings.ToUpper(name) + "@example.com"
			}
			if c.header != "" {
				u.Header.Set("X-2fa-Code", c.header)
				u.Header.Set("X-2fa-Method", "password")
			}
			r := u.Post(t, "users.update", map[string]any{"userId": u.UserID, "data": c.data})
			if c.wantType == "" {
				r.OK(t)
				return
			}
			details, _ := r.Fails(t, 400, c.wantType, c.wantError).JSON(t)["details"].(map[string]any)
			if details["method"] != "password" {
				t.Fatalf("details = %v, want method password", details)
			}
			// Nothing changed.
			tryLogin(t, e, name, "PW").OK(t)
		})
	}
	// An administrator changing someone else confirms nothing.
	other := e.NewUser(t, "pwcother")
	e.Admin.Post(t, "users.update", map[string]any{"userId": other.UserID, "data": map[string]any{"email": "elsewhere@example.com", "password": "given"}}).OK(t)
}

// Hole 4: a personal access token needs the password, through the
// two-factor headers.
func TestPersonalAccessTokenNeedsPassword(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	u := e.NewUser(t, "erin")
	body := map[string]any{"tokenName": "t"}
	u.Post(t, "users.generatePersonalAccessToken", body).Fails(t, 400, "totp-required", "TOTP Required [totp-required]")
	u.Header.Set("X-2fa-Code", auth.Digest("not-it"))
	u.Header.Set("X-2fa-Method", "password")
	u.Post(t, "users.generatePersonalAccessToken", body).Fails(t, 400, "totp-invalid", "TOTP Invalid [totp-invalid]")
	u.Header.Set("X-2fa-Method", "totp")
	u.Header.Set("X-2fa-Code", auth.Digest("pw-erin"))
	u.Post(t, "users.generatePersonalAccessToken", body).Fails(t, 400, "totp-required", "")
	withPassword(u, "pw-erin").Post(t, "users.generatePersonalAccessToken", body).OK(t)
}

// Turning two-factor checks, or their password fallback, off lets the
// same actions through without the password, as in Rocket.Chat.
func TestPasswordConfirmationFollowsTwoFactorSettings(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"Accounts_TwoFactorAuthentication_Enabled", "Accounts_TwoFactorAuthentication_Enforce_Password_Fallback"} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			e := apitest.New(t)
			u := e.NewUser(t, "fran")
			u.Post(t, "users.generatePersonalAccessToken", map[string]any{"tokenName": "t"}).Fails(t, 400, "totp-required", "TOTP Required [totp-required]")
			e.SetSetting(t, id, false)
			u.Post(t, "users.generatePersonalAccessToken", map[string]any{"tokenName": "t"}).OK(t)
			u.Post(t, "users.regeneratePersonalAccessToken", map[string]any{"tokenName": "t"}).OK(t)
			u.Post(t, "users.updateOwnBasicInfo", map[string]any{"data": map[string]any{"newPassword": "changed-1", "currentPassword": auth.Digest("wrong")}}).OK(t)
			tryLogin(t, e, "fran", "changed-1").OK(t)
		})
	}
}

// Hole 4: wrong password confirmations count as failed logins, so that a
// stolen session guesses no faster than the login form.
func TestPasswordConfirmationCountsAsFailedLogin(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	e.SetSetting(t, "Block_Multiple_Failed_Logins_Attempts_Until_Block_by_User", 2)
	u := e.NewUser(t, "oli")
	change := func(digest string) *apitest.Response {
		return u.Post(t, "users.update", map[string]any{"userId": u.UserID, "data": map[string]any{"password": "taken-over", "currentPassword": digest}})
	}
	change(auth.Digest("guess-1")).Fails(t, 400, "totp-invalid", "TOTP Invalid [totp-invalid]")
	change(auth.Digest("guess-2")).Fails(t, 400, "totp-invalid", "TOTP Invalid [totp-invalid]")
	change(auth.Digest("pw-oli")).Fails(t, 400, "totp-max-attempts", "TOTP Maximun Failed Attempts Reached [totp-max-attempts]")
	withPassword(u, "pw-oli").Post(t, "users.generatePersonalAccessToken", map[string]any{"tokenName": "t"}).
		Fails(t, 400, "totp-max-attempts", "")
	checkBlockedLogin(t, tryLogin(t, e, "oli", "pw-oli"), "error-login-blocked-for-user", "Login has been temporarily blocked For User")
	u.Get(t, "me").OK(t) // the session itself goes on
}

// Hole 4: the login cache never lets a removed token or a deactivated user
// through, whether the change was made through this server or by another
// node sharing the database (played here by writing to the store).
func TestRevokedLoginsAreRefusedAtOnce(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	ctx := t.Context()
	refused := func(t *testing.T, c *apitest.Client) {
		t.Helper()
		c.Get(t, "me").Fails(t, 401, "", "You must be logged in to do this.")
	}
	cases := []struct {
		name   string
		revoke func(t *testing.T, c *apitest.Client)
	}{
		{"logout", func(t *testing.T, c *apitest.Client) { c.Post(t, "logout", nil).Expect(t, 200) }},
		{"deactivation", func(t *testing.T, c *apitest.Client) {
			e.Admin.Post(t, "users.update", map[string]any{"userId": c.UserID, "data": map[string]any{"active": false}}).OK(t)
		}},
		{"deletion", func(t *testing.T, c *apitest.Client) {
			e.Admin.Post(t, "users.delete", map[string]any{"userId": c.UserID}).OK(t)
		}},
		{"token removed on another node", func(t *testing.T, c *apitest.Client) {
			if err := e.Store.Tokens().Delete(ctx, c.UserID, auth.HashToken(c.Token)); err != nil {
				t.Fatal(err)
			}
		}},
		{"deactivated on another node", func(t *testing.T, c *apitest.Client) {
			u, err := e.Store.Users().Get(ctx, c.UserID)
			if err != nil {
				t.Fatal(err)
			}
			u.Active = false
			if err := e.Store.Users().Update(ctx, u); err != nil {
				t.Fatal(err)
			}
		}},
		{"deleted on another node", func(t *testing.T, c *apitest.Client) {
			if err := e.Store.InTx(ctx, func(st store.Store) error {
				if err := st.Tokens().DeleteByUser(ctx, c.UserID); err != nil {
					return err
				}
				return st.Users().Delete(ctx, c.UserID)
			}); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := e.NewUser(t, e.Unique("rev"))
			u.Get(t, "me").OK(t) // the login is remembered now
			c.revoke(t, u)
			refused(t, u)
		})
	}
	t.Run("personal access token removed", func(t *testing.T) {
		u := withPassword(e.NewUser(t, "revpat"), "pw-revpat")
		var pat struct{ Token string }
		u.Post(t, "users.generatePersonalAccessToken", map[string]any{"tokenName": "x"}).OK(t).Decode(t, &pat)
		script := e.Anon()
		script.UserID, script.Token = u.UserID, pat.Token
		script.Get(t, "me").OK(t)
		u.Post(t, "users.removePersonalAccessToken", map[string]any{"tokenName": "x"}).OK(t)
		refused(t, script)
	})
	t.Run("roles changed on another node", func(t *testing.T) {
		u := e.NewUser(t, "revrole")
		u.Get(t, "users.getPersonalAccessTokens").OK(t)
		cur, err := e.Store.Users().Get(ctx, u.UserID)
		if err != nil {
			t.Fatal(err)
		}
		cur.Roles = []string{"guest"}
		cur.UpdatedAt++
		if err := e.Store.Users().Update(ctx, cur); err != nil {
			t.Fatal(err)
		}
		u.Get(t, "users.getPersonalAccessTokens").Fails(t, 400, "not-authorized", "Not Authorized [not-authorized]")
	})
}

// Hole 5: failed logins block the username, with Rocket.Chat's answer;
// a success starts the count afresh; other users are not affected.
func TestFailedLoginsBlockTheUser(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	e.SetSetting(t, "Block_Multiple_Failed_Logins_Attempts_Until_Block_by_User", 3)
	e.NewUser(t, "fay")
	e.NewUser(t, "gil")

	for range 2 {
		tryLogin(t, e, "fay", "wrong").Expect(t, 401)
	}
	tryLogin(t, e, "fay", "pw-fay").OK(t) // below the threshold; resets the count
	for range 3 {
		m := tryLogin(t, e, "fay", "wrong").Expect(t, 401).JSON(t)
		if m["error"] != "Unauthorized" || m["message"] != "Unauthorized" {
			t.Fatalf("failed login = %v", m)
		}
	}
	checkBlockedLogin(t, tryLogin(t, e, "fay", "pw-fay"), "error-login-blocked-for-user", "Login has been temporarily blocked For User")
	// By email too: it is the same user.
	checkBlockedLogin(t, e.Anon().Post(t, "login", map[string]any{"user": "fay@example.com", "password": "pw-fay"}),
		"error-login-blocked-for-user", "Login has been temporarily blocked For User")
	tryLogin(t, e, "gil", "pw-gil").OK(t)

	// Unknown usernames are counted like known ones, so that the answer
	// does not tell which exist.
	for range 3 {
		tryLogin(t, e, "nobody-here", "wrong").Expect(t, 401)
	}
	checkBlockedLogin(t, tryLogin(t, e, "nobody-here", "wrong"), "error-login-blocked-for-user", "Login has been temporarily blocked For User")

	// Turned off, nothing is blocked.
	e.SetSetting(t, "Block_Multiple_Failed_Logins_Enabled", false)
	tryLogin(t, e, "fay", "pw-fay").OK(t)
}

// proxied is a server in front of which the proxies 10.0.0.0/8 stand.
type proxied struct {
	t *testing.T
	h http.Handler
}

func newProxied(t *testing.T, e *apitest.Env, trusted ...string) *proxied {
	if len(trusted) == 0 {
		trusted = []string{"10.0.0.0/8"}
	}
	var prefixes []netip.Prefix
	for _, p := range trusted {
		if p != "" {
			prefixes = append(prefixes, netip.MustParsePrefix(p))
		}
	}
	return &proxied{t: t, h: api.New(e.App, api.Options{Version: "test", TrustProxy: true, TrustedProxies: prefixes})}
}

// login sends a login from peer with the given X-Forwarded-For.
func (p *proxied) login(peer, xff, user, password string) (int, map[string]any) {
	p.t.Helper()
	b, _ := json.Marshal(map[string]any{"user": user, "password": password})
	req := httptest.NewRequest(http.MethodPost, "/api/v1/login", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = peer + ":41000"
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	rec := httptest.NewRecorder()
	p.h.ServeHTTP(rec, req)
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		p.t.Fatalf("login answer %q: %v", rec.Body.String(), err)
	}
	return rec.Code, m
}

// Hole 5: failed logins block the client address across usernames, and
// behind --trust-proxy the address is read from the right end of
// X-Forwarded-For, past the trusted proxies, so that made-up entries on
// the left change nothing.
func TestFailedLoginsBlockTheAddress(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	e.SetSetting(t, "Block_Multiple_Failed_Logins_Attempts_Until_Block_By_Ip", 4)
	e.SetSetting(t, "Block_Multiple_Failed_Logins_Ip_Whitelist", "198.51.100.9, 198.51.100.10")
	for _, n := range []string{"hal", "ida", "jon"} {
		e.NewUser(t, n)
	}
	p := newProxied(t, e)
	attacker := "203.0.113.7"
	// Each try claims another address on the left; the proxies 10.0.0.2
	// and 10.0.0.1 appended the real one.
	for i, user := range []string{"hal", "hal", "ida", "ida"} {
		xff := "192.0.2." + strconv.Itoa(i+10) + ", " + attacker + ", 10.0.0.2"
		if code, _ := p.login("10.0.0.1", xff, user, "wrong"); code != 401 {
			t.Fatalf("failed login %d: status %d", i, code)
		}
	}
	code, m := p.login("10.0.0.1", "192.0.2.99, "+attacker+", 10.0.0.2", "jon", "pw-jon")
	if code != 401 || m["error"] != "error-login-blocked-for-ip" || m["message"] != "Login has been temporarily blocked For IP" {
		t.Fatalf("blocked address: %d %v", code, m)
	}
	// Another client behind the same proxies is not blocked.
	if code, m := p.login("10.0.0.1", "203.0.113.8", "jon", "pw-jon"); code != 200 {
		t.Fatalf("other address: %d %v", code, m)
	}
	// A client reaching the server directly cannot claim an address.
	for i := range 4 {
		p.login("198.51.100.1", "198.51.100."+strconv.Itoa(50+i), "hal", "wrong")
	}
	if code, m := p.login("198.51.100.1", "198.51.100.77", "jon", "pw-jon"); m["error"] != "error-login-blocked-for-ip" {
		t.Fatalf("direct client with X-Forwarded-For: %d %v", code, m)
	}
	// Whitelisted addresses are never blocked.
	for range 5 {
		p.login("10.0.0.1", "198.51.100.9", "ida", "wrong")
	}
	if code, m := p.login("10.0.0.1", "198.51.100.9", "jon", "pw-jon"); code != 200 {
		t.Fatalf("whitelisted address: %d %v", code, m)
	}
}

// Hole 5: which address a request counts as, behind proxies. A failed
// login blocks its address at once here; a second login then shows
// whether it came from the same address.
func TestClientAddressBehindProxies(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	e.SetSetting(t, "Block_Multiple_Failed_Logins_By_User", false)
	e.SetSetting(t, "Block_Multiple_Failed_Logins_Attempts_Until_Block_By_Ip", 1)
	e.NewUser(t, "nat")
	withList, alone := newProxied(t, e), newProxied(t, e, "")
	type hop struct{ peer, xff string }
	cases := []struct {
		name         string
		p            *proxied
		fail, second hop
		same         bool
	}{
		{"made-up entries on the left", withList, hop{"10.0.0.1", "1.1.1.1, 203.0.113.1"}, hop{"10.0.0.1", "9.9.9.9, 203.0.113.1"}, true},
		{"trusted hops skipped", withList, hop{"10.0.0.1", "203.0.113.2, 10.0.0.3"}, hop{"10.0.0.1", "203.0.113.2"}, true},
		{"other clients", withList, hop{"10.0.0.1", "203.0.113.3"}, hop{"10.0.0.1", "203.0.113.4"}, false},
		{"every hop trusted", withList, hop{"10.0.0.1", "10.1.0.1, 10.0.0.2"}, hop{"10.0.0.1", "10.1.0.1"}, true},
		{"direct peer ignores the header", withList, hop{"198.51.100.5", "203.0.113.5"}, hop{"198.51.100.5", "203.0.113.6"}, true},
		{"ports and brackets", withList, hop{"10.0.0.1", "[2001:db8::1]:1234"}, hop{"10.0.0.1", "2001:db8::1"}, true},
		{"one proxy: rightmost entry", alone, hop{"192.0.2.50", "1.1.1.1, 203.0.113.7"}, hop{"192.0.2.51", "2.2.2.2, 203.0.113.7"}, true},
		{"one proxy: left entries do not count", alone, hop{"192.0.2.50", "203.0.113.8, 1.1.1.8"}, hop{"192.0.2.50", "203.0.113.8, 1.1.1.9"}, false},
		{"no header: the peer", alone, hop{"192.0.2.60", ""}, hop{"192.0.2.60", ""}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if code, _ := c.p.login(c.fail.peer, c.fail.xff, "nat", "wrong"); code != 401 {
				t.Fatalf("failed login: %d", code)
			}
			code, m := c.p.login(c.second.peer, c.second.xff, "nat", "pw-nat")
			if blocked := m["error"] == "error-login-blocked-for-ip"; blocked != c.same {
				t.Fatalf("second login: %d %v; want same address %v", code, m, c.same)
			}
		})
	}
}

// Hole 5: Block_Multiple_Failed_Logins_Notify_Failed posts one notice, as
// rocket.cat, when a block starts.
func TestFailedLoginsNotice(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	e.SetSetting(t, "Block_Multiple_Failed_Logins_Attempts_Until_Block_by_User", 2)
	e.SetSetting(t, "Block_Multiple_Failed_Logins_Notify_Failed", true)
	e.SetSetting(t, "Block_Multiple_Failed_Logins_Notify_Failed_Channel", "general")
	e.NewUser(t, "kim")
	for range 4 {
		tryLogin(t, e, "kim", "wrong").Expect(t, 401)
	}
	var out struct{ Messages []map[string]any }
	e.Admin.Get(t, "channels.messages", apitest.Q("roomId", "GENERAL")).OK(t).Decode(t, &out)
	var notices []string
	for _, m := range out.Messages {
		u, _ := m["u"].(map[string]any)
		b, _ := json.Marshal(m["attachments"])
		if u["username"] == "rocket.cat" && strings.Contains(string(b), "Failed login attempt threshold exceeded") {
			notices = append(notices, string(b))
		}
	}
	if len(notices) != 1 || !strings.Contains(notices[0], "User or IP: kim") || !strings.Contains(notices[0], "Failed Attempts: 2") {
		t.Fatalf("notices = %v", notices)
	}
}

// Hole 6: users.update on yourself honours the Accounts_* settings, with
// Rocket.Chat's texts; an administrator editing someone else does not.
func TestOwnProfileFollowsAccountSettings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		setting string
		data    map[string]any
		text    string
	}{
		{"Accounts_AllowUserProfileChange", map[string]any{"bio": "hi"}, "Edit user profile is not allowed"},
		{"Accounts_AllowUsernameChange", map[string]any{"username": "renamed"}, "Edit username is not allowed"},
		{"Accounts_AllowRealNameChange", map[string]any{"name": "Other Name"}, "Edit user real name is not allowed"},
		{"Accounts_AllowUserStatusMessageChange", map[string]any{"statusText": "busy day"}, "Edit user status is not allowed"},
		{"Accounts_AllowEmailChange", map[string]any{"email": "moved@example.com", "currentPassword": auth.Digest("pw-me")}, "Edit user email is not allowed"},
		{"Accounts_AllowPasswordChange", map[string]any{"password": "pw2", "currentPassword": auth.Digest("pw-me")}, "Edit user password is not allowed"},
	}
	for _, c := range cases {
		t.Run(c.setting, func(t *testing.T) {
			t.Parallel()
			e := apitest.New(t)
			me := e.NewUser(t, "me")
			e.SetSetting(t, c.setting, false)
			me.Post(t, "users.update", map[string]any{"userId": me.UserID, "data": c.data}).
				Fails(t, 400, "error-action-not-allowed", c.text+" [error-action-not-allowed]")
			// The administrator may still change the user.
			e.Admin.Post(t, "users.update", map[string]any{"userId": me.UserID, "data": c.data}).OK(t)
		})
	}
	t.Run("unchanged values pass", func(t *testing.T) {
		t.Parallel()
		e := apitest.New(t)
		me := e.NewUser(t, "same")
		e.SetSetting(t, "Accounts_AllowRealNameChange", false)
		e.SetSetting(t, "Accounts_AllowUsernameChange", false)
		me.Post(t, "users.update", map[string]any{"userId": me.UserID, "data": map[string]any{"name": "Same", "username": "same", "nickname": "s"}}).OK(t)
	})
}

// Hole 6: only holders of edit-other-user-info may vouch for their own
// email or lift their own requirePasswordChange.
func TestOwnVerifiedAndRequirePasswordChange(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	me := e.NewUser(t, "lou", map[string]any{"requirePasswordChange": true})
	me.Post(t, "users.update", map[string]any{"userId": me.UserID, "data": map[string]any{"verified": true}}).
		Fails(t, 400, "error-action-not-allowed", "Editing email verification is not allowed [error-action-not-allowed]")
	me.Post(t, "users.update", map[string]any{"userId": me.UserID, "data": map[string]any{"requirePasswordChange": false}}).
		Fails(t, 400, "error-action-not-allowed", "Editing user is not allowed [error-action-not-allowed]")
	var info struct{ User map[string]any }
	e.Admin.Get(t, "users.info", apitest.Q("userId", me.UserID)).OK(t).Decode(t, &info)
	if info.User["requirePasswordChange"] != true {
		t.Fatalf("user = %v", info.User)
	}
	if emails, _ := info.User["emails"].([]any); len(emails) != 1 || emails[0].(map[string]any)["verified"] == true {
		t.Fatalf("emails = %v", info.User["emails"])
	}
	// Changing the password is how the flag goes.
	me.Post(t, "users.update", map[string]any{"userId": me.UserID, "data": map[string]any{"password": "chosen", "currentPassword": auth.Digest("pw-lou")}}).OK(t)
	e.Admin.Get(t, "users.info", apitest.Q("userId", me.UserID)).OK(t).Decode(t, &info)
	if info.User["requirePasswordChange"] != false {
		t.Fatalf("after a new password: %v", info.User)
	}
	// The administrator may set both.
	e.Admin.Post(t, "users.update", map[string]any{"userId": me.UserID, "data": map[string]any{"verified": true, "requirePasswordChange": true}}).OK(t)
	e.Admin.Post(t, "users.update", map[string]any{"userId": me.UserID, "data": map[string]any{"requirePasswordChange": false}}).OK(t)
}

// Hole 9: reserved usernames cannot be registered, created or given.
func TestReservedUsernames(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	e.SetSetting(t, "Accounts_BlockedUsernameList", "spam, Billing")
	blocked := func(name string) string {
		return name + " is blocked and can't be used! [error-blocked-username]"
	}
	plain := e.NewUser(t, "mo")
	for _, name := range []string{"all", "here", "ALL", "Here", "admin", "administrator", "system", "user", "spam", "billing"} {
		t.Run(name, func(t *testing.T) {
			e.Anon().Post(t, "users.register", map[string]any{"username": name, "email": "r-" + name + "@example.com", "pass": "pw", "name": "R"}).
				Fails(t, 400, "error-blocked-username", blocked(name))
			e.Admin.Post(t, "users.create", map[string]any{"username": name, "email": "c-" + name + "@example.com", "password": "pw", "name": "C"}).
				Fails(t, 400, "error-blocked-username", blocked(name))
			// An existing account cannot take one either, with the error
			// Rocket.Chat gives for it.
			const identity = "Could not save user identity [error-could-not-save-identity]"
			e.Admin.Post(t, "users.update", map[string]any{"userId": plain.UserID, "data": map[string]any{"username": name}}).
				Fails(t, 400, "error-could-not-save-identity", identity)
			plain.Post(t, "users.update", map[string]any{"userId": plain.UserID, "data": map[string]any{"username": name}}).
				Fails(t, 400, "error-could-not-save-identity", identity)
		})
	}
	// Names that merely contain one are fine.
	e.Anon().Post(t, "users.register", map[string]any{"username": "allison", "email": "allison@example.com", "pass": "pw", "name": "A"}).OK(t)
}
