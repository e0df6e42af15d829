package api

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

func TestAnswerBudget(t *testing.T) {
	const mb = 1 << 20
	b := newAnswerBudget(32 * mb)
	steps := []struct {
		op   string // "acquire" or "release"
		key  string
		n    int64
		want bool
	}{
		{"acquire", "small", 1 << 10, true}, // not counted
		{"acquire", "alice", 20 * mb, true}, // over her share, but she holds nothing else
		{"acquire", "alice", 1 * mb, false}, // now she is over her share
		{"acquire", "bob", 8 * mb, true},
		{"acquire", "carol", 5 * mb, false}, // the server is over its budget
		{"release", "alice", 20 * mb, true},
		{"acquire", "carol", 5 * mb, true},
		{"acquire", "alice", 8 * mb, true},
	}
	for i, s := range steps {
		switch s.op {
		case "acquire":
			if got := b.acquire(s.key, s.n); got != s.want {
				t.Fatalf("step %d: acquire(%s, %d) = %v", i, s.key, s.n, got)
			}
		case "release":
			b.release(s.key, s.n)
		}
	}
	// 21 MiB are held: more than half the budget refuses everyone's next
	// request before it runs.
	if !b.saturated("alice") || !b.saturated("dave") {
		t.Fatal("saturated: alice holds 8 MiB, the server 21")
	}
	b.release("bob", 8*mb)
	if !b.saturated("alice") || b.saturated("dave") {
		t.Fatal("saturated: alice holds 8 MiB, dave nothing, the server 13")
	}
	b.acquire("bob", 8*mb)
	for _, k := range []string{"alice", "bob", "carol"} {
		b.release(k, map[string]int64{"alice": 8 * mb, "bob": 8 * mb, "carol": 5 * mb}[k])
	}
	if b.total != 0 || len(b.held) != 0 || b.saturated("alice") {
		t.Fatalf("after every release: total %d, held %v", b.total, b.held)
	}
	var none *answerBudget
	if !none.acquire("x", 100*mb) || none.saturated("x") {
		t.Fatal("a nil budget bounds nothing")
	}
}

func TestAnswerBudgetSlots(t *testing.T) {
	b := newAnswerBudget(32 << 20)
	ctx := context.Background()
	for i := 0; i < slotsPerClient; i++ {
		if !b.enter(ctx, "alice") {
			t.Fatal("enter refused a free slot")
		}
	}
	// Another client is not held up by alice.
	if !b.enter(ctx, "bob") {
		t.Fatal("bob waited for alice")
	}
	b.exit("bob")
	// Alice's next request waits until one of hers ends.
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if b.enter(short, "alice") {
		t.Fatal("a ninth request of alice ran at once")
	}
	done := make(chan bool)
	go func() { done <- b.enter(ctx, "alice") }()
	b.exit("alice")
	if !<-done {
		t.Fatal("the waiting request did not get the freed slot")
	}
	for i := 0; i < slotsPerClient; i++ {
		b.exit("alice")
	}
	if len(b.clients) != 0 {
		t.Fatalf("slots left behind: %v", b.clients)
	}
}

// BenchmarkAnswerBudgetEnter is the cost the slots add to every request of
// a logged-in user.
func BenchmarkAnswerBudgetEnter(b *testing.B) {
	bu := newAnswerBudget(32 << 20)
	ctx := context.Background()
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		key := "user" + strconv.FormatInt(n.Add(1), 10)
		for pb.Next() {
			bu.enter(ctx, key)
			_ = bu.saturated(key)
			bu.exit(key)
		}
	})
}
