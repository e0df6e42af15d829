package app

import (
	"context"

	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// JoinWithCode is channels.join (Rocket.Chat's Room.join): a public
// channel the actor may see, with its join code when it has one, unless
// the actor holds join-without-join-code. The join is announced with a
// "uj" message.
func (a *App) JoinWithCode(ctx context.Context, actor *model.User, ref RoomRef, code string) (*model.Room, error) {
	r, err := a.findRoom(ctx, actor, ref, model.RoomChannel)
	if err != nil {
		return nil, err
	}
	if err := a.requireSee(ctx, r, actor, E("error-not-allowed", "Not allowed").With(map[string]any{"method": "joinRoom"})); err != nil {
		return nil, err
	}
	if r.Archived {
		return nil, E("error-room-archived", "The channel, "+r.Name+", is archived")
	}
	if r.JoinCodeRequired && !a.HasPermission(actor, "join-without-join-code") {
		switch {
		case code == "":
			return nil, E("error-code-required", "Code required").With(map[string]any{"method": "joinRoom"})
		case code != r.JoinCode:
			return nil, E("error-code-invalid", "Invalid code").With(map[string]any{"method": "joinRoom"})
		}
	}
	if err := a.tx(ctx, func(st store.Store) error { return a.autoJoin(ctx, st, r, actor) }); err != nil {
		return nil, err
	}
	return a.reloadRoom(ctx, r.ID)
}

// AddAllToRoom is channels.addAll / groups.addAll (addAllUserToRoom):
// every user, or every active one, becomes a member, each with a "uj"
// message. It takes add-all-to-room, and refuses a workspace with more
// users than API_User_Limit allows at once.
func (a *App) AddAllToRoom(ctx context.Context, actor *model.User, ref RoomRef, t string, activeOnly bool) (*model.Room, error) {
	r, err := a.FindRoomToChange(ctx, actor, ref, t)
	if err != nil {
		return nil, err
	}
	details := map[string]any{"method": "addAllToRoom"}
	if !a.HasPermission(actor, "add-all-to-room") {
		return nil, E("error-not-allowed", "Not allowed").With(details)
	}
	all, _, err := a.store.Users().List(ctx, "", store.ListOptions{})
	if err != nil {
		return nil, a.storeErr(err)
	}
	users := all[:0]
	for _, u := range all {
		if u.Username != "" && (u.Active || !activeOnly) {
			users = append(users, u)
		}
	}
	if err := a.CheckUserLimit(len(users), "addAllToRoom"); err != nil {
		return nil, err
	}
	err = a.tx(ctx, func(st store.Store) error {
		for _, u := range users {
			if ok, err := st.Subscriptions().Exists(ctx, r.ID, u.ID); err != nil || ok {
				if err != nil {
					return err
				}
				continue
			}
			if _, err := a.addMember(ctx, st, r, u, nil, false); err != nil {
				return err
			}
			if _, err := a.systemMessage(ctx, st, r, u, "uj", u.Username, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a.reloadRoom(ctx, r.ID)
}

// SetRoomOpen is channels.open / groups.open (open) and channels.close /
// groups.close: whether the room shows in the caller's list. Closing
// also clears the alert, as Rocket.Chat's hideRoom does.
func (a *App) SetRoomOpen(ctx context.Context, actor *model.User, ref RoomRef, t string, open bool) error {
	r, err := a.findRoomOfFamily(ctx, actor, ref, t)
	if err != nil {
		return err
	}
	name := r.Name
	if r.Prid != "" {
		name = r.FName
	}
	return a.tx(ctx, func(st store.Store) error {
		sub, err := st.Subscriptions().GetForUpdate(ctx, r.ID, actor.ID)
		switch {
		case isNotFound(err) && t == model.RoomChannel && open:
			return Plain(`The user/callee is not in the channel "` + name + `".`)
		case isNotFound(err) && t == model.RoomChannel:
			// Rocket.Chat's wording, unbalanced quote included.
			return Plain(`The user/callee is not in the channel "` + name + `.`)
		case isNotFound(err) && open:
			return Plain("The user is not subscribed to the room")
		case err != nil && !isNotFound(err):
			return err
		}
		if sub == nil || sub.Open == open {
			if open && t == model.RoomGroup {
				return Plain("The private group, " + name + ", is already open for the sender")
			}
			state := "closed"
			if open {
				state = "open"
			}
			return Plain("The " + roomLabel(t) + ", " + name + ", is already " + state + " to the sender")
		}
		sub.Open, sub.UpdatedAt = open, max(sub.UpdatedAt, a.now())
		if !open {
			sub.Alert = false
		}
		if err := st.Subscriptions().Update(ctx, sub); err != nil {
			return err
		}
		a.emit(st, events.SubscriptionChanged, r.ID, actor.ID, sub.ID)
		return nil
	})
}
