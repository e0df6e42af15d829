package methods

import (
	"context"
	"encoding/json"

	"github.com/parleychat/parley/internal/model"
)

// addPermissionToRole [permissionId, role] gives role the permission, as
// permissions.addRole does over REST. No result.
func (r *Registry) addPermissionToRole(ctx context.Context, u *model.User, params []json.RawMessage) (any, error) {
	perm, role, ok := permissionAndRole(params)
	if !ok {
		return nil, ErrMatch
	}
	return nil, r.app.AddPermissionRole(ctx, u, perm, role)
}

// removeRoleFromPermission [permissionId, role] takes the permission from
// role. No result.
func (r *Registry) removeRoleFromPermission(ctx context.Context, u *model.User, params []json.RawMessage) (any, error) {
	perm, role, ok := permissionAndRole(params)
	if !ok {
		return nil, ErrMatch
	}
	return nil, r.app.RemovePermissionRole(ctx, u, perm, role)
}

func permissionAndRole(params []json.RawMessage) (perm, role string, ok bool) {
	perm, ok1 := str(param(params, 0))
	role, ok2 := str(param(params, 1))
	return perm, role, ok1 && ok2 && perm != "" && role != ""
}
