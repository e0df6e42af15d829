package api

import (
	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/model"
)

// teamRefIn names a team by id or by name, as every teams.* route but
// create, list, listAll, autocomplete and updateRoom takes it.
type teamRefIn struct {
	TeamID   *string `json:"teamId"`
	TeamName *string `json:"teamName"`
}

// ref is the team named; a request that names none is refused as
// Rocket.Chat's schemas refuse it.
func (t teamRefIn) ref() (app.TeamRef, error) {
	if t.TeamID == nil && t.TeamName == nil {
		return app.TeamRef{}, app.Invalid("must have required property 'teamId'")
	}
	var r app.TeamRef
	if t.TeamID != nil {
		r.ID = *t.TeamID
	}
	if t.TeamName != nil {
		r.Name = *t.TeamName
	}
	return r, nil
}

// optionalRooms is a rooms list that, when given, may not be empty.
func optionalRooms(rooms *[]string) ([]string, error) {
	if rooms == nil {
		return nil, nil
	}
	if len(*rooms) == 0 {
		return nil, app.Invalid("must NOT have fewer than 1 items")
	}
	return *rooms, nil
}

type teamCreateIn struct {
	_         openKeys
	Name      string         `json:"name" in:"required"`
	Type      *int           `json:"type" in:"required"`
	Members   []string       `json:"members"`
	Owner     string         `json:"owner"`
	Room      map[string]any `json:"room"`
	Sidepanel map[string]any `json:"sidepanel"`
}

func (s *Server) teamsCreate(c *request, in *teamCreateIn) (any, error) {
	if *in.Type != app.TeamPublic && *in.Type != app.TeamPrivate {
		return nil, app.Invalid("must be equal to one of the allowed values")
	}
	nt := app.NewTeam{Name: in.Name, Type: *in.Type, Members: in.Members, Owner: in.Owner}
	if in.Room != nil {
		nt.ReadOnly, _ = in.Room["readOnly"].(bool)
		nt.ExtraData, _ = in.Room["extraData"].(map[string]any)
	}
	if in.Sidepanel != nil {
		raw, ok := in.Sidepanel["items"].([]any)
		if !ok {
			return nil, app.Plain("error-invalid-sidepanel")
		}
		nt.Sidepanel = []string{}
		for _, it := range raw {
			str, ok := it.(string)
			if !ok {
				return nil, app.Plain("error-invalid-sidepanel")
			}
			nt.Sidepanel = append(nt.Sidepanel, str)
		}
	}
	return answerAs("team")(s.app.CreateTeam(c.ctx, c.user, nt))
}

type teamInfoIn struct {
	_ openKeys
	teamRefIn
}

func (s *Server) teamsInfo(c *request, in *teamInfoIn) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	return answerAs("teamInfo")(s.app.TeamInfo(c.ctx, c.user, ref))
}

func (s *Server) teamsList(c *request, _ *pageKeys, p page) (any, error) {
	teams, total, err := s.app.ListTeams(c.ctx, c.user, p.opts())
	if err != nil {
		return nil, err
	}
	return pageAnswer("teams", teams, p, total), nil
}

func (s *Server) teamsListAll(c *request, _ *pageKeys, p page) (any, error) {
	teams, total, err := s.app.ListAllTeams(c.ctx, c.user, p.opts())
	if err != nil {
		return nil, err
	}
	return pageAnswer("teams", teams, p, total), nil
}

type teamRoomsToRemoveIn struct {
	_ openKeys
	teamRefIn
	RoomsToRemove []string `json:"roomsToRemove"`
}

func (s *Server) teamsDelete(c *request, in *teamRoomsToRemoveIn) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	return nil, s.app.DeleteTeam(c.ctx, c.user, ref, in.RoomsToRemove)
}

func (s *Server) teamsConvertToChannel(c *request, in *teamRoomsToRemoveIn) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	return nil, s.app.ConvertTeamToChannel(c.ctx, c.user, ref, in.RoomsToRemove)
}

type teamUpdateIn struct {
	_ openKeys
	teamRefIn
	Data struct {
		Name *string `json:"name"`
		Type *int    `json:"type"`
	} `json:"data" in:"required"`
}

func (s *Server) teamsUpdate(c *request, in *teamUpdateIn) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	if t := in.Data.Type; t != nil && *t != app.TeamPublic && *t != app.TeamPrivate {
		return nil, app.Invalid("must be equal to one of the allowed values")
	}
	return nil, s.app.UpdateTeam(c.ctx, c.user, ref, app.TeamUpdate{Name: in.Data.Name, Type: in.Data.Type})
}

