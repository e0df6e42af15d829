package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/api"
	"github.com/parleychat/parley/internal/api/apitest"
)

func TestMetricsNeedToken(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	cases := []struct {
		name, auth string
		want       int
	}{
		{"no header", "", http.StatusUnauthorized},
		{"wrong token", "Bearer nope", http.StatusUnauthorized},
		{"token as prefix", "Bearer " + apitest.MetricsToken[:5], http.StatusUnauthorized},
		{"basic auth", "Basic " + apitest.MetricsToken, http.StatusUnauthorized},
		{"a user's login is not enough", "", http.StatusUnauthorized},
		{"the token", "Bearer " + apitest.MetricsToken, http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := e.Anon()
			if tc.name == "a user's login is not enough" {
				c = e.Admin
			}
			if tc.auth != "" {
				c.Header.Set("Authorization", tc.auth)
			}
			r := c.Do(t, http.MethodGet, "/metrics", nil, "").Expect(t, tc.want)
			if tc.want == http.StatusUnauthorized {
				if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") || strings.Contains(string(r.Body), "parley_http") {
					t.Fatalf("refusal: %v %s", r.Header, r.Body)
				}
				return
			}
			if !strings.Contains(string(r.Body), "parley_http_requests_total") {
				t.Fatalf("metrics body: %.200s", r.Body)
			}
		})
	}
}

func TestMetricsOffTheAPIPort(t *testing.T) {
	t.Parallel()
	t.Run("no token: not served", func(t *testing.T) {
		t.Parallel()
		e := apitest.New(t, apitest.WithAPIOptions(func(o *api.Options) { o.MetricsToken = "" }))
		e.Anon().Do(t, http.MethodGet, "/metrics", nil, "").Expect(t, http.StatusNotFound)
		e.Admin.Do(t, http.MethodGet, "/metrics", nil, "").Expect(t, http.StatusNotFound)
	})
	t.Run("own listener", func(t *testing.T) {
		t.Parallel()
		e := apitest.New(t, apitest.WithAPIOptions(func(o *api.Options) { o.MetricsElsewhere = true }))
		c := e.Anon()
		c.Header.Set("Authorization", "Bearer "+apitest.MetricsToken)
		c.Do(t, http.MethodGet, "/metrics", nil, "").Expect(t, http.StatusNotFound)
		// The handler cmd/parley mounts on the metrics listener still
		// wants the token.
		h := e.Handler.(*api.Server).MetricsHandler()
		for auth, want := range map[string]int{"": http.StatusUnauthorized, "Bearer " + apitest.MetricsToken: http.StatusOK} {
			req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != want {
				t.Errorf("metrics listener with %q: %d, want %d", auth, rec.Code, want)
			}
		}
	})
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.WithAPIOptions(func(o *api.Options) { o.Pprof = true }))
	cases := []struct {
		name   string
		c      *apitest.Client
		method string
		target string
		status int
		html   bool
	}{
		{"API answer", e.Admin, http.MethodGet, "/api/v1/me", 200, false},
		{"API error", e.Anon(), http.MethodGet, "/api/v1/me", 401, false},
		{"unknown API route", e.Anon(), http.MethodGet, "/api/v1/nope", 404, false},
		{"wrong method", e.Anon(), http.MethodDelete, "/api/v1/login", 405, false},
		{"outside the API", e.Anon(), http.MethodGet, "/nope", 404, false},
		{"info", e.Anon(), http.MethodGet, "/api/info", 200, false},
		{"health", e.Anon(), http.MethodGet, "/health", 200, false},
		{"metrics refusal", e.Anon(), http.MethodGet, "/metrics", 401, false},
		{"file not found", e.Admin, http.MethodGet, "/file-upload/nope/x.html", 404, false},
		{"profiler index (HTML)", e.Admin, http.MethodGet, "/debug/pprof/", 200, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.c.Do(t, tc.method, tc.target, nil, "").Expect(t, tc.status)
			if got := r.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q", got)
			}
			if got := r.Header.Get("X-Frame-Options"); got != "DENY" {
				t.Errorf("X-Frame-Options = %q", got)
			}
			if got := r.Header.Get("Content-Security-Policy"); !strings.Contains(got, "frame-ancestors 'none'") {
				t.Errorf("Content-Security-Policy = %q", got)
			}
			if html := strings.HasPrefix(r.Header.Get("Content-Type"), "text/html"); html != tc.html {
				t.Errorf("Content-Type = %q", r.Header.Get("Content-Type"))
			}
		})
	}
}

