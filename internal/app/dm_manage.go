package app

import (
	"context"

	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

var errRoomParam = E("error-room-param-not-provided", `Body param "roomId" is required`)

// OpenDirect is dm.open: the caller's subscription shows the conversation
// again.
func (a *App) OpenDirect(ctx context.Context, actor *model.User, roomID string) error {
	if roomID == "" {
		return errRoomParam
	}
	r, err := a.directByID(ctx, actor, roomID)
	if err != nil {
		return err
	}
	return a.setDirectOpen(ctx, actor, r.ID, true)
}

// CloseDirect is dm.close: the conversation leaves the caller's list. A
// subscription whose room is gone may still be closed.
func (a *App) CloseDirect(ctx context.Context, actor *model.User, roomID string) error {
	return a.CloseDirectFor(ctx, actor, roomID, "")
}

// CloseDirectFor is dm.close with its optional userId: the conversation
// leaves that member's list. Acting for someone else takes
// view-room-administration, the permission dm.counters asks for the same
// parameter; an unknown user is refused alike, so that the answer does not
// tell which ids exist.
func (a *App) CloseDirectFor(ctx context.Context, actor *model.User, roomID, userID string) error {
	if roomID == "" {
		return errRoomParam
	}
	target := actor
	if userID != "" && userID != actor.ID {
		if !a.HasPermission(actor, "view-room-administration") {
			return ErrForbidden
		}
		u, err := a.store.Users().Get(ctx, userID)
		if isNotFound(err) {
			return ErrForbidden
		}
		if err != nil {
			return a.storeErr(err)
		}
		target = u
	}
	r, err := a.store.Rooms().Get(ctx, roomID)
	switch {
	case isNotFound(err):
	case err != nil:
		return a.storeErr(err)
	default:
		if err := a.requireSee(ctx, r, target, ErrForbidden); err != nil {
			return err
		}
		if r.T != model.RoomDirect {
			return errInvalidChannel
		}
	}
	return a.setDirectOpen(ctx, target, roomID, false)
}

func (a *App) setDirectOpen(ctx context.Context, actor *model.User, rid string, open bool) error {
	return a.tx(ctx, func(st store.Store) error {
		sub, err := st.Subscriptions().GetForUpdate(ctx, rid, actor.ID)
		if isNotFound(err) {
			return Plain("The user is not subscribed to the room")
		}
		if err != nil {
			return err
		}
		if sub.Open == open {
			if !open {
				return Plain("The direct message room, is already closed to the sender")
			}
			return nil
		}
		sub.Open, sub.UpdatedAt = open, a.now()
		if !open {
			sub.Alert = false
		}
		a.emit(st, events.SubscriptionChanged, rid, actor.ID, sub.ID)
		return st.Subscriptions().Update(ctx, sub)
	})
}

// DeleteDirect is dm.delete: the conversation, its messages, files and
// subscriptions go. It takes delete-d, and someone outside the
// conversation also needs view-room-administration.
func (a *App) DeleteDirect(ctx context.Context, actor *model.User, ref DirectRef) error {
	r, err := a.findDirect(ctx, actor, ref)
	if err != nil {
		return err
	}
	ok, err := a.CanAccessRoom(ctx, r, actor)
	if err != nil {
		return err
	}
	if !ok && !a.HasPermission(actor, "view-room-administration") {
		return ErrNotAllowed
	}
	if !a.HasPermission(actor, "delete-d") {
		return ErrNotAllowed.With(map[string]any{"method": "eraseRoom"})
	}
	return a.tx(ctx, func(st store.Store) error { return a.eraseRoom(ctx, st, actor.ID, r.ID) })
}

// SetDirectTopic is dm.setTopic. DM members hold no room roles, so only a
// global edit-room holder may change it; a change leaves a
// room_changed_topic message.
func (a *App) SetDirectTopic(ctx context.Context, actor *model.User, roomID string, topic string) error {
	if roomID == "" {
		return errRoomParam
	}
	if err := checkRoomBounds("saveRoomSettings", nil, &topic, nil, nil); err != nil {
		return err
	}
	r, err := a.directByID(ctx, actor, roomID)
	if err != nil {
		return err
	}
	if !a.HasRoomPermission(ctx, actor, "edit-room", r.ID) {
		return E("error-action-not-allowed", "Editing room is not allowed").With(map[string]any{"method": "saveRoomSettings", "action": "Editing_room"})
	}
	if topic == r.Topic {
		return nil
	}
	return a.tx(ctx, func(st store.Store) error {
		cur, err := st.Rooms().Get(ctx, r.ID)
		if err != nil {
			return err
		}
		cur.Topic, cur.UpdatedAt = topic, a.now()
		if err := st.Rooms().Update(ctx, cur); err != nil {
			return err
		}
		a.emit(st, events.RoomChanged, r.ID, actor.ID, r.ID)
		_, err = a.systemMessage(ctx, st, cur, actor, "room_changed_topic", topic, nil)
		return err
	})
}
