package app

import (
	"context"
	"errors"

	"github.com/parleychat/parley/internal/events"
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

// CreateAdminCommand is how an operator gives a server its first
// administrator, with the server running or not.
const CreateAdminCommand = "parley admin create-user --admin --username NAME --email ADDRESS --password-stdin"

// bootstrap makes sure the default channel and the rocket.cat bot exist
// and, on a database without people, creates the first administrator, who
// joins the default channels as every new user does.
func (a *App) bootstrap(ctx context.Context, env Bootstrap) error {
	return a.tx(ctx, func(st store.Store) error {
		if err := a.ensureGeneral(ctx, st); err != nil {
			return err
		}
		n, err := st.Users().Count(ctx)
		if err != nil {
			return err
		}
		hasBot, err := a.ensureBot(ctx, st)
		if err != nil {
			return err
		}
		if hasBot {
			n-- // the bot is no reason to skip the first administrator
		}
		if n > 0 {
			if env.AdminPassword != "" {
				a.log.Info("users exist already; ADMIN_USERNAME/ADMIN_PASS are ignored")
			}
			return nil
		}
		if env.AdminPassword == "" {
			return nil // warnWithoutAdmin says what to do
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
		u, err := a.insertUser(ctx, st, NewUser{
			Username: username, Name: name, Email: email, Password: env.AdminPassword,
			Roles: []string{"admin"}, Verified: true, allowReserved: true,
		})
		if err != nil {
			return err
		}
		a.log.Info("created the first administrator", "username", u.Username)
		return nil
	})
}

// BotID is the id, and username, of rocket.cat, the bot a fresh server
// has, as in Rocket.Chat: it speaks for the server in notices.
const BotID = "rocket.cat"

// ensureBot creates rocket.cat if it is missing, and reports whether it
// existed before this call (so that it is not counted as a person). It
// has no password and joins no room; like Rocket.Chat's, it is shown
// online.
func (a *App) ensureBot(ctx context.Context, st store.Store) (bool, error) {
	_, err := st.Users().Get(ctx, BotID)
	if err == nil {
		return true, nil
	}
	if !isNotFound(err) {
		return false, err
	}
	if _, err := st.Users().GetByUsername(ctx, BotID); err == nil {
		a.log.Warn("the rocket.cat bot is not created: a user has its username")
		return false, nil
	} else if !isNotFound(err) {
		return false, err
	}
	now := a.now()
	err = st.Users().Create(ctx, &model.User{
		ID: BotID, Username: BotID, Name: "Rocket.Cat", Type: "bot", Roles: []string{"bot"},
		Status: "online", StatusDefault: "online", StatusConnection: "online", Active: true,
		CreatedAt: now, UpdatedAt: now, Settings: &model.UserSettings{Preferences: map[string]any{}},
	})
	if errors.Is(err, store.ErrConflict) {
		// Another node made the bot at the same moment.
		return true, nil
	}
	return false, err
}

// ensureGeneral creates the default channel if it is missing.
func (a *App) ensureGeneral(ctx context.Context, st store.Store) error {
	_, err := st.Rooms().Get(ctx, model.GeneralRoomID)
	if !isNotFound(err) {
		return err
	}
	now := a.now()
	sysMes := true
	err = st.Rooms().Create(ctx, &model.Room{
		ID: model.GeneralRoomID, T: model.RoomChannel, Name: "general", FName: "general",
		Default: true, SysMes: &sysMes, Ts: now, UpdatedAt: now,
	})
	if errors.Is(err, store.ErrConflict) {
		return nil
	}
	return err
}

// warnWithoutAdmin logs, at every start, one line an operator cannot miss
// when no account holds the admin role: such a server accepts public
// registrations, and nobody can change its settings or users through the
// API, so only the command line can repair it.
func (a *App) warnWithoutAdmin(ctx context.Context) error {
	n, err := a.store.Users().CountWithRole(ctx, "admin")
	if err != nil {
		return a.storeErr(err)
	}
	if n > 0 && a.Settings.String(setupWizard) == "pending" {
		// A database that got its administrator before Parley kept this
		// setting up to date.
		if err := a.tx(ctx, func(st store.Store) error { return a.completeSetup(ctx, st) }); err != nil {
			return err
		}
		return a.Settings.Set(setupWizard, "completed")
	}
	if n == 0 {
		a.log.Error("NO ADMINISTRATOR: nobody can administer this server; create one with the command below (with this server's --data or --db), or start an empty database with ADMIN_USERNAME, ADMIN_PASS and ADMIN_EMAIL set",
			"command", CreateAdminCommand)
	}
	return nil
}

// setupWizard is Rocket.Chat's public setting that says whether the server
// has been set up: clients (Parley's web client among them) read
// "pending" as "nobody can log in yet" and say how to create the first
// administrator.
const setupWizard = "Show_Setup_Wizard"

// completeSetup marks the setup done, as Rocket.Chat does when its setup
// wizard creates the administrator. It runs in the transaction that
// creates an administrator; other nodes, and this one's cache, follow the
// change event.
func (a *App) completeSetup(ctx context.Context, st store.Store) error {
	if a.Settings.String(setupWizard) != "pending" {
		return nil
	}
	if err := a.Settings.Save(ctx, st.Settings(), setupWizard, "completed"); err != nil {
		return err
	}
	a.emit(st, events.SettingChanged, "", "", setupWizard)
	return st.BumpConfigVersion(ctx)
}
