package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/parleychat/parley/internal/api"
	"github.com/parleychat/parley/internal/api/apitest"
)

// recordedLogs keeps every log record at every level.
type recordedLogs struct {
	mu      sync.Mutex
	records []slog.Record
}

func (l *recordedLogs) Enabled(context.Context, slog.Level) bool { return true }
func (l *recordedLogs) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, r.Clone())
	return nil
}
func (l *recordedLogs) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *recordedLogs) WithGroup(string) slog.Handler      { return l }

// forPath returns the records of requests to path.
func (l *recordedLogs) forPath(path string) []slog.Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []slog.Record
	for _, r := range l.records {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "path" && a.Value.String() == path {
				out = append(out, r)
				return false
			}
			return true
		})
	}
	return out
}

// TestClientHangUpIs499 checks that a request whose client went away, and
// whose work failed because of it, is not taken for a server fault: it is
// logged at debug level and counted with status 499.
func TestClientHangUpIs499(t *testing.T) {
	t.Parallel()
	logs := &recordedLogs{}
	e := apitest.New(t, apitest.WithAPIOptions(func(o *api.Options) { o.Logger = slog.New(logs) }))
	cases := []struct {
		method, path, body string
	}{
		{http.MethodGet, "/api/v1/channels.history?roomId=GENERAL", ""},
		{http.MethodGet, "/api/v1/users.info?username=admin", ""},
		{http.MethodPost, "/api/v1/chat.postMessage", `{"roomId":"GENERAL","text":"into the void"}`},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // the client is gone before the server gets to work
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body)).WithContext(ctx)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-User-Id", e.Admin.UserID)
			req.Header.Set("X-Auth-Token", e.Admin.Token)
			rec := httptest.NewRecorder()
			e.Handler.ServeHTTP(rec, req)
			if rec.Code != 499 {
				t.Fatalf("status = %d %s, want 499", rec.Code, rec.Body)
			}
			path, _, _ := strings.Cut(tc.path, "?")
			var request bool
			for _, r := range logs.forPath(path) {
				if r.Level >= slog.LevelWarn {
					t.Errorf("logged at %s: %s", r.Level, r.Message)
				}
				if r.Message == "request" {
					request = true
					if r.Level != slog.LevelDebug {
						t.Errorf("request line at %s, want DEBUG", r.Level)
					}
				}
			}
			if !request {
				t.Errorf("no request line for %s", path)
			}
		})
	}
	route := `route="chat.postMessage"`
	for _, line := range strings.Split(string(e.Metrics(t).Body), "\n") {
		if strings.HasPrefix(line, "parley_http_requests_total{") && strings.Contains(line, route) {
			if !strings.Contains(line, `code="499"`) {
				t.Errorf("counted as %s", line)
			}
			return
		}
	}
	t.Errorf("no request series for %s", route)
}
