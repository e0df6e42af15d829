package api

import (
	"net/http"
	"strings"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/model"
)

// login accepts {user|username|email, password} (JSON or form), a password
// given as {digest, algorithm:"sha-256"}, or {resume: token}.
func (s *Server) login(c *request) (any, error) {
	body, err := readBody(c.r)
	if err != nil {
		return nil, err
	}
	in := app.LoginInput{}
	str := func(k string) string { v, _ := body[k].(string); return v }
	in.User, in.Username, in.Email, in.Resume = str("user"), str("username"), str("email"), str("resume")
	switch p := body["password"].(type) {
	case string:
		in.Password = p
	case map[string]any:
		d, _ := p["digest"].(string)
		alg, _ := p["algorithm"].(string)
		if alg != "sha-256" || d == "" {
			return nil, loginFailure("Unauthorized")
		}
		in.Digest = d
	}
	if in.Resume == "" && in.Password == "" && in.Digest == "" {
		return nil, loginFailure("Unauthorized")
	}
	in.IP = s.clientIP(c.r)
	res, err := s.app.Login(c.ctx, in)
	if err != nil {
		if e, ok := app.AsError(err); ok && e.Status == http.StatusUnauthorized {
			if e.Plain || e.Type == "" {
				return nil, loginFailure(e.Reason)
			}
			// A Meteor error: its code as error, its reason as message.
			return nil, &loginError{code: e.Type, reason: e.Reason}
		}
		return nil, err
	}
	setUserID(c.r, res.User.ID)
	return M{"status": "success", "data": M{
		"userId": res.User.ID, "authToken": res.Token, "me": s.meView(res.User),
	}}, nil
}

// loginFailure is the 401 envelope of a failed login, with Meteor's legacy
// status/message keys.
func loginFailure(reason string) error {
	return &loginError{code: reason, reason: reason}
}

type loginError struct{ code, reason string }

func (e *loginError) Error() string { return e.reason }

func (s *Server) logout(c *request) (any, error) {
	if err := s.app.Logout(c.ctx, c.user, c.token); err != nil {
		return nil, err
	}
	return raw{"status": "success", "data": M{"message": "You've been logged out!"}}, nil
}

func (s *Server) me(c *request) (any, error) {
	// The request's user may come from the short login memo; me shows the
	// stored document, as changed a moment ago on any node.
	u, err := s.app.GetUser(c.ctx, c.user.ID, "")
	if err != nil {
		return nil, err
	}
	return M(s.meView(u)), nil
}

// meView is the caller's own user document, as login and me return it.
func (s *Server) meView(u *model.User) map[string]any {
	prefs := map[string]any{}
	if u.Settings != nil {
		for k, v := range u.Settings.Preferences {
			prefs[k] = v
		}
	}
	m := map[string]any{
		"_id": u.ID, "username": u.Username, "name": u.Name, "type": u.Type,
		"status": u.Status, "statusConnection": u.StatusConnection, "statusText": u.StatusText,
		"utcOffset": u.UTCOffset, "active": u.Active, "roles": u.Roles,
		"emails": u.Emails, "createdAt": u.CreatedAt, "_updatedAt": u.UpdatedAt,
		"settings":              map[string]any{"profile": map[string]any{}, "preferences": prefs},
		"avatarUrl":             strings.TrimRight(s.app.SiteURL(), "/") + "/avatar/" + u.Username,
		"isOAuthUser":           false,
		"services":              map[string]any{"password": map[string]any{"exists": u.PasswordHash != ""}},
		"requirePasswordChange": u.RequirePasswordChange,
	}
	if u.Emails == nil {
		m["emails"] = []model.Email{}
	} else {
		m["email"] = u.Emails[0].Address
	}
	if u.Language != "" {
		m["language"] = u.Language
	}
	if u.LastLogin != nil {
		m["lastLogin"] = *u.LastLogin
	}
	if u.Bio != "" {
		m["bio"] = u.Bio
	}
	if u.Nickname != "" {
		m["nickname"] = u.Nickname
	}
	return m
}

// userView is another user as users.info and users.list show them: private
// fields only for the user themself or holders of view-full-other-user-info.
func (s *Server) userView(viewer, u *model.User) map[string]any {
	m := map[string]any{
		"_id": u.ID, "username": u.Username, "name": u.Name, "type": u.Type,
		"status": u.Status, "active": u.Active, "utcOffset": u.UTCOffset,
		"createdAt": u.CreatedAt, "_updatedAt": u.UpdatedAt,
	}
	if u.StatusText != "" {
		m["statusText"] = u.StatusText
	}
	if u.Bio != "" {
		m["bio"] = u.Bio
	}
	if u.Nickname != "" {
		m["nickname"] = u.Nickname
	}
	if u.AvatarETag != "" {
		m["avatarETag"] = u.AvatarETag
	}
	if viewer != nil && (viewer.ID == u.ID || s.app.HasPermission(viewer, "view-full-other-user-info")) {
		m["roles"] = u.Roles
		if u.Emails != nil {
			m["emails"] = u.Emails
		}
		if u.LastLogin != nil {
			m["lastLogin"] = *u.LastLogin
		}
		if u.CustomFields != nil {
			m["customFields"] = u.CustomFields
		}
		m["requirePasswordChange"] = u.RequirePasswordChange
	}
	return m
}
