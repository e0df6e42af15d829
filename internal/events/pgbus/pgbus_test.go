package pgbus

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/store/storetest"
)

// wait bounds every wait for an event, so that a broken bus fails the
// test instead of hanging it.
const wait = 10 * time.Second

// pgURL is a fresh schema on the test cluster. Outside CI, without the
// cluster, the test is skipped; in CI a missing cluster is a failure.
func pgURL(t *testing.T) string {
	t.Helper()
	if os.Getenv(storetest.EnvPostgresURL) == "" && os.Getenv("CI") != "" {
		t.Fatalf("%s is not set in CI: the event bus needs PostgreSQL", storetest.EnvPostgresURL)
	}
	return storetest.PostgresURL(t)
}

func openDB(t *testing.T, url string, conns int) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(conns)
	t.Cleanup(func() { db.Close() })
	return db
}

// node opens a bus on url with a pool of its own.
func node(t *testing.T, url string, o Options) *Bus {
	t.Helper()
	if o.DB == nil {
		o.DB = openDB(t, url, 2)
	}
	o.URL = url
	o.Logger = slog.New(slog.NewTextHandler(testWriter{t}, nil))
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	b, err := New(ctx, o)
	if err != nil {
		t.Fatalf("pgbus.New: %v", err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// next receives one event, failing the test after wait.
func next(t *testing.T, s *events.Subscription) events.Event {
	t.Helper()
	select {
	case e, ok := <-s.C:
		if !ok {
			t.Fatalf("subscription ended: %v", s.Err())
		}
		return e
	case <-time.After(wait):
		t.Fatal("no event within", wait)
	}
	return events.Event{}
}

// until receives events up to and including the first one for which stop
// is true, and returns them all.
func until(t *testing.T, s *events.Subscription, stop func(events.Event) bool) []events.Event {
	t.Helper()
	var got []events.Event
	for {
		e := next(t, s)
		got = append(got, e)
		if stop(e) {
			return got
		}
	}
}

// waitFor polls cond until it holds, failing the test after wait.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(wait); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, wait)
		}
	}
}

func byID(id string) func(events.Event) bool { return func(e events.Event) bool { return e.ID == id } }

func TestTwoNodesDeliverEachOthersEventsOnce(t *testing.T) {
	t.Parallel()
	url := pgURL(t)
	a, b := node(t, url, Options{}), node(t, url, Options{})
	if a.Channel() != b.Channel() || !strings.HasPrefix(a.Channel(), "parley_events.t_") {
		t.Fatalf("channels %q and %q: want one channel named after the test schema", a.Channel(), b.Channel())
	}
	sa, sb := a.Subscribe(100), b.Subscribe(100)
	defer sa.Close()
	defer sb.Close()

	fromA := events.Event{Kind: events.MessageSaved, RoomID: "GENERAL", UserID: "alice", ID: "from-a"}
	fromB := events.Event{Kind: events.Activity, RoomID: "GENERAL", UserID: "bob", ID: "from-b",
		Data: json.RawMessage(`["bøb 😀",["user-typing"]]`)}
	a.Publish(fromA)
	if e := next(t, sb); e.ID != "from-a" || e.Kind != events.MessageSaved || e.UserID != "alice" {
		t.Fatalf("node B got %+v, want node A's message", e)
	}
	b.Publish(fromB)
	e := next(t, sa)
	if e.ID != "from-a" {
		t.Fatalf("node A's own event should come first, locally; got %+v", e)
	}
	e = next(t, sa)
	if e.ID != "from-b" || !jsonEqual(e.Data, fromB.Data) {
		t.Fatalf("node A got %+v, want node B's typing event with its data", e)
	}
	// A fence from B, sent after A's notification was committed: A's own
	// notification, had it been delivered again, would precede it.
	b.Publish(events.Event{Kind: events.RoomChanged, ID: "fence"})
	if got := until(t, sa, byID("fence")); len(got) != 1 {
		t.Fatalf("node A received %+v before the fence: its own event twice?", got[:len(got)-1])
	}
	a.Publish(events.Event{Kind: events.RoomChanged, ID: "fence-a"})
	if got := until(t, sb, byID("fence-a")); len(got) != 3 || got[0].ID != "from-b" || got[1].ID != "fence" {
		t.Fatalf("node B received %+v, want its own two events once, then A's fence", got)
	}
	// A notification is counted as published once its NOTIFY returned,
	// which may be after node B already has it.
	for deadline := time.Now().Add(5 * time.Second); count(a.m.published) < 2 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if p, r := count(a.m.published), count(a.m.received); p != 2 || r != 2 {
		t.Fatalf("node A: published %v, received %v; want 2 and 2", p, r)
	}
}

