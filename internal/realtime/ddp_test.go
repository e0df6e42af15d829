package realtime_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parleychat/parley/internal/api/apitest"
	"github.com/parleychat/parley/internal/realtime"
)

// wait is the deadline for a frame that should come.
const wait = 5 * time.Second

// frame is one decoded DDP frame.
type frame = map[string]any

// ddp is a raw DDP client over a real websocket.
type ddp struct {
	t      testing.TB
	ws     *websocket.Conn
	frames chan frame
	// closed receives the error that ended the reader.
	closed chan error
	seq    atomic.Int64
}

// dialRaw opens the websocket and reads the greeting, without connect.
func dialRaw(t testing.TB, rt *apitest.Realtime) *ddp {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, rt.WS, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	ws.SetReadLimit(16 << 20)
	d := &ddp{t: t, ws: ws, frames: make(chan frame, 4096), closed: make(chan error, 1)}
	go func() {
		for {
			_, b, err := ws.Read(context.Background())
			if err != nil {
				d.closed <- err
				close(d.frames)
				return
			}
			var f frame
			if err := json.Unmarshal(b, &f); err != nil {
				d.closed <- err
				close(d.frames)
				return
			}
			d.frames <- f
		}
	}()
	t.Cleanup(func() { _ = ws.CloseNow() })
	if g := d.next(); g["server_id"] != "0" {
		t.Fatalf("greeting = %v", g)
	}
	return d
}

// dial connects with DDP version 1.
func dial(t testing.TB, rt *apitest.Realtime) *ddp {
	t.Helper()
	d := dialRaw(t, rt)
	d.send(frame{"msg": "connect", "version": "1", "support": []string{"1", "pre2", "pre1"}})
	if f := d.next(); f["msg"] != "connected" {
		t.Fatalf("connect: %v", f)
	} else if _, ok := f["session"].(string); !ok {
		t.Fatalf("session is not a string: %v", f)
	}
	return d
}

// loggedIn dials and logs in with a REST token.
func loggedIn(t testing.TB, rt *apitest.Realtime, c *apitest.Client) *ddp {
	t.Helper()
	d := dial(t, rt)
	res := d.call("login", frame{"resume": c.Token})
	if res["error"] != nil {
		t.Fatalf("login: %v", res)
	}
	return d
}

func (d *ddp) send(v any) {
	d.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		d.t.Fatal(err)
	}
	d.sendRaw(b)
}

func (d *ddp) sendRaw(b []byte) {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := d.ws.Write(ctx, websocket.MessageText, b); err != nil {
		d.t.Fatalf("write: %v", err)
	}
}

// next returns the next frame, failing after the deadline.
func (d *ddp) next() frame {
	d.t.Helper()
	select {
	case f, ok := <-d.frames:
		if !ok {
			d.t.Fatalf("connection closed: %v", <-d.closed)
		}
		return f
	case <-time.After(wait):
		d.t.Fatal("no frame within the deadline")
	}
	return nil
}

// until returns the first frame for which match holds, skipping others.
func (d *ddp) until(what string, match func(frame) bool) frame {
	d.t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case f, ok := <-d.frames:
			if !ok {
				d.t.Fatalf("connection closed waiting for %s: %v", what, <-d.closed)
			}
			if match(f) {
				return f
			}
		case <-deadline:
			d.t.Fatalf("no %s within the deadline", what)
		}
	}
}

// event waits for a stream event on collection with eventName.
func (d *ddp) event(collection, eventName string) []any {
	d.t.Helper()
	return d.eventArgs(d.until(collection+" "+eventName, isEvent(collection, eventName)))
}

// isEvent matches a stream event on collection with eventName.
func isEvent(collection, eventName string) func(frame) bool {
	return func(f frame) bool {
		if f["msg"] != "changed" || f["collection"] != collection {
			return false
		}
		fields, _ := f["fields"].(map[string]any)
		return fields["eventName"] == eventName
	}
}

// eventArgs checks a stream event's frame and returns its arguments.
func (d *ddp) eventArgs(f frame) []any {
	d.t.Helper()
	if f["id"] != "id" {
		d.t.Fatalf("stream event id = %v, want \"id\"", f["id"])
	}
	return f["fields"].(map[string]any)["args"].([]any)
}

// nextEvent returns the next stream event on collection, whatever its
// name, skipping other frames.
func (d *ddp) nextEvent(collection string) (string, []any) {
	d.t.Helper()
	f := d.until("an event on "+collection, func(f frame) bool { return f["msg"] == "changed" && f["collection"] == collection })
	fields := f["fields"].(map[string]any)
	return fields["eventName"].(string), fields["args"].([]any)
}

func (d *ddp) id() string { return "t" + strconv.FormatInt(d.seq.Add(1), 10) }