// memberRoles reads one {userId, roles} entry of a members list.
func memberRoles(m map[string]any) (app.TeamMemberRoles, error) {
	id, ok := m["userId"].(string)
	if !ok || id == "" {
		return app.TeamMemberRoles{}, app.Invalid("must have required property 'userId'")
	}
	out := app.TeamMemberRoles{UserID: id}
	switch roles := m["roles"].(type) {
	case nil:
	case []any:
		for _, r := range roles {
			str, ok := r.(string)
			if !ok {
				return app.TeamMemberRoles{}, app.Invalid("must be string")
			}
			out.Roles = append(out.Roles, str)
		}
	default:
		return app.TeamMemberRoles{}, app.Invalid("must be array")
	}
	return out, nil
}

type teamAddMembersIn struct {
	_ openKeys
	teamRefIn
	Members []map[string]any `json:"members" in:"required"`
}

func (s *Server) teamsAddMembers(c *request, in *teamAddMembersIn) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	if len(in.Members) == 0 {
		return nil, app.Invalid("must NOT have fewer than 1 items")
	}
	members := make([]app.TeamMemberRoles, 0, len(in.Members))
	for _, m := range in.Members {
		mr, err := memberRoles(m)
		if err != nil {
			return nil, err
		}
		members = append(members, mr)
	}
	return nil, s.app.AddTeamMembers(c.ctx, c.user, ref, members)
}

type teamUpdateMemberIn struct {
	_ openKeys
	teamRefIn
	Member map[string]any `json:"member" in:"required"`
}

func (s *Server) teamsUpdateMember(c *request, in *teamUpdateMemberIn) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	m, err := memberRoles(in.Member)
	if err != nil {
		return nil, err
	}
	return nil, s.app.UpdateTeamMember(c.ctx, c.user, ref, m)
}

type teamRemoveMemberIn struct {
	_ openKeys
	teamRefIn
	UserID string    `json:"userId" in:"required,nonempty"`
	Rooms  *[]string `json:"rooms"`
}

func (s *Server) teamsRemoveMember(c *request, in *teamRemoveMemberIn) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	rooms, err := optionalRooms(in.Rooms)
	if err != nil {
		return nil, err
	}
	return nil, s.app.RemoveTeamMember(c.ctx, c.user, ref, in.UserID, rooms)
}

type teamLeaveIn struct {
	_ openKeys
	teamRefIn
	Rooms *[]string `json:"rooms"`
}

func (s *Server) teamsLeave(c *request, in *teamLeaveIn) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	rooms, err := optionalRooms(in.Rooms)
	if err != nil {
		return nil, err
	}
	return nil, s.app.LeaveTeam(c.ctx, c.user, ref, rooms)
}

type teamMembersIn struct {
	_ openKeys
	teamRefIn
	Status   []string `json:"status"`
	Username string   `json:"username"`
	Name     string   `json:"name"`
	_        pageKeys
}

func (s *Server) teamsMembers(c *request, in *teamMembersIn, p page) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	members, total, err := s.app.TeamMembers(c.ctx, c.user, ref, app.TeamMemberFilter{Status: in.Status, Username: in.Username, Name: in.Name}, p.opts())
	if err != nil {
		return nil, err
	}
	return pageAnswer("members", members, p, total), nil
}

type teamAddRoomsIn struct {
	_ openKeys
	teamRefIn
	Rooms []string `json:"rooms" in:"required"`
}

func (s *Server) teamsAddRooms(c *request, in *teamAddRoomsIn) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	rooms, err := s.app.AddTeamRooms(c.ctx, c.user, ref, in.Rooms)
	if err != nil {
		return nil, err
	}
	if rooms == nil {
		rooms = []*model.Room{}
	}
	return M{"rooms": rooms}, nil
}

type teamRemoveRoomIn struct {
	_ openKeys
	teamRefIn
	RoomID string `json:"roomId" in:"required,nonempty"`
}

func (s *Server) teamsRemoveRoom(c *request, in *teamRemoveRoomIn) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	return answerAs("room")(s.app.RemoveTeamRoom(c.ctx, c.user, ref, in.RoomID))
}

type teamUpdateRoomIn struct {
	_         openKeys
	RoomID    string `json:"roomId" in:"required,nonempty"`
	IsDefault *bool  `json:"isDefault" in:"required"`
}

