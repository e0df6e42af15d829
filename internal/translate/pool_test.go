package translate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// syncBuffer collects log output from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.FieldsFunc(s.b.String(), func(r rune) bool { return r == '\n' })
}

type testPool struct {
	*Pool
	reg *prometheus.Registry
	log *syncBuffer
}

func newTestPool(t *testing.T, cfg PoolConfig) *testPool {
	t.Helper()
	tp := &testPool{reg: prometheus.NewRegistry(), log: &syncBuffer{}}
	cfg.Registerer = tp.reg
	cfg.Logger = slog.New(slog.NewTextHandler(tp.log, nil))
	if cfg.BaseBackoff == 0 {
		cfg.BaseBackoff = time.Millisecond
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = 5 * time.Millisecond
	}
	tp.Pool = NewPool(cfg)
	t.Cleanup(func() { tp.Close(context.Background()) })
	return tp
}

// metric reads a counter from the pool's registry; label "" reads the
// unlabelled retries counter.
func (tp *testPool) metric(t *testing.T, name, outcome string) float64 {
	t.Helper()
	mfs, err := tp.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if outcome == "" || (len(m.GetLabel()) == 1 && m.GetLabel()[0].GetValue() == outcome) {
				return m.GetCounter().GetValue()
			}
		}
	}
	return -1
}

func (tp *testPool) drain(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := tp.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestPoolQueueLimit(t *testing.T) {
	t.Parallel()
	tp := newTestPool(t, PoolConfig{Workers: 1, QueueSize: 2})
	release := make(chan struct{})
	running := make(chan struct{})
	var ran atomic.Int32
	block := Job{Name: "blocker", Run: func(context.Context) error { close(running); <-release; ran.Add(1); return nil }}
	quick := Job{Name: "quick", Run: func(context.Context) error { ran.Add(1); return nil }}

	if !tp.Submit(block) {
		t.Fatal("first job refused")
	}
	<-running
	start := time.Now()
	for i := range 2 {
		if !tp.Submit(quick) {
			t.Fatalf("queued job %d refused", i+1)
		}
	}
	for i := range 2 {
		if tp.Submit(quick) {
			t.Fatalf("job %d accepted beyond the queue limit", i+1)
		}
	}
	if time.Since(start) > 100*time.Millisecond {
		t.Error("Submit blocked")
	}
	if tp.Len() != 2 {
		t.Errorf("Len = %d", tp.Len())
	}
	close(release)
	tp.drain(t)
	if ran.Load() != 3 {
		t.Errorf("%d jobs ran, want 3", ran.Load())
	}
	if d, ok := tp.metric(t, "parley_autotranslate_jobs_total", "dropped"), tp.metric(t, "parley_autotranslate_jobs_total", "ok"); d != 2 || ok != 3 {
		t.Errorf("dropped=%v ok=%v", d, ok)
	}
	if tp.Submit(quick) {
		t.Error("accepted after Close")
	}
}

func TestPoolRetriesRetryableErrors(t *testing.T) {
	t.Parallel()
	tp := newTestPool(t, PoolConfig{Workers: 2, BaseBackoff: 10 * time.Millisecond, MaxBackoff: 40 * time.Millisecond})
	var tries atomic.Int32
	var times []time.Time
	var mu sync.Mutex
	tp.Submit(Job{Name: "flaky", Run: func(context.Context) error {
		mu.Lock()
		times = append(times, time.Now())
		mu.Unlock()
		if tries.Add(1) < 3 {
			return &APIError{Provider: "test", StatusCode: 503}
		}
		return nil
	}})
	tp.drain(t)
	if tries.Load() != 3 {
		t.Fatalf("%d tries, want 3", tries.Load())
	}
	// Backoff with jitter: at least half of 10 ms, then half of 20 ms.
	if d := times[1].Sub(times[0]); d < 5*time.Millisecond {
		t.Errorf("first retry after %v", d)
	}
	if d := times[2].Sub(times[1]); d < 10*time.Millisecond {
		t.Errorf("second retry after %v", d)
	}
	if ok, retries := tp.metric(t, "parley_autotranslate_jobs_total", "ok"), tp.metric(t, "parley_autotranslate_job_retries_total", ""); ok != 1 || retries != 2 {
		t.Errorf("ok=%v retries=%v", ok, retries)
	}
	if lines := tp.log.lines(); len(lines) != 0 {
		t.Errorf("logged on success: %v", lines)
	}
}

func TestPoolGivesUp(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		err   error
		tries int32
	}{
		{"4xx", &APIError{Provider: "test", StatusCode: 403, Message: "bad key"}, 1},
		{"timeout", fmt.Errorf("test: %w", ErrTimeout), 1},
		{"malformed", fmt.Errorf("test: %w", ErrMalformed), 1},
		{"not configured", ErrNotConfigured, 1},
		{"5xx forever", &APIError{Provider: "test", StatusCode: 500}, 3},
		{"429 forever", &APIError{Provider: "test", StatusCode: 429, RetryAfter: time.Hour}, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			tp := newTestPool(t, PoolConfig{Workers: 1, MaxAttempts: 3})
			var tries atomic.Int32
			tp.Submit(Job{Name: "msg-" + c.name, Run: func(context.Context) error { tries.Add(1); return c.err }})
			start := time.Now()
			tp.drain(t)
			if tries.Load() != c.tries {
				t.Errorf("%d tries, want %d", tries.Load(), c.tries)
			}
			// A Retry-After of an hour is capped by MaxBackoff.
			if time.Since(start) > time.Second {
				t.Errorf("took %v", time.Since(start))
			}
			lines := tp.log.lines()
			if len(lines) != 1 || !strings.Contains(lines[0], "msg-"+c.name) || !strings.Contains(lines[0], "level=WARN") {
				t.Errorf("log = %q, want one line naming the job", lines)
			}
			if f := tp.metric(t, "parley_autotranslate_jobs_total", "failed"); f != 1 {
				t.Errorf("failed = %v", f)
			}
		})
	}
}

