package app

import (
	"context"
	"errors"
	"time"

	"github.com/parleychat/parley/internal/auth"
	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// LoginExpiration is how long a login token is announced to stay valid
// (Rocket.Chat's Accounts_LoginExpiration default, 90 days). Clients only
// use it to decide when to log in again.
const LoginExpiration = 90 * 24 * time.Hour

// TokenSession is a login resolved from a token alone, as the websocket's
// resume login has no user id beside the token.
type TokenSession struct {
	User *model.User
	// Hashed is the stored form of the token, which LoggedOut events name.
	Hashed string
	// Kind is model.TokenLogin or model.TokenPersonal.
	Kind    string
	Created model.Time
	// Token is the token in clear, for a login that just issued it.
	Token string
}

// ResumeToken resolves a login token or a personal access token. An
// unknown token, or one of an inactive user, is ErrUnauthorized.
func (a *App) ResumeToken(ctx context.Context, token string) (*TokenSession, error) {
	if token == "" {
		return nil, ErrUnauthorized
	}
	hashed := auth.HashToken(token)
	uid, err := a.store.Tokens().Owner(ctx, hashed)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnauthorized
	}
	if err != nil {
		return nil, a.storeErr(err)
	}
	t, err := a.store.Tokens().Get(ctx, uid, hashed)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnauthorized
	}
	if err != nil {
		return nil, a.storeErr(err)
	}
	u, err := a.activeUser(ctx, uid)
	if err != nil {
		return nil, err
	}
	return &TokenSession{User: u, Hashed: hashed, Kind: t.Type, Created: t.CreatedAt}, nil
}

// SessionValid reports whether user userID's token (by its hash) still
// exists and the user is still active: a long-lived connection asks it
// when it hears that some of the user's tokens went.
func (a *App) SessionValid(ctx context.Context, userID, hashed string) (bool, error) {
	sess, err := a.store.Tokens().Session(ctx, userID, hashed)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, a.storeErr(err)
	}
	return sess.Active, nil
}

// LogoutToken removes a login token by its hash, as a websocket logout
// does. Personal access tokens are left alone: they are managed by name,
// and a bot logging out of one connection must not lose its credential.
func (a *App) LogoutToken(ctx context.Context, userID, hashed string) error {
	t, err := a.store.Tokens().Get(ctx, userID, hashed)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return a.storeErr(err)
	}
	if t.Type != "" && t.Type != model.TokenLogin {
		return nil
	}
	err = a.store.Tokens().Delete(ctx, userID, hashed)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return a.storeErr(err)
	}
	a.emit(a.store, events.LoggedOut, "", userID, hashed)
	return nil
}
