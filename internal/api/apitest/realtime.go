package apitest

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/api"
	"github.com/parleychat/parley/internal/realtime"
)

// Realtime is the websocket server of an Env, listening on loopback
// beside the Env's API.
type Realtime struct {
	*realtime.Server
	// URL is the HTTP base URL (REST under /api/v1/), WS the websocket's.
	URL, WS string
}

// Realtime starts the websocket server on e's app, mounted at /websocket
// beside the API on a real listener, as cmd/parley mounts it. cfg's App,
// Methods and Registerer are filled in; the rest is the test's. Call it
// once per Env.
func (e *Env) Realtime(t testing.TB, cfg realtime.Config) *Realtime {
	t.Helper()
	srv := e.Handler.(*api.Server)
	cfg.App, cfg.Methods, cfg.Registerer = e.App, srv.Methods(), srv.Registerer()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	}
	rt := realtime.New(cfg)
	mux := http.NewServeMux()
	mux.Handle("/websocket", rt)
	mux.Handle("/", e.Handler)
	hs := httptest.NewServer(mux)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = rt.Shutdown(ctx)
		hs.Close()
	})
	return &Realtime{Server: rt, URL: hs.URL, WS: "ws" + strings.TrimPrefix(hs.URL, "http") + "/websocket"}
}
