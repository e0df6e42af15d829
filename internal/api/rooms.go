package api

import (
	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// roomRoutes is what the channels.* and groups.* handlers know of their
// family: the room type t, and the key ("channel" or "group") their
// answers put a room under.
type roomRoutes struct {
	s   *Server
	t   string
	key string
}

// roomHandlers is the handler set of the channels.* or groups.* family
// (groups.* has no join and no list.joined).
type roomHandlers struct {
	create, info, invite, join, leave, kick, delete           handlerFunc
	list, listJoined, members, history, messages              handlerFunc
	addOwner, removeOwner, addModerator, removeModerator      handlerFunc
	addLeader, removeLeader, archive, unarchive, mute, unmute handlerFunc
}

// roomsOfType builds the handler set of the channels.* (t "c") or
// groups.* (t "p") family, so that both families are wired alike.
func (s *Server) roomsOfType(t string) roomHandlers {
	key := "channel"
	if t == model.RoomGroup {
		key = "group"
	}
	rt := &roomRoutes{s: s, t: t, key: key}
	return roomHandlers{
		create:          fromBody(rt.create),
		info:            fromQuery(rt.info),
		invite:          fromBody(rt.invite),
		join:            fromBody(rt.join),
		leave:           fromBody(rt.leave),
		kick:            fromBody(rt.kick),
		delete:          fromBody(rt.delete),
		list:            fromQueryPage(rt.list),
		listJoined:      fromQueryPage(rt.listJoined),
		members:         fromQueryPage(rt.channelMembers),
		history:         rt.history,
		messages:        s.roomMessages(t),
		addOwner:        rt.setRole("owner", true),
		removeOwner:     rt.setRole("owner", false),
		addModerator:    rt.setRole("moderator", true),
		removeModerator: rt.setRole("moderator", false),
		addLeader:       rt.setRole("leader", true),
		removeLeader:    rt.setRole("leader", false),
		archive:         rt.archive(true),
		unarchive:       rt.archive(false),
		mute:            rt.mute(true),
		unmute:          rt.mute(false),
	}
}

// roomCreateIn is the body of channels.create and groups.create.
type roomCreateIn struct {
	Name         string         `json:"name"`
	Members      []string       `json:"members"`
	ReadOnly     bool           `json:"readOnly"`
	ExcludeSelf  bool           `json:"excludeSelf"`
	CustomFields map[string]any `json:"customFields"`
	ExtraData    struct {
		Topic       string `json:"topic"`
		Description string `json:"description"`
		Broadcast   bool   `json:"broadcast"`
		Encrypted   *bool  `json:"encrypted"`
		TeamID      string `json:"teamId"`
	} `json:"extraData"`
	_ []string `key:"teams"`
}

func (rt *roomRoutes) create(c *request, in *roomCreateIn) (any, error) {
	if in.ExcludeSelf && !c.s.app.HasPermission(c.user, "view-room-administration") {
		in.ExcludeSelf = false
	}
	return rt.answer(c.s.app.CreateRoom(c.ctx, c.user, app.NewRoom{
		Type: rt.t, Name: in.Name, Members: in.Members, ReadOnly: in.ReadOnly, ExcludeSelf: in.ExcludeSelf,
		CustomFields: in.CustomFields, Topic: in.ExtraData.Topic, Description: in.ExtraData.Description,
		Broadcast: in.ExtraData.Broadcast, Encrypted: in.ExtraData.Encrypted, TeamID: in.ExtraData.TeamID,
	}))
}

// answer is the answer of the routes that return the room they acted on.
func (rt *roomRoutes) answer(r *model.Room, err error) (any, error) { return answerAs(rt.key)(r, err) }

// roomRefIn names a room by id or by name.
type roomRefIn struct {
	RoomID   string `json:"roomId"`
	RoomName string `json:"roomName"`
}

func (r roomRefIn) ref() app.RoomRef { return app.RoomRef{ID: r.RoomID, Name: r.RoomName} }

// roomInfoIn is the query of channels.info, groups.info and rooms.info.
type roomInfoIn struct {
	roomRefIn
	_ string `key:"fields"`
}

func (rt *roomRoutes) info(c *request, in *roomInfoIn) (any, error) {
	return rt.answer(c.s.app.RoomInfo(c.ctx, c.user, in.ref(), rt.t))
}

// inviteIn is the body of channels.invite and groups.invite. Rocket.Chat
// gives these routes no schema, so keys it does not know pass.
type inviteIn struct {
	roomRefIn
	UserID    string   `json:"userId"`
	UserIDs   []string `json:"userIds"`
	Username  string   `json:"username"`
	Usernames []string `json:"usernames"`
	User      string   `json:"user"`
	_         openKeys
}

func (rt *roomRoutes) invite(c *request, in *inviteIn) (any, error) {
	return rt.answer(c.s.app.Invite(c.ctx, c.user, in.ref(), rt.t, app.Invitees{
		UserID: in.UserID, Username: in.Username, User: in.User, UserIDs: in.UserIDs, Usernames: in.Usernames,
	}))
}

// joinIn is the body of channels.join.
type joinIn struct {
	roomRefIn
	JoinCode string `json:"joinCode"`
}

func (rt *roomRoutes) join(c *request, in *joinIn) (any, error) {
	return rt.answer(c.s.app.JoinWithCode(c.ctx, c.user, in.ref(), in.JoinCode))
}

func (rt *roomRoutes) leave(c *request, in *roomRefIn) (any, error) {
	return rt.answer(c.s.app.Leave(c.ctx, c.user, in.ref(), rt.t))
}

// kickIn is the body of channels.kick and groups.kick.
type kickIn struct {
	roomRefIn
	UserID   string `json:"userId"`
	Username string `json:"username"`
}

func (rt *roomRoutes) kick(c *request, in *kickIn) (any, error) {
	if in.UserID == "" && in.Username == "" {
		return nil, app.Invalid("must have required property 'userId'")
	}
	return rt.answer(c.s.app.Kick(c.ctx, c.user, in.ref(), rt.t, in.UserID, in.Username))
}

func (rt *roomRoutes) delete(c *request, in *roomRefIn) (any, error) {
	return nil, c.s.app.DeleteRoom(c.ctx, c.user, in.ref(), rt.t)
}

// setRoleIn is the body of the add/remove owner, moderator and leader
// routes.
type setRoleIn struct {
	roomRefIn
	UserID string `json:"userId" in:"required"`
}

func (rt *roomRoutes) setRole(role string, add bool) handlerFunc {
	return fromBody(func(c *request, in *setRoleIn) (any, error) {
		return nil, c.s.app.SetRoomRole(c.ctx, c.user, in.ref(), rt.t, in.UserID, role, add)
	})
}

// list is channels.list (every public channel) or groups.list (the
// caller's private groups).
func (rt *roomRoutes) list(c *request, in *listRoomsIn, p page) (any, error) {
	joinedBy := ""
	if rt.t == model.RoomGroup {
		joinedBy = c.user.ID
	} else if !c.s.app.HasPermission(c.user, "view-c-room") {
		return nil, app.ErrPermissionsRequired
	}
	return rt.listRooms(c, in, p, joinedBy)
}

// groupsListAll is groups.listAll: every private group, by name unless sort
// says otherwise, for holders of view-room-administration.
func (s *Server) groupsListAll(c *request, _ *pageKeys, p page) (any, error) {
	if !s.app.HasPermission(c.user, "view-room-administration") {
		return nil, app.ErrForbidden
	}
	if len(p.Sort) == 0 {
		p.Sort = []store.SortField{{Field: "name"}}
	}
	rooms, total, err := s.app.ListRooms(c.ctx, nil, []string{model.RoomGroup}, "", "", p.opts())
	if err != nil {
		return nil, err
	}
	return pageAnswer("groups", rooms, p, total), nil
}

func (rt *roomRoutes) listJoined(c *request, in *listRoomsIn, p page) (any, error) {
	return rt.listRooms(c, in, p, c.user.ID)
}

// listRoomsIn is the query of channels.list, channels.list.joined and
// groups.list. These routes have no schema in Rocket.Chat, so keys they do
// not read (a roomId, say) are let through.
type listRoomsIn struct {
	Name string `json:"name"`
	_    openKeys
	_    pageKeys
}

func (rt *roomRoutes) listRooms(c *request, in *listRoomsIn, p page, joinedBy string) (any, error) {
	rooms, total, err := c.s.app.ListRooms(c.ctx, c.user, []string{rt.t}, joinedBy, in.Name, p.opts())
	if err != nil {
		return nil, err
	}
	return pageAnswer(rt.key+"s", rooms, p, total), nil
}

func (s *Server) roomsGet(c *request) (any, error) {
	since, err := c.updatedSince()
	if err != nil {
		return nil, err
	}
	return updatesAnswer(s.app.SubscribedRooms(c.ctx, c.user, since))
}

// updatedSince reads the query of the listings that take only an
// updatedSince date; an empty one means "everything".
func (c *request) updatedSince() (model.Time, error) {
	var in struct {
		UpdatedSince string `json:"updatedSince"`
	}
	if err := c.bindQuery(&in); err != nil {
		return 0, err
	}
	if in.UpdatedSince == "" {
		return 0, nil
	}
	t, err := model.ParseTime(in.UpdatedSince)
	if err != nil {
		return 0, app.E("error-updatedSince-param-invalid", "The \"updatedSince\" query parameter must be a valid date.")
	}
	return t, nil
}

// historyKeys are the query keys every history endpoint takes besides the
// room; historyQuery reads them.
type historyKeys struct {
	_ string `key:"latest"`
	_ string `key:"oldest"`
	_ string `key:"inclusive"`
	_ string `key:"unreads"`
	_ string `key:"showThreadMessages"`
	//lint:ignore U1000 its keys are read by reflection (shape.go)
	countOffsetSort
}

// bindHistory decodes a history request's query into dst (which embeds
// historyKeys) and reads the history options.
func (c *request) bindHistory(dst any) (app.HistoryQuery, error) {
	p, err := c.queryPage(dst)
	if err != nil {
		return app.HistoryQuery{}, err
	}
	return historyQuery(c, p)
}

// historyQuery reads the query of the history endpoints; dates that do not
// parse are refused as Rocket.Chat's getChannelHistory does.
func historyQuery(c *request, p page) (app.HistoryQuery, error) {
	q := c.r.URL.Query()
	hq := app.HistoryQuery{
		Offset: p.Offset, Count: p.Count,
		Inclusive: q.Get("inclusive") == "true", Unreads: q.Get("unreads") == "true",
		ShowThreadMessages: q.Get("showThreadMessages") == "true",
	}
	for _, d := range []struct {
		key string
		dst **model.Time
	}{{"latest", &hq.Latest}, {"oldest", &hq.Oldest}} {
		s := q.Get(d.key)
		if s == "" {
			continue
		}
		t, ok := clientTime(s)
		if !ok {
			return hq, app.E("error-invalid-date", "Invalid date").With(map[string]any{"method": "getChannelHistory"})
		}
		*d.dst = &t
	}
	return hq, nil
}

func (rt *roomRoutes) history(c *request) (any, error) {
	var in struct {
		roomRefIn
		historyKeys
	}
	hq, err := c.bindHistory(&in)
	if err != nil {
		return nil, err
	}
	res, err := c.s.app.RoomHistory(c.ctx, c.user, in.ref(), rt.t, hq)
	if err != nil {
		return nil, err
	}
	return historyBody(res), nil
}

// historyBody is the envelope of the history endpoints.
func historyBody(res *app.HistoryResult) M {
	body := M{"messages": rawList(res.Messages)}
	if res.UnreadNotLoaded != nil {
		body["unreadNotLoaded"] = *res.UnreadNotLoaded
	}
	if res.FirstUnread != nil {
		body["firstUnread"] = res.FirstUnread
	}
	return body
}

// archive serves channels.archive / groups.archive (on) and their
// unarchive (off).
func (rt *roomRoutes) archive(on bool) handlerFunc {
	return fromBody(func(c *request, in *roomRefIn) (any, error) {
		return nil, c.s.app.SetArchived(c.ctx, c.user, in.ref(), rt.t, on)
	})
}

// muteTargetIn names the user to mute.
type muteTargetIn struct {
	UserID   string `json:"userId" in:"oneOf"`
	Username string `json:"username" in:"oneOf"`
}

func (m muteTargetIn) target() app.MuteTarget {
	return app.MuteTarget{UserID: m.UserID, Username: m.Username}
}

// muteIn is the body of channels.mute, groups.mute and their unmute.
type muteIn struct {
	roomRefIn
	muteTargetIn
}

// mute serves channels.mute / groups.mute (on) and their unmute: the
// room named as these families name rooms, the user by id or username.
func (rt *roomRoutes) mute(on bool) handlerFunc {
	return fromBody(func(c *request, in *muteIn) (any, error) {
		return nil, c.s.app.MuteInRoom(c.ctx, c.user, in.ref(), rt.t, in.target(), on)
	})
}

// roomsMuteIn is the body of rooms.muteUser and rooms.unmuteUser.
type roomsMuteIn struct {
	RoomID string `json:"roomId" in:"required"`
	muteTargetIn
}

// roomsMute serves rooms.muteUser (on) and rooms.unmuteUser.
func (s *Server) roomsMute(on bool) handlerFunc {
	return fromBody(func(c *request, in *roomsMuteIn) (any, error) {
		return nil, s.app.SetMuted(c.ctx, c.user, in.RoomID, in.target(), on)
	})
}
