package app

import (
	"context"
	"slices"
	"strings"

	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// roomLabel names a room type in the archive messages, as Rocket.Chat's
// channels.* ("The channel, x, ...") and groups.* ("The private group,
// x, ...") word them.
func roomLabel(t string) string {
	if t == model.RoomGroup {
		return "private group"
	}
	return "channel"
}

// SetArchived is channels.archive / groups.archive (archive true) and
// channels.unarchive / groups.unarchive: the room's archived flag, every
// member's subscription (archived, and closed while archived, reopened
// after, with no alert either way), and a room-archived or
// room-unarchived system message.
func (a *App) SetArchived(ctx context.Context, actor *model.User, ref RoomRef, t string, archive bool) error {
	r, err := a.findRoom(ctx, actor, ref, t)
	if err != nil {
		return err
	}
	method, perm, msgType := "archiveRoom", "archive-room", "room-archived"
	if !archive {
		method, perm, msgType = "unarchiveRoom", "unarchive-room", "room-unarchived"
	}
	switch {
	case archive && r.Archived:
		return E("error-room-archived", "The "+roomLabel(t)+", "+r.Name+", is archived")
	case !archive && !r.Archived:
		// Rocket.Chat's channels.unarchive words it so; its groups.unarchive
		// posts a second room-unarchived message instead.
		return Plain("The " + roomLabel(t) + ", " + r.Name + ", is not archived")
	}
	if !a.HasRoomPermission(ctx, actor, perm, r.ID) {
		return E("error-not-authorized", "Not authorized").With(map[string]any{"method": method})
	}
	return a.tx(ctx, func(st store.Store) error {
		cur, err := lockRoom(ctx, st, r.ID)
		if err != nil {
			return err
		}
		if cur.Archived == archive {
			return nil // a concurrent call did it
		}
		// The system message goes first: saving it opens and alerts the
		// members' subscriptions, which the archive state then overrides.
		if _, err = a.systemMessage(ctx, st, cur, actor, msgType, "", nil); err != nil {
			return err
		}
		if cur, err = st.Rooms().Get(ctx, r.ID); err != nil {
			return err
		}
		cur.Archived = archive
		cur.UpdatedAt = max(cur.UpdatedAt, a.now())
		if err := st.Rooms().Update(ctx, cur); err != nil {
			return err
		}
		members, _, err := st.Subscriptions().ListByRoom(ctx, r.ID, store.ListOptions{})
		if err != nil {
			return err
		}
		now := a.now()
		for _, s := range members {
			s.Archived, s.Open, s.Alert = archive, !archive, false
			s.UpdatedAt = max(s.UpdatedAt, now)
			if err := st.Subscriptions().Update(ctx, s); err != nil {
				return err
			}
			a.emit(st, events.SubscriptionChanged, r.ID, s.U.ID, s.ID)
		}
		a.emit(st, events.RoomChanged, r.ID, actor.ID, r.ID)
		return nil
	})
}

// lockRoom reads room id afresh with its row locked until the transaction
// ends, so that concurrent changes of its flags and lists apply one after
// the other instead of overwriting each other.
func lockRoom(ctx context.Context, st store.Store, id string) (*model.Room, error) {
	if err := st.Rooms().Lock(ctx, id); err != nil {
		return nil, err
	}
	return st.Rooms().Get(ctx, id)
}

// MuteTarget names the user rooms.muteUser and rooms.unmuteUser act on.
type MuteTarget struct {
	UserID   string
	Username string
}

// errTargetNotFound is getUserFromParams' refusal.
var errTargetNotFound = E("error-invalid-user", `The required "userId" or "username" param provided does not match any users`)

// resolveMuteTarget finds the user to (un)mute by id, else by username.
func (a *App) resolveMuteTarget(ctx context.Context, target MuteTarget) (*model.User, error) {
	var (
		u   *model.User
		err error
	)
	switch {
	case target.UserID != "":
		u, err = a.store.Users().Get(ctx, target.UserID)
	case target.Username != "":
		u, err = a.store.Users().GetByUsername(ctx, strings.TrimPrefix(target.Username, "@"))
	default:
		return nil, errTargetNotFound
	}
	if isNotFound(err) || (err == nil && u.Username == "") {
		return nil, errTargetNotFound
	}
	return u, a.storeErr(err)
}

// SetMuted is rooms.muteUser / rooms.unmuteUser (Rocket.Chat's
// muteUserInRoom and unmuteUserInRoom), also served as channels.mute and
// friends. In a room that is not read-only, muting adds the user to the
// room's muted list; in a read-only room it takes them off the unmuted
// list, so they fall back to the read-only rule. Unmuting does the
// reverse (and in a read-only room lets the user post). A change stores a
// user-muted or user-unmuted message naming the user; a call that changes
// nothing stores nothing.
func (a *App) SetMuted(ctx context.Context, actor *model.User, rid string, target MuteTarget, mute bool) error {
	method, msgType := "muteUserInRoom", "user-muted"
	if !mute {
		method, msgType = "unmuteUserInRoom", "user-unmuted"
	}
	u, err := a.resolveMuteTarget(ctx, target)
	if err != nil {
		return err
	}
	details := map[string]any{"method": method}
	if !a.HasRoomPermission(ctx, actor, "mute-user", rid) {
		return E("error-not-allowed", "Not allowed").With(details)
	}
	r, err := a.store.Rooms().Get(ctx, rid)
	if isNotFound(err) {
		return E("error-invalid-room", "Invalid room").With(details)
	}
	if err != nil {
		return a.storeErr(err)
	}
	if r.T != model.RoomChannel && r.T != model.RoomGroup {
		return E("error-invalid-room-type", r.T+" is not a valid room type").With(map[string]any{"method": method, "type": r.T})
	}
	if ok, err := a.store.Subscriptions().Exists(ctx, r.ID, u.ID); err != nil {
		return a.storeErr(err)
	} else if !ok {
		return E("error-user-not-in-room", "User is not in this room").With(details)
	}
	return a.tx(ctx, func(st store.Store) error {
		cur, err := lockRoom(ctx, st, r.ID)
		if err != nil {
			return err
		}
		muted, unmuted := slices.Clone(cur.Muted), slices.Clone(cur.Unmuted)
		name := u.Username
		switch {
		case mute && cur.Ro:
			unmuted = without(unmuted, name)
		case mute:
			muted, unmuted = union(muted, name), without(unmuted, name)
		case cur.Ro:
			muted, unmuted = without(muted, name), union(unmuted, name)
		default:
			muted = without(muted, name)
		}
		if slices.Equal(muted, cur.Muted) && slices.Equal(unmuted, cur.Unmuted) {
			return nil
		}
		cur.Muted, cur.Unmuted = emptyToNil(muted), emptyToNil(unmuted)
		cur.UpdatedAt = max(cur.UpdatedAt, a.now())
		if err := st.Rooms().Update(ctx, cur); err != nil {
			return err
		}
		a.emit(st, events.RoomChanged, r.ID, actor.ID, r.ID)
		_, err = a.systemMessage(ctx, st, cur, actor, msgType, name, nil)
		return err
	})
}

func emptyToNil(list []string) []string {
	if len(list) == 0 {
		return nil
	}
	return list
}

// MuteInRoom is channels.mute / groups.mute and their unmute: SetMuted on
// a room named as the channels.* and groups.* endpoints name rooms.
func (a *App) MuteInRoom(ctx context.Context, actor *model.User, ref RoomRef, t string, target MuteTarget, mute bool) error {
	r, err := a.findRoom(ctx, actor, ref, t)
	if err != nil {
		return err
	}
	return a.SetMuted(ctx, actor, r.ID, target, mute)
}
