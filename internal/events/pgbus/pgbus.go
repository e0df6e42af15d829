// Package pgbus carries events between Parley nodes that share one
// PostgreSQL database, with LISTEN/NOTIFY on one channel, so that the
// database the nodes already use is the bus and no other service is needed.
//
// Publish delivers to this node's subscriptions at once, as the in-memory
// bus does, and queues the events for the other nodes. One goroutine drains
// the queue: it packs as many events as fit into each notification (the
// payload limit is 8,000 bytes) and sends them with pg_notify through the
// store's pool. An event too large for one notification is split into
// numbered parts that the receivers put back together; parts of one event
// are sent one after the other by the one sending goroutine, and PostgreSQL
// delivers the notifications of one sender in commit order.
//
// One dedicated connection LISTENs. Each node tags its notifications with
// a random origin id and skips its own, which it has already delivered.
//
// A node that hears no other node sends no events: every notification it
// sent would come back to it alone, and on one node that was over a
// third of a post's CPU. Each node therefore says it is there with an
// empty notification when it connects and every Options.Heartbeat, and
// sends events only while it has heard another node within
// Options.PeerTimeout. A node starts as if it had just heard one, so that
// its first events reach nodes that were already running, and so does a
// node whose LISTEN connection is back; while that connection is down it
// cannot hear the others, and sends as if they were there.
//
// When the connection is lost the bus reconnects by itself, with backoff,
// and then announces events.BusReconnected on this node, because events of
// other nodes sent in between are lost: delivery is at most once, like the
// rest of the bus.
package pgbus

import (
	"context"
	crand "crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/parleychat/parley/internal/events"
)

// Limits of the transport. PostgreSQL refuses a payload of 8,000 bytes or
// more (with its default page size).
const (
	maxPayload = 7999
	// partBytes is the share of a large event carried by one part: its
	// base64 form (4/3 as long) plus the envelope stays under maxPayload.
	partBytes = 5700
	// maxChannel is PostgreSQL's identifier length; longer names are cut.
	maxChannel = 63
)

// Defaults for Options.
const (
	DefaultQueueSize     = 4096
	DefaultMaxEventBytes = 256 << 10
	// maxBatch bounds the events the sender takes from the queue for one
	// statement.
	maxBatch = 1024
	// A node that misses five heartbeats in a row is taken to be gone.
	DefaultHeartbeat   = 2 * time.Second
	DefaultPeerTimeout = 10 * time.Second
)

// Timing of the connections. Variables, so that tests can shorten them.
var (
	// idleCheck is how long the LISTEN connection may stay silent before
	// the bus pings it: a connection dropped by the network without a word
	// would otherwise wait for ever.
	idleCheck   = 15 * time.Second
	pingTimeout = 5 * time.Second
	// connectTimeout bounds one attempt to (re)connect and LISTEN.
	connectTimeout = 10 * time.Second
	// sendTimeout bounds one NOTIFY statement.
	sendTimeout = 10 * time.Second
	// flushTimeout bounds how long Close keeps sending queued events.
	flushTimeout = 2 * time.Second
	minBackoff   = 100 * time.Millisecond
	maxBackoff   = 10 * time.Second
	// warnEvery spaces out the repeated warnings of a failing bus.
	warnEvery = 10 * time.Second
)

// Options configures a Bus.
type Options struct {
	// URL is the database's connection URL, as the store opens it; the bus
	// opens its one LISTEN connection with it.
	URL string
	// DB sends the notifications: normally the store's pool.
	DB *sql.DB
	// Channel is the notification channel. Empty derives it from the
	// connection's schema (see ChannelFor), so that installations in
	// different schemas of one database do not hear each other.
	Channel string
	Logger  *slog.Logger
	// Registerer receives the bus's metrics; nil registers none.
	Registerer prometheus.Registerer
	// QueueSize bounds the events waiting to be sent to the other nodes;
	// past it new events are dropped for them (this node still gets them).
	QueueSize int
	// MaxEventBytes bounds one event's encoding; a larger event is
	// delivered on this node only.
	MaxEventBytes int
	// Heartbeat is how often the node tells the others it is there, and
	// PeerTimeout how long after it last heard another node it stops
	// sending events; zero takes DefaultHeartbeat and DefaultPeerTimeout.
	Heartbeat, PeerTimeout time.Duration
}

