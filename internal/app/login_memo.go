package app

import (
	"sync"
	"time"
)

// shortMemo remembers values for a moment, so that a busy client's every
// request does not read the same rows again. It serves the login check:
// the users that tokens belong to, which Authenticate uses only while their
// _updatedAt still matches the database's, read with the token itself. A
// write on this node clears it at once.
type shortMemo[V any] struct {
	mu sync.Mutex
	m  map[string]memoEntry[V]
}

type memoEntry[V any] struct {
	v   V
	exp time.Time
}

const (
	shortMemoTTL = time.Second
	// shortMemoMax bounds the memory: past it the memo starts afresh.
	shortMemoMax = 100_000
)

func (c *shortMemo[V]) get(key string, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || !now.Before(e.exp) {
		var zero V
		return zero, false
	}
	return e.v, true
}

func (c *shortMemo[V]) put(key string, v V, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= shortMemoMax {
		c.m = map[string]memoEntry[V]{}
	}
	c.m[key] = memoEntry[V]{v: v, exp: now.Add(shortMemoTTL)}
}

func (c *shortMemo[V]) clear() {
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
}
