package app

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// errNotAuthorized is the refusal of the room administration listings,
// which Rocket.Chat throws as a bare error.
var errNotAuthorized = Plain("error-not-authorized")

// AdminRoomsQuery selects rooms for rooms.adminRooms.
type AdminRoomsQuery struct {
	// Filter matches name or fname, case-insensitively.
	Filter string
	// Types lists room types; "discussions" adds discussions. Empty means
	// every room.
	Types []string
	Sort  []store.SortField
}

// AdminRooms is rooms.adminRooms: every room matching q, for holders of
// view-room-administration. Without a sort, default rooms come first,
// then by name.
func (a *App) AdminRooms(ctx context.Context, actor *model.User, q AdminRoomsQuery, offset, count int) ([]*model.Room, int, error) {
	if !a.HasPermission(actor, "view-room-administration") {
		return nil, 0, errNotAuthorized
	}
	all, _, err := a.store.Rooms().List(ctx, store.RoomFilter{}, store.ListOptions{})
	if err != nil {
		return nil, 0, a.storeErr(err)
	}
	// Discussions and teams are listed only when asked for by name in
	// types; any other type in the list selects rooms of that type.
	discussions := slices.Contains(q.Types, "discussions")
	teams := slices.Contains(q.Types, "teams")
	var types []string
	for _, t := range q.Types {
		if t != "discussions" && t != "teams" {
			types = append(types, t)
		}
	}
	filter := strings.ToLower(strings.TrimSpace(q.Filter))
	var out []*model.Room
	for _, r := range all {
		isDiscussion := r.Prid != ""
		if (isDiscussion && !discussions) || (r.TeamMain && !teams) || (filter != "" && !adminRoomMatches(r, filter)) {
			continue
		}
		if len(q.Types) > 0 && !slices.Contains(types, r.T) && !(discussions && isDiscussion) && !(teams && r.TeamMain) {
			continue
		}
		out = append(out, r)
	}
	keys := q.Sort
	if len(keys) == 0 {
		keys = []store.SortField{{Field: "default", Desc: true}, {Field: "name"}}
	}
	sort.SliceStable(out, func(i, j int) bool { return lessRoom(out[i], out[j], keys) })
	return pageOf(out, offset, count), len(out), nil
}

// adminRoomMatches reports whether the administrators' filter (lowercase)
// is part of the room's name or display name, or, for a direct
// conversation, of one of its usernames.
func adminRoomMatches(r *model.Room, filter string) bool {
	if strings.Contains(strings.ToLower(r.Name), filter) || strings.Contains(strings.ToLower(r.FName), filter) {
		return true
	}
	return r.T == model.RoomDirect && slices.ContainsFunc(r.Usernames, func(u string) bool { return strings.Contains(strings.ToLower(u), filter) })
}

// lessRoom orders rooms by the keys Rocket.Chat's room listings sort on.
func lessRoom(x, y *model.Room, keys []store.SortField) bool {
	for _, k := range keys {
		c := compareRoom(x, y, k.Field)
		if c != 0 {
			return (c < 0) != k.Desc
		}
	}
	return x.ID < y.ID
}