var _ events.Bus = (*Bus)(nil)

// Bus is an events.Bus shared by every node on one PostgreSQL database.
type Bus struct {
	local   *events.Memory
	db      *sql.DB
	connCfg *pgx.ConnConfig
	channel string
	origin  string
	log     *slog.Logger
	maxEv   int

	queue  chan events.Event
	seq    atomic.Uint64
	closed atomic.Bool

	heartbeat, peerTimeout time.Duration
	// peerSeen is when another node was last heard from (UnixNano).
	peerSeen atomic.Int64
	// deaf: the LISTEN connection is down, so silence says nothing.
	deaf atomic.Bool
	// hello asks the sender for a heartbeat now: the LISTEN connection is
	// back, and the others may have taken this node for gone.
	hello chan struct{}

	stop       chan struct{}
	closeOnce  sync.Once
	listenStop context.CancelFunc
	sendCtx    context.Context
	sendStop   context.CancelFunc
	wg         sync.WaitGroup

	// parts holds, per origin, the large event being put back together.
	parts map[string]*assembly

	m          metrics
	queueWarn  throttle
	sendWarn   throttle
	assembleMu sync.Mutex
}

type metrics struct {
	published, received prometheus.Counter
	notifications       *prometheus.CounterVec
	dropped             *prometheus.CounterVec
	reconnects          prometheus.Counter
}

// Reasons for dropped events, as the metric labels them.
const (
	dropQueueFull  = "queue_full"
	dropTooLarge   = "too_large"
	dropSendFailed = "send_failed"
	dropIncomplete = "incomplete"
	dropMalformed  = "malformed"
)

// envelope is one notification's payload: a batch of events, or one part
// of an event too large for a notification of its own.
type envelope struct {
	// Origin is the sending node's id; Seq numbers its notifications, so
	// that no two payloads are identical (PostgreSQL folds identical
	// notifications of one transaction into one).
	Origin string         `json:"o"`
	Seq    uint64         `json:"s"`
	Events []events.Event `json:"e,omitempty"`
	// Split is the Seq of the first part of a large event; Part counts
	// from 0 to Parts-1, and Chunk is that part's bytes of the event's
	// JSON.
	Split uint64 `json:"x,omitempty"`
	Part  int    `json:"p,omitempty"`
	Parts int    `json:"n,omitempty"`
	Chunk []byte `json:"b,omitempty"`
}

type assembly struct {
	split uint64
	next  int
	parts int
	buf   []byte
}

