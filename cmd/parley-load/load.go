package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// newClient returns one client shared by all workers. Its idle pool is at
// least as large as the number of workers, so every worker keeps its own
// connection alive instead of dialling again after each request.
func newClient(clients int) *http.Client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        clients * 2,
		MaxIdleConnsPerHost: clients * 2,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

// reqSpec is one request a worker sends; body is nil for GET. A worker
// idles for wait before sending it, which is not counted in its latency.
type reqSpec struct {
	method, url string
	body        []byte
	header      http.Header
	wait        time.Duration
}

// nextFunc builds the seq-th request of worker w.
type nextFunc func(w, seq int) reqSpec

// runLoad runs a closed loop: each of clients workers sends its next request
// as soon as the previous answer is read. Requests started during warmup or
// still running when the measurement ends are not counted, so the figures
// cover only the steady window.
func runLoad(ctx context.Context, hc *http.Client, clients int, warmup, duration time.Duration, next nextFunc, onMeasureStart, onMeasureEnd func()) Summary {
	s, _ := runLoadOn(ctx, hc, clients, 1, warmup, duration, next, onMeasureStart, onMeasureEnd)
	return s
}

// workerResult is what one worker measured.
type workerResult struct {
	lat  []time.Duration
	errs map[int]int
}

// runLoadOn is runLoad over nodes servers, worker w talking to node
// nodeOf(w, nodes) (next builds its URLs accordingly). It returns the
// whole, as a load balancer in front of the nodes would see it, and each
// node's share.
func runLoadOn(ctx context.Context, hc *http.Client, clients, nodes int, warmup, duration time.Duration, next nextFunc, onMeasureStart, onMeasureEnd func()) (Summary, []Summary) {
	start := time.Now()
	measureFrom := start.Add(warmup)
	measureTo := measureFrom.Add(duration)
	ctx, cancel := context.WithDeadline(ctx, measureTo)
	defer cancel()

	results := make([]workerResult, clients)
	var wg sync.WaitGroup
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, 4096)
			errs := map[int]int{}
			for seq := 0; ctx.Err() == nil; seq++ {
				spec := next(w, seq)
				if spec.wait > 0 {
					t := time.NewTimer(spec.wait)
					select {
					case <-t.C:
					case <-ctx.Done():
						t.Stop()
					}
					if ctx.Err() != nil {
						break
					}
				}
				var body io.Reader
				if spec.body != nil {
					body = bytes.NewReader(spec.body)
				}
				req, err := http.NewRequestWithContext(ctx, spec.method, spec.url, body)
				if err != nil {
					errs[0]++
					continue
				}
				req.Header = spec.header
				t0 := time.Now()
				resp, err := hc.Do(req)
				code := 0
				if err == nil {
					// The body must be drained for the connection to be reused.
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					code = resp.StatusCode
				}
				t1 := time.Now()
				if t0.Before(measureFrom) || t1.After(measureTo) {
					continue
				}
				if err != nil && ctx.Err() != nil {
					continue
				}
				lat = append(lat, t1.Sub(t0))
				if err != nil || code != http.StatusOK {
					errs[code]++
				}
			}
			results[w] = workerResult{lat, errs}
		}()
	}
	if onMeasureStart != nil {
		select {
		case <-time.After(time.Until(measureFrom)):
			onMeasureStart()
		case <-ctx.Done():
		}
	}
	<-ctx.Done()
	if onMeasureEnd != nil {
		onMeasureEnd()
	}
	wg.Wait()

	return summarizeNodes(results, nodes, duration)
}

// nodeOf spreads the clients over the nodes round-robin, as a load
// balancer does with connections.
func nodeOf(w, nodes int) int { return w % nodes }

// summarizeNodes merges the workers' latencies into one distribution
// before taking percentiles: the p99 of two nodes together is not the
// mean of their p99s.
func summarizeNodes(results []workerResult, nodes int, duration time.Duration) (Summary, []Summary) {
	var all []time.Duration
	errs := map[int]int{}
	per := make([]workerResult, nodes)
	for i := range per {
		per[i].errs = map[int]int{}
	}
	for w, r := range results {
		n := &per[nodeOf(w, nodes)]
		all = append(all, r.lat...)
		n.lat = append(n.lat, r.lat...)
		for k, v := range r.errs {
			errs[k] += v
			n.errs[k] += v
		}
	}
	out := make([]Summary, nodes)
	for i, n := range per {
		out[i] = summarize(n.lat, n.errs, duration)
	}
	return summarize(all, errs, duration), out
}