// TestOversizeMessageFieldsRefused: every field a message stores is bounded,
// and a refused message leaves nothing behind.
func TestOversizeMessageFieldsRefused(t *testing.T) {
	t.Parallel()
	_, alice, rid := apitest.NewUserRoom(t, "alice", "channels", "")
	big := strings.Repeat("x", 40<<10)
	text := strings.Repeat("y", 5001)
	kept := alice.PostText(t, rid, "kept")
	before := len(alice.History(t, "channels", rid))
	const sizeType = "error-message-size-exceeded"
	cases := []struct {
		name, path string
		body       map[string]any
		errorType  string
		errorText  string
	}{
		{"postMessage attachment title", "chat.postMessage", map[string]any{"roomId": rid, "attachments": []any{map[string]any{"title": big}}}, sizeType, ""},
		{"postMessage attachment fields", "chat.postMessage", map[string]any{"roomId": rid, "attachments": []any{map[string]any{
			"fields": []any{map[string]any{"title": "t", "value": big}}}}}, sizeType, ""},
		{"postMessage too many attachments", "chat.postMessage", map[string]any{"roomId": rid, "attachments": func() []any {
			out := make([]any, 101)
			for i := range out {
				out[i] = map[string]any{"title": "a"}
			}
			return out
		}()}, sizeType, ""},
		{"postMessage customFields", "chat.postMessage", map[string]any{"roomId": rid, "text": "hi", "customFields": map[string]any{"priority": big}}, sizeType, ""},
		{"sendMessage blocks", "chat.sendMessage", map[string]any{"message": map[string]any{"rid": rid, "msg": "hi",
			"blocks": []any{map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": big}}}}}, sizeType, ""},
		{"sendMessage attachment text", "chat.sendMessage", map[string]any{"message": map[string]any{"rid": rid, "msg": "hi",
			"attachments": []any{map[string]any{"text": text}}}}, sizeType, "Message size exceeds Message_MaxAllowedSize [error-message-size-exceeded]"},
		{"sendMessage attachment description", "chat.sendMessage", map[string]any{"message": map[string]any{"rid": rid, "msg": "hi",
			"attachments": []any{map[string]any{"description": text}}}}, sizeType, "Message size exceeds Message_MaxAllowedSize [error-message-size-exceeded]"},
		{"sendMessage customFields", "chat.sendMessage", map[string]any{"message": map[string]any{"rid": rid, "msg": "hi", "customFields": map[string]any{"priority": big}}}, sizeType, ""},
		{"sendMessage alias", "chat.sendMessage", map[string]any{"message": map[string]any{"rid": rid, "msg": "hi", "alias": strings.Repeat("a", 257)}}, "error-alias-size-exceeded", ""},
		{"update text", "chat.update", map[string]any{"roomId": rid, "msgId": kept["_id"], "text": text}, sizeType, "Message size exceeds Message_MaxAllowedSize [error-message-size-exceeded]"},
		{"update customFields", "chat.update", map[string]any{"roomId": rid, "msgId": kept["_id"], "text": "kept", "customFields": map[string]any{"priority": big}}, sizeType, ""},
		{"report description", "chat.reportMessage", map[string]any{"messageId": kept["_id"], "description": text}, "error-description-size-exceeded", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			alice.Post(t, tc.path, tc.body).Fails(t, http.StatusBadRequest, tc.errorType, tc.errorText)
			if n := len(alice.History(t, "channels", rid)); n != before {
				t.Fatalf("history has %d messages after the refusal, want %d", n, before)
			}
			if m := alice.GetMessage(t, kept["_id"].(string)); m["msg"] != "kept" || m["editedAt"] != nil || m["customFields"] != nil {
				t.Fatalf("the kept message changed: %v", m)
			}
		})
	}
}

// TestOversizeProfileFieldsRefused: a user's own profile, status and
// preferences are bounded as Rocket.Chat bounds them, and a refused change
// stores nothing.
func TestOversizeProfileFieldsRefused(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	bob := e.NewUser(t, "bob")
	bob.Post(t, "users.setPreferences", map[string]any{"data": map[string]any{"language": "de"}}).OK(t)
	cases := []struct {
		name, path string
		body       map[string]any
		errorType  string
		errorText  string
	}{
		{"bio", "users.update", map[string]any{"userId": bob.UserID, "data": map[string]any{"bio": strings.Repeat("b", 261)}},
			"error-bio-size-exceeded", "Bio size exceeds 260 characters [error-bio-size-exceeded]"},
		{"nickname", "users.update", map[string]any{"userId": bob.UserID, "data": map[string]any{"nickname": strings.Repeat("n", 121)}},
			"error-nickname-size-exceeded", "Nickname size exceeds 120 characters [error-nickname-size-exceeded]"},
		{"name", "users.update", map[string]any{"userId": bob.UserID, "data": map[string]any{"name": strings.Repeat("n", 257)}}, "error-name-size-exceeded", ""},
		{"customFields", "users.update", map[string]any{"userId": bob.UserID, "data": map[string]any{"customFields": map[string]any{"x": strings.Repeat("c", 17<<10)}}},
			"error-customFields-size-exceeded", ""},
		{"preference value", "users.setPreferences", map[string]any{"data": map[string]any{"highlights": []any{strings.Repeat("h", 33<<10)}}},
			"error-preferences-size-exceeded", ""},
		{"many preferences", "users.setPreferences", map[string]any{"data": func() map[string]any {
			m := map[string]any{}
			for i := 0; i < 201; i++ {
				m["k"+strings.Repeat("0", i%5)+string(rune('a'+i%26))+string(rune('a'+i/26))] = true
			}
			return m
		}()}, "error-preferences-size-exceeded", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bob.Post(t, tc.path, tc.body).Fails(t, http.StatusBadRequest, tc.errorType, tc.errorText)
			me := bob.Get(t, "me").OK(t).JSON(t)
			if me["bio"] != nil || me["nickname"] != nil || me["name"] != "Bob" || me["customFields"] != nil {
				t.Fatalf("profile changed: %v", me)
			}
			prefs := bob.Get(t, "users.getPreferences").OK(t).JSON(t)["preferences"].(map[string]any)
			if len(prefs) != 1 || prefs["language"] != "de" {
				t.Fatalf("preferences changed: %v", prefs)
			}
		})
	}
	// Within the bounds everything is stored.
	bob.Post(t, "users.update", map[string]any{"userId": bob.UserID, "data": map[string]any{
		"bio": strings.Repeat("b", 260), "nickname": strings.Repeat("n", 120)}}).OK(t)
	// Rocket.Chat cuts status texts to 120 characters rather than refusing them.
	bob.Post(t, "users.setStatus", map[string]any{"message": strings.Repeat("s", 500) + "tail"}).OK(t)
	me := bob.Get(t, "me").OK(t).JSON(t)
	if me["bio"] != strings.Repeat("b", 260) || me["nickname"] != strings.Repeat("n", 120) || me["statusText"] != strings.Repeat("s", 120) {
		t.Fatalf("profile: bio %d, nickname %d, statusText %v", len(me["bio"].(string)), len(me["nickname"].(string)), me["statusText"])
	}
}

func TestOversizeRoomFieldsRefused(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	carol := e.NewUser(t, "carol")
	name := e.Unique("roomy")
	cases := []struct {
		name  string
		extra map[string]any
		typ   string
	}{
		{"topic", map[string]any{"extraData": map[string]any{"topic": strings.Repeat("t", 1025)}}, "error-topic-size-exceeded"},
		{"description", map[string]any{"extraData": map[string]any{"description": strings.Repeat("d", 8193)}}, "error-description-size-exceeded"},
		{"customFields", map[string]any{"customFields": map[string]any{"x": strings.Repeat("c", 17<<10)}}, "error-customFields-size-exceeded"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := map[string]any{"name": name}
			for k, v := range tc.extra {
				body[k] = v
			}
			carol.Post(t, "channels.create", body).Fails(t, http.StatusBadRequest, tc.typ, "")
			carol.Get(t, "channels.info", apitest.Q("roomName", name)).Expect(t, http.StatusBadRequest)
		})
	}
}

// TestLargeHistoryStreamed: a history page over the streaming threshold is
// the same JSON as one built in a buffer.
func TestLargeHistoryStreamed(t *testing.T) {
	t.Parallel()
	_, dan, rid := apitest.NewUserRoom(t, "dan", "channels", "")
	title := strings.Repeat("t", 30<<10)
	for i := 0; i < 48; i++ {
		dan.PostMessage(t, map[string]any{"roomId": rid, "text": "m" + strings.Repeat("!", i), "attachments": []any{map[string]any{"title": title}}})
	}
	r := dan.Get(t, "channels.history", apitest.Q("roomId", rid, "count", "100")).OK(t)
	if len(r.Body) <= 1<<20 {
		t.Fatalf("history of %d bytes does not test streaming", len(r.Body))
	}
	var big struct{ Messages []map[string]any }
	r.Decode(t, &big)
	var n int
	for _, m := range big.Messages {
		if atts, _ := m["attachments"].([]any); len(atts) == 1 && atts[0].(map[string]any)["title"] == title {
			n++
		}
	}
	if n != 48 {
		t.Fatalf("%d of 48 messages came back whole", n)
	}
	// The same messages, one small page at a time, are byte for byte the
	// ones the large page carried.
	small := dan.Get(t, "channels.history", apitest.Q("roomId", rid, "count", "2")).OK(t)
	var page struct{ Messages []json.RawMessage }
	small.Decode(t, &page)
	if !strings.Contains(string(r.Body), string(page.Messages[0])+","+string(page.Messages[1])) {
		t.Fatal("the large page differs from the small one")
	}
}