// New connects the LISTEN connection and starts the bus. It fails when the
// database cannot be reached; after that the bus heals by itself.
func New(ctx context.Context, o Options) (*Bus, error) {
	if o.DB == nil {
		return nil, errors.New("pgbus: Options.DB is required")
	}
	cfg, err := pgx.ParseConfig(o.URL)
	if err != nil {
		return nil, fmt.Errorf("pgbus: %w", err)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.QueueSize <= 0 {
		o.QueueSize = DefaultQueueSize
	}
	if o.MaxEventBytes <= 0 {
		o.MaxEventBytes = DefaultMaxEventBytes
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = DefaultHeartbeat
	}
	if o.PeerTimeout <= 0 {
		o.PeerTimeout = DefaultPeerTimeout
	}
	var id [8]byte
	if _, err := crand.Read(id[:]); err != nil {
		return nil, err
	}
	b := &Bus{
		local: events.NewMemory(), db: o.DB, connCfg: cfg, channel: o.Channel,
		origin: hex.EncodeToString(id[:]), log: o.Logger, maxEv: o.MaxEventBytes,
		queue: make(chan events.Event, o.QueueSize), stop: make(chan struct{}),
		parts:     map[string]*assembly{},
		m:         newMetrics(o.Registerer),
		heartbeat: o.Heartbeat, peerTimeout: o.PeerTimeout, hello: make(chan struct{}, 1),
	}
	b.peerSeen.Store(time.Now().UnixNano())
	// The origin in application_name lets an operator (and the tests) tell
	// each node's LISTEN connection apart in pg_stat_activity.
	cfg.RuntimeParams["application_name"] = "parley-bus-" + b.origin

	conn, err := b.connect(ctx)
	if err != nil {
		return nil, fmt.Errorf("pgbus: listen: %w", err)
	}
	listenCtx, listenStop := context.WithCancel(context.Background())
	b.listenStop = listenStop
	b.sendCtx, b.sendStop = context.WithCancel(context.Background())
	b.wg.Add(2)
	go b.listen(listenCtx, conn)
	go b.send()
	b.log.Info("event bus listening on PostgreSQL", "channel", b.channel, "origin", b.origin)
	return b, nil
}

// Origin is this node's id in its notifications.
func (b *Bus) Origin() string { return b.origin }

// Channel is the notification channel the bus uses.
func (b *Bus) Channel() string { return b.channel }

// Subscribe opens a subscription to the events of every node.
func (b *Bus) Subscribe(buffer int) *events.Subscription { return b.local.Subscribe(buffer) }

// Publish delivers the events on this node and queues them for the others.
// It never waits: when the queue is full the other nodes miss the event,
// which is counted and logged.
func (b *Bus) Publish(evs ...events.Event) {
	b.local.Publish(evs...)
	if b.closed.Load() || !b.hasPeers() {
		return
	}
	for _, e := range evs {
		if e.Kind == events.BusReconnected {
			continue // about this node's link only
		}
		select {
		case b.queue <- e:
		default:
			b.m.dropped.WithLabelValues(dropQueueFull).Inc()
			if b.queueWarn.ok() {
				b.log.Warn("event bus: outgoing queue full, events dropped for the other nodes", "capacity", cap(b.queue))
			}
		}
	}
}

// hasPeers says another node may be listening: one was heard from within
// the peer timeout, or this node cannot hear them.
func (b *Bus) hasPeers() bool {
	return b.deaf.Load() || time.Since(time.Unix(0, b.peerSeen.Load())) < b.peerTimeout
}

// Close sends what is queued (for a moment at most), then stops both
// connections' goroutines. Subscriptions stay open but receive only events
// published on this node from then on.
func (b *Bus) Close() error {
	b.closeOnce.Do(func() {
		b.closed.Store(true)
		close(b.stop)
		b.listenStop()
		t := time.AfterFunc(flushTimeout, b.sendStop)
		b.wg.Wait()
		t.Stop()
		b.sendStop()
	})
	return nil
}

// ChannelFor is the channel of an installation in schema: parley_events in
// "public", parley_events.<schema> elsewhere, and a digest of the schema
// when that would be longer than PostgreSQL keeps.
func ChannelFor(schema string) string {
	const base = "parley_events"
	if schema == "" || schema == "public" {
		return base
	}
	if c := base + "." + schema; len(c) <= maxChannel {
		return c
	}
	sum := sha256.Sum256([]byte(schema))
	return base + "." + hex.EncodeToString(sum[:16])
}

// connect opens a connection and LISTENs on it; the first time it also
// settles the channel's name.
func (b *Bus) connect(ctx context.Context) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, b.connCfg.Copy())
	if err != nil {
		return nil, err
	}
	if b.channel == "" {
		var schema *string
		if err := conn.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
			conn.Close(context.Background())
			return nil, err
		}
		if schema != nil {
			b.channel = ChannelFor(*schema)
		} else {
			b.channel = ChannelFor("")
		}
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{b.channel}.Sanitize()); err != nil {
		conn.Close(context.Background())
		return nil, err
	}
	return conn, nil
}

