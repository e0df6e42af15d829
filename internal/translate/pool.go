package translate

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
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

// PoolConfig configures a Pool. Zero values take the defaults noted.
type PoolConfig struct {
	Workers     int           // concurrent jobs (default 4)
	QueueSize   int           // jobs waiting beyond the running ones (default 1000)
	MaxAttempts int           // tries per job, the first included (default 4)
	BaseBackoff time.Duration // wait before the first retry, doubled each time (default 1 s)
	MaxBackoff  time.Duration // longest wait between tries (default 30 s)
	JobTimeout  time.Duration // deadline of one try (default 30 s)

	// Retryable decides whether a failed try is repeated (default
	// IsRetryable: 429 and 5xx answers).
	Retryable func(error) bool

	Logger *slog.Logger // default slog.Default()

	// Registerer receives the pool's metrics; nil registers none:
	//   parley_autotranslate_jobs_total{outcome="ok|failed|dropped|abandoned"}
	//   parley_autotranslate_job_retries_total
	Registerer prometheus.Registerer
}

// Pool runs jobs on a fixed number of workers with a bounded queue. Submit
// never blocks: when the queue is full the job is dropped and counted, so
// a slow or failing provider can never hold up message sending.
type Pool struct {
	cfg    PoolConfig
	queue  chan Job
	ctx    context.Context // cancelled when Close gives up waiting
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.RWMutex
	closed bool

	jobs    *prometheus.CounterVec
	retries prometheus.Counter
}

// NewPool starts the workers.
func NewPool(cfg PoolConfig) *Pool {
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = 1000
	}
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
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Pool{cfg: cfg, queue: make(chan Job, cfg.QueueSize), ctx: ctx, cancel: cancel}
	p.jobs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "parley_autotranslate_jobs_total",
		Help: "Auto-translation jobs by outcome: ok, failed (gave up), dropped (queue full or pool closed), abandoned (shutdown).",
	}, []string{"outcome"})
	p.retries = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "parley_autotranslate_job_retries_total",
		Help: "Auto-translation job tries repeated after a retryable failure.",
	})
	if cfg.Registerer != nil {
		p.jobs = register(cfg.Registerer, p.jobs)
		p.retries = register(cfg.Registerer, p.retries)
	}
	for _, o := range []string{"ok", "failed", "dropped", "abandoned"} {
		p.jobs.WithLabelValues(o)
	}
	for range cfg.Workers {
		p.wg.Add(1)
		go p.work()
	}
	return p
}

// register adds c to reg, or returns the collector already registered
// under the same name, so several pools can share one registry.
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

// Submit queues a job. It returns false, without blocking, when the queue
// is full or the pool is closed; the job is then dropped and counted.
func (p *Pool) Submit(job Job) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		p.jobs.WithLabelValues("dropped").Inc()
		return false
	}
	select {
	case p.queue <- job:
		return true
	default:
		p.jobs.WithLabelValues("dropped").Inc()
		p.cfg.Logger.Warn("autotranslate queue full, job dropped", "job", job.Name, "queue", p.cfg.QueueSize)
		return false
	}
}

// Len returns the number of queued jobs not yet started.
func (p *Pool) Len() int { return len(p.queue) }

// Close stops accepting jobs and waits for the queued and running ones to
// finish. If ctx ends first, running jobs are cancelled, queued ones are
// abandoned (and counted), and ctx's error is returned once the workers
// have stopped.
func (p *Pool) Close(ctx context.Context) error {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.queue)
	}
	p.mu.Unlock()
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		p.cancel()
		<-done
		return ctx.Err()
	}
}

func (p *Pool) work() {
	defer p.wg.Done()
	for job := range p.queue {
		if p.ctx.Err() != nil {
			p.jobs.WithLabelValues("abandoned").Inc()
			continue
		}
		p.run(job)
	}
}

func (p *Pool) run(job Job) {
	backoff := p.cfg.BaseBackoff
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(p.ctx, p.cfg.JobTimeout)
		err := job.Run(ctx)
		cancel()
		if err == nil {
			p.jobs.WithLabelValues("ok").Inc()
			return
		}
		if p.ctx.Err() != nil {
			p.jobs.WithLabelValues("abandoned").Inc()
			return
		}
		retry := p.cfg.Retryable(err)
		if !retry || attempt >= p.cfg.MaxAttempts {
			p.jobs.WithLabelValues("failed").Inc()
			p.cfg.Logger.Warn("autotranslate job failed", "job", job.Name, "attempts", attempt, "retryable", retry, "err", err)
			return
		}
		// Jitter keeps retries of many jobs from hitting a rate-limited
		// provider in lockstep; a Retry-After the provider sent is still
		// honoured in full, up to MaxBackoff.
		wait := backoff/2 + rand.N(backoff/2+1)
		if ra := RetryAfter(err); ra > wait {
			wait = ra
		}
		wait = min(wait, p.cfg.MaxBackoff)
		p.retries.Inc()
		select {
		case <-time.After(wait):
		case <-p.ctx.Done():
			p.jobs.WithLabelValues("abandoned").Inc()
			return
		}
		backoff = min(backoff*2, p.cfg.MaxBackoff)
	}
}
