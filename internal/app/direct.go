package app

import (
	"context"
	"errors"
	"sort"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// directRoomID is a 1:1 conversation's id: the two user ids sorted and
// joined; a conversation with oneself has the user's own id.
func directRoomID(a, b string) string {
	if a == b {
		return a
	}
	return model.DirectRoomID(a, b)
}

// openDirect returns the direct conversation of actor and other, creating
// it (with both subscriptions) when it does not exist yet.
func (a *App) openDirect(ctx context.Context, actor, other *model.User) (*model.Room, error) {
	id := directRoomID(actor.ID, other.ID)
	r, err := a.store.Rooms().Get(ctx, id)
	if err == nil {
		if r.T != model.RoomDirect {
			return nil, errInvalidChannel
		}
		return r, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, a.storeErr(err)
	}
	if !a.HasPermission(actor, "create-d") {
		return nil, E("error-not-allowed", "Not allowed").With(map[string]any{"method": "createDirectMessage"})
	}
	if actor.ID == other.ID && !a.Settings.Bool("Message_AllowDirectMessagesToYourself") {
		return nil, E("error-not-allowed", "Not allowed").With(map[string]any{"method": "createDirectMessage"})
	}
	members := []*model.User{actor}
	if other.ID != actor.ID {
		members = append(members, other)
	}
	sort.Slice(members, func(i, j int) bool { return members[i].ID < members[j].ID })
	now := a.now()
	r = &model.Room{ID: id, T: model.RoomDirect, Ts: now, UpdatedAt: now}
	for _, m := range members {
		r.UIDs = append(r.UIDs, m.ID)
		r.Usernames = append(r.Usernames, m.Username)
	}
	sort.Strings(r.Usernames)
	err = a.tx(ctx, func(st store.Store) error {
		if err := st.Rooms().Create(ctx, r); err != nil {
			return err
		}
		for _, m := range members {
			peer := other
			if m.ID == other.ID {
				peer = actor
			}
			s := &model.Subscription{
				ID: model.NewID(), RID: id, T: model.RoomDirect, Ts: now, UpdatedAt: now, Open: true,
				U:    model.UserRef{ID: m.ID, Username: m.Username, Name: m.Name},
				Name: peer.Username, FName: peer.Name,
			}
			if err := st.Subscriptions().Create(ctx, s); err != nil {
				return err
			}
			if err := st.Rooms().AddUsersCount(ctx, id, 1); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, store.ErrConflict) {
		// Opened concurrently by the other side: use theirs.
		r, err = a.store.Rooms().Get(ctx, id)
		return r, a.storeErr(err)
	}
	if err != nil {
		return nil, err
	}
	a.publish("room.changed", id, actor.ID, id)
	return a.reloadRoom(ctx, id)
}
