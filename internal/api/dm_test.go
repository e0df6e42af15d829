package api_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/api/apitest"
)

// dmPrefixes: every dm.* endpoint is served under im.* too.
var dmPrefixes = []string{"dm", "im"}

// eachDMPrefix runs f under each of dmPrefixes, each on a server of its
// own, as the two names must behave the same from a fresh start.
func eachDMPrefix(t *testing.T, f func(t *testing.T, e *apitest.Env, p string)) {
	t.Parallel()
	for _, p := range dmPrefixes {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			f(t, apitest.New(t), p)
		})
	}
}

func TestDMCreate(t *testing.T) {
	eachDMPrefix(t, func(t *testing.T, e *apitest.Env, p string) {
		alice, bob, carol := e.NewUser(t, "alice"), e.NewUser(t, "bob"), e.NewUser(t, "carol")

		room := alice.CreateDM(t, p, map[string]any{"username": "bob"})
		rid := apitest.DMID(alice.UserID, bob.UserID)
		if room["_id"] != rid || room["rid"] != rid || room["t"] != "d" {
			t.Fatalf("room = %v, want id %s", room, rid)
		}
		if u := room["usernames"].([]any); len(u) != 2 || u[0] != "alice" || u[1] != "bob" {
			t.Fatalf("usernames = %v", u)
		}
		// A 1:1 conversation opens for the creator; the recipient sees it
		// when the first message arrives.
		if alice.Subscription(t, rid)["open"] != true || bob.Subscription(t, rid)["open"] != false {
			t.Fatalf("open flags: alice %v, bob %v", alice.Subscription(t, rid)["open"], bob.Subscription(t, rid)["open"])
		}
		if alice.Subscription(t, rid)["name"] != "bob" || alice.Subscription(t, rid)["fname"] != "Bob" {
			t.Fatalf("alice's subscription names: %v", alice.Subscription(t, rid))
		}
		// Repeating finds the same room, and re-opens the caller's side.
		alice.Post(t, p+".close", map[string]any{"roomId": rid}).OK(t)
		if again := alice.CreateDM(t, p, map[string]any{"username": "bob"}); again["_id"] != rid {
			t.Fatalf("second create gave %v", again["_id"])
		}
		if alice.Subscription(t, rid)["open"] != true {
			t.Fatal("create did not re-open the caller's subscription")
		}

		// Self conversation: the user's own id.
		if self := alice.CreateDM(t, p, map[string]any{"username": "alice"}); self["_id"] != alice.UserID {
			t.Fatalf("self DM id %v, want %s", self["_id"], alice.UserID)
		}

		// Group conversation: random id, every member subscribed and open.
		group := alice.CreateDM(t, p, map[string]any{"usernames": "bob, carol"})
		gid := group["_id"].(string)
		if len(gid) != 17 || len(group["usernames"].([]any)) != 3 {
			t.Fatalf("group room = %v", group)
		}
		if carol.Subscription(t, gid)["open"] != true || carol.Subscription(t, gid)["name"] != "alice, bob" {
			t.Fatalf("carol's group subscription: %v", carol.Subscription(t, gid))
		}
		if again := bob.CreateDM(t, p, map[string]any{"usernames": "carol,alice"}); again["_id"] != gid {
			t.Fatalf("same members gave another room %v", again["_id"])
		}

		// Errors.
		alice.Post(t, p+".create", map[string]any{"username": "ghost"}).Fails(t, 400, "error-invalid-user", "Invalid user [error-invalid-user]")
		alice.Post(t, p+".create", map[string]any{"usernames": "bob,ghost"}).Fails(t, 400, "error-invalid-user", "")
		alice.Post(t, p+".create", map[string]any{}).Fails(t, 400, "invalid-params",
			"must have required property 'usernames'\n must have required property 'username'\n must match exactly one schema in oneOf [invalid-params]")
		alice.Post(t, p+".create", map[string]any{"username": "bob", "usernames": "bob"}).Fails(t, 400, "invalid-params", "")
		alice.Post(t, p+".create", map[string]any{"username": "bob", "extra": 1}).Fails(t, 400, "invalid-params", "")

		e.SetSetting(t, "DirectMesssage_maxUsers", 2)
		alice.Post(t, p+".create", map[string]any{"usernames": "bob,carol"}).Fails(t, 400, "error-direct-message-max-user-exceeded",
			"You cannot add more than 2 users, including yourself to a direct message [error-direct-message-max-user-exceeded]")
		e.SetSetting(t, "DirectMesssage_maxUsers", 8)

		e.SetSetting(t, "Message_AllowDirectMessagesToYourself", false)
		bob.Post(t, p+".create", map[string]any{"username": "bob"}).Fails(t, 400, "error-invalid-user", "")
		e.SetSetting(t, "Message_AllowDirectMessagesToYourself", true)

		e.SetPermission(t, "create-d", "admin")
		carol.Post(t, p+".create", map[string]any{"username": "bob"}).Fails(t, 400, "error-not-allowed", "Not allowed [error-not-allowed]")
		// Without create-d an existing conversation is still found.
		if again := bob.CreateDM(t, p, map[string]any{"username": "alice"}); again["_id"] != rid {
			t.Fatalf("existing DM without create-d: %v", again)
		}
		e.SetPermission(t, "create-d", "admin", "user", "bot", "app")

		// excludeSelf: an administrator opens a conversation between others.
		ex := e.Admin.CreateDM(t, p, map[string]any{"usernames": "bob,carol", "excludeSelf": true})
		if ex["_id"] != apitest.DMID(bob.UserID, carol.UserID) {
			t.Fatalf("excludeSelf room %v", ex["_id"])
		}
		if e.Admin.Subscription(t, ex["_id"].(string)) != nil {
			t.Fatal("excludeSelf subscribed the admin")
		}
		// Without view-room-administration excludeSelf is ignored.
		if own := carol.CreateDM(t, p, map[string]any{"username": "alice", "excludeSelf": true}); own["_id"] != apitest.DMID(alice.UserID, carol.UserID) {
			t.Fatalf("excludeSelf without permission gave %v", own["_id"])
		}
	})
}

