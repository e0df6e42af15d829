package main

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestMetricsListener(t *testing.T) {
	// A free port for the metrics listener.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	maddr := ln.Addr().String()
	ln.Close()
	base, _ := startServer(t, map[string]string{"PARLEY_METRICS_ADDR": maddr, "PARLEY_METRICS_TOKEN": "s3cret"})
	get := func(url, token string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, _ := get(base+"/metrics", "s3cret"); code != http.StatusNotFound {
		t.Errorf("/metrics on the API port: %d, want 404", code)
	}
	if code, _ := get("http://"+maddr+"/metrics", ""); code != http.StatusUnauthorized {
		t.Errorf("/metrics without the token: %d, want 401", code)
	}
	if code, body := get("http://"+maddr+"/metrics", "s3cret"); code != http.StatusOK || !strings.Contains(body, "go_goroutines") {
		t.Errorf("/metrics with the token: %d %.100s", code, body)
	}
}

func TestMetricsNotPublicByDefault(t *testing.T) {
	base, _ := startServer(t, nil)
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("/metrics without --metrics-token or --metrics-addr: %d, want 404", res.StatusCode)
	}
}
