// Package ratelimit counts calls per key in fixed windows, as Rocket.Chat's
// DDP rate limiter does for its methods and REST routes. Its state is local
// to the process: with several nodes each counts on its own.
package ratelimit

import (
	"sync"
	"time"
)

// Windows holds one fixed window per key. The zero value is not ready;
// use New.
type Windows struct {
	mu      sync.Mutex
	windows map[string]*window
	swept   time.Time
}

type window struct {
	start time.Time
	n     int
}

// New returns an empty set of windows.
func New() *Windows { return &Windows{windows: map[string]*window{}} }

// Allow records one call of key and reports whether it is within limit
// calls per span, with the calls left in the window and when it ends.
func (l *Windows) Allow(key string, limit int, span time.Duration, now time.Time) (ok bool, remaining int, reset time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	// Expired windows are dropped now and then, so that idle keys do not
	// pile up.
	if now.Sub(l.swept) > span && len(l.windows) > 0 {
		for k, w := range l.windows {
			if now.Sub(w.start) >= span {
				delete(l.windows, k)
			}
		}
		l.swept = now
	}
	w := l.windows[key]
	if w == nil || now.Sub(w.start) >= span {
		w = &window{start: now}
		l.windows[key] = w
	}
	w.n++
	reset = w.start.Add(span)
	if w.n > limit {
		return false, 0, reset
	}
	return true, limit - w.n, reset
}
