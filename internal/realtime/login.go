package realtime

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/auth"
	"github.com/parleychat/parley/internal/ejson"
	"github.com/parleychat/parley/internal/methods"
	"github.com/parleychat/parley/internal/model"
)

// errLogin is the answer to every failed login, whatever failed: the
// newest Rocket.Chat servers say "User not found" for unknown users, wrong
// passwords and dead tokens alike, so that nothing can be probed.
var errLogin = &methods.Error{Code: http.StatusUnauthorized, Reason: "User not found"}

// loginParams is the one parameter of the login method.
type loginParams struct {
	Resume *string `json:"resume"`
	User   *struct {
		Username string `json:"username"`
		Email    string `json:"email"`
		ID       string `json:"id"`
	} `json:"user"`
	Password json.RawMessage `json:"password"`
}

// loginResult is what login answers.
type loginResult struct {
	ID           string     `json:"id"`
	Token        string     `json:"token"`
	TokenExpires ejson.Date `json:"tokenExpires"`
	Type         string     `json:"type"`
}

// login is the login method: a resume token (a REST login token or a
// personal access token), or a user and a password, plain or as a
// SHA-256 digest.
func (c *conn) login(params []json.RawMessage) (any, *methods.Error) {
	var p loginParams
	if len(params) != 1 || json.Unmarshal(params[0], &p) != nil {
		return nil, methods.ErrMatch
	}
	ctx := c.ctx
	var (
		sess *app.TokenSession
		kind string
		err  error
	)
	switch {
	case p.Resume != nil:
		kind = "resume"
		sess, err = c.s.app.ResumeToken(ctx, *p.Resume)
	case p.User != nil && p.Password != nil:
		kind = "password"
		sess, err = c.passwordLogin(p)
	default:
		return nil, errLogin
	}
	if err != nil {
		if _, ok := app.AsError(err); ok {
			return nil, errLogin
		}
		me, _ := methods.AsError(err)
		c.s.log.Error("realtime login failed", "err", err)
		return nil, me
	}
	c.setUser(sess.User, sess.Hashed)
	expires := sess.Created.Std().Add(app.LoginExpiration)
	return loginResult{ID: sess.User.ID, Token: tokenOf(p, sess), TokenExpires: ejson.Date(expires.UnixMilli()), Type: kind}, nil
}

// tokenOf is the token a login answers: the resume token as given, or
// the new one of a password login.
func tokenOf(p loginParams, sess *app.TokenSession) string {
	if p.Resume != nil {
		return *p.Resume
	}
	return sess.Token
}

// passwordLogin checks a user and password through the app's login, which
// counts failures against Block_Multiple_Failed_Logins_*.
func (c *conn) passwordLogin(p loginParams) (*app.TokenSession, error) {
	in := app.LoginInput{Username: p.User.Username, Email: p.User.Email, IP: hostOf(c.addr)}
	if p.User.ID != "" && in.Username == "" && in.Email == "" {
		u, err := c.s.app.GetUser(c.ctx, p.User.ID, "")
		if err != nil {
			return nil, err
		}
		in.Username = u.Username
	}
	var plain string
	var digest struct {
		Digest    string `json:"digest"`
		Algorithm string `json:"algorithm"`
	}
	switch {
	case json.Unmarshal(p.Password, &plain) == nil:
		in.Password = plain
	case json.Unmarshal(p.Password, &digest) == nil && digest.Algorithm == "sha-256" && digest.Digest != "":
		in.Digest = strings.ToLower(digest.Digest)
	default:
		return nil, app.ErrUnauthorized
	}
	if in.Password == "" && in.Digest == "" {
		return nil, app.ErrUnauthorized
	}
	res, err := c.s.app.Login(c.ctx, in)
	if err != nil {
		return nil, err
	}
	return &app.TokenSession{User: res.User, Hashed: auth.HashToken(res.Token), Kind: model.TokenLogin, Created: model.Now(), Token: res.Token}, nil
}

