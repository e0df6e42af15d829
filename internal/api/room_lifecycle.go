package api

import (
	"net/http"
	"strings"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/model"
)

// roomChangeHandlers is the channels.* or groups.* handler set of the
// lifecycle and settings routes (groups.* has no setJoinCode and no
// setDefault).
type roomChangeHandlers struct {
	setJoinCode, addAll, close, open, rename                   handlerFunc
	setType, setReadOnly, setTopic, setDescription, setPurpose handlerFunc
	setAnnouncement, setCustomFields, setDefault               handlerFunc
	setEncrypted                                               handlerFunc
}

// roomChanges builds the lifecycle and settings handlers of the
// channels.* (t "c") or groups.* (t "p") family. These routes take the
// body Rocket.Chat's handlers take: open, with each parameter checked by
// hand and refused in Rocket.Chat's words.
func (s *Server) roomChanges(t string) roomChangeHandlers {
	rt := &roomRoutes{s: s, t: t, key: "channel"}
	if t == model.RoomGroup {
		rt.key = "group"
	}
	return roomChangeHandlers{
		setJoinCode:     rt.body(rt.setJoinCode),
		addAll:          rt.body(rt.addAll),
		close:           rt.body(rt.setOpen(false)),
		open:            rt.body(rt.setOpen(true)),
		rename:          rt.body(rt.rename),
		setType:         rt.body(rt.setType),
		setReadOnly:     rt.body(rt.setReadOnly),
		setTopic:        rt.textSetter("topic", "topic", func(s *app.RoomSettings, v *string) { s.Topic = v }, func(r *model.Room) string { return r.Topic }),
		setDescription:  rt.textSetter("description", "description", func(s *app.RoomSettings, v *string) { s.Description = v }, func(r *model.Room) string { return r.Description }),
		setPurpose:      rt.textSetter("purpose", "purpose (description)", func(s *app.RoomSettings, v *string) { s.Description = v }, func(r *model.Room) string { return r.Description }),
		setAnnouncement: rt.textSetter("announcement", "", func(s *app.RoomSettings, v *string) { s.Announcement = v }, nil),
		setCustomFields: rt.body(rt.setCustomFields),
		setDefault:      rt.body(rt.setDefault),
		setEncrypted:    rt.body(rt.setEncrypted),
	}
}

// body makes a handler of h, which reads the request body as it came.
func (rt *roomRoutes) body(h func(c *request, body map[string]any) (any, error)) handlerFunc {
	return func(c *request) (any, error) {
		body, err := readBody(c.r)
		if err != nil {
			return nil, err
		}
		return h(c, body)
	}
}

// refOf names the room a body names, by roomId or roomName.
func refOf(body map[string]any) app.RoomRef {
	id, _ := body["roomId"].(string)
	name, _ := body["roomName"].(string)
	return app.RoomRef{ID: id, Name: name}
}

// family is how a family's "same value" refusals name a room.
func (rt *roomRoutes) family() string {
	if rt.t == model.RoomGroup {
		return "private group"
	}
	return "channel"
}

// change finds the room the body names and saves settings on it, and
// answers the room as it is after.
func (rt *roomRoutes) change(c *request, r *model.Room, set app.RoomSettings) (any, error) {
	return rt.answer(c.s.app.SaveRoomSettings(c.ctx, c.user, r.ID, set))
}

func (rt *roomRoutes) setJoinCode(c *request, body map[string]any) (any, error) {
	code, _ := body["joinCode"].(string)
	if strings.TrimSpace(code) == "" {
		return nil, app.Plain(`The bodyParam "joinCode" is required`)
	}
	r, err := c.s.app.FindRoomToChange(c.ctx, c.user, refOf(body), rt.t)
	if err != nil {
		return nil, err
	}
	return rt.change(c, r, app.RoomSettings{JoinCode: &code})
}

func (rt *roomRoutes) addAll(c *request, body map[string]any) (any, error) {
	active := false
	switch v := body["activeUsersOnly"].(type) {
	case bool:
		active = v
	case string:
		active = v == "true" || v == "1"
	case float64:
		active = v == 1
	}
	return rt.answer(c.s.app.AddAllToRoom(c.ctx, c.user, refOf(body), rt.t, active))
}

func (rt *roomRoutes) setOpen(open bool) func(c *request, body map[string]any) (any, error) {
	return func(c *request, body map[string]any) (any, error) {
		return nil, c.s.app.SetRoomOpen(c.ctx, c.user, refOf(body), rt.t, open)
	}
}

func (rt *roomRoutes) rename(c *request, body map[string]any) (any, error) {
	name, _ := body["name"].(string)
	if strings.TrimSpace(name) == "" {
		return nil, app.Plain(`The bodyParam "name" is required`)
	}
	r, err := c.s.app.FindRoomToChange(c.ctx, c.user, refOf(body), rt.t)
	if err != nil {
		return nil, err
	}
	if rt.t == model.RoomChannel && r.Name == name {
		return nil, app.Plain("The channel name is the same as what it would be renamed to.")
	}
	return rt.change(c, r, app.RoomSettings{Name: &name})
}

