package api_test

import (
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/api/apitest"
)

func sorted(ids ...string) []string {
	out := slices.Clone(ids)
	sort.Strings(out)
	return out
}

func listThreads(t *testing.T, c *apitest.Client, q ...string) map[string]any {
	t.Helper()
	return c.Get(t, "chat.getThreadsList", apitest.Q(q...)).OK(t).JSON(t)
}

func threadIDs(res map[string]any) []string {
	var out []string
	for _, m := range res["threads"].([]any) {
		out = append(out, m.(map[string]any)["_id"].(string))
	}
	return out
}

func TestThreadReplyCounters(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "bob", "carol", "dave")
	alice, bob, carol, dave := e.Users[0], e.Users[1], e.Users[2], e.Users[3]
	rid := alice.CreateRoom(t, "channels", "threads", nil, "bob", "carol", "dave")
	parent := alice.PostText(t, rid, "root")
	pid := parent["_id"].(string)

	r1 := bob.Reply(t, rid, pid, "first")
	if r1["tmid"] != pid {
		t.Fatalf("reply tmid = %v", r1["tmid"])
	}
	p := alice.GetMessage(t, pid)
	if apitest.Num(p["tcount"]) != 1 || p["tlm"] != r1["ts"] {
		t.Fatalf("after one reply: tcount %v tlm %v, want 1 and %v", p["tcount"], p["tlm"], r1["ts"])
	}
	if got := apitest.Strings(p["replies"]); !slices.Equal(got, sorted(alice.UserID, bob.UserID)) {
		t.Fatalf("replies = %v", got)
	}
	if got := apitest.Strings(alice.Subscription(t, rid)["tunread"]); !slices.Equal(got, []string{pid}) {
		t.Fatalf("alice tunread = %v", got)
	}
	if got := bob.Subscription(t, rid)["tunread"]; got != nil {
		t.Fatalf("the replier's own tunread = %v", got)
	}
	if got := carol.Subscription(t, rid)["tunread"]; got != nil {
		t.Fatalf("a non-follower's tunread = %v", got)
	}

	// A mention makes carol a follower with tunreadUser; a reply to a reply
	// lands in the root thread.
	r2 := carol.SendMessage(t, map[string]any{"rid": rid, "tmid": r1["_id"], "msg": "hi @dave"})
	if r2["tmid"] != pid {
		t.Fatalf("nested reply tmid = %v, want the root", r2["tmid"])
	}
	p = alice.GetMessage(t, pid)
	if apitest.Num(p["tcount"]) != 2 {
		t.Fatalf("tcount = %v", p["tcount"])
	}
	if got := apitest.Strings(p["replies"]); !slices.Equal(got, sorted(alice.UserID, bob.UserID, carol.UserID, dave.UserID)) {
		t.Fatalf("replies = %v", got)
	}
	ds := dave.Subscription(t, rid)
	if !slices.Equal(apitest.Strings(ds["tunread"]), []string{pid}) || !slices.Equal(apitest.Strings(ds["tunreadUser"]), []string{pid}) {
		t.Fatalf("dave's thread-unread state: %v / %v", ds["tunread"], ds["tunreadUser"])
	}
	if got := apitest.Strings(bob.Subscription(t, rid)["tunread"]); !slices.Equal(got, []string{pid}) {
		t.Fatalf("bob tunread = %v", got)
	}
	// The list holds a thread once however many replies arrive.
	bob.Reply(t, rid, pid, "again")
	if got := apitest.Strings(alice.Subscription(t, rid)["tunread"]); !slices.Equal(got, []string{pid}) {
		t.Fatalf("alice tunread after more replies = %v", got)
	}
	// @all marks every follower's tunreadGroup.
	alice.Reply(t, rid, pid, "hey @all")
	if got := apitest.Strings(bob.Subscription(t, rid)["tunreadGroup"]); !slices.Equal(got, []string{pid}) {
		t.Fatalf("bob tunreadGroup = %v", got)
	}

	// Reading with readThreads clears the lists.
	bob.Post(t, "subscriptions.read", map[string]any{"rid": rid, "readThreads": true}).OK(t)
	if s := bob.Subscription(t, rid); s["tunread"] != nil || s["tunreadGroup"] != nil {
		t.Fatalf("after readThreads: %v", s)
	}

	// A thread-only reply stays out of the room's history; tshow shows it.
	hidden := bob.Reply(t, rid, pid, "only in thread")
	shown := bob.SendMessage(t, map[string]any{"rid": rid, "tmid": pid, "msg": "also in room", "tshow": true})
	hist := alice.History(t, "channels", rid)
	if apitest.HasID(hist, hidden["_id"].(string)) || !apitest.HasID(hist, shown["_id"].(string)) {
		t.Fatalf("history: thread-only reply present %v, tshow reply present %v", apitest.HasID(hist, hidden["_id"].(string)), apitest.HasID(hist, shown["_id"].(string)))
	}

	// Deleting a reply uncounts it and drops the thread from unread lists.
	before := apitest.Num(alice.GetMessage(t, pid)["tcount"])
	bob.Reply(t, rid, pid, "to be read")
	bob.DeleteMessage(t, rid, hidden["_id"].(string))
	p = alice.GetMessage(t, pid)
	if apitest.Num(p["tcount"]) != before {
		t.Fatalf("after one more reply and one deletion tcount = %v, want %d", p["tcount"], before)
	}
	if s := alice.Subscription(t, rid); s["tunread"] != nil && len(s["tunread"].([]any)) > 0 {
		t.Fatalf("alice tunread after a reply was deleted = %v", s["tunread"])
	}

	// Deleting the parent keeps it as an rm placeholder with its replies.
	alice.DeleteMessage(t, rid, pid)
	p = alice.GetMessage(t, pid)
	if p["t"] != "rm" || apitest.Num(p["tcount"]) != before {
		t.Fatalf("deleted parent: t %v tcount %v", p["t"], p["tcount"])
	}
	if res := alice.Get(t, "chat.getThreadMessages", apitest.Q("tmid", pid, "count", "0")).OK(t).JSON(t); apitest.Num(res["total"]) != before {
		t.Fatalf("replies of the deleted parent: %v", res["total"])
	}
}

