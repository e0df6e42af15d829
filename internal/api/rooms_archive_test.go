package api_test

import (
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

// lastOfType is the newest message of type typ in a room's history.
func lastOfType(t *testing.T, c *apitest.Client, prefix, rid, typ string) map[string]any {
	t.Helper()
	for _, m := range c.History(t, prefix, rid) {
		if m["t"] == typ {
			return m
		}
	}
	t.Fatalf("no %s message in %s", typ, rid)
	return nil
}

func TestArchiveChannel(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "arowner", "arbob")
	owner, bob := e.Users[0], e.Users[1]
	name := e.Unique("archroom")
	rid := owner.CreateRoom(t, "channels", name, nil, "arbob")
	before := bob.PostText(t, rid, "before the archive")["_id"].(string)

	// Only holders of archive-room (admins, the room's owners) archive.
	bob.Post(t, "channels.archive", map[string]any{"roomId": rid}).
		Fails(t, 400, "error-not-authorized", "Not authorized [error-not-authorized]")
	owner.Post(t, "channels.archive", map[string]any{}).Fails(t, 400, "error-roomid-param-not-provided", "")
	owner.Post(t, "channels.archive", map[string]any{"roomId": rid}).OK(t)
	owner.Post(t, "channels.archive", map[string]any{"roomId": rid}).
		Fails(t, 400, "error-room-archived", "The channel, "+name+", is archived [error-room-archived]")

	if r := owner.RoomInfo(t, rid); r["archived"] != true {
		t.Fatalf("room not archived: %v", r)
	}
	sub := bob.Subscription(t, rid)
	if sub["archived"] != true || sub["open"] != false || sub["alert"] != false {
		t.Fatalf("subscription after archive: %v", sub)
	}
	if m := lastOfType(t, bob, "channels", rid, "room-archived"); m["u"].(map[string]any)["username"] != "arowner" {
		t.Fatalf("room-archived by %v", m["u"])
	}

	// Nothing new goes in, not even from the owner.
	for _, c := range []*apitest.Client{bob, owner} {
		c.Post(t, "chat.postMessage", map[string]any{"roomId": rid, "text": "x"}).FailsPlain(t, "room_is_archived")
		c.Post(t, "chat.sendMessage", map[string]any{"message": map[string]any{"rid": rid, "msg": "x"}}).FailsPlain(t, "room_is_archived")
		upload(t, c, "rooms.upload", rid, "a.txt", "text/plain", []byte("x"), nil).FailsPlain(t, "room_is_archived")
		c.Post(t, "chat.react", map[string]any{"messageId": before, "emoji": "smile"}).FailsPlain(t, "room_is_archived")
	}
	bob.Post(t, "chat.update", map[string]any{"roomId": rid, "msgId": before, "text": "edited"}).FailsPlain(t, "room_is_archived")
	if got := bob.GetMessage(t, before); got["msg"] != "before the archive" || got["reactions"] != nil {
		t.Fatalf("archived message changed: %v", got)
	}
	// Joining and inviting are refused too.
	eve := e.NewUser(t, "areve")
	eve.Post(t, "channels.join", map[string]any{"roomId": rid}).Fails(t, 400, "error-room-archived", "")

	bob.Post(t, "channels.unarchive", map[string]any{"roomId": rid}).
		Fails(t, 400, "error-not-authorized", "Not authorized [error-not-authorized]")
	owner.Post(t, "channels.unarchive", map[string]any{"roomId": rid}).OK(t)
	owner.Post(t, "channels.unarchive", map[string]any{"roomId": rid}).FailsPlain(t, "The channel, "+name+", is not archived")
	sub = bob.Subscription(t, rid)
	if sub["archived"] == true || sub["open"] != true || sub["alert"] != false {
		t.Fatalf("subscription after unarchive: %v", sub)
	}
	lastOfType(t, bob, "channels", rid, "room-unarchived")
	bob.PostText(t, rid, "after the archive")
	bob.Post(t, "chat.react", map[string]any{"messageId": before, "emoji": "smile"}).OK(t)
}

func TestArchiveGroup(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "agowner", "agfriend", "ageve")
	owner, eve := e.Users[0], e.Users[2]
	name := e.Unique("archgroup")
	gid := owner.CreateRoom(t, "groups", name, nil, "agfriend")
	cid := owner.CreateRoom(t, "channels", e.Unique("archchan"), nil)

	// A group is hidden from outsiders, and each family takes its own type.
	eve.Post(t, "groups.archive", map[string]any{"roomId": gid}).Fails(t, 400, "error-room-not-found", "")
	owner.Post(t, "channels.archive", map[string]any{"roomId": gid}).Fails(t, 400, "error-room-not-found", "")
	owner.Post(t, "groups.archive", map[string]any{"roomId": cid}).Fails(t, 400, "error-room-not-found", "")

	owner.Post(t, "groups.archive", map[string]any{"roomName": name}).OK(t)
	owner.Post(t, "groups.archive", map[string]any{"roomId": gid}).
		Fails(t, 400, "error-room-archived", "The private group, "+name+", is archived [error-room-archived]")
		// An outsider learns nothing about the archive state.
	eve.Post(t, "chat.postMessage", map[string]any{"roomId": gid, "text": "x"}).FailsPlain(t, "error-not-allowed")
	owner.Post(t, "chat.postMessage", map[string]any{"roomId": gid, "text": "x"}).FailsPlain(t, "room_is_archived")
	owner.Post(t, "groups.unarchive", map[string]any{"roomId": gid}).OK(t)
	owner.PostText(t, gid, "back")
}

