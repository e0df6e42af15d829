package api_test

import (
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
