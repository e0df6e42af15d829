package app

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/parleychat/parley/internal/auth"
	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// LoginInput is what POST /login accepts.
type LoginInput struct {
	User     string // username or email ("user" field)
	Username string
	Email    string
	Password string // plain text
	Digest   string // hex SHA-256, when the client sent {digest, algorithm}
	Resume   string
	// IP is the client's address, which failed logins are counted by.
	IP string
}

// LoginResult is a successful login.
type LoginResult struct {
	User  *model.User
	Token string
}

// errLoginFailed is the refusal for unknown users and wrong passwords alike,
// so that a caller cannot probe which usernames exist.
var errLoginFailed = &Error{Status: http.StatusUnauthorized, Type: "Unauthorized", Reason: "Unauthorized", Plain: true}

// LoginFailed reports whether err is a failed login.
func LoginFailed(err error) bool { return errors.Is(err, errLoginFailed) }

// Login checks credentials or a resume token and issues a login token.
// Password logins count towards Block_Multiple_Failed_Logins_* (logins.go).
func (a *App) Login(ctx context.Context, in LoginInput) (*LoginResult, error) {
	defer a.authUsers.clear() // the user may change below
	if in.Resume != "" {
		return a.resume(ctx, in.Resume)
	}
	var (
		u     *model.User
		err   error
		typed string
	)
	switch {
	case in.Email != "":
		typed = in.Email
		u, err = a.store.Users().GetByEmail(ctx, in.Email)
	case in.Username != "":
		typed = in.Username
		u, err = a.store.Users().GetByUsername(ctx, in.Username)
	case strings.Contains(in.User, "@"):
		typed = in.User
		u, err = a.store.Users().GetByEmail(ctx, in.User)
	case in.User != "":
		typed = in.User
		u, err = a.store.Users().GetByUsername(ctx, in.User)
	default:
		return nil, errLoginFailed
	}
	if err != nil && !isNotFound(err) {
		return nil, a.storeErr(err)
	}
	// Failures are counted by the username the login resolves to, so that
	// trying a username and its email address counts once; an unknown
	// name counts as typed.
	key := strings.ToLower(strings.TrimSpace(typed))
	if u != nil {
		key = strings.ToLower(u.Username)
	}
	if err := a.loginAllowed(ctx, in.IP, key); err != nil {
		return nil, err
	}
	digest := in.Digest
	if digest == "" {
		digest = auth.Digest(in.Password)
	}
	if u == nil || u.PasswordHash == "" {
		// Compare anyway, so that the answer takes as long as for a
		// real account and its timing tells nothing.
		auth.CheckDigest(a.logins.dummyHash(a.hasher), digest)
		return nil, a.loginFailed(ctx, in.IP, key)
	}
	if !auth.CheckDigest(u.PasswordHash, digest) {
		return nil, a.loginFailed(ctx, in.IP, key)
	}
	if !u.Active {
		return nil, &Error{Status: http.StatusUnauthorized, Type: "error-user-is-not-activated", Reason: "User is not activated"}
	}
	token := auth.NewToken()
	now := a.now()
	err = a.tx(ctx, func(st store.Store) error {
		if err := st.Tokens().Create(ctx, &model.Token{HashedToken: auth.HashToken(token), UserID: u.ID, Type: model.TokenLogin, CreatedAt: now}); err != nil {
			return err
		}
		u.LastLogin = &now
		return st.Users().Update(ctx, u)
	})
	if err != nil {
		return nil, err
	}
	a.loginSucceeded(ctx, in.IP, key)
	return &LoginResult{User: u, Token: token}, nil
}

// resume logs in with an existing token; Rocket.Chat answers with the same
// token.
func (a *App) resume(ctx context.Context, token string) (*LoginResult, error) {
	// The token alone identifies the user: look it up by hash.
	u, err := a.userByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	return &LoginResult{User: u, Token: token}, nil
}

