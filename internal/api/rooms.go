package api

import (
	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/model"
)

type roomRoutes struct {
	s   *Server
	t   string
	key string
}

// roomsOfType is the handler set of the channels.* (t "c") or groups.*
// (t "p") family.
func (s *Server) roomsOfType(t string) *roomRoutes {
	key := "channel"
	if t == model.RoomGroup {
		key = "group"
	}
	return &roomRoutes{s: s, t: t, key: key}
}

func (rt *roomRoutes) create(c *request) (any, error) {
	var in struct {
		Name         string         `json:"name"`
		Members      []string       `json:"members"`
		ReadOnly     bool           `json:"readOnly"`
		ExcludeSelf  bool           `json:"excludeSelf"`
		CustomFields map[string]any `json:"customFields"`
		ExtraData    struct {
			Topic       string `json:"topic"`
			Description string `json:"description"`
			Broadcast   bool   `json:"broadcast"`
			Encrypted   bool   `json:"encrypted"`
		} `json:"extraData"`
		_ []string `key:"teams"`
	}
	if err := c.bindBody(&in); err != nil {
		return nil, err
	}
	if in.ExcludeSelf && !c.s.app.HasPermission(c.user, "view-room-administration") {
		in.ExcludeSelf = false
	}
	r, err := c.s.app.CreateRoom(c.ctx, c.user, app.NewRoom{
		Type: rt.t, Name: in.Name, Members: in.Members, ReadOnly: in.ReadOnly, ExcludeSelf: in.ExcludeSelf,
		CustomFields: in.CustomFields, Topic: in.ExtraData.Topic, Description: in.ExtraData.Description,
		Broadcast: in.ExtraData.Broadcast, Encrypted: in.ExtraData.Encrypted,
	})
	if err != nil {
		return nil, err
	}
	return M{rt.key: r}, nil
}

// answer is the answer of the routes that return the room they acted on.
func (rt *roomRoutes) answer(r *model.Room, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return M{rt.key: r}, nil
}

// roomRefIn names a room by id or by name.
type roomRefIn struct {
	RoomID   string `json:"roomId"`
	RoomName string `json:"roomName"`
}

func (r roomRefIn) ref() app.RoomRef { return app.RoomRef{ID: r.RoomID, Name: r.RoomName} }

func (rt *roomRoutes) info(c *request) (any, error) {
	var in struct {
		roomRefIn
		_ string `key:"fields"`
	}
	if err := c.bindQuery(&in); err != nil {
		return nil, err
	}
	return rt.answer(c.s.app.RoomInfo(c.ctx, c.user, in.ref(), rt.t))
}

func (rt *roomRoutes) invite(c *request) (any, error) {
	var in struct {
		roomRefIn
		UserID  string   `json:"userId"`
		UserIDs []string `json:"userIds"`
	}
	if err := c.bindBody(&in); err != nil {
		return nil, err
	}
	ids := in.UserIDs
	if in.UserID != "" {
		ids = append(ids, in.UserID)
	}
	return rt.answer(c.s.app.Invite(c.ctx, c.user, in.ref(), rt.t, ids))
}

func (rt *roomRoutes) join(c *request) (any, error) {
	var in struct {
		roomRefIn
		_ string `key:"joinCode"`
	}
	if err := c.bindBody(&in); err != nil {
		return nil, err
	}
	return rt.answer(c.s.app.Join(c.ctx, c.user, in.ref()))
}

func (rt *roomRoutes) leave(c *request) (any, error) {
	var in roomRefIn
	if err := c.bindBody(&in); err != nil {
		return nil, err
	}
	return rt.answer(c.s.app.Leave(c.ctx, c.user, in.ref(), rt.t))
}

func (rt *roomRoutes) kick(c *request) (any, error) {
	var in struct {
		roomRefIn
		UserID   string `json:"userId"`
		Username string `json:"username"`
	}
	if err := c.bindBody(&in); err != nil {
		return nil, err
	}
	if in.UserID == "" && in.Username == "" {
		return nil, app.Invalid("must have required property 'userId'")
	}
	return rt.answer(c.s.app.Kick(c.ctx, c.user, in.ref(), rt.t, in.UserID, in.Username))
}

func (rt *roomRoutes) delete(c *request) (any, error) {
	var in roomRefIn
	if err := c.bindBody(&in); err != nil {
		return nil, err
	}
	return nil, c.s.app.DeleteRoom(c.ctx, c.user, in.ref(), rt.t)
}