// listen receives notifications until ctx ends, reconnecting whenever the
// connection fails.
func (b *Bus) listen(ctx context.Context, conn *pgx.Conn) {
	defer b.wg.Done()
	for {
		err := b.receive(ctx, conn)
		closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn.Close(closeCtx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		b.log.Warn("event bus: LISTEN connection lost, reconnecting", "err", err)
		b.deaf.Store(true)
		lost := time.Now()
		if conn = b.reconnect(ctx); conn == nil {
			return
		}
		// The others' heartbeats sent meanwhile are lost: start over as a
		// new node does.
		b.peerSeen.Store(time.Now().UnixNano())
		b.deaf.Store(false)
		b.m.reconnects.Inc()
		b.log.Info("event bus: LISTEN connection back", "after", time.Since(lost).Round(time.Millisecond))
		b.resetAssemblies()
		select {
		case b.hello <- struct{}{}:
		default:
		}
		b.local.Publish(events.Event{Kind: events.BusReconnected})
	}
}

// reconnect retries with growing, jittered waits until it gets a listening
// connection, or returns nil when ctx ends.
func (b *Bus) reconnect(ctx context.Context) *pgx.Conn {
	wait := minBackoff
	var warn throttle
	for attempt := 1; ; attempt++ {
		t := time.NewTimer(wait/2 + rand.N(wait/2+1))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		conn, err := b.connect(ctx)
		if err == nil {
			return conn
		}
		if ctx.Err() != nil {
			return nil
		}
		if warn.ok() {
			b.log.Warn("event bus: reconnect failed", "attempt", attempt, "err", err)
		}
		wait = min(2*wait, maxBackoff)
	}
}

// receive hands each notification to deliver until the connection fails
// or ctx ends. A connection silent for idleCheck is pinged.
func (b *Bus) receive(ctx context.Context, conn *pgx.Conn) error {
	for {
		wctx, cancel := context.WithTimeout(ctx, idleCheck)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		if err == nil {
			b.deliver(n.Payload)
			continue
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// A timed-out wait leaves the connection usable (pgx sets a read
		// deadline rather than cancelling on the server).
		if !pgconn.Timeout(err) || conn.IsClosed() {
			return err
		}
		pctx, cancel := context.WithTimeout(ctx, pingTimeout)
		err = conn.Ping(pctx)
		cancel()
		if err != nil {
			return err
		}
	}
}

// sentBy says payload is one that origin encoded: both pack and
// json.Marshal of an envelope write the origin first.
func sentBy(payload, origin string) bool {
	const key = `{"o":"`
	rest, ok := strings.CutPrefix(payload, key)
	return ok && strings.HasPrefix(rest, origin) && strings.HasPrefix(rest[len(origin):], `"`)
}

// deliver hands another node's notification to this node's subscriptions.
func (b *Bus) deliver(payload string) {
	// Half of what a node of two hears is its own, and decoding is most of
	// the cost of a notification, so those are skipped undecoded.
	if sentBy(payload, b.origin) {
		return
	}
	var env envelope
	if err := json.Unmarshal([]byte(payload), &env); err != nil || env.Origin == "" {
		b.m.dropped.WithLabelValues(dropMalformed).Inc()
		return
	}
	if env.Origin == b.origin {
		return // delivered here when it was published
	}
	b.peerSeen.Store(time.Now().UnixNano())
	if env.Parts == 0 && len(env.Events) == 0 {
		return // a heartbeat
	}
	b.m.notifications.WithLabelValues("received").Inc()
	if env.Parts == 0 {
		b.m.received.Add(float64(len(env.Events)))
		b.local.Publish(env.Events...)
		return
	}
	if e, ok := b.assemble(&env); ok {
		b.m.received.Inc()
		b.local.Publish(e)
	}
}

// assemble adds one part of a large event; it returns the event once the
// last part is in. Parts of one event arrive one after the other, so a
// part out of turn means some were lost (to a reconnect): the event is
// dropped.
func (b *Bus) assemble(env *envelope) (events.Event, bool) {
	b.assembleMu.Lock()
	defer b.assembleMu.Unlock()
	a := b.parts[env.Origin]
	if env.Part == 0 {
		if a != nil {
			b.m.dropped.WithLabelValues(dropIncomplete).Inc()
		}
		// Only nodes that died half-way through an event leave entries
		// behind; bound them all the same.
		if len(b.parts) >= 256 {
			clear(b.parts)
		}
		a = &assembly{split: env.Split, parts: env.Parts}
		b.parts[env.Origin] = a
	} else if a == nil || a.split != env.Split || a.next != env.Part || a.parts != env.Parts {
		if a != nil {
			delete(b.parts, env.Origin)
			b.m.dropped.WithLabelValues(dropIncomplete).Inc()
		}
		return events.Event{}, false
	}
	a.buf = append(a.buf, env.Chunk...)
	a.next++
	if a.next < a.parts {
		if len(a.buf) > b.maxEv {
			delete(b.parts, env.Origin)
			b.m.dropped.WithLabelValues(dropTooLarge).Inc()
		}
		return events.Event{}, false
	}
	delete(b.parts, env.Origin)
	var e events.Event
	if err := json.Unmarshal(a.buf, &e); err != nil {
		b.m.dropped.WithLabelValues(dropMalformed).Inc()
		return events.Event{}, false
	}
	return e, true
}

// resetAssemblies forgets half-received events: their remaining parts
// were sent while the connection was down.
func (b *Bus) resetAssemblies() {
	b.assembleMu.Lock()
	n := len(b.parts)
	clear(b.parts)
	b.assembleMu.Unlock()
	b.m.dropped.WithLabelValues(dropIncomplete).Add(float64(n))
}

// send drains the queue until Close, then flushes what is left; between
// events it sends the heartbeats.
func (b *Bus) send() {
	defer b.wg.Done()
	batch := make([]events.Event, 0, maxBatch)
	b.sendHeartbeat()
	beat := time.NewTicker(b.heartbeat)
	defer beat.Stop()
	for {
		select {
		case e := <-b.queue:
			batch = b.drain(append(batch[:0], e))
			b.sendBatch(batch)
		case <-beat.C:
			b.sendHeartbeat()
		case <-b.hello:
			b.sendHeartbeat()
		case <-b.stop:
			for len(b.queue) > 0 && b.sendCtx.Err() == nil {
				batch = b.drain(batch[:0])
				b.sendBatch(batch)
			}
			return
		}
	}
}

// drain adds to batch the events already queued, up to maxBatch.
func (b *Bus) drain(batch []events.Event) []events.Event {
	for len(batch) < maxBatch {
		select {
		case e := <-b.queue:
			batch = append(batch, e)
		default:
			return batch
		}
	}
	return batch
}

// sendBatch sends batch in as few notifications as fit, all in one
// statement (one commit).
func (b *Bus) sendBatch(batch []events.Event) {
	payloads, counted := b.pack(batch)
	if len(payloads) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(b.sendCtx, sendTimeout)
	defer cancel()
	// unnest yields the payloads in array order, and notifications of one
	// transaction are delivered in the order they were sent.
	_, err := b.db.ExecContext(ctx, "SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p", b.channel, payloads)
	if err != nil {
		b.m.dropped.WithLabelValues(dropSendFailed).Add(float64(counted))
		if b.sendWarn.ok() {
			b.log.Warn("event bus: NOTIFY failed, events dropped for the other nodes", "events", counted, "err", err)
		}
		return
	}
	b.m.published.Add(float64(counted))
	b.m.notifications.WithLabelValues("sent").Add(float64(len(payloads)))
}

// sendHeartbeat sends a notification without events, which tells the
// other nodes this one is there.
func (b *Bus) sendHeartbeat() {
	ctx, cancel := context.WithTimeout(b.sendCtx, sendTimeout)
	defer cancel()
	payload, err := json.Marshal(envelope{Origin: b.origin, Seq: b.seq.Add(1)})
	if err != nil {
		return
	}
	if _, err := b.db.ExecContext(ctx, "SELECT pg_notify($1, $2)", b.channel, string(payload)); err != nil && b.sendWarn.ok() {
		b.log.Warn("event bus: heartbeat failed", "err", err)
	}
}

// pack encodes batch into payloads under maxPayload bytes each; it
// returns them with the number of events they carry.
func (b *Bus) pack(batch []events.Event) ([]string, int) {
	var (
		payloads []string
		cur      []byte
		counted  int
	)
	head := func() []byte {
		return fmt.Appendf(nil, `{"o":%q,"s":%d,"e":[`, b.origin, b.seq.Add(1))
	}
	flush := func() {
		if cur != nil {
			payloads = append(payloads, string(append(cur, "]}"...)))
			cur = nil
		}
	}
	for _, e := range batch {
		raw, err := json.Marshal(e)
		if err != nil {
			b.m.dropped.WithLabelValues(dropMalformed).Inc()
			continue
		}
		raw = asciiJSON(raw)
		if len(raw) > b.maxEv {
			b.m.dropped.WithLabelValues(dropTooLarge).Inc()
			continue
		}
		counted++
		// 2 for "]}", 1 for a separating comma.
		if cur != nil && len(cur)+1+len(raw)+2 <= maxPayload {
			cur = append(append(cur, ','), raw...)
			continue
		}
		flush()
		if h := head(); len(h)+len(raw)+2 <= maxPayload {
			cur = append(h, raw...)
			continue
		}
		payloads = append(payloads, b.split(raw)...)
	}
	flush()
	return payloads, counted
}

// split cuts one event's JSON into parts that each fit a notification.
func (b *Bus) split(raw []byte) []string {
	n := (len(raw) + partBytes - 1) / partBytes
	out := make([]string, 0, n)
	var first uint64
	for i := range n {
		seq := b.seq.Add(1)
		if i == 0 {
			first = seq
		}
		chunk := raw[i*partBytes : min(len(raw), (i+1)*partBytes)]
		p, _ := json.Marshal(envelope{Origin: b.origin, Seq: seq, Split: first, Part: i, Parts: n, Chunk: chunk})
		out = append(out, string(p))
	}
	return out
}

// asciiJSON escapes every non-ASCII character of a JSON text as \uXXXX,
// so that a payload's length in bytes is the same in any server encoding
// and no character can fail to convert.
func asciiJSON(b []byte) []byte {
	i := 0
	for i < len(b) && b[i] < utf8.RuneSelf {
		i++
	}
	if i == len(b) {
		return b
	}
	out := make([]byte, i, len(b)+32)
	copy(out, b[:i])
	for i < len(b) {
		c := b[i]
		if c < utf8.RuneSelf {
			out = append(out, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		i += size
		if r >= 0x10000 {
			r -= 0x10000
			out = appendU(appendU(out, 0xD800+(r>>10)), 0xDC00+(r&0x3FF))
		} else {
			out = appendU(out, r)
		}
	}
	return out
}

func appendU(out []byte, r rune) []byte {
	s := strconv.FormatInt(int64(r), 16)
	out = append(out, `\u`...)
	for range 4 - len(s) {
		out = append(out, '0')
	}
	return append(out, s...)
}

func newMetrics(reg prometheus.Registerer) metrics {
	m := metrics{
		published: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "parley_bus_events_published_total",
			Help: "Events this node sent to the other nodes.",
		}),
		received: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "parley_bus_events_received_total",
			Help: "Events received from the other nodes.",
		}),
		notifications: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_bus_notifications_total",
			Help: "PostgreSQL notifications sent and received by the event bus (each carries one or more events, or part of one).",
		}, []string{"direction"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_bus_events_dropped_total",
			Help: "Events lost between nodes, by reason: queue_full, too_large, send_failed, incomplete, malformed.",
		}, []string{"reason"}),
		reconnects: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "parley_bus_reconnects_total",
			Help: "Times the event bus's LISTEN connection was lost and opened again.",
		}),
	}
	// Series that read 0 are shown from the start.
	for _, d := range []string{"sent", "received"} {
		m.notifications.WithLabelValues(d)
	}
	for _, r := range []string{dropQueueFull, dropTooLarge, dropSendFailed, dropIncomplete, dropMalformed} {
		m.dropped.WithLabelValues(r)
	}
	if reg != nil {
		reg.MustRegister(m.published, m.received, m.notifications, m.dropped, m.reconnects)
	}
	return m
}

// throttle lets a repeated warning through once per warnEvery.
type throttle struct {
	mu   sync.Mutex
	last time.Time
}

func (t *throttle) ok() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	if !t.last.IsZero() && now.Sub(t.last) < warnEvery {
		return false
	}
	t.last = now
	return true
}
