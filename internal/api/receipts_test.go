package api_test

import (
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/api/apitest"
)

func readReceipts(t *testing.T, c *apitest.Client, mid string) []map[string]any {
	t.Helper()
	var out struct{ Receipts []map[string]any }
	c.Get(t, "chat.getMessageReadReceipts", apitest.Q("messageId", mid)).OK(t).Decode(t, &out)
	return out.Receipts
}

func readerNames(list []map[string]any) []string {
	var out []string
	for _, r := range list {
		out = append(out, r["user"].(map[string]any)["username"].(string))
	}
	sort.Strings(out)
	return out
}

func TestReadReceipts(t *testing.T) {
	t.Parallel()
	clock := apitest.NewRunningClock()
	e := apitest.New(t, apitest.WithClock(clock))
	alice, bob, carol, eve := e.NewUser(t, "alice"), e.NewUser(t, "bob"), e.NewUser(t, "carol"), e.NewUser(t, "eve")
	gid := alice.CreateRoom(t, "groups", "receipts", nil, "bob", "carol")

	// Off (the default), the endpoint answers as Rocket.Chat without its license.
	m0 := alice.PostText(t, gid, "before")
	alice.Get(t, "chat.getMessageReadReceipts", apitest.Q("messageId", m0["_id"].(string))).
		Fails(t, 400, "error-action-not-allowed", "This is an enterprise feature [error-action-not-allowed]")
	if m0["unread"] != nil {
		t.Fatalf("unread without read receipts: %v", m0["unread"])
	}

	e.SetSetting(t, "Message_Read_Receipt_Enabled", true)
	e.SetSetting(t, "Message_Read_Receipt_Store_Users", true)
	m1 := alice.PostText(t, gid, "hello")
	mid := m1["_id"].(string)
	if m1["unread"] != true {
		t.Fatalf("new message unread = %v", m1["unread"])
	}
	if got := readerNames(readReceipts(t, alice, mid)); !slices.Equal(got, []string{alice.Username}) {
		t.Fatalf("receipts after sending = %v (the sender has read it)", got)
	}
	bob.Post(t, "subscriptions.read", map[string]any{"rid": gid}).OK(t)
	if got := readerNames(readReceipts(t, bob, mid)); !slices.Equal(got, []string{alice.Username, bob.Username}) {
		t.Fatalf("receipts after bob read = %v", got)
	}
	if alice.GetMessage(t, mid)["unread"] != true {
		t.Fatal("unread cleared before carol read")
	}
	// Reading twice adds nothing.
	bob.Post(t, "subscriptions.read", map[string]any{"rid": gid}).OK(t)
	carol.Post(t, "subscriptions.read", map[string]any{"rid": gid}).OK(t)
	list := readReceipts(t, carol, mid)
	if got := readerNames(list); !slices.Equal(got, []string{alice.Username, bob.Username, carol.Username}) {
		t.Fatalf("receipts after everyone read = %v", got)
	}
	for _, r := range list {
		u := r["user"].(map[string]any)
		if r["_id"] != mid+r["userId"].(string) || r["roomId"] != gid || r["messageId"] != mid || u["_id"] != r["userId"] || r["ts"] == nil {
			t.Fatalf("receipt shape: %v", r)
		}
	}
	if m := alice.GetMessage(t, mid); m["unread"] != nil {
		t.Fatalf("unread after every other member read: %v", m["unread"])
	}
	// A message the author's own ls has not reached is still read once the others have.
	// Times have millisecond resolution, as in Rocket.Chat: a message saved
	// in the millisecond of carol's read would count as read by her.
	clock.Advance(2 * time.Millisecond)
	m2 := bob.PostText(t, gid, "from bob")["_id"].(string)
	alice.Post(t, "subscriptions.read", map[string]any{"rid": gid}).OK(t)
	if alice.GetMessage(t, m2)["unread"] != true {
		t.Fatal("unread cleared before carol read bob's message")
	}
	carol.Post(t, "subscriptions.read", map[string]any{"rid": gid}).OK(t)
	if alice.GetMessage(t, m2)["unread"] != nil {
		t.Fatal("bob's message still unread though alice and carol read it")
	}
	// Alone in a room, one's own message is read at once.
	solo := alice.CreateRoom(t, "groups", "solo", nil)
	if m := alice.PostText(t, solo, "note to self"); m["unread"] != nil {
		t.Fatalf("message in a room of one: unread %v", m["unread"])
	}

	// Errors and access.
	alice.Get(t, "chat.getMessageReadReceipts", apitest.Q()).Fails(t, 400, "error-invalid-params", "must have required property 'messageId'")
	alice.Get(t, "chat.getMessageReadReceipts", apitest.Q("messageId", mid, "x", "1")).Fails(t, 400, "error-invalid-params", "must NOT have additional properties")
	res := alice.Get(t, "chat.getMessageReadReceipts", apitest.Q("messageId", "nope")).Fails(t, 400, "error-invalid-message", "Invalid message [error-invalid-message]")
	if d := res.JSON(t)["details"].(map[string]any); d["method"] != "getReadReceipts" {
		t.Fatalf("details = %v", d)
	}
	eve.Get(t, "chat.getMessageReadReceipts", apitest.Q("messageId", mid)).Fails(t, 400, "error-invalid-room", "Invalid room [error-invalid-room]")
	e.Anon().Get(t, "chat.getMessageReadReceipts", apitest.Q("messageId", mid)).Expect(t, 401)

	// Pagination when asked for.
	var page struct{ Receipts []map[string]any }
	alice.Get(t, "chat.getMessageReadReceipts", apitest.Q("messageId", mid, "count", "1", "offset", "1")).OK(t).Decode(t, &page)
	if len(page.Receipts) != 1 || page.Receipts[0]["_id"] != list[1]["_id"] {
		t.Fatalf("page = %v", page.Receipts)
	}

	// Deleting the message drops its receipts with it.
	alice.DeleteMessage(t, gid, mid)
	alice.Get(t, "chat.getMessageReadReceipts", apitest.Q("messageId", mid)).Fails(t, 400, "error-invalid-message", "")

	// Without Store_Users nothing is stored, but unread is still settled.
	e.SetSetting(t, "Message_Read_Receipt_Store_Users", false)
	m3 := alice.PostText(t, gid, "untracked")["_id"].(string)
	bob.Post(t, "subscriptions.read", map[string]any{"rid": gid}).OK(t)
	carol.Post(t, "subscriptions.read", map[string]any{"rid": gid}).OK(t)
	if got := readReceipts(t, alice, m3); len(got) != 0 {
		t.Fatalf("receipts without Store_Users = %v", got)
	}
	if alice.GetMessage(t, m3)["unread"] != nil {
		t.Fatal("unread not settled without Store_Users")
	}
}
