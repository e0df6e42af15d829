// Package events carries notices of committed changes (messages, rooms,
// subscriptions) from the application to whoever listens: today nothing but
// tests, tomorrow the realtime stream. Events only signal; the store stays
// the truth, and nothing may depend on an event having been seen.
package events

import "sync"

// Kinds of events.
const (
	MessageSaved        = "message.saved"
	MessageUpdated      = "message.updated"
	MessageDeleted      = "message.deleted"
	RoomChanged         = "room.changed"
	RoomDeleted         = "room.deleted"
	SubscriptionChanged = "subscription.changed"
	UserChanged         = "user.changed"
	SettingChanged      = "setting.changed"
)

// Event is one change. IDs are enough for a listener to load what changed.
type Event struct {
	Kind   string
	RoomID string
	UserID string
	ID     string
}

// Bus publishes events to subscribers.
type Bus interface {
	Publish(e Event)
	// Subscribe calls fn for every event until the returned cancel is called.
	Subscribe(fn func(Event)) (cancel func())
}

// Memory is the in-process bus. Publish calls listeners synchronously, so
// they must be quick and must not block.
type Memory struct {
	mu   sync.RWMutex
	next int
	subs map[int]func(Event)
}

// NewMemory returns an empty in-process bus.
func NewMemory() *Memory { return &Memory{subs: map[int]func(Event){}} }

// Publish delivers e to every current subscriber.
func (m *Memory) Publish(e Event) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	for _, fn := range m.subs {
		fn(e)
	}
}

// Subscribe registers fn.
func (m *Memory) Subscribe(fn func(Event)) func() {
	m.mu.Lock()
	id := m.next
	m.next++
	m.subs[id] = fn
	m.mu.Unlock()
	return func() {
		m.mu.Lock()
		delete(m.subs, id)
		m.mu.Unlock()
	}
}
