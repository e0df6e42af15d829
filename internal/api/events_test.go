package api_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
	"github.com/parleychat/parley/internal/events"
)

// eventScene is what each case of TestMutationsEmitEvents starts from: alice
// owns channel C with bob in it, and message M of alice's is in C. Carol is
// a user with no rooms.
type eventScene struct {
	e                 *apitest.Env
	alice, bob, carol *apitest.Client
	room, msg         string
}

// want describes one expected event; "*" matches any value and "-" an
// empty one. Placeholders R, M, A, B, C stand for the scene's room, message
// and users; N is filled by the case (a new id it learned).
type wantEvent struct {
	kind           events.Kind
	room, user, id string
}

func TestMutationsEmitEvents(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	cases := []struct {
		name string
		// act performs the mutation and returns the value of N, if any.
		act  func(t *testing.T, s *eventScene) string
		want []wantEvent
	}{
		{"chat.postMessage", func(t *testing.T, s *eventScene) string {
			return s.alice.Post(t, "chat.postMessage", map[string]any{"roomId": s.room, "text": "hi"}).OK(t).JSON(t)["message"].(map[string]any)["_id"].(string)
		}, []wantEvent{
			{events.MessageSaved, "R", "A", "N"}, {events.RoomChanged, "R", "A", "R"}, {events.SubscriptionChanged, "R", "-", "-"},
		}},
		{"chat.sendMessage", func(t *testing.T, s *eventScene) string {
			s.bob.Post(t, "chat.sendMessage", map[string]any{"message": map[string]any{"_id": "sent-by-bob", "rid": s.room, "msg": "yo"}}).OK(t)
			return "sent-by-bob"
		}, []wantEvent{
			{events.MessageSaved, "R", "B", "N"}, {events.RoomChanged, "R", "B", "R"}, {events.SubscriptionChanged, "R", "-", "-"},
		}},
		{"postMessage auto-joins a public channel", func(t *testing.T, s *eventScene) string {
			return s.carol.Post(t, "chat.postMessage", map[string]any{"roomId": s.room, "text": "hello all"}).OK(t).JSON(t)["message"].(map[string]any)["_id"].(string)
		}, []wantEvent{
			{events.SubscriptionChanged, "R", "C", "*"}, {events.RoomChanged, "R", "C", "R"},
			{events.MessageSaved, "R", "C", "*"}, // the uj message
			{events.SubscriptionChanged, "R", "-", "-"},
			{events.MessageSaved, "R", "C", "N"},
		}},
		{"chat.update", func(t *testing.T, s *eventScene) string {
			s.alice.Post(t, "chat.update", map[string]any{"roomId": s.room, "msgId": s.msg, "text": "edited"}).OK(t)
			return ""
		}, []wantEvent{{events.MessageUpdated, "R", "*", "M"}}},
		{"chat.react", func(t *testing.T, s *eventScene) string {
			s.bob.Post(t, "chat.react", map[string]any{"messageId": s.msg, "emoji": "smile"}).OK(t)
			return ""
		}, []wantEvent{{events.MessageUpdated, "R", "*", "M"}}},
		{"chat.starMessage", func(t *testing.T, s *eventScene) string {
			s.bob.Post(t, "chat.starMessage", map[string]any{"messageId": s.msg}).OK(t)
			return ""
		}, []wantEvent{{events.MessageUpdated, "R", "*", "M"}}},
		{"chat.pinMessage", func(t *testing.T, s *eventScene) string {
			return s.alice.Post(t, "chat.pinMessage", map[string]any{"messageId": s.msg}).OK(t).JSON(t)["message"].(map[string]any)["_id"].(string)
		}, []wantEvent{
			{events.MessageUpdated, "R", "A", "M"},
			// The pin notice leaves the members' subscriptions alone.
			{events.MessageSaved, "R", "A", "N"}, {events.RoomChanged, "R", "A", "R"},
		}},
		{"chat.delete", func(t *testing.T, s *eventScene) string {
			s.alice.Post(t, "chat.delete", map[string]any{"roomId": s.room, "msgId": s.msg}).OK(t)
			return ""
		}, []wantEvent{{events.MessageDeleted, "R", "A", "M"}, {events.RoomChanged, "R", "A", "R"}}},
		{"thread reply", func(t *testing.T, s *eventScene) string {
			return s.bob.Post(t, "chat.postMessage", map[string]any{"roomId": s.room, "text": "in thread", "tmid": s.msg}).OK(t).JSON(t)["message"].(map[string]any)["_id"].(string)
		}, []wantEvent{
			{events.MessageSaved, "R", "B", "N"}, {events.MessageUpdated, "R", "B", "M"},
			{events.SubscriptionChanged, "R", "-", "-"}, {events.RoomChanged, "R", "B", "R"},
		}},
		{"chat.followMessage", func(t *testing.T, s *eventScene) string {
			s.bob.Post(t, "chat.followMessage", map[string]any{"mid": s.msg}).OK(t)
			return ""
		}, []wantEvent{{events.MessageUpdated, "R", "B", "M"}}},
		{"rooms.createDiscussion", func(t *testing.T, s *eventScene) string {
			return s.alice.Post(t, "rooms.createDiscussion", map[string]any{"prid": s.room, "t_name": s.e.Unique("talk")}).OK(t).JSON(t)["discussion"].(map[string]any)["_id"].(string)
		}, []wantEvent{
			{events.SubscriptionChanged, "N", "A", "*"}, {events.RoomChanged, "N", "A", "N"},
			// The discussion-created message lands in the parent room.
			{events.MessageSaved, "R", "A", "*"}, {events.RoomChanged, "R", "A", "R"}, {events.SubscriptionChanged, "R", "-", "-"},
		}},
		{"subscriptions.read", func(t *testing.T, s *eventScene) string {
			s.bob.Post(t, "subscriptions.read", map[string]any{"rid": s.room}).OK(t)
			return ""
		}, []wantEvent{{events.SubscriptionChanged, "R", "B", "*"}}},
		{"channels.archive", func(t *testing.T, s *eventScene) string {
			s.alice.Post(t, "channels.archive", map[string]any{"roomId": s.room}).OK(t)
			return ""
		}, []wantEvent{
			{events.MessageSaved, "R", "A", "*"}, {events.RoomChanged, "R", "A", "R"}, {events.SubscriptionChanged, "R", "-", "-"},
			{events.SubscriptionChanged, "R", "A", "*"}, {events.SubscriptionChanged, "R", "B", "*"},
		}},
		{"channels.delete", func(t *testing.T, s *eventScene) string {
			s.alice.Post(t, "channels.delete", map[string]any{"roomId": s.room}).OK(t)
			return ""
		}, []wantEvent{
			{events.SubscriptionRemoved, "R", "A", "*"}, {events.SubscriptionRemoved, "R", "B", "*"}, {events.RoomDeleted, "R", "A", "R"},
		}},
		{"users.update", func(t *testing.T, s *eventScene) string {
			s.e.Admin.Post(t, "users.update", map[string]any{"userId": s.carol.UserID, "data": map[string]any{"name": "Carol C"}}).OK(t)
			return ""
		}, []wantEvent{
			{events.UserChanged, "-", "C", "C"},
			// Her subscriptions carry her name (she is in the default channel).
			{events.SubscriptionChanged, "*", "C", "*"},
		}},
		{"logout", func(t *testing.T, s *eventScene) string {
			s.carol.Post(t, "logout", nil).Expect(t, 200)
			return ""
		}, []wantEvent{{events.LoggedOut, "-", "C", "*"}}},
		{"settings", func(t *testing.T, s *eventScene) string {
			s.e.Admin.Post(t, "settings/Message_AllowPinning", map[string]any{"value": true}).OK(t)
			return "Message_AllowPinning"
		}, []wantEvent{{events.SettingChanged, "-", "*", "N"}}},
		{"a duplicate _id emits nothing", func(t *testing.T, s *eventScene) string {
			s.bob.Post(t, "chat.sendMessage", map[string]any{"message": map[string]any{"_id": s.msg, "rid": s.room, "msg": "dup"}}).
				Fails(t, 400, "error-duplicate-message-id", "A message with this _id already exists [error-duplicate-message-id]")
			return ""
		}, nil},
		{"a refused change emits nothing", func(t *testing.T, s *eventScene) string {
			s.carol.Post(t, "chat.update", map[string]any{"roomId": s.room, "msgId": s.msg, "text": "not yours"}).Expect(t, 400)
			return ""
		}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newEventScene(t, e)
			rec := e.App.Bus().Subscribe(256)
			defer rec.Close()
			n := tc.act(t, s)
			got := drainEvents(rec)
			wanted := make([]events.Event, len(tc.want))
			for i, w := range tc.want {
				wanted[i] = s.resolve(w, n)
			}
			matchEvents(t, s, got, wanted)
		})
	}
}

