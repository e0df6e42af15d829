package app

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// changeSubscription applies change to the actor's subscription to rid in
// one transaction and announces it. missing is the refusal when there is
// no subscription; change reports whether it changed anything, and an
// unchanged subscription is neither written nor announced.
func (a *App) changeSubscription(ctx context.Context, rid, uid string, missing error, change func(s *model.Subscription) (bool, error)) (bool, error) {
	changed := false
	err := a.tx(ctx, func(st store.Store) error {
		sub, err := st.Subscriptions().GetForUpdate(ctx, rid, uid)
		if isNotFound(err) {
			return missing
		}
		if err != nil {
			return err
		}
		if changed, err = change(sub); err != nil || !changed {
			return err
		}
		sub.UpdatedAt = a.now()
		a.emit(st, events.SubscriptionChanged, rid, uid, sub.ID)
		return st.Subscriptions().Update(ctx, sub)
	})
	return changed, err
}

// roomByRef loads any room by id or name, refusing an archived one, as
// Rocket.Chat's rooms.* lookups do.
func (a *App) roomByRef(ctx context.Context, ref RoomRef) (*model.Room, error) {
	if ref.ID == "" && ref.Name == "" {
		return nil, E("error-roomid-param-not-provided", `The parameter "roomId" or "roomName" is required`)
	}
	r, err := a.roomByIDOrName(ctx, ref)
	if isNotFound(err) {
		return nil, E("error-room-not-found", `The required "roomId" or "roomName" param provided does not match any channel`)
	}
	if err != nil {
		return nil, a.storeErr(err)
	}
	if r.Archived {
		return nil, E("error-room-archived", "The channel, "+r.Name+", is archived")
	}
	return r, nil
}

// SetFavorite is rooms.favorite: it marks or unmarks the room as one of
// the actor's favourites.
func (a *App) SetFavorite(ctx context.Context, actor *model.User, ref RoomRef, favorite bool) error {
	r, err := a.roomByRef(ctx, ref)
	if err != nil {
		return err
	}
	missing := E("error-invalid-subscription", "You must be part of a room to favorite it").With(map[string]any{"method": "toggleFavorite"})
	_, err = a.changeSubscription(ctx, r.ID, actor.ID, missing, func(s *model.Subscription) (bool, error) {
		if s.F == favorite {
			return false, nil
		}
		s.F = favorite
		return true, nil
	})
	return err
}

// HideRoom is rooms.hide: the room leaves the actor's room list until a
// new message or the actor opens it again. Hiding a hidden room (or one
// the actor has no subscription to) is refused.
func (a *App) HideRoom(ctx context.Context, actor *model.User, rid string) error {
	r, err := a.store.Rooms().Get(ctx, rid)
	if err != nil && !isNotFound(err) {
		return a.storeErr(err)
	}
	if isNotFound(err) {
		return ErrForbidden
	}
	if err := a.requireSee(ctx, r, actor, ErrForbidden); err != nil {
		return err
	}
	hidden := Plain("error-room-already-hidden")
	changed, err := a.changeSubscription(ctx, r.ID, actor.ID, hidden, func(s *model.Subscription) (bool, error) {
		if !s.Open && !s.Alert {
			return false, nil
		}
		s.Open, s.Alert = false, false
		return true, nil
	})
	if err != nil {
		return err
	}
	if !changed {
		return hidden
	}
	return nil
}

// SaveDraft is rooms.saveDraft: the actor's unsent text for the room (or
// for thread tmid in it) is kept on their subscription; an empty draft
// clears it.
func (a *App) SaveDraft(ctx context.Context, actor *model.User, rid, draft, tmid string) error {
	if max := a.Settings.Int("Message_MaxAllowedSize"); utf8.RuneCountInString(draft) > max {
		return Plain("error-message-size-exceeded")
	}
	missing := E("error-invalid-subscription", "Invalid subscription")
	_, err := a.changeSubscription(ctx, rid, actor.ID, missing, func(s *model.Subscription) (bool, error) {
		if tmid == "" {
			if s.Draft == draft {
				return false, nil
			}
			s.Draft = draft
			return true, nil
		}
		if s.ThreadDrafts[tmid] == draft {
			return false, nil
		}
		if draft == "" {
			delete(s.ThreadDrafts, tmid)
			if len(s.ThreadDrafts) == 0 {
				s.ThreadDrafts = nil
			}
			return true, nil
		}
		if s.ThreadDrafts == nil {
			s.ThreadDrafts = map[string]string{}
		}
		s.ThreadDrafts[tmid] = draft
		return true, nil
	})
	return err
}

// errUnreadNotAllowed is the refusal of subscriptions.unread for a message
// the actor may not mark.
var errUnreadNotAllowed = E("error-action-not-allowed", "Not allowed").With(map[string]any{"method": "unreadMessages", "action": "Unread_messages"})

// MarkUnread is subscriptions.unread. With a room id the room's newest
// visible message becomes the first unread one; with a message id, that
// message (which someone else wrote) does. The subscription is opened and
// alerted, and its last-seen time moves back to the message.
func (a *App) MarkUnread(ctx context.Context, actor *model.User, roomID, messageID string) error {
	var from *model.Message
	if roomID != "" {
		list, err := a.store.Messages().List(ctx, store.MessageFilter{RID: roomID, ExcludeHidden: true},
			store.ListOptions{Count: 1, Sort: []store.SortField{{Field: "ts", Desc: true}}})
		if err != nil {
			return a.storeErr(err)
		}
		if len(list) == 0 {
			return E("error-no-message-for-unread", "There are no messages to mark unread").With(map[string]any{"method": "unreadMessages", "action": "Unread_messages"})
		}
		from = list[0]
	} else {
		if strings.TrimSpace(messageID) == "" {
			return errUnreadNotAllowed
		}
		m, err := a.store.Messages().Get(ctx, messageID)
		if isNotFound(err) {
			return errUnreadNotAllowed
		}
		if err != nil {
			return a.storeErr(err)
		}
		if m.U.ID == actor.ID {
			return errUnreadNotAllowed
		}
		from = m
	}
	var missing error = E("error-subscription-not-found", "Subscription not found").With(map[string]any{"method": "unreadMessages", "action": "Unread_messages"})
	if roomID != "" {
		// Rocket.Chat answers a room the actor has not joined without an
		// error, changing nothing.
		missing = nil
	}
	_, err := a.changeSubscription(ctx, from.RID, actor.ID, missing, func(s *model.Subscription) (bool, error) {
		ts := from.Ts
		s.Open, s.Alert, s.Ls = true, true, &ts
		return true, nil
	})
	return err
}