func TestLargeBatchCrossesInOrder(t *testing.T) {
	t.Parallel()
	url := pgURL(t)
	a, b := node(t, url, Options{}), node(t, url, Options{})
	sb := b.Subscribe(5000)
	defer sb.Close()
	var want []events.Event
	for i := range 3000 {
		e := events.Event{Kind: events.MessageSaved, RoomID: "GENERAL", UserID: "u", ID: fmt.Sprintf("m%04d", i)}
		if i%1000 == 500 {
			// Three events too large for one notification.
			e.Kind, e.Data = events.Activity, json.RawMessage(`"`+strings.Repeat("ü", 12000)+`"`)
		}
		want = append(want, e)
	}
	a.Publish(want...)
	for i, w := range want {
		g := next(t, sb)
		if g.ID != w.ID || g.Kind != w.Kind || !jsonEqual(g.Data, w.Data) {
			t.Fatalf("event %d = %s %s (%d bytes of data), want %s %s", i, g.Kind, g.ID, len(g.Data), w.Kind, w.ID)
		}
	}
	sent := count(a.m.notifications, "sent")
	if sent >= float64(len(want))/10 {
		t.Fatalf("%d events took %v notifications: they should be packed", len(want), sent)
	}
	if d := count(a.m.dropped) + count(b.m.dropped); d != 0 {
		t.Fatalf("%v events dropped", d)
	}
	t.Logf("%d events in %v notifications", len(want), sent)
}

