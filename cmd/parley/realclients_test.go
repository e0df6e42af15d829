//go:build unix

package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/web/browsertest"
)

// envClientsDir names a copy of test/realtime-clients whose node_modules are
// installed; without it the folder in this repository is used.
const envClientsDir = "PARLEY_REALTIME_CLIENTS_DIR"

// requireOrSkip skips the test for a missing tool, except in CI, where every
// client test must run: a CI run that skipped them would pass untested.
func requireOrSkip(t *testing.T, missing, howTo string) {
	t.Helper()
	if missing == "" {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s; CI must run this test (%s)", missing, howTo)
	}
	t.Skipf("%s; %s", missing, howTo)
}

// nodeClients returns the folder of the Node client scripts, with the
// clients installed.
func nodeClients(t *testing.T) string {
	t.Helper()
	dir := os.Getenv(envClientsDir)
	if dir == "" {
		dir = filepath.Join("..", "..", "test", "realtime-clients")
	}
	missing := ""
	if _, err := exec.LookPath("node"); err != nil {
		missing = "node is not installed"
	} else {
		for _, pkg := range []string{"@rocket.chat/ddp-client", "@rocket.chat/sdk", "ws"} {
			if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); err != nil {
				missing = fmt.Sprintf("%s is not installed in %s", pkg, dir)
				break
			}
		}
	}
	requireOrSkip(t, missing, "run `npm ci` in test/realtime-clients, or `bash .ci/realtime-clients.sh`")
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// clientServer starts a server for one client script, with an admin
// account, and returns its URL and the admin's REST client.
func clientServer(t *testing.T) (string, *browsertest.API) {
	t.Helper()
	base, _ := startServer(t, map[string]string{
		"ADMIN_USERNAME": "root", "ADMIN_PASS": "pw", "ADMIN_EMAIL": "root@example.com",
	})
	return base, browsertest.NewAPI(t, base).Login("root", "pw")
}

// clientUser creates a user and returns the user logged in over REST.
func clientUser(t *testing.T, admin *browsertest.API, name string) *browsertest.API {
	t.Helper()
	admin.Must(http.MethodPost, "users.create", map[string]any{
		"username": name, "name": name, "email": name + "@example.com", "password": "pw-" + name,
	})
	return browsertest.NewAPI(t, admin.Base).Login(name, "pw-"+name)
}

// clientRoom creates a channel or private group owned by owner.
func clientRoom(t *testing.T, owner *browsertest.API, kind, name string, members ...string) string {
	t.Helper()
	key := map[string]string{"channels": "channel", "groups": "group"}[kind]
	m := owner.Must(http.MethodPost, kind+".create", map[string]any{"name": name, "members": members})
	room, _ := m[key].(map[string]any)
	id, _ := room["_id"].(string)
	if id == "" {
		t.Fatalf("%s.create answered %v", kind, m)
	}
	return id
}

// userEnv is what a script needs to act as u.
func userEnv(prefix, name string, u *browsertest.API) []string {
	return []string{prefix + "_ID=" + u.UserID, prefix + "_TOKEN=" + u.Token, prefix + "_USERNAME=" + name}
}

// runClientScript runs one Node script against the server and turns each of
// its FAIL lines into a test error. A script that passes no step, or exits
// with an error without saying which step failed, fails too.
func runClientScript(t *testing.T, dir, script string, env []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	start := time.Now()
	err := cmd.Run()
	passed, failed := 0, 0
	for _, line := range strings.Split(strings.TrimRight(out.String(), "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "PASS "):
			passed++
			t.Log(line)
		case strings.HasPrefix(line, "FAIL "):
			failed++
			t.Errorf("%s: %s", script, line)
		default:
			t.Log(line)
		}
	}
	t.Logf("%s: %d passed, %d failed in %v", script, passed, failed, time.Since(start).Round(time.Millisecond))
	if err != nil && failed == 0 {
		t.Errorf("%s: %v", script, err)
	}
	if passed == 0 {
		t.Errorf("%s passed no step", script)
	}
}

// TestRealClientDDPClient runs @rocket.chat/ddp-client against the server
// (test/realtime-clients/ddp-client.mjs): bob follows a private group while
// alice posts, edits, reacts and deletes over REST, carol outside it learns
// nothing, typing goes both ways, and bad logins and bursts are refused.
func TestRealClientDDPClient(t *testing.T) {
	dir := nodeClients(t)
	base, admin := clientServer(t)
	alice := clientUser(t, admin, "alice")
	bob := clientUser(t, admin, "bob")
	carol := clientUser(t, admin, "carol")
	group := clientRoom(t, alice, "groups", "realtime-group", "bob")
	channel := clientRoom(t, alice, "channels", "realtime-channel", "carol")

	env := []string{"PARLEY_URL=" + base, "PARLEY_GROUP=" + group, "PARLEY_CHANNEL=" + channel}
	env = append(env, userEnv("PARLEY_ALICE", "alice", alice)...)
	env = append(env, userEnv("PARLEY_BOB", "bob", bob)...)
	env = append(env, userEnv("PARLEY_CAROL", "carol", carol)...)
	runClientScript(t, dir, "ddp-client.mjs", env)
}

// TestRealClientSDKBot runs @rocket.chat/sdk's bot client against the server
// (test/realtime-clients/sdk.mjs): REST login then DDP resume, the bot's
// message subscription, and an answer in the room it was written to.
func TestRealClientSDKBot(t *testing.T) {
	dir := nodeClients(t)
	base, admin := clientServer(t)
	alice := clientUser(t, admin, "alice")
	admin.Must(http.MethodPost, "users.create", map[string]any{
		"username": "echobot", "name": "Echo Bot", "email": "echobot@example.com", "password": "pw-echobot",
		"roles": []string{"bot"},
	})
	room := clientRoom(t, alice, "groups", "bot-room", "echobot")

	env := []string{
		"PARLEY_URL=" + base, "PARLEY_BOT_ROOM=" + room,
		"PARLEY_BOT_USERNAME=echobot", "PARLEY_BOT_PASSWORD=pw-echobot",
	}
	env = append(env, userEnv("PARLEY_ALICE", "alice", alice)...)
	runClientScript(t, dir, "sdk.mjs", env)
}
