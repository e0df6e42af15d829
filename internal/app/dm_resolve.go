package app

import (
	"context"
	"strings"

	"github.com/parleychat/parley/internal/model"
)

// DirectRef names a direct conversation by room id or by the other user's
// id or username.
type DirectRef struct {
	RoomID   string
	Username string
}

func (d DirectRef) key() string {
	if d.RoomID != "" {
		return d.RoomID
	}
	return d.Username
}

// findDirect is Rocket.Chat's findDirectMessageRoom: a value that names a
// user (by id or username, with or without "@") means the conversation
// with that user, created if needed; anything else is a room id. What is
// not a direct room is invalid-channel.
func (a *App) findDirect(ctx context.Context, actor *model.User, ref DirectRef) (*model.Room, error) {
	key := ref.key()
	if key == "" {
		return nil, E("error-room-param-not-provided", `Query param "roomId" or "username" is required`)
	}
	name := strings.TrimPrefix(key, "@")
	other, err := a.store.Users().Get(ctx, name)
	if isNotFound(err) {
		other, err = a.store.Users().GetByUsername(ctx, name)
	}
	switch {
	case err == nil:
		return a.openDirect(ctx, actor, other)
	case !isNotFound(err):
		return nil, a.storeErr(err)
	}
	r, err := a.store.Rooms().Get(ctx, key)
	if isNotFound(err) || (err == nil && r.T != model.RoomDirect) {
		return nil, errInvalidChannel
	}
	return r, a.storeErr(err)
}

// directForRead resolves ref and refuses (403) a caller who cannot see it.
func (a *App) directForRead(ctx context.Context, actor *model.User, ref DirectRef) (*model.Room, error) {
	r, err := a.findDirect(ctx, actor, ref)
	if err != nil {
		return nil, err
	}
	if err := a.requireSee(ctx, r, actor, ErrForbidden); err != nil {
		return nil, err
	}
	return r, nil
}

// directByID loads direct room rid for u, who must be able to see it. A
// missing room is refused like a hidden one, so that the answer does not
// tell which ids exist; a room of another type is invalid-channel.
func (a *App) directByID(ctx context.Context, u *model.User, rid string) (*model.Room, error) {
	r, err := a.roomForRead(ctx, u, rid, ErrForbidden)
	if err != nil {
		return nil, err
	}
	if r.T != model.RoomDirect {
		return nil, errInvalidChannel
	}
	return r, nil
}
