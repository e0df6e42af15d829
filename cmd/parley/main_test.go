package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"
)

// startServer runs serve on a fresh data dir and returns its base URL and
// a function that stops it and waits until it has (also run at cleanup).
func startServer(t testing.TB, env map[string]string) (string, func()) {
	t.Helper()
	return serveDir(t, t.TempDir(), env, io.Discard)
}

func TestServeLoginAndGracefulShutdown(t *testing.T) {
	base, stop := startServer(t, map[string]string{"ADMIN_USERNAME": "root", "ADMIN_PASS": "pw", "ADMIN_EMAIL": "root@example.com"})
	res, err := http.PostForm(base+"/api/v1/login", url.Values{"user": {"root"}, "password": {"pw"}})
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Status string `json:"status"`
		Data   struct {
			Me struct {
				Roles []string `json:"roles"`
			} `json:"me"`
		} `json:"data"`
	}
	json.NewDecoder(res.Body).Decode(&out)
	res.Body.Close()
	if res.StatusCode != 200 || out.Status != "success" || len(out.Data.Me.Roles) != 1 || out.Data.Me.Roles[0] != "admin" {
		t.Fatalf("login: %d %+v", res.StatusCode, out)
	}
	// The default channel exists.
	// The server shuts down cleanly and in time, or stop fails the test.
	stop()
}

func TestConfigErrors(t *testing.T) {
	for _, args := range [][]string{{"--log-level", "loud"}, {"--nope"}, {"extra"}, {"--db", "mysql://x"}} {
		err := serve(context.Background(), append(args, "--addr", "127.0.0.1:0", "--data", t.TempDir()), nil, io.Discard, nil)
		if err == nil {
			t.Errorf("serve %v: no error", args)
		}
	}
}

// BenchmarkLogin measures password logins over keep-alive connections; run
// it next to BenchmarkBareJSON, the ceiling of this machine, and compare.
func BenchmarkLogin(b *testing.B) {
	base, stop := startServer(b, map[string]string{"ADMIN_USERNAME": "root", "ADMIN_PASS": "pw", "OVERWRITE_SETTING_API_Enable_Rate_Limiter": "false"})
	defer stop()
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
		for pb.Next() {
			res, err := c.Post(base+"/api/v1/login", "application/json", strings.NewReader(`{"user":"root","password":"pw"}`))
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				b.Fatalf("status %d", res.StatusCode)
			}
		}
	})
}

// BenchmarkBareJSON is a bare net/http JSON handler with the same clients.
func BenchmarkBareJSON(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"status": "success", "data": map[string]any{"userId": "x", "authToken": "y"}})
	}))
	defer srv.Close()
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
		for pb.Next() {
			res, err := c.Post(srv.URL+"/api/v1/login", "application/json", strings.NewReader(`{"user":"root","password":"pw"}`))
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	})
}

// TestConfigWatcherStopsWithServe checks that serve returns only after the
// settings watcher it started has stopped, also when it fails after
// starting it (here: the metrics address is taken).
func TestConfigWatcherStopsWithServe(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	environ := []string{"PARLEY_DATA_DIR=" + t.TempDir(), "PARLEY_METRICS_ADDR=" + busy.Addr().String()}
	err = serve(context.Background(), []string{"--addr", "127.0.0.1:0", "--log-level", "error"}, environ, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "--metrics-addr") {
		t.Fatalf("serve = %v, want the metrics listener's error", err)
	}
	// Servers of earlier tests may still be finishing their shutdown, so
	// their watchers get a moment; this one's is already gone, or stays
	// forever.
	deadline := time.Now().Add(5 * time.Second)
	for watchers() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("a settings watcher is still running after serve returned")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// watchers counts the goroutines running App.WatchConfig.
func watchers() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), "(*App).WatchConfig(")
		}
		buf = make([]byte, 2*len(buf))
	}
}
