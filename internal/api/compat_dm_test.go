package api_test

import (
	"slices"
	"sort"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

// A thread-unread list that was filled stays on the subscription as [] once
// its last thread leaves it; one never filled is absent; readThreads removes
// them.
func TestCompatThreadUnreadListsStayEmpty(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "bob", "carol")
	alice, bob, carol := e.Users[0], e.Users[1], e.Users[2]
	rid := alice.CreateRoom(t, "channels", "tunread", nil, "bob", "carol")
	keys := []string{"tunread", "tunreadUser", "tunreadGroup"}

	for _, k := range keys {
		if _, ok := carol.Subscription(t, rid)[k]; ok {
			t.Fatalf("a fresh subscription has %s", k)
		}
	}

	// Deleting the replies: every list alice had keeps its key, empty.
	pid := alice.PostText(t, rid, "root")["_id"].(string)
	r1 := bob.Reply(t, rid, pid, "hey @alice")
	r2 := bob.Reply(t, rid, pid, "hey @all")
	s := alice.Subscription(t, rid)
	for _, k := range keys {
		if got := apitest.Strings(s[k]); !slices.Equal(got, []string{pid}) {
			t.Fatalf("alice %s = %v, want [%s]", k, s[k], pid)
		}
	}
	for _, r := range []map[string]any{r1, r2} {
		bob.DeleteMessage(t, rid, r["_id"].(string))
	}
	s = alice.Subscription(t, rid)
	for _, k := range keys {
		list, ok := s[k].([]any)
		if !ok || len(list) != 0 {
			t.Errorf("after the replies were deleted alice's %s = %#v, want []", k, s[k])
		}
	}
	// carol, a member who never followed, still has none.
	for _, k := range keys {
		if _, ok := carol.Subscription(t, rid)[k]; ok {
			t.Errorf("carol gained %s", k)
		}
	}

	// Unfollowing takes the thread out of the caller's list, leaving [].
	pid2 := bob.PostText(t, rid, "second root")["_id"].(string)
	carol.Reply(t, rid, pid2, "a reply")
	if got := apitest.Strings(bob.Subscription(t, rid)["tunread"]); !slices.Equal(got, []string{pid2}) {
		t.Fatalf("bob tunread = %v", got)
	}
	bob.Post(t, "chat.unfollowMessage", map[string]any{"mid": pid2}).OK(t)
	if list, ok := bob.Subscription(t, rid)["tunread"].([]any); !ok || len(list) != 0 {
		t.Errorf("after unfollowing bob's tunread = %#v, want []", bob.Subscription(t, rid)["tunread"])
	}

	// readThreads removes the lists altogether, as Rocket.Chat unsets them.
	alice.Post(t, "subscriptions.read", map[string]any{"rid": rid, "readThreads": true}).OK(t)
	s = alice.Subscription(t, rid)
	for _, k := range keys {
		if _, ok := s[k]; ok {
			t.Errorf("after readThreads alice still has %s = %v", k, s[k])
		}
	}
}

// dm.counters/im.counters always carry every key; unreadsFrom is null until
// the first read.
func TestCompatDMCountersKeys(t *testing.T) {
	eachDMPrefix(t, func(t *testing.T, e *apitest.Env, p string) {
		alice, bob := e.NewUser(t, "alice"), e.NewUser(t, "bob")
		rid := alice.CreateDM(t, p, map[string]any{"username": "bob"})["_id"].(string)
		alice.PostText(t, rid, "hello")
		all := []string{"joined", "members", "unreads", "unreadsFrom", "msgs", "latest", "userMentions"}

		c := bob.Get(t, p+".counters", apitest.Q("roomId", rid)).OK(t).JSON(t)
		for _, k := range all {
			if _, ok := c[k]; !ok {
				t.Errorf("before the first read: no %q in %v", k, c)
			}
		}
		if c["unreadsFrom"] != nil || apitest.Num(c["unreads"]) != 1 || apitest.Num(c["members"]) != 2 || apitest.Num(c["msgs"]) != 1 || apitest.Num(c["userMentions"]) != 0 {
			t.Errorf("before the first read: %v", c)
		}

		bob.Post(t, "subscriptions.read", map[string]any{"rid": rid}).OK(t)
		c = bob.Get(t, p+".counters", apitest.Q("roomId", rid)).OK(t).JSON(t)
		for _, k := range all {
			if c[k] == nil {
				t.Errorf("after reading: %q is %v", k, c[k])
			}
		}
		if _, ok := c["unreadsFrom"].(string); !ok {
			t.Errorf("unreadsFrom after reading = %v, want a date", c["unreadsFrom"])
		}
	})
}

