package app

import (
	"context"

	"github.com/parleychat/parley/internal/model"
)

// CanAccessRoom is Rocket.Chat's canAccessRoom: a public channel is open to
// holders of view-c-room; any room is open to a member who holds
// view-joined-room or view-<t>-room; a discussion is open to whoever can
// see its parent.
func (a *App) CanAccessRoom(ctx context.Context, r *model.Room, u *model.User) (bool, error) {
	if r == nil || u == nil {
		return false, nil
	}
	if r.T == model.RoomChannel && a.HasPermission(u, "view-c-room") {
		// A ban closes a public channel to its user.
		banned, err := a.bannedOutsider(ctx, a.store, r.ID, u.ID)
		return !banned && err == nil, a.storeErr(err)
	}
	sub, err := a.store.Subscriptions().Get(ctx, r.ID, u.ID)
	switch {
	case err == nil:
		if a.hasSubPermission(u, sub, "view-joined-room") || a.hasSubPermission(u, sub, "view-"+r.T+"-room") {
			return true, nil
		}
	case !isNotFound(err):
		return false, a.storeErr(err)
	}
	if r.Prid != "" {
		parent, err := a.store.Rooms().Get(ctx, r.Prid)
		if err == nil {
			return a.CanAccessRoom(ctx, parent, u)
		}
		if !isNotFound(err) {
			return false, a.storeErr(err)
		}
	}
	return false, nil
}

// requireSee answers denied unless u may see r.
func (a *App) requireSee(ctx context.Context, r *model.Room, u *model.User, denied error) error {
	ok, err := a.canSee(ctx, r, u)
	if err != nil {
		return err
	}
	if !ok {
		return denied
	}
	return nil
}

// canSee reports whether u may access r (false for a missing room).
func (a *App) canSee(ctx context.Context, r *model.Room, u *model.User) (bool, error) {
	if r == nil {
		return false, nil
	}
	return a.CanAccessRoom(ctx, r, u)
}
