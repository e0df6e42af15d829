package app

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// autocompleteLimit is how many users or rooms the autocompletes answer at
// most, as in Rocket.Chat.
const autocompleteLimit = 10

// AutocompleteSelector is the selector of users.autocomplete.
type AutocompleteSelector struct {
	Term       string         `json:"term"`
	Exceptions []string       `json:"exceptions"`
	Conditions map[string]any `json:"conditions"`
}

// errInvalidQuery refuses conditions Parley cannot apply: operators other
// than $and and $or, and tests other than plain equality.
var errInvalidQuery = E("error-invalid-query", "Invalid query")

// userCondFields are the fields a selector's conditions may test.
var userCondFields = map[string]bool{"_id": true, "username": true, "name": true, "type": true, "status": true, "statusText": true, "active": true, "roles": true}

// parseUserCond turns Mongo-style conditions ({field: value, $and: [...],
// $or: [...]}) into a store.UserCond.
func parseUserCond(m map[string]any, depth int) (store.UserCond, error) {
	var c store.UserCond
	if depth > 8 {
		return c, errInvalidQuery
	}
	for k, v := range m {
		switch {
		case k == "$and" || k == "$or":
			list, ok := v.([]any)
			if !ok {
				return c, errInvalidQuery
			}
			for _, item := range list {
				sub, ok := item.(map[string]any)
				if !ok {
					return c, errInvalidQuery
				}
				sc, err := parseUserCond(sub, depth+1)
				if err != nil {
					return c, err
				}
				if k == "$and" {
					c.And = append(c.And, sc)
				} else {
					c.Or = append(c.Or, sc)
				}
			}
		case strings.HasPrefix(k, "$"):
			return c, errInvalidQuery
		default:
			switch v.(type) {
			case string, bool:
			default:
				return c, errInvalidQuery
			}
			if !userCondFields[k] {
				// An unknown field equals nothing.
				c.And = append(c.And, store.UserCond{Field: "_id", Value: false})
				continue
			}
			c.And = append(c.And, store.UserCond{Field: k, Value: v})
		}
	}
	return c, nil
}

// ParseAutocompleteSelector decodes the selector parameter.
func ParseAutocompleteSelector(raw string) (AutocompleteSelector, error) {
	var sel AutocompleteSelector
	if err := json.Unmarshal([]byte(raw), &sel); err != nil {
		return sel, Invalid("selector must be a JSON object")
	}
	return sel, nil
}

// AutocompleteUsers is users.autocomplete: active users whose username or
// name contains the term, except the given usernames. Without
// view-outside-room, only the users who share a room with the caller.
func (a *App) AutocompleteUsers(ctx context.Context, actor *model.User, sel AutocompleteSelector) ([]*model.User, error) {
	f := store.UserFilter{Search: strings.TrimSpace(sel.Term), Active: ptr(true), NotUsernames: sel.Exceptions}
	if sel.Conditions != nil {
		c, err := parseUserCond(sel.Conditions, 0)
		if err != nil {
			return nil, err
		}
		f.Cond = &c
	}
	if !a.HasPermission(actor, "view-outside-room") {
		f.SharesRoomWith = actor.ID
		f.NotIDs = []string{actor.ID}
	}
	list, _, err := a.store.Users().Find(ctx, f, store.ListOptions{Count: autocompleteLimit, Sort: []store.SortField{{Field: "username"}}})
	return list, a.storeErr(err)
}

func ptr[T any](v T) *T { return &v }

// UsersByStatus is the query of users.listByStatus.
type UsersByStatus struct {
	Status      string // "active", "deactivated" or "" (all)
	HasLoggedIn *bool
	Type        string
	Roles       []string // "all" or none: any role
	SearchTerm  string
}

// ListUsersByStatus is users.listByStatus, the administration's user list.
// It needs view-d-room and view-outside-room, as in Rocket.Chat; email
// addresses are searched only for holders of view-full-other-user-info.
func (a *App) ListUsersByStatus(ctx context.Context, actor *model.User, in UsersByStatus, opts store.ListOptions) ([]*model.User, int, error) {
	if !a.HasPermission(actor, "view-d-room") || !a.HasPermission(actor, "view-outside-room") {
		return nil, 0, ErrPermissionsRequired
	}
	f := store.UserFilter{Search: strings.TrimSpace(in.SearchTerm), SearchEmail: a.HasPermission(actor, "view-full-other-user-info"), HasLoggedIn: in.HasLoggedIn}
	switch in.Status {
	case "active":
		f.Active = ptr(true)
	case "deactivated":
		f.Active = ptr(false)
	}
	if in.Type != "" {
		f.Types = []string{in.Type}
	}
	all := false
	for _, r := range in.Roles {
		all = all || r == "all"
	}
	if len(in.Roles) > 0 && !all {
		f.Roles = in.Roles
	}
	// Sorting by status sorts by active as well, as Rocket.Chat does.
	for _, s := range opts.Sort {
		if s.Field == "status" {
			opts.Sort = append(opts.Sort, store.SortField{Field: "active", Desc: s.Desc})
			break
		}
	}
	list, total, err := a.store.Users().Find(ctx, f, opts)
	return list, total, a.storeErr(err)
}