func newEventScene(t *testing.T, e *apitest.Env) *eventScene {
	t.Helper()
	s := &eventScene{e: e, alice: e.NewUser(t, e.Unique("alice")), bob: e.NewUser(t, e.Unique("bob")), carol: e.NewUser(t, e.Unique("carol"))}
	s.room = s.alice.Post(t, "channels.create", map[string]any{"name": e.Unique("events"), "members": []string{s.bob.Username}}).OK(t).JSON(t)["channel"].(map[string]any)["_id"].(string)
	s.msg = s.alice.Post(t, "chat.postMessage", map[string]any{"roomId": s.room, "text": "the message"}).OK(t).JSON(t)["message"].(map[string]any)["_id"].(string)
	return s
}

// resolve turns a want into an event whose fields hold real ids, or "*"
// where any value goes.
func (s *eventScene) resolve(w wantEvent, n string) events.Event {
	f := func(v string) string {
		switch v {
		case "R":
			return s.room
		case "M":
			return s.msg
		case "A":
			return s.alice.UserID
		case "B":
			return s.bob.UserID
		case "C":
			return s.carol.UserID
		case "N":
			return n
		case "-":
			return ""
		}
		return v
	}
	return events.Event{Kind: w.kind, RoomID: f(w.room), UserID: f(w.user), ID: f(w.id)}
}

