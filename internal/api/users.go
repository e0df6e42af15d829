package api

import (
	"cmp"
	"strings"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/model"
)

func (s *Server) usersCreate(c *request) (any, error) {
	var in struct {
		Email                 string         `json:"email" in:"required"`
		Name                  string         `json:"name" in:"required"`
		Password              string         `json:"password" in:"required"`
		Username              string         `json:"username" in:"required"`
		Active                *bool          `json:"active"`
		Bio                   string         `json:"bio"`
		Nickname              string         `json:"nickname"`
		StatusText            string         `json:"statusText"`
		Roles                 []string       `json:"roles"`
		JoinDefaultChannels   *bool          `json:"joinDefaultChannels"`
		RequirePasswordChange bool           `json:"requirePasswordChange"`
		Verified              bool           `json:"verified"`
		CustomFields          map[string]any `json:"customFields"`
		_                     bool           `key:"setRandomPassword"`
		_                     bool           `key:"sendWelcomeEmail"`
		_                     string         `key:"fields"`
	}
	if err := c.bindBody(&in); err != nil {
		return nil, err
	}
	u, err := s.app.CreateUser(c.ctx, c.user, app.NewUser{
		Username: in.Username, Email: in.Email, Name: in.Name, Password: in.Password, Roles: in.Roles,
		Active: in.Active, Verified: in.Verified, JoinDefaultChannels: in.JoinDefaultChannels,
		RequirePasswordChange: in.RequirePasswordChange, Bio: in.Bio, Nickname: in.Nickname,
		StatusText: in.StatusText, CustomFields: in.CustomFields,
	})
	if err != nil {
		return nil, err
	}
	return M{"user": s.userView(c.user, u)}, nil
}

func (s *Server) usersRegister(c *request) (any, error) {
	if c.r.Header.Get("X-User-Id") != "" && c.r.Header.Get("X-Auth-Token") != "" {
		if _, err := s.app.Authenticate(c.ctx, c.r.Header.Get("X-User-Id"), c.r.Header.Get("X-Auth-Token")); err == nil {
			return nil, app.Plain("Logged in users can not register again.")
		}
	}
	var in struct {
		Username string         `json:"username" in:"required"`
		Email    string         `json:"email" in:"required"`
		Pass     string         `json:"pass" in:"required"`
		Name     string         `json:"name" in:"required"`
		Secret   string         `json:"secret"`
		_        string         `key:"reason"`
		_        map[string]any `key:"customFields"`
	}
	if err := c.bindBody(&in); err != nil {
		return nil, err
	}
	u, err := s.app.Register(c.ctx, app.NewUser{Username: in.Username, Email: in.Email, Password: in.Pass, Name: in.Name}, in.Secret)
	if err != nil {
		return nil, err
	}
	return M{"user": s.userView(u, u)}, nil
}

func (s *Server) usersInfo(c *request) (any, error) {
	var in struct {
		userRefIn
		_ string `key:"importId"`
		_ string `key:"fields"`
	}
	if err := c.bindQuery(&in); err != nil {
		return nil, err
	}
	u, err := s.app.GetUser(c.ctx, in.UserID, in.Username)
	if err != nil {
		return nil, err
	}
	return M{"user": s.userView(c.user, u)}, nil
}

func (s *Server) usersList(c *request) (any, error) {
	var in struct {
		Filter string `json:"filter"`
		pageKeys
	}
	p, err := c.queryPage(&in)
	if err != nil {
		return nil, err
	}
	list, total, err := s.app.ListUsers(c.ctx, in.Filter, p.opts())
	if err != nil {
		return nil, err
	}
	users := make([]map[string]any, 0, len(list))
	for _, u := range list {
		users = append(users, s.userView(c.user, u))
	}
	return M{"users": users, "count": len(users), "offset": p.Offset, "total": total}, nil
}

func (s *Server) usersUpdate(c *request) (any, error) {
	var in struct {
		UserID string         `json:"userId" in:"required"`
		Data   map[string]any `json:"data" in:"required"`
		_      bool           `key:"confirmRelinquish"`
	}
	if err := c.bindBody(&in); err != nil {
		return nil, err
	}
	var d struct {
		Email                 *string        `json:"email"`
		Name                  *string        `json:"name"`
		Password              *string        `json:"password"`
		Username              *string        `json:"username"`
		Bio                   *string        `json:"bio"`
		Nickname              *string        `json:"nickname"`
		StatusText            *string        `json:"statusText"`
		Active                *bool          `json:"active"`
		Verified              *bool          `json:"verified"`
		RequirePasswordChange *bool          `json:"requirePasswordChange"`
		Roles                 *[]string      `json:"roles"`
		CustomFields          map[string]any `json:"customFields"`
		CurrentPassword       string         `json:"currentPassword"`
		_                     bool           `key:"joinDefaultChannels"`
		_                     bool           `key:"sendWelcomeEmail"`
		_                     bool           `key:"setRandomPassword"`
	}
	if err := decode(in.Data, &d); err != nil {
		return nil, err
	}
	current := d.CurrentPassword
	if current == "" {
		current = c.passwordConfirmation()
	}
	u, err := s.app.UpdateUser(c.ctx, c.user, in.UserID, app.UserUpdate{
		Username: d.Username, Email: d.Email, Name: d.Name, Password: d.Password, Bio: d.Bio,
		Nickname: d.Nickname, StatusText: d.StatusText, Active: d.Active, Verified: d.Verified,
		RequirePasswordChange: d.RequirePasswordChange, Roles: d.Roles, CustomFields: d.CustomFields,
		CurrentPassword: current, KeepToken: c.token,
	})
	if err != nil {
		return nil, err
	}
	return M{"user": s.userView(c.user, u)}, nil
}

