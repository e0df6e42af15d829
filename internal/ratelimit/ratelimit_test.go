package ratelimit

import (
	"testing"
	"time"
)

func TestWindows(t *testing.T) {
	l := New()
	t0 := time.Unix(1000, 0)
	for i := range 3 {
		ok, left, reset := l.Allow("k", 3, time.Second, t0.Add(time.Duration(i)*time.Millisecond))
		if !ok || left != 2-i || !reset.Equal(t0.Add(time.Second)) {
			t.Fatalf("call %d: ok=%v left=%d reset=%v", i+1, ok, left, reset)
		}
	}
	if ok, _, _ := l.Allow("k", 3, time.Second, t0.Add(500*time.Millisecond)); ok {
		t.Fatal("fourth call in the window allowed")
	}
	if ok, _, _ := l.Allow("other", 3, time.Second, t0.Add(500*time.Millisecond)); !ok {
		t.Fatal("another key shares the window")
	}
	if ok, left, _ := l.Allow("k", 3, time.Second, t0.Add(time.Second)); !ok || left != 2 {
		t.Fatalf("new window: ok=%v left=%d", ok, left)
	}
}
