//go:build unix

package main

import (
	"fmt"
	"maps"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/store/storetest"
	"github.com/parleychat/parley/internal/web/browsertest"
)

// TestTwoNodesOnePostgres runs two server processes on one PostgreSQL schema,
// as a deployment behind a load balancer would: 4 clients on each post 250
// messages into one room at once. Both must then report the same 2,000
// messages and the same msgs counter, which no cache or counter held in one
// process could give; and a setting changed through one node must govern the
// other within a second.
func TestTwoNodesOnePostgres(t *testing.T) {
	const (
		perNode  = 4
		messages = 250
		total    = 2 * perNode * messages
	)
	a, b, adminA, adminB := twoNodes(t, "PARLEY_DB_MAX_CONNS=8")

	names := make([]string, 2*perNode)
	for i := range names {
		names[i] = fmt.Sprintf("node-user-%d", i)
		adminA.Must(http.MethodPost, "users.create", map[string]any{
			"username": names[i], "name": names[i], "email": names[i] + "@example.com", "password": "pw-" + names[i],
		})
	}
	room := adminA.Must(http.MethodPost, "channels.create", map[string]any{"name": "two-nodes", "members": names})
	rid, _ := room["channel"].(map[string]any)["_id"].(string)
	if st := readRoomState(t, adminB, rid); len(st.ids) != 0 || st.msgs != 0 {
		t.Fatalf("new room seen from node B: %d messages, msgs %d", len(st.ids), st.msgs)
	}

	// Users created on A log in on B: sessions live in the database.
	clients := make([]*browsertest.API, len(names))
	for i, name := range names {
		base := a.url
		if i >= perNode {
			base = b.url
		}
		clients[i] = browsertest.NewAPI(t, base).Login(name, "pw-"+name)
	}
	var (
		mu    sync.Mutex
		acked = map[string]bool{}
		wg    sync.WaitGroup
	)
	start := time.Now()
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range messages {
				code, m, err := c.Call(http.MethodPost, "chat.postMessage", map[string]any{"roomId": rid, "text": fmt.Sprintf("client %d message %d", i, j)})
				if err != nil || code != http.StatusOK {
					t.Errorf("client %d post %d: %d %v %v", i, j, code, m, err)
					return
				}
				id, _ := m["message"].(map[string]any)["_id"].(string)
				mu.Lock()
				acked[id] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	t.Logf("%d messages posted through two nodes in %s", total, time.Since(start).Round(time.Millisecond))
	if len(acked) != total {
		t.Fatalf("%d distinct ids acknowledged, want %d", len(acked), total)
	}
	for _, n := range []struct {
		name  string
		admin *browsertest.API
	}{{"A", adminA}, {"B", adminB}} {
		st := readRoomState(t, n.admin, rid)
		if !maps.Equal(st.ids, acked) {
			missing, extra := 0, 0
			for id := range acked {
				if !st.ids[id] {
					missing++
				}
			}
			for id := range st.ids {
				if !acked[id] {
					extra++
				}
			}
			t.Errorf("node %s: chat.syncMessages lists %d messages: %d acknowledged ones missing, %d others", n.name, len(st.ids), missing, extra)
		}
		if st.msgs != total {
			t.Errorf("node %s: room msgs = %d, want %d", n.name, st.msgs, total)
		}
	}

	// The setting is checked by its effect on B: a post over the new limit.
	probe := adminA.Must(http.MethodPost, "channels.create", map[string]any{"name": "settings-probe"})
	probeID, _ := probe["channel"].(map[string]any)["_id"].(string)
	long := strings.Repeat("x", 40)
	adminB.Must(http.MethodPost, "chat.postMessage", map[string]any{"roomId": probeID, "text": long})
	adminA.Must(http.MethodPost, "settings/Message_MaxAllowedSize", map[string]any{"value": 20})
	changed := time.Now()
	for {
		code, m, err := adminB.Call(http.MethodPost, "chat.postMessage", map[string]any{"roomId": probeID, "text": long})
		if err != nil {
			t.Fatal(err)
		}
		if e, _ := m["error"].(string); code == http.StatusBadRequest && strings.Contains(e, "error-message-size-exceeded") {
			break
		}
		if code != http.StatusOK {
			t.Fatalf("post on node B after the setting changed: %d %v", code, m)
		}
		if time.Since(changed) > time.Second {
			t.Fatalf("node B still accepts a %d-character message %s after node A set Message_MaxAllowedSize to 20", len(long), time.Since(changed).Round(time.Millisecond))
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("node B applied node A's setting change after %s", time.Since(changed).Round(time.Millisecond))
}

// twoNodes starts two server processes on one fresh PostgreSQL schema, with
// the admin root/pw and no REST rate limit, and logs the admin in on each.
// They start one after the other: the first migrates the empty schema and
// creates the admin, the second must find both done. In CI the test fails
// rather than skips without PostgreSQL.
func twoNodes(t *testing.T, env ...string) (a, b *child, adminA, adminB *browsertest.API) {
	t.Helper()
	if os.Getenv(storetest.EnvPostgresURL) == "" && os.Getenv("CI") != "" {
		t.Fatalf("%s is not set in CI: the two-node tests need PostgreSQL", storetest.EnvPostgresURL)
	}
	dbURL := storetest.PostgresURL(t)
	node := func() *child {
		return startChild(t, append([]string{
			"PARLEY_DATA_DIR=" + t.TempDir(),
			"PARLEY_DATABASE_URL=" + dbURL,
			"ADMIN_USERNAME=root", "ADMIN_PASS=pw", "ADMIN_EMAIL=root@example.com",
			"OVERWRITE_SETTING_API_Enable_Rate_Limiter=false",
		}, env...)...)
	}
	a, b = node(), node()
	return a, b, browsertest.NewAPI(t, a.url).Login("root", "pw"), browsertest.NewAPI(t, b.url).Login("root", "pw")
}

// TestMembershipEndedOnOneNodeStopsPostsOnTheOther: each node remembers
// rooms and memberships to spare posts their reads, so a membership ended
// through node A must stop the user's posts through node B as soon as A
// has answered, with no time for any notice to travel between the nodes.
// Two ways out of a room are checked, each through both posting
// endpoints: a ban from a public channel (a kick alone would let the next
// post join again), and a kick from a private group; and so is a room
// archived through node A.
func TestMembershipEndedOnOneNodeStopsPostsOnTheOther(t *testing.T) {
	_, b, adminA, adminB := twoNodes(t)
	const name = "leaving-user"
	user := adminA.CreateUser(name, name).At(b.url)
	id := func(m map[string]any, key string) string {
		s, _ := m[key].(map[string]any)["_id"].(string)
		return s
	}
	// post sends one message through node B by chat.postMessage or, with
	// send, chat.sendMessage.
	post := func(rid string, send bool, text string) (int, map[string]any) {
		var (
			code int
			m    map[string]any
			err  error
		)
		if send {
			code, m, err = user.Call(http.MethodPost, "chat.sendMessage", map[string]any{"message": map[string]any{"rid": rid, "msg": text}})
		} else {
			code, m, err = user.Call(http.MethodPost, "chat.postMessage", map[string]any{"roomId": rid, "text": text})
		}
		if err != nil {
			t.Fatal(err)
		}
		return code, m
	}
	for _, send := range []bool{false, true} {
		endpoint := map[bool]string{false: "chat.postMessage", true: "chat.sendMessage"}[send]
		suffix := map[bool]string{false: "post", true: "send"}[send]
		channel := id(adminA.Must(http.MethodPost, "channels.create", map[string]any{"name": "ban-" + suffix, "members": []string{name}}), "channel")
		group := id(adminA.Must(http.MethodPost, "groups.create", map[string]any{"name": "kick-" + suffix, "members": []string{name}}), "group")
		for _, rid := range []string{channel, group} {
			// Several posts, so that node B surely remembers the membership.
			for i := range 3 {
				if code, m := post(rid, send, fmt.Sprintf("before %d", i)); code != http.StatusOK {
					t.Fatalf("%s into %s before leaving: %d %v", endpoint, rid, code, m)
				}
			}
		}
		uid := user.UserID
		adminA.Must(http.MethodPost, "rooms.banUser", map[string]any{"roomId": channel, "userId": uid})
		if code, m := post(channel, send, "after the ban"); code == http.StatusOK {
			t.Errorf("%s through node B right after node A banned the user: 200 %v", endpoint, m)
		}
		adminA.Must(http.MethodPost, "groups.kick", map[string]any{"roomId": group, "userId": uid})
		if code, m := post(group, send, "after the kick"); code == http.StatusOK {
			t.Errorf("%s through node B right after node A kicked the user: 200 %v", endpoint, m)
		}
		// A room changed through node A governs posts through node B at
		// once too: node B remembers rooms as well as memberships.
		archived := id(adminA.Must(http.MethodPost, "channels.create", map[string]any{"name": "archive-" + suffix, "members": []string{name}}), "channel")
		for i := range 3 {
			if code, m := post(archived, send, fmt.Sprintf("before %d", i)); code != http.StatusOK {
				t.Fatalf("%s into %s before archiving: %d %v", endpoint, archived, code, m)
			}
		}
		adminA.Must(http.MethodPost, "channels.archive", map[string]any{"roomId": archived})
		if code, m := post(archived, send, "after the archiving"); code == http.StatusOK {
			t.Errorf("%s through node B right after node A archived the room: 200 %v", endpoint, m)
		}
		// Nothing of the refused posts was stored, as both nodes say.
		for _, admin := range []*browsertest.API{adminA, adminB} {
			for _, rid := range []string{channel, group, archived} {
				hist := admin.Must(http.MethodGet, "chat.syncMessages?roomId="+rid+"&lastUpdate=1970-01-01T00:00:00.000Z", nil)
				updated, _ := hist["result"].(map[string]any)["updated"].([]any)
				for _, x := range updated {
					if msg, _ := x.(map[string]any)["msg"].(string); strings.HasPrefix(msg, "after the") {
						t.Errorf("room %s holds the refused message %q", rid, msg)
					}
				}
			}
		}
	}
}

// TestAccessEndedOnOneNodeStopsChannelReadsOnTheOther: a member's
// channels.history is served on node B from what B remembers of the
// session, the room and the membership, with the listing itself requiring
// all three. A logout, a ban, or the channel turned private, through
// node A must end those reads through node B as soon as A has answered.
func TestAccessEndedOnOneNodeStopsChannelReadsOnTheOther(t *testing.T) {
	a, b, adminA, _ := twoNodes(t)
	const name = "reading-user"
	user := adminA.CreateUser(name, name).At(b.url)
	for _, tc := range []struct {
		room string
		end  func(rid string)
	}{
		{"read-ban", func(rid string) {
			adminA.Must(http.MethodPost, "rooms.banUser", map[string]any{"roomId": rid, "userId": user.UserID})
		}},
		{"read-private", func(rid string) {
			adminA.Must(http.MethodPost, "channels.setType", map[string]any{"roomId": rid, "type": "p"})
		}},
	} {
		created := adminA.Must(http.MethodPost, "channels.create", map[string]any{"name": tc.room, "members": []string{name}})
		rid, _ := created["channel"].(map[string]any)["_id"].(string)
		adminA.Must(http.MethodPost, "chat.postMessage", map[string]any{"roomId": rid, "text": "something to read"})
		// Several reads, so that node B surely remembers room and membership.
		for range 3 {
			user.Must(http.MethodGet, "channels.history?roomId="+rid, nil)
		}
		tc.end(rid)
		if code, m, err := user.Call(http.MethodGet, "channels.history?roomId="+rid, nil); err != nil || code == http.StatusOK {
			t.Errorf("%s: channels.history through node B right after node A ended the access: %d %v %v", tc.room, code, m, err)
		}
	}

	// A login ended through node A: its token, used on node B, is refused
	// as any request without a login is.
	created := adminA.Must(http.MethodPost, "channels.create", map[string]any{"name": "read-logout", "members": []string{name}})
	rid, _ := created["channel"].(map[string]any)["_id"].(string)
	adminA.Must(http.MethodPost, "chat.postMessage", map[string]any{"roomId": rid, "text": "something to read"})
	onA := browsertest.NewAPI(t, a.url).Login(name, browsertest.Password(name))
	onB := onA.At(b.url)
	// Each route that may take the login from node B's memory, with what
	// it sends.
	calls := []struct{ method, path string }{
		{http.MethodGet, "channels.history?roomId=" + rid},
		{http.MethodPost, "chat.postMessage"},
		{http.MethodPost, "chat.sendMessage"},
	}
	body := func(path, text string) map[string]any {
		switch path {
		case "chat.postMessage":
			return map[string]any{"roomId": rid, "text": text}
		case "chat.sendMessage":
			return map[string]any{"message": map[string]any{"rid": rid, "msg": text}}
		}
		return nil
	}
	for i := range 3 {
		for _, c := range calls {
			onB.Must(c.method, c.path, body(c.path, fmt.Sprintf("before %d", i)))
		}
	}
	logout(t, onA)
	for _, c := range calls {
		code, m, err := onB.Call(c.method, c.path, body(c.path, "after the logout"))
		if err != nil || code != http.StatusUnauthorized || m["error"] != "You must be logged in to do this." {
			t.Errorf("%s through node B right after the logout through node A: %d %v %v", c.path, code, m, err)
		}
	}
	hist := adminA.Must(http.MethodGet, "channels.history?roomId="+rid, nil)
	for _, x := range hist["messages"].([]any) {
		if msg, _ := x.(map[string]any)["msg"].(string); msg == "after the logout" {
			t.Errorf("the room holds a message posted after the logout")
		}
	}
	// The same node forgets a login it ended at once too.
	onB = browsertest.NewAPI(t, b.url).Login(name, browsertest.Password(name))
	onB.Must(http.MethodGet, "channels.history?roomId="+rid, nil)
	logout(t, onB)
	if code, m, err := onB.Call(http.MethodGet, "channels.history?roomId="+rid, nil); err != nil || code != http.StatusUnauthorized {
		t.Errorf("channels.history right after logging out on the same node: %d %v %v", code, m, err)
	}
}

// logout ends c's login; the answer is Rocket.Chat's {"status":"success"}.
func logout(t *testing.T, c *browsertest.API) {
	t.Helper()
	if code, m, err := c.Call(http.MethodPost, "logout", map[string]any{}); err != nil || code != http.StatusOK || m["status"] != "success" {
		t.Fatalf("logout: %d %v %v", code, m, err)
	}
}
