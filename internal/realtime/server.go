// Package realtime serves Rocket.Chat's realtime API: DDP over a websocket
// at GET /websocket. A connection logs in with the same tokens as REST,
// calls the same methods (internal/methods) and subscribes to streams that
// the event bus feeds. Every rule about who may see what is the app
// layer's; this package only routes.
package realtime

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/methods"
)

// Config wires a Server. Zero durations and sizes take the defaults given.
type Config struct {
	App     *app.App
	Methods *methods.Registry
	Logger  *slog.Logger
	// Registerer receives the realtime series; nil keeps them private.
	Registerer prometheus.Registerer

	// PingInterval is the idle time after which the server pings a client
	// (15 s, as Meteor), and PingTimeout how long it then waits for any
	// frame before closing (15 s).
	PingInterval, PingTimeout time.Duration
	// SendQueue is the number of frames queued for one client (1024);
	// a client that lets it fill is disconnected.
	SendQueue int
	// WriteTimeout bounds the write of one batch of queued frames (10 s).
	WriteTimeout time.Duration
	// MaxFrameBytes caps an incoming frame (256 KiB).
	MaxFrameBytes int64
	// MaxSubscriptions caps the active subscriptions of a connection (500).
	MaxSubscriptions int
	// OfflineAfter is how long a user with no open connection on this
	// node stays online before turning offline (10 s), so that a page
	// reload does not flash "offline" to everyone.
	OfflineAfter time.Duration
	// BusBuffer is the number of events the server may lag behind the bus
	// before it is dropped and resubscribes (16384).
	BusBuffer int
}

func (c *Config) defaults() {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Registerer == nil {
		c.Registerer = prometheus.NewRegistry()
	}
	if c.PingInterval <= 0 {
		c.PingInterval = 15 * time.Second
	}
	if c.PingTimeout <= 0 {
		c.PingTimeout = 15 * time.Second
	}
	if c.SendQueue <= 0 {
		c.SendQueue = 1024
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 10 * time.Second
	}
	if c.MaxFrameBytes <= 0 {
		c.MaxFrameBytes = 256 << 10
	}
	if c.MaxSubscriptions <= 0 {
		c.MaxSubscriptions = 500
	}
	if c.OfflineAfter <= 0 {
		c.OfflineAfter = 10 * time.Second
	}
	if c.BusBuffer <= 0 {
		c.BusBuffer = 16384
	}
}

// Server is the websocket endpoint.
type Server struct {
	cfg     Config
	app     *app.App
	methods *methods.Registry
	log     *slog.Logger
	metrics *metrics
	hub     *hub
	pres    *presence

	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	conns   map[*conn]struct{}
	closing bool
	wg      sync.WaitGroup // connections being served
	hubDone chan struct{}
}

// New starts a server: it subscribes to the app's bus at once, so that no
// event published after New returns is missed.
func New(cfg Config) *Server {
	cfg.defaults()
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		cfg: cfg, app: cfg.App, methods: cfg.Methods, log: cfg.Logger,
		metrics: newMetrics(cfg.Registerer), ctx: ctx, cancel: cancel,
		conns: map[*conn]struct{}{}, hubDone: make(chan struct{}),
	}
	s.pres = newPresence(s)
	s.hub = newHub(s)
	go func() {
		defer close(s.hubDone)
		s.hub.run(ctx)
	}()
	return s
}

// ServeHTTP upgrades GET /websocket and serves the connection until it
// ends.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()
	cw := &coalescingWriter{ResponseWriter: w}
	ws, err := websocket.Accept(cw, r, &websocket.AcceptOptions{
		// Logins travel in the frames, never in cookies, so a page of
		// another origin gains nothing a direct client would not have:
		// clients of any origin are welcome, as with Rocket.Chat.
		InsecureSkipVerify: true,
	})
	if err != nil {
		return
	}
	ws.SetReadLimit(s.cfg.MaxFrameBytes)
	c := newConn(s, ws, cw.out, clientAddr(r))
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		_ = ws.Close(websocket.StatusGoingAway, "shutting down")
		return
	}
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	s.metrics.connections.Inc()
	start := time.Now()
	s.log.Debug("realtime connection opened", "session", c.id, "addr", c.addr)
	c.serve()
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	s.metrics.connections.Dec()
	s.log.Debug("realtime connection closed", "session", c.id, "duration", time.Since(start))
}

// clientAddr is the peer's address, which anonymous method calls are rate
// limited by.
func clientAddr(r *http.Request) string { return r.RemoteAddr }

// Shutdown closes every socket with 1001 (going away), so that clients
// reconnect to another node, and stops listening to the bus. It waits for
// the connections to end until ctx does.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.closeNow(websocket.StatusGoingAway, "server shutting down")
	}
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	s.cancel()
	s.hub.stop()
	<-s.hubDone
	s.pres.stop(ctx)
	return err
}

// closeAll disconnects every client with code and reason, for example
// when this node missed events and clients must resynchronise.
func (s *Server) closeAll(code websocket.StatusCode, reason string) {
	s.mu.Lock()
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.closeNow(code, reason)
	}
}

// metrics are the realtime series.
type metrics struct {
	connections   prometheus.Gauge
	subscriptions prometheus.Gauge
	drops         *prometheus.CounterVec
	// framesIn and framesOut are resolved once: they count every frame.
	framesIn, framesOut prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	frames := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "parley_realtime_frames_total", Help: "DDP frames received (in) and sent (out).",
	}, []string{"direction"})
	m := &metrics{
		connections: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "parley_realtime_connections", Help: "Open websocket connections.",
		}),
		subscriptions: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "parley_realtime_subscriptions", Help: "Active DDP subscriptions.",
		}),
		drops: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_realtime_drops_total", Help: "Connections dropped: slow_consumer (send queue full), bus (this node fell behind the event bus), timeout (no answer to a ping).",
		}, []string{"reason"}),
	}
	reg.MustRegister(m.connections, m.subscriptions, frames, m.drops)
	m.framesIn, m.framesOut = frames.WithLabelValues("in"), frames.WithLabelValues("out")
	for _, r := range []string{"slow_consumer", "bus", "timeout"} {
		m.drops.WithLabelValues(r)
	}
	return m
}
