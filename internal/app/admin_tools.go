package app

import (
	"context"
	"slices"
	"strings"

	"github.com/parleychat/parley/internal/auth"
	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// The Operator* methods are what `parley admin` does for the person at the
// server's console. That person owns the database, so no permission is
// checked; the rules on the data itself (valid names, free usernames,
// known roles) apply as they do through the API.
//
// They may run in a process of their own beside a running server. They
// change only users and tokens, which a server re-reads within
// shortMemoTTL, and memberships of the default channels, which a server
// reads from the database when it does not know them.

// FindUser finds an account by username, e-mail address or id.
func (a *App) FindUser(ctx context.Context, ref string) (*model.User, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, Plain("no user given")
	}
	users := a.store.Users()
	u, err := users.GetByUsername(ctx, ref)
	if isNotFound(err) && strings.Contains(ref, "@") {
		u, err = users.GetByEmail(ctx, ref)
	}
	if isNotFound(err) {
		u, err = users.Get(ctx, ref)
	}
	if isNotFound(err) {
		return nil, Plain("no user " + ref)
	}
	return u, a.storeErr(err)
}

// OperatorCreateUser creates an active, verified account that joins the
// default channels, as users.create does for an administrator.
func (a *App) OperatorCreateUser(ctx context.Context, in NewUser) (*model.User, error) {
	if in.Password == "" {
		return nil, Plain("a password is required")
	}
	if len(in.Roles) == 0 {
		in.Roles = []string{"user"}
	}
	roles, err := globalRoles(in.Roles)
	if err != nil {
		return nil, err
	}
	in.Roles = roles
	in.Verified = true
	return a.addUser(ctx, in)
}

// OperatorSetPassword sets a user's password and ends all their login
// sessions, since a password reset by the operator usually follows a
// forgotten or stolen one. Personal access tokens stay. It returns how
// many sessions ended.
func (a *App) OperatorSetPassword(ctx context.Context, userID, password string) (int, error) {
	if password == "" {
		return 0, Plain("a password is required")
	}
	hash, err := a.hasher.Hash(password)
	if err != nil {
		return 0, err
	}
	n := 0
	err = a.changeUser(ctx, userID, func(st store.Store, u *model.User) error {
		u.PasswordHash = hash
		u.RequirePasswordChange = false
		var err error
		n, err = deleteTokens(ctx, st, u.ID, model.TokenLogin)
		return err
	})
	return n, err
}

// OperatorSetRoles replaces a user's global roles.
func (a *App) OperatorSetRoles(ctx context.Context, userID string, roles []string) (*model.User, error) {
	roles, err := globalRoles(roles)
	if err != nil {
		return nil, err
	}
	var out *model.User
	err = a.changeUser(ctx, userID, func(_ store.Store, u *model.User) error {
		u.Roles = roles
		out = u
		return nil
	})
	return out, err
}

// OperatorSetActive activates or deactivates an account. Deactivation ends
// every session and removes personal access tokens too, as users.update
// does; a deactivated user cannot log in.
func (a *App) OperatorSetActive(ctx context.Context, userID string, active bool) error {
	return a.changeUser(ctx, userID, func(st store.Store, u *model.User) error {
		u.Active = active
		if !active {
			a.emit(st, events.LoggedOut, "", u.ID, "")
			return st.Tokens().DeleteByUser(ctx, u.ID)
		}
		return nil
	})
}

// OperatorLogout ends all of a user's login sessions, and removes their
// personal access tokens as well when personal is set. It returns how many
// tokens it removed.
func (a *App) OperatorLogout(ctx context.Context, userID string, personal bool) (int, error) {
	n := 0
	err := a.tx(ctx, func(st store.Store) error {
		if _, err := st.Users().Get(ctx, userID); err != nil {
			return err
		}
		a.emit(st, events.LoggedOut, "", userID, "")
		var err error
		if n, err = deleteTokens(ctx, st, userID, model.TokenLogin); err != nil || !personal {
			return err
		}
		m, err := deleteTokens(ctx, st, userID, model.TokenPersonal)
		n += m
		return err
	})
	return n, a.notFoundUser(err)
}

// AdminCount is how many active accounts hold the admin role. It reads
// every account, which suits a command-line tool and not a request.
func (a *App) AdminCount(ctx context.Context) (int, error) {
	list, _, err := a.store.Users().List(ctx, "", store.ListOptions{})
	if err != nil {
		return 0, a.storeErr(err)
	}
	n := 0
	for _, u := range list {
		if u.Active && slices.Contains(u.Roles, "admin") {
			n++
		}
	}
	return n, nil
}

// changeUser loads userID in a transaction, lets fn change it and saves
// it; the login memo forgets the user.
func (a *App) changeUser(ctx context.Context, userID string, fn func(st store.Store, u *model.User) error) error {
	defer a.authUsers.clear()
	err := a.tx(ctx, func(st store.Store) error {
		u, err := st.Users().Get(ctx, userID)
		if err != nil {
			return err
		}
		if err := fn(st, u); err != nil {
			return err
		}
		u.UpdatedAt = a.now()
		a.emit(st, events.UserChanged, "", userID, userID)
		return st.Users().Update(ctx, u)
	})
	return a.notFoundUser(err)
}

func (a *App) notFoundUser(err error) error {
	if isNotFound(err) {
		return E("error-invalid-user", "Invalid user")
	}
	return err
}

// deleteTokens removes a user's tokens of one kind and counts them.
func deleteTokens(ctx context.Context, st store.Store, userID, kind string) (int, error) {
	list, err := st.Tokens().ListByUser(ctx, userID, kind)
	if err != nil {
		return 0, err
	}
	for _, t := range list {
		if err := st.Tokens().Delete(ctx, userID, t.HashedToken); err != nil && !isNotFound(err) {
			return 0, err
		}
	}
	return len(list), nil
}

// globalRoles checks that every role exists and is held by users rather
// than per room, and drops repeats.
func globalRoles(roles []string) ([]string, error) {
	var global []string
	for _, known := range auth.Roles {
		if known.Scope == "Users" {
			global = append(global, known.ID)
		}
	}
	var out []string
	for _, r := range roles {
		r = strings.TrimSpace(r)
		if !slices.Contains(global, r) {
			return nil, Plain("unknown role " + r + "; a user's roles are " + strings.Join(global, ", "))
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, Plain("no role given")
	}
	return out, nil
}