func (rt *roomRoutes) setRole(role string, add bool) handlerFunc {
	return func(c *request) (any, error) {
		var in struct {
			roomRefIn
			UserID string `json:"userId" in:"required"`
		}
		if err := c.bindBody(&in); err != nil {
			return nil, err
		}
		return nil, c.s.app.SetRoomRole(c.ctx, c.user, in.ref(), rt.t, in.UserID, role, add)
	}
}

// list is channels.list (every public channel) or groups.list (the
// caller's private groups).
func (rt *roomRoutes) list(c *request) (any, error) {
	joinedBy := ""
	if rt.t == model.RoomGroup {
		joinedBy = c.user.ID
	} else if !c.s.app.HasPermission(c.user, "view-c-room") {
		return nil, app.ErrPermissionsRequired
	}
	return rt.listRooms(c, joinedBy)
}

func (rt *roomRoutes) listJoined(c *request) (any, error) { return rt.listRooms(c, c.user.ID) }

func (rt *roomRoutes) listRooms(c *request, joinedBy string) (any, error) {
	var in struct {
		Name string `json:"name"`
		pageKeys
	}
	p, err := c.queryPage(&in)
	if err != nil {
		return nil, err
	}
	rooms, total, err := c.s.app.ListRooms(c.ctx, []string{rt.t}, joinedBy, in.Name, p.opts())
	if err != nil {
		return nil, err
	}
	if rooms == nil {
		rooms = []*model.Room{}
	}
	return M{rt.key + "s": rooms, "count": len(rooms), "offset": p.Offset, "total": total}, nil
}

func (rt *roomRoutes) members(c *request) (any, error) {
	var in struct {
		roomRefIn
		_ int      `key:"offset"`
		_ int      `key:"count"`
		_ string   `key:"sort"`
		_ string   `key:"filter"`
		_ []string `key:"status"`
	}
	p, err := c.queryPage(&in)
	if err != nil {
		return nil, err
	}
	r, err := c.s.app.RoomInfo(c.ctx, c.user, in.ref(), rt.t)
	if err != nil {
		return nil, err
	}
	members, total, err := c.s.app.RoomMembers(c.ctx, r, p.opts())
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(members))
	for _, u := range members {
		out = append(out, map[string]any{"_id": u.ID, "username": u.Username, "name": u.Name, "status": u.Status, "utcOffset": u.UTCOffset})
	}
	return M{"members": out, "count": len(out), "offset": p.Offset, "total": total}, nil
}

func (s *Server) roomsGet(c *request) (any, error) {
	since, err := c.updatedSince()
	if err != nil {
		return nil, err
	}
	rooms, err := s.app.SubscribedRooms(c.ctx, c.user, since)
	if err != nil {
		return nil, err
	}
	if rooms == nil {
		rooms = []*model.Room{}
	}
	return M{"update": rooms, "remove": []any{}}, nil
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

func (s *Server) roomsInfo(c *request) (any, error) {
	var in struct {
		roomRefIn
		_ string `key:"fields"`
	}
	if err := c.bindQuery(&in); err != nil {
		return nil, err
	}
	r, err := s.app.GetRoomInfo(c.ctx, c.user, in.RoomID, in.RoomName)
	if err != nil {
		return nil, err
	}
	return M{"room": r}, nil
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
	return func(c *request) (any, error) {
		var in roomRefIn
		if err := c.bindBody(&in); err != nil {
			return nil, err
		}
		return nil, c.s.app.SetArchived(c.ctx, c.user, in.ref(), rt.t, on)
	}
}

// muteTargetIn names the user to mute.
type muteTargetIn struct {
	UserID   string `json:"userId" in:"oneOf"`
	Username string `json:"username" in:"oneOf"`
}

func (m muteTargetIn) target() app.MuteTarget {
	return app.MuteTarget{UserID: m.UserID, Username: m.Username}
}

// mute serves channels.mute / groups.mute (on) and their unmute: the
// room named as these families name rooms, the user by id or username.
func (rt *roomRoutes) mute(on bool) handlerFunc {
	return func(c *request) (any, error) {
		var in struct {
			roomRefIn
			muteTargetIn
		}
		if err := c.bindBody(&in); err != nil {
			return nil, err
		}
		return nil, c.s.app.MuteInRoom(c.ctx, c.user, in.ref(), rt.t, in.target(), on)
	}
}

// roomsMute serves rooms.muteUser (on) and rooms.unmuteUser.
func (s *Server) roomsMute(on bool) handlerFunc {
	return func(c *request) (any, error) {
		var in struct {
			RoomID string `json:"roomId" in:"required"`
			muteTargetIn
		}
		if err := c.bindBody(&in); err != nil {
			return nil, err
		}
		return nil, s.app.SetMuted(c.ctx, c.user, in.RoomID, in.target(), on)
	}
}
