package api_test

import (
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
	"github.com/parleychat/parley/internal/events"
)

// families are the two room families the lifecycle and settings routes
// serve alike: the route prefix, the key their answers use, the room type
// and how their messages name a room.
var families = []struct {
	prefix, key, t, label string
}{
	{"channels", "channel", "c", "channel"},
	{"groups", "group", "p", "private group"},
}

// roomEvents collects the bus's events about room rid while act runs.
func roomEvents(t *testing.T, e *apitest.Env, rid string, act func()) []events.Event {
	t.Helper()
	rec := e.App.Bus().Subscribe(1024)
	defer rec.Close()
	act()
	var out []events.Event
	for _, ev := range drainEvents(rec) {
		if ev.RoomID == rid {
			out = append(out, ev)
		}
	}
	return out
}

// hasEvent reports whether list holds an event of kind about user (any
// user when empty).
func hasEvent(list []events.Event, kind events.Kind, user string) bool {
	for _, ev := range list {
		if ev.Kind == kind && (user == "" || ev.UserID == user) {
			return true
		}
	}
	return false
}

func TestChannelJoinCode(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "jcowner", "jcbob", "jccarol")
	owner, bob, carol := e.Users[0], e.Users[1], e.Users[2]
	name := e.Unique("jcroom")
	rid := owner.CreateRoom(t, "channels", name, nil, "jcbob")
	msgs := apitest.Num(owner.RoomInfo(t, rid)["msgs"])

	owner.Post(t, "channels.setJoinCode", map[string]any{"roomId": rid}).FailsPlain(t, `The bodyParam "joinCode" is required`)
	owner.Post(t, "channels.setJoinCode", map[string]any{"roomId": rid, "joinCode": "  "}).FailsPlain(t, `The bodyParam "joinCode" is required`)
	bob.Post(t, "channels.setJoinCode", map[string]any{"roomId": rid, "joinCode": "123"}).
		Fails(t, 400, "error-action-not-allowed", "Editing room is not allowed [error-action-not-allowed]")
	owner.Post(t, "channels.setJoinCode", map[string]any{"roomId": "nope", "joinCode": "123"}).Fails(t, 400, "error-room-not-found", "")

	ch := owner.Post(t, "channels.setJoinCode", map[string]any{"roomName": name, "joinCode": "123"}).OK(t).JSON(t)["channel"].(map[string]any)
	if ch["_id"] != rid || ch["joinCodeRequired"] != true || apitest.Num(ch["msgs"]) != msgs {
		t.Fatalf("setJoinCode answer: %v", ch)
	}
	// The code itself never goes out.
	for _, r := range []map[string]any{ch, owner.RoomInfo(t, rid), owner.Get(t, "channels.info", apitest.Q("roomId", rid)).OK(t).JSON(t)["channel"].(map[string]any)} {
		if _, leaked := r["joinCode"]; leaked {
			t.Fatalf("join code in an answer: %v", r)
		}
	}

	carol.Post(t, "channels.join", map[string]any{"roomId": rid}).
		Fails(t, 400, "error-code-required", "Code required [error-code-required]")
	carol.Post(t, "channels.join", map[string]any{"roomId": rid, "joinCode": "124"}).
		Fails(t, 400, "error-code-invalid", "Invalid code [error-code-invalid]")
	if carol.Subscription(t, rid) != nil {
		t.Fatal("a refused join subscribed carol")
	}
	joined := carol.Post(t, "channels.join", map[string]any{"roomId": rid, "joinCode": "123"}).OK(t).JSON(t)["channel"].(map[string]any)
	if joined["_id"] != rid || carol.Subscription(t, rid) == nil {
		t.Fatalf("join with the code: %v", joined)
	}
	if m := lastOfType(t, owner, "channels", rid, "uj"); m["msg"] != "jccarol" {
		t.Fatalf("uj message: %v", m)
	}
	// join-without-join-code lets the admin in without it.
	e.Admin.Post(t, "channels.join", map[string]any{"roomId": rid}).OK(t)

	// An empty code through rooms.saveRoomSettings lifts the requirement.
	owner.Post(t, "rooms.saveRoomSettings", map[string]any{"rid": rid, "joinCode": ""}).OK(t)
	if r := owner.RoomInfo(t, rid); r["joinCodeRequired"] != nil {
		t.Fatalf("code still required: %v", r)
	}
	e.NewUser(t, "jcdave").Post(t, "channels.join", map[string]any{"roomId": rid}).OK(t)
}

