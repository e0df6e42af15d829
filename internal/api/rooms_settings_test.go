package api_test

import (
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
	"github.com/parleychat/parley/internal/events"
)

func TestRoomTextSetters(t *testing.T) {
	t.Parallel()
	setters := []struct {
		route, key, field, msgType, what string
	}{
		{"setTopic", "topic", "topic", "room_changed_topic", "topic"},
		{"setDescription", "description", "description", "room_changed_description", "description"},
		{"setPurpose", "purpose", "description", "room_changed_description", "purpose (description)"},
		{"setAnnouncement", "announcement", "announcement", "room_changed_announcement", ""},
	}
	for _, f := range families {
		for _, s := range setters {
			t.Run(f.prefix+"."+s.route, func(t *testing.T) {
				t.Parallel()
				e := apitest.NewScene(t, "txowner", "txbob")
				owner, bob := e.Users[0], e.Users[1]
				rid := owner.CreateRoom(t, f.prefix, e.Unique("txroom"), nil, "txbob")
				path := f.prefix + "." + s.route

				owner.Post(t, path, map[string]any{"roomId": rid}).FailsPlain(t, `The bodyParam "`+s.key+`" is required`)
				bob.Post(t, path, map[string]any{"roomId": rid, s.key: "x"}).
					Fails(t, 400, "error-action-not-allowed", "Editing room is not allowed [error-action-not-allowed]")

				var res map[string]any
				evs := roomEvents(t, e.Env, rid, func() {
					res = owner.Post(t, path, map[string]any{"roomId": rid, s.key: "the value"}).OK(t).JSON(t)
				})
				if res[s.key] != "the value" {
					t.Fatalf("answer: %v", res)
				}
				if !hasEvent(evs, events.RoomChanged, owner.UserID) {
					t.Fatalf("events: %v", evs)
				}
				if got := owner.RoomInfo(t, rid)[s.field]; got != "the value" {
					t.Fatalf("%s = %v", s.field, got)
				}
				if m := lastOfType(t, bob, f.prefix, rid, s.msgType); m["msg"] != "the value" {
					t.Fatalf("%s message: %v", s.msgType, m)
				}
				if f.t == "c" && s.what != "" {
					owner.Post(t, path, map[string]any{"roomId": rid, s.key: "the value"}).
						FailsPlain(t, "The channel "+s.what+" is the same as what it would be changed to.")
				}
				owner.Post(t, f.prefix+".archive", map[string]any{"roomId": rid}).OK(t)
				owner.Post(t, path, map[string]any{"roomId": rid, s.key: "y"}).Fails(t, 400, "error-room-archived", "")
			})
		}
	}
}

func TestRoomSetType(t *testing.T) {
	t.Parallel()
	for _, f := range families {
		t.Run(f.prefix, func(t *testing.T) {
			t.Parallel()
			e := apitest.NewScene(t, "tyowner", "tybob")
			owner, bob := e.Users[0], e.Users[1]
			rid := owner.CreateRoom(t, f.prefix, e.Unique("tyroom"), nil, "tybob")
			to, other, word := "p", "groups", "private"
			if f.t == "p" {
				to, other, word = "c", "channels", "public"
			}
			path := f.prefix + ".setType"
			owner.Post(t, path, map[string]any{"roomId": rid}).FailsPlain(t, `The bodyParam "type" is required`)
			owner.Post(t, path, map[string]any{"roomId": rid, "type": f.t}).
				FailsPlain(t, "The "+f.label+" type is the same as what it would be changed to.")
			owner.Post(t, path, map[string]any{"roomId": rid, "type": "x"}).Fails(t, 400, "error-invalid-room-type", "")
			e.SetPermission(t, "create-"+to, "admin")
			owner.Post(t, path, map[string]any{"roomId": rid, "type": to}).Fails(t, 400, "error-action-not-allowed", "")
			e.SetPermission(t, "create-"+to, "admin", "user")

			res := owner.Post(t, path, map[string]any{"roomId": rid, "type": to}).OK(t).JSON(t)[f.key].(map[string]any)
			if res["t"] != to {
				t.Fatalf("setType answer: %v", res)
			}
			if sub := bob.Subscription(t, rid); sub["t"] != to {
				t.Fatalf("member's subscription: %v", sub)
			}
			if m := lastOfType(t, bob, other, rid, "room_changed_privacy"); m["msg"] != word {
				t.Fatalf("room_changed_privacy: %v", m)
			}
			// The room now belongs to the other family.
			owner.Get(t, other+".info", apitest.Q("roomId", rid)).OK(t)
			owner.Get(t, f.prefix+".info", apitest.Q("roomId", rid)).Fails(t, 400, "error-room-not-found", "")
		})
	}
}

