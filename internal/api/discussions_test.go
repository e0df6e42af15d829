package api_test

import (
	"fmt"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

func newDiscussion(t *testing.T, c *apitest.Client, body map[string]any) map[string]any {
	t.Helper()
	return c.Post(t, "rooms.createDiscussion", body).OK(t).JSON(t)["discussion"].(map[string]any)
}

func listDiscussions(t *testing.T, c *apitest.Client, q ...string) map[string]any {
	t.Helper()
	return c.Get(t, "chat.getDiscussions", apitest.Q(q...)).OK(t).JSON(t)
}

func TestCreateDiscussion(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "bob", "carol", "eve")
	alice, bob, carol, eve := e.Users[0], e.Users[1], e.Users[2], e.Users[3]
	cid := alice.CreateRoom(t, "channels", "lobby", nil, "bob", "carol")
	gid := alice.CreateRoom(t, "groups", "inner", nil, "bob")

	d := newDiscussion(t, alice, map[string]any{"prid": cid, "t_name": "Plans", "users": []string{"bob", "nobody"}, "reply": "let's talk"})
	drid := d["_id"].(string)
	if d["rid"] != drid || d["prid"] != cid || d["fname"] != "Plans" || d["t"] != "c" || d["topic"] != "lobby" {
		t.Fatalf("discussion = %v", d)
	}
	if apitest.Num(d["usersCount"]) != 2 || apitest.Num(d["msgs"]) != 1 {
		t.Fatalf("discussion counters = %v / %v", d["usersCount"], d["msgs"])
	}
	if sub := bob.Subscription(t, drid); sub == nil || sub["prid"] != cid {
		t.Fatalf("bob's subscription = %v", sub)
	}
	if carol.Subscription(t, drid) != nil {
		t.Fatal("carol was not invited")
	}
	// The parent announces it, and the announcement counts the discussion's messages.
	list := listDiscussions(t, alice, "roomId", cid)
	msgs := list["messages"].([]any)
	if len(msgs) != 1 {
		t.Fatalf("discussions = %v", msgs)
	}
	dm := msgs[0].(map[string]any)
	if dm["t"] != "discussion-created" || dm["drid"] != drid || dm["msg"] != "Plans" || apitest.Num(dm["dcount"]) != 1 || dm["dlm"] == nil {
		t.Fatalf("discussion-created = %v", dm)
	}
	for i := range 3 {
		bob.PostMessage(t, map[string]any{"roomId": drid, "text": fmt.Sprint("m", i)})
	}
	last := alice.PostText(t, drid, "last")
	dm = alice.GetMessage(t, dm["_id"].(string))
	if apitest.Num(dm["dcount"]) != 5 || dm["dlm"] != last["ts"] {
		t.Fatalf("after 4 more messages: dcount %v dlm %v (want 5, %v)", dm["dcount"], dm["dlm"], last["ts"])
	}
	alice.DeleteMessage(t, drid, last["_id"].(string))
	if dm = alice.GetMessage(t, dm["_id"].(string)); apitest.Num(dm["dcount"]) != 4 {
		t.Fatalf("after a deletion: dcount %v", dm["dcount"])
	}

	// Parent access gives access to the discussion, as Rocket.Chat's canAccessRoom does.
	carol.PostText(t, drid, "joined via the parent")

	// From a message: the author is invited and the message quoted; the type follows a private parent.
	src := bob.PostText(t, gid, "origin")
	d2 := newDiscussion(t, alice, map[string]any{"prid": gid, "pmid": src["_id"], "t_name": "From msg"})
	if d2["t"] != "p" || d2["description"] != "origin" {
		t.Fatalf("discussion from a message = %v", d2)
	}
	if bob.Subscription(t, d2["_id"].(string)) == nil {
		t.Fatal("the quoted message's author is not a member")
	}
	created := listDiscussions(t, bob, "roomId", gid)["messages"].([]any)[0].(map[string]any)
	if atts, _ := created["attachments"].([]any); len(atts) != 1 || atts[0].(map[string]any)["text"] != "origin" {
		t.Fatalf("quote = %v", created["attachments"])
	}

	// Errors.
	alice.Post(t, "rooms.createDiscussion", map[string]any{}).FailsPlain(t, `Body parameter "prid" is required.`)
	alice.Post(t, "rooms.createDiscussion", map[string]any{"prid": cid}).FailsPlain(t, `Body parameter "t_name" is required.`)
	alice.Post(t, "rooms.createDiscussion", map[string]any{"prid": cid, "t_name": "x", "users": "bob"}).FailsPlain(t, `Body parameter "users" must be an array.`)
	alice.Post(t, "rooms.createDiscussion", map[string]any{"prid": cid, "t_name": "x", "encrypted": "yes"}).FailsPlain(t, `Body parameter "encrypted" must be a boolean when included.`)
	alice.Post(t, "rooms.createDiscussion", map[string]any{"prid": "missing", "t_name": "x"}).Fails(t, 400, "error-invalid-room", "[error-invalid-room]")
	alice.Post(t, "rooms.createDiscussion", map[string]any{"prid": cid, "t_name": "x", "pmid": "missing"}).Fails(t, 400, "error-invalid-message", "Invalid message [error-invalid-message]")
	alice.Post(t, "rooms.createDiscussion", map[string]any{"prid": cid, "t_name": "x", "pmid": src["_id"]}).
		Fails(t, 400, "error-invalid-arguments", "Root message room ID does not match parent room ID  [error-invalid-arguments]")
	alice.Post(t, "rooms.createDiscussion", map[string]any{"prid": drid, "t_name": "x"}).Fails(t, 400, "error-nested-discussion", "Cannot create nested discussions [error-nested-discussion]")
	alice.Post(t, "rooms.createDiscussion", map[string]any{"prid": cid, "t_name": "x", "encrypted": true, "reply": "hi"}).
		Fails(t, 400, "error-invalid-arguments", "Encrypted discussions must not receive an initial reply. [error-invalid-arguments]")
	eve.Post(t, "rooms.createDiscussion", map[string]any{"prid": gid, "t_name": "x"}).Fails(t, 400, "error-not-allowed", "[error-not-allowed]")
	e.Anon().Post(t, "rooms.createDiscussion", map[string]any{"prid": cid, "t_name": "x"}).Expect(t, 401)

	e.SetPermission(t, "start-discussion")
	e.SetPermission(t, "start-discussion-other-user")
	alice.Post(t, "rooms.createDiscussion", map[string]any{"prid": cid, "t_name": "x"}).
		Fails(t, 400, "error-action-not-allowed", "You are not allowed to create a discussion [error-action-not-allowed]")
	e.SetPermission(t, "start-discussion-other-user", "user")
	newDiscussion(t, alice, map[string]any{"prid": cid, "t_name": "either permission is enough"})
	e.SetSetting(t, "Discussion_enabled", false)
	alice.Post(t, "rooms.createDiscussion", map[string]any{"prid": cid, "t_name": "x"}).
		Fails(t, 400, "error-action-not-allowed", "You are not allowed to create a discussion [error-action-not-allowed]")
	// Listing does not consult the setting.
	listDiscussions(t, alice, "roomId", cid)
}

