package app

import (
	"context"
	"net/http"
	"slices"

	"github.com/parleychat/parley/internal/auth"
	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// RoleView is a role as the roles.* endpoints show it.
type RoleView struct {
	ID           string      `json:"_id"`
	Name         string      `json:"name"`
	Scope        string      `json:"scope"`
	Description  string      `json:"description"`
	Protected    bool        `json:"protected"`
	Mandatory2FA bool        `json:"mandatory2fa"`
	UpdatedAt    *model.Time `json:"_updatedAt,omitempty"`
}

// roleView shows r; withTime adds _updatedAt, which roles.list leaves out.
// The default roles are written by the server at its start, as
// Rocket.Chat rewrites them at every start, so that is when they last
// changed.
func (a *App) roleView(r auth.Role, withTime bool) RoleView {
	v := RoleView{ID: r.ID, Name: r.ID, Scope: r.Scope, Description: r.Description, Protected: true}
	if withTime {
		at := a.rolesAt
		v.UpdatedAt = &at
	}
	return v
}

// ListRoles is roles.list: every role, without _updatedAt.
func (a *App) ListRoles() []RoleView {
	out := make([]RoleView, 0, len(auth.Roles))
	for _, r := range auth.Roles {
		out = append(out, a.roleView(r, false))
	}
	return out
}

// RolesSince is roles.sync: the roles changed after since. Roles are
// never removed (there are no custom roles), so nothing is ever in the
// remove list.
func (a *App) RolesSince(since model.Time) []RoleView {
	out := []RoleView{}
	for _, r := range auth.Roles {
		if a.rolesAt > since {
			out = append(out, a.roleView(r, true))
		}
	}
	return out
}

// ErrEnterpriseOnly is Rocket.Chat's answer, in its community edition, to
// the endpoints that need an enterprise license (roles.create and
// roles.update: custom roles). It comes before any other check.
var ErrEnterpriseOnly = E("error-action-not-allowed", "This is an enterprise feature")

var (
	errAccessPermissions = E("error-action-not-allowed", "Accessing permissions is not allowed")
	errRoleProperties    = E("error-invalid-role-properties", "The role properties are invalid.")
	errRoleDoesNotExist  = E("error-invalid-roleId", "This role does not exist")
)

// RoleMember names the user and role of roles.addUserToRole and
// roles.removeUserFromRole.
type RoleMember struct {
	// Role is the role's id or name (for the default roles they are one).
	Role string
	// UserID or Username names the user.
	UserID, Username string
	// RoomID scopes a room role (owner, moderator, leader) to one room.
	RoomID string
}

// AddUserToRole is roles.addUserToRole. Checks come in Rocket.Chat's
// order: the user, the role, whether the user has it already, then the
// caller's permissions (access-permissions; assign-admin-role for admin)
// and, for a room, whether the user is a member.
func (a *App) AddUserToRole(ctx context.Context, actor *model.User, in RoleMember) (RoleView, error) {
	defer a.authUsers.clear()
	u, err := a.roleTarget(ctx, in.UserID, in.Username)
	if err != nil {
		return RoleView{}, err
	}
	if in.Role == "" {
		return RoleView{}, Plain("error-invalid-role-properties")
	}
	role, ok := auth.FindRole(in.Role)
	if !ok {
		// Rocket.Chat answers with the code as the text and the text as
		// the type.
		return RoleView{}, &Error{Status: http.StatusBadRequest, Type: "Role not found", Reason: "error-role-not-found", Plain: true}
	}
	if role.Scope == "Subscriptions" && in.RoomID == "" {
		// Rocket.Chat answers success and changes nothing; Parley says why.
		return RoleView{}, E("error-invalid-arguments", "Invalid arguments")
	}
	if held, err := a.holdsRole(ctx, u, role, in.RoomID); err != nil {
		return RoleView{}, err
	} else if held {
		return RoleView{}, E("error-user-already-in-role", "User already in role")
	}
	if !a.HasPermission(actor, "access-permissions") {
		return RoleView{}, errAccessPermissions
	}
	if role.ID == "admin" && !a.HasPermission(actor, "assign-admin-role") {
		return RoleView{}, E("error-action-not-allowed", "Assigning admin is not allowed").
			With(map[string]any{"method": "authorization:addUserToRole", "action": "Assign_admin"})
	}
	err = a.tx(ctx, func(st store.Store) error {
		if role.Scope == "Subscriptions" {
			sub, err := st.Subscriptions().GetForUpdate(ctx, in.RoomID, u.ID)
			if isNotFound(err) {
				return E("error-invalid-user", "User is not part of given room")
			}
			if err != nil {
				return err
			}
			if !sub.HasRole(role.ID) {
				sub.Roles = append(sub.Roles, role.ID)
				sub.UpdatedAt = a.now()
				if err := st.Subscriptions().Update(ctx, sub); err != nil {
					return err
				}
			}
			a.emit(st, events.SubscriptionChanged, sub.RID, u.ID, sub.ID)
			return nil
		}
		return a.changeUserRoles(ctx, st, u.ID, func(roles []string) []string {
			if slices.Contains(roles, role.ID) {
				return roles
			}
			return append(roles, role.ID)
		})
	})
	if err != nil {
		return RoleView{}, err
	}
	return a.roleView(role, true), nil
}

// RemoveUserFromRole is roles.removeUserFromRole; the caller holds
// access-permissions (the API layer checks it first, as Rocket.Chat's
// route does). The last admin keeps the role.
func (a *App) RemoveUserFromRole(ctx context.Context, in RoleMember) (RoleView, error) {
	defer a.authUsers.clear()
	if in.Role == "" || in.Username == "" {
		return RoleView{}, errRoleProperties
	}
	u, err := a.store.Users().GetByUsername(ctx, in.Username)
	if isNotFound(err) {
		return RoleView{}, E("error-invalid-user", "There is no user with this username")
	}
	if err != nil {
		return RoleView{}, a.storeErr(err)
	}
	role, ok := auth.FindRole(in.Role)
	if !ok {
		return RoleView{}, errRoleDoesNotExist
	}
	held, err := a.holdsRole(ctx, u, role, in.RoomID)
	if err != nil {
		return RoleView{}, err
	}
	if !held {
		return RoleView{}, E("error-user-not-in-role", "User is not in this role")
	}
	err = a.tx(ctx, func(st store.Store) error {
		if role.ID == "admin" {
			// Counted in the transaction: two admins removing each other
			// at once must not both succeed.
			n, err := st.Users().CountWithRole(ctx, "admin")
			if err != nil {
				return err
			}
			if n <= 1 {
				return E("error-admin-required", "You need to have at least one admin")
			}
		}
		if role.Scope == "Subscriptions" {
			return a.dropRoomRole(ctx, st, u.ID, role.ID, in.RoomID)
		}
		return a.changeUserRoles(ctx, st, u.ID, func(roles []string) []string {
			return slices.DeleteFunc(roles, func(r string) bool { return r == role.ID })
		})
	})
	if err != nil {
		return RoleView{}, err
	}
	return a.roleView(role, true), nil
}

// dropRoomRole takes room role away from user uid in room rid, or in
// every room when rid is empty (as Rocket.Chat does without a scope).
func (a *App) dropRoomRole(ctx context.Context, st store.Store, uid, role, rid string) error {
	rids := []string{rid}
	if rid == "" {
		subs, err := st.Subscriptions().ListByUser(ctx, uid, 0)
		if err != nil {
			return err
		}
		rids = rids[:0]
		for _, s := range subs {
			if s.HasRole(role) {
				rids = append(rids, s.RID)
			}
		}
	}
	for _, rid := range rids {
		sub, err := st.Subscriptions().GetForUpdate(ctx, rid, uid)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		if !sub.HasRole(role) {
			continue
		}
		sub.Roles = slices.DeleteFunc(sub.Roles, func(r string) bool { return r == role })
		sub.UpdatedAt = a.now()
		if err := st.Subscriptions().Update(ctx, sub); err != nil {
			return err
		}
		a.emit(st, events.SubscriptionChanged, sub.RID, uid, sub.ID)
	}
	return nil
}

// checkAssignAdmin refuses, as Rocket.Chat's users.create and
// users.update do, a list of roles holding admin from a caller without
// assign-admin-role, even for a user who is an admin already.
func (a *App) checkAssignAdmin(actor *model.User, roles []string) error {
	if slices.Contains(roles, "admin") && !a.HasPermission(actor, "assign-admin-role") {
		return E("error-action-not-allowed", "Assigning admin is not allowed").
			With(map[string]any{"method": "insertOrUpdateUser", "action": "Assign_admin"})
	}
	return nil
}

// roleTarget finds the user of roles.addUserToRole by id or username.
func (a *App) roleTarget(ctx context.Context, id, username string) (*model.User, error) {
	if id == "" && username == "" {
		return nil, E("error-user-param-not-provided", `The required "userId" or "username" param was not provided`)
	}
	u, err := a.userByIDOrName(ctx, id, username)
	if isNotFound(err) {
		return nil, errTargetNotFound
	}
	return u, a.storeErr(err)
}

// holdsRole reports whether u holds role: globally, or in room rid for a
// room role (in any room when rid is empty, as Rocket.Chat checks it).
func (a *App) holdsRole(ctx context.Context, u *model.User, role auth.Role, rid string) (bool, error) {
	if role.Scope != "Subscriptions" {
		return u.HasRole(role.ID), nil
	}
	if rid == "" {
		subs, err := a.store.Subscriptions().ListByUser(ctx, u.ID, 0)
		if err != nil {
			return false, a.storeErr(err)
		}
		return slices.ContainsFunc(subs, func(s *model.Subscription) bool { return s.HasRole(role.ID) }), nil
	}
	sub, err := a.store.Subscriptions().Get(ctx, rid, u.ID)
	if isNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, a.storeErr(err)
	}
	return sub.HasRole(role.ID), nil
}