func TestRoomAddAll(t *testing.T) {
	t.Parallel()
	for _, f := range families {
		t.Run(f.prefix, func(t *testing.T) {
			t.Parallel()
			e := apitest.NewScene(t, "aaowner", "aabob", "aacarol")
			owner, bob := e.Users[0], e.Users[1]
			e.Admin.Post(t, "users.update", map[string]any{"userId": e.Users[2].UserID, "data": map[string]any{"active": false}}).OK(t)
			own := owner.CreateRoom(t, f.prefix, e.Unique("aaown"), nil)
			owner.Post(t, f.prefix+".addAll", map[string]any{"roomId": own}).
				Fails(t, 400, "error-not-allowed", "Not allowed [error-not-allowed]")

			rid := e.Admin.CreateRoom(t, f.prefix, e.Unique("aaroom"), nil)
			res := e.Admin.Post(t, f.prefix+".addAll", map[string]any{"roomId": rid, "activeUsersOnly": true}).OK(t).JSON(t)[f.key].(map[string]any)
			if res["_id"] != rid {
				t.Fatalf("addAll answer: %v", res)
			}
			if owner.Subscription(t, rid) == nil || bob.Subscription(t, rid) == nil {
				t.Fatal("active users were not added")
			}
			users := e.Admin.Get(t, "users.list", apitest.Q("count", "0")).OK(t).JSON(t)["users"].([]any)
			members := apitest.Num(e.Admin.RoomInfo(t, rid)["usersCount"])
			if members != len(users)-1 {
				t.Fatalf("usersCount %d with %d users, one inactive", members, len(users))
			}
			if m := lastOfType(t, bob, f.prefix, rid, "uj"); m["u"] == nil {
				t.Fatalf("uj message: %v", m)
			}

			// Without activeUsersOnly the inactive user comes in too, and
			// members already in are left alone.
			e.Admin.Post(t, f.prefix+".addAll", map[string]any{"roomId": rid, "activeUsersOnly": "false"}).OK(t)
			if got := apitest.Num(e.Admin.RoomInfo(t, rid)["usersCount"]); got != len(users) {
				t.Fatalf("usersCount %d after adding everyone, want %d", got, len(users))
			}

			// API_User_Limit bounds how many users one call may add.
			if e.Admin.Get(t, "settings/API_User_Limit").Status == 200 {
				e.SetSetting(t, "API_User_Limit", 1)
				other := e.Admin.CreateRoom(t, f.prefix, e.Unique("aalimit"), nil)
				e.Admin.Post(t, f.prefix+".addAll", map[string]any{"roomId": other}).
					Fails(t, 400, "error-user-limit-exceeded", "User Limit Exceeded [error-user-limit-exceeded]")
			}
		})
	}
}

func TestRoomCloseOpen(t *testing.T) {
	t.Parallel()
	for _, f := range families {
		t.Run(f.prefix, func(t *testing.T) {
			t.Parallel()
			e := apitest.NewScene(t, "coowner", "cooutsider")
			owner, outsider := e.Users[0], e.Users[1]
			name := e.Unique("coroom")
			rid := owner.CreateRoom(t, f.prefix, name, nil)

			evs := roomEvents(t, e.Env, rid, func() {
				owner.Post(t, f.prefix+".close", map[string]any{"roomId": rid}).OK(t)
			})
			if !hasEvent(evs, events.SubscriptionChanged, owner.UserID) {
				t.Fatalf("close emitted %v", evs)
			}
			if sub := owner.Subscription(t, rid); sub["open"] != false || sub["alert"] != false {
				t.Fatalf("subscription after close: %v", sub)
			}
			owner.Post(t, f.prefix+".close", map[string]any{"roomName": name}).
				FailsPlain(t, "The "+f.label+", "+name+", is already closed to the sender")

			owner.Post(t, f.prefix+".open", map[string]any{"roomId": rid}).OK(t)
			if sub := owner.Subscription(t, rid); sub["open"] != true {
				t.Fatalf("subscription after open: %v", sub)
			}
			already := "The channel, " + name + ", is already open to the sender"
			if f.t == "p" {
				already = "The private group, " + name + ", is already open for the sender"
			}
			owner.Post(t, f.prefix+".open", map[string]any{"roomId": rid}).FailsPlain(t, already)

			if f.t == "c" {
				outsider.Post(t, "channels.close", map[string]any{"roomId": rid}).
					FailsPlain(t, `The user/callee is not in the channel "`+name+`.`)
				outsider.Post(t, "channels.open", map[string]any{"roomId": rid}).
					FailsPlain(t, `The user/callee is not in the channel "`+name+`".`)
				owner.Post(t, "channels.close", map[string]any{}).Fails(t, 400, "error-room-not-found", "")
			} else {
				outsider.Post(t, "groups.close", map[string]any{"roomId": rid}).Fails(t, 400, "error-room-not-found", "")
				owner.Post(t, "groups.close", map[string]any{}).
					Fails(t, 400, "error-room-param-not-provided", `The parameter "roomId" or "roomName" is required [error-room-param-not-provided]`)
			}
		})
	}
}

