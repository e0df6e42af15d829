package app

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/preview"
	"github.com/parleychat/parley/internal/translate"
)

// Limits of the preview queue. A message fetches at most
// preview.MaxExternalURLs links, so a few workers keep up with a busy
// server while bounding the outgoing connections.
const (
	previewWorkers   = 8
	previewQueueSize = 1000
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

	opts := []preview.Option{preview.WithRegisterer(reg)}
	if c.PreviewResolver != nil {
		opts = append(opts, preview.WithResolver(c.PreviewResolver))
	}
	a.previews = preview.New(a.previewPolicy, opts...)
	a.previewJobs = newJobQueue(previewWorkers, previewQueueSize)

	a.translators = translate.NewRegistry(a.translateSettings, translate.Config{Timeout: c.TranslateTimeout})
	a.translations = translate.NewPool(translate.PoolConfig{
		BaseBackoff: c.TranslateRetryBackoff,
		Logger:      a.log,
		Registerer:  reg,
	})
}

// stopIntegrations drains both queues, or abandons them when ctx ends.
func (a *App) stopIntegrations(ctx context.Context) error {
	return errors.Join(a.previewJobs.close(ctx), a.translations.Close(ctx))
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

// jobQueue runs functions on a fixed number of workers with a bounded
// queue; submit never waits.
type jobQueue struct {
	queue  chan func(context.Context)
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.RWMutex
	closed bool
}

func newJobQueue(workers, size int) *jobQueue {
	ctx, cancel := context.WithCancel(context.Background())
	q := &jobQueue{queue: make(chan func(context.Context), size), ctx: ctx, cancel: cancel}
	for range workers {
		q.wg.Add(1)
		go func() {
			defer q.wg.Done()
			for job := range q.queue {
				if q.ctx.Err() == nil {
					job(q.ctx)
				}
			}
		}()
	}
	return q
}

// submit queues job and reports false when the queue is full or closed.
func (q *jobQueue) submit(job func(context.Context)) bool {
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed {
		return false
	}
	select {
	case q.queue <- job:
		return true
	default:
		return false
	}
}

func (q *jobQueue) close(ctx context.Context) error {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		close(q.queue)
	}
	q.mu.Unlock()
	done := make(chan struct{})
	go func() { q.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		q.cancel()
		<-done
		return ctx.Err()
	}
}

// logAttrsOf is a short form for the message fields every background log
// line carries.
func logAttrsOf(m *model.Message) []any {
	return []any{slog.String("message_id", m.ID), slog.String("rid", m.RID)}
}
