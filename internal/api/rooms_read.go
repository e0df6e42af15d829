package api

import (
	"encoding/json"
	"strings"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// roomReadHandlers are the read-only handlers the channels.* and groups.*
// families share besides those of roomHandlers.
type roomReadHandlers struct {
	roles, moderators, online, counters, files handlerFunc
}

// roomReads builds the handler set for rooms of type t ("c" or "p").
func (s *Server) roomReads(t string) roomReadHandlers {
	rt := &roomRoutes{s: s, t: t}
	return roomReadHandlers{
		roles:      fromQuery(rt.roles),
		moderators: fromQuery(rt.moderators),
		online:     fromQuery(rt.online),
		counters:   fromQuery(rt.counters),
		files:      fromQueryPage(rt.files),
	}
}

func (rt *roomRoutes) roles(c *request, in *roomRefIn) (any, error) {
	return answerAs("roles")(c.s.app.ChannelRoles(c.ctx, c.user, in.ref(), rt.t))
}

func (rt *roomRoutes) moderators(c *request, in *roomRefIn) (any, error) {
	return answerAs("moderators")(c.s.app.RoomModerators(c.ctx, c.user, in.ref(), rt.t))
}

// onlineIn is the query of channels.online and groups.online: the room by
// _id, or (as older clients send it) a query object naming _id or name.
type onlineIn struct {
	ID    string `json:"_id"`
	Query string `json:"query"`
}

func (rt *roomRoutes) online(c *request, in *onlineIn) (any, error) {
	id, name := in.ID, ""
	if in.Query != "" {
		var q map[string]any
		if err := json.Unmarshal([]byte(in.Query), &q); err != nil {
			return nil, app.E("error-invalid-query", `Invalid query parameter provided: "`+in.Query+`"`).With(map[string]any{"helperMethod": "parseJsonQuery"})
		}
		if v, ok := q["_id"].(string); ok && id == "" {
			id = v
		}
		if v, ok := q["name"].(string); ok {
			name = v
		}
	}
	return answerAs("online")(c.s.app.RoomOnline(c.ctx, c.user, id, name, rt.t))
}

// roomCountersIn is the query of channels.counters and groups.counters.
type roomCountersIn struct {
	roomRefIn
	UserID string `json:"userId"`
}

func (rt *roomRoutes) counters(c *request, in *roomCountersIn) (any, error) {
	out, err := c.s.app.RoomCounters(c.ctx, c.user, in.ref(), rt.t, in.UserID)
	if err != nil {
		return nil, err
	}
	// What the caller may not know is left out: the contract types these
	// keys as plain integers and strings, which null would break.
	body := M{"joined": out.Joined}
	put := func(key string, known bool, v any) {
		if known {
			body[key] = v
		}
	}
	put("members", out.Members != nil, out.Members)
	put("unreads", out.Unreads != nil, out.Unreads)
	put("unreadsFrom", out.UnreadsFrom != nil, out.UnreadsFrom)
	put("msgs", out.Msgs != nil, out.Msgs)
	put("latest", out.Latest != nil, out.Latest)
	put("userMentions", out.UserMentions != nil, out.UserMentions)
	return body, nil
}

// roomFilesIn is the query of channels.files and groups.files.
type roomFilesIn struct {
	roomRefIn
	Name          string `json:"name"`
	TypeGroup     string `json:"typeGroup"`
	OnlyConfirmed bool   `json:"onlyConfirmed"`
	_             pageKeys
}

func (rt *roomRoutes) files(c *request, in *roomFilesIn, p page) (any, error) {
	q := app.FilesQuery{Name: in.Name, TypeGroup: in.TypeGroup, OnlyConfirmed: in.OnlyConfirmed}
	list, total, err := c.s.app.RoomFiles(c.ctx, c.user, in.ref(), rt.t, q, p.opts())
	if err != nil {
		return nil, err
	}
	return pageAnswer("files", list, p, total), nil
}

// roomMembersIn is the query of channels.members, groups.members and
// rooms.membersOrderedByRole.
type roomMembersIn struct {
	roomRefIn
	Status []string `json:"status"`
	Filter string   `json:"filter"`
	_      pageKeys
}

func (in *roomMembersIn) query(p page) app.RoomMembersQuery {
	return app.RoomMembersQuery{Status: in.Status, Filter: in.Filter, Sort: p.Sort}
}

// channelMembers serves channels.members and groups.members.
func (rt *roomRoutes) channelMembers(c *request, in *roomMembersIn, p page) (any, error) {
	members, total, err := c.s.app.ChannelMembers(c.ctx, c.user, in.ref(), rt.t, in.query(p), p.Offset, p.Count)
	if err != nil {
		return nil, err
	}
	return pageAnswer("members", members, p, total), nil
}

func (s *Server) roomsMembersOrderedByRole(c *request, in *roomMembersIn, p page) (any, error) {
	members, total, err := s.app.MembersOrderedByRole(c.ctx, c.user, in.ref(), in.query(p), p.Offset, p.Count)
	if err != nil {
		return nil, err
	}
	return pageAnswer("members", members, p, total), nil
}

// roomsRolesIn is the query of rooms.roles.
type roomsRolesIn struct {
	RID string `json:"rid" in:"required"`
}

func (s *Server) roomsRoles(c *request, in *roomsRolesIn) (any, error) {
	return answerAs("roles")(s.app.RoomRoles(c.ctx, c.user, in.RID))
}

// roomsImagesIn is the query of rooms.images.
type roomsImagesIn struct {
	RoomID         string `json:"roomId" in:"required"`
	StartingFromID string `json:"startingFromId"`
	_              int    `key:"offset"`
	_              int    `key:"count"`
}

func (s *Server) roomsImages(c *request, in *roomsImagesIn, p page) (any, error) {
	files, total, err := s.app.RoomImages(c.ctx, c.user, in.RoomID, in.StartingFromID, p.Offset, p.Count)
	if err != nil {
		return nil, err
	}
	if files == nil {
		files = []*model.File{}
	}
	// Rocket.Chat answers the page size asked for as count, not the
	// number of files on the page.
	return M{"files": files, "count": p.Count, "offset": p.Offset, "total": total}, nil
}

// roomsIsMemberIn is the query of rooms.isMember.
type roomsIsMemberIn struct {
	RoomID   string `json:"roomId" in:"required"`
	UserID   string `json:"userId" in:"oneOf,exclusive"`
	Username string `json:"username" in:"oneOf,exclusive"`
}

func (s *Server) roomsIsMember(c *request, in *roomsIsMemberIn) (any, error) {
	ok, err := s.app.RoomIsMember(c.ctx, c.user, in.RoomID, in.UserID, in.Username)
	if err != nil {
		return nil, err
	}
	return M{"isMember": ok}, nil
}

// anonymousReadIn is the query of channels.anonymousread.
type anonymousReadIn struct {
	roomRefIn
	_ pageKeys
}

// channelsAnonymousRead needs no login: with Accounts_AllowAnonymousRead
// on, anyone may read a public channel. A caller who does send valid
// credentials is read as themself.
func (s *Server) channelsAnonymousRead(c *request, in *anonymousReadIn, p page) (any, error) {
	var u *model.User
	if uid, tok := c.r.Header.Get("X-User-Id"), c.r.Header.Get("X-Auth-Token"); uid != "" && tok != "" {
		if got, err := s.app.Authenticate(c.ctx, uid, tok); err == nil {
			u = got
		}
	}
	return messagePage(p)(s.app.AnonymousRead(c.ctx, u, in.ref(), p.opts()))
}

// adminRoomsIn is the query of rooms.adminRooms.
type adminRoomsIn struct {
	Filter string   `json:"filter"`
	Types  []string `json:"types"`
	_      pageKeys
}

func (s *Server) roomsAdminRooms(c *request, in *adminRoomsIn, p page) (any, error) {
	rooms, total, err := s.app.AdminRooms(c.ctx, c.user, app.AdminRoomsQuery{Filter: in.Filter, Types: in.Types, Sort: p.Sort}, p.Offset, p.Count)
	if err != nil {
		return nil, err
	}
	return pageAnswer("rooms", rooms, p, total), nil
}

// adminRoomIn is the query of rooms.adminRooms.getRoom.
type adminRoomIn struct {
	RID string `json:"rid"`
}

// roomsAdminRoom answers the room's own fields at the top level, beside
// success, as Rocket.Chat does.
func (s *Server) roomsAdminRoom(c *request, in *adminRoomIn) (any, error) {
	r, err := s.app.AdminRoom(c.ctx, c.user, in.RID)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, app.E("not-allowed", "Not Allowed")
	}
	raw, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	var out M
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// selectorIn is the query of the room autocompletes: selector is a JSON
// object whose name is the text typed. Its absence is checked in term,
// since these routes word it as a plain failure rather than a schema error.
type selectorIn struct {
	Selector string `json:"selector"`
	_        pageKeys
}

// term reads the name out of the selector.
func (in *selectorIn) term() (string, error) {
	if in.Selector == "" {
		return "", app.Plain("The 'selector' param is required")
	}
	var sel map[string]any
	if err := json.Unmarshal([]byte(in.Selector), &sel); err != nil {
		return "", app.Invalid("The 'selector' param must be a JSON object")
	}
	name, _ := sel["name"].(string)
	return name, nil
}

func (s *Server) roomsAutocompleteChannelAndPrivate(c *request, in *selectorIn, _ page) (any, error) {
	term, err := in.term()
	if err != nil {
		return nil, err
	}
	items, _, err := s.app.AutocompleteChannelAndPrivate(c.ctx, c.user, term, 0, 10, []store.SortField{{Field: "name"}})
	if err != nil {
		return nil, err
	}
	return M{"items": items}, nil
}

func (s *Server) roomsAutocompleteChannelAndPrivatePaged(c *request, in *selectorIn, p page) (any, error) {
	term, err := in.term()
	if err != nil {
		return nil, err
	}
	items, total, err := s.app.AutocompleteChannelAndPrivate(c.ctx, c.user, term, p.Offset, p.Count, p.Sort)
	if err != nil {
		return nil, err
	}
	return M{"items": items, "total": total}, nil
}

func (s *Server) roomsAutocompleteAdminRooms(c *request, in *selectorIn, _ page) (any, error) {
	term, err := in.term()
	if err != nil {
		return nil, err
	}
	return answerAs("items")(s.app.AutocompleteAdminRooms(c.ctx, c.user, term))
}

// availableForTeamsIn is the query of rooms.autocomplete.availableForTeams.
type availableForTeamsIn struct {
	Name string `json:"name"`
}

func (s *Server) roomsAutocompleteForTeams(c *request, in *availableForTeamsIn) (any, error) {
	return answerAs("items")(s.app.AutocompleteForTeams(c.ctx, c.user, strings.TrimSpace(in.Name)))
}
