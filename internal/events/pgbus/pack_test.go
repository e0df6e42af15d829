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