func (a *App) userByToken(ctx context.Context, token string) (*model.User, error) {
	uid, err := a.store.Tokens().Owner(ctx, auth.HashToken(token))
	if isNotFound(err) {
		return nil, &Error{Status: http.StatusUnauthorized, Type: "403", Reason: "You've been logged out by the server. Please log in again.", Plain: true}
	}
	if err != nil {
		return nil, a.storeErr(err)
	}
	return a.activeUser(ctx, uid)
}

func (a *App) activeUser(ctx context.Context, uid string) (*model.User, error) {
	u, err := a.store.Users().Get(ctx, uid)
	if isNotFound(err) {
		return nil, ErrUnauthorized
	}
	if err != nil {
		return nil, a.storeErr(err)
	}
	if !u.Active {
		return nil, ErrUnauthorized
	}
	return u, nil
}

// Authenticate resolves the X-User-Id / X-Auth-Token pair of a request.
// The token and the user's active flag are read from the database on every
// request, so that a removed token or a deactivated user is refused at
// once, on every node. Only the user document is remembered, and only as
// long as the user's _updatedAt in the database still matches it.
func (a *App) Authenticate(ctx context.Context, userID, token string) (*model.User, error) {
	if userID == "" || token == "" {
		return nil, ErrUnauthorized
	}
	return a.authenticateHashed(ctx, userID, auth.HashToken(token))
}

// sessionHint marks a request authenticated by AuthenticateHint from the
// node's memory; its value is the *store.SessionGuard its reads require.
type sessionHint struct{}

// AuthenticateHint is Authenticate for a request whose reads all require
// the session again (store.ReadGuard.Session), and which calls
// confirmSession before anything else: a session this node found a moment
// ago is taken from memory, with no read, and the returned context carries
// what the reads must require.
func (a *App) AuthenticateHint(ctx context.Context, userID, token string) (context.Context, *model.User, error) {
	if userID != "" && token != "" {
		hashed := auth.HashToken(token)
		now := a.clock()
		if at, ok := a.sessions.get(sessionKey(userID, hashed), now); ok {
			if u, ok := a.authUsers.get(userID, now); ok && u.UpdatedAt == at {
				g := &store.SessionGuard{UserID: userID, HashedToken: hashed, UserUpdatedAt: at}
				return context.WithValue(ctx, sessionHint{}, g), u, nil
			}
		}
	}
	u, err := a.Authenticate(ctx, userID, token)
	return ctx, u, err
}

// sessionGuard is what the reads of a request authenticated from memory
// must require, or nil.
func sessionGuard(ctx context.Context) *store.SessionGuard {
	g, _ := ctx.Value(sessionHint{}).(*store.SessionGuard)
	return g
}

// confirmSession checks the session of a request that AuthenticateHint
// took from memory, and answers its user as now stored; any other
// request's user is answered as it is.
func (a *App) confirmSession(ctx context.Context, u *model.User) (*model.User, error) {
	g := sessionGuard(ctx)
	if g == nil {
		return u, nil
	}
	return a.authenticateHashed(ctx, g.UserID, g.HashedToken)
}

// requireSession checks the session of a request that AuthenticateHint
// took from memory before a write that does not require it itself.
func (a *App) requireSession(ctx context.Context) error {
	_, err := a.confirmSession(ctx, nil)
	return err
}

// freshSession is what a post's next attempt acts as after its write was
// refused (store.ErrChanged): a session taken from memory is checked
// afresh and not required again.
func (a *App) freshSession(ctx context.Context, u *model.User) (context.Context, *model.User, error) {
	if sessionGuard(ctx) == nil {
		return ctx, u, nil
	}
	u, err := a.confirmSession(ctx, u)
	if err != nil {
		return ctx, nil, err
	}
	return context.WithValue(ctx, sessionHint{}, (*store.SessionGuard)(nil)), u, nil
}

func sessionKey(userID, hashed string) string { return userID + "\x00" + hashed }

