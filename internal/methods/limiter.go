package methods

import (
	"sync"
	"time"
)

// limiter counts calls per key in fixed windows, as Meteor's
// DDPRateLimiter does. Its state is local to the process: with several
// nodes each counts on its own.
type limiter struct {
	mu      sync.Mutex
	buckets map[string]*window
	swept   time.Time
}

type window struct {
	start time.Time
	n     int
}

func newLimiter() *limiter { return &limiter{buckets: map[string]*window{}} }

// allow records a call and reports whether it is within limit calls per
// span; when it is not, it also returns the time left until the window
// resets.
func (l *limiter) allow(key string, limit int, span time.Duration, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	// Expired windows are dropped now and then, so that idle keys do not
	// pile up.
	if now.Sub(l.swept) > span {
		for k, w := range l.buckets {
			if now.Sub(w.start) >= span {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	w := l.buckets[key]
	if w == nil || now.Sub(w.start) >= span {
		w = &window{start: now}
		l.buckets[key] = w
	}
	w.n++
	if w.n > limit {
		return w.start.Add(span).Sub(now), false
	}
	return 0, true
}