func TestThreadFollow(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "bob", "eve")
	alice, bob, eve := e.Users[0], e.Users[1], e.Users[2]
	gid := alice.CreateRoom(t, "groups", "secret", nil, "bob")
	pid := alice.PostText(t, gid, "root")["_id"].(string)
	reply := alice.Reply(t, gid, pid, "r1")

	// Any message can be followed; following a reply follows its thread.
	bob.Post(t, "chat.followMessage", map[string]any{"mid": reply["_id"]}).OK(t)
	if got := apitest.Strings(alice.GetMessage(t, pid)["replies"]); !slices.Contains(got, bob.UserID) {
		t.Fatalf("replies after follow = %v", got)
	}
	alice.Reply(t, gid, pid, "r2")
	if got := apitest.Strings(bob.Subscription(t, gid)["tunread"]); !slices.Equal(got, []string{pid}) {
		t.Fatalf("follower's tunread = %v", got)
	}
	following := listThreads(t, bob, "rid", gid, "type", "following")
	if !slices.Equal(threadIDs(following), []string{pid}) {
		t.Fatalf("following = %v", threadIDs(following))
	}
	if got := threadIDs(listThreads(t, bob, "rid", gid, "type", "unread")); !slices.Equal(got, []string{pid}) {
		t.Fatalf("unread = %v", got)
	}
	bob.Post(t, "chat.unfollowMessage", map[string]any{"mid": pid}).OK(t)
	if got := apitest.Strings(alice.GetMessage(t, pid)["replies"]); slices.Contains(got, bob.UserID) {
		t.Fatalf("replies after unfollow = %v", got)
	}
	if s := bob.Subscription(t, gid); s["tunread"] != nil && len(s["tunread"].([]any)) > 0 {
		t.Fatalf("tunread after unfollow = %v", s["tunread"])
	}
	if got := threadIDs(listThreads(t, bob, "rid", gid, "type", "following")); len(got) != 0 {
		t.Fatalf("following after unfollow = %v", got)
	}
	// A plain message gets replies without tcount.
	plain := alice.PostText(t, gid, "plain")["_id"].(string)
	bob.Post(t, "chat.followMessage", map[string]any{"mid": plain}).OK(t)
	if m := alice.GetMessage(t, plain); m["tcount"] != nil || !slices.Equal(apitest.Strings(m["replies"]), []string{bob.UserID}) {
		t.Fatalf("followed plain message: %v %v", m["tcount"], m["replies"])
	}

	// Errors, in Rocket.Chat's order.
	for _, path := range []string{"chat.followMessage", "chat.unfollowMessage"} {
		method := path[len("chat."):]
		bob.Post(t, path, map[string]any{}).Fails(t, 400, "invalid-params", "must have required property 'mid' [invalid-params]")
		bob.Post(t, path, map[string]any{"mid": ""}).Fails(t, 400, "invalid-params", "must NOT have fewer than 1 characters [invalid-params]")
		bob.Post(t, path, map[string]any{"mid": pid, "x": 1}).Fails(t, 400, "invalid-params", "")
		res := bob.Post(t, path, map[string]any{"mid": "nope"}).Fails(t, 400, "error-invalid-message", "Invalid message [error-invalid-message]")
		if d := res.JSON(t)["details"].(map[string]any); d["method"] != method {
			t.Fatalf("details = %v", d)
		}
		eve.Post(t, path, map[string]any{"mid": pid}).Fails(t, 400, "error-not-allowed", "not-allowed [error-not-allowed]")
		e.Anon().Post(t, path, map[string]any{"mid": pid}).Expect(t, 401)
	}
	if got := apitest.Strings(alice.GetMessage(t, pid)["replies"]); slices.Contains(got, eve.UserID) {
		t.Fatal("an outsider became a follower")
	}
	e.SetSetting(t, "Threads_enabled", false)
	bob.Post(t, "chat.followMessage", map[string]any{"mid": pid}).Fails(t, 400, "error-not-allowed", "not-allowed [error-not-allowed]")
	bob.Post(t, "chat.unfollowMessage", map[string]any{"mid": "nope"}).Fails(t, 400, "error-not-allowed", "not-allowed [error-not-allowed]")
}