// call runs a method and returns its result frame, checking the updated
// frame that follows it.
func (d *ddp) call(method string, params ...any) frame {
	d.t.Helper()
	if params == nil {
		params = []any{}
	}
	id := d.id()
	d.send(frame{"msg": "method", "id": id, "method": method, "params": params})
	res := d.until("result of "+method, func(f frame) bool { return f["msg"] == "result" && f["id"] == id })
	d.until("updated of "+method, func(f frame) bool {
		ids, _ := f["methods"].([]any)
		return f["msg"] == "updated" && len(ids) == 1 && ids[0] == id
	})
	return res
}

// sub subscribes and returns ready or nosub.
func (d *ddp) sub(name string, params ...any) (string, frame) {
	d.t.Helper()
	id := d.id()
	d.send(frame{"msg": "sub", "id": id, "name": name, "params": params})
	f := d.until("ready or nosub", func(f frame) bool {
		if f["msg"] == "nosub" && f["id"] == id {
			return true
		}
		subs, _ := f["subs"].([]any)
		return f["msg"] == "ready" && len(subs) == 1 && subs[0] == id
	})
	return id, f
}

// mustSub subscribes and fails unless ready.
func (d *ddp) mustSub(name string, params ...any) string {
	d.t.Helper()
	id, f := d.sub(name, params...)
	if f["msg"] != "ready" {
		d.t.Fatalf("sub %s %v: %v", name, params, f)
	}
	return id
}

// closeStatus waits for the connection to end and returns its close code.
func (d *ddp) closeStatus() websocket.StatusCode {
	d.t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case _, ok := <-d.frames:
			if !ok {
				return websocket.CloseStatus(<-d.closed)
			}
		case <-deadline:
			d.t.Fatal("connection not closed within the deadline")
		}
	}
}

// noFrames fails if a frame is already waiting.
func (d *ddp) noFrames(what string) {
	d.t.Helper()
	select {
	case f := <-d.frames:
		d.t.Fatalf("%s: unexpected frame %v", what, f)
	default:
	}
}

// meteorError checks a Meteor error object.
func meteorError(t testing.TB, v any, code any, reason string) {
	t.Helper()
	e, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("no error object in %v", v)
	}
	if e["error"] != code || e["reason"] != reason || e["errorType"] != "Meteor.Error" || e["isClientSafe"] != true {
		t.Fatalf("error = %v, want %v %q", e, code, reason)
	}
}

func digest(pw string) string {
	s := sha256.Sum256([]byte(pw))
	return hex.EncodeToString(s[:])
}

func newRealtime(t *testing.T, cfg realtime.Config) (*apitest.Env, *apitest.Realtime) {
	t.Helper()
	env := apitest.New(t)
	return env, env.Realtime(t, cfg)
}

