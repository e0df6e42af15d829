// Command parley is the Parley chat server: Rocket.Chat's REST API in one
// binary, on an embedded SQLite database or on PostgreSQL.
package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/parleychat/parley/internal/api"
	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/files"
	"github.com/parleychat/parley/internal/realtime"
	"github.com/parleychat/parley/internal/settings"
	"github.com/parleychat/parley/internal/store/sqlstore"
	"github.com/parleychat/parley/internal/web"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli(ctx, os.Args[1:], os.Environ(), os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// serve runs the server until ctx ends, then shuts down gracefully:
// in-flight requests finish, then the store closes. ready, if not nil,
// receives the listening address once requests are served.
func serve(ctx context.Context, args []string, environ []string, stderr io.Writer, ready chan<- string) error {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	getenv := func(k string) string { return env[k] }
	cfg, err := config.Load(args, getenv, stderr)
	if err != nil {
		return err
	}
	logOut := newLogWriter(stderr)
	defer logOut.Close() // last, after everything that logs has stopped
	var handler slog.Handler = slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: cfg.LogLevel})
	if cfg.LogFormat == "json" {
		handler = slog.NewJSONHandler(logOut, &slog.HandlerOptions{Level: cfg.LogLevel})
	}
	log := slog.New(handler)

	st, err := sqlstore.Open(ctx, cfg.DatabaseURL, cfg.DataDir, sqlstore.Options{MaxConns: cfg.DBMaxConns, StatementTimeout: cfg.DBStatementTimeout})
	if err != nil {
		return err
	}
	defer st.Close()

	// One registry for the process: the runtime's series, the bus, the
	// app's background work and the HTTP layer all report to it.
	metrics := prometheus.NewRegistry()
	metrics.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	bus, closeBus, err := openBus(ctx, cfg.DatabaseURL, st, log, metrics)
	if err != nil {
		return err
	}
	// After the app's background work, which still publishes, and before
	// the store, whose pool sends the notifications.
	defer closeBus()

	uploads, err := fileStorages(st, cfg.DataDir)
	if err != nil {
		return err
	}
	reg := settings.NewDefault()
	a := app.New(app.Config{Store: st, Settings: reg, Bus: bus, Logger: log, SiteURL: cmp.Or(cfg.SiteURL, settings.DefaultSiteURL(cfg.Addr)), Files: uploads, Metrics: metrics,
		CreateTokensForUsers: cfg.CreateTokensForUsers})
	defer func() {
		// Runs after the HTTP server stopped and before the store closes,
		// so queued previews and translations can still be saved.
		cctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		if err := a.Close(cctx); err != nil {
			log.Warn("background work abandoned at shutdown", "err", err)
		}
	}()
	if err := a.Start(ctx, app.Bootstrap{
		AdminUsername: cfg.AdminUsername, AdminPassword: cfg.AdminPassword,
		AdminEmail: cfg.AdminEmail, AdminName: cfg.AdminName,
	}); err != nil {
		return err
	}
	overrides, err := reg.EnvOverrides(environ)
	if err != nil {
		return err
	}
	if err := a.ApplySettingOverrides(ctx, overrides); err != nil {
		return err
	}
	// The watcher reads the store, so it must be gone before the store
	// closes, whether serve returns on a signal or on an error.
	watchCtx, stopWatch := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		a.WatchConfig(watchCtx, configSafetyPoll)
	}()
	defer func() {
		stopWatch()
		<-watched
	}()

	hc := cfg.HTTP
	srv := api.New(a, api.Options{Version: version, Logger: log, MaxBodyBytes: cfg.MaxBodyBytes, TrustProxy: cfg.TrustProxy, TrustedProxies: cfg.TrustedProxies, Pprof: cfg.Pprof,
		ReadTimeout: hc.ReadTimeout, WriteTimeout: hc.WriteTimeout, UploadMinRate: hc.UploadMinRate,
		MetricsToken: hc.MetricsToken, MetricsElsewhere: hc.MetricsAddr != "", MaxAnswerMemory: hc.MaxAnswerMemory,
		Metrics: metrics, Gatherer: metrics})
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	// The websocket sits beside the API, on the same method registry and
	// metrics.
	rc := cfg.Realtime
	rt := realtime.New(realtime.Config{
		App: a, Methods: srv.Methods(), Logger: log, Registerer: metrics,
		PingInterval: rc.PingInterval, PingTimeout: rc.PingTimeout, SendQueue: rc.SendQueue,
		WriteTimeout: rc.WriteTimeout, MaxFrameBytes: rc.MaxFrameBytes,
		MaxSubscriptions: rc.MaxSubscriptions, OfflineAfter: rc.OfflineAfter,
	})
	root := http.NewServeMux()
	root.Handle("/websocket", rt)
	root.Handle("/", srv)
	// The browser client owns its own routes (/, /home, /channel/…,
	// /assets/…); every other path stays the API's.
	client, err := web.New()
	if err != nil {
		return err
	}
	client.Mount(root)
	// The body and answer deadlines are set per request by the handler, so
	// that uploads and websockets can have their own.
	hs := &http.Server{Handler: root, ReadHeaderTimeout: hc.ReadHeaderTimeout, IdleTimeout: hc.IdleTimeout, MaxHeaderBytes: hc.MaxHeaderBytes}
	errc := make(chan error, 2)
	go func() { errc <- hs.Serve(ln) }()
	if hc.MetricsAddr != "" {
		mln, err := net.Listen("tcp", hc.MetricsAddr)
		if err != nil {
			_ = hs.Close()
			return fmt.Errorf("--metrics-addr: %w", err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", srv.MetricsHandler())
		ms := &http.Server{Handler: mux, ReadHeaderTimeout: hc.ReadHeaderTimeout, ReadTimeout: hc.ReadHeaderTimeout,
			WriteTimeout: time.Minute, IdleTimeout: hc.IdleTimeout, MaxHeaderBytes: hc.MaxHeaderBytes}
		go func() { errc <- ms.Serve(mln) }()
		defer ms.Close()
		log.Info("metrics are served", "addr", mln.Addr().String(), "token", hc.MetricsToken != "")
	}
	log.Info("parley is serving", "addr", ln.Addr().String(), "database", st.Dialect(), "version", version)
	// What start-up logged (a missing administrator, say) is out at once,
	// not a flush interval later.
	logOut.flush()
	if ready != nil {
		ready <- ln.Addr().String()
	}
	select {
	case err := <-errc:
		rctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		_ = rt.Shutdown(rctx)
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	// Websockets are hijacked connections, which the HTTP server's
	// Shutdown neither closes nor waits for: they are closed first, with
	// 1001, so that clients reconnect to another node at once.
	if err := rt.Shutdown(sctx); err != nil {
		log.Warn("websockets did not all close in time", "err", err)
	}
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// fileStorages are the places uploaded bytes may live: the data
// directory and the database; FileUpload_Storage_Type picks among them
// and the AmazonS3 bucket its settings describe.
func fileStorages(st *sqlstore.Store, dataDir string) (app.FileStorages, error) {
	local, err := files.NewLocal(filepath.Join(dataDir, "uploads"))
	if err != nil {
		return app.FileStorages{}, err
	}
	return app.FileStorages{FileSystem: local, GridFS: sqlstore.NewGridFS(st), Default: app.DefaultFileStorage(st.Dialect())}, nil
}