func TestPoolCloseAbandonsOnDeadline(t *testing.T) {
	t.Parallel()
	tp := newTestPool(t, PoolConfig{Workers: 1, QueueSize: 10})
	started := make(chan struct{})
	var cancelled atomic.Bool
	tp.Submit(Job{Name: "stuck", Run: func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		cancelled.Store(true)
		return ctx.Err()
	}})
	<-started
	var ran atomic.Int32
	for range 3 {
		tp.Submit(Job{Name: "queued", Run: func(context.Context) error { ran.Add(1); return nil }})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := tp.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close = %v", err)
	}
	if !cancelled.Load() || ran.Load() != 0 {
		t.Errorf("cancelled=%v ran=%d", cancelled.Load(), ran.Load())
	}
	if a := tp.metric(t, "parley_autotranslate_jobs_total", "abandoned"); a != 4 {
		t.Errorf("abandoned = %v, want 4", a)
	}
}

func TestPoolJobTimeout(t *testing.T) {
	t.Parallel()
	tp := newTestPool(t, PoolConfig{Workers: 1, JobTimeout: 20 * time.Millisecond})
	var tries atomic.Int32
	tp.Submit(Job{Name: "slow", Run: func(ctx context.Context) error {
		tries.Add(1)
		<-ctx.Done()
		return ctx.Err()
	}})
	tp.drain(t)
	if tries.Load() != 1 || tp.metric(t, "parley_autotranslate_jobs_total", "failed") != 1 {
		t.Errorf("tries=%d", tries.Load())
	}
}

// The pieces together: a job translating through a real provider client
// that first meets a 503, then succeeds on the retry.
func TestPoolWithProvider(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		if calls.Add(1) == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		writeJSON(w, map[string]any{"translatedText": []string{"Hallo Welt"}})
	})
	p := NewLibre(Config{BaseURL: api.URL})
	tp := newTestPool(t, PoolConfig{})
	var saved sync.Map
	tp.Submit(Job{Name: "message abc", Run: func(ctx context.Context) error {
		got, err := p.Translate(ctx, "Hello world", []string{"de"})
		for lang, text := range got {
			saved.Store(lang, text)
		}
		return err
	}})
	tp.drain(t)
	if v, _ := saved.Load("de"); v != "Hallo Welt" || calls.Load() != 2 {
		t.Errorf("saved %v after %d calls", v, calls.Load())
	}
}

func TestPoolSharedRegistry(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	a := NewPool(PoolConfig{Registerer: reg, Workers: 1})
	b := NewPool(PoolConfig{Registerer: reg, Workers: 1})
	a.Submit(Job{Name: "a", Run: func(context.Context) error { return nil }})
	b.Submit(Job{Name: "b", Run: func(context.Context) error { return nil }})
	a.Close(context.Background())
	b.Close(context.Background())
	tp := &testPool{reg: reg}
	if ok := tp.metric(t, "parley_autotranslate_jobs_total", "ok"); ok != 2 {
		t.Errorf("ok = %v, want 2 from both pools", ok)
	}
}

func TestPoolHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	tp := newTestPool(t, PoolConfig{Workers: 1, BaseBackoff: time.Millisecond, MaxBackoff: time.Second})
	var times []time.Time
	var mu sync.Mutex
	tp.Submit(Job{Name: "limited", Run: func(context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		times = append(times, time.Now())
		if len(times) == 1 {
			return &APIError{Provider: "test", StatusCode: 429, RetryAfter: 60 * time.Millisecond}
		}
		return nil
	}})
	tp.drain(t)
	if len(times) != 2 || times[1].Sub(times[0]) < 60*time.Millisecond {
		t.Errorf("retried after %v, want at least the 60ms Retry-After", times[1].Sub(times[0]))
	}
}