func TestDMOpenClose(t *testing.T) {
	eachDMPrefix(t, func(t *testing.T, e *apitest.Env, p string) {
		alice, bob, eve := e.NewUser(t, "alice"), e.NewUser(t, "bob"), e.NewUser(t, "eve")
		rid := alice.CreateDM(t, p, map[string]any{"username": "bob"})["_id"].(string)

		alice.Post(t, p+".close", map[string]any{"roomId": rid}).OK(t)
		if alice.Subscription(t, rid)["open"] != false {
			t.Fatal("close left the subscription open")
		}
		alice.Post(t, p+".close", map[string]any{"roomId": rid}).FailsPlain(t, "The direct message room, is already closed to the sender")
		alice.Post(t, p+".open", map[string]any{"roomId": rid}).OK(t)
		alice.Post(t, p+".open", map[string]any{"roomId": rid}).OK(t) // no-op
		if alice.Subscription(t, rid)["open"] != true {
			t.Fatal("open left the subscription closed")
		}
		// A message re-opens the recipient's side.
		bob.Post(t, p+".open", map[string]any{"roomId": rid}).OK(t)
		bob.Post(t, p+".close", map[string]any{"roomId": rid}).OK(t)
		alice.PostText(t, rid, "hi")
		if bob.Subscription(t, rid)["open"] != true {
			t.Fatal("a new message did not re-open bob's subscription")
		}

		for _, ep := range []string{".open", ".close"} {
			alice.Post(t, p+ep, map[string]any{}).Fails(t, 400, "invalid-params", "must have required property 'roomId' [invalid-params]")
			alice.Post(t, p+ep, map[string]any{"roomId": ""}).Fails(t, 400, "error-room-param-not-provided", `Body param "roomId" is required [error-room-param-not-provided]`)
			eve.Post(t, p+ep, map[string]any{"roomId": rid}).Fails(t, 403, "", "unauthorized")
		}
		// close takes userId (for administrators); open does not.
		alice.Post(t, p+".open", map[string]any{"roomId": rid, "userId": bob.UserID}).Fails(t, 400, "invalid-params", "")
		alice.Post(t, p+".close", map[string]any{"roomId": rid, "userId": bob.UserID}).Fails(t, 403, "", "unauthorized")
		alice.Post(t, p+".open", map[string]any{"roomId": "nope"}).Fails(t, 403, "", "unauthorized")
		eve.Post(t, p+".close", map[string]any{"roomId": "nope"}).FailsPlain(t, "The user is not subscribed to the room")
		e.Anon().Post(t, p+".open", map[string]any{"roomId": rid}).Expect(t, http.StatusUnauthorized)
	})
}