// changeUserRoles rewrites user id's global roles with edit, inside st.
func (a *App) changeUserRoles(ctx context.Context, st store.Store, id string, edit func([]string) []string) error {
	u, err := st.Users().Get(ctx, id)
	if err != nil {
		return err
	}
	u.Roles = edit(slices.Clone(u.Roles))
	u.UpdatedAt = a.now()
	if err := st.Users().Update(ctx, u); err != nil {
		return err
	}
	a.emit(st, events.UserChanged, "", u.ID, u.ID)
	return nil
}

// DeleteRole is roles.delete; the caller holds access-permissions. Every
// role Parley has is protected, so a known role is refused as Rocket.Chat
// refuses a protected one.
func (a *App) DeleteRole(ref string) error {
	if ref == "" {
		return errRoleProperties
	}
	if _, ok := auth.FindRole(ref); !ok {
		return errRoleDoesNotExist
	}
	return E("error-role-protected", "Cannot delete a protected role")
}

// UserInRole is one user of roles.getUsersInRole.
type UserInRole struct {
	ID        string        `json:"_id"`
	Username  string        `json:"username"`
	Name      string        `json:"name,omitempty"`
	Emails    []model.Email `json:"emails,omitempty"`
	CreatedAt model.Time    `json:"createdAt"`
	UpdatedAt model.Time    `json:"_updatedAt"`
}