func TestRoomRename(t *testing.T) {
	t.Parallel()
	for _, f := range families {
		t.Run(f.prefix, func(t *testing.T) {
			t.Parallel()
			e := apitest.NewScene(t, "rnowner", "rnbob")
			owner, bob := e.Users[0], e.Users[1]
			name := e.Unique("rnroom")
			rid := owner.CreateRoom(t, f.prefix, name, nil, "rnbob")
			taken := e.Unique("rntaken")
			owner.CreateRoom(t, "channels", taken, nil)

			owner.Post(t, f.prefix+".rename", map[string]any{"roomId": rid}).FailsPlain(t, `The bodyParam "name" is required`)
			owner.Post(t, f.prefix+".rename", map[string]any{"roomId": rid, "name": " "}).FailsPlain(t, `The bodyParam "name" is required`)
			bob.Post(t, f.prefix+".rename", map[string]any{"roomId": rid, "name": e.Unique("rnbob")}).
				Fails(t, 400, "error-action-not-allowed", "Editing room is not allowed [error-action-not-allowed]")
			owner.Post(t, f.prefix+".rename", map[string]any{"roomId": rid, "name": "no spaces allowed"}).
				Fails(t, 400, "error-invalid-room-name", "no spaces allowed is not a valid room name [error-invalid-room-name]")
			owner.Post(t, f.prefix+".rename", map[string]any{"roomId": rid, "name": "admin"}).
				Fails(t, 400, "error-invalid-room-name", "")
			owner.Post(t, f.prefix+".rename", map[string]any{"roomId": rid, "name": taken}).
				Fails(t, 400, "error-duplicate-channel-name", "A channel with name '"+taken+"' exists [error-duplicate-channel-name]")
			if f.t == "c" {
				owner.Post(t, "channels.rename", map[string]any{"roomId": rid, "name": name}).
					FailsPlain(t, "The channel name is the same as what it would be renamed to.")
			}

			msgs := apitest.Num(owner.RoomInfo(t, rid)["msgs"])
			renamed := e.Unique("rnnew")
			var res map[string]any
			evs := roomEvents(t, e.Env, rid, func() {
				res = owner.Post(t, f.prefix+".rename", map[string]any{"roomId": rid, "name": renamed}).OK(t).JSON(t)[f.key].(map[string]any)
			})
			if res["name"] != renamed || res["fname"] != renamed || apitest.Num(res["msgs"]) != msgs+1 {
				t.Fatalf("rename answer: %v (msgs before %d)", res, msgs)
			}
			if !hasEvent(evs, events.RoomChanged, owner.UserID) || !hasEvent(evs, events.SubscriptionChanged, bob.UserID) {
				t.Fatalf("rename emitted %v", evs)
			}
			if sub := bob.Subscription(t, rid); sub["name"] != renamed || sub["fname"] != renamed {
				t.Fatalf("member's subscription after rename: %v", sub)
			}
			if m := lastOfType(t, bob, f.prefix, rid, "r"); m["msg"] != renamed || m["u"].(map[string]any)["username"] != "rnowner" {
				t.Fatalf("r message: %v", m)
			}
			// The room answers to its new name, and the old one is free.
			owner.Get(t, f.prefix+".info", apitest.Q("roomName", renamed)).OK(t)
			owner.Get(t, f.prefix+".info", apitest.Q("roomName", name)).Fails(t, 400, "error-room-not-found", "")
			owner.CreateRoom(t, "channels", name, nil)
		})
	}
}

func TestLeaveAndKickMessages(t *testing.T) {
	t.Parallel()
	for _, f := range families {
		t.Run(f.prefix, func(t *testing.T) {
			t.Parallel()
			e := apitest.NewScene(t, "lkowner", "lkbob", "lkcarol")
			owner, bob := e.Users[0], e.Users[1]
			rid := owner.CreateRoom(t, f.prefix, e.Unique("lkroom"), nil, "lkbob", "lkcarol")

			owner.Post(t, f.prefix+".kick", map[string]any{"roomId": rid, "username": "lkcarol"}).OK(t)
			if m := lastOfType(t, owner, f.prefix, rid, "ru"); m["msg"] != "lkcarol" || m["u"].(map[string]any)["username"] != "lkowner" {
				t.Fatalf("ru message: %v", m)
			}
			bob.Post(t, f.prefix+".leave", map[string]any{"roomId": rid}).OK(t)
			if m := lastOfType(t, owner, f.prefix, rid, "ul"); m["msg"] != "lkbob" || m["u"].(map[string]any)["username"] != "lkbob" {
				t.Fatalf("ul message: %v", m)
			}
			// A refused leave writes nothing.
			msgs := apitest.Num(owner.RoomInfo(t, rid)["msgs"])
			owner.Post(t, f.prefix+".leave", map[string]any{"roomId": rid}).Fails(t, 400, "error-you-are-last-owner", "")
			if got := apitest.Num(owner.RoomInfo(t, rid)["msgs"]); got != msgs {
				t.Fatalf("msgs %d after a refused leave, want %d", got, msgs)
			}
		})
	}
}
