package translate

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
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

// testRetrier records the waits between tries instead of spending them.
type testRetrier struct {
	*Retrier
	reg   *prometheus.Registry
	log   *syncBuffer
	mu    sync.Mutex
	waits []time.Duration
}

func newTestRetrier(t *testing.T, cfg RetryConfig) *testRetrier {
	t.Helper()
	tr := &testRetrier{reg: prometheus.NewRegistry(), log: &syncBuffer{}}
	cfg.Registerer = tr.reg
	cfg.Logger = slog.New(slog.NewTextHandler(tr.log, nil))
	if cfg.Wait == nil {
		cfg.Wait = func(ctx context.Context, d time.Duration) error {
			tr.mu.Lock()
			tr.waits = append(tr.waits, d)
			tr.mu.Unlock()
			return ctx.Err()
		}
	}
	tr.Retrier = NewRetrier(cfg)
	return tr
}

func (tr *testRetrier) recorded() []time.Duration {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]time.Duration(nil), tr.waits...)
}

// metric reads a counter from the registry; outcome "" reads the
// unlabelled retries counter.
func metric(t *testing.T, reg *prometheus.Registry, name, outcome string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
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

func (tr *testRetrier) metric(t *testing.T, name, outcome string) float64 {
	t.Helper()
	return metric(t, tr.reg, name, outcome)
}

func TestRetrierRetriesRetryableErrors(t *testing.T) {
	t.Parallel()
	tr := newTestRetrier(t, RetryConfig{BaseBackoff: 10 * time.Millisecond, MaxBackoff: 40 * time.Millisecond})
	tries := 0
	tr.Run(context.Background(), Job{Name: "flaky", Run: func(context.Context) error {
		if tries++; tries < 3 {
			return &APIError{Provider: "test", StatusCode: 503}
		}
		return nil
	}})
	if tries != 3 {
		t.Fatalf("%d tries, want 3", tries)
	}
	// Backoff with jitter: between half and all of 10 ms, then of 20 ms.
	w := tr.recorded()
	if len(w) != 2 || w[0] < 5*time.Millisecond || w[0] > 10*time.Millisecond || w[1] < 10*time.Millisecond || w[1] > 20*time.Millisecond {
		t.Errorf("waits = %v", w)
	}
	if ok, retries := tr.metric(t, "parley_autotranslate_jobs_total", "ok"), tr.metric(t, "parley_autotranslate_job_retries_total", ""); ok != 1 || retries != 2 {
		t.Errorf("ok=%v retries=%v", ok, retries)
	}
	if lines := tr.log.lines(); len(lines) != 0 {
		t.Errorf("logged on success: %v", lines)
	}
}

func TestRetrierBackoffGrowsToTheCap(t *testing.T) {
	t.Parallel()
	tr := newTestRetrier(t, RetryConfig{MaxAttempts: 6, BaseBackoff: 8 * time.Millisecond, MaxBackoff: 20 * time.Millisecond})
	tr.Run(context.Background(), Job{Name: "down", Run: func(context.Context) error { return &APIError{Provider: "test", StatusCode: 502} }})
	w := tr.recorded()
	bounds := [][2]time.Duration{{4, 8}, {8, 16}, {10, 20}, {10, 20}, {10, 20}}
	if len(w) != 5 {
		t.Fatalf("waits = %v, want 5", w)
	}
	for i, b := range bounds {
		if w[i] < b[0]*time.Millisecond || w[i] > b[1]*time.Millisecond {
			t.Errorf("wait %d = %v, want within %v ms", i, w[i], b)
		}
	}
}

func TestRetrierGivesUp(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		err   error
		tries int
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
			tr := newTestRetrier(t, RetryConfig{MaxAttempts: 3, BaseBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})
			tries := 0
			tr.Run(context.Background(), Job{Name: "msg-" + c.name, Run: func(context.Context) error { tries++; return c.err }})
			if tries != c.tries {
				t.Errorf("%d tries, want %d", tries, c.tries)
			}
			// A Retry-After of an hour is capped by MaxBackoff.
			for _, w := range tr.recorded() {
				if w > 5*time.Millisecond {
					t.Errorf("waited %v, beyond MaxBackoff", w)
				}
			}
			lines := tr.log.lines()
			if len(lines) != 1 || !strings.Contains(lines[0], "msg-"+c.name) || !strings.Contains(lines[0], "level=WARN") {
				t.Errorf("log = %q, want one line naming the job", lines)
			}
			if f := tr.metric(t, "parley_autotranslate_jobs_total", "failed"); f != 1 {
				t.Errorf("failed = %v", f)
			}
		})
	}
}

func TestRetrierHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	tr := newTestRetrier(t, RetryConfig{BaseBackoff: time.Millisecond, MaxBackoff: time.Second})
	tries := 0
	tr.Run(context.Background(), Job{Name: "limited", Run: func(context.Context) error {
		if tries++; tries == 1 {
			return &APIError{Provider: "test", StatusCode: 429, RetryAfter: 60 * time.Millisecond}
		}
		return nil
	}})
	if w := tr.recorded(); tries != 2 || len(w) != 1 || w[0] != 60*time.Millisecond {
		t.Errorf("%d tries, waits %v; want one wait of the 60ms Retry-After", tries, w)
	}
}

