package realtime_test

import (
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/realtime"
)

// group creates a private group of owner with members and returns its id.
func group(t *testing.T, env *apitest.Env, owner *apitest.Client, members ...string) string {
	t.Helper()
	if members == nil {
		members = []string{}
	}
	res := owner.Post(t, "groups.create", map[string]any{"name": env.Unique("g"), "members": members}).OK(t).JSON(t)
	return res["group"].(map[string]any)["_id"].(string)
}

func post(t *testing.T, c *apitest.Client, rid, text string) string {
	t.Helper()
	res := c.Post(t, "chat.postMessage", map[string]any{"roomId": rid, "text": text}).OK(t).JSON(t)
	return res["message"].(map[string]any)["_id"].(string)
}

func msgOf(t *testing.T, args []any) map[string]any {
	t.Helper()
	if len(args) == 0 {
		t.Fatal("event without args")
	}
	m, ok := args[0].(map[string]any)
	if !ok {
		t.Fatalf("arg is not a message: %v", args[0])
	}
	return m
}

func TestRealtimeRoomMessages(t *testing.T) {
	t.Parallel()
	env, rt := newRealtime(t, realtime.Config{})
	alice, bob, carol := env.NewUser(t, "alice"), env.NewUser(t, "bob"), env.NewUser(t, "carol")
	g := group(t, env, alice, "bob")

	b := loggedIn(t, rt, bob)
	c := loggedIn(t, rt, carol)
	// The parameter forms clients send.
	b.mustSub("stream-room-messages", g, map[string]any{"useCollection": false, "args": []any{nil}})
	b.mustSub("stream-room-messages", "__my_messages__", map[string]any{"useCollection": false, "args": []any{}})
	b.mustSub("stream-notify-room", g+"/deleteMessage", false)
	_, f := c.sub("stream-room-messages", g, false)
	if f["msg"] != "nosub" {
		t.Fatalf("carol subscribed to a group she is not in: %v", f)
	}
	meteorError(t, f["error"], "not-allowed", "Not allowed")
	_, f = c.sub("stream-notify-room", g+"/deleteMessage", false)
	meteorError(t, f["error"], "not-allowed", "Not allowed")
	c.mustSub("stream-room-messages", "__my_messages__", false)

	// Post.
	id := post(t, alice, g, "hello bob")
	m := msgOf(t, b.event("stream-room-messages", g))
	if m["_id"] != id || m["msg"] != "hello bob" {
		t.Fatalf("message = %v", m)
	}
	if ts, ok := m["ts"].(map[string]any); !ok || ts["$date"] == nil {
		t.Fatalf("ts is not an EJSON date: %v", m["ts"])
	}
	mine := b.event("stream-room-messages", "__my_messages__")
	if msgOf(t, mine)["_id"] != id || len(mine) != 2 {
		t.Fatalf("__my_messages__ = %v", mine)
	}
	if x := mine[1].(map[string]any); x["roomParticipant"] != true || x["roomType"] != "p" {
		t.Fatalf("__my_messages__ extra = %v", x)
	}

	// Edit.
	alice.Post(t, "chat.update", map[string]any{"roomId": g, "msgId": id, "text": "hello again"}).OK(t)
	m = msgOf(t, b.event("stream-room-messages", g))
	if m["_id"] != id || m["msg"] != "hello again" || m["editedAt"] == nil {
		t.Fatalf("edited = %v", m)
	}
	// Reaction.
	alice.Post(t, "chat.react", map[string]any{"messageId": id, "emoji": ":smile:"}).OK(t)
	m = msgOf(t, b.event("stream-room-messages", g))
	if r, _ := m["reactions"].(map[string]any); r[":smile:"] == nil {
		t.Fatalf("reacted = %v", m)
	}
	// Delete.
	alice.Post(t, "chat.delete", map[string]any{"roomId": g, "msgId": id}).OK(t)
	del := b.event("stream-notify-room", g+"/deleteMessage")
	if d := del[0].(map[string]any); d["_id"] != id {
		t.Fatalf("deleteMessage = %v", del)
	}

	// Carol heard nothing of the group: the first thing on her
	// __my_messages__ is a later post in a channel she may see.
	pub := post(t, alice, "GENERAL", "to everyone")
	mine = c.event("stream-room-messages", "__my_messages__")
	if msgOf(t, mine)["_id"] != pub {
		t.Fatalf("carol's first message is %v", mine)
	}
	if x := mine[1].(map[string]any); x["roomType"] != "c" {
		t.Fatalf("extra = %v", x)
	}
}