func (rt *roomRoutes) setType(c *request, body map[string]any) (any, error) {
	typ, _ := body["type"].(string)
	if strings.TrimSpace(typ) == "" {
		return nil, app.Plain(`The bodyParam "type" is required`)
	}
	r, err := c.s.app.FindRoomToChange(c.ctx, c.user, refOf(body), rt.t)
	if err != nil {
		return nil, err
	}
	if r.T == typ {
		return nil, app.Plain("The " + rt.family() + " type is the same as what it would be changed to.")
	}
	return rt.change(c, r, app.RoomSettings{Type: &typ})
}

// boolParam reads a boolean parameter, which a form body sends as text.
func boolParam(v any) (bool, bool) {
	switch b := v.(type) {
	case bool:
		return b, true
	case string:
		switch strings.ToLower(b) {
		case "true", "1":
			return true, true
		case "false", "0":
			return false, true
		}
	}
	return false, false
}

func (rt *roomRoutes) setReadOnly(c *request, body map[string]any) (any, error) {
	ro, ok := boolParam(body["readOnly"])
	if !ok {
		return nil, app.Plain(`The bodyParam "readOnly" is required`)
	}
	r, err := c.s.app.FindRoomToChange(c.ctx, c.user, refOf(body), rt.t)
	if err != nil {
		return nil, err
	}
	if r.Ro == ro {
		return nil, app.Plain("The " + rt.family() + " read only setting is the same as what it would be changed to.")
	}
	return rt.change(c, r, app.RoomSettings{ReadOnly: &ro})
}

// setEncrypted switches a group's end-to-end encryption flag; only a
// JSON boolean is taken.
func (rt *roomRoutes) setEncrypted(c *request, body map[string]any) (any, error) {
	enc, ok := body["encrypted"].(bool)
	if !ok {
		return nil, app.Plain(`The bodyParam "encrypted" is required`)
	}
	r, err := c.s.app.FindRoomToChange(c.ctx, c.user, refOf(body), rt.t)
	if err != nil {
		return nil, err
	}
	return rt.change(c, r, app.RoomSettings{Encrypted: &enc})
}

// textSetter serves setTopic, setDescription, setPurpose and
// setAnnouncement: the body's key (a string; null or absent-but-named
// counts as empty) becomes the setting, and the answer echoes it under
// key. The channels.* family refuses a value equal to the current one
// (what names the field in that refusal; current reads it), as
// Rocket.Chat does; nil current skips that check.
func (rt *roomRoutes) textSetter(key, what string, set func(*app.RoomSettings, *string), current func(*model.Room) string) handlerFunc {
	return rt.body(func(c *request, body map[string]any) (any, error) {
		raw, present := body[key]
		if !present {
			return nil, app.Plain(`The bodyParam "` + key + `" is required`)
		}
		v, isText := raw.(string)
		if !isText && raw != nil {
			return nil, app.Invalid("must have property '" + key + "' of type string")
		}
		r, err := c.s.app.FindRoomToChange(c.ctx, c.user, refOf(body), rt.t)
		if err != nil {
			return nil, err
		}
		// An unset field is not equal to "", so setting it empty is a
		// change that changes nothing, not a refusal.
		if rt.t == model.RoomChannel && current != nil && v != "" && current(r) == v {
			return nil, app.Plain("The channel " + what + " is the same as what it would be changed to.")
		}
		var s app.RoomSettings
		set(&s, &v)
		if _, err := c.s.app.SaveRoomSettings(c.ctx, c.user, r.ID, s); err != nil {
			return nil, err
		}
		return M{key: v}, nil
	})
}

func (rt *roomRoutes) setCustomFields(c *request, body map[string]any) (any, error) {
	fields, ok := body["customFields"].(map[string]any)
	if !ok {
		return nil, app.Plain(`The bodyParam "customFields" is required with a type like object.`)
	}
	r, err := c.s.app.FindRoomToChange(c.ctx, c.user, refOf(body), rt.t)
	if err != nil {
		return nil, err
	}
	return rt.change(c, r, app.RoomSettings{CustomFields: fields, SetCustomFields: true})
}

// setDefault is channels.setDefault. Its two refusals carry the error
// types Rocket.Chat gives them, swapped as Rocket.Chat has them.
func (rt *roomRoutes) setDefault(c *request, body map[string]any) (any, error) {
	raw, present := body["default"]
	if !present || raw == nil {
		return nil, &app.Error{Status: http.StatusBadRequest, Type: "error-channels-setdefault-is-same", Reason: `The bodyParam "default" is required`, Plain: true}
	}
	r, err := c.s.app.FindRoomToChange(c.ctx, c.user, refOf(body), rt.t)
	if err != nil {
		return nil, err
	}
	if b, isBool := raw.(bool); isBool && b == r.Default {
		return nil, &app.Error{Status: http.StatusBadRequest, Type: "error-channels-setdefault-missing-default-param",
			Reason: "The channel default setting is the same as what it would be changed to.", Plain: true}
	}
	on, _ := boolParam(raw)
	if f, isNum := raw.(float64); isNum {
		on = f == 1
	}
	return rt.change(c, r, app.RoomSettings{Default: &on})
}
