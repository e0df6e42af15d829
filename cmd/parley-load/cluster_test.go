package main

import (
	"context"
	"net/http"
	"os"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for a Parley node: started with
// PARLEY_LOAD_FAKE_NODE set, it only answers /health on PARLEY_ADDR, which
// is all the cluster needs of a node to start and stop it.
func TestMain(m *testing.M) {
	if os.Getenv("PARLEY_LOAD_FAKE_NODE") != "" {
		http.HandleFunc("/health", func(w http.ResponseWriter, _ *http.Request) {})
		if err := http.ListenAndServe(os.Getenv("PARLEY_ADDR"), nil); err != nil {
			os.Exit(1)
		}
		return
	}
	os.Exit(m.Run())
}

func TestResizeRunsOnlyTheRowsNodesAndLetsOneNodeFallQuiet(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	defer func(d time.Duration) { aloneAfter = d }(aloneAfter)
	aloneAfter = 300 * time.Millisecond
	fake := spawnOpts{bin: self, db: "postgres://fake", extraEnv: []string{"PARLEY_LOAD_FAKE_NODE=1"}}
	cl := &cluster{opts: fake}
	defer cl.close()
	ctx := context.Background()
	// A stopped node has been waited for, so its pid is gone.
	running := func(pid int) bool { return syscall.Kill(pid, 0) == nil }

	if err := cl.resize(ctx, 2); err != nil {
		t.Fatal(err)
	}
	pids := cl.pids(2)
	if pids[0] == pids[1] || !running(pids[0]) || !running(pids[1]) {
		t.Fatalf("two nodes should run, pids %v", pids)
	}

	start := time.Now()
	if err := cl.resize(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < aloneAfter {
		t.Errorf("one node measured %v after the second stopped; it sends events for %v", waited, aloneAfter)
	}
	if cl.nodes[1] != nil || running(pids[1]) {
		t.Errorf("the second node still runs after resizing to one")
	}
	if cl.nodes[0].pid() != pids[0] || !running(pids[0]) {
		t.Errorf("the first node was restarted or stopped")
	}

	// Once quiet, one node again needs no wait; two start the second anew.
	start = time.Now()
	if err := cl.resize(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited >= aloneAfter {
		t.Errorf("a quiet node waited %v more", waited)
	}
	if err := cl.resize(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if p := cl.nodes[1].pid(); p == pids[1] || !running(p) {
		t.Errorf("the second node did not start again (pid %d, before %d)", p, pids[1])
	}

	// SQLite nodes have no bus: one node right after a start does not wait.
	fake.db = "sqlite:fake.db"
	lite := &cluster{opts: fake}
	defer lite.close()
	if err := lite.resize(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if !time.Now().Before(lite.quietFrom) {
		t.Error("a SQLite node waited out the bus's peer timeout after its start")
	}
}
