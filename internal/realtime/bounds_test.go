package realtime_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/realtime"
)

func TestRealtimeMethods(t *testing.T) {
	t.Parallel()
	env, rt := newRealtime(t, realtime.Config{})
	alice, carol := env.NewUser(t, "alice"), env.NewUser(t, "carol")
	g := group(t, env, alice)
	d := loggedIn(t, rt, alice)
	// A registry method, answered by result then updated (checked by
	// call).
	res := d.call("addUsersToRoom", frame{"rid": g, "users": []string{"carol"}})
	if res["result"] != true || res["error"] != nil {
		t.Fatalf("addUsersToRoom = %v", res)
	}
	carol.Get(t, "groups.info?roomId="+g).OK(t)
	// Client writes to read-only streams are dropped silently.
	// A method that returns nothing has no result key.
	if res := d.call("stream-notify-user", alice.UserID+"/message", frame{}); res["error"] != nil || hasKey(res, "result") {
		t.Fatalf("write to stream-notify-user = %v", res)
	}
}

// metric returns the value of the series line starting with name.
func metric(t *testing.T, body, name string) string {
	t.Helper()
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, name+" ") {
			return strings.TrimPrefix(l, name+" ")
		}
	}
	return ""
}

func TestRealtimeSlowConsumerIsDisconnected(t *testing.T) {
	t.Parallel()
	// The queue holds the answers to the slow client's own login and
	// subscriptions, which a starved writer may not have sent yet; the
	// posts' frames, 100 a post, are what must overflow it.
	env, rt := newRealtime(t, realtime.Config{SendQueue: 128, WriteTimeout: 500 * time.Millisecond})
	alice, bob := env.NewUser(t, "alice"), env.NewUser(t, "bob")
	g := group(t, env, alice, "bob")

	// The slow client subscribes many times to the room, then never reads.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	slow, _, err := websocket.Dial(ctx, rt.WS, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.CloseNow()
	write := func(v any) {
		b, _ := json.Marshal(v)
		if err := slow.Write(ctx, websocket.MessageText, b); err != nil {
			t.Fatal(err)
		}
	}
	write(frame{"msg": "connect", "version": "1", "support": []string{"1"}})
	write(frame{"msg": "method", "id": "l", "method": "login", "params": []any{frame{"resume": bob.Token}}})
	const subs = 100
	for i := 0; i < subs; i++ {
		write(frame{"msg": "sub", "id": "s" + itoa(i), "name": "stream-room-messages", "params": []any{g, false}})
	}

	fast := loggedIn(t, rt, bob)
	fast.mustSub("stream-room-messages", g, false)
	body := strings.Repeat("x", 4000)
	dropped := false
	var last string
	for i := 0; i < 400 && !dropped; i++ {
		// Posting goes on at full speed whatever the slow client does.
		last = post(t, alice, g, body)
		if i%5 == 4 {
			m := string(env.Metrics(t).Body)
			dropped = metric(t, m, `parley_realtime_drops_total{reason="slow_consumer"}`) == "1"
		}
	}
	if !dropped {
		t.Fatal("the slow client was never disconnected")
	}
	// The fast client got everything, up to the last post.
	for {
		if m := msgOf(t, fast.event("stream-room-messages", g)); m["_id"] == last {
			break
		}
	}
	// The slow client's socket is closed: reading drains and ends.
	for {
		if _, _, err := slow.Read(ctx); err != nil {
			break
		}
	}
	if ctx.Err() != nil {
		t.Fatal("slow client's socket still open")
	}
	// The server notices the end of the slow socket on its own time: the
	// gauges are polled until they count only the fast client.
	var m string
	for deadline := time.Now().Add(wait); ; time.Sleep(10 * time.Millisecond) {
		m = string(env.Metrics(t).Body)
		if metric(t, m, "parley_realtime_connections") == "1" && metric(t, m, "parley_realtime_subscriptions") == "1" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("gauges after the drop: connections %s, subscriptions %s",
				metric(t, m, "parley_realtime_connections"), metric(t, m, "parley_realtime_subscriptions"))
		}
	}
	if v := metric(t, m, `parley_realtime_frames_total{direction="out"}`); v == "" || v == "0" {
		t.Fatalf("frames out = %q", v)
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func TestRealtimeBusDropClosesClients(t *testing.T) {
	t.Parallel()
	env, rt := newRealtime(t, realtime.Config{BusBuffer: 8})
	bob := env.NewUser(t, "bob")
	d := loggedIn(t, rt, bob)
	// A burst the listener cannot take in: it is dropped, resubscribes,
	// and tells its clients to reconnect and resynchronise.
	burst := make([]events.Event, 500)
	for i := range burst {
		burst[i] = events.Event{Kind: events.PermissionChanged, ID: "x"}
	}
	env.App.Bus().Publish(burst...)
	if code := d.closeStatus(); code != websocket.StatusServiceRestart {
		t.Fatalf("close code %d, want 1012", code)
	}
	// Events flow again to a new connection.
	d = loggedIn(t, rt, bob)
	d.mustSub("stream-room-messages", "GENERAL", false)
	id := post(t, bob, "GENERAL", "after the drop")
	if m := msgOf(t, d.event("stream-room-messages", "GENERAL")); m["_id"] != id {
		t.Fatalf("message = %v", m)
	}
	if v := metric(t, string(env.Metrics(t).Body), `parley_realtime_drops_total{reason="bus"}`); v != "1" {
		t.Fatalf("bus drops = %q", v)
	}
}

func hasKey(f frame, k string) bool {
	_, ok := f[k]
	return ok
}

func TestRealtimeBusReconnectClosesClients(t *testing.T) {
	t.Parallel()
	env, rt := newRealtime(t, realtime.Config{})
	d := loggedIn(t, rt, env.NewUser(t, "bob"))
	env.App.Bus().Publish(events.Event{Kind: events.BusReconnected})
	if code := d.closeStatus(); code != websocket.StatusServiceRestart {
		t.Fatalf("close code %d, want 1012", code)
	}
}