func TestRealtimeProtocolErrors(t *testing.T) {
	t.Parallel()
	_, rt := newRealtime(t, realtime.Config{})

	t.Run("before connect", func(t *testing.T) {
		d := dialRaw(t, rt)
		d.send(frame{"msg": "ping", "id": "1"})
		if f := d.next(); f["msg"] != "error" || f["reason"] != "Must connect first" || f["offendingMessage"] == nil {
			t.Fatalf("got %v", f)
		}
	})
	t.Run("version negotiation", func(t *testing.T) {
		d := dialRaw(t, rt)
		d.send(frame{"msg": "connect", "version": "pre2", "support": []string{"pre2", "1"}})
		if f := d.next(); f["msg"] != "failed" || f["version"] != "1" {
			t.Fatalf("got %v", f)
		}
		d.closeStatus()
	})

	d := dial(t, rt)
	d.send(frame{"msg": "ping", "id": "p1"})
	if f := d.next(); f["msg"] != "pong" || f["id"] != "p1" {
		t.Fatalf("pong = %v", f)
	}
	d.send(frame{"msg": "ping"})
	if f := d.next(); f["msg"] != "pong" || f["id"] != nil {
		t.Fatalf("pong without id = %v", f)
	}
	for _, tc := range []struct {
		name, raw, reason string
	}{
		{"unparsable", `{"msg":`, "Parse error"},
		{"no msg", `{"id":"1"}`, "Bad request"},
		{"unknown msg", `{"msg":"dance"}`, "Bad request"},
		{"second connect", `{"msg":"connect","version":"1","support":["1"]}`, "Already connected"},
		{"method without id", `{"msg":"method","method":"x","params":[]}`, "Malformed method invocation"},
		{"method id not a string", `{"msg":"method","id":1,"method":"x","params":[]}`, "Malformed method invocation"},
		{"method params not an array", `{"msg":"method","id":"1","method":"x","params":{}}`, "Malformed method invocation"},
		{"sub without name", `{"msg":"sub","id":"1","params":[]}`, "Malformed subscription"},
		{"sub params not an array", `{"msg":"sub","id":"1","name":"x","params":"a"}`, "Malformed subscription"},
		{"unsub without id", `{"msg":"unsub"}`, "Malformed subscription"},
	} {
		d.sendRaw([]byte(tc.raw))
		if f := d.next(); f["msg"] != "error" || f["reason"] != tc.reason {
			t.Fatalf("%s: got %v, want reason %q", tc.name, f, tc.reason)
		}
	}

	res := d.call("no-such-method")
	meteorError(t, res["error"], float64(404), "Method 'no-such-method' not found")
	_, f := d.sub("no-such-stream", "x", false)
	if f["msg"] != "nosub" {
		t.Fatalf("unknown publication: %v", f)
	}
	meteorError(t, f["error"], float64(404), "Subscription 'no-such-stream' not found")
	_, f = d.sub("stream-notify-all", "", false)
	meteorError(t, f["error"], "invalid-event-name", "Invalid event name")

	// Nothing but stream-notify-all is readable before login.
	_, f = d.sub("stream-room-messages", "GENERAL", false)
	meteorError(t, f["error"], "not-allowed", "Not allowed")
	_, f = d.sub("stream-room-messages", "__my_messages__", false)
	meteorError(t, f["error"], "not-allowed", "Not allowed")
	d.mustSub("stream-notify-all", "public-settings-changed", false)

	// A method that needs a user refuses an anonymous connection.
	res = d.call("addUsersToRoom", frame{"rid": "GENERAL", "users": []string{"admin"}})
	meteorError(t, res["error"], "error-invalid-user", "Invalid user")

	// unsub answers nosub, also for an unknown id.
	d.send(frame{"msg": "unsub", "id": "unknown"})
	if f := d.next(); f["msg"] != "nosub" || f["id"] != "unknown" || f["error"] != nil {
		t.Fatalf("unsub: %v", f)
	}
}

func TestRealtimeServerPingsAndCloses(t *testing.T) {
	t.Parallel()
	_, rt := newRealtime(t, realtime.Config{PingInterval: 50 * time.Millisecond, PingTimeout: 100 * time.Millisecond})
	d := dial(t, rt)
	if f := d.next(); f["msg"] != "ping" {
		t.Fatalf("want a server ping, got %v", f)
	}
	// Answering keeps the connection: the next thing is another ping.
	d.send(frame{"msg": "pong"})
	if f := d.next(); f["msg"] != "ping" {
		t.Fatalf("want a second ping, got %v", f)
	}
	// Not answering closes it.
	if code := d.closeStatus(); code != 4000 {
		t.Fatalf("close code %d, want 4000", code)
	}
}

func TestRealtimeFrameCap(t *testing.T) {
	t.Parallel()
	_, rt := newRealtime(t, realtime.Config{MaxFrameBytes: 1024})
	d := dial(t, rt)
	big := make([]byte, 4096)
	for i := range big {
		big[i] = 'a'
	}
	d.sendRaw([]byte(`{"msg":"method","id":"1","method":"x","params":["` + string(big) + `"]}`))
	if code := d.closeStatus(); code != websocket.StatusMessageTooBig {
		t.Fatalf("close code %d, want %d", code, websocket.StatusMessageTooBig)
	}
}

func TestRealtimeSubscriptionCap(t *testing.T) {
	t.Parallel()
	_, rt := newRealtime(t, realtime.Config{MaxSubscriptions: 2})
	d := dial(t, rt)
	d.mustSub("stream-notify-all", "public-settings-changed", false)
	d.mustSub("stream-notify-all", "license", false)
	_, f := d.sub("stream-notify-all", "deleteCustomSound", false)
	meteorError(t, f["error"], "too-many-subscriptions", "Too many subscriptions on this connection")

	// Before login a connection holds a handful at most, whatever the
	// configured cap.
	_, rt = newRealtime(t, realtime.Config{})
	d = dial(t, rt)
	for i := 0; i < 10; i++ {
		d.mustSub("stream-notify-all", "public-settings-changed", false)
	}
	_, f = d.sub("stream-notify-all", "license", false)
	meteorError(t, f["error"], "too-many-subscriptions", "Too many subscriptions on this connection")
}

func TestRealtimeShutdownClosesGoingAway(t *testing.T) {
	t.Parallel()
	_, rt := newRealtime(t, realtime.Config{})
	d := dial(t, rt)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	go func() { _ = rt.Shutdown(ctx) }()
	if code := d.closeStatus(); code != websocket.StatusGoingAway {
		t.Fatalf("close code %d, want 1001", code)
	}
}