func TestThreadsListAndMessages(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "bob", "eve")
	alice, bob, eve := e.Users[0], e.Users[1], e.Users[2]
	gid := alice.CreateRoom(t, "groups", "work", nil, "bob")
	var parents []string
	for i := range 5 {
		pid := alice.PostMessage(t, map[string]any{"roomId": gid, "text": fmt.Sprintf("topic %d", i)})["_id"].(string)
		parents = append(parents, pid)
	}
	alice.PostText(t, gid, "no thread")
	// Threads get activity in the order 0, 1, 2, 3, 4, then 1 again.
	var replies []string
	for _, i := range []int{0, 1, 2, 3, 4, 1} {
		replies = append(replies, bob.Reply(t, gid, parents[i], "re "+fmt.Sprint(i))["_id"].(string))
	}
	res := listThreads(t, alice, "rid", gid)
	want := []string{parents[1], parents[4], parents[3], parents[2], parents[0]}
	if got := threadIDs(res); !slices.Equal(got, want) {
		t.Fatalf("threads = %v, want newest activity first %v", got, want)
	}
	if apitest.Num(res["total"]) != 5 || apitest.Num(res["count"]) != 5 || apitest.Num(res["offset"]) != 0 {
		t.Fatalf("envelope: %v", res)
	}
	page := listThreads(t, alice, "rid", gid, "count", "2", "offset", "1")
	if got := threadIDs(page); !slices.Equal(got, want[1:3]) || apitest.Num(page["total"]) != 5 || apitest.Num(page["count"]) != 2 || apitest.Num(page["offset"]) != 1 {
		t.Fatalf("page: %v %v", got, page)
	}
	if got := threadIDs(listThreads(t, alice, "rid", gid, "text", "TOPIC 3")); !slices.Equal(got, []string{parents[3]}) {
		t.Fatalf("text filter: %v", got)
	}
	if got := threadIDs(listThreads(t, alice, "rid", gid, "sort", `{"ts":1}`)); !slices.Equal(got, parents) {
		t.Fatalf("sorted by ts: %v", got)
	}
	if got := threadIDs(listThreads(t, alice, "rid", gid, "type", "unread")); len(got) != 5 {
		t.Fatalf("alice's unread threads: %v", got)
	}
	alice.Post(t, "subscriptions.read", map[string]any{"rid": gid, "readThreads": true}).OK(t)
	if got := threadIDs(listThreads(t, alice, "rid", gid, "type", "unread")); len(got) != 0 {
		t.Fatalf("unread after reading: %v", got)
	}

	// Thread messages: the replies only, oldest first.
	tm := alice.Get(t, "chat.getThreadMessages", apitest.Q("tmid", parents[1])).OK(t).JSON(t)
	var ids []string
	for _, m := range tm["messages"].([]any) {
		ids = append(ids, m.(map[string]any)["_id"].(string))
	}
	if !slices.Equal(ids, []string{replies[1], replies[5]}) || apitest.Num(tm["total"]) != 2 {
		t.Fatalf("thread messages = %v (total %v)", ids, tm["total"])
	}

	// Sync endpoints.
	since := time.Now().Add(-time.Hour).UTC().Format("2006-01-02T15:04:05.000Z")
	st := alice.Get(t, "chat.syncThreadsList", apitest.Q("rid", gid, "updatedSince", since)).OK(t).JSON(t)["threads"].(map[string]any)
	if len(st["update"].([]any)) != 5 || len(st["remove"].([]any)) != 0 {
		t.Fatalf("syncThreadsList = %v", st)
	}
	future := time.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04:05.000Z")
	st = alice.Get(t, "chat.syncThreadsList", apitest.Q("rid", gid, "updatedSince", future)).OK(t).JSON(t)["threads"].(map[string]any)
	if len(st["update"].([]any)) != 0 {
		t.Fatalf("syncThreadsList from the future = %v", st)
	}
	bob.Post(t, "chat.delete", map[string]any{"roomId": gid, "msgId": replies[5]}).OK(t)
	sm := alice.Get(t, "chat.syncThreadMessages", apitest.Q("tmid", parents[1], "updatedSince", since)).OK(t).JSON(t)["messages"].(map[string]any)
	if len(sm["update"].([]any)) != 1 || len(sm["remove"].([]any)) != 1 || sm["remove"].([]any)[0].(map[string]any)["_id"] != replies[5] {
		t.Fatalf("syncThreadMessages = %v", sm)
	}

	// Validation and access.
	alice.Get(t, "chat.getThreadsList", apitest.Q()).Fails(t, 400, "invalid-params", "must have required property 'rid' [invalid-params]")
	alice.Get(t, "chat.getThreadsList", apitest.Q("rid", gid, "type", "all")).Fails(t, 400, "invalid-params", "must be equal to one of the allowed values [invalid-params]")
	alice.Get(t, "chat.getThreadsList", apitest.Q("rid", gid, "sort", "{bad")).Fails(t, 400, "error-invalid-sort", "")
	alice.Get(t, "chat.getThreadsList", apitest.Q("rid", gid, "extra", "1")).Fails(t, 400, "invalid-params", "must NOT have additional properties [invalid-params]")
	eve.Get(t, "chat.getThreadsList", apitest.Q("rid", gid)).Fails(t, 400, "error-not-allowed", "Not Allowed [error-not-allowed]")
	eve.Get(t, "chat.getThreadsList", apitest.Q("rid", "missing")).Fails(t, 400, "error-not-allowed", "Not Allowed [error-not-allowed]")
	alice.Get(t, "chat.getThreadMessages", apitest.Q()).Fails(t, 400, "error-invalid-params", `The required "tmid" query param is missing. [error-invalid-params]`)
	alice.Get(t, "chat.getThreadMessages", apitest.Q("tmid", "nope")).Fails(t, 400, "error-invalid-message", "Invalid Message [error-invalid-message]")
	eve.Get(t, "chat.getThreadMessages", apitest.Q("tmid", parents[0])).Fails(t, 400, "error-not-allowed", "Not Allowed [error-not-allowed]")
	alice.Get(t, "chat.getThreadMessages", apitest.Q("tmid", parents[0], "fields", "{}")).Fails(t, 400, "invalid-params", "")
	alice.Get(t, "chat.syncThreadsList", apitest.Q("rid", gid)).Fails(t, 400, "error-updatedSince-param-invalid", `The required param "updatedSince" is missing. [error-updatedSince-param-invalid]`)
	alice.Get(t, "chat.syncThreadsList", apitest.Q("rid", gid, "updatedSince", "yesterday")).Fails(t, 400, "error-updatedSince-param-invalid", `The "updatedSince" query parameter must be a valid date. [error-updatedSince-param-invalid]`)
	alice.Get(t, "chat.syncThreadsList", apitest.Q("rid", gid, "updatedSince", since, "sort", `{"ts":1}`)).Fails(t, 400, "invalid-params", "must NOT have additional properties [invalid-params]")
	eve.Get(t, "chat.syncThreadsList", apitest.Q("rid", gid, "updatedSince", since)).Fails(t, 400, "error-not-allowed", "Not Allowed [error-not-allowed]")
	alice.Get(t, "chat.syncThreadMessages", apitest.Q("tmid", parents[0])).Fails(t, 400, "error-updatedSince-param-invalid", `The required param "updatedSince" is missing. [error-updatedSince-param-invalid]`)
	alice.Get(t, "chat.syncThreadMessages", apitest.Q("tmid", "nope", "updatedSince", since)).Fails(t, 400, "error-invalid-message", "Invalid Message [error-invalid-message]")
	eve.Get(t, "chat.syncThreadMessages", apitest.Q("tmid", parents[0], "updatedSince", since)).Fails(t, 400, "error-not-allowed", "Not Allowed [error-not-allowed]")

	e.SetSetting(t, "Threads_enabled", false)
	alice.Get(t, "chat.getThreadsList", apitest.Q("rid", gid)).Fails(t, 400, "error-not-allowed", "Threads Disabled [error-not-allowed]")
	alice.Get(t, "chat.getThreadMessages", apitest.Q("tmid", parents[0])).Fails(t, 400, "error-not-allowed", "Threads Disabled [error-not-allowed]")
	alice.Get(t, "chat.syncThreadsList", apitest.Q("rid", gid, "updatedSince", since)).Fails(t, 400, "error-not-allowed", "Threads Disabled [error-not-allowed]")
	alice.Get(t, "chat.syncThreadMessages", apitest.Q("tmid", parents[0], "updatedSince", since)).Fails(t, 400, "error-not-allowed", "Threads Disabled [error-not-allowed]")
	alice.Post(t, "chat.sendMessage", map[string]any{"message": map[string]any{"rid": gid, "tmid": parents[0], "msg": "x"}}).
		Fails(t, 400, "error-not-allowed", "not-allowed [error-not-allowed]")
}

