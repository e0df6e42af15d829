package api

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// rateLimiter counts calls per client IP, route and method in fixed
// windows, as Rocket.Chat's DDP rate limiter does for REST routes. Its state
// is local to this process: with several nodes each one counts separately.
type rateLimiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	last    time.Time
}

type bucket struct {
	start time.Time
	count int
}

func newRateLimiter() *rateLimiter { return &rateLimiter{buckets: map[string]*bucket{}} }

// allow records one call and reports whether it is within limit calls per
// window, with the calls left and the window's end.
func (l *rateLimiter) allow(key string, limit int, window time.Duration, now time.Time) (ok bool, remaining int, reset time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	// Sweep expired buckets now and then so idle keys do not pile up.
	if now.Sub(l.last) > window && len(l.buckets) > 0 {
		for k, b := range l.buckets {
			if now.Sub(b.start) >= window {
				delete(l.buckets, k)
			}
		}
		l.last = now
	}
	b := l.buckets[key]
	if b == nil || now.Sub(b.start) >= window {
		b = &bucket{start: now}
		l.buckets[key] = b
	}
	b.count++
	reset = b.start.Add(window)
	if b.count > limit {
		return false, 0, reset
	}
	return true, limit - b.count, reset
}

func setRateHeaders(w http.ResponseWriter, limit, remaining int, reset time.Time) {
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.UnixMilli(), 10))
}