// im.list.everyone's rooms carry sysMes and the same fields as im.list's.
func TestCompatDMListEveryoneFields(t *testing.T) {
	eachDMPrefix(t, func(t *testing.T, e *apitest.Env, p string) {
		e.NewUser(t, "bob")
		rid := e.Admin.CreateDM(t, p, map[string]any{"username": "bob"})["_id"].(string)
		e.Admin.PostText(t, rid, "hi")

		find := func(path string) map[string]any {
			var out struct{ Ims []map[string]any }
			e.Admin.Get(t, path, nil).OK(t).Decode(t, &out)
			for _, im := range out.Ims {
				if im["_id"] == rid {
					return im
				}
			}
			t.Fatalf("%s does not list %s: %v", path, rid, out.Ims)
			return nil
		}
		everyone, mine := find(p+".list.everyone"), find(p+".list")
		for _, k := range []string{"_id", "t", "msgs", "usernames", "ro", "sysMes", "_updatedAt", "ts", "lm", "lastMessage"} {
			if _, ok := everyone[k]; !ok {
				t.Errorf("list.everyone room lacks %q: %v", k, everyone)
			}
		}
		if everyone["sysMes"] != true {
			t.Errorf("sysMes = %v, want true", everyone["sysMes"])
		}
		keys := func(m map[string]any) []string {
			var out []string
			for k := range m {
				out = append(out, k)
			}
			sort.Strings(out)
			return out
		}
		if !slices.Equal(keys(everyone), keys(mine)) {
			t.Errorf("list.everyone keys %v, list keys %v", keys(everyone), keys(mine))
		}
	})
}

// im.messages and dm.messages honour sort, on the author's username too.
func TestCompatDMMessagesSort(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "a_sorter", "b_sorter")
	a, b := e.Users[0], e.Users[1]
	rid := a.CreateDM(t, "im", map[string]any{"username": b.Username})["_id"].(string)
	for i, c := range []*apitest.Client{a, b, a, b} {
		c.PostText(t, rid, "m"+string(rune('0'+i)))
	}
	authors := func(list []map[string]any) []string {
		out := make([]string, len(list))
		for i, m := range list {
			out[i] = m["u"].(map[string]any)["username"].(string)
		}
		return out
	}
	cases := []struct {
		sort string
		want []string
	}{
		{`{"u.username":-1}`, []string{b.Username, b.Username, a.Username, a.Username}},
		{`{"u.username":1}`, []string{a.Username, a.Username, b.Username, b.Username}},
		{`{"ts":1}`, []string{a.Username, b.Username, a.Username, b.Username}},
		{"", []string{b.Username, a.Username, b.Username, a.Username}},
	}
	for _, p := range dmPrefixes {
		for _, c := range cases {
			q := apitest.Q("roomId", rid)
			if c.sort != "" {
				q.Set("sort", c.sort)
			}
			var out struct{ Messages []map[string]any }
			a.Get(t, p+".messages", q).OK(t).Decode(t, &out)
			if got := authors(out.Messages); !slices.Equal(got, c.want) {
				t.Errorf("%s.messages sort %s: authors %v, want %v", p, c.sort, got, c.want)
			}
			// Equal usernames keep the newest first.
			if c.sort == `{"u.username":-1}` && out.Messages[0]["msg"] != "m3" {
				t.Errorf("%s.messages sort %s: first %v, want m3", p, c.sort, out.Messages[0]["msg"])
			}
		}
	}
}

