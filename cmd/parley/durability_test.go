//go:build unix

package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/web/browsertest"
)

// envChild makes this test binary act as a Parley server (see
// TestParleyChildProcess): a crash test needs a process it can kill without
// killing itself, and re-executing the test binary avoids a `go build`.
const envChild = "PARLEY_TEST_CHILD_SERVER"

// childAddrPrefix starts the line on the child's stdout that carries the
// address it listens on.
const childAddrPrefix = "parley-child-listening "

// TestParleyChildProcess is the server side of startChild; run directly, it
// does nothing.
func TestParleyChildProcess(t *testing.T) {
	if os.Getenv(envChild) != "1" {
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	ready := make(chan string, 1)
	go func() {
		fmt.Printf("%s%s\n", childAddrPrefix, <-ready)
	}()
	if err := serve(ctx, []string{"--addr", "127.0.0.1:0", "--log-level", "error"}, os.Environ(), os.Stderr, ready); err != nil {
		fmt.Fprintln(os.Stderr, "parley child:", err)
		os.Exit(1)
	}
}

// child is a Parley server in a process of its own.
type child struct {
	url  string
	cmd  *exec.Cmd
	logs *syncBuffer
	done chan struct{}
}

// startChild starts a server process with env added to this one's
// environment; it is killed when the test ends, and its log is shown if the
// test failed.
func startChild(t *testing.T, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestParleyChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), append([]string{envChild + "=1"}, env...)...)
	logs := &syncBuffer{}
	cmd.Stderr = logs
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, logs: logs, done: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), childAddrPrefix); ok {
				addr <- a
			}
		}
		// Wait only after stdout is drained: it closes the pipe.
		cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() {
		c.kill()
		if t.Failed() {
			t.Logf("server process %d log:\n%s", cmd.Process.Pid, logs.String())
		}
	})
	select {
	case a := <-addr:
		c.url = "http://" + a
		return c
	case <-c.done:
		t.Fatalf("server process exited before serving: %v\n%s", cmd.ProcessState, logs.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("server process did not start:\n%s", logs.String())
	}
	return nil
}

// kill sends SIGKILL and waits for the process to be gone.
func (c *child) kill() {
	c.cmd.Process.Signal(syscall.SIGKILL)
	<-c.done
}

// roomState is what a server reports about a room's messages.
type roomState struct {
	ids  map[string]bool
	msgs int
}

// readRoomState reads a room's roomState from the server that a is a
// client of.
func readRoomState(t *testing.T, a *browsertest.API, rid string) roomState {
	t.Helper()
	sync := a.Must(http.MethodGet, "chat.syncMessages?roomId="+rid+"&lastUpdate=1970-01-01T00:00:00.000Z", nil)
	result, _ := sync["result"].(map[string]any)
	updated, _ := result["updated"].([]any)
	st := roomState{ids: map[string]bool{}}
	for _, x := range updated {
		m, _ := x.(map[string]any)
		id, _ := m["_id"].(string)
		if st.ids[id] {
			t.Errorf("chat.syncMessages lists %s twice", id)
		}
		st.ids[id] = true
	}
	info := a.Must(http.MethodGet, "channels.info?roomId="+rid, nil)
	ch, _ := info["channel"].(map[string]any)
	n, ok := ch["msgs"].(float64)
	if !ok {
		t.Fatalf("channels.info: no msgs in %v", ch)
	}
	st.msgs = int(n)
	return st
}

// TestAcknowledgedMessagesSurviveSIGKILL kills the server with SIGKILL while
// four clients post; every message it answered 200 for must be there after a
// restart, and the room's msgs counter must agree with the messages stored,
// which it cannot if a message and its counter commit separately.
func TestAcknowledgedMessagesSurviveSIGKILL(t *testing.T) {
	dir := t.TempDir()
	env := []string{
		"PARLEY_DATA_DIR=" + dir,
		// The embedded database, whatever this shell's environment says.
		"PARLEY_DATABASE_URL=",
		"ADMIN_USERNAME=root", "ADMIN_PASS=pw", "ADMIN_EMAIL=root@example.com",
		"OVERWRITE_SETTING_API_Enable_Rate_Limiter=false",
	}
	srv := startChild(t, env...)
	admin := browsertest.NewAPI(t, srv.url).Login("root", "pw")
	created := admin.Must(http.MethodPost, "channels.create", map[string]any{"name": "durability"})
	ch, _ := created["channel"].(map[string]any)
	rid, _ := ch["_id"].(string)
	before := readRoomState(t, admin, rid)

	const clients = 4
	var (
		mu    sync.Mutex
		acked []string
		n     atomic.Int64
		wg    sync.WaitGroup
	)
	// Enough acknowledged posts that the kill lands mid-stream, not before.
	const killAfter = 150
	killed := make(chan struct{})
	// One session each, all opened before any posts: the kill may come soon.
	sessions := make([]*browsertest.API, clients)
	for i := range sessions {
		sessions[i] = admin.Login("root", "pw")
	}
	for i, c := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; ; j++ {
				code, m, err := c.Call(http.MethodPost, "chat.postMessage", map[string]any{"roomId": rid, "text": fmt.Sprintf("client %d message %d", i, j)})
				if err != nil {
					select {
					case <-killed:
						return
					default:
						t.Errorf("post before the kill: %v", err)
						return
					}
				}
				if code != http.StatusOK {
					t.Errorf("post: %d %v", code, m)
					return
				}
				msg, _ := m["message"].(map[string]any)
				id, _ := msg["_id"].(string)
				mu.Lock()
				acked = append(acked, id)
				mu.Unlock()
				if n.Add(1) == killAfter {
					close(killed)
					srv.kill()
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	if code := srv.cmd.ProcessState.Sys().(syscall.WaitStatus); !code.Signaled() || code.Signal() != syscall.SIGKILL {
		t.Fatalf("server process ended with %v, want SIGKILL", srv.cmd.ProcessState)
	}

	srv = startChild(t, env...)
	admin = browsertest.NewAPI(t, srv.url).Login("root", "pw")
	after := readRoomState(t, admin, rid)
	for _, id := range acked {
		if !after.ids[id] {
			t.Errorf("acknowledged message %s is gone after SIGKILL", id)
		}
		if code, m, err := admin.Call(http.MethodGet, "chat.getMessage?msgId="+id, nil); err != nil || code != http.StatusOK {
			t.Errorf("chat.getMessage %s after restart: %d %v %v", id, code, m, err)
		}
	}
	stored := len(after.ids) - len(before.ids)
	if after.msgs-before.msgs != stored {
		t.Errorf("room msgs went from %d to %d, but %d messages are stored", before.msgs, after.msgs, stored)
	}
	// A post the server committed but could not answer is stored without
	// being acknowledged; one per client at most.
	if stored < len(acked) || stored > len(acked)+clients {
		t.Errorf("%d messages stored for %d acknowledged by %d clients", stored, len(acked), clients)
	}
	t.Logf("%d posts acknowledged before SIGKILL, %d stored after restart", len(acked), stored)

	// Still writable after recovery.
	admin.Must(http.MethodPost, "chat.postMessage", map[string]any{"roomId": rid, "text": "after restart"})
	srv.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-srv.done:
	case <-time.After(20 * time.Second):
		t.Error("graceful shutdown after recovery hung")
	}
	if !srv.cmd.ProcessState.Success() {
		t.Errorf("server after recovery exited with %v", srv.cmd.ProcessState)
	}
}
