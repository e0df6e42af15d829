package markdown

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"
)

// TestDifferential runs the live oracle (the npm parser) on a fresh seeded
// corpus and compares every tree. It needs Node and an oracle folder with
// node_modules: $PARLEY_MD_ORACLE_DIR, else ../shared/tools/md-oracle next
// to the repository. Set PARLEY_MD_SEED to replay a run and
// PARLEY_MD_DIFF_N to change the corpus size (default 20000 generated plus
// 8000 token-soup and link messages).
func TestDifferential(t *testing.T) {
	if testing.Short() {
		t.Skip("differential test skipped in -short mode")
	}
	dir := oracleDir(t)
	seed := time.Now().UnixNano() % 1_000_000_000
	if s := os.Getenv("PARLEY_MD_SEED"); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("PARLEY_MD_SEED: %v", err)
		}
		seed = v
	}
	n := 20000
	if s := os.Getenv("PARLEY_MD_DIFF_N"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("PARLEY_MD_DIFF_N: %v", err)
		}
		n = v
	}
	t.Logf("oracle %s, seed %d (replay with PARLEY_MD_SEED=%d)", dir, seed, seed)

	ss := strconv.FormatInt(seed, 10)
	gen := filepath.Join("testdata", "gen")
	var corpus bytes.Buffer
	corpus.Write(runNode(t, dir, nil, filepath.Join(dir, "gen-corpus.js"), "--n", strconv.Itoa(n), "--seed", ss, "--mutate", "0.3"))
	corpus.Write(runNode(t, dir, nil, abs(t, filepath.Join(gen, "soup.js")), "--n", strconv.Itoa(n/5), "--seed", ss))
	corpus.Write(runNode(t, dir, nil, abs(t, filepath.Join(gen, "links.js")), "--n", strconv.Itoa(n/5), "--seed", ss))

	started := time.Now()
	records := runOracle(t, dir, corpus.Bytes())
	t.Logf("oracle: %d messages in %v", len(records), time.Since(started).Round(time.Millisecond))

	var report diffReport
	for _, rec := range records {
		if rec.Skipped == "empty" {
			continue
		}
		if d := check(rec); d != "" {
			report.add(rec, d)
		}
	}
	total := len(records)
	rate := 100 * float64(total-report.total) / float64(total)
	t.Logf("differential: %d/%d match (%.3f%%)", total-report.total, total, rate)
	if report.total > 0 {
		t.Logf("differences by cause:%s", &report)
	}
	if total < n || rate < 99.9 {
		t.Errorf("match rate %.3f%% on %d messages, want >= 99.9%% on >= %d", rate, total, n)
	}
}

// oracleDir finds the oracle or skips the test with one clear reason.
func oracleDir(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not found in PATH; the differential test needs Node and the md-oracle")
	}
	dir := os.Getenv("PARLEY_MD_ORACLE_DIR")
	if dir == "" {
		root := repoRoot(t)
		dir = filepath.Join(root, "..", "shared", "tools", "md-oracle")
	}
	dir = abs(t, dir)
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@rocket.chat", "message-parser")); err != nil {
		t.Skipf("md-oracle at %s has no node_modules: copy it to a writable folder, run `npm ci` there and set PARLEY_MD_ORACLE_DIR", dir)
	}
	return dir
}

func repoRoot(t *testing.T) string {
	t.Helper()
	d := abs(t, ".")
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			t.Fatal("go.mod not found above the test directory")
		}
		d = parent
	}
}

func abs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func runNode(t *testing.T, dir string, stdin []byte, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("node", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TZ=UTC")
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

// runOracle feeds the corpus through oracle.js, split over a few processes.
func runOracle(t *testing.T, dir string, corpus []byte) []record {
	t.Helper()
	lines := bytes.SplitAfter(corpus, []byte("\n"))
	workers := min(runtime.NumCPU(), 4)
	chunks := make([][]byte, workers)
	for i, l := range lines {
		chunks[i*workers/len(lines)] = append(chunks[i*workers/len(lines)], l...)
	}
	outs := make([][]byte, workers)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for w := range chunks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command("node", filepath.Join(dir, "oracle.js"))
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "TZ=UTC")
			cmd.Stdin = bytes.NewReader(chunks[w])
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				mu.Lock()
				firstErr = fmt.Errorf("oracle: %v\n%s", err, stderr.String())
				mu.Unlock()
			}
			outs[w] = out
		}()
	}
	wg.Wait()
	if firstErr != nil {
		t.Fatal(firstErr)
	}
	return decodeRecords(t, bytes.NewReader(bytes.Join(outs, nil)))
}
