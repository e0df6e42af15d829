package events_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/parleychat/parley/internal/events"
)

func TestMemoryDeliversInOrder(t *testing.T) {
	t.Parallel()
	bus := events.NewMemory()
	a, b := bus.Subscribe(4), bus.Subscribe(4)
	defer a.Close()
	defer b.Close()
	bus.Publish(events.Event{Kind: events.MessageSaved, ID: "1"}, events.Event{Kind: events.MessageUpdated, ID: "1"})
	for _, s := range []*events.Subscription{a, b} {
		if e := <-s.C; e.Kind != events.MessageSaved {
			t.Fatalf("first event = %v", e)
		}
		if e := <-s.C; e.Kind != events.MessageUpdated {
			t.Fatalf("second event = %v", e)
		}
	}
}

func TestMemoryDropsSlowListenerWithoutBlocking(t *testing.T) {
	t.Parallel()
	bus := events.NewMemory()
	slow, fast := bus.Subscribe(1), bus.Subscribe(8)
	defer fast.Close()
	for i := 0; i < 3; i++ {
		bus.Publish(events.Event{Kind: events.RoomChanged})
	}
	if _, ok := <-slow.C; !ok {
		t.Fatal("the buffered event should still be received")
	}
	if _, ok := <-slow.C; ok {
		t.Fatal("the slow subscription should be closed after overflowing")
	}
	if !errors.Is(slow.Err(), events.ErrDropped) {
		t.Fatalf("Err = %v, want ErrDropped", slow.Err())
	}
	if got := len(fast.C); got != 3 {
		t.Fatalf("fast listener got %d events, want 3", got)
	}
	// A dropped subscription is forgotten: later events skip it.
	bus.Publish(events.Event{Kind: events.RoomChanged})
	if got := len(fast.C); got != 4 {
		t.Fatalf("fast listener got %d events, want 4", got)
	}
}

func TestMemoryCloseRacesWithPublish(t *testing.T) {
	t.Parallel()
	bus := events.NewMemory()
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				bus.Publish(events.Event{Kind: events.Activity})
			}
		}()
	}
	for i := 0; i < 50; i++ {
		s := bus.Subscribe(2)
		s.Close()
		s.Close()
		if s.Err() != nil {
			t.Fatalf("closed subscription Err = %v", s.Err())
		}
	}
	wg.Wait()
}