func TestDMDelete(t *testing.T) {
	eachDMPrefix(t, func(t *testing.T, e *apitest.Env, p string) {
		alice, bob := e.NewUser(t, "alice"), e.NewUser(t, "bob")
		rid := alice.CreateDM(t, p, map[string]any{"username": "bob"})["_id"].(string)
		alice.PostText(t, rid, "hi")

		alice.Post(t, p+".delete", map[string]any{"roomId": rid}).Fails(t, 400, "error-not-allowed", "Not allowed [error-not-allowed]")
		alice.Post(t, p+".delete", map[string]any{}).Fails(t, 400, "invalid-params", "")
		alice.Post(t, p+".delete", map[string]any{"roomId": rid, "username": "bob"}).Fails(t, 400, "invalid-params", "")
		alice.Post(t, p+".delete", map[string]any{"roomId": "GENERAL"}).Fails(t, 400, "invalid-channel", "[invalid-channel]")

		// The admin is no member, but view-room-administration and
		// delete-d let him.
		e.Admin.Post(t, p+".delete", map[string]any{"roomId": rid}).OK(t)
		alice.Post(t, p+".open", map[string]any{"roomId": rid}).Fails(t, 403, "", "unauthorized")
		if bob.Subscription(t, rid) != nil {
			t.Fatal("subscription survived the delete")
		}
		// By username: the admin's own conversation with bob.
		e.Admin.CreateDM(t, p, map[string]any{"username": "bob"})
		e.Admin.Post(t, p+".delete", map[string]any{"username": "bob"}).OK(t)
		if bob.Subscription(t, apitest.DMID(e.Admin.UserID, bob.UserID)) != nil {
			t.Fatal("delete by username left the room")
		}
	})
}

func TestDMCounters(t *testing.T) {
	eachDMPrefix(t, func(t *testing.T, e *apitest.Env, p string) {
		alice, bob, eve := e.NewUser(t, "alice"), e.NewUser(t, "bob"), e.NewUser(t, "eve")
		rid := alice.CreateDM(t, p, map[string]any{"username": "bob"})["_id"].(string)
		for _, text := range []string{"one", "two", "hey @bob"} {
			alice.PostText(t, rid, text)
		}
		c := bob.Get(t, p+".counters", apitest.Q("roomId", rid)).OK(t).JSON(t)
		if c["joined"] != true || apitest.Num(c["members"]) != 2 || apitest.Num(c["unreads"]) != 3 || apitest.Num(c["msgs"]) != 3 ||
			apitest.Num(c["userMentions"]) != 1 || c["unreadsFrom"] != nil || c["latest"] == nil {
			t.Fatalf("counters = %v", c)
		}
		bob.Post(t, "subscriptions.read", map[string]any{"rid": rid}).OK(t)
		c = bob.Get(t, p+".counters", apitest.Q("roomId", rid)).OK(t).JSON(t)
		if apitest.Num(c["unreads"]) != 0 || c["unreadsFrom"] == nil {
			t.Fatalf("after read: %v", c)
		}
		// An administrator asks for someone else.
		c = e.Admin.Get(t, p+".counters", apitest.Q("roomId", rid, "userId", alice.UserID)).OK(t).JSON(t)
		if c["joined"] != true || apitest.Num(c["msgs"]) != 3 {
			t.Fatalf("admin counters for alice: %v", c)
		}
		bob.Get(t, p+".counters", apitest.Q("roomId", rid, "userId", alice.UserID)).Fails(t, 403, "", "unauthorized")
		eve.Get(t, p+".counters", apitest.Q("roomId", rid)).Fails(t, 403, "", "unauthorized")
		bob.Get(t, p+".counters", nil).Fails(t, 400, "error-room-param-not-provided", `Query param "roomId" is required [error-room-param-not-provided]`)
	})
}

