package app

import (
	"context"
	"errors"
	"log/slog"

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
	reg := c.Metrics
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	a.faults = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "parley_integration_faults_total",
		Help: "Failures of URL previews and auto-translation that left a message unchanged, by feature and kind.",
	}, []string{"feature", "kind"})
	reg.MustRegister(a.faults)

	opts := []preview.Option{preview.WithRegisterer(reg), preview.WithClock(a.clock)}
	if c.PreviewResolver != nil {
		opts = append(opts, preview.WithResolver(c.PreviewResolver))
	}
	a.previews = preview.New(a.previewPolicy, opts...)
	a.previewJobs = jobs.New(jobs.Config{Workers: previewWorkers, QueueSize: previewQueueSize})

	a.translators = translate.NewRegistry(a.translateSettings, translate.Config{Timeout: c.TranslateTimeout})
	a.translations = translate.NewRetrier(translate.RetryConfig{
		BaseBackoff: c.TranslateRetryBackoff,
		Logger:      a.log,
		Registerer:  reg,
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

// logAttrsOf is a short form for the message fields every background log
// line carries.
func logAttrsOf(m *model.Message) []any {
	return []any{slog.String("message_id", m.ID), slog.String("rid", m.RID)}
}
