package app

import (
	"context"
	"errors"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// errUserBanned refuses to make a banned user a member again, whoever asks.
var errUserBanned = E("error-user-is-banned", "User is banned from this room")

// BanTarget names the user rooms.banUser and rooms.unbanUser act on.
type BanTarget = MuteTarget

// banRoom loads room rid for a ban action by actor: it must exist, be a
// channel or a private group, be visible to actor, and actor must hold
// ban-user there.
func (a *App) banRoom(ctx context.Context, actor *model.User, rid, method string) (*model.Room, error) {
	details := map[string]any{"method": method}
	r, err := a.store.Rooms().Get(ctx, rid)
	if isNotFound(err) {
		return nil, E("error-invalid-room", "Invalid room").With(details)
	}
	if err != nil {
		return nil, a.storeErr(err)
	}
	if r.T != model.RoomChannel && r.T != model.RoomGroup {
		return nil, E("error-invalid-room-type", r.T+" is not a valid room type").With(map[string]any{"method": method, "type": r.T})
	}
	can, err := a.roomPermissions(ctx, actor, r.ID)
	if err != nil {
		return nil, err
	}
	if !can("ban-user") {
		return nil, ErrNotAllowed.With(details)
	}
	if err := a.requireSee(ctx, r, actor, ErrNotAllowed.With(details)); err != nil {
		return nil, err
	}
	return r, nil
}

// BanUser is rooms.banUser: the member leaves the room (losing its room
// roles with the subscription), may not join or be added again until
// unbanned, and a user-banned message names them. The room's last owner
// cannot be banned.
func (a *App) BanUser(ctx context.Context, actor *model.User, rid string, target BanTarget) error {
	const method = "banUserFromRoom"
	u, err := a.resolveMuteTarget(ctx, target)
	if err != nil {
		return err
	}
	r, err := a.banRoom(ctx, actor, rid, method)
	if err != nil {
		return err
	}
	return a.tx(ctx, func(st store.Store) error {
		cur, err := lockRoom(ctx, st, r.ID)
		if err != nil {
			return err
		}
		if banned, err := st.Bans().Exists(ctx, r.ID, u.ID); err != nil {
			return err
		} else if banned {
			return E("error-user-already-banned", "User is already banned from this room").With(map[string]any{"method": method})
		}
		sub, err := st.Subscriptions().Get(ctx, r.ID, u.ID)
		if isNotFound(err) {
			return E("error-user-not-in-room", "User is not in this room").With(map[string]any{"method": method})
		}
		if err != nil {
			return err
		}
		if err := a.checkNotLastOwner(ctx, st, r.ID, sub, method); err != nil {
			return err
		}
		if err := a.removeMember(ctx, st, r.ID, u.ID); err != nil {
			return err
		}
		err = st.Bans().Add(ctx, &model.Ban{
			RID: r.ID, User: model.UserRef{ID: u.ID, Username: u.Username, Name: u.Name}, BannedAt: a.now(),
			BannedBy: model.UserRef{ID: actor.ID, Username: actor.Username, Name: actor.Name},
		})
		if errors.Is(err, store.ErrConflict) {
			return E("error-user-already-banned", "User is already banned from this room").With(map[string]any{"method": method})
		}
		if err != nil {
			return err
		}
		_, err = a.systemMessage(ctx, st, cur, actor, "user-banned", u.Username, nil)
		return err
	})
}

// UnbanUser is rooms.unbanUser: the ban is lifted and a user-unbanned
// message names the user, who is not a member again until they join or
// are added.
func (a *App) UnbanUser(ctx context.Context, actor *model.User, rid string, target BanTarget) error {
	const method = "unbanUserFromRoom"
	u, err := a.resolveMuteTarget(ctx, target)
	if err != nil {
		return err
	}
	r, err := a.banRoom(ctx, actor, rid, method)
	if err != nil {
		return err
	}
	return a.tx(ctx, func(st store.Store) error {
		cur, err := lockRoom(ctx, st, r.ID)
		if err != nil {
			return err
		}
		if err := st.Bans().Remove(ctx, r.ID, u.ID); isNotFound(err) {
			// Rocket.Chat answers with the bare code.
			return &Error{Status: 400, Type: "error-user-not-banned", Reason: "error-user-not-banned", Plain: true}
		} else if err != nil {
			return err
		}
		_, err = a.systemMessage(ctx, st, cur, actor, "user-unbanned", u.Username, nil)
		return err
	})
}

// BannedUsers is rooms.bannedUsers: the room's bans, oldest first, for
// those who may ban there.
func (a *App) BannedUsers(ctx context.Context, actor *model.User, rid string, opts store.ListOptions) ([]*model.Ban, int, error) {
	r, err := a.banRoom(ctx, actor, rid, "bannedUsers")
	if err != nil {
		return nil, 0, err
	}
	list, total, err := a.store.Bans().ListByRoom(ctx, r.ID, opts)
	return list, total, a.storeErr(err)
}

// bannedOutsider reports whether uid is banned from rid. A member is never
// banned (a ban ends the membership), so the answer for members comes from
// the subscription index without a second read.
func (a *App) bannedOutsider(ctx context.Context, st store.Store, rid, uid string) (bool, error) {
	if member, err := st.Subscriptions().Exists(ctx, rid, uid); err != nil || member {
		return false, err
	}
	return st.Bans().Exists(ctx, rid, uid)
}

// dropRoomModeration removes the bans and invite links of a room being
// erased.
func (a *App) dropRoomModeration(ctx context.Context, st store.Store, rid string) error {
	if err := st.Bans().DeleteByRoom(ctx, rid); err != nil {
		return err
	}
	return st.Invites().DeleteByRoom(ctx, rid)
}
