package app

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/parleychat/parley/internal/auth"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// RoomIDByNameOrID is the getRoomIdByNameOrId method: the id of the room
// whose id or name is ref, when u can see it.
func (a *App) RoomIDByNameOrID(ctx context.Context, u *model.User, ref string) (string, error) {
	denied := ErrNotAllowed.With(map[string]any{"method": "getRoomIdByNameOrId"})
	r, err := a.store.Rooms().Get(ctx, ref)
	if isNotFound(err) {
		r, err = a.store.Rooms().GetByName(ctx, ref)
	}
	if isNotFound(err) {
		return "", denied
	}
	if err != nil {
		return "", a.storeErr(err)
	}
	if err := a.requireSee(ctx, r, u, denied); err != nil {
		return "", err
	}
	return r.ID, nil
}

// RoomRole is one member holding room roles, as getRoomRoles lists them.
type RoomRole struct {
	ID    string        `json:"_id"`
	RID   string        `json:"rid"`
	U     model.UserRef `json:"u"`
	Roles []string      `json:"roles"`
}

// roomScopedRoles are the roles a subscription can hold.
func roomScopedRoles() []string {
	var out []string
	for _, r := range auth.Roles {
		if r.Scope == "Subscriptions" && r.Description != "" {
			out = append(out, r.ID)
		}
	}
	return out
}

// RoomRoles is the getRoomRoles method: the members of rid holding a
// room role (owner, moderator, leader), by username. Names are given
// when UI_Use_Real_Name is on.
func (a *App) RoomRoles(ctx context.Context, u *model.User, rid string) ([]RoomRole, error) {
	r, err := a.store.Rooms().Get(ctx, rid)
	if isNotFound(err) {
		return nil, E("error-invalid-room", "Invalid room").With(map[string]any{"method": "getRoomRoles"})
	}
	if err != nil {
		return nil, a.storeErr(err)
	}
	if err := a.requireSee(ctx, r, u, E("error-invalid-user", "Invalid user").With(map[string]any{"method": "getRoomRoles"})); err != nil {
		return nil, err
	}
	subs, _, err := a.store.Subscriptions().ListByRoom(ctx, rid, store.ListOptions{})
	if err != nil {
		return nil, a.storeErr(err)
	}
	wanted := roomScopedRoles()
	out := []RoomRole{}
	for _, s := range subs {
		var roles []string
		for _, role := range s.Roles {
			if slices.Contains(wanted, role) {
				roles = append(roles, role)
			}
		}
		if len(roles) == 0 {
			continue
		}
		out = append(out, RoomRole{ID: s.ID, RID: s.RID, U: model.UserRef{ID: s.U.ID, Username: s.U.Username}, Roles: roles})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].U.Username < out[j].U.Username })
	if a.Settings.Bool("UI_Use_Real_Name") && len(out) > 0 {
		ids := make([]string, len(out))
		for i, rr := range out {
			ids[i] = rr.U.ID
		}
		users, err := a.store.Users().GetMany(ctx, ids)
		if err != nil {
			return nil, a.storeErr(err)
		}
		names := map[string]string{}
		for _, x := range users {
			names[x.ID] = x.Name
		}
		for i := range out {
			out[i].U.Name = names[out[i].U.ID]
		}
	}
	return out, nil
}

// ReadRoom is the readMessages method: it marks rid read for u, as
// subscriptions.read does. A room u is not a member of has nothing to
// mark.
func (a *App) ReadRoom(ctx context.Context, u *model.User, rid string, readThreads bool) error {
	r, err := a.store.Rooms().Get(ctx, rid)
	if isNotFound(err) {
		return E("error-room-does-not-exist", "This room does not exist").With(map[string]any{"method": "readMessages"})
	}
	if err != nil {
		return a.storeErr(err)
	}
	if err := a.requireSee(ctx, r, u, ErrNotAllowed.With(map[string]any{"method": "readMessages"})); err != nil {
		return err
	}
	err = a.MarkRead(ctx, u, rid, readThreads)
	if e, ok := AsError(err); ok && e.Plain && e.Reason == "error-invalid-subscription" {
		return nil
	}
	return err
}

// LeaveRoomByID is the leaveRoom method: channels.leave or groups.leave,
// whichever the room rid is. A direct conversation cannot be left.
func (a *App) LeaveRoomByID(ctx context.Context, u *model.User, rid string) error {
	r, err := a.store.Rooms().Get(ctx, rid)
	if isNotFound(err) {
		return E("error-invalid-room", "Invalid room").With(map[string]any{"method": "leaveRoom"})
	}
	if err != nil {
		return a.storeErr(err)
	}
	if r.T != model.RoomChannel && r.T != model.RoomGroup {
		return ErrNotAllowed.With(map[string]any{"method": "leaveRoom"})
	}
	_, err = a.Leave(ctx, u, RoomRef{ID: rid}, r.T)
	if e, ok := AsError(err); ok && e.Type == "error-room-not-found" {
		// A group hidden from u is, to u, a room that does not exist.
		return E("error-invalid-room", "Invalid room").With(map[string]any{"method": "leaveRoom"})
	}
	return err
}

// UserRoles is one user and their global roles, as getUserRoles lists it.
type UserRoles struct {
	ID       string   `json:"_id"`
	Username string   `json:"username"`
	Roles    []string `json:"roles"`
}

// UsersWithRoles is the getUserRoles method: the users holding a public
// role (one with a description: admin, the livechat roles), with those
// roles only, by username, as roles.getUsersInPublicRoles lists them.
func (a *App) UsersWithRoles(ctx context.Context) ([]UserRoles, error) {
	holders, err := a.UsersInPublicRoles(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]UserRoles, 0, len(holders))
	for _, h := range holders {
		out = append(out, UserRoles(h))
	}
	return out, nil
}

// RegisterByForm is the registerUser method: users.register for a form
// that may leave the username out. Rocket.Chat then creates an account
// without one and asks for it later (setUsername); every Parley account
// has a username, so one is made from the email's local part, which
// setUsername can change.
func (a *App) RegisterByForm(ctx context.Context, in NewUser, secret string) (*model.User, error) {
	if in.Username == "" && in.Email != "" {
		name, err := a.suggestUsername(ctx, in.Email)
		if err != nil {
			return nil, err
		}
		in.Username = name
	}
	return a.Register(ctx, in, secret)
}

// suggestUsername makes a free, valid username from an email address.
func (a *App) suggestUsername(ctx context.Context, email string) (string, error) {
	base, _, _ := strings.Cut(strings.TrimSpace(email), "@")
	base = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_' {
			return r
		}
		return -1
	}, base)
	if base == "" || !a.ValidUsername(base) {
		base = "user"
	}
	for i := 0; i < 100; i++ {
		name := base
		if i > 0 {
			name = base + "." + strconv.Itoa(i)
		}
		_, err := a.store.Users().GetByUsername(ctx, name)
		if errors.Is(err, store.ErrNotFound) && a.checkUsernameAllowed(name) == nil {
			return name, nil
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return "", a.storeErr(err)
		}
	}
	return base + "." + strings.ToLower(model.NewID()[:6]), nil
}