func TestListenConnectionHealsAfterTermination(t *testing.T) {
	t.Parallel()
	url := pgURL(t)
	a, b := node(t, url, Options{}), node(t, url, Options{})
	sb := b.Subscribe(100)
	defer sb.Close()
	admin := openDB(t, url, 1)

	a.Publish(events.Event{Kind: events.RoomChanged, ID: "before"})
	if e := next(t, sb); e.ID != "before" {
		t.Fatalf("got %+v", e)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	var killed bool
	err := admin.QueryRowContext(ctx,
		`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`,
		"parley-bus-"+b.Origin()).Scan(&killed)
	if err != nil || !killed {
		t.Fatalf("terminate node B's LISTEN connection: %v %v", killed, err)
	}
	// The bus says it is back; events sent from then on arrive.
	if e := next(t, sb); e.Kind != events.BusReconnected {
		t.Fatalf("after the connection was killed, got %+v, want %s", e, events.BusReconnected)
	}
	a.Publish(events.Event{Kind: events.RoomChanged, ID: "after"})
	if e := next(t, sb); e.ID != "after" {
		t.Fatalf("after the reconnect, got %+v", e)
	}
	if sb.Err() != nil {
		t.Fatalf("the subscription ended: %v", sb.Err())
	}
	if r := count(b.m.reconnects); r != 1 {
		t.Fatalf("reconnects = %v, want 1", r)
	}
	// The notice is this node's own: node A never hears of it.
	sa := a.Subscribe(10)
	defer sa.Close()
	b.Publish(events.Event{Kind: events.RoomChanged, ID: "fence"})
	if got := until(t, sa, byID("fence")); len(got) != 1 {
		t.Fatalf("node A got %+v before the fence", got)
	}
}

func TestSlowListenerIsDroppedAndFastOnesGetAll(t *testing.T) {
	t.Parallel()
	url := pgURL(t)
	a, b := node(t, url, Options{}), node(t, url, Options{})
	slow, fast := b.Subscribe(2), b.Subscribe(1000)
	defer fast.Close()
	const n = 200
	for i := range n {
		a.Publish(events.Event{Kind: events.MessageSaved, ID: fmt.Sprint(i)})
	}
	for i := range n {
		if e := next(t, fast); e.ID != fmt.Sprint(i) {
			t.Fatalf("fast listener: event %d is %+v", i, e)
		}
	}
	for range slow.C {
	}
	if !errors.Is(slow.Err(), events.ErrDropped) {
		t.Fatalf("slow listener Err = %v, want ErrDropped", slow.Err())
	}
}

// A sender that cannot reach the database holds up neither Publish nor
// this node's listeners; what did not fit the queue is counted, and the
// rest goes out once the database answers again.
func TestPublishNeverWaitsForTheDatabase(t *testing.T) {
	t.Parallel()
	url := pgURL(t)
	db := openDB(t, url, 1)
	const queue, n = 16, 500
	a := node(t, url, Options{DB: db, QueueSize: queue})
	b := node(t, url, Options{})
	sa, sb := a.Subscribe(n+10), b.Subscribe(n+10)
	defer sa.Close()
	defer sb.Close()

	// Holding the pool's only connection blocks every NOTIFY of node A.
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	held, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range n {
			a.Publish(events.Event{Kind: events.MessageSaved, ID: fmt.Sprint(i)})
		}
	}()
	select {
	case <-done:
	case <-time.After(wait):
		t.Fatal("Publish blocked while the database was busy")
	}
	if got := len(sa.C); got != n {
		t.Fatalf("node A's own listener has %d events, want all %d", got, n)
	}
	dropped := count(a.m.dropped, dropQueueFull)
	if dropped < n-queue-maxBatch || dropped > n-queue {
		t.Fatalf("%v events dropped for a queue of %d", dropped, queue)
	}
	held.Close()

	// What was queued reaches node B, in order, and nothing else.
	want := n - int(dropped)
	got := until(t, sb, func(events.Event) bool { want--; return want == 0 })
	for i := 1; i < len(got); i++ {
		var x, y int
		fmt.Sscan(got[i-1].ID, &x)
		fmt.Sscan(got[i].ID, &y)
		if y <= x {
			t.Fatalf("node B received %s after %s", got[i].ID, got[i-1].ID)
		}
	}
	a.Publish(events.Event{Kind: events.RoomChanged, ID: "fence"})
	if e := next(t, sb); e.ID != "fence" {
		t.Fatalf("after the queued events, node B got %+v", e)
	}
}

