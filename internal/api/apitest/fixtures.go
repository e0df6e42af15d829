package apitest

import (
	"encoding/json"
	"net/url"
	"slices"
	"testing"
	"time"
)

// Fixtures that many API tests share: each sets up or reads one thing the
// way a client would, failing the test on an unexpected answer, so that a
// test reads as the steps of its scenario.

// CreateRoom creates a room ("channels" or "groups") owned by c, so that
// tests need not know which key each kind is answered under; an empty name
// picks a unique one. It returns the room's id.
func (c *Client) CreateRoom(t testing.TB, prefix, name string, extra map[string]any, members ...string) string {
	t.Helper()
	if name == "" {
		name = c.env.Unique("room")
	}
	body := map[string]any{"name": name}
	if len(members) > 0 {
		body["members"] = members
	}
	for k, v := range extra {
		body[k] = v
	}
	key := "channel"
	if prefix == "groups" {
		key = "group"
	}
	return c.Post(t, prefix+".create", body).OK(t).JSON(t)[key].(map[string]any)["_id"].(string)
}

// CreateDM opens a direct message under prefix ("dm" or "im", which serve
// the same routes) and returns the room.
func (c *Client) CreateDM(t testing.TB, prefix string, body map[string]any) map[string]any {
	t.Helper()
	return c.Post(t, prefix+".create", body).OK(t).JSON(t)["room"].(map[string]any)
}

// PostMessage posts body with chat.postMessage and returns the stored
// message, for tests that go on to act on it.
func (c *Client) PostMessage(t testing.TB, body map[string]any) map[string]any {
	t.Helper()
	return c.Post(t, "chat.postMessage", body).OK(t).JSON(t)["message"].(map[string]any)
}

// PostText is PostMessage for the common case of plain text in a room.
func (c *Client) PostText(t testing.TB, rid, text string) map[string]any {
	t.Helper()
	return c.PostMessage(t, map[string]any{"roomId": rid, "text": text})
}

// Reply is PostText into thread tmid.
func (c *Client) Reply(t testing.TB, rid, tmid, text string) map[string]any {
	t.Helper()
	return c.PostMessage(t, map[string]any{"roomId": rid, "tmid": tmid, "text": text})
}

// SendMessage sends msg with chat.sendMessage, the path that lets a client
// choose the message's id, and returns the stored message.
func (c *Client) SendMessage(t testing.TB, msg map[string]any) map[string]any {
	t.Helper()
	return c.Post(t, "chat.sendMessage", map[string]any{"message": msg}).OK(t).JSON(t)["message"].(map[string]any)
}

// UpdateMessage edits a message's text; the answer is left to the caller,
// since many tests expect a refusal.
func (c *Client) UpdateMessage(t testing.TB, rid, id, text string) *Response {
	t.Helper()
	return c.Post(t, "chat.update", map[string]any{"roomId": rid, "msgId": id, "text": text})
}

// DeleteMessage deletes a message, for tests that need one gone.
func (c *Client) DeleteMessage(t testing.TB, rid, id string) {
	t.Helper()
	c.Post(t, "chat.delete", map[string]any{"roomId": rid, "msgId": id}).OK(t)
}

// GetMessage reads a message as c sees it.
func (c *Client) GetMessage(t testing.TB, id string) map[string]any {
	t.Helper()
	return c.Get(t, "chat.getMessage", Q("msgId", id)).OK(t).JSON(t)["message"].(map[string]any)
}

// Subscription is c's subscription to rid, or nil when c has none, so that
// tests can check both that one exists and that one does not.
func (c *Client) Subscription(t testing.TB, rid string) map[string]any {
	t.Helper()
	sub, _ := c.Get(t, "subscriptions.getOne", Q("roomId", rid)).OK(t).JSON(t)["subscription"].(map[string]any)
	return sub
}

// RoomInfo reads a room with rooms.info, which serves every room type.
func (c *Client) RoomInfo(t testing.TB, rid string) map[string]any {
	t.Helper()
	return c.Get(t, "rooms.info", Q("roomId", rid)).OK(t).JSON(t)["room"].(map[string]any)
}

// History is a room's visible messages, newest first, read under prefix
// ("channels", "groups", "dm", "im").
func (c *Client) History(t testing.TB, prefix, rid string) []map[string]any {
	t.Helper()
	var out struct{ Messages []map[string]any }
	c.Get(t, prefix+".history", Q("roomId", rid, "count", "100", "latest", Latest())).OK(t).Decode(t, &out)
	return out.Messages
}