func TestRealtimeUseCollectionAdded(t *testing.T) {
	t.Parallel()
	env, rt := newRealtime(t, realtime.Config{})
	bob := env.NewUser(t, "bob")
	d := loggedIn(t, rt, bob)
	id := d.id()
	d.send(frame{"msg": "sub", "id": id, "name": "stream-room-messages", "params": []any{"GENERAL", true}})
	f := d.next()
	if f["msg"] != "added" || f["collection"] != "stream-room-messages" || f["id"] != "id" ||
		f["fields"].(map[string]any)["eventName"] != "GENERAL" {
		t.Fatalf("want added before ready, got %v", f)
	}
	if f := d.next(); f["msg"] != "ready" {
		t.Fatalf("want ready, got %v", f)
	}
	// The same id again is ignored; the next frame answers the ping.
	d.send(frame{"msg": "sub", "id": id, "name": "stream-room-messages", "params": []any{"GENERAL", true}})
	d.send(frame{"msg": "ping", "id": "x"})
	if f := d.next(); f["msg"] != "pong" {
		t.Fatalf("a repeated sub id was answered: %v", f)
	}
	post(t, bob, "GENERAL", "hi")
	if m := msgOf(t, d.event("stream-room-messages", "GENERAL")); m["msg"] != "hi" {
		t.Fatalf("message = %v", m)
	}
	// After unsub nothing more comes for it.
	d.send(frame{"msg": "unsub", "id": id})
	d.until("nosub", func(f frame) bool { return f["msg"] == "nosub" && f["id"] == id })
}

func TestRealtimeTyping(t *testing.T) {
	t.Parallel()
	env, rt := newRealtime(t, realtime.Config{})
	alice, bob := env.NewUser(t, "alice"), env.NewUser(t, "bob")
	carol := env.NewUser(t, "carol")
	g := group(t, env, alice, "bob")
	a, b := loggedIn(t, rt, alice), loggedIn(t, rt, bob)
	for _, d := range []*ddp{a, b} {
		d.mustSub("stream-notify-room", g+"/user-activity", map[string]any{"useCollection": false, "args": []any{}})
		d.mustSub("stream-notify-room", g+"/typing", false)
	}

	// A forged username is dropped without an error.
	if res := b.call("stream-notify-room", g+"/user-activity", "alice", []string{"user-typing"}, map[string]any{}); res["error"] != nil {
		t.Fatalf("forged write answered %v", res)
	}
	// So is a write to a room the writer cannot see.
	c := loggedIn(t, rt, carol)
	c.call("stream-notify-room", g+"/typing", "carol", true)

	// bob → alice, in both forms.
	b.call("stream-notify-room", g+"/user-activity", "bob", []string{"user-typing"}, map[string]any{})
	name, args := a.nextEvent("stream-notify-room")
	if name != g+"/user-activity" || args[0] != "bob" || args[1].([]any)[0] != "user-typing" {
		t.Fatalf("first activity alice got: %s %v", name, args)
	}
	if args := a.event("stream-notify-room", g+"/typing"); args[0] != "bob" || args[1] != true {
		t.Fatalf("legacy typing = %v", args)
	}
	// alice → bob, legacy form; bob's own notice was not echoed to him,
	// so alice's is the first activity he sees.
	a.call("stream-notify-room", g+"/typing", "alice", false)
	name, args = b.nextEvent("stream-notify-room")
	if name != g+"/user-activity" || args[0] != "alice" || len(args[1].([]any)) != 0 {
		t.Fatalf("first activity bob got: %s %v", name, args)
	}
	if args := b.event("stream-notify-room", g+"/typing"); args[0] != "alice" || args[1] != false {
		t.Fatalf("typing = %v", args)
	}
}

