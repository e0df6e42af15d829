package api

import (
	"cmp"
	"encoding/json"
	"strings"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/model"
)

// usersCreateIn is the body of users.create.
type usersCreateIn struct {
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

func (s *Server) usersCreate(c *request, in *usersCreateIn) (any, error) {
	return s.userAnswer(c.user)(s.app.CreateUser(c.ctx, c.user, app.NewUser{
		Username: in.Username, Email: in.Email, Name: in.Name, Password: in.Password, Roles: in.Roles,
		Active: in.Active, Verified: in.Verified, JoinDefaultChannels: in.JoinDefaultChannels,
		RequirePasswordChange: in.RequirePasswordChange, Bio: in.Bio, Nickname: in.Nickname,
		StatusText: in.StatusText, CustomFields: in.CustomFields,
	}))
}

// userAnswer is the answer of the routes that return one user, as viewer
// sees it (nil: as the user sees itself).
func (s *Server) userAnswer(viewer *model.User) func(u *model.User, err error) (any, error) {
	return func(u *model.User, err error) (any, error) {
		if err != nil {
			return nil, err
		}
		return M{"user": s.userView(cmp.Or(viewer, u), u)}, nil
	}
}

// ownServices is the services block users.info shows a user about
// themself: whether the account has a password, and its login and
// personal access tokens, without their hashes.
func (s *Server) ownServices(c *request, u *model.User) (M, error) {
	login, personal, err := s.app.OwnTokens(c.ctx, u)
	if err != nil {
		return nil, err
	}
	tokens := make([]M, 0, len(login)+len(personal))
	for _, t := range login {
		tokens = append(tokens, M{"when": t.CreatedAt})
	}
	for _, t := range personal {
		tokens = append(tokens, M{"type": t.Type, "name": t.Name, "createdAt": t.CreatedAt, "lastTokenPart": t.LastTokenPart, "bypassTwoFactor": t.BypassTwoFactor})
	}
	services := M{"resume": M{"loginTokens": tokens}}
	if u.PasswordHash != "" {
		services["password"] = true
	}
	return services, nil
}

// usersRegister is a visitor's registration. Login headers on it change
// nothing: Rocket.Chat does not read them on routes that need no login,
// so its refusal of logged-in callers never fires, and a registration sent
// with an admin's headers registers a new, ordinary user all the same.
func (s *Server) usersRegister(c *request) (any, error) {
	var in struct {
		Username string         `json:"username" in:"required"`
		Email    string         `json:"email" in:"required"`
		Pass     string         `json:"pass" in:"required"`
		Name     string         `json:"name" in:"required"`
		Secret   string         `json:"secret"`
		_        string         `key:"reason"`
		Fields   map[string]any `json:"customFields"`
	}
	if err := c.bindBody(&in); err != nil {
		return nil, err
	}
	if err := s.app.CheckRegistrationNames(in.Name, in.Username); err != nil {
		return nil, err
	}
	return s.userAnswer(nil)(s.app.Register(c.ctx, app.NewUser{Username: in.Username, Email: in.Email, Password: in.Pass, Name: in.Name, CustomFields: in.Fields}, in.Secret))
}

// usersInfoIn is the query of users.info.
type usersInfoIn struct {
	userRefIn
	IncludeUserRooms *bool  `json:"includeUserRooms"`
	Fields           string `json:"fields"`
	_                string `key:"importId"`
}

func (s *Server) usersInfo(c *request, in *usersInfoIn) (any, error) {
	u, err := s.app.GetUser(c.ctx, in.UserID, in.Username)
	if err != nil {
		return nil, err
	}
	view := s.userView(c.user, u)
	if u.ID == c.user.ID {
		services, err := s.ownServices(c, u)
		if err != nil {
			return nil, err
		}
		view["services"] = services
	}
	// The user's rooms, when asked for (includeUserRooms, or the
	// userRooms field) and allowed: one's own, or view-other-user-channels.
	var fields map[string]any
	_ = json.Unmarshal([]byte(in.Fields), &fields)
	if want := (in.IncludeUserRooms != nil && *in.IncludeUserRooms) || fields["userRooms"] == float64(1); want {
		subs, ok, err := s.app.UserRooms(c.ctx, c.user, u.ID)
		if err != nil {
			return nil, err
		}
		if ok {
			rooms := make([]M, 0, len(subs))
			for _, sub := range subs {
				r := M{"_id": sub.ID, "rid": sub.RID, "name": sub.Name, "t": sub.T, "unread": sub.Unread}
				if len(sub.Roles) > 0 {
					r["roles"] = sub.Roles
				}
				rooms = append(rooms, r)
			}
			view["rooms"] = rooms
		}
	}
	return M{"user": view}, nil
}

// usersListIn is the query of users.list.
type usersListIn struct {
	// Rocket.Chat validates no parameters here: clients send Mongo-style
	// filters such as name[$regex], which Parley ignores.
	_      openKeys
	Filter string `json:"filter"`
	_      pageKeys
}

func (s *Server) usersList(c *request, in *usersListIn, p page) (any, error) {
	if err := s.app.CanListUsers(c.user); err != nil {
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
	return pageAnswer("users", users, p, total), nil
}

// usersUpdateIn is the body of users.update.
type usersUpdateIn struct {
	UserID            string         `json:"userId" in:"required,nonempty"`
	Data              map[string]any `json:"data" in:"required"`
	ConfirmRelinquish bool           `json:"confirmRelinquish"`
}

func (s *Server) usersUpdate(c *request, in *usersUpdateIn) (any, error) {
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
	return s.userAnswer(c.user)(s.app.UpdateUser(c.ctx, c.user, in.UserID, app.UserUpdate{
		Username: d.Username, Email: d.Email, Name: d.Name, Password: d.Password, Bio: d.Bio,
		Nickname: d.Nickname, StatusText: d.StatusText, Active: d.Active, Verified: d.Verified,
		RequirePasswordChange: d.RequirePasswordChange, Roles: d.Roles, CustomFields: d.CustomFields,
		CurrentPassword: current, KeepToken: c.token, ConfirmRelinquish: in.ConfirmRelinquish,
	}))
}

// usersDeleteIn is the body of users.delete.
type usersDeleteIn struct {
	UserID            string `json:"userId" in:"oneOf"`
	Username          string `json:"username" in:"oneOf"`
	ConfirmRelinquish bool   `json:"confirmRelinquish"`
}

func (s *Server) usersDelete(c *request, in *usersDeleteIn) (any, error) {
	u, err := s.app.GetUser(c.ctx, in.UserID, in.Username)
	if err != nil {
		return nil, err
	}
	return nil, s.app.DeleteUser(c.ctx, c.user, u.ID, in.ConfirmRelinquish)
}

// setStatusIn is the body of users.setStatus.
type setStatusIn struct {
	Status  *string `json:"status"`
	Message *string `json:"message"`
	UserID  string  `json:"userId"`
	_       string  `key:"username"`
}

func (s *Server) usersSetStatus(c *request, in *setStatusIn) (any, error) {
	if in.Status == nil && in.Message == nil {
		return nil, app.Plain("Match error: Failed Match.OneOf, Match.Maybe or Match.Optional validation")
	}
	return nil, s.app.SetStatus(c.ctx, c.user, in.UserID, in.Status, in.Message)
}

// userRefIn names a user by id or by username.
type userRefIn struct {
	UserID   string `json:"userId"`
	Username string `json:"username"`
}

func (s *Server) usersGetStatus(c *request, in *userRefIn) (any, error) {
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

// setPreferencesIn is the body of users.setPreferences.
type setPreferencesIn struct {
	UserID string         `json:"userId"`
	Data   map[string]any `json:"data" in:"required"`
}

func (s *Server) usersSetPreferences(c *request, in *setPreferencesIn) (any, error) {
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

// generateTokenIn is the body of users.generatePersonalAccessToken.
type generateTokenIn struct {
	TokenName       string `json:"tokenName" in:"required"`
	BypassTwoFactor bool   `json:"bypassTwoFactor"`
	_               string `key:"loginToken"`
}

func (s *Server) usersGenerateToken(c *request, in *generateTokenIn) (any, error) {
	return answerAs("token")(s.app.GeneratePersonalToken(c.ctx, c.user, in.TokenName, in.BypassTwoFactor, c.passwordConfirmation()))
}

func (s *Server) usersListTokens(c *request) (any, error) {
	return answerAs("tokens")(s.app.ListPersonalTokens(c.ctx, c.user))
}

// removeTokenIn is the body of users.removePersonalAccessToken.
type removeTokenIn struct {
	TokenName string `json:"tokenName" in:"required"`
}

func (s *Server) usersRemoveToken(c *request, in *removeTokenIn) (any, error) {
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
