package api_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

func keysOf(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}

func TestRoomsInfoShapeAndFields(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "owner")
	owner := e.Users[0]
	want := []string{"_id", "_updatedAt", "customFields", "default", "fname", "msgs", "name", "ro", "sysMes", "t", "ts", "u", "usersCount"}
	for _, prefix := range []string{"channels", "groups"} {
		rid := owner.CreateRoom(t, prefix, "", nil)
		body := owner.Get(t, "rooms.info", apitest.Q("roomId", rid)).OK(t).JSON(t)
		if got := keysOf(body["room"].(map[string]any)); !slices.Equal(got, want) {
			t.Fatalf("%s room keys = %v, want %v", prefix, got, want)
		}
		if _, ok := body["team"]; ok {
			t.Fatalf("a room outside teams has a team: %v", body)
		}
		if _, ok := body["parent"]; ok {
			t.Fatalf("a room that is no discussion has a parent: %v", body)
		}

		// fields keeps _id and the keys named, or drops the keys named.
		only := owner.Get(t, "rooms.info", apitest.Q("roomId", rid, "fields", `{"name":1}`)).OK(t).JSON(t)["room"].(map[string]any)
		if got := keysOf(only); !slices.Equal(got, []string{"_id", "name"}) {
			t.Fatalf("fields name:1 = %v", got)
		}
		less := owner.Get(t, "rooms.info", apitest.Q("roomId", rid, "fields", `{"customFields":0,"u":0}`)).OK(t).JSON(t)["room"].(map[string]any)
		if _, ok := less["u"]; ok || less["name"] == nil {
			t.Fatalf("fields u:0 = %v", less)
		}
		owner.Get(t, "rooms.info", apitest.Q("roomId", rid, "fields", `{"name":2}`)).Fails(t, 400, "error-invalid-fields", "")
	}
}

func TestRoomsInfoTeamAndParent(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "owner")
	owner := e.Users[0]
	team := owner.Post(t, "teams.create", map[string]any{"name": "crew", "type": 1}).OK(t).JSON(t)["team"].(map[string]any)
	mainID := team["roomId"].(string)
	inTeam := owner.CreateRoom(t, "channels", "crew-chat", nil)
	owner.Post(t, "teams.addRooms", map[string]any{"teamId": team["_id"], "rooms": []string{inTeam}}).OK(t)
	outside := owner.CreateRoom(t, "channels", "loose", nil)
	talkOutside := newDiscussion(t, owner, map[string]any{"prid": outside, "t_name": "loose talk"})["_id"].(string)
	talkMain := newDiscussion(t, owner, map[string]any{"prid": mainID, "t_name": "crew talk"})["_id"].(string)

	info := func(rid string) map[string]any {
		return owner.Get(t, "rooms.info", apitest.Q("roomId", rid)).OK(t).JSON(t)
	}
	wantTeam := map[string]any{"_id": team["_id"], "name": "crew", "roomId": mainID, "type": 1.0}

	// A room of a team: the team, and its main room as parent.
	got := info(inTeam)
	if !maps.Equal(got["team"].(map[string]any), wantTeam) {
		t.Fatalf("team of a team's room = %v", got["team"])
	}
	parent := got["parent"].(map[string]any)
	if parent["_id"] != mainID || parent["name"] != "crew" || parent["t"] != "p" {
		t.Fatalf("parent of a team's room = %v", parent)
	}
	// The main room: the team, no parent.
	got = info(mainID)
	if _, ok := got["parent"]; ok || got["team"] == nil {
		t.Fatalf("main room info = %v", got)
	}
	// Discussions: the room they were started in, and no team.
	for rid, want := range map[string]string{talkOutside: outside, talkMain: mainID} {
		got = info(rid)
		if _, ok := got["team"]; ok {
			t.Fatalf("discussion %s has a team: %v", rid, got)
		}
		p := got["parent"].(map[string]any)
		if p["_id"] != want || p["u"] == nil {
			t.Fatalf("discussion %s parent = %v, want %s", rid, p, want)
		}
	}
}

func TestRoomsNameExists(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "owner")
	owner := e.Users[0]
	owner.CreateRoom(t, "groups", "hidden-name", nil)
	for name, want := range map[string]bool{"hidden-name": true, "general": true, "nothing-here": false} {
		if got := owner.Get(t, "rooms.nameExists", apitest.Q("roomName", name)).OK(t).JSON(t)["exists"]; got != want {
			t.Fatalf("nameExists(%s) = %v, want %v", name, got, want)
		}
	}
	owner.Get(t, "rooms.nameExists", apitest.Q("roomId", "foo")).Fails(t, 400, "invalid-params", "must have required property 'roomName' [invalid-params]")
	e.Anon().Get(t, "rooms.nameExists", apitest.Q("roomName", "general")).Expect(t, 401)
}

