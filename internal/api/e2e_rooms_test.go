package api_test

import (
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

func TestGroupsSetEncrypted(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "sebob", "secarol")
	bob, carol := e.Users[0], e.Users[1]
	gid := bob.CreateRoom(t, "groups", "se-group", nil, "secarol")
	if _, ok := bob.RoomInfo(t, gid)["encrypted"]; ok {
		t.Fatal("a new group says whether it is encrypted")
	}

	bob.Post(t, "groups.setEncrypted", map[string]any{"roomId": gid, "encrypted": "no-boolean"}).FailsPlain(t, `The bodyParam "encrypted" is required`)
	bob.Post(t, "groups.setEncrypted", map[string]any{"roomId": gid}).FailsPlain(t, `The bodyParam "encrypted" is required`)
	carol.Post(t, "groups.setEncrypted", map[string]any{"roomId": gid, "encrypted": true}).
		Fails(t, 400, "error-action-not-allowed", "Editing room is not allowed [error-action-not-allowed]")
	e.NewUser(t, "sedave").Post(t, "groups.setEncrypted", map[string]any{"roomId": gid, "encrypted": true}).
		Fails(t, 400, "error-room-not-found", `The required "roomId" or "roomName" param provided does not match any group [error-room-not-found]`)

	for _, on := range []bool{true, false} {
		g := bob.Post(t, "groups.setEncrypted", map[string]any{"roomName": "se-group", "encrypted": on}).OK(t).JSON(t)["group"].(map[string]any)
		if g["_id"] != gid || g["encrypted"] != on {
			t.Fatalf("setEncrypted %v: %v", on, g)
		}
		if got := bob.RoomInfo(t, gid)["encrypted"]; got != on {
			t.Fatalf("after setEncrypted %v, encrypted %v", on, got)
		}
	}
	if !hasMessage(t, bob, "groups", gid, "room_e2e_enabled", "sebob") || !hasMessage(t, bob, "groups", gid, "room_e2e_disabled", "sebob") {
		t.Fatal("no room_e2e_enabled/room_e2e_disabled messages")
	}
}

func TestE2EDefaultEncryptedRooms(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "debob", "decarol")
	bob := e.Users[0]
	// The default needs E2E_Enable too.
	e.SetSetting(t, "E2E_Enabled_Default_PrivateRooms", true)
	e.SetSetting(t, "E2E_Enabled_Default_DirectRooms", true)
	if enc := bob.RoomInfo(t, bob.CreateRoom(t, "groups", "de-before", nil))["encrypted"]; enc != nil {
		t.Fatalf("encrypted %v with E2E off", enc)
	}
	e.SetSetting(t, "E2E_Enable", true)
	g := bob.Post(t, "groups.create", map[string]any{"name": "de-group"}).OK(t).JSON(t)["group"].(map[string]any)
	if g["encrypted"] != true {
		t.Fatalf("group: %v", g)
	}
	g = bob.Post(t, "groups.create", map[string]any{"name": "de-plain", "extraData": map[string]any{"encrypted": false}}).OK(t).JSON(t)["group"].(map[string]any)
	if g["encrypted"] != false {
		t.Fatalf("group asked unencrypted: %v", g)
	}
	if enc := bob.RoomInfo(t, bob.CreateRoom(t, "channels", "de-channel", nil))["encrypted"]; enc != nil {
		t.Fatalf("channel encrypted %v", enc)
	}
	dm := bob.CreateDM(t, "im", map[string]any{"username": "decarol"})
	ims := toMaps(bob.Get(t, "im.list").OK(t).JSON(t)["ims"])
	if len(ims) != 1 || ims[0]["_id"] != dm["_id"] || ims[0]["encrypted"] != true {
		t.Fatalf("direct rooms: %v", ims)
	}
}

