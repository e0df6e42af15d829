package jobs

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func newPool(t *testing.T, cfg Config) *Pool {
	t.Helper()
	p := New(cfg)
	t.Cleanup(func() { p.Close(context.Background()) })
	return p
}

// blocker is a job that signals when it starts and runs until released.
type blocker struct {
	started chan struct{}
	release chan struct{}
}

func newBlocker() *blocker {
	return &blocker{started: make(chan struct{}), release: make(chan struct{})}
}

func (b *blocker) job(name string) Job {
	return Job{Name: name, Run: func(ctx context.Context) {
		close(b.started)
		select {
		case <-b.release:
		case <-ctx.Done():
		}
	}}
}

func (p *Pool) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

func waitIdle(t *testing.T, p *Pool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.WaitIdle(ctx); err != nil {
		t.Fatalf("WaitIdle: %v", err)
	}
}

func TestQueueOverflowRefusesWithoutWaiting(t *testing.T) {
	t.Parallel()
	p := newPool(t, Config{Workers: 1, QueueSize: 2})
	b := newBlocker()
	var ran atomic.Int32
	quick := Job{Name: "quick", Run: func(context.Context) { ran.Add(1) }}

	if !p.Submit(b.job("blocker")) {
		t.Fatal("first job refused")
	}
	<-b.started
	for i := range 2 {
		if !p.Submit(quick) {
			t.Fatalf("queued job %d refused", i+1)
		}
	}
	// The worker is held and the queue is full: these return at once (a
	// blocking Submit would hang the test) and refuse the job.
	for i := range 3 {
		if p.Submit(quick) {
			t.Fatalf("job %d accepted beyond the queue limit", i+1)
		}
	}
	if p.Len() != 2 || p.Pending() != 3 {
		t.Errorf("Len = %d, Pending = %d; want 2 and 3", p.Len(), p.Pending())
	}
	close(b.release)
	waitIdle(t, p)
	if ran.Load() != 2 || p.Pending() != 0 {
		t.Errorf("%d quick jobs ran, %d pending; want 2 and 0", ran.Load(), p.Pending())
	}
	// Room again once the queue drained.
	if !p.Submit(quick) {
		t.Error("refused after the queue drained")
	}
	waitIdle(t, p)
	if ran.Load() != 3 {
		t.Errorf("%d quick jobs ran, want 3", ran.Load())
	}
}

func TestWorkersBoundConcurrency(t *testing.T) {
	t.Parallel()
	const workers = 3
	p := newPool(t, Config{Workers: workers, QueueSize: 20})
	var running, peak atomic.Int32
	release := make(chan struct{})
	started := make(chan struct{}, 20)
	for range 10 {
		p.Submit(Job{Name: "count", Run: func(context.Context) {
			n := running.Add(1)
			for {
				old := peak.Load()
				if n <= old || peak.CompareAndSwap(old, n) {
					break
				}
			}
			started <- struct{}{}
			<-release
			running.Add(-1)
		}})
	}
	for range workers {
		<-started
	}
	// All workers are busy; the rest wait in the queue.
	if p.Len() != 10-workers {
		t.Errorf("Len = %d, want %d", p.Len(), 10-workers)
	}
	close(release)
	waitIdle(t, p)
	if peak.Load() != workers {
		t.Errorf("peak concurrency %d, want %d", peak.Load(), workers)
	}
}