func (s *Server) usersDelete(c *request) (any, error) {
	var in struct {
		UserID   string `json:"userId" in:"oneOf"`
		Username string `json:"username" in:"oneOf"`
		_        bool   `key:"confirmRelinquish"`
	}
	if err := c.bindBody(&in); err != nil {
		return nil, err
	}
	u, err := s.app.GetUser(c.ctx, in.UserID, in.Username)
	if err != nil {
		return nil, err
	}
	return nil, s.app.DeleteUser(c.ctx, c.user, u.ID)
}

func (s *Server) usersSetStatus(c *request) (any, error) {
	var in struct {
		Status  *string `json:"status"`
		Message *string `json:"message"`
		UserID  string  `json:"userId"`
		_       string  `key:"username"`
	}
	if err := c.bindBody(&in); err != nil {
		return nil, err
	}
	if in.Status == nil && in.Message == nil {
		return nil, app.Invalid("must have required property 'status'")
	}
	return nil, s.app.SetStatus(c.ctx, c.user, in.UserID, in.Status, in.Message)
}

// userRefIn names a user by id or by username.
type userRefIn struct {
	UserID   string `json:"userId"`
	Username string `json:"username"`
}

func (s *Server) usersGetStatus(c *request) (any, error) {
	var in userRefIn
	if err := c.bindQuery(&in); err != nil {
		return nil, err
	}
	u := c.user
	if in.UserID != "" || in.Username != "" {
		var err error
		if u, err = s.app.GetUser(c.ctx, in.UserID, in.Username); err != nil {
			return nil, err
		}
	}
	conn := u.StatusConnection
	if conn == "" {
		conn = "offline"
	}
	return M{"_id": u.ID, "message": u.StatusText, "connectionStatus": conn, "status": u.Status}, nil
}

func (s *Server) usersSetPreferences(c *request) (any, error) {
	var in struct {
		UserID string         `json:"userId"`
		Data   map[string]any `json:"data" in:"required"`
	}
	if err := c.bindBody(&in); err != nil {
		return nil, err
	}
	var (
		u   *model.User
		err error
	)
	target := cmp.Or(in.UserID, c.user.ID)
	// The method's path: the notification preferences reach the user's
	// subscriptions too.
	if err = s.app.SaveUserPreferences(c.ctx, c.user, target, in.Data); err == nil {
		u, err = s.app.GetUser(c.ctx, target, "")
	}
	if err != nil {
		return nil, err
	}
	return M{"user": M{"_id": u.ID, "settings": M{"preferences": preferences(u)}}}, nil
}

func preferences(u *model.User) map[string]any {
	if u.Settings == nil || u.Settings.Preferences == nil {
		return map[string]any{}
	}
	return u.Settings.Preferences
}

func (s *Server) usersGetPreferences(c *request) (any, error) {
	return M{"preferences": preferences(c.user)}, nil
}

func (s *Server) usersGenerateToken(c *request) (any, error) {
	var in struct {
		TokenName       string `json:"tokenName" in:"required"`
		BypassTwoFactor bool   `json:"bypassTwoFactor"`
	}
	if err := c.bindBody(&in); err != nil {
		return nil, err
	}
	tok, err := s.app.GeneratePersonalToken(c.ctx, c.user, in.TokenName, in.BypassTwoFactor, c.passwordConfirmation())
	if err != nil {
		return nil, err
	}
	return M{"token": tok}, nil
}

func (s *Server) usersListTokens(c *request) (any, error) {
	list, err := s.app.ListPersonalTokens(c.ctx, c.user)
	if err != nil {
		return nil, err
	}
	return M{"tokens": list}, nil
}

func (s *Server) usersRemoveToken(c *request) (any, error) {
	var in struct {
		TokenName string `json:"tokenName" in:"required"`
	}
	if err := c.bindBody(&in); err != nil {
		return nil, err
	}
	return nil, s.app.RemovePersonalToken(c.ctx, c.user, in.TokenName)
}

// passwordConfirmation is the password a request confirms itself with, the
// way Rocket.Chat's two-factor check takes it: the x-2fa-code header holds
// the hex SHA-256 of the password when x-2fa-method is "password".
func (c *request) passwordConfirmation() string {
	if strings.EqualFold(strings.TrimSpace(c.r.Header.Get("X-2fa-Method")), "password") {
		return strings.TrimSpace(c.r.Header.Get("X-2fa-Code"))
	}
	return ""
}
