package methods

import (
	"context"
	"encoding/json"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/model"
)

// publicSettingsGet [since?] lists the public settings, as settings.public
// does; with a date it answers {update, remove}. Anyone may call it.
// Settings keep no change time, so update holds every public setting.
func (r *Registry) publicSettingsGet(_ context.Context, u *model.User, params []json.RawMessage) (any, error) {
	list := r.app.ListSettings(u, app.SettingsFilter{PublicOnly: true})
	if _, dated := since(params); dated {
		return changes{Update: list, Remove: []any{}}, nil
	}
	return list, nil
}

// permissionsGet [since?] lists every permission with the roles holding
// it, as permissions.listAll does; with a date, {update, remove} with the
// permissions changed since.
func (r *Registry) permissionsGet(ctx context.Context, _ *model.User, params []json.RawMessage) (any, error) {
	t, dated := since(params)
	list, err := r.app.ListPermissions(ctx, t)
	if err != nil {
		return nil, err
	}
	if dated {
		return changes{Update: list, Remove: []any{}}, nil
	}
	return list, nil
}
