package app

import (
	"context"
	"strings"

	"github.com/parleychat/parley/internal/auth"
	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// LogoutUser is users.logout: every token of the user goes, personal
// access tokens included, as Rocket.Chat's unsetLoginTokens does. Others
// need logout-other-user.
func (a *App) LogoutUser(ctx context.Context, actor *model.User, userID string) (string, error) {
	if userID == "" {
		userID = actor.ID
	}
	if userID != actor.ID && !a.HasPermission(actor, "logout-other-user") {
		return "", ErrForbidden
	}
	err := a.tx(ctx, func(st store.Store) error {
		if _, err := st.Users().Get(ctx, userID); err != nil {
			return err
		}
		a.emit(st, events.LoggedOut, "", userID, "")
		return st.Tokens().DeleteByUser(ctx, userID)
	})
	if isNotFound(err) {
		return "", E("error-invalid-user-id", "Invalid user id")
	}
	if err != nil {
		return "", err
	}
	a.authUsers.clear()
	return userID, nil
}

// LogoutOtherClients ends every login of the caller but the one of this
// request (token); personal access tokens stay. It returns when that
// login expires.
func (a *App) LogoutOtherClients(ctx context.Context, actor *model.User, token string) (model.Time, error) {
	if strings.TrimSpace(token) == "" {
		return 0, E("error-parameter-required", "x-auth-token is required")
	}
	hashed := auth.HashToken(token)
	var created model.Time
	err := a.tx(ctx, func(st store.Store) error {
		t, err := st.Tokens().Get(ctx, actor.ID, hashed)
		if err != nil {
			return err
		}
		created = t.CreatedAt
		a.emit(st, events.LoggedOut, "", actor.ID, "")
		return st.Tokens().DeleteLoginExcept(ctx, actor.ID, hashed)
	})
	if isNotFound(err) {
		return 0, E("error-invalid-user-id", "Invalid user id")
	}
	if err != nil {
		return 0, err
	}
	a.authUsers.clear()
	return created + model.Time(LoginExpiration.Milliseconds()), nil
}

// RemoveOtherTokens is users.removeOtherTokens: LogoutOtherClients
// without an answer.
func (a *App) RemoveOtherTokens(ctx context.Context, actor *model.User, token string) error {
	_, err := a.LogoutOtherClients(ctx, actor, token)
	return err
}

// RegeneratePersonalToken replaces the named personal access token with a
// new one (keeping its two-factor bypass) and returns it in clear, once.
// Like making one, it needs the password.
func (a *App) RegeneratePersonalToken(ctx context.Context, u *model.User, name, password string) (string, error) {
	if !a.HasPermission(u, "create-personal-access-tokens") {
		return "", E("not-authorized", "Not Authorized")
	}
	name = strings.TrimSpace(name)
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
		var old *model.Token
		for _, t := range list {
			if t.Name == name {
				old = t
			}
		}
		if old == nil {
			return E("not-authorized", "Not Authorized").With(map[string]any{"method": "personalAccessTokens:regenerateToken"})
		}
		if err := st.Tokens().Delete(ctx, u.ID, old.HashedToken); err != nil {
			return err
		}
		a.emit(st, events.LoggedOut, "", u.ID, old.HashedToken)
		return st.Tokens().Create(ctx, &model.Token{
			HashedToken: auth.HashToken(token), UserID: u.ID, Type: model.TokenPersonal, Name: name,
			CreatedAt: a.now(), LastTokenPart: token[len(token)-6:], BypassTwoFactor: old.BypassTwoFactor,
		})
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// CreateToken is users.createToken: a new login token for a user, which
// Rocket.Chat hands out only when the server was started with
// CREATE_TOKENS_FOR_USERS=true, and for another user only to holders of
// user-generate-access-token.
func (a *App) CreateToken(ctx context.Context, actor *model.User, ref UserRef) (userID, token string, err error) {
	u, err := a.userFromParams(ctx, ref)
	if err != nil {
		return "", "", err
	}
	if !a.createTokens || (u.ID != actor.ID && !a.HasPermission(actor, "user-generate-access-token")) {
		return "", "", E("error-not-authorized", "Not authorized").With(map[string]any{"method": "createToken"})
	}
	token = auth.NewToken()
	err = a.store.Tokens().Create(ctx, &model.Token{HashedToken: auth.HashToken(token), UserID: u.ID, Type: model.TokenLogin, CreatedAt: a.now()})
	if err != nil {
		return "", "", a.storeErr(err)
	}
	return u.ID, token, nil
}