// authenticateHashed is Authenticate for the stored form of the token.
func (a *App) authenticateHashed(ctx context.Context, userID, hashed string) (*model.User, error) {
	sess, err := a.store.Tokens().Session(ctx, userID, hashed)
	if isNotFound(err) {
		return nil, ErrUnauthorized
	}
	if err != nil {
		return nil, a.storeErr(err)
	}
	if !sess.Active {
		return nil, ErrUnauthorized
	}
	// The user a request acts as is only read: handlers that change a user
	// load it afresh inside their transaction.
	now := a.clock()
	a.sessions.put(sessionKey(userID, hashed), sess.UserUpdatedAt, now)
	if u, ok := a.authUsers.get(userID, now); ok && u.UpdatedAt == sess.UserUpdatedAt {
		return u, nil
	}
	u, err := a.activeUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	a.authUsers.put(userID, u, now)
	return u, nil
}

// Logout removes the token the request used.
func (a *App) Logout(ctx context.Context, u *model.User, token string) error {
	hashed := auth.HashToken(token)
	err := a.store.Tokens().Delete(ctx, u.ID, hashed)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return a.storeErr(err)
	}
	a.sessions.clear()
	a.emit(a.store, events.LoggedOut, "", u.ID, hashed)
	return nil
}

// PersonalToken is one entry of users.getPersonalAccessTokens.
type PersonalToken struct {
	Name            string     `json:"name"`
	CreatedAt       model.Time `json:"createdAt"`
	LastTokenPart   string     `json:"lastTokenPart"`
	BypassTwoFactor bool       `json:"bypassTwoFactor"`
}

// GeneratePersonalToken creates a named personal access token and returns it
// in clear, once. A token outlives password changes, so making one needs
// the password (hex SHA-256), as Rocket.Chat's two-factor check asks.
func (a *App) GeneratePersonalToken(ctx context.Context, u *model.User, name string, bypass2FA bool, password string) (string, error) {
	if !a.HasPermission(u, "create-personal-access-tokens") {
		return "", E("not-authorized", "Not Authorized")
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return "", E("error-token-name-required", "Token name is required")
	}
	cur, err := a.store.Users().Get(ctx, u.ID)
	if err != nil {
		return "", a.storeErr(err)
	}
	if err := a.confirmPassword(ctx, cur, password); err != nil {
		return "", err
	}
	token := auth.NewToken()
	err = a.tx(ctx, func(st store.Store) error {
		list, err := st.Tokens().ListByUser(ctx, u.ID, model.TokenPersonal)
		if err != nil {
			return err
		}
		for _, t := range list {
			if t.Name == name {
				return E("error-token-already-exists", "A token with this name already exists")
			}
		}
		return st.Tokens().Create(ctx, &model.Token{
			HashedToken: auth.HashToken(token), UserID: u.ID, Type: model.TokenPersonal, Name: name,
			CreatedAt: a.now(), LastTokenPart: token[len(token)-6:], BypassTwoFactor: bypass2FA,
		})
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// ListPersonalTokens lists the caller's personal access tokens.
func (a *App) ListPersonalTokens(ctx context.Context, u *model.User) ([]PersonalToken, error) {
	if !a.HasPermission(u, "create-personal-access-tokens") {
		return nil, E("not-authorized", "Not Authorized")
	}
	list, err := a.store.Tokens().ListByUser(ctx, u.ID, model.TokenPersonal)
	if err != nil {
		return nil, a.storeErr(err)
	}
	out := []PersonalToken{}
	for _, t := range list {
		out = append(out, PersonalToken{Name: t.Name, CreatedAt: t.CreatedAt, LastTokenPart: t.LastTokenPart, BypassTwoFactor: t.BypassTwoFactor})
	}
	return out, nil
}

// RemovePersonalToken deletes a personal access token by name.
func (a *App) RemovePersonalToken(ctx context.Context, u *model.User, name string) error {
	if !a.HasPermission(u, "create-personal-access-tokens") {
		return E("not-authorized", "Not Authorized")
	}
	err := a.store.Tokens().DeleteByName(ctx, u.ID, name)
	if isNotFound(err) {
		return E("error-token-does-not-exists", "Token does not exist")
	}
	if err != nil {
		return a.storeErr(err)
	}
	// The hash of a named token is not at hand: listeners check every
	// session of the user again.
	a.emit(a.store, events.LoggedOut, "", u.ID, "")
	return nil
}