// CanListUsers is users.list's gate: view-d-room, and view-outside-room
// too while API_Apply_permission_view-outside-room_on_users-list is on.
func (a *App) CanListUsers(actor *model.User) error {
	if !a.HasPermission(actor, "view-d-room") {
		return ErrForbidden
	}
	if a.Settings.Bool("API_Apply_permission_view-outside-room_on_users-list") && !a.HasPermission(actor, "view-outside-room") {
		return ErrForbidden
	}
	return nil
}

// DeactivateIdle is users.deactivateIdle: it deactivates the active users
// holding role who have not logged in for daysIdle days (or never), logs
// them out, and says how many there were.
func (a *App) DeactivateIdle(ctx context.Context, actor *model.User, daysIdle int, role string) (int, error) {
	if !a.HasPermission(actor, "edit-other-user-active-status") {
		return 0, ErrForbidden
	}
	if role == "" {
		role = "user"
	}
	cutoff := model.FromTime(a.clock().AddDate(0, 0, -daysIdle))
	list, _, err := a.store.Users().Find(ctx, store.UserFilter{Active: ptr(true), Roles: []string{role}}, store.ListOptions{})
	if err != nil {
		return 0, a.storeErr(err)
	}
	n := 0
	for _, u := range list {
		// Idle since the cutoff: the last login, or the account's creation
		// for users who never logged in.
		since := u.CreatedAt
		if u.LastLogin != nil {
			since = *u.LastLogin
		}
		if since > cutoff {
			continue
		}
		err := a.changeUser(ctx, u.ID, func(st store.Store, u *model.User) error {
			if !u.Active {
				return nil
			}
			u.Active = false
			n++
			a.emit(st, events.LoggedOut, "", u.ID, "")
			return st.Tokens().DeleteByUser(ctx, u.ID)
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// UserRooms lists the subscriptions of userID, by type and name, for
// users.info's rooms: ok is false unless actor is that user or holds
// view-other-user-channels.
func (a *App) UserRooms(ctx context.Context, actor *model.User, userID string) (subs []*model.Subscription, ok bool, err error) {
	if actor.ID != userID && !a.HasPermission(actor, "view-other-user-channels") {
		return nil, false, nil
	}
	subs, err = a.store.Subscriptions().ListByUser(ctx, userID, 0)
	if err != nil {
		return nil, false, a.storeErr(err)
	}
	slices.SortFunc(subs, func(x, y *model.Subscription) int {
		return cmp.Or(cmp.Compare(x.T, y.T), cmp.Compare(x.Name, y.Name))
	})
	return subs, true, nil
}

// presenceWindow is how far back users.presence's from may reach for a
// partial answer; older (or no) from answers the full list.
const presenceWindow = 10 * time.Minute

// Presence is users.presence. ids asks for those users among the ones not
// offline; a from within the last ten minutes asks for the users changed
// since then (except the caller); otherwise every user not offline.
func (a *App) Presence(ctx context.Context, actor *model.User, from string, ids []string) (users []*model.User, full bool, err error) {
	if a.Settings.Bool("Presence_broadcast_disabled") {
		return []*model.User{}, true, nil
	}
	f := store.UserFilter{NotOffline: true}
	full = true
	switch {
	case len(ids) > 0:
		f.IDs, full = ids, false
	case from != "":
		if ts, perr := time.Parse(time.RFC3339Nano, from); perr == nil && a.clock().Sub(ts) < presenceWindow {
			f = store.UserFilter{UpdatedSince: model.FromTime(ts), NotIDs: []string{actor.ID}}
			full = false
		}
	}
	users, _, err = a.store.Users().Find(ctx, f, store.ListOptions{})
	return users, full, a.storeErr(err)
}

// GetPresence is users.getPresence: the presence of the user named, or
// the caller's own (with the connection status and last login) when
// nobody else is named.
func (a *App) GetPresence(ctx context.Context, actor *model.User, ref UserRef) (u *model.User, self bool, err error) {
	if isSelf(actor, ref) {
		u, err = a.store.Users().Get(ctx, actor.ID)
		return u, true, a.notFoundUser(a.storeErr(err))
	}
	u, err = a.userFromParams(ctx, ref)
	return u, false, err
}

// ListUserTeams is users.listTeams: the teams userID (default the caller)
// belongs to. Without view-all-teams the caller sees only the public teams
// and the private ones they are in as well.
func (a *App) ListUserTeams(ctx context.Context, actor *model.User, userID string) ([]UserTeam, error) {
	if userID == "" {
		userID = actor.ID
	}
	viewer := actor
	if a.HasPermission(actor, "view-all-teams") {
		viewer = nil
	}
	return a.UserTeams(ctx, viewer, userID)
}
