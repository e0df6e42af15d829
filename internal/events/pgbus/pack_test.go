package pgbus

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/parleychat/parley/internal/events"
)

// offline is a bus without connections, enough to pack and deliver.
func offline(origin string) *Bus {
	return &Bus{local: events.NewMemory(), origin: origin, log: slog.Default(), maxEv: DefaultMaxEventBytes,
		parts: map[string]*assembly{}, m: newMetrics(nil)}
}

func sampleEvents() []events.Event {
	var evs []events.Event
	for i := range 300 {
		evs = append(evs, events.Event{Kind: events.MessageSaved, RoomID: "GENERAL", UserID: "u1", ID: fmt.Sprintf("m%05d", i)})
	}
	// Non-ASCII text, a character outside the BMP, and a payload that
	// needs several notifications.
	evs = append(evs,
		events.Event{Kind: events.Activity, RoomID: "r", Data: json.RawMessage(`["zoë 😀 \"quoted\"",["user-typing"]]`)},
		events.Event{Kind: events.Activity, RoomID: "big", Data: json.RawMessage(`"` + strings.Repeat("é", 9000) + `"`)},
		events.Event{Kind: events.Activity, RoomID: "exact", Data: json.RawMessage(`"` + strings.Repeat("x", maxPayload-60) + `"`)},
		events.Event{Kind: events.RoomChanged, RoomID: "last"},
	)
	return evs
}

func TestPackFitsPayloadsAndRoundTrips(t *testing.T) {
	t.Parallel()
	from, to := offline("aaaa"), offline("bbbb")
	sub := to.Subscribe(1000)
	defer sub.Close()
	want := sampleEvents()
	payloads, n := from.pack(want)
	if n != len(want) {
		t.Fatalf("pack counted %d events, want %d", n, len(want))
	}
	if len(payloads) >= len(want) {
		t.Fatalf("%d events took %d notifications: they should be packed", len(want), len(payloads))
	}
	for i, p := range payloads {
		if len(p) > maxPayload {
			t.Fatalf("payload %d is %d bytes, over the %d-byte limit", i, len(p), maxPayload)
		}
		for j := range len(p) {
			if p[j] >= 0x80 {
				t.Fatalf("payload %d has a non-ASCII byte at %d", i, j)
			}
		}
		to.deliver(p)
	}
	var got []events.Event
	for range want {
		got = append(got, <-sub.C)
	}
	// Data is compared as JSON values: escaping changes its bytes.
	if diff := cmp.Diff(want, got, cmp.Comparer(jsonEqual)); diff != "" {
		t.Fatalf("events after the round trip (-want +got):\n%s", diff)
	}
	if d := count(to.m.dropped); d != 0 {
		t.Fatalf("%v events dropped", d)
	}
}

func jsonEqual(a, b json.RawMessage) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return cmp.Equal(x, y)
}

func TestOwnNotificationsAreSkipped(t *testing.T) {
	t.Parallel()
	b := offline("self")
	sub := b.Subscribe(4)
	defer sub.Close()
	payloads, _ := b.pack([]events.Event{{Kind: events.RoomChanged, RoomID: "r"}})
	b.deliver(payloads[0])
	if len(sub.C) != 0 {
		t.Fatal("a node delivered its own notification again")
	}
}

// Every kind of payload a node sends is recognised as its own before it
// is decoded; another origin, even one that begins the same, is not.
func TestSentBy(t *testing.T) {
	t.Parallel()
	b := offline("0123456789abcdef")
	packed, _ := b.pack([]events.Event{{Kind: events.RoomChanged, RoomID: "r"}})
	large, _ := b.pack([]events.Event{{Kind: events.Activity, RoomID: "big", Data: json.RawMessage(`"` + strings.Repeat("x", 9000) + `"`)}})
	heartbeat, err := json.Marshal(envelope{Origin: b.origin, Seq: 7})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, payload string
		own           bool
	}{
		{"events", packed[0], true},
		{"part of a large event", large[len(large)-1], true},
		{"heartbeat", string(heartbeat), true},
		{"another origin", `{"o":"fedcba9876543210","s":1}`, false},
		{"an origin that begins the same", `{"o":"0123456789abcdef0","s":1}`, false},
		{"a shorter origin", `{"o":"0123456789abcde","s":1}`, false},
		{"the origin elsewhere", `{"s":1,"o":"0123456789abcdef"}`, false},
	} {
		if got := sentBy(c.payload, b.origin); got != c.own {
			t.Errorf("%s: sentBy = %v, want %v", c.name, got, c.own)
		}
	}
	// A payload it did not encode, but with its origin, is still skipped
	// once decoded.
	sub := b.Subscribe(4)
	defer sub.Close()
	b.deliver(`{"s":1,"o":"0123456789abcdef","e":[{"kind":"room.changed","rid":"r"}]}`)
	if len(sub.C) != 0 {
		t.Fatal("a notification with this node's origin was delivered")
	}
}

