package realtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/methods"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// Stream (publication) names.
const (
	streamRoomMessages = "stream-room-messages"
	streamNotifyRoom   = "stream-notify-room"
	streamNotifyUser   = "stream-notify-user"
	streamNotifyLogged = "stream-notify-logged"
	streamNotifyAll    = "stream-notify-all"

	myMessages = "__my_messages__"
)

// publication is a stream a client may subscribe to. allow is its read
// rule, for user u (nil before login) and the subscription's event name.
type publication struct {
	allow func(ctx context.Context, c *conn, u *model.User, event string) (bool, error)
}

var publications = map[string]publication{
	streamRoomMessages: {allow: func(ctx context.Context, c *conn, u *model.User, event string) (bool, error) {
		if u == nil {
			return false, nil
		}
		if event == myMessages {
			// Filtered per message and per subscriber instead.
			return true, nil
		}
		return c.s.canSeeRoom(ctx, u, event)
	}},
	streamNotifyRoom: {allow: func(ctx context.Context, c *conn, u *model.User, event string) (bool, error) {
		rid, name, ok := strings.Cut(event, "/")
		if u == nil || !ok || name == "" {
			return false, nil
		}
		return c.s.canSeeRoom(ctx, u, rid)
	}},
	streamNotifyUser: {allow: func(_ context.Context, _ *conn, u *model.User, event string) (bool, error) {
		uid, name, ok := strings.Cut(event, "/")
		return u != nil && ok && name != "" && uid == u.ID, nil
	}},
	streamNotifyLogged: {allow: func(_ context.Context, _ *conn, u *model.User, _ string) (bool, error) {
		return u != nil, nil
	}},
	streamNotifyAll: {allow: func(context.Context, *conn, *model.User, string) (bool, error) {
		return true, nil
	}},
}

// canSeeRoom is the app's access rule for a room id; an unknown room is
// not visible.
func (s *Server) canSeeRoom(ctx context.Context, u *model.User, rid string) (bool, error) {
	if rid == "" {
		return false, nil
	}
	r, err := s.app.Store().Rooms().GetHead(ctx, rid)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return s.app.CanAccessRoom(ctx, r, u)
}

// maxActivityBytes bounds the arguments of one typing notice, which other
// nodes receive through the bus.
const maxActivityBytes = 1024

// writeRoomActivity is the client side of stream-notify-room:
// ["<rid>/user-activity", username, activities, extra?] or the legacy
// ["<rid>/typing", username, bool]. As in Rocket.Chat, a refused write is
// dropped without an error. The username must be the caller's own, and the
// caller must see the room. Each form is mirrored into the other, so that
// clients listening to either hear clients writing either.
func (c *conn) writeRoomActivity(params []json.RawMessage) (any, *methods.Error) {
	u := c.currentUser()
	if u == nil || len(params) < 3 {
		return nil, nil
	}
	var key, username string
	if json.Unmarshal(params[0], &key) != nil || json.Unmarshal(params[1], &username) != nil {
		return nil, nil
	}
	rid, name, _ := strings.Cut(key, "/")
	if name != "user-activity" && name != "typing" {
		return nil, nil
	}
	if username != u.Username && !(c.s.app.Settings.Bool("UI_Use_Real_Name") && username == u.Name) {
		return nil, nil
	}
	total := 0
	for _, p := range params[1:] {
		total += len(p)
	}
	if total > maxActivityBytes {
		return nil, nil
	}
	if ok, err := c.s.canSeeRoom(c.ctx, u, rid); err != nil || !ok {
		return nil, nil
	}
	user, _ := json.Marshal(username)
	var activity, typing json.RawMessage
	if name == "typing" {
		var on bool
		if json.Unmarshal(params[2], &on) != nil {
			return nil, nil
		}
		typing = jsonArray(params[1:])
		acts := "[]"
		if on {
			acts = `["user-typing"]`
		}
		activity = jsonArray([]json.RawMessage{user, json.RawMessage(acts)})
	} else {
		var acts []string
		if json.Unmarshal(params[2], &acts) != nil {
			return nil, nil
		}
		activity = jsonArray(params[1:])
		on := "false"
		if contains(acts, "user-typing") {
			on = "true"
		}
		typing = jsonArray([]json.RawMessage{user, json.RawMessage(on)})
	}
	c.s.app.Bus().Publish(
		events.Event{Kind: events.Activity, RoomID: rid, UserID: u.ID, ID: "user-activity", Data: activity},
		events.Event{Kind: events.Activity, RoomID: rid, UserID: u.ID, ID: "typing", Data: typing},
	)
	return nil, nil
}

func jsonArray(items []json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, it := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(bytes.TrimSpace(it))
	}
	b.WriteByte(']')
	return b.Bytes()
}
