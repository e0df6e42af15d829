package api

import (
	"strings"

	"github.com/parleychat/parley/internal/app"
)

func (s *Server) settingsPublic(c *request) (any, error) { return s.listSettings(c, true) }
func (s *Server) settingsList(c *request) (any, error)   { return s.listSettings(c, false) }

func (s *Server) listSettings(c *request, publicOnly bool) (any, error) {
	p, err := c.page()
	if err != nil {
		return nil, err
	}
	q := c.r.URL.Query()
	f := app.SettingsFilter{PublicOnly: publicOnly, WithDefaults: q.Get("includeDefaults") == "true"}
	if q.Has("_id") {
		f.IDs = []string{}
		for _, id := range strings.Split(q.Get("_id"), ",") {
			if id = strings.TrimSpace(id); id != "" {
				f.IDs = append(f.IDs, id)
			}
		}
	}
	all := s.app.ListSettings(c.user, f)
	total := len(all)
	from := min(p.Offset, total)
	to := total
	if p.Count > 0 {
		to = min(from+p.Count, total)
	}
	return pageAnswer("settings", all[from:to], p, total), nil
}

func (s *Server) settingGet(c *request) (any, error) {
	v, err := s.app.GetSetting(c.user, c.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return M{"_id": v.ID, "value": v.Value}, nil
}

func (s *Server) settingSet(c *request) (any, error) {
	body, err := readBody(c.r)
	if err != nil {
		return nil, err
	}
	v, ok := body["value"]
	if !ok {
		return nil, app.Invalid("must have required property 'value'")
	}
	return nil, s.app.SaveSetting(c.ctx, c.user, c.r.PathValue("id"), v)
}

func (s *Server) permissionsList(c *request) (any, error) {
	since, err := c.updatedSince()
	if err != nil {
		return nil, err
	}
	return updatesAnswer(s.app.ListPermissions(c.ctx, since))
}

func (s *Server) permissionsUpdate(c *request) (any, error) {
	if !s.app.HasPermission(c.user, "access-permissions") {
		return nil, app.ErrPermissionsRequired
	}
	var in struct {
		Permissions []app.PermissionUpdate `json:"permissions" in:"required"`
	}
	if err := c.bindBody(&in); err != nil {
		return nil, err
	}
	for _, p := range in.Permissions {
		if p.ID == "" || p.Roles == nil {
			return nil, app.Invalid("must have required property '_id'")
		}
	}
	return answerAs("permissions")(s.app.UpdatePermissions(c.ctx, c.user, in.Permissions))
}

// permissionRoleIn is the body of permissions.addRole and
// permissions.removeRole.
type permissionRoleIn struct {
	PermissionID string `json:"permissionId" in:"required"`
	Role         string `json:"role" in:"required"`
}

// permissionsAddRole gives one role a permission, keeping its other roles.
func (s *Server) permissionsAddRole(c *request, in *permissionRoleIn) (any, error) {
	return nil, s.app.AddPermissionRole(c.ctx, c.user, in.PermissionID, in.Role)
}

// permissionsRemoveRole takes a permission from one role.
func (s *Server) permissionsRemoveRole(c *request, in *permissionRoleIn) (any, error) {
	return nil, s.app.RemovePermissionRole(c.ctx, c.user, in.PermissionID, in.Role)
}

// pwGetPolicy is pw.getPolicy: the password policy that new passwords must
// meet, for clients to show before they are refused.
func (s *Server) pwGetPolicy(c *request) (any, error) {
	return M(s.app.PasswordPolicy()), nil
}

// settingsOAuth is settings.oauth: the OAuth services a login screen
// offers. Parley has none.
func (s *Server) settingsOAuth(c *request) (any, error) {
	return M{"services": []any{}}, nil
}

// serviceConfigurations is service.configurations: the configured login
// services. Parley has none.
func (s *Server) serviceConfigurations(c *request) (any, error) {
	return M{"configurations": []any{}}, nil
}
