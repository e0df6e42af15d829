package translate

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Job is one unit of translation work. Run typically loads a message,
// calls a Provider and saves the translations; it should be idempotent,
// because a retryable failure runs it again.
type Job struct {
	// Name identifies the job in logs, e.g. "message Xnb2kLD2Pnhdwe3RH".
	Name string
	Run  func(ctx context.Context) error
}

// RetryConfig configures a Retrier. Zero values take the defaults noted.
type RetryConfig struct {
	MaxAttempts int           // tries per job, the first included (default 4)
	BaseBackoff time.Duration // wait before the first retry, doubled each time (default 1 s)
	MaxBackoff  time.Duration // longest wait between tries (default 30 s)
	JobTimeout  time.Duration // deadline of one try (default 30 s)

	// Retryable decides whether a failed try is repeated (default
	// IsRetryable: 429 and 5xx answers).
	Retryable func(error) bool

	// Wait waits d between tries, or less when ctx ends first, and then
	// returns ctx's error. The default uses a timer; tests replace it to
	// see the waits without spending them.
	Wait func(ctx context.Context, d time.Duration) error

	Logger *slog.Logger // default slog.Default()

	// Registerer receives the metrics; nil registers none:
	//   parley_autotranslate_jobs_total{outcome="ok|failed|dropped|abandoned"}
	//   parley_autotranslate_job_retries_total
	Registerer prometheus.Registerer
}

// Retrier runs translation jobs, repeating a try that failed with a
// retryable error after a growing wait, and counts how each job ended. It
// does not queue: the caller runs Run on a worker of its own (a
// jobs.Pool) and reports the jobs the queue refused or abandoned.
type Retrier struct {
	cfg     RetryConfig
	jobs    *prometheus.CounterVec
	retries prometheus.Counter
}

// NewRetrier returns a Retrier.
func NewRetrier(cfg RetryConfig) *Retrier {
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 4
	}
	if cfg.BaseBackoff <= 0 {
		cfg.BaseBackoff = time.Second
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 30 * time.Second
	}
	if cfg.JobTimeout <= 0 {
		cfg.JobTimeout = 30 * time.Second
	}
	if cfg.Retryable == nil {
		cfg.Retryable = IsRetryable
	}
	if cfg.Wait == nil {
		cfg.Wait = wait
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	r := &Retrier{cfg: cfg}
	r.jobs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "parley_autotranslate_jobs_total",
		Help: "Auto-translation jobs by outcome: ok, failed (gave up), dropped (queue full or pool closed), abandoned (shutdown).",
	}, []string{"outcome"})
	r.retries = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "parley_autotranslate_job_retries_total",
		Help: "Auto-translation job tries repeated after a retryable failure.",
	})
	if cfg.Registerer != nil {
		r.jobs = register(cfg.Registerer, r.jobs)
		r.retries = register(cfg.Registerer, r.retries)
	}
	for _, o := range []string{"ok", "failed", "dropped", "abandoned"} {
		r.jobs.WithLabelValues(o)
	}
	return r
}

func wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// register adds c to reg, or returns the collector already registered
// under the same name, so several retriers can share one registry.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
	}
	return c
}

// Dropped counts a job that was never queued, because the queue was full
// or closed.
func (r *Retrier) Dropped(job Job) {
	r.jobs.WithLabelValues("dropped").Inc()
	r.cfg.Logger.Warn("autotranslate queue full, job dropped", "job", job.Name)
}

// Abandoned counts a queued job that shutdown left unstarted.
func (r *Retrier) Abandoned(Job) { r.jobs.WithLabelValues("abandoned").Inc() }

// Run tries job until it succeeds, fails for good or ctx ends. Each try
// has its own deadline of JobTimeout.
func (r *Retrier) Run(ctx context.Context, job Job) {
	backoff := r.cfg.BaseBackoff
	for attempt := 1; ; attempt++ {
		tctx, cancel := context.WithTimeout(ctx, r.cfg.JobTimeout)
		err := job.Run(tctx)
		cancel()
		if err == nil {
			r.jobs.WithLabelValues("ok").Inc()
			return
		}
		if ctx.Err() != nil {
			r.jobs.WithLabelValues("abandoned").Inc()
			return
		}
		retry := r.cfg.Retryable(err)
		if !retry || attempt >= r.cfg.MaxAttempts {
			r.jobs.WithLabelValues("failed").Inc()
			r.cfg.Logger.Warn("autotranslate job failed", "job", job.Name, "attempts", attempt, "retryable", retry, "err", err)
			return
		}
		// Jitter keeps retries of many jobs from hitting a rate-limited
		// provider in lockstep; a Retry-After the provider sent is still
		// honoured in full, up to MaxBackoff.
		d := backoff/2 + rand.N(backoff/2+1)
		if ra := RetryAfter(err); ra > d {
			d = ra
		}
		d = min(d, r.cfg.MaxBackoff)
		r.retries.Inc()
		if r.cfg.Wait(ctx, d) != nil {
			r.jobs.WithLabelValues("abandoned").Inc()
			return
		}
		backoff = min(backoff*2, r.cfg.MaxBackoff)
	}
}