func TestRoomsDelete(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "owner", "member")
	owner, member := e.Users[0], e.Users[1]
	owner.Post(t, "rooms.delete", map[string]any{}).FailsPlain(t, "The 'roomId' param is required")
	owner.Post(t, "rooms.delete", map[string]any{"roomId": "invalid"}).Fails(t, 400, "error-invalid-room", "Invalid room [error-invalid-room]")
	for _, prefix := range []string{"channels", "groups"} {
		rid := owner.CreateRoom(t, prefix, "", nil, "member")
		// Only holders of delete-c / delete-p in the room (owners, admins).
		member.Post(t, "rooms.delete", map[string]any{"roomId": rid}).Fails(t, 400, "error-not-allowed", "Not allowed [error-not-allowed]")
		owner.Post(t, "rooms.delete", map[string]any{"roomId": rid}).OK(t)
		owner.Get(t, "rooms.info", apitest.Q("roomId", rid)).Fails(t, 400, "error-room-not-found", "")
	}

	// A room of a team is announced as deleted in the team's main room.
	team := owner.Post(t, "teams.create", map[string]any{"name": "squad", "type": 0}).OK(t).JSON(t)["team"].(map[string]any)
	rid := owner.CreateRoom(t, "channels", "squad-room", nil)
	owner.Post(t, "teams.addRooms", map[string]any{"teamId": team["_id"], "rooms": []string{rid}}).OK(t)
	owner.Post(t, "rooms.delete", map[string]any{"roomId": rid}).OK(t)
	last := owner.History(t, "channels", team["roomId"].(string))[0]
	if last["t"] != "user-deleted-room-from-team" || last["msg"] != "squad-room" {
		t.Fatalf("last message of the main room = %v", last)
	}
}

func TestRoomsLeave(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "owner", "other")
	owner, other := e.Users[0], e.Users[1]
	dm := owner.CreateDM(t, "dm", map[string]any{"username": "other"})["_id"].(string)
	cid := owner.CreateRoom(t, "channels", "", nil, "other")
	gid := owner.CreateRoom(t, "groups", "", nil, "other")

	owner.Post(t, "rooms.leave", map[string]any{}).Fails(t, 400, "error-roomid-param-not-provided", "")
	owner.Post(t, "rooms.leave", map[string]any{"roomId": "nope"}).Fails(t, 400, "error-room-not-found", "")
	owner.Post(t, "rooms.leave", map[string]any{"roomId": dm}).Fails(t, 400, "error-not-allowed", "Not allowed [error-not-allowed]")
	for _, rid := range []string{cid, gid} {
		owner.Post(t, "rooms.leave", map[string]any{"roomId": rid}).
			Fails(t, 400, "error-you-are-last-owner", "You are the last owner. Please set new owner before leaving the room. [error-you-are-last-owner]")
	}

	e.SetPermission(t, "leave-c")
	e.SetPermission(t, "leave-p")
	owner.Post(t, "rooms.leave", map[string]any{"roomId": cid}).Fails(t, 400, "error-not-allowed", "")
	other.Post(t, "rooms.leave", map[string]any{"roomId": gid}).Fails(t, 400, "error-not-allowed", "")

	e.SetPermission(t, "leave-c", "admin", "user")
	e.SetPermission(t, "leave-p", "user")
	owner.Post(t, "channels.addOwner", map[string]any{"roomId": cid, "userId": other.UserID}).OK(t)
	owner.Post(t, "rooms.leave", map[string]any{"roomId": cid}).OK(t)
	owner.Post(t, "rooms.leave", map[string]any{"roomId": cid}).Fails(t, 400, "error-user-not-in-room", "You are not in this room [error-user-not-in-room]")
	other.Post(t, "rooms.leave", map[string]any{"roomName": owner.Get(t, "rooms.info", apitest.Q("roomId", gid)).OK(t).JSON(t)["room"].(map[string]any)["name"]}).OK(t)
	if last := owner.History(t, "groups", gid)[0]; last["t"] != "ul" {
		t.Fatalf("last message after leaving = %v", last)
	}

	// An archived room cannot be left.
	owner.Post(t, "groups.archive", map[string]any{"roomId": gid}).OK(t)
	owner.Post(t, "groups.addOwner", map[string]any{"roomId": gid, "userId": owner.UserID}).Expect(t, 400)
	owner.Post(t, "rooms.leave", map[string]any{"roomId": gid}).Fails(t, 400, "error-room-archived", "")
}