func TestWaitIdle(t *testing.T) {
	t.Parallel()
	t.Run("fresh pool is idle", func(t *testing.T) {
		t.Parallel()
		p := newPool(t, Config{})
		waitIdle(t, p)
	})
	t.Run("waits for running and queued jobs", func(t *testing.T) {
		t.Parallel()
		p := newPool(t, Config{Workers: 1})
		b := newBlocker()
		var done atomic.Bool
		p.Submit(b.job("blocker"))
		p.Submit(Job{Name: "after", Run: func(context.Context) { done.Store(true) }})
		<-b.started
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := p.WaitIdle(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("WaitIdle while busy = %v, want the context's error", err)
		}
		close(b.release)
		waitIdle(t, p)
		if !done.Load() {
			t.Error("WaitIdle returned before the queued job ran")
		}
	})
	t.Run("waits for jobs that jobs submit", func(t *testing.T) {
		t.Parallel()
		p := newPool(t, Config{Workers: 2})
		var depth atomic.Int32
		var chain func(context.Context)
		chain = func(context.Context) {
			if depth.Add(1) < 5 {
				p.Submit(Job{Name: "chain", Run: chain})
			}
		}
		p.Submit(Job{Name: "chain", Run: chain})
		waitIdle(t, p)
		if depth.Load() != 5 {
			t.Errorf("depth %d when idle, want 5", depth.Load())
		}
	})
	t.Run("many waiters", func(t *testing.T) {
		t.Parallel()
		p := newPool(t, Config{Workers: 1})
		b := newBlocker()
		p.Submit(b.job("blocker"))
		<-b.started
		var wg sync.WaitGroup
		errs := make(chan error, 5)
		for range 5 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- p.WaitIdle(context.Background())
			}()
		}
		close(b.release)
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
	})
}

func TestCloseDrainsQueue(t *testing.T) {
	t.Parallel()
	p := New(Config{Workers: 1, QueueSize: 10})
	b := newBlocker()
	var ran atomic.Int32
	p.Submit(b.job("blocker"))
	<-b.started
	for range 5 {
		p.Submit(Job{Name: "queued", Run: func(context.Context) { ran.Add(1) }, Abandon: func() { t.Error("abandoned while draining") }})
	}
	closed := make(chan error, 1)
	go func() { closed <- p.Close(context.Background()) }()
	// Closing refuses new work at once, even while it waits.
	for !p.isClosed() {
		runtime.Gosched()
	}
	if p.Submit(Job{Name: "late", Run: func(context.Context) { t.Error("job ran after Close") }}) {
		t.Fatal("accepted after Close began")
	}
	close(b.release)
	if err := <-closed; err != nil {
		t.Fatalf("Close = %v", err)
	}
	if ran.Load() != 5 {
		t.Errorf("%d queued jobs ran, want 5", ran.Load())
	}
	if err := p.Close(context.Background()); err != nil {
		t.Errorf("second Close = %v", err)
	}
	waitIdle(t, p)
}

func TestCloseAbandonsOnDeadline(t *testing.T) {
	t.Parallel()
	p := New(Config{Workers: 1, QueueSize: 10})
	b := newBlocker()
	var cancelled atomic.Bool
	p.Submit(Job{Name: "stuck", Run: func(ctx context.Context) {
		close(b.started)
		<-ctx.Done()
		cancelled.Store(true)
	}})
	<-b.started
	var ran, abandoned atomic.Int32
	for range 3 {
		p.Submit(Job{Name: "queued", Run: func(context.Context) { ran.Add(1) }, Abandon: func() { abandoned.Add(1) }})
	}
	// A job without Abandon is skipped silently.
	p.Submit(Job{Name: "quiet", Run: func(context.Context) { ran.Add(1) }})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Close(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Close = %v", err)
	}
	// Close returned after the workers stopped: nothing is left running.
	if !cancelled.Load() || ran.Load() != 0 || abandoned.Load() != 3 || p.Pending() != 0 {
		t.Errorf("cancelled=%v ran=%d abandoned=%d pending=%d", cancelled.Load(), ran.Load(), abandoned.Load(), p.Pending())
	}
	if p.Submit(Job{Name: "late", Run: func(context.Context) {}}) {
		t.Error("accepted after Close")
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	p := newPool(t, Config{})
	if cap(p.queue) != DefaultQueueSize {
		t.Errorf("queue size %d, want %d", cap(p.queue), DefaultQueueSize)
	}
	var n atomic.Int32
	for range DefaultWorkers * 2 {
		p.Submit(Job{Name: "n", Run: func(context.Context) { n.Add(1) }})
	}
	waitIdle(t, p)
	if n.Load() != DefaultWorkers*2 {
		t.Errorf("%d ran", n.Load())
	}
}