func TestRoomSetReadOnlyAndCustomFields(t *testing.T) {
	t.Parallel()
	for _, f := range families {
		t.Run(f.prefix, func(t *testing.T) {
			t.Parallel()
			e := apitest.NewScene(t, "roowner", "robob")
			owner, bob := e.Users[0], e.Users[1]
			rid := owner.CreateRoom(t, f.prefix, e.Unique("roroom"), nil, "robob")

			owner.Post(t, f.prefix+".setReadOnly", map[string]any{"roomId": rid}).FailsPlain(t, `The bodyParam "readOnly" is required`)
			owner.Post(t, f.prefix+".setReadOnly", map[string]any{"roomId": rid, "readOnly": false}).
				FailsPlain(t, "The "+f.label+" read only setting is the same as what it would be changed to.")
			res := owner.Post(t, f.prefix+".setReadOnly", map[string]any{"roomId": rid, "readOnly": true}).OK(t).JSON(t)[f.key].(map[string]any)
			if res["ro"] != true {
				t.Fatalf("setReadOnly answer: %v", res)
			}
			if m := lastOfType(t, owner, f.prefix, rid, "room-set-read-only"); m["msg"] != "roowner" {
				t.Fatalf("room-set-read-only: %v", m)
			}
			bob.Post(t, "chat.postMessage", map[string]any{"roomId": rid, "text": "x"}).Expect(t, 400)
			owner.Post(t, f.prefix+".setReadOnly", map[string]any{"roomId": rid, "readOnly": false}).OK(t)
			lastOfType(t, owner, f.prefix, rid, "room-removed-read-only")
			bob.PostText(t, rid, "free again")

			owner.Post(t, f.prefix+".setCustomFields", map[string]any{"roomId": rid, "customFields": "x"}).
				FailsPlain(t, `The bodyParam "customFields" is required with a type like object.`)
			res = owner.Post(t, f.prefix+".setCustomFields", map[string]any{"roomId": rid, "customFields": map[string]any{"team": "blue"}}).
				OK(t).JSON(t)[f.key].(map[string]any)
			if cf, _ := res["customFields"].(map[string]any); cf["team"] != "blue" {
				t.Fatalf("setCustomFields answer: %v", res)
			}
		})
	}
}

func TestChannelSetDefault(t *testing.T) {
	t.Parallel()
	e, owner, rid := apitest.NewUserRoom(t, "sdowner", "channels", "")
	owner.Post(t, "channels.setDefault", map[string]any{"roomId": rid}).
		Fails(t, 400, "error-channels-setdefault-is-same", `The bodyParam "default" is required`)
	owner.Post(t, "channels.setDefault", map[string]any{"roomId": rid, "default": true}).
		Fails(t, 400, "error-action-not-allowed", "Viewing room administration is not allowed [error-action-not-allowed]")
	res := e.Admin.Post(t, "channels.setDefault", map[string]any{"roomId": rid, "default": "true"}).OK(t).JSON(t)["channel"].(map[string]any)
	if res["default"] != true {
		t.Fatalf("setDefault answer: %v", res)
	}
	e.Admin.Post(t, "channels.setDefault", map[string]any{"roomId": rid, "default": true}).
		Fails(t, 400, "error-channels-setdefault-missing-default-param", "The channel default setting is the same as what it would be changed to.")
	if r := owner.RoomInfo(t, rid); r["default"] != true {
		t.Fatalf("room after setDefault: %v", r)
	}
}

