package app

import (
	"context"
	"errors"

	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/store"
)

// Connection states a realtime connection reports for its user.
const (
	PresenceOnline  = "online"
	PresenceAway    = "away"
	PresenceOffline = "offline"
)

// SetPresence records the state of user userID's connections (online,
// away or offline) and derives the status others see, as Rocket.Chat
// does: offline when no connection is open, otherwise the user's chosen
// default status unless that is plain "online", in which case the
// connection's own state. Nothing is written when nothing changes.
func (a *App) SetPresence(ctx context.Context, userID, conn string) error {
	switch conn {
	case PresenceOnline, PresenceAway, PresenceOffline:
	default:
		return E("error-invalid-status", "Valid status types include online, away, offline, and busy.")
	}
	defer a.authUsers.clear() // the user may change below
	return a.tx(ctx, func(st store.Store) error {
		u, err := st.Users().Get(ctx, userID)
		if errors.Is(err, store.ErrNotFound) {
			return E("error-invalid-user", "Invalid user")
		}
		if err != nil {
			return err
		}
		status := presenceStatus(u.StatusDefault, conn)
		if u.StatusConnection == conn && u.Status == status {
			return nil
		}
		u.StatusConnection = conn
		u.Status = status
		u.UpdatedAt = a.now()
		if err := st.Users().Update(ctx, u); err != nil {
			return err
		}
		a.emit(st, events.UserChanged, "", u.ID, u.ID)
		return nil
	})
}

// presenceStatus is the status shown for a chosen default and a
// connection state.
func presenceStatus(def, conn string) string {
	if conn == PresenceOffline {
		return PresenceOffline
	}
	if def != "" && def != PresenceOnline {
		return def
	}
	return conn
}