func compareRoom(x, y *model.Room, field string) int {
	switch field {
	case "name":
		return strings.Compare(strings.ToLower(x.Name), strings.ToLower(y.Name))
	case "fname":
		return strings.Compare(strings.ToLower(x.FName), strings.ToLower(y.FName))
	case "ts", "createdAt":
		return cmpInt(int64(x.Ts), int64(y.Ts))
	case "usersCount":
		return cmpInt(x.UsersCount, y.UsersCount)
	case "msgs":
		return cmpInt(x.Msgs, y.Msgs)
	case "lm", "lastMessage", "lastMessage.ts":
		var a, b int64
		if x.LM != nil {
			a = int64(*x.LM)
		}
		if y.LM != nil {
			b = int64(*y.LM)
		}
		return cmpInt(a, b)
	case "default":
		return cmpBool(x.Default, y.Default)
	case "featured":
		return cmpBool(x.Featured, y.Featured)
	case "t":
		return strings.Compare(x.T, y.T)
	case "_updatedAt":
		return cmpInt(int64(x.UpdatedAt), int64(y.UpdatedAt))
	}
	return 0
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// AdminRoom is rooms.adminRooms.getRoom; nil when no room has id rid.
func (a *App) AdminRoom(ctx context.Context, actor *model.User, rid string) (*model.Room, error) {
	if !a.HasPermission(actor, "view-room-administration") {
		return nil, errNotAuthorized
	}
	r, err := a.store.Rooms().Get(ctx, rid)
	if isNotFound(err) {
		return nil, nil
	}
	return r, a.storeErr(err)
}

// RoomItem is one entry of the room autocompletes.
type RoomItem struct {
	ID        string `json:"_id"`
	Name      string `json:"name,omitempty"`
	FName     string `json:"fname,omitempty"`
	T         string `json:"t"`
	Encrypted bool   `json:"encrypted,omitempty"`
}

func roomItems(list []*model.Room) []RoomItem {
	out := make([]RoomItem, 0, len(list))
	for _, r := range list {
		out = append(out, RoomItem{ID: r.ID, Name: r.Name, FName: r.FName, T: r.T, Encrypted: r.IsEncrypted()})
	}
	return out
}

// joinedRooms returns the channels and groups userID is subscribed to,
// discussions left out.
func (a *App) joinedRooms(ctx context.Context, userID string) ([]*model.Room, error) {
	subs, err := a.store.Subscriptions().ListByUser(ctx, userID, 0)
	if err != nil {
		return nil, a.storeErr(err)
	}
	ids := []string{}
	for _, s := range subs {
		if s.T == model.RoomChannel || s.T == model.RoomGroup {
			ids = append(ids, s.RID)
		}
	}
	rooms, _, err := a.store.Rooms().List(ctx, store.RoomFilter{IDs: ids}, store.ListOptions{})
	if err != nil {
		return nil, a.storeErr(err)
	}
	out := rooms[:0]
	for _, r := range rooms {
		if r.Prid == "" {
			out = append(out, r)
		}
	}
	return out, nil
}

// nameHas reports whether r's name or fname contains term (any case).
func nameHas(r *model.Room, term string) bool {
	term = strings.ToLower(strings.TrimSpace(term))
	return term == "" || strings.Contains(strings.ToLower(r.Name), term) || strings.Contains(strings.ToLower(r.FName), term)
}

// nameStarts reports whether r's name or fname starts with term (any case).
func nameStarts(r *model.Room, term string) bool {
	term = strings.ToLower(strings.TrimSpace(term))
	return term == "" || strings.HasPrefix(strings.ToLower(r.Name), term) || strings.HasPrefix(strings.ToLower(r.FName), term)
}

// AutocompleteChannelAndPrivate is rooms.autocomplete.channelAndPrivate
// (and, with paging, its withPagination form): the caller's channels and
// groups whose name contains term, by name. total counts every match.
func (a *App) AutocompleteChannelAndPrivate(ctx context.Context, actor *model.User, term string, offset, count int, by []store.SortField) ([]RoomItem, int, error) {
	rooms, err := a.joinedRooms(ctx, actor.ID)
	if err != nil {
		return nil, 0, err
	}
	var out []*model.Room
	for _, r := range rooms {
		if nameHas(r, term) {
			out = append(out, r)
		}
	}
	if len(by) == 0 {
		by = []store.SortField{{Field: "name"}}
	}
	sort.SliceStable(out, func(i, j int) bool { return lessRoom(out[i], out[j], by) })
	return roomItems(pageOf(out, offset, count)), len(out), nil
}

// AutocompleteAdminRooms is rooms.autocomplete.adminRooms: channels and
// groups (discussions included) whose name or fname starts with term, for
// holders of view-room-administration or can-audit.
func (a *App) AutocompleteAdminRooms(ctx context.Context, actor *model.User, term string) ([]RoomItem, error) {
	if !a.HasPermission(actor, "view-room-administration") && !a.HasPermission(actor, "can-audit") {
		return nil, errNotAuthorized
	}
	rooms, _, err := a.store.Rooms().List(ctx, store.RoomFilter{Types: []string{model.RoomChannel, model.RoomGroup}}, store.ListOptions{})
	if err != nil {
		return nil, a.storeErr(err)
	}
	var out []*model.Room
	for _, r := range rooms {
		if nameStarts(r, term) {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return lessRoom(out[i], out[j], []store.SortField{{Field: "name"}}) })
	return roomItems(pageOf(out, 0, autocompleteLimit)), nil
}

// AutocompleteForTeams is rooms.autocomplete.availableForTeams: the
// channels and groups the caller owns, outside any team, whose name starts
// with term.
func (a *App) AutocompleteForTeams(ctx context.Context, actor *model.User, term string) ([]RoomItem, error) {
	subs, err := a.store.Subscriptions().ListByUser(ctx, actor.ID, 0)
	if err != nil {
		return nil, a.storeErr(err)
	}
	ids := []string{}
	for _, s := range subs {
		if s.HasRole("owner") && (s.T == model.RoomChannel || s.T == model.RoomGroup) {
			ids = append(ids, s.RID)
		}
	}
	rooms, _, err := a.store.Rooms().List(ctx, store.RoomFilter{IDs: ids}, store.ListOptions{})
	if err != nil {
		return nil, a.storeErr(err)
	}
	var out []*model.Room
	for _, r := range rooms {
		// A room already in a team (or one that is a team) cannot be
		// added to another.
		if r.Prid == "" && r.TeamID == "" && nameStarts(r, term) {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return lessRoom(out[i], out[j], []store.SortField{{Field: "name"}}) })
	return roomItems(pageOf(out, 0, autocompleteLimit)), nil
}
