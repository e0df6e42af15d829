package api_test

import (
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

func TestRoomTypes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ prefix, key, word, noInviteeType, noInviteeText string }{
		{"channels", "channel", "channel", "Cannot invite if no users are provided", "invalid-user-invite-list"},
		{"groups", "group", "group", "error-empty-invite-list", "Cannot invite if no valid users are provided [error-empty-invite-list]"},
	} {
		t.Run(tc.prefix, func(t *testing.T) {
			t.Parallel()
			e := apitest.NewScene(t, "owner", "member", "outsider")
			owner, member, outsider := e.Users[0], e.Users[1], e.Users[2]

			room := owner.Post(t, tc.prefix+".create", map[string]any{"name": "team", "members": []string{"member", "ghost"}, "readOnly": true}).
				OK(t).JSON(t)[tc.key].(map[string]any)
			rid := room["_id"].(string)
			if room["usersCount"] != 2.0 || room["ro"] != true || room["name"] != "team" {
				t.Fatalf("created room = %v", room)
			}
			owner.Post(t, tc.prefix+".create", map[string]any{"name": "TEAM"}).Fails(t, 400, "error-duplicate-channel-name", "A channel with name 'TEAM' exists [error-duplicate-channel-name]")
			owner.Post(t, tc.prefix+".create", map[string]any{"name": "bad name!"}).Fails(t, 400, "error-invalid-room-name", "bad name! is not a valid room name [error-invalid-room-name]")
			owner.Post(t, tc.prefix+".create", map[string]any{}).Fails(t, 400, "", `Param "name" is required`)
			// A JSON body is typed: one member is still a list; a form body
			// cannot say so, and there one value is a list of one.
			owner.Post(t, tc.prefix+".create", map[string]any{"name": "x", "members": "member"}).Fails(t, 400, "invalid-params", "must be array [invalid-params]")
			owner.Do(t, "POST", "/api/v1/"+tc.prefix+".create", []byte("name=x&members=member"), "application/x-www-form-urlencoded").OK(t)

			// The creator owns the room.
			sub := owner.Get(t, "subscriptions.getOne", apitest.Q("roomId", rid)).OK(t).JSON(t)["subscription"].(map[string]any)
			if roles, _ := sub["roles"].([]any); len(roles) != 1 || roles[0] != "owner" {
				t.Fatalf("owner subscription = %v", sub)
			}

			member.Get(t, tc.prefix+".info", apitest.Q("roomId", rid)).OK(t)
			owner.Get(t, tc.prefix+".info", apitest.Q("roomName", "team")).OK(t)
			owner.Get(t, tc.prefix+".info").Fails(t, 400, "error-roomid-param-not-provided", "")
			owner.Get(t, tc.prefix+".info", apitest.Q("roomId", "nope")).
				Fails(t, 400, "error-room-not-found", `The required "roomId" or "roomName" param provided does not match any `+tc.word+` [error-room-not-found]`)
			if tc.prefix == "groups" {
				// A private group does not exist for a non-member.
				outsider.Get(t, "groups.info", apitest.Q("roomId", rid)).Fails(t, 400, "error-room-not-found", "")
				outsider.Get(t, "rooms.info", apitest.Q("roomId", rid)).Fails(t, 400, "Not Allowed", "not-allowed")
			} else {
				outsider.Get(t, "channels.info", apitest.Q("roomId", rid)).OK(t)
			}

			// Invite needs add-user-to-joined-room (owners and moderators).
			member.Post(t, tc.prefix+".invite", map[string]any{"roomId": rid, "userId": outsider.UserID}).Fails(t, 400, "error-not-allowed", "")
			owner.Post(t, tc.prefix+".invite", map[string]any{"roomId": rid, "userId": "nope"}).Fails(t, 400, tc.noInviteeType, tc.noInviteeText)
			r := owner.Post(t, tc.prefix+".invite", map[string]any{"roomId": rid, "userId": outsider.UserID}).OK(t).JSON(t)[tc.key].(map[string]any)
			if r["usersCount"] != 3.0 {
				t.Fatalf("after invite usersCount = %v", r["usersCount"])
			}
			var members struct {
				Members []map[string]any
				Total   int
			}
			member.Get(t, tc.prefix+".members", apitest.Q("roomId", rid)).OK(t).Decode(t, &members)
			if members.Total != 3 {
				t.Fatalf("members = %+v", members)
			}

			// Kick needs remove-user; the last owner cannot leave.
			member.Post(t, tc.prefix+".kick", map[string]any{"roomId": rid, "userId": outsider.UserID}).Fails(t, 400, "error-not-allowed", "")
			owner.Post(t, tc.prefix+".kick", map[string]any{"roomId": rid, "userId": outsider.UserID}).OK(t)
			owner.Post(t, tc.prefix+".kick", map[string]any{"roomId": rid, "userId": outsider.UserID}).Fails(t, 400, "error-user-not-in-room", "")
			owner.Post(t, tc.prefix+".leave", map[string]any{"roomId": rid}).Fails(t, 400, "error-you-are-last-owner", "")
			owner.Post(t, tc.prefix+".addOwner", map[string]any{"roomId": rid, "userId": member.UserID}).OK(t)
			owner.Post(t, tc.prefix+".addOwner", map[string]any{"roomId": rid, "userId": member.UserID}).Fails(t, 400, "error-user-already-owner", "")
			owner.Post(t, tc.prefix+".leave", map[string]any{"roomId": rid}).OK(t)
			owner.Post(t, tc.prefix+".leave", map[string]any{"roomId": rid}).Expect(t, 400)

			// Lists.
			list := member.Get(t, tc.prefix+".list").OK(t).JSON(t)
			if list["total"].(float64) < 1 {
				t.Fatalf("list = %v", list)
			}
			if tc.prefix == "channels" {
				joined := outsider.Get(t, "channels.list.joined").OK(t).JSON(t)
				for _, c := range joined["channels"].([]any) {
					if c.(map[string]any)["_id"] == rid {
						t.Fatal("list.joined shows a channel the user left")
					}
				}
				outsider.Post(t, "channels.join", map[string]any{"roomId": rid}).OK(t)
			}

			// Delete needs delete-c/delete-p (owners and admins).
			outsider.Post(t, tc.prefix+".delete", map[string]any{"roomId": rid}).Fails(t, 400, "", "")
			member.Post(t, tc.prefix+".delete", map[string]any{"roomId": rid}).OK(t)
			e.Admin.Get(t, "rooms.info", apitest.Q("roomId", rid)).Fails(t, 400, "error-room-not-found", "")
			if sub := member.Get(t, "subscriptions.getOne", apitest.Q("roomId", rid)).OK(t).JSON(t)["subscription"]; sub != nil {
				t.Fatal("subscription survives its room")
			}
		})
	}
}

