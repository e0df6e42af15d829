package app

import (
	"context"
	"strings"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// AddUsersToRoom is Rocket.Chat's addUsersToRoom: actor adds the users
// named by usernames to the channel or private group rid. A member may add
// with add-user-to-joined-room (room roles count); anyone with
// add-user-to-any-c-room or add-user-to-any-p-room may add to a room of that
// type. Each new member gets an "au" system message written by actor;
// users already in the room are left as they are. A nil usernames means
// the list was not a list of names: it is refused once the caller's right
// to add has been checked, as Rocket.Chat orders it.
func (a *App) AddUsersToRoom(ctx context.Context, actor *model.User, rid string, usernames []string) error {
	details := map[string]any{"method": "addUsersToRoom"}
	r, err := a.store.Rooms().Get(ctx, rid)
	if isNotFound(err) {
		return E("error-invalid-room", "Invalid room").With(details)
	}
	if err != nil {
		return a.storeErr(err)
	}
	if r.T == model.RoomDirect {
		return E("error-cant-invite-for-direct-room", "Can't invite user to direct rooms").With(details)
	}
	sub, err := a.store.Subscriptions().Get(ctx, r.ID, actor.ID)
	if err != nil && !isNotFound(err) {
		return a.storeErr(err)
	}
	joined := err == nil
	allowed := (joined && a.hasSubPermission(actor, sub, "add-user-to-joined-room")) ||
		(r.T == model.RoomChannel && a.HasPermission(actor, "add-user-to-any-c-room")) ||
		(r.T == model.RoomGroup && a.HasPermission(actor, "add-user-to-any-p-room"))
	if !allowed {
		return ErrNotAllowed.With(details)
	}
	if usernames == nil {
		return E("error-invalid-arguments", "Invalid arguments").With(details)
	}
	// Every name is resolved before anything is written, so that one
	// unknown name adds nobody.
	var add []*model.User
	seen := map[string]bool{}
	for _, name := range usernames {
		u, err := a.store.Users().GetByUsername(ctx, strings.TrimPrefix(strings.TrimSpace(name), "@"))
		if isNotFound(err) {
			return E("error-user-not-found", "User not found").With(details)
		}
		if err != nil {
			return a.storeErr(err)
		}
		if !seen[u.ID] {
			seen[u.ID] = true
			add = append(add, u)
		}
	}
	if len(add) == 0 {
		return nil
	}
	if r.Archived {
		return E("error-room-archived", "The "+roomWord(r.T)+", "+r.Name+", is archived")
	}
	return a.tx(ctx, func(st store.Store) error {
		for _, u := range add {
			if err := a.addInvited(ctx, st, r, u, actor); err != nil {
				return err
			}
		}
		return nil
	})
}

// addInvited makes u a member of r on actor's behalf, with the "au"
// message that announces it; a member already is left alone.
func (a *App) addInvited(ctx context.Context, st store.Store, r *model.Room, u, actor *model.User) error {
	if _, err := st.Subscriptions().Get(ctx, r.ID, u.ID); err == nil {
		return nil
	} else if !isNotFound(err) {
		return err
	}
	if _, err := a.addMember(ctx, st, r, u, actor, false); err != nil {
		return err
	}
	_, err := a.systemMessage(ctx, st, r, actor, "au", u.Username, nil)
	return err
}