func TestSaveRoomSettings(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "ssowner", "ssbob")
	owner, bob := e.Users[0], e.Users[1]
	rid := owner.CreateRoom(t, "groups", e.Unique("ssroom"), nil, "ssbob")
	save := func(c *apitest.Client, body map[string]any) *apitest.Response {
		body["rid"] = rid
		return c.Post(t, "rooms.saveRoomSettings", body)
	}

	save(owner, map[string]any{"roomAvatar": "data:image/png;base64,AA=="}).
		Fails(t, 400, "error-invalid-settings", "Invalid settings provided [error-invalid-settings]")
	save(owner, map[string]any{"readOnly": "sometimes"}).Fails(t, 400, "error-invalid-settings", "")
	save(owner, map[string]any{"systemMessages": []string{"not-a-type"}}).Fails(t, 400, "error-invalid-settings", "")
	owner.Post(t, "rooms.saveRoomSettings", map[string]any{"roomTopic": "x"}).Fails(t, 400, "error-room-not-found", "")
	save(bob, map[string]any{"roomTopic": "x"}).
		Fails(t, 400, "error-action-not-allowed", "Editing room is not allowed [error-action-not-allowed]")
	// One refused setting refuses them all.
	save(owner, map[string]any{"roomTopic": "kept out", "featured": true}).
		Fails(t, 400, "error-action-not-allowed", "Viewing room administration is not allowed [error-action-not-allowed]")
	if r := owner.RoomInfo(t, rid); r["topic"] != nil {
		t.Fatalf("a refused request changed the topic: %v", r)
	}

	name := e.Unique("ssnew")
	res := save(owner, map[string]any{
		"roomName": name, "roomTopic": "t", "roomAnnouncement": "a", "roomDescription": "d",
		"readOnly": true, "reactWhenReadOnly": true, "encrypted": true,
		"roomCustomFields": map[string]any{"k": "v"}, "systemMessages": []string{"uj", "ul"},
		"favorite": map[string]any{"favorite": true, "defaultValue": true},
	}).OK(t).JSON(t)
	if res["rid"] != rid {
		t.Fatalf("answer: %v", res)
	}
	r := owner.RoomInfo(t, rid)
	for k, want := range map[string]any{"name": name, "topic": "t", "announcement": "a", "description": "d", "ro": true,
		"reactWhenReadOnly": true, "encrypted": true, "favorite": true} {
		if r[k] != want {
			t.Fatalf("%s = %v, want %v; room %v", k, r[k], want, r)
		}
	}
	if hidden := apitest.Strings(r["sysMesHidden"]); len(hidden) != 2 {
		t.Fatalf("sysMesHidden = %v", r["sysMesHidden"])
	}
	for _, typ := range []string{"r", "room_changed_topic", "room_changed_announcement", "room_changed_description",
		"room-set-read-only", "room-allowed-reacting", "room_e2e_enabled"} {
		lastOfType(t, bob, "groups", rid, typ)
	}

	// A favourite needs a default room; the admin features it.
	save(owner, map[string]any{"favorite": map[string]any{"favorite": true, "defaultValue": false}}).OK(t)
	if r := owner.RoomInfo(t, rid); r["favorite"] != nil {
		t.Fatalf("favorite without default: %v", r)
	}
	owner.Post(t, "groups.invite", map[string]any{"roomId": rid, "userId": e.Admin.UserID}).OK(t)
	save(e.Admin, map[string]any{"featured": true, "default": true}).OK(t)
	if r := owner.RoomInfo(t, rid); r["featured"] != true || r["default"] != true {
		t.Fatalf("featured/default: %v", r)
	}

	// Encryption is for groups and conversations only.
	cid := owner.CreateRoom(t, "channels", e.Unique("sschan"), nil)
	owner.Post(t, "rooms.saveRoomSettings", map[string]any{"rid": cid, "encrypted": true}).
		Fails(t, 400, "error-action-not-allowed", "Only groups or direct channels can enable encryption [error-action-not-allowed]")
	// Broadcast rooms keep their read-only rule.
	bid := owner.CreateRoom(t, "channels", e.Unique("ssbcast"), map[string]any{"extraData": map[string]any{"broadcast": true}})
	owner.Post(t, "rooms.saveRoomSettings", map[string]any{"rid": bid, "readOnly": true}).Fails(t, 400, "error-action-not-allowed", "")
}

func TestSaveRoomSettingsSidepanel(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "owner", "member")
	owner, member := e.Users[0], e.Users[1]
	team := owner.Post(t, "teams.create", map[string]any{"name": "panel-team", "type": 0, "members": []string{member.UserID}}).OK(t).JSON(t)["team"].(map[string]any)
	main := team["roomId"].(string)
	save := func(c *apitest.Client, rid string, v any) *apitest.Response {
		return c.Post(t, "rooms.saveRoomSettings", map[string]any{"rid": rid, "sidepanel": v})
	}
	items := func() any {
		return owner.Get(t, "channels.info", apitest.Q("roomId", main)).OK(t).JSON(t)["channel"].(map[string]any)["sidepanel"]
	}

	if got := save(owner, main, map[string]any{"items": []string{"channels", "discussions"}}).OK(t).JSON(t)["rid"]; got != main {
		t.Fatalf("rid = %v", got)
	}
	if got, _ := items().(map[string]any); len(got["items"].([]any)) != 2 {
		t.Fatalf("sidepanel = %v", items())
	}
	for _, bad := range []any{
		map[string]any{"items": []string{"wrong"}},
		map[string]any{"items": []string{}},
		map[string]any{"items": []string{"channels", "channels"}},
		map[string]any{"other": 1},
		"channels",
	} {
		save(owner, main, bad).Fails(t, 400, "error-invalid-sidepanel", "[error-invalid-sidepanel]")
	}
	// Only a team's main room has one, and changing it needs edit-team.
	other := owner.CreateRoom(t, "channels", "", nil)
	save(owner, other, map[string]any{"items": []string{"channels"}}).Fails(t, 400, "error-action-not-allowed", "Invalid room [error-action-not-allowed]")
	e.SetPermission(t, "edit-room", "admin", "owner", "moderator", "user")
	save(member, main, map[string]any{"items": []string{"channels"}}).
		Fails(t, 400, "error-action-not-allowed", "You do not have permission to change sidepanel items [error-action-not-allowed]")

	// null removes it.
	save(owner, main, nil).OK(t)
	if got := items(); got != nil {
		t.Fatalf("sidepanel after null = %v", got)
	}
}
