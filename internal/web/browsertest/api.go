package browsertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"time"
)

// API is a REST client of a Parley server acting as one user, for setting
// up users, rooms and messages faster than through the browser.
type API struct {
	t      TB
	Base   string
	UserID string
	Token  string
	hc     *http.Client
}

// NewAPI returns an anonymous client of the server at base.
func NewAPI(t TB, base string) *API {
	// Several goroutines may post through one client at once: more idle
	// connections than the default two spare them new connections.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 4
	t.Cleanup(tr.CloseIdleConnections)
	return &API{t: t, Base: base, hc: &http.Client{Timeout: 20 * time.Second, Transport: tr}}
}

// For returns a client acting as the same user that reports its failures
// on t, for a subtest: a failure must end the test it happens in.
func (a *API) For(t TB) *API {
	b := *a
	b.t = t
	return &b
}

// At returns a client acting as the same user on the server at base: a
// login made through one node of a cluster is good on every node.
func (a *API) At(base string) *API {
	b := *a
	b.Base = base
	return &b
}

// Login logs in with a password and returns a client acting as that user.
func (a *API) Login(user, password string) *API {
	a.t.Helper()
	m := a.Must("POST", "login", map[string]any{"user": user, "password": password})
	data, _ := m["data"].(map[string]any)
	b := &API{t: a.t, Base: a.Base, hc: a.hc}
	b.UserID, _ = data["userId"].(string)
	b.Token, _ = data["authToken"].(string)
	if b.Token == "" {
		a.t.Fatalf("login %s: no token in %v", user, m)
	}
	return b
}

// Call sends a request to /api/v1/<path> (body nil: no body) and decodes
// the JSON answer.
func (a *API) Call(method, path string, body any) (int, map[string]any, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.Base+"/api/v1/"+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return a.do(req)
}

func (a *API) do(req *http.Request) (int, map[string]any, error) {
	if a.Token != "" {
		req.Header.Set("X-User-Id", a.UserID)
		req.Header.Set("X-Auth-Token", a.Token)
	}
	res, err := a.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return res.StatusCode, nil, fmt.Errorf("%s %s: status %d, not JSON: %.200q", req.Method, req.URL.Path, res.StatusCode, raw)
	}
	return res.StatusCode, m, nil
}

// Must is Call for a step that must succeed.
func (a *API) Must(method, path string, body any) map[string]any {
	a.t.Helper()
	code, m, err := a.Call(method, path, body)
	if err != nil || code != http.StatusOK || m["success"] != true {
		a.t.Fatalf("%s %s: %d %v %v", method, path, code, m, err)
	}
	return m
}

// CreateUser creates a user whose password is "pw-"+username (the caller
// must be allowed to) and returns the user logged in. On a server started
// with CREATE_TOKENS_FOR_USERS=true the token comes from users.createToken,
// which spares a password hash (slow on purpose) per user.
func (a *API) CreateUser(username, name string) *API {
	a.t.Helper()
	a.Must("POST", "users.create", map[string]any{
		"username": username, "name": name, "email": username + "@example.com",
		"password": Password(username), "verified": true,
	})
	code, m, err := a.Call("POST", "users.createToken", map[string]any{"username": username})
	if data, _ := m["data"].(map[string]any); err == nil && code == http.StatusOK && data != nil {
		b := &API{t: a.t, Base: a.Base, hc: a.hc}
		b.UserID, _ = data["userId"].(string)
		b.Token, _ = data["authToken"].(string)
		if b.Token != "" {
			return b
		}
	}
	return a.Login(username, Password(username))
}

// Password is the password CreateUser gives a user.
func Password(username string) string { return "pw-" + username }