func TestRealtimeNotifyUser(t *testing.T) {
	t.Parallel()
	env, rt := newRealtime(t, realtime.Config{})
	alice, dave := env.NewUser(t, "alice"), env.NewUser(t, "dave")
	ch := alice.Post(t, "channels.create", map[string]any{"name": env.Unique("ch")}).OK(t).JSON(t)["channel"].(map[string]any)["_id"].(string)

	d := loggedIn(t, rt, dave)
	subsEv, roomsEv, noteEv := dave.UserID+"/subscriptions-changed", dave.UserID+"/rooms-changed", dave.UserID+"/notification"
	d.mustSub("stream-notify-user", subsEv, false)
	d.mustSub("stream-notify-user", roomsEv, false)
	d.mustSub("stream-notify-user", noteEv, false)
	// Another user's events are not readable.
	_, f := d.sub("stream-notify-user", alice.UserID+"/notification", false)
	meteorError(t, f["error"], "not-allowed", "Not allowed")

	// Join.
	dave.Post(t, "channels.join", map[string]any{"roomId": ch}).OK(t)
	// (Events of dave's creation, which joined him to GENERAL, may still
	// be on their way: only the channel's are looked at.)
	about := func(ev, key string) func(f frame) bool {
		return func(f frame) bool {
			if f["msg"] != "changed" || f["fields"].(map[string]any)["eventName"] != ev {
				return false
			}
			return f["fields"].(map[string]any)["args"].([]any)[1].(map[string]any)[key] == ch
		}
	}
	f = d.until("subscription of the channel", about(subsEv, "rid"))
	if args := f["fields"].(map[string]any)["args"].([]any); args[0] != "inserted" {
		t.Fatalf("subscriptions-changed on join = %v", args)
	}
	f = d.until("room of the channel", about(roomsEv, "_id"))
	if args := f["fields"].(map[string]any)["args"].([]any); args[0] != "inserted" {
		t.Fatalf("rooms-changed on join = %v", args)
	}

	// A mention notifies dave, and counts as unread.
	id := post(t, alice, ch, "hey @dave")
	args := d.event("stream-notify-user", noteEv)
	n := args[0].(map[string]any)
	p := n["payload"].(map[string]any)
	if p["_id"] != id || p["rid"] != ch || p["type"] != "c" || p["sender"].(map[string]any)["username"] != "alice" ||
		p["message"].(map[string]any)["msg"] != "hey @dave" || n["title"] == nil || n["text"] == nil {
		t.Fatalf("notification = %v", n)
	}
	d.until("unread subscription", func(f frame) bool {
		if f["msg"] != "changed" || f["fields"].(map[string]any)["eventName"] != subsEv {
			return false
		}
		a := f["fields"].(map[string]any)["args"].([]any)
		s := a[1].(map[string]any)
		return a[0] == "updated" && s["rid"] == ch && s["unread"].(float64) > 0
	})

	// Read.
	dave.Post(t, "subscriptions.read", map[string]any{"rid": ch}).OK(t)
	d.until("read subscription", func(f frame) bool {
		if f["msg"] != "changed" || f["fields"].(map[string]any)["eventName"] != subsEv {
			return false
		}
		a := f["fields"].(map[string]any)["args"].([]any)
		s := a[1].(map[string]any)
		return a[0] == "updated" && s["rid"] == ch && s["unread"].(float64) == 0 && s["alert"] == false
	})

	// Leave.
	dave.Post(t, "channels.leave", map[string]any{"roomId": ch}).OK(t)
	d.until("removed subscription", func(f frame) bool {
		if f["msg"] != "changed" || f["fields"].(map[string]any)["eventName"] != subsEv {
			return false
		}
		a := f["fields"].(map[string]any)["args"].([]any)
		return a[0] == "removed" && a[1].(map[string]any)["rid"] == ch
	})
	d.until("removed room", func(f frame) bool {
		if f["msg"] != "changed" || f["fields"].(map[string]any)["eventName"] != roomsEv {
			return false
		}
		a := f["fields"].(map[string]any)["args"].([]any)
		return a[0] == "removed" && a[1].(map[string]any)["_id"] == ch
	})

	// A direct message notifies too.
	alice.Post(t, "chat.postMessage", map[string]any{"channel": "@dave", "text": "psst"}).OK(t)
	args = d.event("stream-notify-user", noteEv)
	if p := args[0].(map[string]any)["payload"].(map[string]any); p["type"] != "d" || args[0].(map[string]any)["text"] != "psst" {
		t.Fatalf("DM notification = %v", args)
	}
}

