package app

import (
	"context"
	"errors"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// Bootstrap carries the first-run inputs, under Rocket.Chat's names.
type Bootstrap struct {
	AdminUsername string // ADMIN_USERNAME
	AdminPassword string // ADMIN_PASS
	AdminEmail    string // ADMIN_EMAIL
	AdminName     string // ADMIN_NAME
}

// bootstrap makes sure the default channel exists and, on an empty
// database, creates the first administrator.
func (a *App) bootstrap(ctx context.Context, env Bootstrap) error {
	return a.tx(ctx, func(st store.Store) error {
		if _, err := st.Rooms().Get(ctx, model.GeneralRoomID); errors.Is(err, store.ErrNotFound) {
			now := a.now()
			sysMes := true
			err := st.Rooms().Create(ctx, &model.Room{
				ID: model.GeneralRoomID, T: model.RoomChannel, Name: "general", FName: "general",
				Default: true, SysMes: &sysMes, Ts: now, UpdatedAt: now,
			})
			if err != nil && !errors.Is(err, store.ErrConflict) {
				return err
			}
		} else if err != nil {
			return err
		}
		n, err := st.Users().Count(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			if env.AdminPassword != "" {
				a.log.Info("users exist already; ADMIN_USERNAME/ADMIN_PASS are ignored")
			}
			return nil
		}
		if env.AdminPassword == "" {
			a.log.Warn("no users yet: restart with ADMIN_USERNAME, ADMIN_PASS and ADMIN_EMAIL set to create the first administrator")
			return nil
		}
		username := env.AdminUsername
		if !a.ValidUsername(username) || isMentionKeyword(username) {
			username = "admin"
		}
		name := env.AdminName
		if name == "" {
			name = "Administrator"
		}
		email := env.AdminEmail
		if email != "" && !validEmail(email) {
			a.log.Warn("ADMIN_EMAIL is not a valid address; the administrator is created without one", "email", email)
			email = ""
		}
		no := false
		u, err := a.insertUser(ctx, st, NewUser{
			Username: username, Name: name, Email: email, Password: env.AdminPassword,
			Roles: []string{"admin"}, JoinDefaultChannels: &no, Verified: true, allowReserved: true,
		})
		if err != nil {
			return err
		}
		a.log.Info("created the first administrator", "username", u.Username)
		return nil
	})
}
