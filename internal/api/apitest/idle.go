package apitest

import (
	"context"
	"sync"
	"testing"
	"time"
)

// Clock is a clock for tests of behaviour that depends on time (ordering
// by date, windows, expiry): they move it with Advance instead of sleeping.
type Clock struct {
	mu      sync.Mutex
	t       time.Time     // the time shown, when the clock stands still
	running bool          // follows the system clock, plus offset
	offset  time.Duration // how far Advance moved a running clock
}

// NewClock returns a clock that stands still at start (truncated to the
// millisecond that Parley stores) until a test moves it, so the test knows
// every time the server reads. Note that message times are strictly
// increasing per room: on a clock that stands still they run ahead of it.
func NewClock(start time.Time) *Clock {
	return &Clock{t: start.UTC().Truncate(time.Millisecond)}
}

// NewRunningClock returns a clock that runs with the system clock, and that
// Advance moves ahead of it: a test written against real time can put
// Advance where it slept.
func NewRunningClock() *Clock { return &Clock{running: true} }

// Now returns the time the clock shows.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		return time.Now().Add(c.offset)
	}
	return c.t
}

// Advance moves the clock forward by d and returns the new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	if d < 0 {
		panic("apitest: Clock.Advance with a negative duration")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		c.offset += d
		return time.Now().Add(c.offset)
	}
	c.t = c.t.Add(d)
	return c.t
}

// WithClock makes the server read the time from c instead of the system
// clock. Parallel subtests sharing the Env share the clock: Advance only
// ever moves it forward, so each sees time pass, never go back.
func WithClock(c *Clock) Option { return func(cfg *envConfig) { cfg.now = c.Now } }

// IdleTimeout bounds WaitIdle.
const IdleTimeout = 10 * time.Second

// WaitIdle waits until the server's background work (URL previews,
// translations, with their retries) has finished, so that a test can check
// what it wrote without polling. It fails the test after IdleTimeout.
func (e *Env) WaitIdle(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), IdleTimeout)
	defer cancel()
	if err := e.App.WaitIdle(ctx); err != nil {
		t.Fatalf("background work still running after %v: %v", IdleTimeout, err)
	}
}

// WaitIdle is Env.WaitIdle for the caller's server.
func (c *Client) WaitIdle(t testing.TB) {
	t.Helper()
	c.env.WaitIdle(t)
}