func TestRetrierAbandonsWhenCancelled(t *testing.T) {
	t.Parallel()
	t.Run("while running", func(t *testing.T) {
		t.Parallel()
		tr := newTestRetrier(t, RetryConfig{})
		ctx, cancel := context.WithCancel(context.Background())
		tr.Run(ctx, Job{Name: "stuck", Run: func(ctx context.Context) error {
			cancel()
			<-ctx.Done()
			return &APIError{Provider: "test", StatusCode: 503}
		}})
		if a, f := tr.metric(t, "parley_autotranslate_jobs_total", "abandoned"), tr.metric(t, "parley_autotranslate_jobs_total", "failed"); a != 1 || f != 0 {
			t.Errorf("abandoned=%v failed=%v", a, f)
		}
		if len(tr.recorded()) != 0 || len(tr.log.lines()) != 0 {
			t.Errorf("waits %v, log %v after shutdown", tr.recorded(), tr.log.lines())
		}
	})
	t.Run("while waiting to retry", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		tr := newTestRetrier(t, RetryConfig{Wait: func(ctx context.Context, _ time.Duration) error { cancel(); return ctx.Err() }})
		tries := 0
		tr.Run(ctx, Job{Name: "retry", Run: func(context.Context) error { tries++; return &APIError{Provider: "test", StatusCode: 503} }})
		if tries != 1 || tr.metric(t, "parley_autotranslate_jobs_total", "abandoned") != 1 {
			t.Errorf("%d tries, abandoned=%v", tries, tr.metric(t, "parley_autotranslate_jobs_total", "abandoned"))
		}
	})
}

func TestRetrierJobTimeout(t *testing.T) {
	t.Parallel()
	tr := newTestRetrier(t, RetryConfig{JobTimeout: 20 * time.Millisecond})
	tries := 0
	tr.Run(context.Background(), Job{Name: "slow", Run: func(ctx context.Context) error {
		tries++
		<-ctx.Done()
		return ctx.Err()
	}})
	if tries != 1 || tr.metric(t, "parley_autotranslate_jobs_total", "failed") != 1 {
		t.Errorf("tries=%d", tries)
	}
}

func TestRetrierCountsQueueOutcomes(t *testing.T) {
	t.Parallel()
	tr := newTestRetrier(t, RetryConfig{})
	tr.Dropped(Job{Name: "message full"})
	tr.Abandoned(Job{Name: "message late"})
	if d, a := tr.metric(t, "parley_autotranslate_jobs_total", "dropped"), tr.metric(t, "parley_autotranslate_jobs_total", "abandoned"); d != 1 || a != 1 {
		t.Errorf("dropped=%v abandoned=%v", d, a)
	}
	if lines := tr.log.lines(); len(lines) != 1 || !strings.Contains(lines[0], "message full") {
		t.Errorf("log = %q, want one line naming the dropped job", lines)
	}
}

// The pieces together: a job translating through a real provider client
// that first meets a 503, then succeeds on the retry.
func TestRetrierWithProvider(t *testing.T) {
	t.Parallel()
	calls := 0
	var mu sync.Mutex
	api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		mu.Lock()
		calls++
		first := calls == 1
		mu.Unlock()
		if first {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		writeJSON(w, map[string]any{"translatedText": []string{"Hallo Welt"}})
	})
	p := NewLibre(Config{BaseURL: api.URL})
	tr := newTestRetrier(t, RetryConfig{})
	saved := map[string]string{}
	tr.Run(context.Background(), Job{Name: "message abc", Run: func(ctx context.Context) error {
		got, err := p.Translate(ctx, "Hello world", []string{"de"})
		for lang, text := range got {
			saved[lang] = text
		}
		return err
	}})
	mu.Lock()
	defer mu.Unlock()
	if saved["de"] != "Hallo Welt" || calls != 2 || len(tr.recorded()) != 1 {
		t.Errorf("saved %v after %d calls and waits %v", saved, calls, tr.recorded())
	}
}

func TestRetrierSharedRegistry(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	a := NewRetrier(RetryConfig{Registerer: reg})
	b := NewRetrier(RetryConfig{Registerer: reg})
	a.Run(context.Background(), Job{Name: "a", Run: func(context.Context) error { return nil }})
	b.Run(context.Background(), Job{Name: "b", Run: func(context.Context) error { return nil }})
	if ok := metric(t, reg, "parley_autotranslate_jobs_total", "ok"); ok != 2 {
		t.Errorf("ok = %v, want 2 from both", ok)
	}
}

func TestDefaultWaitStopsWithContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := wait(ctx, time.Hour); err != context.Canceled {
		t.Errorf("wait = %v", err)
	}
	if err := wait(context.Background(), 0); err != nil {
		t.Errorf("wait 0 = %v", err)
	}
}
