// Package jobs runs background work off the request path: a fixed number
// of workers take jobs from a bounded queue. Submitting never waits, so a
// slow or failing outside service (a web site being previewed, a
// translation provider) can never hold up the request that caused the
// work; when the queue is full the job is refused and the caller counts it.
package jobs

import (
	"context"
	"sync"
)

// Job is one unit of work.
type Job struct {
	// Name identifies the job in logs, e.g. "message Xnb2kLD2Pnhdwe3RH".
	Name string
	// Run does the work. Its ctx is cancelled when Close gives up waiting.
	Run func(ctx context.Context)
	// Abandon, when set, is called instead of Run for a job that was still
	// queued when Close gave up waiting, so that its owner can count it.
	Abandon func()
}

// Default limits, for a Config that leaves them zero.
const (
	DefaultWorkers   = 4
	DefaultQueueSize = 1000
)

// Config sizes a Pool. Zero values take the defaults.
type Config struct {
	Workers   int // jobs running at once
	QueueSize int // jobs waiting beyond the running ones
}

// Pool runs jobs on a fixed number of workers with a bounded queue.
type Pool struct {
	queue  chan Job
	ctx    context.Context // cancelled when Close gives up waiting
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	closed  bool
	pending int           // queued plus running
	idle    chan struct{} // closed while pending is 0
}

// New starts the workers.
func New(cfg Config) *Pool {
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = DefaultQueueSize
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Pool{queue: make(chan Job, cfg.QueueSize), ctx: ctx, cancel: cancel, idle: make(chan struct{})}
	close(p.idle)
	for range cfg.Workers {
		p.wg.Add(1)
		go p.work()
	}
	return p
}

// Submit queues job. It returns false, without waiting, when the queue is
// full or the pool is closed; the job will then never run.
func (p *Pool) Submit(job Job) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	select {
	case p.queue <- job:
	default:
		return false
	}
	if p.pending == 0 {
		p.idle = make(chan struct{})
	}
	p.pending++
	return true
}

// Len returns the number of queued jobs not yet started.
func (p *Pool) Len() int { return len(p.queue) }

// Pending returns the number of jobs queued or running.
func (p *Pool) Pending() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pending
}

// WaitIdle waits until no job is queued or running, or ctx ends. Jobs
// submitted meanwhile are waited for too.
func (p *Pool) WaitIdle(ctx context.Context) error {
	p.mu.Lock()
	idle := p.idle
	p.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops accepting jobs and waits for the queued and running ones to
// finish. If ctx ends first, running jobs are cancelled, queued ones are
// abandoned, and ctx's error is returned once the workers have stopped.
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
		p.run(job)
		p.mu.Lock()
		p.pending--
		if p.pending == 0 {
			close(p.idle)
		}
		p.mu.Unlock()
	}
}

func (p *Pool) run(job Job) {
	if p.ctx.Err() != nil {
		if job.Abandon != nil {
			job.Abandon()
		}
		return
	}
	job.Run(p.ctx)
}