func TestDMHistory(t *testing.T) {
	eachDMPrefix(t, func(t *testing.T, e *apitest.Env, p string) {
		alice, bob, eve := e.NewUser(t, "alice"), e.NewUser(t, "bob"), e.NewUser(t, "eve")
		rid := alice.CreateDM(t, p, map[string]any{"username": "bob"})["_id"].(string)
		var first map[string]any
		for i := 0; i < 55; i++ {
			m := alice.PostText(t, rid, "m"+strconv.Itoa(i))
			if i == 0 {
				first = m
			}
		}
		var out struct {
			Messages        []map[string]any
			UnreadNotLoaded *int
			FirstUnread     map[string]any
		}
		bob.Get(t, p+".history", apitest.Q("roomId", rid, "latest", apitest.Latest())).OK(t).Decode(t, &out)
		if len(out.Messages) != 50 || out.Messages[0]["msg"] != "m54" {
			t.Fatalf("default page: %d messages, first %v", len(out.Messages), out.Messages[0]["msg"])
		}
		if out.UnreadNotLoaded != nil {
			t.Fatal("unreadNotLoaded without unreads")
		}
		out.Messages = nil
		bob.Get(t, p+".history", apitest.Q("roomId", rid, "latest", apitest.Latest(), "count", "10", "offset", "50")).OK(t).Decode(t, &out)
		if len(out.Messages) != 5 || out.Messages[4]["msg"] != "m0" {
			t.Fatalf("offset page: %v", apitest.IDs(out.Messages))
		}
		// unreads: what lies between oldest and the page.
		oldest := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339Nano)
		bob.Get(t, p+".history", apitest.Q("roomId", rid, "latest", apitest.Latest(), "oldest", oldest, "unreads", "true", "count", "10")).OK(t).Decode(t, &out)
		if out.UnreadNotLoaded == nil || *out.UnreadNotLoaded != 45 || out.FirstUnread["_id"] != first["_id"] {
			t.Fatalf("unreads: notLoaded %v, firstUnread %v", out.UnreadNotLoaded, out.FirstUnread["_id"])
		}
		// By the other user's id, the conversation is found too.
		bob.Get(t, p+".history", apitest.Q("roomId", alice.UserID, "count", "1", "latest", apitest.Latest())).OK(t)

		eve.Get(t, p+".history", apitest.Q("roomId", rid)).Fails(t, 403, "", "unauthorized")
		bob.Get(t, p+".history", nil).Fails(t, 400, "error-room-param-not-provided", "")
		bob.Get(t, p+".history", apitest.Q("roomId", "GENERAL")).Fails(t, 400, "invalid-channel", "[invalid-channel]")
		bob.Get(t, p+".history", apitest.Q("roomId", rid, "oldest", "not a date")).Fails(t, 400, "error-invalid-date", "")
	})
}

func TestDMHistoryThreads(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "bob")
	alice := e.Users[0]
	rid := alice.CreateDM(t, "dm", map[string]any{"username": "bob"})["_id"].(string)
	parent := alice.PostText(t, rid, "parent")
	reply := alice.SendMessage(t, map[string]any{"rid": rid, "msg": "reply", "tmid": parent["_id"]})
	var out struct{ Messages []map[string]any }
	alice.Get(t, "dm.history", apitest.Q("roomId", rid, "latest", apitest.Latest())).OK(t).Decode(t, &out)
	if apitest.HasID(out.Messages, reply["_id"].(string)) {
		t.Fatal("a thread reply shows in history by default")
	}
	alice.Get(t, "im.history", apitest.Q("roomId", rid, "latest", apitest.Latest(), "showThreadMessages", "true")).OK(t).Decode(t, &out)
	if !apitest.HasID(out.Messages, reply["_id"].(string)) {
		t.Fatal("showThreadMessages=true did not show the reply")
	}
}