func (s *Server) teamsUpdateRoom(c *request, in *teamUpdateRoomIn) (any, error) {
	return answerAs("room")(s.app.UpdateTeamRoom(c.ctx, c.user, in.RoomID, *in.IsDefault))
}

type teamListRoomsIn struct {
	_ openKeys
	teamRefIn
	Filter string `json:"filter"`
	Type   string `json:"type"`
	_      pageKeys
}

func (s *Server) teamsListRooms(c *request, in *teamListRoomsIn, p page) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	rooms, total, err := s.app.ListTeamRooms(c.ctx, c.user, ref, app.TeamRoomsFilter{Name: in.Filter, DefaultOnly: in.Type == "autoJoin"}, p.opts())
	if err != nil {
		return nil, err
	}
	return pageAnswer("rooms", rooms, p, total), nil
}

type teamListChildrenIn struct {
	TeamID   *string `json:"teamId" in:"oneOf,exclusive"`
	TeamName *string `json:"teamName" in:"oneOf,exclusive"`
	RoomID   *string `json:"roomId" in:"oneOf,exclusive"`
	Filter   string  `json:"filter"`
	Type     *string `json:"type"`
	_        pageKeys
}

func (s *Server) teamsListChildren(c *request, in *teamListChildrenIn, p page) (any, error) {
	var ref app.TeamChildrenRef
	switch {
	case in.TeamID != nil:
		ref.ID = *in.TeamID
	case in.TeamName != nil:
		ref.Name = *in.TeamName
	case in.RoomID != nil:
		ref.RoomID = *in.RoomID
	}
	kind := ""
	if in.Type != nil {
		if *in.Type != "channels" && *in.Type != "discussions" {
			return nil, app.Invalid("must be equal to one of the allowed values")
		}
		kind = *in.Type
	}
	rooms, total, err := s.app.ListTeamChildren(c.ctx, c.user, ref, in.Filter, kind, p.opts())
	if err != nil {
		return nil, err
	}
	if rooms == nil {
		rooms = []*model.Room{}
	}
	// count is the page size asked for, as Rocket.Chat answers it here.
	return M{"data": rooms, "total": total, "offset": p.Offset, "count": p.Count}, nil
}

type teamListRoomsOfUserIn struct {
	_ openKeys
	teamRefIn
	UserID    string `json:"userId" in:"required"`
	CanDelete string `json:"canUserDelete"`
	_         pageKeys
}

func (s *Server) teamsListRoomsOfUser(c *request, in *teamListRoomsOfUserIn, p page) (any, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	rooms, total, err := s.app.ListTeamRoomsOfUser(c.ctx, c.user, ref, in.UserID, in.CanDelete == "true", p.opts())
	if err != nil {
		return nil, err
	}
	// Rocket.Chat answers offset 0 whatever page was asked for.
	ans := pageAnswer("rooms", rooms, p, total)
	ans["offset"] = 0
	return ans, nil
}

type teamAutocompleteIn struct {
	_    openKeys
	Name string `json:"name" in:"required"`
}

func (s *Server) teamsAutocomplete(c *request, in *teamAutocompleteIn) (any, error) {
	teams, err := s.app.TeamAutocomplete(c.ctx, c.user, in.Name)
	if err != nil {
		return nil, err
	}
	return M{"teams": teams}, nil
}

// convertToTeamIn is the body of channels.convertToTeam (channelId,
// channelName) and groups.convertToTeam (roomId, roomName).
type convertToTeamIn struct {
	_           openKeys
	ChannelID   string `json:"channelId"`
	ChannelName string `json:"channelName"`
	RoomID      string `json:"roomId"`
	RoomName    string `json:"roomName"`
}

func (s *Server) convertToTeam(t string) handlerFunc {
	return fromBody(func(c *request, in *convertToTeamIn) (any, error) {
		ref := app.RoomRef{ID: in.ChannelID, Name: in.ChannelName}
		// channels.convertToTeam's schema takes one of the two, never both.
		if t == model.RoomChannel && in.ChannelID != "" && in.ChannelName != "" {
			return nil, errNotExactlyOne
		}
		if t == model.RoomGroup {
			ref = app.RoomRef{ID: in.RoomID, Name: in.RoomName}
		}
		if ref.ID == "" && ref.Name == "" {
			if t == model.RoomGroup {
				return nil, app.Invalid("must have required property 'roomId'")
			}
			return nil, app.Invalid("must have required property 'channelId'")
		}
		return answerAs("team")(s.app.ConvertRoomToTeam(c.ctx, c.user, ref, t))
	})
}
