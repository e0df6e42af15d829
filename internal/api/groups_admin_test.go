package api_test

import (
	"slices"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

func TestGroupsListAll(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "labob")
	bob := e.Users[0]
	bobs := bob.CreateRoom(t, "groups", "la-bobs", nil)
	admins := e.Admin.CreateRoom(t, "groups", "la-admins", nil)
	e.Admin.CreateRoom(t, "channels", "la-public", nil)

	bob.Get(t, "groups.listAll").Fails(t, 403, "", "unauthorized")
	res := e.Admin.Get(t, "groups.listAll").OK(t).JSON(t)
	if got := apitest.IDs(toMaps(res["groups"])); !slices.Equal(got, []string{admins, bobs}) || apitest.Num(res["total"]) != 2 {
		t.Fatalf("groups.listAll: %v", res)
	}
	res = e.Admin.Get(t, "groups.listAll", apitest.Q("count", "1", "offset", "1")).OK(t).JSON(t)
	if got := apitest.IDs(toMaps(res["groups"])); !slices.Equal(got, []string{bobs}) || apitest.Num(res["total"]) != 2 {
		t.Fatalf("second page: %v", res)
	}
	e.SetPermission(t, "view-room-administration")
	e.Admin.Get(t, "groups.listAll").Fails(t, 403, "", "unauthorized")
}

func TestKickFromAnyRoom(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "kabob", "kacarol")
	bob, carol := e.Users[0], e.Users[1]
	gid := bob.CreateRoom(t, "groups", "ka-group", nil, "kacarol")
	other := bob.CreateRoom(t, "groups", "ka-other", nil)

	// Without kick-user-from-any-p-room (nobody has it by default) an
	// admin outside the group cannot find it.
	e.Admin.Post(t, "groups.kick", map[string]any{"roomId": gid, "userId": carol.UserID}).
		Fails(t, 400, "error-room-not-found", `The required "roomId" or "roomName" param provided does not match any group [error-room-not-found]`)

	e.SetPermission(t, "kick-user-from-any-p-room", "admin")
	e.Admin.Post(t, "groups.kick", map[string]any{"roomId": gid, "userId": bob.UserID}).
		Fails(t, 400, "error-you-are-last-owner", "You are the last owner. Please set new owner before leaving the room. [error-you-are-last-owner]")
	// Kicking someone who is not in the room does nothing, successfully.
	e.Admin.Post(t, "groups.kick", map[string]any{"roomId": other, "userId": carol.UserID}).OK(t)
	e.Admin.Post(t, "groups.kick", map[string]any{"roomId": gid, "userId": carol.UserID}).OK(t)
	carol.Get(t, "groups.info", apitest.Q("roomId", gid)).Expect(t, 400)
	if !hasMessage(t, bob, "groups", gid, "ru", "kacarol") {
		t.Fatal("no ru message")
	}
	// A member without remove-user still cannot kick.
	bob.Post(t, "groups.invite", map[string]any{"roomId": gid, "userId": carol.UserID}).OK(t)
	carol.Post(t, "groups.kick", map[string]any{"roomId": gid, "userId": bob.UserID}).
		Fails(t, 400, "error-not-allowed", "Not allowed [error-not-allowed]")
}

func TestChannelsGetAllUserMentionsByChannel(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "mcbob", "mccarol")
	bob, carol := e.Users[0], e.Users[1]
	rid := e.Admin.CreateRoom(t, "channels", "mc-room", nil, "mcbob")
	first := e.Admin.PostText(t, rid, "hi @mcbob")
	carols := e.Admin.PostText(t, rid, "hi @mccarol")
	second := e.Admin.PostText(t, rid, "again @mcbob and @all")
	e.Admin.PostText(t, rid, "hi @all")

	res := bob.Get(t, "channels.getAllUserMentionsByChannel", apitest.Q("roomId", rid)).OK(t).JSON(t)
	if got := apitest.IDs(toMaps(res["mentions"])); !slices.Equal(got, []string{first["_id"].(string), second["_id"].(string)}) || apitest.Num(res["total"]) != 2 || apitest.Num(res["count"]) != 2 {
		t.Fatalf("mentions: %v", res)
	}
	res = bob.Get(t, "channels.getAllUserMentionsByChannel", apitest.Q("roomId", rid, "offset", "1", "count", "1")).OK(t).JSON(t)
	if got := apitest.IDs(toMaps(res["mentions"])); !slices.Equal(got, []string{second["_id"].(string)}) || apitest.Num(res["total"]) != 2 || apitest.Num(res["offset"]) != 1 {
		t.Fatalf("second page: %v", res)
	}
	// A public channel is open to anyone, member or not; a private group
	// only to members.
	res = carol.Get(t, "channels.getAllUserMentionsByChannel", apitest.Q("roomId", rid)).OK(t).JSON(t)
	if got := apitest.IDs(toMaps(res["mentions"])); !slices.Equal(got, []string{carols["_id"].(string)}) {
		t.Fatalf("carol's mentions: %v", res)
	}
	gid := e.Admin.CreateRoom(t, "groups", "mc-group", nil)
	for _, q := range []string{gid, "nope"} {
		carol.Get(t, "channels.getAllUserMentionsByChannel", apitest.Q("roomId", q)).Fails(t, 400, "error-invalid-room", "Invalid room [error-invalid-room]")
	}
	carol.Get(t, "channels.getAllUserMentionsByChannel").Fails(t, 400, "invalid-params", "must have required property 'roomId' [invalid-params]")
}