func TestDMList(t *testing.T) {
	eachDMPrefix(t, func(t *testing.T, e *apitest.Env, p string) {
		alice, bob, carol := e.NewUser(t, "alice"), e.NewUser(t, "bob"), e.NewUser(t, "carol")
		ab := alice.CreateDM(t, p, map[string]any{"username": "bob"})["_id"].(string)
		bc := bob.CreateDM(t, p, map[string]any{"username": "carol"})["_id"].(string)
		alice.PostText(t, ab, "hi")
		alice.Post(t, p+".close", map[string]any{"roomId": ab}).OK(t)

		var out struct {
			Ims                  []map[string]any
			Count, Offset, Total int
		}
		alice.Get(t, p+".list", nil).OK(t).Decode(t, &out)
		if out.Total != 1 || len(out.Ims) != 1 || out.Ims[0]["_id"] != ab || out.Ims[0]["lastMessage"] == nil {
			t.Fatalf("alice's list (closed ones included): %+v", out)
		}
		bob.Get(t, p+".list", apitest.Q("count", "1")).OK(t).Decode(t, &out)
		if out.Total != 2 || out.Count != 1 {
			t.Fatalf("bob's list page: %+v", out)
		}
		_ = carol
		e.Admin.Get(t, p+".list.everyone", nil).OK(t).Decode(t, &out)
		if out.Total != 2 || !apitest.HasID(out.Ims, ab) || !apitest.HasID(out.Ims, bc) {
			t.Fatalf("list.everyone: %+v", out)
		}
		alice.Get(t, p+".list.everyone", nil).Fails(t, 403, "", "User does not have the permissions required for this action [error-unauthorized]")
		alice.Get(t, p+".list", apitest.Q("sort", "{bad")).Fails(t, 400, "error-invalid-sort", "")
	})
}

func TestDMMembers(t *testing.T) {
	eachDMPrefix(t, func(t *testing.T, e *apitest.Env, p string) {
		alice, bob, eve := e.NewUser(t, "alice"), e.NewUser(t, "bob"), e.NewUser(t, "eve")
		rid := alice.CreateDM(t, p, map[string]any{"username": "bob"})["_id"].(string)
		var out struct {
			Members              []map[string]any
			Count, Offset, Total int
		}
		bob.Get(t, p+".members", apitest.Q("roomId", rid)).OK(t).Decode(t, &out)
		if out.Total != 2 || len(out.Members) != 2 || out.Members[0]["subscription"].(map[string]any)["_id"] == nil {
			t.Fatalf("members: %+v", out)
		}
		bob.Get(t, p+".members", apitest.Q("username", "alice", "filter", "ALI")).OK(t).Decode(t, &out)
		if out.Total != 1 || out.Members[0]["username"] != "alice" {
			t.Fatalf("filtered members: %+v", out)
		}
		bob.Get(t, p+".members", apitest.Q("roomId", rid, "status[]", "online")).OK(t).Decode(t, &out)
		if out.Total != 0 {
			t.Fatalf("status filter: %+v", out)
		}
		bob.Get(t, p+".members", apitest.Q("roomId", rid, "count", "1", "offset", "1")).OK(t).Decode(t, &out)
		if out.Total != 2 || len(out.Members) != 1 || out.Offset != 1 {
			t.Fatalf("paged members: %+v", out)
		}
		eve.Get(t, p+".members", apitest.Q("roomId", rid)).Fails(t, 403, "", "unauthorized")
		bob.Get(t, p+".members", nil).Fails(t, 400, "invalid-params", "")
		bob.Get(t, p+".members", apitest.Q("roomId", rid, "username", "alice")).Fails(t, 400, "invalid-params", "")
	})
}

