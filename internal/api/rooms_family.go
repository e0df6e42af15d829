package api

import (
	"encoding/json"

	"github.com/parleychat/parley/internal/app"
)

// project applies a parseJsonQuery fields value (already validated by
// parsePage) to v's JSON object: {"k":1,...} keeps _id and the keys named,
// {"k":0,...} drops the keys named. An empty spec leaves v as it is.
func project(v any, spec string) (any, error) {
	if spec == "" {
		return v, nil
	}
	var fields map[string]float64
	if err := json.Unmarshal([]byte(spec), &fields); err != nil || len(fields) == 0 {
		return v, nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return v, nil // not an object: nothing to project
	}
	including := false
	for k, f := range fields {
		if f == 1 && k != "_id" {
			including = true
		}
	}
	out := map[string]json.RawMessage{}
	for k, val := range obj {
		f, named := fields[k]
		keep := !named || f == 1
		if including {
			keep = (named && f == 1) || (k == "_id" && !named)
		}
		if keep {
			out[k] = val
		}
	}
	return out, nil
}

func (s *Server) roomsInfo(c *request, in *roomInfoIn) (any, error) {
	if _, err := c.page(); err != nil { // refuses a fields value that is not a projection
		return nil, err
	}
	info, err := s.app.GetRoomInfo(c.ctx, c.user, in.RoomID, in.RoomName)
	if err != nil {
		return nil, err
	}
	room, err := project(info.Room, c.r.URL.Query().Get("fields"))
	if err != nil {
		return nil, err
	}
	body := M{"room": room}
	if info.Team != nil {
		body["team"] = info.Team
	}
	if info.Parent != nil {
		body["parent"] = info.Parent
	}
	return body, nil
}

// nameExistsIn is the query of rooms.nameExists.
type nameExistsIn struct {
	RoomName string `json:"roomName" in:"required"`
}

func (s *Server) roomsNameExists(c *request, in *nameExistsIn) (any, error) {
	exists, err := s.app.RoomNameExists(c.ctx, in.RoomName)
	if err != nil {
		return nil, err
	}
	return M{"exists": exists}, nil
}

// roomsDeleteIn is the body of rooms.delete, which has no schema.
type roomsDeleteIn struct {
	RoomID string `json:"roomId"`
	_      openKeys
}

func (s *Server) roomsDelete(c *request, in *roomsDeleteIn) (any, error) {
	if in.RoomID == "" {
		return nil, app.Plain("The 'roomId' param is required")
	}
	return nil, s.app.EraseRoom(c.ctx, c.user, in.RoomID)
}

// roomsLeaveIn is the body of rooms.leave, which has no schema.
type roomsLeaveIn struct {
	roomRefIn
	_ openKeys
}

func (s *Server) roomsLeave(c *request, in *roomsLeaveIn) (any, error) {
	return nil, s.app.LeaveRoom(c.ctx, c.user, in.ref())
}

// roomsDiscussionsIn is the query of rooms.getDiscussions.
type roomsDiscussionsIn struct {
	roomRefIn
	_ pageKeys
	_ openKeys
}

func (s *Server) roomsGetDiscussions(c *request, in *roomsDiscussionsIn, p page) (any, error) {
	list, total, err := s.app.RoomDiscussions(c.ctx, c.user, in.ref(), p.opts())
	if err != nil {
		return nil, err
	}
	spec := c.r.URL.Query().Get("fields")
	out := make([]any, 0, len(list))
	for _, r := range list {
		v, err := project(r, spec)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return pageAnswer("discussions", out, p, total), nil
}

// saveNotificationIn is the body of rooms.saveNotification, which has no
// schema.
type saveNotificationIn struct {
	RoomID        string         `json:"roomId"`
	Notifications map[string]any `json:"notifications"`
	_             openKeys
}

func (s *Server) roomsSaveNotification(c *request, in *saveNotificationIn) (any, error) {
	if in.RoomID == "" {
		return nil, app.Plain("The 'roomId' param is required")
	}
	if len(in.Notifications) == 0 {
		return nil, app.Plain("The 'notifications' param is required")
	}
	return nil, s.app.SaveNotifications(c.ctx, c.user, in.RoomID, in.Notifications)
}
