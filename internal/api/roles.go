package api

import (
	"github.com/parleychat/parley/internal/app"
)

func (s *Server) rolesList(c *request) (any, error) {
	return M{"roles": s.app.ListRoles()}, nil
}

// rolesSync answers empty lists without updatedSince, as Rocket.Chat does.
func (s *Server) rolesSync(c *request) (any, error) {
	since, err := c.updatedSince()
	if err != nil {
		return nil, err
	}
	update := []app.RoleView{}
	if since != 0 {
		update = s.app.RolesSince(since)
	}
	return M{"roles": M{"update": update, "remove": []any{}}}, nil
}

// rolesEnterprise answers roles.create and roles.update: custom roles need
// Rocket.Chat's enterprise license, whose check comes before the login.
func (s *Server) rolesEnterprise(c *request) (any, error) {
	return nil, app.ErrEnterpriseOnly
}

type rolesDeleteIn struct {
	RoleID string `json:"roleId"`
}

func (s *Server) rolesDelete(c *request, in *rolesDeleteIn) (any, error) {
	return nil, s.app.DeleteRole(in.RoleID)
}

// rolesAddUserIn is the body of roles.addUserToRole; roleName is the
// older name of roleId.
type rolesAddUserIn struct {
	RoleID   string `json:"roleId"`
	RoleName string `json:"roleName"`
	UserID   string `json:"userId"`
	Username string `json:"username"`
	RoomID   string `json:"roomId"`
}

func (s *Server) rolesAddUser(c *request, in *rolesAddUserIn) (any, error) {
	if in.UserID == "" && in.Username == "" {
		return nil, app.E("error-invalid-role-properties", "must have required property 'username'")
	}
	role := in.RoleID
	if role == "" {
		role = in.RoleName
	}
	return answerAs("role")(s.app.AddUserToRole(c.ctx, c.user, app.RoleMember{
		Role: role, UserID: in.UserID, Username: in.Username, RoomID: in.RoomID,
	}))
}

// rolesRemoveUserIn is the body of roles.removeUserFromRole: scope is the
// room of a room role (roomId is taken as well).
type rolesRemoveUserIn struct {
	RoleID   string `json:"roleId"`
	RoleName string `json:"roleName"`
	Username string `json:"username"`
	Scope    string `json:"scope"`
	RoomID   string `json:"roomId"`
}

func (s *Server) rolesRemoveUser(c *request, in *rolesRemoveUserIn) (any, error) {
	role := in.RoleID
	if role == "" {
		role = in.RoleName
	}
	rid := in.Scope
	if rid == "" {
		rid = in.RoomID
	}
	return answerAs("role")(s.app.RemoveUserFromRole(c.ctx, app.RoleMember{Role: role, Username: in.Username, RoomID: rid}))
}

type rolesUsersIn struct {
	Role   string `json:"role"`
	RoomID string `json:"roomId"`
}

// rolesUsersDefaultCount is roles.getUsersInRole's page size when the
// query gives none.
const rolesUsersDefaultCount = 50

func (s *Server) rolesUsers(c *request, in *rolesUsersIn, p page) (any, error) {
	count := p.Count
	if !c.r.URL.Query().Has("count") {
		count = rolesUsersDefaultCount
	}
	users, total, err := s.app.UsersInRole(c.ctx, c.user, in.Role, in.RoomID, p.Offset, count)
	if err != nil {
		return nil, err
	}
	return M{"users": users, "total": total}, nil
}

func (s *Server) rolesPublicUsers(c *request) (any, error) {
	return answerAs("users")(s.app.UsersInPublicRoles(c.ctx))
}

// needPermission runs h only for callers holding perm, and answers others
// with the framework's 403, as Rocket.Chat's permissionsRequired does
// before the route looks at its input.
func (s *Server) needPermission(perm string, h handlerFunc) handlerFunc {
	return func(c *request) (any, error) {
		if !s.app.HasPermission(c.user, perm) {
			return nil, app.ErrPermissionsRequired
		}
		return h(c)
	}
}
