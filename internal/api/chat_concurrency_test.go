package api_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/api/apitest"
)

// TestConcurrentPostsEditsReactionsDeletes has 8 members of one channel post
// 250 messages each at once, while each also edits and deletes some of its
// own messages and reacts to the others' newest ones, so that edits,
// reactions and deletes of one message race each other. Whatever the
// interleaving, every acknowledged change must be in the final state once:
// a lost update, a duplicate or a counter out of step fails the test.
func TestConcurrentPostsEditsReactionsDeletes(t *testing.T) {
	t.Parallel()
	const (
		clients  = 8
		messages = 250
		emoji    = ":smile:"
	)
	e := apitest.New(t)
	users := make([]*apitest.Client, clients)
	names := make([]string, clients)
	for i := range users {
		users[i] = e.NewUser(t, fmt.Sprintf("racer%d", i))
		names[i] = users[i].Username
	}
	rid := e.Admin.Post(t, "channels.create", map[string]any{"name": "race", "members": names}).
		OK(t).JSON(t)["channel"].(map[string]any)["_id"].(string)
	before := syncRoom(t, e.Admin, rid)
	beforeMsgs := roomMsgs(t, e.Admin, rid)

	var (
		mu sync.Mutex
		// recent holds the newest acknowledged messages, for others to react to.
		recent []posted
		// text is the last acknowledged text of each live message.
		text = map[string]string{}
		// reacted is who has an acknowledged reaction on each message.
		reacted = map[string]map[string]bool{}
		deleted = map[string]bool{}
		// refused are reactions answered with an error, acceptable only on
		// messages deleted meanwhile.
		refused = map[string]string{}
		// order is each client's acknowledged ts, in posting order.
		order = make([][]time.Time, clients)
	)
	// call sends a request from a goroutine: the test's helpers stop the
	// test on failure, which only the test's own goroutine may do.
	call := func(c *apitest.Client, path string, body any) (int, map[string]any) {
		res := c.Post(t, path, body)
		var m map[string]any
		if err := json.Unmarshal(res.Body, &m); err != nil {
			t.Errorf("POST %s: status %d, body is not JSON: %s", path, res.Status, res.Body)
		}
		return res.Status, m
	}

	var wg sync.WaitGroup
	for i, c := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(uint64(i), 1))
			var mine []string
			seen := map[string]bool{}
			for j := range messages {
				msgText := fmt.Sprintf("racer %d message %d", i, j)
				code, m := call(c, "chat.postMessage", map[string]any{"roomId": rid, "text": msgText})
				if code != http.StatusOK {
					t.Errorf("post %d/%d: %d %v", i, j, code, m)
					return
				}
				msg := m["message"].(map[string]any)
				id := msg["_id"].(string)
				ts, err := time.Parse(time.RFC3339Nano, msg["ts"].(string))
				if err != nil {
					t.Errorf("post: ts %v: %v", msg["ts"], err)
					return
				}
				mine = append(mine, id)
				mu.Lock()
				text[id] = msgText
				order[i] = append(order[i], ts)
				recent = append(recent, posted{id, i})
				if len(recent) > 4*clients {
					recent = recent[1:]
				}
				var target string
				for range 4 {
					p := recent[rnd.IntN(len(recent))]
					if p.by != i && !seen[p.id] {
						target = p.id
						break
					}
				}
				mu.Unlock()

				if j%5 == 4 {
					// Edited messages are deleted later too, see below.
					edit := mine[j-2]
					newText := fmt.Sprintf("racer %d message %d, edited", i, j-2)
					if code, m := call(c, "chat.update", map[string]any{"roomId": rid, "msgId": edit, "text": newText}); code != http.StatusOK {
						t.Errorf("update %s: %d %v", edit, code, m)
						return
					}
					mu.Lock()
					text[edit] = newText
					mu.Unlock()
				}
				if j%10 == 9 {
					del := mine[j-7]
					if code, m := call(c, "chat.delete", map[string]any{"roomId": rid, "msgId": del}); code != http.StatusOK {
						t.Errorf("delete %s: %d %v", del, code, m)
						return
					}
					mu.Lock()
					deleted[del] = true
					delete(text, del)
					mu.Unlock()
				}
				if target != "" {
					seen[target] = true
					code, m := call(c, "chat.react", map[string]any{"messageId": target, "emoji": emoji})
					mu.Lock()
					if code == http.StatusOK {
						if reacted[target] == nil {
							reacted[target] = map[string]bool{}
						}
						reacted[target][c.Username] = true
					} else {
						refused[target] = fmt.Sprintf("%s: %d %v", c.Username, code, m)
					}
					if code >= 500 {
						// A message deleted under a reaction is a client's
						// mistake, never the server's.
						t.Errorf("react to %s: %d %v", target, code, m)
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	for i, ts := range order {
		for k := 1; k < len(ts); k++ {
			if !ts[k].After(ts[k-1]) {
				t.Errorf("racer %d: message %d has ts %s, not after message %d's %s", i, k, ts[k], k-1, ts[k-1])
			}
		}
	}
	for id, why := range refused {
		if !deleted[id] {
			t.Errorf("reaction on live message %s refused: %s", id, why)
		}
	}

	after := syncRoom(t, e.Admin, rid)
	counts := map[string]int{}
	var stamps []string
	for _, m := range after.updated {
		id := m["_id"].(string)
		counts[id]++
		if before.has(id) {
			continue
		}
		stamps = append(stamps, m["ts"].(string))
		want, live := text[id]
		if !live {
			t.Errorf("message %s is listed as updated: deleted %v, %v", id, deleted[id], m)
			continue
		}
		if m["msg"] != want {
			t.Errorf("message %s text %q, want the last acknowledged edit %q", id, m["msg"], want)
		}
		var got []string
		if rs, ok := m["reactions"].(map[string]any); ok {
			for name, r := range rs {
				if name != emoji {
					t.Errorf("message %s has reaction %s, never sent", id, name)
					continue
				}
				for _, u := range r.(map[string]any)["usernames"].([]any) {
					got = append(got, u.(string))
				}
			}
		}
		sort.Strings(got)
		if len(slices.Compact(slices.Clone(got))) != len(got) {
			t.Errorf("message %s: reaction usernames repeat: %v", id, got)
		}
		var want2 []string
		for u := range reacted[id] {
			want2 = append(want2, u)
		}
		sort.Strings(want2)
		if !slices.Equal(slices.Compact(got), want2) {
			t.Errorf("message %s: reactions by %v, want the acknowledged %v", id, got, want2)
		}
	}
	for id, n := range counts {
		if n != 1 {
			t.Errorf("message %s listed %d times in updated", id, n)
		}
	}
	for id := range text {
		if counts[id] == 0 {
			t.Errorf("acknowledged message %s (%q) is missing from chat.syncMessages", id, text[id])
		}
	}
	delCounts := map[string]int{}
	for _, d := range after.deleted {
		delCounts[d["_id"].(string)]++
	}
	for id := range deleted {
		if delCounts[id] != 1 {
			t.Errorf("deleted message %s listed %d times in deleted", id, delCounts[id])
		}
	}
	for id, n := range delCounts {
		if !deleted[id] && !before.hasDeleted(id) {
			t.Errorf("message %s listed as deleted %d times, never deleted", id, n)
		}
	}

	sort.Strings(stamps) // ISO-8601 in UTC with milliseconds sorts as time does
	for k := 1; k < len(stamps); k++ {
		if stamps[k] == stamps[k-1] {
			t.Errorf("two messages share ts %s", stamps[k])
		}
	}
	if got, want := roomMsgs(t, e.Admin, rid)-beforeMsgs, len(text); got != want {
		t.Errorf("room msgs grew by %d, want %d surviving messages", got, want)
	}
	if len(text)+len(deleted) != clients*messages {
		t.Errorf("%d live + %d deleted messages, want %d", len(text), len(deleted), clients*messages)
	}
	total := 0
	for _, r := range reacted {
		total += len(r)
	}
	t.Logf("%d messages live, %d deleted, %d reactions", len(text), len(deleted), total)
}

type posted struct {
	id string
	by int
}

type syncResult struct {
	updated, deleted []map[string]any
}

func (s syncResult) has(id string) bool {
	return slices.ContainsFunc(s.updated, func(m map[string]any) bool { return m["_id"] == id })
}

func (s syncResult) hasDeleted(id string) bool {
	return slices.ContainsFunc(s.deleted, func(m map[string]any) bool { return m["_id"] == id })
}

func syncRoom(t *testing.T, c *apitest.Client, rid string) syncResult {
	t.Helper()
	var out struct {
		Result struct {
			Updated []map[string]any `json:"updated"`
			Deleted []map[string]any `json:"deleted"`
		} `json:"result"`
	}
	c.Get(t, "chat.syncMessages", apitest.Q("roomId", rid, "lastUpdate", "1970-01-01T00:00:00.000Z")).OK(t).Decode(t, &out)
	return syncResult{out.Result.Updated, out.Result.Deleted}
}

func roomMsgs(t *testing.T, c *apitest.Client, rid string) int {
	t.Helper()
	return int(c.Get(t, "channels.info", apitest.Q("roomId", rid)).OK(t).JSON(t)["channel"].(map[string]any)["msgs"].(float64))
}
