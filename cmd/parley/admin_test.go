package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/store/storetest"
)

// syncBuffer collects a server's log while it writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serveDir runs a server on dataDir with its log in logs and returns its
// base URL and a function that stops it and waits until it has.
func serveDir(t testing.TB, dataDir string, env map[string]string, logs io.Writer) (string, func()) {
	t.Helper()
	environ := []string{"PARLEY_DATA_DIR=" + dataDir}
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, []string{"--addr", "127.0.0.1:0", "--log-level", "error"}, environ, logs, ready)
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("serve: %v", err)
				}
			case <-time.After(20 * time.Second):
				t.Error("shutdown hung")
			}
		})
	}
	t.Cleanup(stop)
	select {
	case addr := <-ready:
		return "http://" + addr, stop
	case err := <-done:
		t.Fatalf("serve: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("server did not start")
	}
	return "", stop
}

// runCLI runs a command line as `parley` would, with only environ as its
// environment, and returns its exit status and output.
func runCLI(t *testing.T, stdin string, environ []string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli(context.Background(), args, environ, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// mustCLI runs a command line that must succeed.
func mustCLI(t *testing.T, stdin string, environ []string, args ...string) string {
	t.Helper()
	code, out, errOut := runCLI(t, stdin, environ, args...)
	if code != 0 {
		t.Fatalf("parley %s: status %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// apiCall sends a JSON request and returns the status and decoded answer;
// user and token, when set, authenticate it.
func apiCall(t *testing.T, method, target, user, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, target, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if user != "" {
		req.Header.Set("X-User-Id", user)
		req.Header.Set("X-Auth-Token", token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatalf("%s %s: %d, undecodable answer: %v", method, target, res.StatusCode, err)
	}
	return res.StatusCode, out
}

// opSession is a logged-in user of a test server.
type opSession struct {
	base, id, token string
	roles           []string
}

// login logs in and reports the status; the opSession is valid on 200.
func opLogin(t *testing.T, base, user, password string) (opSession, int) {
	t.Helper()
	status, out := apiCall(t, "POST", base+"/api/v1/login", "", "", map[string]any{"user": user, "password": password})
	s := opSession{base: base}
	if status != http.StatusOK {
		return s, status
	}
	data, _ := out["data"].(map[string]any)
	s.id, _ = data["userId"].(string)
	s.token, _ = data["authToken"].(string)
	if me, ok := data["me"].(map[string]any); ok {
		roles, _ := me["roles"].([]any)
		for _, r := range roles {
			s.roles = append(s.roles, r.(string))
		}
	}
	return s, status
}

func mustOpLogin(t *testing.T, base, user, password string) opSession {
	t.Helper()
	s, status := opLogin(t, base, user, password)
	if status != http.StatusOK {
		t.Fatalf("login as %s: status %d", user, status)
	}
	return s
}

func (s opSession) call(t *testing.T, method, path string, body any) (int, map[string]any) {
	t.Helper()
	return apiCall(t, method, s.base+"/api/v1/"+path, s.id, s.token, body)
}

// refused checks that the opSession's token is refused. The server reads
// the token and the user's active flag from the database on every request,
// so a change made by another process shows at once.
func (s opSession) refused(t *testing.T) {
	t.Helper()
	if status, _ := s.call(t, "GET", "me", nil); status != http.StatusUnauthorized {
		t.Fatalf("token still accepted (%d) after its removal", status)
	}
}

// isAdmin checks that s may do what only administrators may: create users.
func (s opSession) canCreateUsers(t *testing.T, username string) bool {
	t.Helper()
	status, _ := s.call(t, "POST", "users.create", map[string]any{
		"username": username, "email": username + "@example.com", "password": "pw-" + username, "name": username,
	})
	return status == http.StatusOK
}

// TestAdminRecoversServerWhereStrangerRegisteredFirst starts a server
// without the ADMIN_* variables, so that a stranger's registration comes
// first, and makes it manageable again with `parley admin` while it runs.
func TestAdminRecoversServerWhereStrangerRegisteredFirst(t *testing.T) {
	dir := t.TempDir()
	data := []string{"--data", dir}
	logs := &syncBuffer{}
	base, stop := serveDir(t, dir, nil, logs)
	// The server flushes its start-up log before it reports ready.
	if !strings.Contains(logs.String(), app.CreateAdminCommand) {
		t.Fatalf("a server without administrator did not say so:\n%s", logs)
	}

	// The stranger registers first and is a plain user.
	status, out := apiCall(t, "POST", base+"/api/v1/users.register", "", "", map[string]any{
		"username": "stranger", "email": "stranger@example.com", "pass": "stranger-pw", "name": "Stranger",
	})
	if status != http.StatusOK {
		t.Fatalf("users.register: %d %v", status, out)
	}
	stranger := mustOpLogin(t, base, "stranger", "stranger-pw")
	if strings.Join(stranger.roles, ",") != "user" || stranger.canCreateUsers(t, "notbystranger") {
		t.Fatalf("the stranger is more than a plain user: %v", stranger.roles)
	}

	// The operator creates an administrator while the server runs.
	created := mustCLI(t, "boss-pw\n", nil, append([]string{"admin", "create-user", "--admin", "--username", "boss", "--email", "boss@example.com", "--password-stdin"}, data...)...)
	if !strings.Contains(created, "created boss") {
		t.Fatalf("create-user said %q", created)
	}
	boss := mustOpLogin(t, base, "boss", "boss-pw")
	if strings.Join(boss.roles, ",") != "admin" || !boss.canCreateUsers(t, "bybossone") {
		t.Fatalf("the new administrator cannot administer: %v", boss.roles)
	}
	if status, out := boss.call(t, "GET", "subscriptions.getOne?roomId=GENERAL", nil); status != http.StatusOK || out["subscription"] == nil {
		t.Fatalf("the new administrator is not in #general: %d %v", status, out)
	}

	// set-role makes the stranger an administrator, then a user again.
	mustCLI(t, "", nil, append([]string{"admin", "set-role", "stranger", "admin"}, data...)...)
	stranger = mustOpLogin(t, base, "stranger", "stranger-pw")
	if strings.Join(stranger.roles, ",") != "admin" || !stranger.canCreateUsers(t, "bystranger") {
		t.Fatalf("set-role admin: roles %v", stranger.roles)
	}
	mustCLI(t, "", nil, append([]string{"admin", "set-role", "stranger@example.com", "user"}, data...)...)
	stranger = mustOpLogin(t, base, "stranger", "stranger-pw")
	if strings.Join(stranger.roles, ",") != "user" || stranger.canCreateUsers(t, "bystrangertwo") {
		t.Fatalf("set-role user: roles %v", stranger.roles)
	}

	// set-password, from the environment: the old password and the
	// sessions opened with it stop working.
	mustCLI(t, "", []string{"PARLEY_PASSWORD=fresh-pw"}, append([]string{"admin", "set-password", "stranger"}, data...)...)
	if _, status := opLogin(t, base, "stranger", "stranger-pw"); status != http.StatusUnauthorized {
		t.Fatalf("login with the old password: %d", status)
	}
	stranger.refused(t)
	stranger = mustOpLogin(t, base, "stranger", "fresh-pw")

	// logout ends every opSession of the user.
	boss2 := mustOpLogin(t, base, "boss", "boss-pw")
	logout := mustCLI(t, "", nil, append([]string{"admin", "logout", boss.id}, data...)...)
	if !strings.Contains(logout, "removed 2 tokens of boss") {
		t.Fatalf("logout said %q", logout)
	}
	boss.refused(t)
	boss2.refused(t)

	// deactivate refuses logins and ends sessions; activate undoes it.
	mustCLI(t, "", nil, append([]string{"admin", "deactivate", "stranger"}, data...)...)
	if _, status := opLogin(t, base, "stranger", "fresh-pw"); status != http.StatusUnauthorized {
		t.Fatalf("login of a deactivated user: %d", status)
	}
	stranger.refused(t)

	list := mustCLI(t, "", nil, append([]string{"admin", "list-users"}, data...)...)
	wantLines := map[string][]string{
		"boss":      {boss.id, "admin", "active", "boss@example.com"},
		"stranger":  {"user", "deactivated", "stranger@example.com", "Stranger"},
		"bybossone": {"user", "active"},
		// The bot every server has.
		"rocket.cat": {"rocket.cat", "bot", "active"},
	}
	lines := strings.Split(strings.TrimSpace(list), "\n")
	if len(lines) != 1+5 || !strings.HasPrefix(lines[0], "USERNAME") {
		t.Fatalf("list-users: a header and 5 users expected:\n%s", list)
	}
	for user, want := range wantLines {
		found := false
		for _, l := range lines {
			f := strings.Fields(l)
			if len(f) > 0 && f[0] == user {
				found = true
				for _, w := range want {
					if !strings.Contains(" "+strings.Join(f, " ")+" ", " "+w+" ") {
						t.Errorf("list-users line of %s lacks %q: %s", user, w, l)
					}
				}
			}
		}
		if !found {
			t.Errorf("list-users lacks %s:\n%s", user, list)
		}
	}

	mustCLI(t, "", nil, append([]string{"admin", "activate", "stranger"}, data...)...)
	mustOpLogin(t, base, "stranger", "fresh-pw")

	// Mistakes are refused with a status and a reason, and change nothing.
	for _, c := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"admin", "set-role", "stranger", "overlord"}, 1, "unknown role overlord"},
		{[]string{"admin", "set-role", "stranger", "moderator"}, 1, "unknown role moderator"},
		{[]string{"admin", "deactivate", "nobody"}, 1, "no user nobody"},
		{[]string{"admin", "create-user", "--username", "boss", "--random-password"}, 1, "boss is already in use"},
		{[]string{"admin", "create-user", "--username", "nopass"}, 2, "give the password"},
		{[]string{"admin", "create-user", "--username", "twice", "--password", "a", "--random-password"}, 2, "one way only"},
		{[]string{"admin", "logout"}, 2, "usage: parley admin logout"},
		{[]string{"admin", "promote", "stranger"}, 2, "unknown command"},
	} {
		code, _, errOut := runCLI(t, "", nil, append(c.args, data...)...)
		if code != c.code || !strings.Contains(errOut, c.says) {
			t.Errorf("parley %s: status %d, stderr %q; want %d and %q", strings.Join(c.args, " "), code, errOut, c.code, c.says)
		}
	}
	code, _, errOut := runCLI(t, "", nil, "admin", "list-users", "--data", t.TempDir())
	if code != 1 || !strings.Contains(errOut, "no database at") {
		t.Errorf("list-users on an empty directory: %d %q", code, errOut)
	}

	// With an administrator, the next start is quiet about it.
	stop()
	logs = &syncBuffer{}
	_, stop = serveDir(t, dir, nil, logs)
	stop()
	if strings.Contains(logs.String(), "NO ADMINISTRATOR") {
		t.Fatalf("a server with an administrator warned:\n%s", logs)
	}
}

// TestNoAdminWarning covers both first starts: without ADMIN_* the server
// logs how to make an administrator, even at --log-level error; with them
// it does not.
func TestNoAdminWarning(t *testing.T) {
	logs := &syncBuffer{}
	_, stop := serveDir(t, t.TempDir(), nil, logs)
	stop()
	lines := 0
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "NO ADMINISTRATOR") {
			lines++
			if !strings.Contains(l, "level=ERROR") || !strings.Contains(l, app.CreateAdminCommand) {
				t.Errorf("the warning is not loud or lacks the command: %s", l)
			}
		}
	}
	if lines != 1 {
		t.Fatalf("want one warning line, got %d:\n%s", lines, logs)
	}
	logs = &syncBuffer{}
	_, stop = serveDir(t, t.TempDir(), map[string]string{"ADMIN_USERNAME": "root", "ADMIN_PASS": "pw", "ADMIN_EMAIL": "root@example.com"}, logs)
	stop()
	if strings.Contains(logs.String(), "NO ADMINISTRATOR") {
		t.Fatalf("a server with an administrator warned:\n%s", logs)
	}
}

// envCLIChild makes this test binary run one `parley` command line (see
// TestParleyCLIChild), so that a test can check a real exit status.
const envCLIChild = "PARLEY_TEST_CLI_ARGS"

// TestParleyCLIChild runs the command line in envCLIChild and exits with
// its status; run directly, it does nothing.
func TestParleyCLIChild(t *testing.T) {
	args := os.Getenv(envCLIChild)
	if args == "" {
		return
	}
	os.Exit(cli(context.Background(), strings.Fields(args), os.Environ(), os.Stdin, os.Stdout, os.Stderr))
}

func TestHelpExitsZero(t *testing.T) {
	for _, args := range []string{"serve -h", "serve --help", "-h", "help", "admin help", "admin set-password -h", "files help", "files migrate -h", "backup -h", "restore -h"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestParleyCLIChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), envCLIChild+"="+args)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("parley %s: %v\n%s", args, err, out)
			continue
		}
		if !strings.Contains(strings.ToLower(string(out)), "usage") {
			t.Errorf("parley %s printed no usage:\n%s", args, out)
		}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestParleyCLIChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), envCLIChild+"=serve --no-such-flag")
	if err := cmd.Run(); err == nil {
		t.Error("parley serve --no-such-flag exited 0")
	}
}