func TestMuteUser(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "muowner", "mubob")
	owner, bob := e.Users[0], e.Users[1]
	e.NewUser(t, "mucarol")
	rid := owner.CreateRoom(t, "channels", e.Unique("muteroom"), nil, "mubob")
	msg := owner.PostText(t, rid, "say something")["_id"].(string)

	bob.Post(t, "rooms.muteUser", map[string]any{"roomId": rid, "userId": owner.UserID}).
		Fails(t, 400, "error-not-allowed", "Not allowed [error-not-allowed]")
	owner.Post(t, "rooms.muteUser", map[string]any{"roomId": rid, "username": "mubob"}).OK(t)
	if muted, _ := owner.RoomInfo(t, rid)["muted"].([]any); len(muted) != 1 || muted[0] != "mubob" {
		t.Fatalf("muted = %v", muted)
	}
	if m := lastOfType(t, owner, "channels", rid, "user-muted"); m["msg"] != "mubob" {
		t.Fatalf("user-muted message: %v", m)
	}
	bob.Post(t, "chat.postMessage", map[string]any{"roomId": rid, "text": "x"}).FailsPlain(t, "You_have_been_muted")
	upload(t, bob, "rooms.upload", rid, "a.txt", "text/plain", []byte("x"), nil).FailsPlain(t, "You_have_been_muted")
	bob.Post(t, "chat.react", map[string]any{"messageId": msg, "emoji": "smile"}).
		Fails(t, 400, "error-not-allowed", "You have been muted and cannot speak in this room [error-not-allowed]")
	// Muting twice changes nothing and says nothing.
	n := len(owner.History(t, "channels", rid))
	owner.Post(t, "rooms.muteUser", map[string]any{"roomId": rid, "userId": bob.UserID}).OK(t)
	if len(owner.History(t, "channels", rid)) != n {
		t.Fatal("a repeated mute stored a message")
	}

	owner.Post(t, "rooms.unmuteUser", map[string]any{"roomId": rid, "userId": bob.UserID}).OK(t)
	if m := lastOfType(t, owner, "channels", rid, "user-unmuted"); m["msg"] != "mubob" {
		t.Fatalf("user-unmuted message: %v", m)
	}
	if muted := owner.RoomInfo(t, rid)["muted"]; muted != nil {
		t.Fatalf("muted after unmute = %v", muted)
	}
	bob.PostText(t, rid, "free again")

	// channels.mute names the room as the channels.* family does.
	owner.Post(t, "channels.mute", map[string]any{"roomId": rid, "username": "mubob"}).OK(t)
	bob.Post(t, "chat.postMessage", map[string]any{"roomId": rid, "text": "x"}).FailsPlain(t, "You_have_been_muted")
	owner.Post(t, "channels.unmute", map[string]any{"roomId": rid, "username": "mubob"}).OK(t)
	bob.PostText(t, rid, "free once more")

	dm := owner.PostMessage(t, map[string]any{"channel": "@mubob", "text": "hi"})["rid"].(string)
	for _, tc := range []struct {
		name            string
		body            map[string]any
		errType, errMsg string
	}{
		{"no user", map[string]any{"roomId": rid}, "invalid-params",
			"must have required property 'userId'\n must have required property 'username'\n must match exactly one schema in oneOf [invalid-params]"},
		{"no room", map[string]any{"userId": bob.UserID}, "invalid-params", "must have required property 'roomId' [invalid-params]"},
		{"unknown user", map[string]any{"roomId": rid, "username": "nobody-here"}, "error-invalid-user",
			`The required "userId" or "username" param provided does not match any users [error-invalid-user]`},
		{"not a member", map[string]any{"roomId": rid, "username": "mucarol"}, "error-user-not-in-room", "User is not in this room [error-user-not-in-room]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			owner.Post(t, "rooms.muteUser", tc.body).Fails(t, 400, tc.errType, tc.errMsg)
		})
	}
	// Admins hold mute-user everywhere, which reaches the room checks.
	e.Admin.Post(t, "rooms.muteUser", map[string]any{"roomId": dm, "username": "mubob"}).
		Fails(t, 400, "error-invalid-room-type", "d is not a valid room type [error-invalid-room-type]")
	e.Admin.Post(t, "rooms.muteUser", map[string]any{"roomId": "NoSuchRoom0000000", "username": "mubob"}).
		Fails(t, 400, "error-invalid-room", "Invalid room [error-invalid-room]")
}

// In a read-only room muting and unmuting work on the unmuted list: an
// unmuted user may post, a muted one falls back to the read-only rule.
func TestMuteReadOnlyRoom(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "roowner", "robob")
	owner, bob := e.Users[0], e.Users[1]
	rid := owner.CreateRoom(t, "channels", e.Unique("roroom"), map[string]any{"readOnly": true}, "robob")
	const readonly = "You can't send messages because the room is readonly."
	bob.Post(t, "chat.postMessage", map[string]any{"roomId": rid, "text": "x"}).FailsPlain(t, readonly)

	owner.Post(t, "rooms.unmuteUser", map[string]any{"roomId": rid, "username": "robob"}).OK(t)
	if unmuted, _ := owner.RoomInfo(t, rid)["unmuted"].([]any); len(unmuted) != 1 || unmuted[0] != "robob" {
		t.Fatalf("unmuted = %v", unmuted)
	}
	bob.PostText(t, rid, "allowed to speak")

	owner.Post(t, "rooms.muteUser", map[string]any{"roomId": rid, "username": "robob"}).OK(t)
	info := owner.RoomInfo(t, rid)
	if info["unmuted"] != nil || info["muted"] != nil {
		t.Fatalf("after mute: muted %v unmuted %v", info["muted"], info["unmuted"])
	}
	bob.Post(t, "chat.postMessage", map[string]any{"roomId": rid, "text": "x"}).FailsPlain(t, readonly)
	// The owner holds post-readonly and still posts.
	owner.PostText(t, rid, "announcement")
}
