package app

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parleychat/parley/internal/jobs"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/preview"
	"github.com/parleychat/parley/internal/translate"
)

// Limits of the background queues. A message fetches at most
// preview.MaxExternalURLs links, so a few workers keep up with a busy
// server while bounding the outgoing connections. Previews and
// translations have a pool each, so that a slow translation service, whose
// retries hold a worker while they wait, never delays previews, nor the
// reverse.
const (
	previewWorkers     = 8
	previewQueueSize   = 1000
	translateWorkers   = 4
	translateQueueSize = 1000
)

// startIntegrations creates the preview fetcher, the translation registry
// and the two bounded queues that run their work off the request path.
func (a *App) startIntegrations(c Config) {
	a.metrics = &collectorSet{}
	a.faults = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "parley_integration_faults_total",
		Help: "Failures of URL previews and auto-translation that left a message unchanged, by feature and kind.",
	}, []string{"feature", "kind"})
	a.metrics.MustRegister(a.faults)
	a.metrics.MustRegister(c.Collectors...)

	opts := []preview.Option{preview.WithRegisterer(a.metrics), preview.WithClock(a.clock)}
	if c.PreviewResolver != nil {
		opts = append(opts, preview.WithResolver(c.PreviewResolver))
	}
	a.previews = preview.New(a.previewPolicy, opts...)
	a.previewJobs = jobs.New(jobs.Config{Workers: previewWorkers, QueueSize: previewQueueSize})

	a.translators = translate.NewRegistry(a.translateSettings, translate.Config{Timeout: c.TranslateTimeout})
	a.translations = translate.NewRetrier(translate.RetryConfig{
		BaseBackoff: c.TranslateRetryBackoff,
		Logger:      a.log,
		Registerer:  a.metrics,
	})
	a.translateJobs = jobs.New(jobs.Config{Workers: translateWorkers, QueueSize: translateQueueSize})
}

// stopIntegrations drains both queues, or abandons them when ctx ends.
func (a *App) stopIntegrations(ctx context.Context) error {
	return errors.Join(a.previewJobs.Close(ctx), a.translateJobs.Close(ctx))
}

// WaitIdle waits until no preview or translation is queued or running, or
// ctx ends. Work queued meanwhile is waited for too.
func (a *App) WaitIdle(ctx context.Context) error {
	for {
		if err := a.previewJobs.WaitIdle(ctx); err != nil {
			return err
		}
		if err := a.translateJobs.WaitIdle(ctx); err != nil {
			return err
		}
		// A translation may have queued a preview, or the reverse, while
		// the other queue was waited for.
		if a.previewJobs.Pending() == 0 && a.translateJobs.Pending() == 0 {
			return nil
		}
	}
}

// Metrics returns the collectors of the background work (preview fetches,
// translation jobs, faults), for the HTTP layer to serve at /metrics.
func (a *App) Metrics() prometheus.Collector { return a.metrics }

// afterCommit starts the asynchronous work on a message that was just
// saved or edited (URL previews, translation). It never blocks the caller:
// both queues drop work when full rather than wait.
func (a *App) afterCommit(m *model.Message, edited bool) {
	if m == nil {
		return
	}
	a.schedulePreviews(m)
	a.scheduleAutoTranslation(m, edited)
}

// fault records a failure that left a message as it was: one log line and
// one count.
func (a *App) fault(feature, kind, msg string, attrs ...any) {
	a.faults.WithLabelValues(feature, kind).Inc()
	a.log.Warn(msg, append([]any{"feature", feature, "kind", kind}, attrs...)...)
}

// collectorSet gathers the app's collectors so that the HTTP layer, which
// owns the Prometheus registry, can add them all as one. It is the
// Registerer handed to the preview fetcher and the translation retrier.
type collectorSet struct {
	mu sync.Mutex
	cs []prometheus.Collector
}

func (s *collectorSet) Register(c prometheus.Collector) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cs = append(s.cs, c)
	return nil
}

func (s *collectorSet) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		_ = s.Register(c)
	}
}

func (s *collectorSet) Unregister(c prometheus.Collector) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.Index(s.cs, c)
	if i < 0 {
		return false
	}
	s.cs = slices.Delete(s.cs, i, i+1)
	return true
}

func (s *collectorSet) all() []prometheus.Collector {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.cs)
}

func (s *collectorSet) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range s.all() {
		c.Describe(ch)
	}
}

func (s *collectorSet) Collect(ch chan<- prometheus.Metric) {
	for _, c := range s.all() {
		c.Collect(ch)
	}
}

// logAttrsOf is a short form for the message fields every background log
// line carries.
func logAttrsOf(m *model.Message) []any {
	return []any{slog.String("message_id", m.ID), slog.String("rid", m.RID)}
}
