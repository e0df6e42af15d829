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

// Rocket.Chat's ban methods throw bare errors, so their refusals carry a
// message and no errorType.
var (
	errBanNotAllowed = Plain("Not allowed")
	errBanNoAccess   = Plain(`The required "roomId" or "roomName" param provided does not match any group`)
)

// banRoom loads room rid for a ban action by actor, in Rocket.Chat's
// order: actor must hold ban-user there, the room must exist and be a
// channel or a private group, and actor must be able to see it.
func (a *App) banRoom(ctx context.Context, actor *model.User, rid string) (*model.Room, error) {
	if !a.HasRoomPermission(ctx, actor, "ban-user", rid) {
		return nil, errBanNotAllowed
	}
	r, err := a.store.Rooms().Get(ctx, rid)
	if isNotFound(err) {
		return nil, errBanNotAllowed
	}
	if err != nil {
		return nil, a.storeErr(err)
	}
	if r.T != model.RoomChannel && r.T != model.RoomGroup {
		return nil, errBanNotAllowed
	}
	if err := a.requireSee(ctx, r, actor, errBanNoAccess); err != nil {
		return nil, err
	}
	return r, nil
}

// BanUser is rooms.banUser: the member leaves the room (losing its room
// roles with the subscription), may not join or be added again until
// unbanned, and a user-banned message names them. The room's last owner
// cannot be banned.
func (a *App) BanUser(ctx context.Context, actor *model.User, rid string, target BanTarget) error {
	alreadyBanned := Plain("User is already banned from this room")
	return a.banChange(ctx, actor, rid, target, func(st store.Store, cur *model.Room, u *model.User) error {
		if banned, err := st.Bans().Exists(ctx, cur.ID, u.ID); err != nil {
			return err
		} else if banned {
			return alreadyBanned
		}
		sub, err := st.Subscriptions().Get(ctx, cur.ID, u.ID)
		if isNotFound(err) {
			return Plain("User is not in this room")
		}
		if err != nil {
			return err
		}
		if sub.HasRole("owner") {
			owners, err := a.countRole(ctx, st, cur.ID, "owner")
			if err != nil {
				return err
			}
			if owners <= 1 {
				return Plain("You are the last owner. Please set new owner before banning the user.")
			}
		}
		if err := a.removeMember(ctx, st, cur.ID, u.ID); err != nil {
			return err
		}
		err = st.Bans().Add(ctx, &model.Ban{
			RID: cur.ID, User: model.UserRef{ID: u.ID, Username: u.Username, Name: u.Name}, BannedAt: a.now(),
			BannedBy: model.UserRef{ID: actor.ID, Username: actor.Username, Name: actor.Name},
		})
		if errors.Is(err, store.ErrConflict) {
			return alreadyBanned
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
	return a.banChange(ctx, actor, rid, target, func(st store.Store, cur *model.Room, u *model.User) error {
		if err := st.Bans().Remove(ctx, cur.ID, u.ID); isNotFound(err) {
			// Rocket.Chat answers with the bare code.
			return Plain("error-user-not-banned")
		} else if err != nil {
			return err
		}
		_, err := a.systemMessage(ctx, st, cur, actor, "user-unbanned", u.Username, nil)
		return err
	})
}

// BannedUsers is rooms.bannedUsers: the room's bans, oldest first. As in
// Rocket.Chat, whoever may see the room may list them; anyone else, and a
// room that does not exist, gets 403.
func (a *App) BannedUsers(ctx context.Context, actor *model.User, rid string, opts store.ListOptions) ([]*model.Ban, int, error) {
	r, err := a.store.Rooms().Get(ctx, rid)
	if isNotFound(err) {
		return nil, 0, ErrForbidden
	}
	if err != nil {
		return nil, 0, a.storeErr(err)
	}
	if err := a.requireSee(ctx, r, actor, ErrForbidden); err != nil {
		return nil, 0, err
	}
	list, total, err := a.store.Bans().ListByRoom(ctx, r.ID, opts)
	return list, total, a.storeErr(err)
}

// bannedOutsider reports whether uid is banned from rid. A member is never
// banned (a ban ends the membership), so the answer for members comes from
// the subscription index without a second read.
func (a *App) bannedOutsider(ctx context.Context, st store.Store, rid, uid string) (bool, error) {
	if st == a.store && isKnownMember(ctx, rid, uid) {
		return false, nil
	}
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

// banChange checks a ban or unban of target in rid by actor, then runs
// change on the locked room in one transaction.
func (a *App) banChange(ctx context.Context, actor *model.User, rid string, target BanTarget, change func(st store.Store, cur *model.Room, u *model.User) error) error {
	u, err := a.resolveMuteTarget(ctx, target)
	if err != nil {
		return err
	}
	r, err := a.banRoom(ctx, actor, rid)
	if err != nil {
		return err
	}
	return a.tx(ctx, func(st store.Store) error {
		cur, err := lockRoom(ctx, st, r.ID)
		if err != nil {
			return err
		}
		return change(st, cur, u)
	})
}