func TestCreatePermission(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	u := e.NewUser(t, "guesty", map[string]any{"roles": []string{"guest"}})
	u.Post(t, "channels.create", map[string]any{"name": "nope"}).Fails(t, 403, "", "unauthorized")
	u.Post(t, "groups.create", map[string]any{"name": "nope"}).Fails(t, 403, "", "unauthorized")
}

func TestSubscriptionsAndRoomsGet(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	u := e.NewUser(t, "reader")
	u.Post(t, "channels.create", map[string]any{"name": "news"}).OK(t)

	var subs struct{ Update []map[string]any }
	u.Get(t, "subscriptions.get").OK(t).Decode(t, &subs)
	if len(subs.Update) != 2 { // GENERAL and news
		t.Fatalf("subscriptions = %v", subs.Update)
	}
	u.Get(t, "subscriptions.get", apitest.Q("updatedSince", "2999-01-01T00:00:00.000Z")).OK(t).Decode(t, &subs)
	if len(subs.Update) != 0 {
		t.Fatalf("future updatedSince gave %v", subs.Update)
	}
	u.Get(t, "subscriptions.get", apitest.Q("updatedSince", "yesterday")).Fails(t, 400, "error-updatedSince-param-invalid", "")
	u.Get(t, "subscriptions.getOne").Fails(t, 400, "invalid-params", "")

	var rooms struct{ Update []map[string]any }
	u.Get(t, "rooms.get").OK(t).Decode(t, &rooms)
	if len(rooms.Update) != 2 {
		t.Fatalf("rooms.get = %v", rooms.Update)
	}

	u.Post(t, "subscriptions.read", map[string]any{"rid": "GENERAL"}).OK(t)
	sub := u.Get(t, "subscriptions.getOne", apitest.Q("roomId", "GENERAL")).OK(t).JSON(t)["subscription"].(map[string]any)
	if sub["ls"] == nil || sub["unread"] != 0.0 || sub["alert"] != false || sub["open"] != true {
		t.Fatalf("after read: %v", sub)
	}
	u.Post(t, "subscriptions.read", map[string]any{"roomId": "GENERAL", "readThreads": true}).OK(t)
	u.Post(t, "subscriptions.read", map[string]any{}).Fails(t, 400, "invalid-params", "")
	u.Post(t, "subscriptions.read", map[string]any{"rid": "nope"}).Fails(t, 400, "", "error-invalid-subscription")
	// Naming the room both ways is refused, whether or not the two agree.
	for _, other := range []string{"GENERAL", u.CreateRoom(t, "channels", "", nil)} {
		u.Post(t, "subscriptions.read", map[string]any{"rid": "GENERAL", "roomId": other}).
			Fails(t, 400, "invalid-params", "must NOT have additional properties\n must NOT have additional properties\n must match a schema in anyOf [invalid-params]")
	}
}