func TestDMMessages(t *testing.T) {
	eachDMPrefix(t, func(t *testing.T, e *apitest.Env, p string) {
		alice, bob, eve := e.NewUser(t, "alice"), e.NewUser(t, "bob"), e.NewUser(t, "eve")
		rid := alice.CreateDM(t, p, map[string]any{"username": "bob"})["_id"].(string)
		plain := alice.PostText(t, rid, "plain")
		mention := alice.PostText(t, rid, "hello @bob")
		starred := bob.PostText(t, rid, "star me")
		pinned := bob.PostText(t, rid, "pin me")
		e.SetPermission(t, "pin-message", "admin", "owner", "moderator", "user")
		bob.Post(t, "chat.starMessage", map[string]any{"messageId": starred["_id"]}).OK(t)
		bob.Post(t, "chat.pinMessage", map[string]any{"messageId": pinned["_id"]}).OK(t)

		var out struct {
			Messages             []map[string]any
			Count, Offset, Total int
		}
		alice.Get(t, p+".messages", apitest.Q("roomId", rid)).OK(t).Decode(t, &out)
		// The pin adds a system message.
		if out.Total != 5 || out.Messages[len(out.Messages)-1]["_id"] != plain["_id"] {
			t.Fatalf("all messages: total %d, ids %v", out.Total, apitest.IDs(out.Messages))
		}
		alice.Get(t, p+".messages", apitest.Q("username", "bob", "mentionIds", bob.UserID)).OK(t).Decode(t, &out)
		if out.Total != 1 || out.Messages[0]["_id"] != mention["_id"] {
			t.Fatalf("mentionIds: %v", apitest.IDs(out.Messages))
		}
		alice.Get(t, p+".messages", apitest.Q("roomId", rid, "starredIds", bob.UserID+","+alice.UserID)).OK(t).Decode(t, &out)
		if out.Total != 1 || out.Messages[0]["_id"] != starred["_id"] {
			t.Fatalf("starredIds: %v", apitest.IDs(out.Messages))
		}
		// Stars are shown to their owner only.
		if out.Messages[0]["starred"] != nil {
			t.Fatalf("alice sees bob's star: %v", out.Messages[0]["starred"])
		}
		alice.Get(t, p+".messages", apitest.Q("roomId", rid, "pinned", "TRUE")).OK(t).Decode(t, &out)
		if out.Total != 1 || out.Messages[0]["_id"] != pinned["_id"] {
			t.Fatalf("pinned: %v", apitest.IDs(out.Messages))
		}
		alice.Get(t, p+".messages", apitest.Q("roomId", rid, "sort", `{"ts":1}`, "count", "2")).OK(t).Decode(t, &out)
		if out.Count != 2 || out.Total != 5 || out.Messages[0]["_id"] != plain["_id"] {
			t.Fatalf("sorted page: %+v", apitest.IDs(out.Messages))
		}
		eve.Get(t, p+".messages", apitest.Q("roomId", rid)).Fails(t, 403, "", "unauthorized")
		alice.Get(t, p+".messages", nil).Fails(t, 400, "invalid-params",
			"must have required property 'roomId'\n must have required property 'username'\n must match exactly one schema in oneOf [invalid-params]")
		alice.Get(t, p+".messages", apitest.Q("roomId", rid, "username", "bob")).Fails(t, 400, "invalid-params", "")
		alice.Get(t, p+".messages", apitest.Q("roomId", "GENERAL")).Fails(t, 400, "invalid-channel", "[invalid-channel]")
		alice.Get(t, p+".messages", apitest.Q("roomId", rid, "sort", `{"ts":2}`)).Fails(t, 400, "error-invalid-sort", "")
	})
}

func TestDMMessagesOthers(t *testing.T) {
	eachDMPrefix(t, func(t *testing.T, e *apitest.Env, p string) {
		alice := e.NewUser(t, "alice")
		e.NewUser(t, "bob")
		rid := alice.CreateDM(t, p, map[string]any{"username": "bob"})["_id"].(string)
		alice.PostText(t, rid, "hi")

		// The permission is checked before the setting.
		alice.Get(t, p+".messages.others", apitest.Q("roomId", rid)).Fails(t, 403, "", "User does not have the permissions required for this action [error-unauthorized]")
		r := e.Admin.Get(t, p+".messages.others", apitest.Q("roomId", rid)).Fails(t, 400, "error-endpoint-disabled", "This endpoint is disabled [error-endpoint-disabled]")
		if d := r.JSON(t)["details"].(map[string]any); d["route"] != "/api/v1/"+p+".messages.others" {
			t.Fatalf("details %v", d)
		}
		e.SetSetting(t, "API_Enable_Direct_Message_History_EndPoint", true)
		var out struct {
			Messages []map[string]any
			Total    int
		}
		e.Admin.Get(t, p+".messages.others", apitest.Q("roomId", rid)).OK(t).Decode(t, &out)
		if out.Total != 1 || out.Messages[0]["msg"] != "hi" {
			t.Fatalf("others: %+v", out)
		}
		e.Admin.Get(t, p+".messages.others", nil).Fails(t, 400, "error-roomid-param-not-provided", `The parameter "roomId" is required [error-roomid-param-not-provided]`)
		e.Admin.Get(t, p+".messages.others", apitest.Q("roomId", "GENERAL")).Fails(t, 400, "error-room-not-found",
			"No direct message room found by the id of: GENERAL [error-room-not-found]")
	})
}