// TestAdminOnPostgres runs the admin commands against a PostgreSQL server
// with a node running on it; backup and restore decline and explain.
func TestAdminOnPostgres(t *testing.T) {
	db := storetest.PostgresURL(t) // skips without PARLEY_TEST_POSTGRES_URL
	base, _ := serveDir(t, t.TempDir(), map[string]string{"PARLEY_DATABASE_URL": db}, &syncBuffer{})
	env := []string{"PARLEY_DATABASE_URL=" + db}
	mustCLI(t, "", append(env, "PARLEY_PASSWORD=boss-pw"), "admin", "create-user", "--admin", "--username", "boss")
	boss := mustOpLogin(t, base, "boss", "boss-pw")
	if !boss.canCreateUsers(t, "bybosspg") {
		t.Fatal("the administrator made on PostgreSQL cannot create users")
	}
	if list := mustCLI(t, "", env, "admin", "list-users"); !strings.Contains(list, "bybosspg") {
		t.Fatalf("list-users:\n%s", list)
	}
	mustCLI(t, "", env, "admin", "logout", "boss")
	boss.refused(t)
	mustCLI(t, "", env, "admin", "deactivate", "bybosspg")
	if _, status := opLogin(t, base, "bybosspg", "pw-bybosspg"); status != http.StatusUnauthorized {
		t.Fatalf("login of a deactivated user: %d", status)
	}
	for _, cmd := range []string{"backup", "restore"} {
		code, _, errOut := runCLI(t, "", env, cmd, filepath.Join(t.TempDir(), "x.dump"))
		want := map[string]string{"backup": "pg_dump --format=custom", "restore": "pg_restore --no-owner"}[cmd]
		if code != 1 || !strings.Contains(errOut, want) || !strings.Contains(errOut, "schema") {
			t.Errorf("%s on PostgreSQL: status %d, %q", cmd, code, errOut)
		}
	}
}