// Latest is a history bound an hour ahead: a burst of posts hands out ts
// values a few ms ahead of the clock (they must strictly increase), and
// history's default latest is now, which would leave them out.
func Latest() string { return time.Now().Add(time.Hour).UTC().Format(time.RFC3339Nano) }

// SetSetting changes a setting as the admin, through the API so that it
// takes effect as it would on a running server.
func (e *Env) SetSetting(t testing.TB, id string, v any) {
	t.Helper()
	e.Admin.Post(t, "settings/"+id, map[string]any{"value": v}).OK(t)
}

// SetPermission gives perm to exactly roles, as the admin; with no roles
// it takes perm from everyone.
func (e *Env) SetPermission(t testing.TB, perm string, roles ...string) {
	t.Helper()
	if roles == nil {
		roles = []string{} // null is not a list of roles
	}
	e.Admin.Post(t, "permissions.update", map[string]any{"permissions": []map[string]any{{"_id": perm, "roles": roles}}}).OK(t)
}

// FailsPlain checks a failure Rocket.Chat words as a plain Error or
// API.v1.failure: 400, exactly this error text, and no errorType at all,
// which Fails cannot tell from an empty one.
func (r *Response) FailsPlain(t testing.TB, text string) *Response {
	t.Helper()
	m := r.Fails(t, 400, "", text).JSON(t)
	if et, ok := m["errorType"]; ok {
		t.Fatalf("%s %s: errorType %v, want none; body: %s", r.Method, r.Target, et, truncate(r.Body))
	}
	return r
}

// MessageList decodes the answers of the endpoints that page messages.
type MessageList struct {
	Messages []map[string]any `json:"messages"`
	Count    int              `json:"count"`
	Offset   int              `json:"offset"`
	Total    int              `json:"total"`
}

// ListMessages reads one page of a listing that answers in MessageList's
// shape (history, pinned, starred, mentioned, search...).
func (c *Client) ListMessages(t testing.TB, path string, q url.Values) MessageList {
	t.Helper()
	var l MessageList
	c.Get(t, path, q).OK(t).Decode(t, &l)
	return l
}

// IDs are the _id fields of list in order, so that a listing compares with
// slices.Equal.
func IDs(list []map[string]any) []string {
	ids := make([]string, len(list))
	for i, m := range list {
		ids[i], _ = m["_id"].(string)
	}
	return ids
}

// HasID reports whether list holds the object with id.
func HasID(list []map[string]any, id string) bool {
	return slices.ContainsFunc(list, func(m map[string]any) bool { return m["_id"] == id })
}

// Num is a JSON number as an int, 0 when absent, for counters that
// Rocket.Chat leaves out while they are zero.
func Num(v any) int {
	f, _ := v.(float64)
	return int(f)
}

// Strings is a JSON array of strings, sorted, so that lists the server
// keeps in no order compare with slices.Equal.
func Strings(v any) []string {
	var out []string
	if arr, ok := v.([]any); ok {
		for _, e := range arr {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
	}
	slices.Sort(out)
	return out
}

// DMID is the id of the direct message between users a and b, which
// tests can know before it exists.
func DMID(a, b string) string {
	if a < b {
		return a + b
	}
	return b + a
}

// JSON is v encoded, for building request text and comparing answers.
func JSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Scene is a fresh environment with the users a test starts from, signed
// up and logged in. Most tests begin by creating a few users; a Scene
// does that in one step and keeps them in the order they were named.
type Scene struct {
	*Env
	Users []*Client
}

// NewScene boots an environment and creates a user for each name, in
// order, as Env.NewUser does.
func NewScene(t testing.TB, names ...string) *Scene {
	t.Helper()
	s := &Scene{Env: New(t)}
	for _, n := range names {
		s.Users = append(s.Users, s.NewUser(t, n))
	}
	return s
}

// NewUserRoom boots an environment with one user who owns a room
// ("channels" or "groups"; an empty name picks a unique one), the start
// of most tests about what happens inside a room. It returns the
// environment, the user and the room's id.
func NewUserRoom(t testing.TB, username, prefix, name string) (*Env, *Client, string) {
	t.Helper()
	e := New(t)
	u := e.NewUser(t, username)
	return e, u, u.CreateRoom(t, prefix, name, nil)
}