func TestGetDiscussions(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "eve")
	alice, eve := e.Users[0], e.Users[1]
	gid := alice.CreateRoom(t, "groups", "planning", nil)
	var ids []string
	for i := range 4 {
		ids = append(ids, newDiscussion(t, alice, map[string]any{"prid": gid, "t_name": fmt.Sprintf("Topic %c", 'A'+i)})["_id"].(string))
	}
	alice.PostText(t, gid, "not a discussion")
	drids := func(res map[string]any) []string {
		var out []string
		for _, m := range res["messages"].([]any) {
			out = append(out, m.(map[string]any)["drid"].(string))
		}
		return out
	}
	res := listDiscussions(t, alice, "roomId", gid)
	if got := drids(res); fmt.Sprint(got) != fmt.Sprint([]string{ids[3], ids[2], ids[1], ids[0]}) || apitest.Num(res["total"]) != 4 {
		t.Fatalf("discussions newest first = %v (total %v)", got, res["total"])
	}
	res = listDiscussions(t, alice, "roomId", gid, "count", "2", "offset", "1")
	if got := drids(res); fmt.Sprint(got) != fmt.Sprint([]string{ids[2], ids[1]}) || apitest.Num(res["count"]) != 2 || apitest.Num(res["total"]) != 4 {
		t.Fatalf("page = %v %v", got, res)
	}
	if got := drids(listDiscussions(t, alice, "roomId", gid, "text", "topic c")); fmt.Sprint(got) != fmt.Sprint([]string{ids[2]}) {
		t.Fatalf("text filter = %v", got)
	}
	alice.Get(t, "chat.getDiscussions", apitest.Q("roomId", gid, "sort", `{"ts":1}`)).Fails(t, 400, "invalid-params", "must NOT have additional properties [invalid-params]")
	alice.Get(t, "chat.getDiscussions", apitest.Q()).Fails(t, 400, "error-invalid-params", `The required "roomId" query param is missing. [error-invalid-params]`)
	eve.Get(t, "chat.getDiscussions", apitest.Q("roomId", gid)).FailsPlain(t, "error-not-allowed")
	eve.Get(t, "chat.getDiscussions", apitest.Q("roomId", "missing")).FailsPlain(t, "error-not-allowed")
	// Deleting the announcement deletes the discussion.
	first := listDiscussions(t, alice, "roomId", gid, "count", "1")["messages"].([]any)[0].(map[string]any)
	alice.DeleteMessage(t, gid, first["_id"].(string))
	alice.Get(t, "rooms.info", apitest.Q("roomId", ids[3])).Expect(t, 400)
}

// TestDiscussionTypeInTeams: a discussion of a public channel is public,
// unless the channel belongs to a private team.
func TestDiscussionTypeInTeams(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "owner")
	owner := e.Users[0]
	for _, tc := range []struct {
		teamType int
		want     string
	}{{0, "c"}, {1, "p"}} {
		team := owner.Post(t, "teams.create", map[string]any{"name": fmt.Sprintf("dt-team-%d", tc.teamType), "type": tc.teamType}).OK(t).JSON(t)["team"].(map[string]any)
		cid := owner.CreateRoom(t, "channels", "", nil)
		owner.Post(t, "teams.addRooms", map[string]any{"teamId": team["_id"], "rooms": []string{cid}}).OK(t)
		d := newDiscussion(t, owner, map[string]any{"prid": cid, "t_name": "inside"})
		if d["t"] != tc.want {
			t.Fatalf("discussion of a channel in a team of type %d has t %v, want %s", tc.teamType, d["t"], tc.want)
		}
	}
	loose := owner.CreateRoom(t, "channels", "", nil)
	if d := newDiscussion(t, owner, map[string]any{"prid": loose, "t_name": "outside"}); d["t"] != "c" {
		t.Fatalf("discussion of a channel outside teams has t %v", d["t"])
	}
}