func TestE2EMessagesInEncryptedRooms(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "embob")
	bob := e.Users[0]
	e.SetSetting(t, "E2E_Enable", true)
	rid := bob.Post(t, "groups.create", map[string]any{"name": "em-group", "extraData": map[string]any{"encrypted": true}}).OK(t).JSON(t)["group"].(map[string]any)["_id"].(string)

	// An encrypted message goes in, with its state and ciphertext.
	content := map[string]any{"algorithm": "rc.v1.aes-sha2", "ciphertext": "c2VjcmV0"}
	m := bob.SendMessage(t, map[string]any{"rid": rid, "msg": "c2VjcmV0", "text": "as typed", "t": "e2e", "e2e": "pending", "content": content})
	if m["t"] != "e2e" || m["e2e"] != "pending" || m["text"] != "as typed" || apitest.JSON(m["content"]) != apitest.JSON(content) {
		t.Fatalf("encrypted message: %v", m)
	}
	if got := bob.GetMessage(t, m["_id"].(string)); got["t"] != "e2e" || got["e2e"] != "pending" || got["content"] == nil {
		t.Fatalf("stored: %v", got)
	}

	// A plain one is refused, unless the setting lets it in.
	bob.Post(t, "chat.sendMessage", map[string]any{"message": map[string]any{"rid": rid, "msg": "plain"}}).
		Fails(t, 400, "error-not-allowed", "Not allowed to send un-encrypted messages in an encrypted room [error-not-allowed]")
	e.SetSetting(t, "E2E_Allow_Unencrypted_Messages", true)
	if m := bob.SendMessage(t, map[string]any{"rid": rid, "msg": "plain", "text": "plain"}); m["msg"] != "plain" || m["text"] != "plain" || m["t"] != nil {
		t.Fatalf("plain message: %v", m)
	}
	// With E2E off the flag no longer binds.
	e.SetSetting(t, "E2E_Allow_Unencrypted_Messages", false)
	e.SetSetting(t, "E2E_Enable", false)
	bob.SendMessage(t, map[string]any{"rid": rid, "msg": "plain again"})
}

func TestE2EUserKeys(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "ukbob", "ukcarol")
	bob, carol := e.Users[0], e.Users[1]
	if res := bob.Get(t, "e2e.fetchMyKeys").OK(t).JSON(t); len(res) != 1 {
		t.Fatalf("keys before any are set: %v", res)
	}
	bob.Post(t, "e2e.setUserPublicAndPrivateKeys", map[string]any{"public_key": "pub"}).
		Fails(t, 400, "invalid-params", "must have required property 'private_key' [invalid-params]")
	bob.Post(t, "e2e.setUserPublicAndPrivateKeys", map[string]any{"public_key": "pub", "private_key": "priv", "extra": 1}).
		Fails(t, 400, "invalid-params", "must NOT have additional properties [invalid-params]")
	bob.Post(t, "e2e.setUserPublicAndPrivateKeys", map[string]any{"public_key": "pub", "private_key": "priv"}).OK(t)
	bob.Post(t, "e2e.setUserPublicAndPrivateKeys", map[string]any{"public_key": "pub2", "private_key": "priv2"}).
		Fails(t, 400, "error-keys-already-set", "Keys already set [error-keys-already-set]")
	if res := bob.Get(t, "e2e.fetchMyKeys").OK(t).JSON(t); res["public_key"] != "pub" || res["private_key"] != "priv" {
		t.Fatalf("keys: %v", res)
	}
	bob.Post(t, "e2e.setUserPublicAndPrivateKeys", map[string]any{"public_key": "pub2", "private_key": "priv2", "force": true}).OK(t)
	if res := bob.Get(t, "e2e.fetchMyKeys").OK(t).JSON(t); res["public_key"] != "pub2" || res["private_key"] != "priv2" {
		t.Fatalf("forced keys: %v", res)
	}
	// Nobody else sees them, nor does the user's own users.info.
	if res := carol.Get(t, "e2e.fetchMyKeys").OK(t).JSON(t); len(res) != 1 {
		t.Fatalf("carol's keys: %v", res)
	}
	for _, c := range []*apitest.Client{bob, carol, e.Admin} {
		user := c.Get(t, "users.info", apitest.Q("userId", bob.UserID)).OK(t).JSON(t)["user"].(map[string]any)
		if _, ok := user["e2e"]; ok {
			t.Fatalf("users.info shows e2e keys: %v", user)
		}
	}
	if _, ok := bob.Get(t, "me").OK(t).JSON(t)["e2e"]; ok {
		t.Fatal("me shows e2e keys")
	}
}