// CreateRoom creates a channel (private false) or a private group with
// members and returns its id.
func (a *API) CreateRoom(name string, private bool, members ...string) string {
	a.t.Helper()
	kind, key := "channels", "channel"
	if private {
		kind, key = "groups", "group"
	}
	if members == nil {
		members = []string{}
	}
	m := a.Must("POST", kind+".create", map[string]any{"name": name, "members": members})
	room, _ := m[key].(map[string]any)
	id, _ := room["_id"].(string)
	if id == "" {
		a.t.Fatalf("%s.create answered %v", kind, m)
	}
	return id
}

// DirectRoom opens (or finds) the direct conversation with username and
// returns its id.
func (a *API) DirectRoom(username string) string {
	a.t.Helper()
	m := a.Must("POST", "im.create", map[string]any{"username": username})
	room, _ := m["room"].(map[string]any)
	id, _ := room["_id"].(string)
	if id == "" {
		id, _ = room["rid"].(string)
	}
	if id == "" {
		a.t.Fatalf("im.create answered %v", m)
	}
	return id
}

// Post posts a message (tmid, if not empty, makes it a thread reply) and
// returns its id.
func (a *API) Post(rid, text, tmid string) string {
	a.t.Helper()
	msg := map[string]any{"rid": rid, "msg": text}
	if tmid != "" {
		msg["tmid"] = tmid
	}
	m := a.Must("POST", "chat.sendMessage", map[string]any{"message": msg})
	got, _ := m["message"].(map[string]any)
	id, _ := got["_id"].(string)
	if id == "" {
		a.t.Fatalf("chat.sendMessage answered %v", m)
	}
	return id
}

// React toggles a reaction (":name:") on a message.
func (a *API) React(msgID, emoji string) {
	a.t.Helper()
	a.Must("POST", "chat.react", map[string]any{"messageId": msgID, "emoji": emoji})
}

// Upload posts a file message to a room with rooms.upload and returns the
// message.
func (a *API) Upload(rid, name, contentType string, data []byte, text string) map[string]any {
	a.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, name))
	h.Set("Content-Type", contentType)
	part, err := w.CreatePart(h)
	if err != nil {
		a.t.Fatalf("upload: %v", err)
	}
	part.Write(data)
	if text != "" {
		w.WriteField("msg", text)
	}
	w.Close()
	req, err := http.NewRequest("POST", a.Base+"/api/v1/rooms.upload/"+rid, &body)
	if err != nil {
		a.t.Fatalf("upload: %v", err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	code, m, err := a.do(req)
	if err != nil || code != http.StatusOK || m["success"] != true {
		a.t.Fatalf("rooms.upload %s: %d %v %v", name, code, m, err)
	}
	msg, _ := m["message"].(map[string]any)
	return msg
}

// Messages returns a room's latest messages, newest first, through the
// history endpoint of its type ("c", "p" or "d").
func (a *API) Messages(roomType, rid string, count int) []map[string]any {
	a.t.Helper()
	kind := map[string]string{"c": "channels", "p": "groups", "d": "im"}[roomType]
	if kind == "" {
		a.t.Fatalf("room type %q", roomType)
	}
	m := a.Must("GET", fmt.Sprintf("%s.history?roomId=%s&count=%d", kind, rid, count), nil)
	raw, _ := m["messages"].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, x := range raw {
		if msg, ok := x.(map[string]any); ok {
			out = append(out, msg)
		}
	}
	return out
}

// Get fetches a path of the server (not under /api/v1) and returns the
// response with its body read.
func (a *API) Get(path string, header map[string]string) (*http.Response, []byte) {
	a.t.Helper()
	req, err := http.NewRequest("GET", a.Base+path, nil)
	if err != nil {
		a.t.Fatalf("GET %s: %v", path, err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	// The transport must not ask for gzip on its own: a test that wants
	// compression sets Accept-Encoding itself and reads the raw bytes.
	hc := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{DisableCompression: true}}
	res, err := hc.Do(req)
	if err != nil {
		a.t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		a.t.Fatalf("GET %s: %v", path, err)
	}
	return res, body
}
