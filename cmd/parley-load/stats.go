package main

import (
	"math"
	"slices"
	"sort"
	"strconv"
	"time"
)

// Summary is what one measured run produced, as seen by the client.
type Summary struct {
	Requests int     `json:"requests"`
	Seconds  float64 `json:"seconds"`
	Figures
}

// Figures are the throughput, latencies and errors that a run measures
// and a report row gives the medians of.
type Figures struct {
	RPS    float64        `json:"rps"`
	P50ms  float64        `json:"p50_ms"`
	P95ms  float64        `json:"p95_ms"`
	P99ms  float64        `json:"p99_ms"`
	MaxMs  float64        `json:"max_ms"`
	Errors map[string]int `json:"errors,omitempty"`
}

// ErrorCount is the number of requests that did not answer 200.
func (s Figures) ErrorCount() int {
	n := 0
	for _, v := range s.Errors {
		n += v
	}
	return n
}

// percentile uses the nearest-rank definition, so every figure reported is a
// latency that some request actually had; sorted must be ascending.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// summarize sorts lat in place.
func summarize(lat []time.Duration, errs map[int]int, elapsed time.Duration) Summary {
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	s := Summary{Requests: len(lat), Seconds: elapsed.Seconds()}
	if elapsed > 0 {
		s.RPS = float64(len(lat)) / elapsed.Seconds()
	}
	if len(lat) > 0 {
		s.P50ms, s.P95ms, s.P99ms = ms(percentile(lat, 50)), ms(percentile(lat, 95)), ms(percentile(lat, 99))
		s.MaxMs = ms(lat[len(lat)-1])
	}
	for code, n := range errs {
		if s.Errors == nil {
			s.Errors = map[string]int{}
		}
		key := strconv.Itoa(code)
		if code == 0 {
			key = "transport"
		}
		s.Errors[key] += n
	}
	return s
}

// median of a small sample; the mean would let one disturbed run on this
// noisy machine move the figure.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
