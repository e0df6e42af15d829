package api

import (
	"cmp"
	"strings"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/model"
)

var usersCreateSchema = schema{
	props: map[string]kind{
		"email": kString, "name": kString, "password": kString, "username": kString,
		"active": kBool, "bio": kString, "nickname": kString, "statusText": kString,
		"roles": kStringArray, "joinDefaultChannels": kBool, "requirePasswordChange": kBool,
		"setRandomPassword": kBool, "sendWelcomeEmail": kBool, "verified": kBool,
		"customFields": kObject, "fields": kString,
	},
	required: []string{"email", "name", "password", "username"},
}

func (s *Server) usersCreate(c *request) (any, error) {
	var in struct {
		Email, Name, Password, Username, Bio, Nickname, StatusText string
		Active                                                     *bool
		Roles                                                      []string
		JoinDefaultChannels                                        *bool
		RequirePasswordChange, Verified                            bool
		CustomFields                                               map[string]any
	}
	if err := c.bindBody(usersCreateSchema, &in); err != nil {
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

var usersRegisterSchema = schema{
	props: map[string]kind{
		"username": kString, "email": kString, "pass": kString, "name": kString,
		"secret": kString, "reason": kString, "customFields": kObject,
	},
	required: []string{"username", "email", "pass", "name"},
}

func (s *Server) usersRegister(c *request) (any, error) {
	if c.r.Header.Get("X-User-Id") != "" && c.r.Header.Get("X-Auth-Token") != "" {
		if _, err := s.app.Authenticate(c.ctx, c.r.Header.Get("X-User-Id"), c.r.Header.Get("X-Auth-Token")); err == nil {
			return nil, app.Plain("Logged in users can not register again.")
		}
	}
	var in struct{ Username, Email, Pass, Name, Secret string }
	if err := c.bindBody(usersRegisterSchema, &in); err != nil {
		return nil, err
	}
	u, err := s.app.Register(c.ctx, app.NewUser{Username: in.Username, Email: in.Email, Password: in.Pass, Name: in.Name}, in.Secret)
	if err != nil {
		return nil, err
	}
	return M{"user": s.userView(u, u)}, nil
}

var usersInfoSchema = schema{props: map[string]kind{"userId": kString, "username": kString, "importId": kString, "fields": kString}}

func (s *Server) usersInfo(c *request) (any, error) {
	var in struct{ UserID, Username string }
	if err := c.bindQuery(usersInfoSchema, &in); err != nil {
		return nil, err
	}
	u, err := s.app.GetUser(c.ctx, in.UserID, in.Username)
	if err != nil {
		return nil, err
	}
	return M{"user": s.userView(c.user, u)}, nil
}

var usersListSchema = schema{props: map[string]kind{
	"offset": kInteger, "count": kInteger, "sort": kString, "fields": kString, "query": kString, "filter": kString,
}}

func (s *Server) usersList(c *request) (any, error) {
	var in struct{ Filter string }
	if err := c.bindQuery(usersListSchema, &in); err != nil {
		return nil, err
	}
	p, err := c.page()
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

var usersUpdateSchema = schema{
	props:    map[string]kind{"userId": kString, "data": kObject, "confirmRelinquish": kBool},
	required: []string{"userId", "data"},
}

var usersUpdateDataSchema = schema{props: map[string]kind{
	"email": kString, "name": kString, "password": kString, "username": kString, "bio": kString,
	"nickname": kString, "statusText": kString, "active": kBool, "roles": kStringArray,
	"joinDefaultChannels": kBool, "requirePasswordChange": kBool, "sendWelcomeEmail": kBool,
	"verified": kBool, "customFields": kObject, "setRandomPassword": kBool, "currentPassword": kString,
}}

func (s *Server) usersUpdate(c *request) (any, error) {
	var in struct {
		UserID string         `json:"userId"`
		Data   map[string]any `json:"data"`
	}
	if err := c.bindBody(usersUpdateSchema, &in); err != nil {
		return nil, err
	}
	var d struct {
		Email, Name, Password, Username, Bio, Nickname, StatusText *string
		Active, Verified, RequirePasswordChange                    *bool
		Roles                                                      *[]string
		CustomFields                                               map[string]any
		CurrentPassword                                            string `json:"currentPassword"`
	}
	if err := decode(in.Data, usersUpdateDataSchema, &d); err != nil {
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

var usersDeleteSchema = schema{
	props: map[string]kind{"userId": kString, "username": kString, "confirmRelinquish": kBool},
	oneOf: [][]string{{"userId"}, {"username"}},
}

func (s *Server) usersDelete(c *request) (any, error) {
	var in struct{ UserID, Username string }
	if err := c.bindBody(usersDeleteSchema, &in); err != nil {
		return nil, err
	}
	u, err := s.app.GetUser(c.ctx, in.UserID, in.Username)
	if err != nil {
		return nil, err
	}
	return nil, s.app.DeleteUser(c.ctx, c.user, u.ID)
}

var usersSetStatusSchema = schema{props: map[string]kind{"status": kString, "message": kString, "userId": kString, "username": kString}}

func (s *Server) usersSetStatus(c *request) (any, error) {
	var in struct {
		Status, Message *string
		UserID          string `json:"userId"`
	}
	if err := c.bindBody(usersSetStatusSchema, &in); err != nil {
		return nil, err
	}
	if in.Status == nil && in.Message == nil {
		return nil, app.Invalid("must have required property 'status'")
	}
	return nil, s.app.SetStatus(c.ctx, c.user, in.UserID, in.Status, in.Message)
}

var usersGetStatusSchema = schema{props: map[string]kind{"userId": kString, "username": kString}}

func (s *Server) usersGetStatus(c *request) (any, error) {
	var in struct{ UserID, Username string }
	if err := c.bindQuery(usersGetStatusSchema, &in); err != nil {
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

var usersSetPreferencesSchema = schema{
	props:    map[string]kind{"userId": kString, "data": kObject},
	required: []string{"data"},
}

func (s *Server) usersSetPreferences(c *request) (any, error) {
	var in struct {
		UserID string         `json:"userId"`
		Data   map[string]any `json:"data"`
	}
	if err := c.bindBody(usersSetPreferencesSchema, &in); err != nil {
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

var tokenNameSchema = schema{
	props:    map[string]kind{"tokenName": kString, "bypassTwoFactor": kBool},
	required: []string{"tokenName"},
}

func (s *Server) usersGenerateToken(c *request) (any, error) {
	var in struct {
		TokenName       string `json:"tokenName"`
		BypassTwoFactor bool   `json:"bypassTwoFactor"`
	}
	if err := c.bindBody(tokenNameSchema, &in); err != nil {
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
		TokenName string `json:"tokenName"`
	}
	if err := c.bindBody(schema{props: map[string]kind{"tokenName": kString}, required: []string{"tokenName"}}, &in); err != nil {
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