func TestCloseStopsAndLeavesLocalDelivery(t *testing.T) {
	t.Parallel()
	url := pgURL(t)
	a, b := node(t, url, Options{}), node(t, url, Options{})
	sa, sb := a.Subscribe(10), b.Subscribe(10)
	defer sa.Close()
	defer sb.Close()
	a.Publish(events.Event{Kind: events.RoomChanged, ID: "queued"})
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	// Close flushed the queue.
	if e := next(t, sb); e.ID != "queued" {
		t.Fatalf("node B got %+v", e)
	}
	a.Close()
	a.Publish(events.Event{Kind: events.RoomChanged, ID: "local"})
	if e := next(t, sa); e.ID != "queued" {
		t.Fatalf("node A got %+v", e)
	}
	if e := next(t, sa); e.ID != "local" {
		t.Fatalf("after Close node A got %+v, want its own event", e)
	}
	b.Publish(events.Event{Kind: events.RoomChanged, ID: "fence"})
	if got := until(t, sb, byID("fence")); len(got) != 1 {
		t.Fatalf("node B got %+v from a closed bus", got)
	}
	// The LISTEN connection is gone.
	admin := openDB(t, url, 1)
	var left int
	if err := admin.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE application_name = $1`, "parley-bus-"+a.Origin()).Scan(&left); err != nil || left != 0 {
		t.Fatalf("%d connections of the closed bus left (%v)", left, err)
	}
}

// A node that hears no other sends only its heartbeats; it sends events
// again as soon as another node says it is there, and stops once that
// node has been silent for the peer timeout.
func TestANodeAloneSendsOnlyHeartbeats(t *testing.T) {
	t.Parallel()
	url := pgURL(t)
	o := Options{Heartbeat: 50 * time.Millisecond, PeerTimeout: 300 * time.Millisecond}
	a := node(t, url, o)

	// A plain LISTEN connection sees what crosses; it is not a node, so
	// it does not count as one.
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	raw, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close(context.Background())
	if _, err := raw.Exec(ctx, "LISTEN "+pgx.Identifier{a.Channel()}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	// listenForBeats counts what node A sends until it has sent three
	// heartbeats (one may be from before): by then its sender has come
	// round since anything published before, however slowly the machine
	// runs.
	listenForBeats := func() (beats, batches int) {
		t.Helper()
		for beats < 3 {
			n, err := raw.WaitForNotification(ctx)
			if err != nil {
				t.Fatalf("listening for node A's heartbeats (%d so far): %v", beats, err)
			}
			var env envelope
			if err := json.Unmarshal([]byte(n.Payload), &env); err != nil {
				t.Fatalf("notification %q: %v", n.Payload, err)
			}
			if env.Origin != a.Origin() {
				continue // node B's, sent before it closed
			}
			if len(env.Events) == 0 && env.Parts == 0 {
				beats++
			} else {
				batches++
			}
		}
		return beats, batches
	}
	waitFor(t, "node A finds itself alone", func() bool { return !a.hasPeers() })
	a.Publish(events.Event{Kind: events.MessageSaved, ID: "unheard"})
	if _, batches := listenForBeats(); batches != 0 {
		t.Fatalf("alone, node A sent %d event batches beside its heartbeats; want heartbeats only", batches)
	}
	if p := count(a.m.published); p != 0 {
		t.Fatalf("alone, node A published %v events", p)
	}

	b := node(t, url, o)
	sb := b.Subscribe(10)
	defer sb.Close()
	waitFor(t, "node A hears node B", a.hasPeers)
	a.Publish(events.Event{Kind: events.MessageSaved, ID: "heard"})
	if e := next(t, sb); e.ID != "heard" {
		t.Fatalf("node B got %+v, want node A's event", e)
	}

	b.Close()
	waitFor(t, "node A finds itself alone again", func() bool { return !a.hasPeers() })
	before := count(a.m.published)
	a.Publish(events.Event{Kind: events.MessageSaved, ID: "unheard-again"})
	listenForBeats()
	if p := count(a.m.published); p != before {
		t.Fatalf("alone again, node A published %v events, want none", p-before)
	}
}

// A node whose LISTEN connection comes back heard nothing while it was
// down, so it sends again as a new node does, until the peer timeout
// shows it is alone.
func TestANodeBackFromALostConnectionSendsAgain(t *testing.T) {
	t.Parallel()
	url := pgURL(t)
	a := node(t, url, Options{Heartbeat: 50 * time.Millisecond, PeerTimeout: time.Second})
	sa := a.Subscribe(10)
	defer sa.Close()
	waitFor(t, "node A finds itself alone", func() bool { return !a.hasPeers() })
	admin := openDB(t, url, 1)
	var killed bool
	if err := admin.QueryRowContext(t.Context(), `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`,
		"parley-bus-"+a.Origin()).Scan(&killed); err != nil || !killed {
		t.Fatalf("terminate node A's LISTEN connection: %v %v", killed, err)
	}
	if e := next(t, sa); e.Kind != events.BusReconnected {
		t.Fatalf("got %+v, want %s", e, events.BusReconnected)
	}
	before := count(a.m.published)
	a.Publish(events.Event{Kind: events.MessageSaved, ID: "after"})
	waitFor(t, "node A, back from a lost connection, sends", func() bool { return count(a.m.published) > before })
}