func TestRoomsGetDiscussions(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "owner", "outsider")
	owner, outsider := e.Users[0], e.Users[1]
	gid := owner.CreateRoom(t, "groups", "", nil)
	for _, name := range []string{"bravo", "alpha", "charlie"} {
		newDiscussion(t, owner, map[string]any{"prid": gid, "t_name": name})
	}
	other := owner.CreateRoom(t, "channels", "", nil)
	newDiscussion(t, owner, map[string]any{"prid": other, "t_name": "elsewhere"})

	var out struct {
		Discussions []map[string]any
		Count       int
		Offset      int
		Total       int
	}
	owner.Get(t, "rooms.getDiscussions", apitest.Q("roomId", gid)).OK(t).Decode(t, &out)
	var names []string
	for _, d := range out.Discussions {
		names = append(names, d["fname"].(string))
	}
	if !slices.Equal(names, []string{"alpha", "bravo", "charlie"}) || out.Total != 3 || out.Count != 3 {
		t.Fatalf("discussions = %v (%+v)", names, out)
	}
	out.Discussions = nil
	owner.Get(t, "rooms.getDiscussions", apitest.Q("roomId", gid, "offset", "1", "count", "1", "fields", `{"fname":1}`)).OK(t).Decode(t, &out)
	if len(out.Discussions) != 1 || out.Discussions[0]["fname"] != "bravo" || len(out.Discussions[0]) != 2 || out.Total != 3 || out.Offset != 1 {
		t.Fatalf("second page = %+v", out)
	}

	owner.Get(t, "rooms.getDiscussions").Fails(t, 400, "error-roomid-param-not-provided", `The parameter "roomId" or "roomName" is required [error-roomid-param-not-provided]`)
	outsider.Get(t, "rooms.getDiscussions", apitest.Q("roomId", gid)).Fails(t, 400, "Not Allowed", "not-allowed")
}

func TestRoomsSaveNotification(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "owner", "outsider")
	owner, outsider := e.Users[0], e.Users[1]
	rid := owner.CreateRoom(t, "channels", "", nil)
	save := func(c *apitest.Client, n map[string]any) *apitest.Response {
		return c.Post(t, "rooms.saveNotification", map[string]any{"roomId": rid, "notifications": n})
	}
	save(owner, map[string]any{
		"disableNotifications": "0", "emailNotifications": "nothing", "audioNotificationValue": "beep",
		"desktopNotifications": "nothing", "mobilePushNotifications": "mentions", "hideUnreadStatus": "1", "unreadAlert": "all",
	}).OK(t)
	sub := owner.Subscription(t, rid)
	want := map[string]any{
		"disableNotifications": false, "emailNotifications": "nothing", "emailPrefOrigin": "subscription",
		"audioNotificationValue": "beep", "desktopNotifications": "nothing", "desktopPrefOrigin": "subscription",
		"mobilePushNotifications": "mentions", "mobilePrefOrigin": "subscription", "hideUnreadStatus": true, "unreadAlert": "all",
	}
	for k, v := range want {
		if sub[k] != v {
			t.Fatalf("subscription %s = %v, want %v (%v)", k, sub[k], v, sub)
		}
	}

	// "default" goes back to the user's own preference, or to nothing.
	owner.Post(t, "users.setPreferences", map[string]any{"data": map[string]any{"desktopNotifications": "all"}}).OK(t)
	save(owner, map[string]any{"desktopNotifications": "default", "emailNotifications": "default", "audioNotificationValue": "default"}).OK(t)
	sub = owner.Subscription(t, rid)
	if sub["desktopNotifications"] != "all" || sub["desktopPrefOrigin"] != "user" {
		t.Fatalf("desktop after default = %v / %v", sub["desktopNotifications"], sub["desktopPrefOrigin"])
	}
	for _, k := range []string{"emailNotifications", "emailPrefOrigin", "audioNotificationValue"} {
		if _, ok := sub[k]; ok {
			t.Fatalf("%s still set after default: %v", k, sub)
		}
	}

	owner.Post(t, "rooms.saveNotification", map[string]any{"notifications": map[string]any{"unreadAlert": "all"}}).FailsPlain(t, "The 'roomId' param is required")
	owner.Post(t, "rooms.saveNotification", map[string]any{"roomId": rid}).FailsPlain(t, "The 'notifications' param is required")
	save(owner, map[string]any{}).FailsPlain(t, "The 'notifications' param is required")
	save(owner, map[string]any{"bogus": "1"}).Fails(t, 400, "error-invalid-settings", "Invalid settings field [error-invalid-settings]")
	save(owner, map[string]any{"unreadAlert": "nothing", "desktopNotifications": "loud"}).Fails(t, 400, "error-invalid-settings", "Invalid settings value [error-invalid-settings]")
	save(owner, map[string]any{"hideUnreadStatus": 0}).FailsPlain(t, "Match error: Expected string, got number")
	if sub := owner.Subscription(t, rid); sub["unreadAlert"] != "all" {
		t.Fatalf("a refused call changed the subscription: %v", sub)
	}
	save(outsider, map[string]any{"unreadAlert": "all"}).Fails(t, 400, "error-invalid-subscription", "Invalid subscription [error-invalid-subscription]")
}
