package main

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

func TestPercentileNearestRank(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	var lat []time.Duration
	for i := 100; i >= 1; i-- {
		lat = append(lat, ms(i))
	}
	s := summarize(lat, map[int]int{0: 2, 500: 1}, 2*time.Second)
	if s.Requests != 100 || s.RPS != 50 {
		t.Fatalf("requests %d rps %v", s.Requests, s.RPS)
	}
	if s.P50ms != 50 || s.P95ms != 95 || s.P99ms != 99 || s.MaxMs != 100 {
		t.Fatalf("percentiles %+v", s)
	}
	if s.Errors["transport"] != 2 || s.Errors["500"] != 1 || s.ErrorCount() != 3 {
		t.Fatalf("errors %v", s.Errors)
	}

	// With few samples the high percentiles are the largest sample, never
	// an interpolated value that no request had.
	few := []time.Duration{ms(3), ms(1), ms(2)}
	if s := summarize(few, nil, time.Second); s.P50ms != 2 || s.P99ms != 3 {
		t.Fatalf("three samples: %+v", s)
	}
	if s := summarize(nil, nil, time.Second); s.Requests != 0 || s.P99ms != 0 {
		t.Fatalf("empty: %+v", s)
	}
}

func TestMedian(t *testing.T) {
	if m := median([]float64{5, 1, 3}); m != 3 {
		t.Fatal(m)
	}
	if m := median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Fatal(m)
	}
	if !math.IsNaN(median(nil)) {
		t.Fatal("median of nothing should be NaN")
	}
}

// TestLoadSmoke drives the bare handlers for a fraction of a second: the
// client machinery must count every answer and see no errors.
func TestLoadSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("load smoke test")
	}
	dir := t.TempDir()
	read := filepath.Join(dir, "read.db")
	if err := seedBare(read, 2, 60); err != nil {
		t.Fatal(err)
	}
	fx := &fixture{users: []session{{userID: "u1", token: "t1"}, {userID: "u2", token: "t2"}}, userRooms: [][]int{{0}, {1}}}
	for _, tc := range []struct{ mode, path, scenario string }{
		{"hello", "", "read"},
		{"insert", filepath.Join(dir, "insert.db"), "post"},
		{"read", read, "read"},
	} {
		h, closeDB, err := bareHandler(tc.mode, tc.path)
		if err != nil {
			t.Fatal(err)
		}
		var served atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			served.Add(1)
			h.ServeHTTP(w, r)
		}))
		s := runLoad(context.Background(), newClient(4), 4, 50*time.Millisecond, 300*time.Millisecond,
			bareRequests(tc.scenario, srv.URL, fx, 2), nil, nil)
		srv.Close()
		closeDB()
		if s.Requests == 0 || s.ErrorCount() != 0 {
			t.Fatalf("%s: %d requests, errors %v", tc.mode, s.Requests, s.Errors)
		}
		if int64(s.Requests) > served.Load() {
			t.Fatalf("%s: counted %d requests but the server saw %d", tc.mode, s.Requests, served.Load())
		}
	}
}