// dm.close/im.close take an optional userId: an administrator closes the
// conversation for one of its members.
func TestCompatDMCloseForUser(t *testing.T) {
	eachDMPrefix(t, func(t *testing.T, e *apitest.Env, p string) {
		alice, bob, carol := e.NewUser(t, "alice"), e.NewUser(t, "bob"), e.NewUser(t, "carol")
		rid := alice.CreateDM(t, p, map[string]any{"username": "bob"})["_id"].(string)
		alice.PostText(t, rid, "opens bob's side")
		if bob.Subscription(t, rid)["open"] != true {
			t.Fatal("bob's subscription did not open")
		}

		cases := []struct {
			name   string
			caller *apitest.Client
			userID string
			status int
			text   string
		}{
			{"a member may not close it for the other", alice, bob.UserID, 403, "unauthorized"},
			{"an unknown user", e.Admin, "nosuchuser", 403, "unauthorized"},
			{"a user who is no member", e.Admin, carol.UserID, 403, "unauthorized"},
			{"the admin closes it for bob", e.Admin, bob.UserID, 200, ""},
			{"a second time", e.Admin, bob.UserID, 400, "The direct message room, is already closed to the sender"},
			{"alice naming herself", alice, alice.UserID, 200, ""},
		}
		for _, c := range cases {
			r := c.caller.Post(t, p+".close", map[string]any{"roomId": rid, "userId": c.userID})
			if c.status == 200 {
				r.OK(t)
			} else {
				r.Fails(t, c.status, "", c.text)
			}
		}
		if s := bob.Subscription(t, rid); s["open"] != false || s["alert"] != false {
			t.Errorf("bob's subscription: open %v alert %v", s["open"], s["alert"])
		}
		if alice.Subscription(t, rid)["open"] != false {
			t.Error("alice's subscription is still open")
		}
		// Without userId the caller's own, as before.
		bob.Post(t, p+".open", map[string]any{"roomId": rid}).OK(t)
		bob.Post(t, p+".close", map[string]any{"roomId": rid}).OK(t)
		alice.Post(t, p+".close", map[string]any{"roomId": rid, "userId": map[string]any{}}).Fails(t, 400, "invalid-params", "")
	})
}

// Renaming a user renames the subscriptions that show them: fname on a
// name change, name on a username change, and the conversation's usernames.
func TestCompatRenameFollowsIntoDMs(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "bob", "carol")
	alice, bob, carol := e.Users[0], e.Users[1], e.Users[2]
	one := bob.CreateDM(t, "dm", map[string]any{"username": "alice"})["_id"].(string)
	group := bob.CreateDM(t, "dm", map[string]any{"usernames": "alice,carol"})["_id"].(string)
	channel := bob.CreateRoom(t, "channels", "renames", nil, "alice")

	if s := bob.Subscription(t, one); s["name"] != "alice" || s["fname"] != "Alice" {
		t.Fatalf("before: name %v fname %v", s["name"], s["fname"])
	}

	e.Admin.Post(t, "users.update", map[string]any{"userId": alice.UserID, "data": map[string]any{"name": "Zelda Updated"}}).OK(t)
	if s := bob.Subscription(t, one); s["name"] != "alice" || s["fname"] != "Zelda Updated" {
		t.Errorf("after a name change bob's subscription: name %v fname %v", s["name"], s["fname"])
	}
	// A group conversation's names are rebuilt; Rocket.Chat joins the
	// usernames with a bare comma then.
	if s := carol.Subscription(t, group); s["fname"] != "Bob, Zelda Updated" || s["name"] != "bob,alice" {
		t.Errorf("after a name change carol's group subscription: name %v fname %v", s["name"], s["fname"])
	}
	if s := alice.Subscription(t, one); s["fname"] != "Bob" || s["u"].(map[string]any)["name"] != "Zelda Updated" {
		t.Errorf("alice's own subscription: fname %v u %v", s["fname"], s["u"])
	}

	e.Admin.Post(t, "users.update", map[string]any{"userId": alice.UserID, "data": map[string]any{"username": "alice2"}}).OK(t)
	if s := bob.Subscription(t, one); s["name"] != "alice2" || s["fname"] != "Zelda Updated" {
		t.Errorf("after a username change bob's subscription: name %v fname %v", s["name"], s["fname"])
	}
	if s := bob.Subscription(t, group); s["name"] != "carol,alice2" || s["fname"] != "Carol, Zelda Updated" {
		t.Errorf("bob's group subscription name = %v", s["name"])
	}
	var list struct{ Ims []map[string]any }
	bob.Get(t, "dm.list", nil).OK(t).Decode(t, &list)
	for _, rid := range []string{one, group} {
		found := false
		for _, im := range list.Ims {
			if im["_id"] != rid {
				continue
			}
			found = true
			names, _ := im["usernames"].([]any)
			if !slices.Contains(names, any("alice2")) || slices.Contains(names, any("alice")) {
				t.Errorf("room %s usernames = %v", rid, names)
			}
		}
		if !found {
			t.Errorf("dm.list lacks %s", rid)
		}
	}
	alice2 := e.Login(t, "alice2", "pw-alice")
	if u := alice2.Subscription(t, channel)["u"].(map[string]any); u["username"] != "alice2" || u["name"] != "Zelda Updated" {
		t.Errorf("alice's channel subscription u = %v", u)
	}
	if s := bob.Subscription(t, channel); s["name"] != "renames" {
		t.Errorf("a channel subscription was renamed: %v", s["name"])
	}
}
