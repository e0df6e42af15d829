package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
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