func TestLostPartDropsTheEvent(t *testing.T) {
	t.Parallel()
	from, to := offline("aaaa"), offline("bbbb")
	sub := to.Subscribe(4)
	defer sub.Close()
	big := events.Event{Kind: events.Activity, Data: json.RawMessage(`"` + strings.Repeat("y", 3*partBytes) + `"`)}
	payloads, _ := from.pack([]events.Event{big, {Kind: events.RoomChanged, RoomID: "after"}})
	if len(payloads) < 4 {
		t.Fatalf("%d payloads, want the big event in parts and the next one alone", len(payloads))
	}
	for i, p := range payloads {
		if i == 1 {
			continue // lost
		}
		to.deliver(p)
	}
	if e := <-sub.C; e.RoomID != "after" {
		t.Fatalf("first event delivered = %+v, want the one after the damaged event", e)
	}
	if len(sub.C) != 0 {
		t.Fatal("an event with a missing part was delivered")
	}
	if d := count(to.m.dropped, dropIncomplete); d != 1 {
		t.Fatalf("incomplete drops = %v, want 1", d)
	}
}

func TestTooLargeEventStaysOnThisNode(t *testing.T) {
	t.Parallel()
	b := offline("aaaa")
	b.maxEv = 1000
	payloads, n := b.pack([]events.Event{{Kind: events.Activity, Data: json.RawMessage(`"` + strings.Repeat("z", 2000) + `"`)}})
	if len(payloads) != 0 || n != 0 {
		t.Fatalf("an event over MaxEventBytes was packed: %d payloads", len(payloads))
	}
	if d := count(b.m.dropped, dropTooLarge); d != 1 {
		t.Fatalf("too_large drops = %v, want 1", d)
	}
}

func TestChannelFor(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("s", 80)
	for _, c := range []struct{ schema, want string }{
		{"", "parley_events"},
		{"public", "parley_events"},
		{"chat", "parley_events.chat"},
	} {
		if got := ChannelFor(c.schema); got != c.want {
			t.Errorf("ChannelFor(%q) = %q, want %q", c.schema, got, c.want)
		}
	}
	if got := ChannelFor(long); len(got) > maxChannel || got == ChannelFor(long+"x") {
		t.Errorf("ChannelFor(long) = %q: too long or not distinct", got)
	}
}

// count sums a collector's series, only those with one of labelValues
// when any are given.
func count(c prometheus.Collector, labelValues ...string) float64 {
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	mfs, err := reg.Gather()
	if err != nil {
		panic(err)
	}
	sum := 0.0
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			match := len(labelValues) == 0
			for _, l := range m.GetLabel() {
				for _, v := range labelValues {
					match = match || l.GetValue() == v
				}
			}
			if match {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

// BenchmarkDeliver receives a notification full of a post's events, as
// every node does for each notification on the channel: another node's,
// which it decodes and delivers, and its own, which it only has to skip.
func BenchmarkDeliver(b *testing.B) {
	var batch []events.Event
	for i := range 25 {
		id := fmt.Sprintf("m%05d", i)
		batch = append(batch,
			events.Event{Kind: events.MessageSaved, RoomID: "6Rp4vBDyhqAZtxC9n", UserID: "Qx9bm2hXNuCMgSMqW", ID: id},
			events.Event{Kind: events.RoomChanged, RoomID: "6Rp4vBDyhqAZtxC9n", UserID: "Qx9bm2hXNuCMgSMqW", ID: "6Rp4vBDyhqAZtxC9n"},
			events.Event{Kind: events.SubscriptionChanged, RoomID: "6Rp4vBDyhqAZtxC9n"})
	}
	self := offline("0123456789abcdef")
	payloads, _ := self.pack(batch)
	if len(payloads) != 1 {
		b.Fatalf("the batch took %d notifications", len(payloads))
	}
	for _, c := range []struct {
		name string
		to   *Bus
	}{{"another node's", offline("fedcba9876543210")}, {"own", self}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				c.to.deliver(payloads[0])
			}
		})
	}
}