func TestRealtimeNotifyLoggedAndAll(t *testing.T) {
	t.Parallel()
	env, rt := newRealtime(t, realtime.Config{})
	bob := env.NewUser(t, "bob")
	anon := dial(t, rt)
	anon.mustSub("stream-notify-all", "public-settings-changed", false)
	d := loggedIn(t, rt, bob)
	d.mustSub("stream-notify-logged", "Users:NameChanged", false)

	env.Admin.Post(t, "settings/UI_Use_Real_Name", map[string]any{"value": true}).OK(t)
	args := anon.event("stream-notify-all", "public-settings-changed")
	if s := args[1].(map[string]any); args[0] != "updated" || s["_id"] != "UI_Use_Real_Name" || s["value"] != true {
		t.Fatalf("public-settings-changed = %v", args)
	}

	env.Admin.Post(t, "users.update", map[string]any{"userId": bob.UserID, "data": map[string]any{"name": "Robert"}}).OK(t)
	d.until("Robert", func(f frame) bool {
		if f["msg"] != "changed" || f["collection"] != "stream-notify-logged" {
			return false
		}
		a := f["fields"].(map[string]any)["args"].([]any)
		u := a[0].(map[string]any)
		return u["_id"] == bob.UserID && u["name"] == "Robert" && u["username"] == "bob"
	})
}

func TestRealtimeHiddenSystemMessages(t *testing.T) {
	t.Parallel()
	env, rt := newRealtime(t, realtime.Config{})
	alice, bob, carol := env.NewUser(t, "alice"), env.NewUser(t, "bob"), env.NewUser(t, "carol")
	ch := alice.Post(t, "channels.create", map[string]any{"name": env.Unique("ch")}).OK(t).JSON(t)["channel"].(map[string]any)["_id"].(string)
	a := loggedIn(t, rt, alice)
	a.mustSub("stream-room-messages", ch, false)

	// Posting to a channel one has not joined joins it, with a "uj"
	// system message first.
	id := post(t, bob, ch, "hi")
	if m := msgOf(t, a.event("stream-room-messages", ch)); m["t"] != "uj" {
		t.Fatalf("first message = %v", m)
	}
	if m := msgOf(t, a.event("stream-room-messages", ch)); m["_id"] != id {
		t.Fatalf("second message = %v", m)
	}
	// Hidden by Hide_System_Messages, it is not sent.
	env.Admin.Post(t, "settings/Hide_System_Messages", map[string]any{"value": `["uj"]`}).OK(t)
	id = post(t, carol, ch, "hello")
	if m := msgOf(t, a.event("stream-room-messages", ch)); m["_id"] != id {
		t.Fatalf("a hidden system message was sent: %v", m)
	}
}

// Access is read again when membership changes: a removed member hears
// nothing more of the room, and hears it again once back.
func TestRealtimeAccessFollowsMembership(t *testing.T) {
	t.Parallel()
	env, rt := newRealtime(t, realtime.Config{})
	alice, bob := env.NewUser(t, "alice"), env.NewUser(t, "bob")
	g := group(t, env, alice, "bob")
	b := loggedIn(t, rt, bob)
	b.mustSub("stream-room-messages", g, false)
	b.mustSub("stream-room-messages", "GENERAL", false)
	b.mustSub("stream-notify-room", g+"/typing", false)

	first := post(t, alice, g, "before")
	if ev, args := b.nextEvent("stream-room-messages"); ev != g || msgOf(t, args)["_id"] != first {
		t.Fatalf("got %s %v", ev, args)
	}
	alice.Post(t, "groups.kick", map[string]any{"roomId": g, "userId": bob.UserID}).OK(t)
	post(t, alice, g, "secret")
	a := loggedIn(t, rt, alice)
	a.call("stream-notify-room", g+"/typing", "alice", true)
	// Events are delivered in order: the GENERAL post coming first
	// proves the group's post and typing were withheld.
	pub := post(t, alice, "GENERAL", "public")
	ev, args := b.nextEvent("stream-room-messages")
	if ev != "GENERAL" || msgOf(t, args)["_id"] != pub {
		t.Fatalf("removed member got %s %v", ev, args)
	}
	b.noFrames("after removal")

	alice.Post(t, "groups.invite", map[string]any{"roomId": g, "userId": bob.UserID}).OK(t)
	back := post(t, alice, g, "welcome back")
	b.until("the post after rejoining", func(f frame) bool {
		if f["msg"] != "changed" || f["collection"] != "stream-room-messages" {
			return false
		}
		fields := f["fields"].(map[string]any)
		return fields["eventName"] == g && fields["args"].([]any)[0].(map[string]any)["_id"] == back
	})
}