// UsersInRole is roles.getUsersInRole: the holders of a role by username;
// for a room role, in room rid or in any room. The caller holds
// access-permissions (checked by the API layer); naming a room takes
// view-other-user-channels as well.
func (a *App) UsersInRole(ctx context.Context, actor *model.User, ref, rid string, offset, count int) ([]UserInRole, int, error) {
	if ref == "" {
		return nil, 0, E("error-param-not-provided", `Query param "role" is required`)
	}
	if rid != "" && !a.HasPermission(actor, "view-other-user-channels") {
		return nil, 0, ErrNotAllowed
	}
	role, ok := auth.FindRole(ref)
	if !ok {
		return nil, 0, E("error-invalid-roleId", "")
	}
	list, total, err := a.store.Users().ListWithRole(ctx, role.ID, role.Scope == "Subscriptions", rid,
		store.ListOptions{Offset: offset, Count: count, Sort: []store.SortField{{Field: "username"}}})
	if err != nil {
		return nil, 0, a.storeErr(err)
	}
	out := make([]UserInRole, 0, len(list))
	for _, u := range list {
		out = append(out, UserInRole{ID: u.ID, Username: u.Username, Name: u.Name, Emails: u.Emails, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt})
	}
	return out, total, nil
}

// PublicRoleHolder is one user of roles.getUsersInPublicRoles, with only
// the public roles they hold.
type PublicRoleHolder struct {
	ID       string   `json:"_id"`
	Username string   `json:"username"`
	Roles    []string `json:"roles"`
}

// UsersInPublicRoles is roles.getUsersInPublicRoles: the holders of the
// global roles that have a description (admin and the livechat roles),
// the ones clients show as badges, by username.
func (a *App) UsersInPublicRoles(ctx context.Context) ([]PublicRoleHolder, error) {
	byID := map[string]*PublicRoleHolder{}
	for _, r := range auth.Roles {
		if r.Scope != "Users" || r.Description == "" {
			continue
		}
		list, _, err := a.store.Users().ListWithRole(ctx, r.ID, false, "", store.ListOptions{})
		if err != nil {
			return nil, a.storeErr(err)
		}
		for _, u := range list {
			h := byID[u.ID]
			if h == nil {
				h = &PublicRoleHolder{ID: u.ID, Username: u.Username, Roles: []string{}}
				byID[u.ID] = h
			}
			h.Roles = append(h.Roles, r.ID)
		}
	}
	out := make([]PublicRoleHolder, 0, len(byID))
	for _, h := range byID {
		out = append(out, *h)
	}
	slices.SortFunc(out, func(x, y PublicRoleHolder) int {
		switch {
		case x.Username < y.Username:
			return -1
		case x.Username > y.Username:
			return 1
		}
		return 0
	})
	return out, nil
}
