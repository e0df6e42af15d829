//go:build unix

package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// The restart test needs a PostgreSQL cluster of its own, because it stops
// it: other tests use the one in PARLEY_TEST_POSTGRES_URL meanwhile. .ci/run
// sets both variables; by hand:
//
//	eval "$(PARLEY_PG_PORT=54330 PARLEY_PG_EXPORT=PARLEY_TEST_POSTGRES_RESTART_URL bash .ci/postgres.sh)"
//	export PARLEY_TEST_POSTGRES_CTL="PARLEY_PG_PORT=54330 bash $PWD/.ci/postgres.sh"
const (
	envRestartURL = "PARLEY_TEST_POSTGRES_RESTART_URL"
	// envRestartCtl is a shell command line that manages that cluster; the
	// test appends "halt" or "start".
	envRestartCtl = "PARLEY_TEST_POSTGRES_CTL"
)

// outageBudget bounds every answer while the database is down, and the
// recovery once it is back.
const outageBudget = 5 * time.Second

// TestPostgresRestart stops the PostgreSQL cluster under a running server:
// requests must then fail fast with a JSON 503, never a 500, a 401 or a
// hang, and succeed again soon after the cluster is back, without a restart
// of Parley.
func TestPostgresRestart(t *testing.T) {
	base, ctl := os.Getenv(envRestartURL), os.Getenv(envRestartCtl)
	if base == "" || ctl == "" {
		t.Skipf("%s or %s is not set: skipping the PostgreSQL restart test (.ci/run sets both)", envRestartURL, envRestartCtl)
	}
	lockMachineWide(t, "parley-pg-restart.lock")
	cluster := func(verb string) {
		t.Helper()
		out, err := exec.Command("sh", "-c", ctl+" "+verb).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", ctl, verb, err, out)
		}
	}
	// A run that died half-way may have left the cluster down.
	cluster("start")

	dbURL := freshSchema(t, base)
	// Whatever happens below, the cluster ends up running again, so that
	// the schema can be dropped and later runs find it up.
	t.Cleanup(func() { cluster("start") })

	logs := &syncBuffer{}
	srv := startOn(t, dbURL, logs)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})

	c := &http.Client{Timeout: 3 * outageBudget}
	admin := login(t, c, srv)
	get := func(path string) (int, map[string]any, time.Duration) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv+"/api/v1/"+path, nil)
		req.Header.Set("X-User-Id", admin.uid)
		req.Header.Set("X-Auth-Token", admin.token)
		start := time.Now()
		res, err := c.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer res.Body.Close()
		var body map[string]any
		raw, _ := io.ReadAll(res.Body)
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Fatalf("GET %s: status %d, body is not JSON: %q", path, res.StatusCode, raw)
		}
		return res.StatusCode, body, time.Since(start)
	}
	for _, p := range []string{"me", "channels.list"} {
		if code, body, _ := get(p); code != http.StatusOK {
			t.Fatalf("GET %s before the outage: %d %v", p, code, body)
		}
	}

	cluster("halt")
	// Repeated calls: the first ones find dead pooled connections, later
	// ones cannot connect at all; both must look the same to clients.
	for i := range 3 {
		for _, p := range []string{"me", "channels.list"} {
			code, body, took := get(p)
			if code != http.StatusServiceUnavailable || body["success"] != false {
				t.Fatalf("GET %s #%d with the database down: %d %v, want 503 with success:false", p, i, code, body)
			}
			if took > outageBudget {
				t.Fatalf("GET %s #%d with the database down took %s", p, i, took)
			}
		}
	}
	res, err := c.PostForm(srv+"/api/v1/login", url.Values{"user": {"root"}, "password": {"pw"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("login with the database down: %d, want 503 (a valid password is not a failed login)", res.StatusCode)
	}
	if res, err := c.Get(srv + "/health"); err != nil || res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/health with the database down: %v %v", res, err)
	} else {
		res.Body.Close()
	}

	cluster("start")
	back := time.Now()
	for {
		code, body, _ := get("me")
		if code == http.StatusOK {
			break
		}
		if code != http.StatusServiceUnavailable {
			t.Fatalf("GET me while the database comes back: %d %v", code, body)
		}
		if time.Since(back) > outageBudget {
			t.Fatalf("still %d %v %s after the database came back", code, body, outageBudget)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("requests succeed again %s after the cluster started", time.Since(back).Round(time.Millisecond))
	if code, body, _ := get("channels.list"); code != http.StatusOK {
		t.Fatalf("GET channels.list after the outage: %d %v", code, body)
	}
	// Writes recover too, and the session from before the outage still
	// works (it lives in the database, not in the connection).
	req, _ := http.NewRequest(http.MethodPost, srv+"/api/v1/channels.create", strings.NewReader(`{"name":"after-outage"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-User-Id", admin.uid)
	req.Header.Set("X-Auth-Token", admin.token)
	res, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("channels.create after the outage: %d", res.StatusCode)
	}
}

type session struct{ uid, token string }

func login(t *testing.T, c *http.Client, srv string) session {
	t.Helper()
	res, err := c.PostForm(srv+"/api/v1/login", url.Values{"user": {"root"}, "password": {"pw"}})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Data struct {
			UserID    string `json:"userId"`
			AuthToken string `json:"authToken"`
		} `json:"data"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("login: %d %v", res.StatusCode, err)
	}
	return session{out.Data.UserID, out.Data.AuthToken}
}

// startOn runs serve on dbURL until the test ends, logging into logs.
func startOn(t *testing.T, dbURL string, logs io.Writer) string {
	t.Helper()
	environ := []string{
		"PARLEY_DATA_DIR=" + t.TempDir(),
		"PARLEY_DATABASE_URL=" + dbURL,
		"PARLEY_DB_MAX_CONNS=4",
		"PARLEY_DB_STATEMENT_TIMEOUT=5s",
		"ADMIN_USERNAME=root", "ADMIN_PASS=pw", "ADMIN_EMAIL=root@example.com",
		"OVERWRITE_SETTING_API_Enable_Rate_Limiter=false",
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- serve(ctx, []string{"--addr", "127.0.0.1:0"}, environ, logs, ready) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("shutdown hung")
		}
	})
	select {
	case addr := <-ready:
		return "http://" + addr
	case err := <-done:
		t.Fatalf("serve: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start")
	}
	return ""
}

// freshSchema creates an empty schema in the database at base and returns a
// URL whose sessions use it; the schema is dropped when the test ends.
func freshSchema(t *testing.T, base string) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "restart_" + hex.EncodeToString(b)
	admin := func(stmt string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			return err
		}
		defer conn.Close(context.Background())
		_, err = conn.Exec(ctx, stmt)
		return err
	}
	if err := admin("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if err := admin("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// lockMachineWide holds an exclusive lock on a file in the temp dir until the
// test ends, so that two test runs on one machine do not stop the cluster
// under each other.
func lockMachineWide(t *testing.T, name string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(os.TempDir(), name), os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		t.Fatalf("lock file: %v", err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if err != syscall.EWOULDBLOCK || time.Now().After(deadline) {
			f.Close()
			t.Fatalf("lock %s: %v", f.Name(), err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Cleanup(func() { f.Close() }) // closing releases the lock
}
