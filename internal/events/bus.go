// Package events carries notices of committed changes (messages, rooms,
// subscriptions, users, settings) and of ephemeral activity (typing,
// presence) from the application to its listeners: the realtime streams of
// this node and, through a shared transport, of every other node.
//
// Events only signal. The store stays the truth: a listener loads what
// changed by the ids an event carries, and nothing may depend on an event
// having been seen, because a listener that falls behind is dropped (it is
// told so and must resynchronise from the store).
package events

import (
	"encoding/json"
	"errors"
	"sync"
)

// Kind names what happened. Every kind the application emits is declared
// here, so that grep finds each producer and each consumer.
type Kind string

// Changes to stored data, published after their transaction commits.
const (
	// MessageSaved: a new message (ID) in room RoomID, by UserID.
	MessageSaved Kind = "message.saved"
	// MessageUpdated: message ID changed (edit, reaction, pin, star, thread
	// counters, URL preview, translation, soft delete).
	MessageUpdated Kind = "message.updated"
	// MessageDeleted: message ID was removed from room RoomID for good.
	MessageDeleted Kind = "message.deleted"
	// MessagesBulkDeleted: messages of room RoomID were removed at once
	// (rooms.cleanHistory), by UserID. Data is the query that chose them,
	// as Rocket.Chat's <rid>/deleteMessageBulk stream hands it to clients.
	MessagesBulkDeleted Kind = "message.bulk_deleted"
	// RoomChanged: room RoomID was created or changed.
	RoomChanged Kind = "room.changed"
	// RoomDeleted: room RoomID is gone, with its subscriptions.
	RoomDeleted Kind = "room.deleted"
	// SubscriptionChanged: user UserID's subscription to room RoomID was
	// created or changed (opened, hidden, read, unread counts, settings).
	SubscriptionChanged Kind = "subscription.changed"
	// SubscriptionRemoved: user UserID's subscription to room RoomID is gone
	// (left, kicked); ID is the subscription's id.
	SubscriptionRemoved Kind = "subscription.removed"
	// UserChanged: user UserID's profile, roles or state changed.
	UserChanged Kind = "user.changed"
	// SettingChanged: setting ID has a new value.
	SettingChanged Kind = "setting.changed"
	// PermissionChanged: permission ID has new roles.
	PermissionChanged Kind = "permission.changed"
	// LoggedOut: login tokens of user UserID were removed; ID is the hashed
	// token, or empty when every token of the user went.
	LoggedOut Kind = "user.logged_out"
)

// Ephemeral activity, never stored: the event carries all there is.
const (
	// Activity: user UserID is doing something in room RoomID; Data is the
	// stream's argument list (for example ["alice",["user-typing"]]), and
	// ID is the event name ("user-activity" or "typing").
	Activity Kind = "room.activity"
	// PresenceChanged: user UserID's status changed; Data is the status.
	PresenceChanged Kind = "user.presence"
	// Ephemeral: a notice for user UserID alone about room RoomID, seen
	// once and never stored; Data is the stream's argument list, one
	// message.
	Ephemeral Kind = "user.ephemeral"
)

// Signals of the bus itself, delivered on this node only.
const (
	// BusReconnected: the bus's link to the other nodes was lost and is
	// back. Their events in between are lost, so a listener that keeps
	// state derived from events reloads it from the store.
	BusReconnected Kind = "bus.reconnected"
)

// Event is one notice. The ids are enough for a listener to load what
// changed; Data is set only for ephemeral kinds and stays small (a few
// hundred bytes), because events cross nodes through transports with
// payload limits.
type Event struct {
	Kind   Kind            `json:"k"`
	RoomID string          `json:"r,omitempty"`
	UserID string          `json:"u,omitempty"`
	ID     string          `json:"i,omitempty"`
	Data   json.RawMessage `json:"d,omitempty"`
}

// ErrDropped ends a subscription whose listener fell behind its buffer.
var ErrDropped = errors.New("events: listener fell behind and was dropped")

// Bus delivers published events to every subscription, on this node and,
// for a shared transport, on every node.
type Bus interface {
	// Publish hands events to every subscription without waiting for any
	// listener: a subscription whose buffer is full is dropped instead.
	Publish(events ...Event)
	// Subscribe opens a subscription with room for buffer undelivered
	// events. The caller must Close it.
	Subscribe(buffer int) *Subscription
}

// Subscription receives events on C until it is closed or dropped; then C
// is closed and Err says why.
type Subscription struct {
	C <-chan Event

	mu     sync.Mutex
	ch     chan Event
	closed bool
	err    error
	cancel func(*Subscription)
}

// NewSubscription returns a subscription that calls cancel once, when it
// ends, so that its bus can forget it. Bus implementations use it.
func NewSubscription(buffer int, cancel func(*Subscription)) *Subscription {
	if buffer < 1 {
		buffer = 1
	}
	ch := make(chan Event, buffer)
	return &Subscription{C: ch, ch: ch, cancel: cancel}
}

// Deliver queues e without blocking. It reports false when the
// subscription has ended, either before or because its buffer was full.
func (s *Subscription) Deliver(e Event) bool {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return false
	}
	select {
	case s.ch <- e:
		s.mu.Unlock()
		return true
	default:
	}
	s.end(ErrDropped)
	return false
}

// Close ends the subscription. Events not yet received are discarded.
func (s *Subscription) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.end(nil)
}

// end closes the channel and releases s.mu, then tells the bus.
func (s *Subscription) end(err error) {
	s.closed = true
	s.err = err
	close(s.ch)
	cancel := s.cancel
	s.mu.Unlock()
	if cancel != nil {
		cancel(s)
	}
}

// Err is ErrDropped when the subscription fell behind, nil otherwise.
func (s *Subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Memory is the bus of one node: publishing delivers to the subscriptions
// of this process only.
type Memory struct {
	mu   sync.RWMutex
	subs map[*Subscription]struct{}
}

// NewMemory returns an empty in-process bus.
func NewMemory() *Memory { return &Memory{subs: map[*Subscription]struct{}{}} }

// Publish delivers each event to every current subscription.
func (m *Memory) Publish(events ...Event) {
	if len(events) == 0 {
		return
	}
	m.mu.RLock()
	subs := make([]*Subscription, 0, len(m.subs))
	for s := range m.subs {
		subs = append(subs, s)
	}
	m.mu.RUnlock()
	// Delivery happens outside the lock: a dropped subscription removes
	// itself, which takes the write lock.
	for _, e := range events {
		for _, s := range subs {
			s.Deliver(e)
		}
	}
}

// Subscribe opens a subscription on this node.
func (m *Memory) Subscribe(buffer int) *Subscription {
	s := NewSubscription(buffer, m.forget)
	m.mu.Lock()
	m.subs[s] = struct{}{}
	m.mu.Unlock()
	return s
}

func (m *Memory) forget(s *Subscription) {
	m.mu.Lock()
	delete(m.subs, s)
	m.mu.Unlock()
}
