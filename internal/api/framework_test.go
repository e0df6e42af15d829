package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

func TestBadInput(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	cases := []struct {
		name, body string
		want       string
	}{
		{"malformed JSON", `{"name":`, "invalid-params"},
		{"not an object", `[1,2]`, "invalid-params"},
		{"wrong type", `{"name":{"x":1}}`, "invalid-params"},
		{"unknown field", `{"name":"x","bogus":1}`, "invalid-params"},
	}
	for _, tc := range cases {
		e.Admin.Post(t, "channels.create", tc.body).Fails(t, 400, tc.want, "")
	}
	// A failed request changes nothing.
	var list struct{ Total int }
	e.Admin.Get(t, "channels.list").OK(t).Decode(t, &list)
	if list.Total != 1 {
		t.Fatalf("bad requests created rooms: total %d", list.Total)
	}
}

func TestRoutingAndHeaders(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	e.Anon().Get(t, "no.such.endpoint").Fails(t, 404, "", "Resource not found")
	r := e.Admin.Do(t, http.MethodGet, "/api/v1/channels.create", nil, "").Expect(t, 405)
	if r.Header.Get("Allow") != "POST" {
		t.Fatalf("Allow = %q", r.Header.Get("Allow"))
	}
	info := e.Anon().Do(t, http.MethodGet, "/api/info", nil, "").Expect(t, 200).JSON(t)
	if info["version"] != "test" {
		t.Fatalf("info = %v", info)
	}
	if r := e.Anon().Get(t, "settings.public"); r.Header.Get("Content-Type") != "application/json" || r.Header.Get("X-Request-Id") == "" {
		t.Fatalf("headers = %v", r.Header)
	}
	metrics := e.Metrics(t)
	for _, want := range []string{"parley_http_requests_total", "parley_http_request_duration_seconds", `route="not-found"`, `route="channels.create"`} {
		if !strings.Contains(string(metrics.Body), want) {
			t.Fatalf("metrics lack %s", want)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	big := `{"name":"` + strings.Repeat("a", 11<<20) + `"}`
	e.Admin.Post(t, "channels.create", big).Fails(t, 413, "error-request-too-large", "")
}

func TestRateLimiter(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.WithRateLimiter())
	u := e.NewUser(t, "busy")
	for i := 0; i < 10; i++ {
		r := u.Get(t, "me").Expect(t, 200)
		if r.Header.Get("X-RateLimit-Limit") != "10" || r.Header.Get("X-RateLimit-Reset") == "" {
			t.Fatalf("rate headers = %v", r.Header)
		}
	}
	m := u.Get(t, "me").Fails(t, 429, "", "").JSON(t)
	if !strings.HasPrefix(m["error"].(string), "Error, too many requests. Please slow down. You must wait ") ||
		!strings.HasSuffix(m["error"].(string), "seconds before trying this endpoint again. [error-too-many-requests]") {
		t.Fatalf("429 body = %v", m)
	}
	// Another route has its own budget; admins bypass the limiter.
	u.Get(t, "users.getPreferences").Expect(t, 200)
	for i := 0; i < 15; i++ {
		e.Admin.Get(t, "me").Expect(t, 200)
	}
}

func TestSettingsAndPermissions(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	u := e.NewUser(t, "plain")

	pub := e.Anon().Get(t, "settings.public", apitest.Q("count", "0")).OK(t).JSON(t)
	for _, s := range pub["settings"].([]any) {
		id := s.(map[string]any)["_id"].(string)
		if strings.Contains(id, "APIKey") || id == "API_Enable_Rate_Limiter" {
			t.Fatalf("settings.public shows %s", id)
		}
	}
	u.Get(t, "settings/Message_MaxAllowedSize").Expect(t, 403)
	v := e.Admin.Get(t, "settings/Message_MaxAllowedSize").OK(t).JSON(t)
	if v["value"] != 5000.0 {
		t.Fatalf("setting = %v", v)
	}
	u.Post(t, "settings/Message_MaxAllowedSize", map[string]any{"value": 10}).Expect(t, 403)
	e.Admin.Post(t, "settings/Message_MaxAllowedSize", map[string]any{"value": "abc"}).Fails(t, 400, "error-invalid-setting-value", "")
	e.Admin.Post(t, "settings/No_Such_Setting", map[string]any{"value": 1}).Fails(t, 400, "", "")
	e.Admin.Post(t, "settings/Message_MaxAllowedSize", map[string]any{"value": 10}).OK(t)
	if v := e.Admin.Get(t, "settings/Message_MaxAllowedSize").OK(t).JSON(t); v["value"] != 10.0 {
		t.Fatalf("setting after update = %v", v)
	}

	var perms struct{ Update []map[string]any }
	u.Get(t, "permissions.listAll").OK(t).Decode(t, &perms)
	if len(perms.Update) < 40 {
		t.Fatalf("permissions = %d", len(perms.Update))
	}
	u.Post(t, "permissions.update", map[string]any{"permissions": []map[string]any{{"_id": "create-c", "roles": []string{"admin"}}}}).
		Fails(t, 403, "", "User does not have the permissions required for this action [error-unauthorized]")
	e.Admin.Post(t, "permissions.update", map[string]any{"permissions": []map[string]any{{"_id": "no-such", "roles": []string{"admin"}}}}).
		Fails(t, 400, "error-invalid-permission", "Invalid permission [error-invalid-permission]")
	e.Admin.Post(t, "permissions.update", map[string]any{"permissions": []map[string]any{{"_id": "create-c", "roles": []string{"wizard"}}}}).
		Fails(t, 400, "error-invalid-role", "Invalid role [error-invalid-role]")
	u.Post(t, "channels.create", map[string]any{"name": "before"}).OK(t)
	e.Admin.Post(t, "permissions.update", map[string]any{"permissions": []map[string]any{{"_id": "create-c", "roles": []string{"admin"}}}}).OK(t)
	u.Post(t, "channels.create", map[string]any{"name": "after"}).Fails(t, 403, "", "unauthorized")
}