func TestDMSetTopic(t *testing.T) {
	eachDMPrefix(t, func(t *testing.T, e *apitest.Env, p string) {
		alice, eve := e.NewUser(t, "alice"), e.NewUser(t, "eve")
		e.NewUser(t, "bob")
		rid := alice.CreateDM(t, p, map[string]any{"username": "bob"})["_id"].(string)
		alice.Post(t, p+".setTopic", map[string]any{"roomId": rid, "topic": "x"}).Fails(t, 400, "error-action-not-allowed", "Editing room is not allowed [error-action-not-allowed]")
		eve.Post(t, p+".setTopic", map[string]any{"roomId": rid, "topic": "x"}).Fails(t, 403, "", "unauthorized")
		alice.Post(t, p+".setTopic", map[string]any{"roomId": ""}).Fails(t, 400, "error-room-param-not-provided", "")
		alice.Post(t, p+".setTopic", map[string]any{"topic": "x"}).Fails(t, 400, "invalid-params", "")

		// An administrator's own conversation.
		aid := e.Admin.CreateDM(t, p, map[string]any{"username": "alice"})["_id"].(string)
		if got := e.Admin.Post(t, p+".setTopic", map[string]any{"roomId": aid, "topic": "plans"}).OK(t).JSON(t)["topic"]; got != "plans" {
			t.Fatalf("topic echo %v", got)
		}
		var list struct{ Ims []map[string]any }
		alice.Get(t, p+".list", nil).OK(t).Decode(t, &list)
		if len(list.Ims) != 2 || (list.Ims[0]["topic"] != "plans" && list.Ims[1]["topic"] != "plans") {
			t.Fatalf("topic not saved: %v", list.Ims)
		}
		msgs := alice.History(t, p, aid)
		if len(msgs) != 1 || msgs[0]["t"] != "room_changed_topic" || msgs[0]["msg"] != "plans" {
			t.Fatalf("system message: %v", msgs)
		}
		// Same topic again: nothing happens.
		e.Admin.Post(t, p+".setTopic", map[string]any{"roomId": aid, "topic": "plans"}).OK(t)
		if len(alice.History(t, p, aid)) != 1 {
			t.Fatal("an unchanged topic wrote a message")
		}
		if _, ok := e.Admin.Post(t, p+".setTopic", map[string]any{"roomId": aid}).OK(t).JSON(t)["topic"]; ok {
			t.Fatal("topic echoed although not sent")
		}
	})
}

func TestRoomMessagesChannelsGroups(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "eve")
	alice, eve := e.Users[0], e.Users[1]
	for _, prefix := range []string{"channels", "groups"} {
		rid := alice.CreateRoom(t, prefix, e.Unique("room"), nil)
		alice.PostText(t, rid, "one")
		two := alice.PostText(t, rid, "two")
		alice.Post(t, "chat.pinMessage", map[string]any{"messageId": two["_id"]}).OK(t)
		var out struct {
			Messages []map[string]any
			Total    int
		}
		alice.Get(t, prefix+".messages", apitest.Q("roomId", rid, "pinned", "true")).OK(t).Decode(t, &out)
		if out.Total != 1 || out.Messages[0]["_id"] != two["_id"] {
			t.Fatalf("%s.messages pinned: %+v", prefix, out)
		}
		alice.Get(t, prefix+".messages", apitest.Q("roomId", rid)).OK(t).Decode(t, &out)
		if out.Total != 3 {
			t.Fatalf("%s.messages: total %d", prefix, out.Total)
		}
		if prefix == "groups" {
			eve.Get(t, prefix+".messages", apitest.Q("roomId", rid)).Fails(t, 400, "error-room-not-found", "")
		}
		alice.Get(t, prefix+".messages", nil).Fails(t, 400, "invalid-params", "")
	}
}