// TestThreadConcurrentReplies has 8 clients post 100 replies each to one
// thread at once: no increment and no follower may be lost.
func TestThreadConcurrentReplies(t *testing.T) {
	t.Parallel()
	const clients, replies = 8, 100
	e := apitest.New(t)
	owner := e.NewUser(t, "owner")
	users := make([]*apitest.Client, clients)
	names := make([]string, clients)
	for i := range users {
		users[i] = e.NewUser(t, fmt.Sprintf("replier%d", i))
		names[i] = users[i].Username
	}
	rid := owner.CreateRoom(t, "channels", "busy", nil, names...)
	pid := owner.PostText(t, rid, "root")["_id"].(string)

	var wg sync.WaitGroup
	errs := make(chan string, clients*replies)
	for _, c := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range replies {
				res := c.Post(t, "chat.sendMessage", map[string]any{"message": map[string]any{"rid": rid, "tmid": pid, "msg": fmt.Sprint(i)}})
				if res.Status != 200 {
					errs <- fmt.Sprintf("%s: %d %s", c.Username, res.Status, res.Body)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Fatal(msg)
	}
	p := owner.GetMessage(t, pid)
	if apitest.Num(p["tcount"]) != clients*replies {
		t.Fatalf("tcount = %v, want %d", p["tcount"], clients*replies)
	}
	want := append([]string{owner.UserID}, func() []string {
		ids := make([]string, clients)
		for i, c := range users {
			ids[i] = c.UserID
		}
		return ids
	}()...)
	if got := apitest.Strings(p["replies"]); !slices.Equal(got, sorted(want...)) {
		t.Fatalf("replies = %v, want %v", got, sorted(want...))
	}
	res := owner.Get(t, "chat.getThreadMessages", apitest.Q("tmid", pid, "count", "1")).OK(t).JSON(t)
	if apitest.Num(res["total"]) != clients*replies {
		t.Fatalf("thread messages total = %v", res["total"])
	}
	for _, c := range append(users, owner) {
		if got := apitest.Strings(c.Subscription(t, rid)["tunread"]); !slices.Equal(got, []string{pid}) {
			t.Fatalf("%s tunread = %v", c.Username, got)
		}
	}
}
