package app

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// DirectoryQuery is what the directory endpoint searches.
type DirectoryQuery struct {
	Text string
	// Type is "channels" (the default), "users" or "teams".
	Type string
	// Workspace is "local" (the default) or "all"; Parley has no
	// federation, so both search the same users.
	Workspace string
	// SortBy names one field; Desc reverses it.
	SortBy string
	Desc   bool
}

// errVerifyParams is the directory's answer to a search it cannot run.
var errVerifyParams = Plain("Please verify the parameters")

// Directory searches the workspace's channels, users or teams, as
// Rocket.Chat's directory does. It returns one page and the total.
func (a *App) Directory(ctx context.Context, actor *model.User, q DirectoryQuery, offset, count int) ([]map[string]any, int, error) {
	if q.Type == "" {
		q.Type = "channels"
	}
	if q.SortBy == "" {
		q.SortBy = "name"
	}
	allowed := []string{"name", "createdAt", "usersCount"}
	switch q.Type {
	case "channels", "teams":
		allowed = append(allowed, "usernames", "lastMessage")
	case "users":
		allowed = append(allowed, "username", "email", "bio")
	default:
		return nil, 0, errVerifyParams
	}
	if !slices.Contains(allowed, q.SortBy) {
		return nil, 0, errVerifyParams
	}
	if count <= 0 {
		count = 10
	}
	switch q.Type {
	case "users":
		return a.directoryUsers(ctx, actor, q, offset, count)
	}
	return a.directoryChannels(ctx, actor, q, offset, count)
}

// directoryChannels lists the public channels, and the groups the actor
// belongs to, whose name contains the text; featured rooms first. For
// type teams it lists only team main rooms, each with its roomsCount.
func (a *App) directoryChannels(ctx context.Context, actor *model.User, q DirectoryQuery, offset, count int) ([]map[string]any, int, error) {
	teams := q.Type == "teams"
	if !a.HasPermission(actor, "view-c-room") {
		return nil, 0, errVerifyParams
	}
	subs, err := a.store.Subscriptions().ListByUser(ctx, actor.ID, 0)
	if err != nil {
		return nil, 0, a.storeErr(err)
	}
	mine := map[string]bool{}
	for _, s := range subs {
		mine[s.RID] = true
	}
	rooms, _, err := a.store.Rooms().List(ctx, store.RoomFilter{Types: []string{model.RoomChannel, model.RoomGroup}}, store.ListOptions{})
	if err != nil {
		return nil, 0, a.storeErr(err)
	}
	var list []*model.Room
	for _, r := range rooms {
		if r.Prid != "" || (r.T != model.RoomChannel && !mine[r.ID]) || !nameHas(r, q.Text) || (teams && !r.TeamMain) {
			continue
		}
		list = append(list, r)
	}
	field := q.SortBy
	switch field {
	case "createdAt":
		field = "ts"
	case "lastMessage":
		field = "lm"
	}
	keys := []store.SortField{{Field: "featured", Desc: true}, {Field: field, Desc: q.Desc}}
	sort.SliceStable(list, func(i, j int) bool { return lessRoom(list[i], list[j], keys) })
	out := []map[string]any{}
	for _, r := range pageOf(list, offset, count) {
		e := map[string]any{"_id": r.ID, "t": r.T, "name": r.Name, "fname": r.FName, "ts": r.Ts,
			"default": r.Default, "featured": r.Featured, "usersCount": r.UsersCount}
		if r.Description != "" {
			e["description"] = r.Description
		}
		if r.Topic != "" {
			e["topic"] = r.Topic
		}
		if r.Archived {
			e["archived"] = true
		}
		if len(r.LastMessage) > 0 {
			e["lastMessage"] = r.LastMessage
		}
		if r.TeamID != "" {
			e["teamId"] = r.TeamID
		}
		if r.TeamMain {
			e["teamMain"] = true
		}
		if teams {
			_, n, err := a.store.Rooms().ListTeamRooms(ctx, store.TeamRoomFilter{TeamID: r.TeamID}, store.ListOptions{Count: 1})
			if err != nil {
				return nil, 0, a.storeErr(err)
			}
			e["roomsCount"] = n
		}
		out = append(out, e)
	}
	return out, len(list), nil
}

// directoryUsers lists the active users matching the text, for holders of
// view-outside-room and view-d-room. Email addresses are shown only to
// holders of view-full-other-user-info.
func (a *App) directoryUsers(ctx context.Context, actor *model.User, q DirectoryQuery, offset, count int) ([]map[string]any, int, error) {
	if !a.HasPermission(actor, "view-outside-room") || !a.HasPermission(actor, "view-d-room") {
		return nil, 0, errVerifyParams
	}
	fields := strings.Split(a.Settings.String("Accounts_SearchFields"), ",")
	if q.Workspace == "all" {
		fields = []string{"username", "name", "emails.address"}
	}
	users, _, err := a.store.Users().List(ctx, "", store.ListOptions{})
	if err != nil {
		return nil, 0, a.storeErr(err)
	}
	text := strings.ToLower(strings.TrimSpace(q.Text))
	var list []*model.User
	for _, u := range users {
		if !u.Active || u.Username == "" || (text != "" && !userMatches(u, fields, text)) {
			continue
		}
		list = append(list, u)
	}
	sort.SliceStable(list, func(i, j int) bool {
		x, y := list[i], list[j]
		var c int
		switch q.SortBy {
		case "name":
			c = strings.Compare(strings.ToLower(x.Name), strings.ToLower(y.Name))
		case "createdAt":
			c = cmpInt(int64(x.CreatedAt), int64(y.CreatedAt))
		case "email":
			c = strings.Compare(strings.ToLower(x.PrimaryEmail()), strings.ToLower(y.PrimaryEmail()))
		case "bio":
			c = strings.Compare(x.Bio, y.Bio)
		}
		if c == 0 {
			c = strings.Compare(x.Username, y.Username)
		}
		return (c < 0) != q.Desc
	})
	full := a.HasPermission(actor, "view-full-other-user-info")
	out := []map[string]any{}
	for _, u := range pageOf(list, offset, count) {
		e := map[string]any{"_id": u.ID, "username": u.Username, "createdAt": u.CreatedAt}
		if u.Name != "" {
			e["name"] = u.Name
		}
		if u.Nickname != "" {
			e["nickname"] = u.Nickname
		}
		if u.Bio != "" {
			e["bio"] = u.Bio
		}
		if full && len(u.Emails) > 0 {
			e["emails"] = u.Emails
		}
		out = append(out, e)
	}
	return out, len(list), nil
}
