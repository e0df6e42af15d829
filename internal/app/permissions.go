package app

import (
	"context"
	"slices"
	"sort"

	"github.com/parleychat/parley/internal/auth"
	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// roleHas reports whether any of roles holds perm.
func (a *App) roleHas(perm string, roles ...[]string) bool {
	a.permMu.RLock()
	defer a.permMu.RUnlock()
	set := a.perms[perm]
	for _, list := range roles {
		for _, r := range list {
			if set[r] {
				return true
			}
		}
	}
	return false
}

// HasPermission checks a global permission: the user's own roles only.
func (a *App) HasPermission(u *model.User, perm string) bool {
	return u != nil && a.roleHas(perm, u.Roles)
}

// HasRoomPermission checks perm with the user's global roles and the
// room-scoped roles of their subscription to rid.
// A database failure counts as "not permitted"; code that must answer 503
// instead uses roomPermissions.
func (a *App) HasRoomPermission(ctx context.Context, u *model.User, perm, rid string) bool {
	if u == nil {
		return false
	}
	if a.roleHas(perm, u.Roles) {
		return true
	}
	can, err := a.roomPermissions(ctx, u, rid)
	return err == nil && can(perm)
}

// roomPermissions reads u's room-scoped roles in rid once, for code that
// checks several permissions in a row, and reports a database failure
// instead of reading it as a refusal.
func (a *App) roomPermissions(ctx context.Context, u *model.User, rid string) (func(perm string) bool, error) {
	var sub *model.Subscription
	if rid != "" {
		s, err := a.store.Subscriptions().Get(ctx, rid, u.ID)
		switch {
		case err == nil:
			sub = s
		case !isNotFound(err):
			return nil, a.storeErr(err)
		}
	}
	return func(perm string) bool { return a.hasSubPermission(u, sub, perm) }, nil
}

// hasSubPermission is HasRoomPermission when the subscription is at hand.
func (a *App) hasSubPermission(u *model.User, sub *model.Subscription, perm string) bool {
	if a.roleHas(perm, u.Roles) {
		return true
	}
	return sub != nil && a.roleHas(perm, sub.Roles)
}

// PermissionView is one row of permissions.listAll.
type PermissionView struct {
	ID        string     `json:"_id"`
	Roles     []string   `json:"roles"`
	UpdatedAt model.Time `json:"_updatedAt"`
}

// ListPermissions returns every permission, and those changed since
// updatedSince when it is set (as Rocket.Chat's listAll does).
func (a *App) ListPermissions(ctx context.Context, updatedSince model.Time) ([]PermissionView, error) {
	all, err := a.store.Permissions().All(ctx)
	if err != nil {
		return nil, a.storeErr(err)
	}
	out := []PermissionView{}
	for _, p := range all {
		if updatedSince != 0 && p.UpdatedAt <= updatedSince {
			continue
		}
		roles := p.Roles
		if roles == nil {
			roles = []string{}
		}
		out = append(out, PermissionView{ID: p.ID, Roles: roles, UpdatedAt: p.UpdatedAt})
	}
	return out, nil
}

// PermissionUpdate replaces the roles of one permission.
type PermissionUpdate struct {
	ID    string   `json:"_id"`
	Roles []string `json:"roles"`
}

// UpdatePermissions replaces roles for each listed permission (admin only).
func (a *App) UpdatePermissions(ctx context.Context, u *model.User, updates []PermissionUpdate) ([]PermissionView, error) {
	if !a.HasPermission(u, "access-permissions") {
		return nil, ErrPermissionsRequired
	}
	a.permMu.RLock()
	for _, up := range updates {
		if _, ok := a.perms[up.ID]; !ok {
			a.permMu.RUnlock()
			return nil, E("error-invalid-permission", "Invalid permission")
		}
		for _, r := range up.Roles {
			if !auth.IsRole(r) {
				a.permMu.RUnlock()
				return nil, E("error-invalid-role", "Invalid role")
			}
		}
	}
	a.permMu.RUnlock()
	updates = withAliases(updates)
	err := a.tx(ctx, func(st store.Store) error {
		for _, up := range updates {
			roles := dedupe(up.Roles)
			if err := st.Permissions().Set(ctx, up.ID, roles); err != nil {
				return err
			}
			a.emit(st, events.PermissionChanged, "", "", up.ID)
		}
		return st.BumpConfigVersion(ctx)
	})
	if err != nil {
		return nil, err
	}
	if err := a.loadPermissions(ctx, a.store); err != nil {
		return nil, a.storeErr(err)
	}
	return a.ListPermissions(ctx, 0)
}

// permissionAliases pairs the ids of a permission Rocket.Chat renamed
// (add-team-channel became move-room-to-team): clients and admins of
// either era change the right through the id they know, so both ids
// always hold the same roles.
var permissionAliases = map[string]string{
	"add-team-channel":  "move-room-to-team",
	"move-room-to-team": "add-team-channel",
}

// withAliases adds to updates the other id of each renamed permission
// they set, unless they set it themselves.
func withAliases(updates []PermissionUpdate) []PermissionUpdate {
	out := slices.Clone(updates)
	for _, up := range updates {
		other, ok := permissionAliases[up.ID]
		if ok && !slices.ContainsFunc(updates, func(u PermissionUpdate) bool { return u.ID == other }) {
			out = append(out, PermissionUpdate{ID: other, Roles: up.Roles})
		}
	}
	return out
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// AddPermissionRole is permissions.addRole and the
// authorization:addPermissionToRole method: role gets perm.
func (a *App) AddPermissionRole(ctx context.Context, u *model.User, perm, role string) error {
	return a.editPermissionRoles(ctx, u, perm, role, true)
}

// RemovePermissionRole is permissions.removeRole and
// authorization:removeRoleFromPermission: role loses perm.
func (a *App) RemovePermissionRole(ctx context.Context, u *model.User, perm, role string) error {
	return a.editPermissionRoles(ctx, u, perm, role, false)
}

func (a *App) editPermissionRoles(ctx context.Context, u *model.User, perm, role string, add bool) error {
	method := "authorization:removeRoleFromPermission"
	if add {
		method = "authorization:addPermissionToRole"
	}
	a.permMu.RLock()
	_, known := a.perms[perm]
	a.permMu.RUnlock()
	switch {
	case !known && add:
		return E("error-invalid-permission", "Permission does not exist").With(map[string]any{"method": method, "action": "Adding_permission"})
	case !known:
		return E("error-permission-not-found", "Permission not found").With(map[string]any{"method": method})
	case !a.HasPermission(u, "access-permissions") && add:
		return E("error-action-not-allowed", "Adding permission is not allowed").With(map[string]any{"method": method, "action": "Adding_permission"})
	case !a.HasPermission(u, "access-permissions"):
		return E("error-action-not-allowed", "Removing permission is not allowed").With(map[string]any{"method": method, "action": "Removing_permission"})
	case add && !auth.IsRole(role):
		// Rocket.Chat stores any name here; Parley keeps the table to
		// roles that exist, as permissions.update does.
		return E("error-invalid-role", "Invalid role").With(map[string]any{"method": method})
	}
	err := a.tx(ctx, func(st store.Store) error {
		// The stored row, not this node's copy: another node may have
		// changed it a moment ago.
		all, err := st.Permissions().All(ctx)
		if err != nil {
			return err
		}
		var roles []string
		for _, p := range all {
			if p.ID == perm {
				roles = slices.DeleteFunc(slices.Clone(p.Roles), func(r string) bool { return r == role })
			}
		}
		if add {
			roles = append(roles, role)
		}
		for _, up := range withAliases([]PermissionUpdate{{ID: perm, Roles: dedupe(roles)}}) {
			if err := st.Permissions().Set(ctx, up.ID, up.Roles); err != nil {
				return err
			}
			a.emit(st, events.PermissionChanged, "", "", up.ID)
		}
		return st.BumpConfigVersion(ctx)
	})
	if err != nil {
		return err
	}
	return a.storeErr(a.loadPermissions(ctx, a.store))
}
