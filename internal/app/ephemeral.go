package app

import (
	"encoding/json"
	"strconv"

	"github.com/parleychat/parley/internal/events"
)

// TellUser shows user userID a notice in room rid that nobody else sees
// and that is not stored: Rocket.Chat's ephemeral message, which clients
// receive on stream-notify-user <uid>/message, for example when a message
// they sent over the websocket was refused.
func (a *App) TellUser(userID, rid, text string) {
	now := a.now()
	notice := []map[string]any{{
		// Rocket.Chat names the notice by the time it was made.
		"_id": strconv.FormatInt(int64(now), 10), "rid": rid, "msg": text, "groupable": false,
		"ts": map[string]int64{"$date": int64(now)},
	}}
	data, err := json.Marshal(notice)
	if err != nil {
		return
	}
	a.bus.Publish(events.Event{Kind: events.Ephemeral, RoomID: rid, UserID: userID, Data: data})
}
