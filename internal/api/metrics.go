package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the HTTP layer's Prometheus series, on the registry the
// caller hands in (Options.Metrics), so that tests and several servers in
// one process do not collide.
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	errors   *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_http_requests_total", Help: "HTTP requests by route, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "parley_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_api_errors_total", Help: "API failures by route and Rocket.Chat errorType.",
		}, []string{"route", "type"}),
	}
	reg.MustRegister(m.requests, m.duration, m.errors)
	return m
}

func (m *metrics) observe(route, method string, code int, d time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(code)).Inc()
	m.duration.WithLabelValues(route, method).Observe(d.Seconds())
}

// MetricsHandler serves Options.Gatherer, behind the bearer token
// when Options.MetricsToken is set. cmd/parley mounts it on the metrics
// listener; the API handler mounts it itself when a token is set and no
// listener of its own is used.
func (s *Server) MetricsHandler() http.Handler {
	h := promhttp.HandlerFor(s.opts.Gatherer, promhttp.HandlerOpts{})
	if s.opts.MetricsToken == "" {
		return h
	}
	// Comparing digests keeps the comparison's time independent of the
	// token's length as well as of its bytes.
	want := sha256.Sum256([]byte(s.opts.MetricsToken))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		tok, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok {
			tok, ok = strings.CutPrefix(auth, "bearer ")
		}
		got := sha256.Sum256([]byte(strings.TrimSpace(tok)))
		if !ok || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			writeJSON(w, http.StatusUnauthorized, M{"success": false, "error": "Unauthorized"})
			return
		}
		h.ServeHTTP(w, r)
	})
}
