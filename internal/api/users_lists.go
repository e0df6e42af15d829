package api

import (
	"strings"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/model"
)

// userBrief is a user as the lists of the users API show one: the fields
// Rocket.Chat projects, the absent ones left out.
func userBrief(u *model.User, fields ...string) M {
	m := M{"_id": u.ID}
	for _, f := range fields {
		switch f {
		case "username":
			m["username"] = u.Username
		case "name":
			if u.Name != "" {
				m["name"] = u.Name
			}
		case "nickname":
			if u.Nickname != "" {
				m["nickname"] = u.Nickname
			}
		case "status":
			m["status"] = cmpOr(u.Status, "offline")
		case "statusText":
			if u.StatusText != "" {
				m["statusText"] = u.StatusText
			}
		case "utcOffset":
			m["utcOffset"] = u.UTCOffset
		case "avatarETag":
			if u.AvatarETag != "" {
				m["avatarETag"] = u.AvatarETag
			}
		case "active":
			m["active"] = u.Active
		case "roles":
			m["roles"] = u.Roles
		case "type":
			m["type"] = u.Type
		case "lastLogin":
			if u.LastLogin != nil {
				m["lastLogin"] = *u.LastLogin
			}
		case "emails":
			if len(u.Emails) > 0 {
				m["emails"] = u.Emails
			}
		}
	}
	return m
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// autocompleteIn is the query of users.autocomplete.
type autocompleteIn struct {
	Selector string `json:"selector" in:"required"`
}

func (s *Server) usersAutocomplete(c *request, in *autocompleteIn) (any, error) {
	sel, err := app.ParseAutocompleteSelector(in.Selector)
	if err != nil {
		return nil, err
	}
	list, err := s.app.AutocompleteUsers(c.ctx, c.user, sel)
	if err != nil {
		return nil, err
	}
	items := make([]M, 0, len(list))
	for _, u := range list {
		items = append(items, userBrief(u, "name", "username", "nickname", "status", "avatarETag"))
	}
	return M{"items": items}, nil
}

// listByStatusIn is the query of users.listByStatus.
type listByStatusIn struct {
	Status      string   `json:"status"`
	HasLoggedIn *bool    `json:"hasLoggedIn"`
	Type        string   `json:"type"`
	Roles       []string `json:"roles"`
	SearchTerm  string   `json:"searchTerm"`
	_           []string `key:"roles[]"`
	_           string   `key:"inactiveReason"`
	_           pageKeys
}

func (s *Server) usersListByStatus(c *request, in *listByStatusIn, p page) (any, error) {
	if in.Status != "" && in.Status != "active" && in.Status != "deactivated" {
		return nil, app.Invalid("must be equal to one of the allowed values")
	}
	roles := append(in.Roles, c.r.URL.Query()["roles[]"]...)
	list, total, err := s.app.ListUsersByStatus(c.ctx, c.user, app.UsersByStatus{
		Status: in.Status, HasLoggedIn: in.HasLoggedIn, Type: in.Type, Roles: roles, SearchTerm: in.SearchTerm,
	}, p.opts())
	if err != nil {
		return nil, err
	}
	full := s.app.HasPermission(c.user, "view-full-other-user-info")
	users := make([]M, 0, len(list))
	for _, u := range list {
		fields := []string{"name", "username", "roles", "status", "active", "avatarETag", "lastLogin", "type"}
		if full {
			fields = append(fields, "emails")
		}
		users = append(users, userBrief(u, fields...))
	}
	return pageAnswer("users", users, p, total), nil
}

// presenceIn is the query of users.presence.
type presenceIn struct {
	From string `json:"from"`
	IDs  any    `json:"ids" in:"stringOrArray"`
}

func (s *Server) usersPresence(c *request, in *presenceIn) (any, error) {
	var ids []string
	switch v := in.IDs.(type) {
	case string:
		for _, id := range strings.Split(v, ",") {
			if id = strings.TrimSpace(id); id != "" {
				ids = append(ids, id)
			}
		}
	case []any:
		for _, x := range v {
			if id, ok := x.(string); ok && id != "" {
				ids = append(ids, id)
			}
		}
	}
	list, full, err := s.app.Presence(c.ctx, c.user, in.From, ids)
	if err != nil {
		return nil, err
	}
	users := make([]M, 0, len(list))
	for _, u := range list {
		users = append(users, userBrief(u, "username", "name", "status", "utcOffset", "statusText", "avatarETag"))
	}
	return M{"users": users, "full": full}, nil
}

func (s *Server) usersGetPresence(c *request, in *userRefIn) (any, error) {
	u, self, err := s.app.GetPresence(c.ctx, c.user, app.UserRef{ID: in.UserID, Username: in.Username})
	if err != nil {
		return nil, err
	}
	out := M{"presence": cmpOr(u.Status, "offline")}
	if self {
		out["connectionStatus"] = cmpOr(u.StatusConnection, "offline")
		if u.LastLogin != nil {
			out["lastLogin"] = *u.LastLogin
		}
	}
	return out, nil
}

// listTeamsIn is the query of users.listTeams.
type listTeamsIn struct {
	UserID string `json:"userId"`
}

func (s *Server) usersListTeams(c *request, in *listTeamsIn) (any, error) {
	return answerAs("teams")(s.app.ListUserTeams(c.ctx, c.user, in.UserID))
}
