package api_test

import (
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

// Reactions, stars and pins of a room's last message show in the room's
// lastMessage; the pin's notice neither replaces it nor counts as unread.
func TestLastMessageCarriesPinReactionsAndStars(t *testing.T) {
	t.Parallel()
	for _, prefix := range []string{"channels", "groups"} {
		t.Run(prefix, func(t *testing.T) {
			t.Parallel()
			e := apitest.NewScene(t, "lmbob")
			bob := e.Users[0]
			rid := e.Admin.CreateRoom(t, prefix, "lm-room", nil, "lmbob")
			m := e.Admin.PostText(t, rid, "hello")
			bob.Post(t, "subscriptions.read", map[string]any{"rid": rid}).OK(t)
			e.Admin.Post(t, "chat.react", map[string]any{"messageId": m["_id"], "emoji": "smile"}).OK(t)
			e.Admin.Post(t, "chat.starMessage", map[string]any{"messageId": m["_id"]}).OK(t)
			e.Admin.Post(t, "chat.pinMessage", map[string]any{"messageId": m["_id"]}).OK(t)

			key := map[string]string{"channels": "channel", "groups": "group"}[prefix]
			room := e.Admin.Get(t, prefix+".info", apitest.Q("roomId", rid)).OK(t).JSON(t)[key].(map[string]any)
			last := room["lastMessage"].(map[string]any)
			if last["_id"] != m["_id"] || last["pinned"] != true || last["pinnedAt"] == nil || last["pinnedBy"] == nil {
				t.Fatalf("lastMessage: %v", last)
			}
			if r, ok := last["reactions"].(map[string]any); !ok || r[":smile:"] == nil {
				t.Fatalf("lastMessage reactions: %v", last)
			}
			if s, ok := last["starred"].([]any); !ok || len(s) != 1 {
				t.Fatalf("lastMessage starred: %v", last)
			}
			// The notice is in the history all the same.
			if !hasMessage(t, e.Admin, prefix, rid, "message_pinned", "") {
				t.Fatal("no message_pinned notice")
			}
			if s := bob.Subscription(t, rid); apitest.Num(s["unread"]) != 0 {
				t.Fatalf("bob's subscription after the pin: %v", s)
			}
		})
	}
}