// drain takes what the subscription holds. Events are published before the
// response is written, so everything the request emitted is there.
func drainEvents(s *events.Subscription) []events.Event {
	var out []events.Event
	for {
		select {
		case e, ok := <-s.C:
			if !ok {
				return out
			}
			out = append(out, e)
		default:
			return out
		}
	}
}

// matchEvents checks that the events of the scene's users and rooms are
// exactly the wanted ones, in any order. Events about other scenes (the
// cases run in parallel on one server) are ignored.
func matchEvents(t *testing.T, s *eventScene, got, wanted []events.Event) {
	t.Helper()
	ours := func(e events.Event) bool {
		ids := []string{s.room, s.msg, s.alice.UserID, s.bob.UserID, s.carol.UserID}
		if e.Kind == events.SettingChanged {
			return len(wanted) > 0 && wanted[0].Kind == events.SettingChanged
		}
		if slices.Contains(ids, e.RoomID) || slices.Contains(ids, e.UserID) {
			return true
		}
		for _, w := range wanted {
			if w.RoomID != "" && w.RoomID != "*" && w.RoomID == e.RoomID {
				return true
			}
		}
		return false
	}
	var mine []events.Event
	for _, e := range got {
		if ours(e) {
			mine = append(mine, e)
		}
	}
	left := slices.Clone(wanted)
	var extra []string
	for _, e := range mine {
		i := slices.IndexFunc(left, func(w events.Event) bool {
			return w.Kind == e.Kind && fitsEvent(w.RoomID, e.RoomID) && fitsEvent(w.UserID, e.UserID) && fitsEvent(w.ID, e.ID)
		})
		if i < 0 {
			extra = append(extra, showEvent(e))
			continue
		}
		left = slices.Delete(left, i, i+1)
	}
	if len(extra) > 0 || len(left) > 0 {
		var missing []string
		for _, w := range left {
			missing = append(missing, showEvent(w))
		}
		var all []string
		for _, e := range mine {
			all = append(all, showEvent(e))
		}
		t.Fatalf("events differ\nunexpected: %s\nmissing: %s\ngot: %s", strings.Join(extra, "; "), strings.Join(missing, "; "), strings.Join(all, "; "))
	}
}

func fitsEvent(want, got string) bool { return want == "*" || want == got }

func showEvent(e events.Event) string {
	return fmt.Sprintf("%s r=%s u=%s i=%s", e.Kind, e.RoomID, e.UserID, e.ID)
}
