package api

import (
	"github.com/parleychat/parley/internal/app"
)

// roomsSaveRoomSettings is rooms.saveRoomSettings: rid names the room,
// every other key is a setting. A setting Parley does not serve, or one
// given a value of the wrong type, makes the whole request fail with
// Rocket.Chat's error for an invalid setting.
func (s *Server) roomsSaveRoomSettings(c *request) (any, error) {
	body, err := readBody(c.r)
	if err != nil {
		return nil, err
	}
	rid, _ := body["rid"].(string)
	var set app.RoomSettings
	for key, v := range body {
		if key == "rid" || !readRoomSetting(&set, key, v) {
			if key != "rid" {
				set.Unknown = append(set.Unknown, key)
			}
		}
	}
	r, err := s.app.SaveRoomSettings(c.ctx, c.user, rid, set)
	if err != nil {
		return nil, err
	}
	return M{"rid": r.ID}, nil
}

// readRoomSetting puts one setting of the body into set, and reports
// whether the key is one Parley serves with a value of its type.
func readRoomSetting(set *app.RoomSettings, key string, v any) bool {
	text := func(dst **string) bool {
		s, ok := v.(string)
		if ok {
			*dst = &s
		}
		return ok
	}
	flag := func(dst **bool) bool {
		b, ok := boolParam(v)
		if ok {
			*dst = &b
		}
		return ok
	}
	switch key {
	case "roomName":
		return text(&set.Name)
	case "roomTopic":
		return text(&set.Topic)
	case "roomAnnouncement":
		return text(&set.Announcement)
	case "roomDescription":
		return text(&set.Description)
	case "roomType":
		return text(&set.Type)
	case "joinCode":
		return text(&set.JoinCode)
	case "readOnly":
		return flag(&set.ReadOnly)
	case "reactWhenReadOnly":
		return flag(&set.ReactWhenReadOnly)
	case "default":
		return flag(&set.Default)
	case "featured":
		return flag(&set.Featured)
	case "encrypted":
		return flag(&set.Encrypted)
	case "roomCustomFields":
		m, ok := v.(map[string]any)
		set.CustomFields, set.SetCustomFields = m, ok
		return ok
	case "systemMessages", "sysMes":
		return readSystemMessages(set, v)
	case "roomAvatar":
		if v == nil { // null removes the avatar, as "" does
			v = ""
		}
		return text(&set.Avatar)
	case "sidepanel":
		set.Sidepanel = readSidepanel(v)
		return true
	case "favorite":
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		fav, _ := m["favorite"].(bool)
		def, _ := m["defaultValue"].(bool)
		set.Favorite = &app.FavoriteSetting{Favorite: fav, DefaultValue: def}
		return true
	}
	return false
}

// readSidepanel reads the sidepanel setting: null, or {items: [...]}.
// What it makes of other values is refused by the app as an invalid
// side panel, not as an unknown setting.
func readSidepanel(v any) *app.SidepanelSetting {
	if v == nil {
		return &app.SidepanelSetting{Null: true}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return &app.SidepanelSetting{}
	}
	list, ok := m["items"].([]any)
	if !ok {
		return &app.SidepanelSetting{}
	}
	sp := &app.SidepanelSetting{Valid: true}
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			return &app.SidepanelSetting{}
		}
		sp.Items = append(sp.Items, s)
	}
	return sp
}

// readSystemMessages reads sysMes: true or false, or the list of types
// to hide.
func readSystemMessages(set *app.RoomSettings, v any) bool {
	if b, ok := v.(bool); ok {
		set.SystemMessages = &app.SystemMessages{On: &b}
		return true
	}
	list, ok := v.([]any)
	if !ok {
		return false
	}
	hidden := make([]string, 0, len(list))
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			return false
		}
		hidden = append(hidden, s)
	}
	set.SystemMessages = &app.SystemMessages{Hidden: hidden}
	return true
}
