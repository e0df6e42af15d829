package api_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/api/apitest"
	"github.com/parleychat/parley/internal/store/storetest"
)

const suiteOnPostgres = "TestHTTPSuiteOnPostgres"

// TestHTTPSuiteOnPostgres runs every other test of this package again, on
// PostgreSQL, so that a plain `go test ./...` covers both databases without
// each test having to know about them. It re-executes this test binary with
// PARLEY_TEST_API_DB=postgres, which makes apitest.New open a fresh schema
// per Env. Tests added later are included with no change here.
//
// To run chosen tests on PostgreSQL only, set the variable yourself:
//
//	PARLEY_TEST_API_DB=postgres go test -run TestLogin ./internal/api/
func TestHTTPSuiteOnPostgres(t *testing.T) {
	if apitest.OnPostgres() {
		t.Skip("already running the suite on PostgreSQL")
	}
	storetest.RequirePostgres(t)
	// Parallel: the child spends its time waiting for PostgreSQL, so the
	// SQLite run can use the CPU meanwhile.
	t.Parallel()

	// The child's tests wait on the database far more than they compute, so
	// they may overlap more than the CPU count suggests. Each Env holds at
	// most 8 connections (see apitest.New); 4×GOMAXPROCS Envs stay far below
	// the test cluster's max_connections even beside other packages' tests.
	parallel := 4 * runtime.GOMAXPROCS(0)
	args := []string{
		"-test.v",
		"-test.count=1",
		"-test.skip=^" + suiteOnPostgres + "$",
		fmt.Sprintf("-test.parallel=%d", parallel),
	}
	if testing.Short() {
		args = append(args, "-test.short")
	}
	ctx := context.Background()
	if dl, ok := t.Deadline(); ok {
		// The child's own timeout fires first, so that a hang is reported
		// with its goroutines rather than as a bare kill.
		left := time.Until(dl)
		args = append(args, fmt.Sprintf("-test.timeout=%s", max((left*9/10).Round(time.Second), time.Second)))
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl.Add(-left/20))
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), apitest.EnvDatabase+"=postgres")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	runErr := cmd.Run()
	elapsed := time.Since(start).Round(10 * time.Millisecond)

	c := countResults(out.Bytes())
	summary := fmt.Sprintf("on PostgreSQL: %d tests ran (top-level and subtests), %d passed, %d skipped, %d failed, in %s",
		c.run, c.pass, c.skip, c.fail, elapsed)
	if runErr != nil || c.fail > 0 {
		t.Logf("child output:\n%s", relevant(out.Bytes()))
		t.Fatalf("%s; child: %v", summary, runErr)
	}
	if c.run == 0 {
		t.Fatalf("%s: the child ran nothing; output:\n%s", summary, out.Bytes())
	}
	t.Log(summary)
}

type results struct{ run, pass, skip, fail int }

// countResults reads the child's -test.v output. Subtests count as tests:
// their result lines are indented.
func countResults(b []byte) results {
	var r results
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "=== RUN "):
			r.run++
		case strings.HasPrefix(line, "--- PASS: "):
			r.pass++
		case strings.HasPrefix(line, "--- SKIP: "):
			r.skip++
		case strings.HasPrefix(line, "--- FAIL: "):
			r.fail++
		}
	}
	return r
}

// relevant drops the progress lines of passing tests from the child's
// output, leaving failures, logs and panics.
func relevant(b []byte) string {
	var keep []string
	for line := range strings.SplitSeq(string(b), "\n") {
		l := strings.TrimSpace(line)
		if strings.HasPrefix(l, "=== RUN ") || strings.HasPrefix(l, "=== PAUSE ") || strings.HasPrefix(l, "=== CONT ") ||
			strings.HasPrefix(l, "--- PASS: ") {
			continue
		}
		keep = append(keep, line)
	}
	return strings.Join(keep, "\n")
}