// hostOf strips the port from a peer address.
func hostOf(addr string) string {
	if i := strings.LastIndexByte(addr, ':'); i > 0 && !strings.HasSuffix(addr, "]") {
		return strings.Trim(addr[:i], "[]")
	}
	return addr
}

// setUser makes u the connection's user, re-checks its subscriptions and
// counts the connection as the user's for presence.
func (c *conn) setUser(u *model.User, hashed string) {
	c.mu.Lock()
	prev := c.user
	c.user, c.hashed = u, hashed
	c.mu.Unlock()
	c.s.hub.setSession(c, prev, u)
	if prev == nil || prev.ID != u.ID {
		if prev != nil {
			c.s.pres.disconnected(prev.ID)
		}
		c.s.pres.connected(c.ctx, u.ID)
	}
	c.recheckSubs(c.ctx, u)
}

// logout removes the connection's login token, answers, then ends the
// session and closes the socket, as Rocket.Chat's ddp-streamer does.
func (c *conn) logout(id string) {
	c.mu.Lock()
	u, hashed := c.user, c.hashed
	// Cleared first, so that the LoggedOut event this causes does not
	// close the socket before the answer is written.
	c.user, c.hashed = nil, ""
	c.mu.Unlock()
	if u == nil {
		c.answer(id, nil, nil)
		return
	}
	c.s.hub.setSession(c, u, nil)
	c.s.pres.disconnected(u.ID)
	if err := c.s.app.LogoutToken(c.ctx, u.ID, hashed); err != nil {
		c.s.log.Warn("realtime logout", "err", err)
	}
	c.answer(id, nil, nil)
	c.endSession("logged out")
}

// The presence methods set the state of the caller's connections.
func (c *conn) presenceOnline(_ []json.RawMessage) (any, *methods.Error) {
	return nil, c.setPresence(app.PresenceOnline)
}

func (c *conn) presenceAway(_ []json.RawMessage) (any, *methods.Error) {
	return nil, c.setPresence(app.PresenceAway)
}

func (c *conn) setPresence(state string) *methods.Error {
	u := c.currentUser()
	if u == nil {
		return invalidUser()
	}
	if err := c.s.app.SetPresence(c.ctx, u.ID, state); err != nil {
		me, _ := methods.AsError(err)
		return me
	}
	return nil
}

// presenceDefault is UserPresence:setDefaultStatus [status]: the status
// the user chose, kept while any connection is open.
func (c *conn) presenceDefault(params []json.RawMessage) (any, *methods.Error) {
	u := c.currentUser()
	if u == nil {
		return nil, invalidUser()
	}
	var status string
	if len(params) < 1 || json.Unmarshal(params[0], &status) != nil {
		return nil, methods.ErrMatch
	}
	if err := c.s.app.SetStatus(c.ctx, u, "", &status, nil); err != nil {
		me, _ := methods.AsError(err)
		return nil, me
	}
	return nil, nil
}

// setUserStatus is [status, statusText]: both at once.
func (c *conn) setUserStatus(params []json.RawMessage) (any, *methods.Error) {
	u := c.currentUser()
	if u == nil {
		return nil, invalidUser()
	}
	var status, text *string
	if len(params) > 0 && string(params[0]) != "null" {
		if json.Unmarshal(params[0], &status) != nil {
			return nil, methods.ErrMatch
		}
	}
	if len(params) > 1 && string(params[1]) != "null" {
		if json.Unmarshal(params[1], &text) != nil {
			return nil, methods.ErrMatch
		}
	}
	if status == nil && text == nil {
		return nil, methods.ErrMatch
	}
	if err := c.s.app.SetStatus(c.ctx, u, "", status, text); err != nil {
		me, _ := methods.AsError(err)
		return nil, me
	}
	return nil, nil
}

func invalidUser() *methods.Error {
	return &methods.Error{Code: "error-invalid-user", Reason: "Invalid user"}
}