// Events published on the bus by another node (here: by hand) reach
// this node's subscribers.
func TestRealtimeEventsFromTheBus(t *testing.T) {
	t.Parallel()
	env, rt := newRealtime(t, realtime.Config{})
	alice, bob := env.NewUser(t, "alice"), env.NewUser(t, "bob")
	g := group(t, env, alice, "bob")
	b := loggedIn(t, rt, bob)
	b.mustSub("stream-notify-room", g+"/user-activity", false)
	env.App.Bus().Publish(events.Event{Kind: events.Activity, RoomID: g, UserID: alice.UserID, ID: "user-activity",
		Data: []byte(`["alice",["user-typing"]]`)})
	if args := b.event("stream-notify-room", g+"/user-activity"); args[0] != "alice" {
		t.Fatalf("activity = %v", args)
	}
}

// A message refused by the room reaches its sender as an ephemeral notice;
// one refused before the room is looked at is dropped without a word.
func TestRealtimeEphemeralNoticeOfARefusedMessage(t *testing.T) {
	t.Parallel()
	env, rt := newRealtime(t, realtime.Config{})
	alice, bob := env.NewUser(t, "alice"), env.NewUser(t, "bob")
	g := group(t, env, alice, "bob")
	alice.Post(t, "rooms.muteUser", map[string]any{"roomId": g, "userId": bob.UserID}).OK(t)
	env.SetSetting(t, "Message_MaxAllowedSize", 20)

	b := loggedIn(t, rt, bob)
	noticeEv := bob.UserID + "/message"
	b.mustSub("stream-notify-user", noticeEv, false)
	// The first is too long: dropped before the room is looked at. The
	// second is refused because bob is muted. A notice may come before or
	// after its method's result, so frames are taken in whatever order
	// they come; notices go out in order, so had the first sent one, it
	// would come first.
	tooLong, muted := b.id(), b.id()
	b.send(frame{"msg": "method", "id": tooLong, "method": "sendMessage", "params": []any{map[string]any{"rid": g, "msg": "far longer than twenty characters"}}})
	b.send(frame{"msg": "method", "id": muted, "method": "sendMessage", "params": []any{map[string]any{"rid": g, "msg": "can you hear me"}}})
	results := map[any]frame{}
	var notice map[string]any
	for len(results) < 2 || notice == nil {
		f := b.until("both results and a notice", func(f frame) bool {
			return f["msg"] == "result" || isEvent("stream-notify-user", noticeEv)(f)
		})
		if f["msg"] == "result" {
			results[f["id"]] = f
		} else if notice == nil {
			notice = msgOf(t, b.eventArgs(f))
		}
	}
	if f := results[muted]; f["error"] != nil || f["result"] != nil {
		t.Fatalf("refused sendMessage answered %v, want no result and no error", f)
	}
	if notice["rid"] != g || notice["groupable"] != false {
		t.Fatalf("notice = %v", notice)
	}
	if text, _ := notice["msg"].(string); text == "" || strings.Contains(text, "size") {
		t.Fatalf("first notice says %q, want the muted refusal's", text)
	}
	if ts, ok := notice["ts"].(map[string]any); !ok || ts["$date"] == nil {
		t.Fatalf("notice ts = %v", notice["ts"])
	}
}

// The stream shapes a message as the REST answers do: under
// UI_Use_Real_Name a reaction lists its reactors' names.
func TestRealtimeMessagesCarryReactorNames(t *testing.T) {
	t.Parallel()
	env, rt := newRealtime(t, realtime.Config{})
	env.SetSetting(t, "UI_Use_Real_Name", true)
	alice, bob := env.NewUser(t, "alice"), env.NewUser(t, "bob")
	g := group(t, env, alice, "bob")
	id := post(t, alice, g, "react to me")

	b := loggedIn(t, rt, bob)
	b.mustSub("stream-room-messages", g, false)
	alice.Post(t, "chat.react", map[string]any{"messageId": id, "emoji": "smile"}).OK(t)
	want := alice.GetMessage(t, id)["reactions"]
	got := msgOf(t, b.event("stream-room-messages", g))["reactions"]
	if apitest.JSON(got) != apitest.JSON(want) || !strings.Contains(apitest.JSON(got), `"names"`) {
		t.Fatalf("streamed reactions = %s, REST = %s", apitest.JSON(got), apitest.JSON(want))
	}
}
