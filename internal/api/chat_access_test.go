package api_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

// TestChatAccess calls every chat.* endpoint, and the room history, as a
// user who cannot see the room of the message, and checks that each one
// refuses (or, where Rocket.Chat answers 200 without data, answers only
// that) and that no answer carries anything of the message.
func TestChatAccess(t *testing.T) {
	t.Parallel()
	const secret = "pineapple-7f3q"

	// target is what each room kind sets up: the hidden room, a message in
	// it, the id of a message deleted from it, and its owner.
	type target struct {
		e                  *apitest.Env
		caller, owner      *apitest.Client
		rid, msgID, gone   string
		channelsHistoryErr string // errorType of channels.history
		channelsHistory    int    // its status
	}
	// seed posts the secret (mentioning the caller, reacted to, pinned
	// and starred by the owner) and a message that is then deleted. Every
	// user may pin, so that the caller's pin is refused for the room alone.
	seed := func(t *testing.T, e *apitest.Env, owner *apitest.Client, rid string) (msgID, gone string) {
		t.Helper()
		e.SetPermission(t, "pin-message", "admin", "owner", "moderator", "user")
		m := owner.PostText(t, rid, "@intruder "+secret)
		msgID = m["_id"].(string)
		owner.Post(t, "chat.react", map[string]any{"messageId": msgID, "emoji": "smile"}).OK(t)
		owner.Post(t, "chat.starMessage", map[string]any{"messageId": msgID}).OK(t)
		owner.Post(t, "chat.pinMessage", map[string]any{"messageId": msgID}).OK(t)
		gone = owner.PostText(t, rid, "soon gone")["_id"].(string)
		owner.DeleteMessage(t, rid, gone)
		return msgID, gone
	}

	for _, room := range []struct {
		name string
		// open makes the room as its owner, with secretfriend in it.
		open func(t *testing.T, owner *apitest.Client) string
		// hide, when set, runs once the room is seeded.
		hide                func(t *testing.T, e *apitest.Env)
		channelsHistoryErr  string
		channelsHistoryCode int
	}{
		{"private group", func(t *testing.T, owner *apitest.Client) string {
			return owner.CreateRoom(t, "groups", "", nil, "secretfriend")
		}, nil, "error-room-not-found", 400},
		{"direct message", func(t *testing.T, owner *apitest.Client) string {
			return owner.PostMessage(t, map[string]any{"channel": "@secretfriend", "text": "hello"})["rid"].(string)
		}, nil, "error-room-not-found", 400},
		// API.v1.forbidden(): the channel is found, its history refused.
		{"public channel without view-c-room", func(t *testing.T, owner *apitest.Client) string {
			return owner.CreateRoom(t, "channels", "", nil, "secretfriend")
		}, func(t *testing.T, e *apitest.Env) {
			e.SetPermission(t, "view-c-room", "admin", "federated-external", "bot", "app", "anonymous")
		}, "", 403},
	} {
		t.Run(room.name, func(t *testing.T) {
			t.Parallel()
			e := apitest.NewScene(t, "secretowner", "secretfriend", "intruder")
			owner, caller := e.Users[0], e.Users[2]
			rid := room.open(t, owner)
			id, gone := seed(t, e.Env, owner, rid)
			if room.hide != nil {
				room.hide(t, e.Env)
			}
			tg := target{e.Env, caller, owner, rid, id, gone, room.channelsHistoryErr, room.channelsHistoryCode}
			body := func(kv ...any) map[string]any {
				m := map[string]any{}
				for i := 0; i+1 < len(kv); i += 2 {
					m[kv[i].(string)] = kv[i+1]
				}
				return m
			}
			const since = "2000-01-01T00:00:00.000Z"
			for _, tc := range []struct {
				name   string
				method string // GET or POST
				path   string
				query  url.Values
				body   map[string]any
				status int
				// errorType and errorText of a refusal; "-" = no errorType.
				errorType, errorText string
				// exact is the whole answer, when it is fixed.
				exact string
			}{
				{"postMessage", "POST", "chat.postMessage", nil, body("roomId", tg.rid, "text", "let me in"), 400, "-", "error-not-allowed", ""},
				{"sendMessage", "POST", "chat.sendMessage", nil, body("message", body("rid", tg.rid, "msg", "let me in")), 400, "-", "error-not-allowed", ""},
				{"getMessage", "GET", "chat.getMessage", apitest.Q("msgId", tg.msgID), nil, 400, "error-not-allowed", "Not allowed [error-not-allowed]", ""},
				{"update", "POST", "chat.update", nil, body("roomId", tg.rid, "msgId", tg.msgID, "text", "defaced"), 400, "error-action-not-allowed", "Message editing not allowed [error-action-not-allowed]", ""},
				{"delete", "POST", "chat.delete", nil, body("roomId", tg.rid, "msgId", tg.msgID), 400, "error-action-not-allowed", "Not allowed [error-action-not-allowed]", ""},
				{"react", "POST", "chat.react", nil, body("messageId", tg.msgID, "emoji", "smile"), 400, "not-authorized", "Not Authorized [not-authorized]", ""},
				{"react no-op", "POST", "chat.react", nil, body("messageId", tg.msgID, "emoji", "smile", "shouldReact", false), 200, "", "", `{"success":true}`},
				{"pinMessage", "POST", "chat.pinMessage", nil, body("messageId", tg.msgID), 400, "not-authorized", "Not Authorized [not-authorized]", ""},
				{"unPinMessage", "POST", "chat.unPinMessage", nil, body("messageId", tg.msgID), 400, "error-invalid-message", "Message you are unpinning was not found [error-invalid-message]", ""},
				{"starMessage", "POST", "chat.starMessage", nil, body("messageId", tg.msgID), 200, "", "", `{"success":true}`},
				{"unStarMessage", "POST", "chat.unStarMessage", nil, body("messageId", tg.msgID), 200, "", "", `{"success":true}`},
				{"getPinnedMessages", "GET", "chat.getPinnedMessages", apitest.Q("roomId", tg.rid), nil, 400, "error-not-allowed", "Not allowed [error-not-allowed]", ""},
				{"getStarredMessages", "GET", "chat.getStarredMessages", apitest.Q("roomId", tg.rid), nil, 400, "-", "error-not-allowed", ""},
				{"getMentionedMessages", "GET", "chat.getMentionedMessages", apitest.Q("roomId", tg.rid), nil, 400, "-", "error-not-allowed", ""},
				{"search", "GET", "chat.search", apitest.Q("roomId", tg.rid, "searchText", secret), nil, 400, "-", "", `{"success":false}`},
				{"search by regexp", "GET", "chat.search", apitest.Q("roomId", tg.rid, "searchText", "/./"), nil, 400, "-", "", `{"success":false}`},
				{"reportMessage", "POST", "chat.reportMessage", nil, body("messageId", tg.msgID, "description", "what is this"), 400, "-", "error-invalid-message_id", ""},
				{"ignoreUser", "GET", "chat.ignoreUser", apitest.Q("rid", tg.rid, "userId", tg.owner.UserID, "ignore", "true"), nil, 400, "error-invalid-subscription", "Invalid subscription [error-invalid-subscription]", ""},
				{"syncMessages lastUpdate", "GET", "chat.syncMessages", apitest.Q("roomId", tg.rid, "lastUpdate", since), nil, 400, "error-not-allowed", "Not allowed [error-not-allowed]", ""},
				{"syncMessages updated", "GET", "chat.syncMessages", apitest.Q("roomId", tg.rid, "type", "UPDATED", "next", "0"), nil, 400, "error-not-allowed", "Not allowed [error-not-allowed]", ""},
				{"syncMessages deleted", "GET", "chat.syncMessages", apitest.Q("roomId", tg.rid, "type", "DELETED", "next", "0"), nil, 400, "error-not-allowed", "Not allowed [error-not-allowed]", ""},
				{"getDeletedMessages", "GET", "chat.getDeletedMessages", apitest.Q("roomId", tg.rid, "since", since), nil, 400, "error-not-allowed", "Not allowed [error-not-allowed]", ""},
				{"groups.history", "GET", "groups.history", apitest.Q("roomId", tg.rid), nil, 400, "error-room-not-found", "", ""},
				{"channels.history", "GET", "channels.history", apitest.Q("roomId", tg.rid), nil, tg.channelsHistory, tg.channelsHistoryErr, "", ""},
			} {
				t.Run(tc.name, func(t *testing.T) {
					var r *apitest.Response
					if tc.method == "GET" {
						r = tg.caller.Get(t, tc.path, tc.query)
					} else {
						r = tg.caller.Post(t, tc.path, tc.body)
					}
					switch {
					case tc.status == 200:
						r.OK(t)
					case tc.errorType == "-":
						m := r.Fails(t, tc.status, "", tc.errorText).JSON(t)
						if _, ok := m["errorType"]; ok {
							t.Fatalf("unexpected errorType: %s", r.Body)
						}
					default:
						r.Fails(t, tc.status, tc.errorType, tc.errorText)
					}
					if got := strings.TrimSpace(string(r.Body)); tc.exact != "" && got != tc.exact {
						t.Fatalf("body = %s, want %s", got, tc.exact)
					}
					text := string(r.Body)
					for _, leak := range []string{secret, tg.msgID, "secretowner", `"msg"`, `"u"`, `"ts"`, `"rid"`, `"_updatedAt"`, `"mentions"`, `"reactions"`, `"md"`, `"message"`} {
						if strings.Contains(text, leak) {
							t.Fatalf("answer leaks %s: %s", leak, text)
						}
					}
				})
			}

			// Nothing the caller sent changed the message. (Read from the
			// store: without view-c-room the owner cannot read it either.)
			m, err := tg.e.Store.Messages().Get(context.Background(), tg.msgID)
			if err != nil {
				t.Fatal(err)
			}
			if m.Msg != "@intruder "+secret || !m.Pinned || apitest.JSON(m.Reactions) != `{":smile:":{"usernames":["secretowner"]}}` ||
				apitest.JSON(m.Starred) != `[{"_id":"`+tg.owner.UserID+`"}]` || m.EditedAt != nil {
				t.Fatalf("message after the attempts = %+v", m)
			}
		})
	}
}
