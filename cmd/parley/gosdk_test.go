//go:build linux

package main

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/RocketChat/Rocket.Chat.Go.SDK/models"
	"github.com/RocketChat/Rocket.Chat.Go.SDK/realtime"
)

// envGoSDKNetns marks the child process that runs TestGoSDKRealtime's body
// inside its own network namespace.
const envGoSDKNetns = "PARLEY_TEST_GOSDK_NETNS"

// TestGoSDKRealtime drives the server with Rocket.Chat's Go SDK (package
// realtime): bob logs in with his REST token, subscribes to a private group,
// receives alice's REST post there, and posts with sendMessage.
//
// The SDK's id generator (sonyflake) refuses to start on a host without a
// private IPv4 address, as on a machine with only a public one. So the body
// runs in a child process inside a network namespace of its own, with
// 10.0.0.1 on its loopback interface; the server runs in that child as well,
// since the namespace has no route out.
func TestGoSDKRealtime(t *testing.T) {
	if os.Getenv(envGoSDKNetns) == "1" {
		goSDKRealtime(t)
		return
	}
	missing := ""
	if os.Geteuid() != 0 {
		missing = "a network namespace needs root"
	} else if _, err := exec.LookPath("unshare"); err != nil {
		missing = "unshare (util-linux) is not installed"
	} else if _, err := exec.LookPath("ip"); err != nil {
		missing = "ip (iproute2) is not installed"
	}
	requireOrSkip(t, missing, "run as root with unshare and ip, as CI does")

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "unshare", "--net", "--", "sh", "-ec",
		`ip link set lo up; ip addr add 10.0.0.1/8 dev lo; exec "$@"`, "sh",
		os.Args[0], "-test.run=^TestGoSDKRealtime$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), envGoSDKNetns+"=1")
	out, err := cmd.CombinedOutput()
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		t.Log(line)
	}
	if err != nil {
		t.Fatalf("the test in its network namespace failed: %v", err)
	}
	// A child that skipped or matched no test would also exit 0.
	if !strings.Contains(string(out), "--- PASS: TestGoSDKRealtime") {
		t.Fatal("the test in its network namespace did not pass")
	}
}

// within runs f and fails the test if it takes longer than d: the SDK's
// calls wait for their answer without any timeout of their own.
func within[T any](t *testing.T, d time.Duration, what string, f func() (T, error)) T {
	t.Helper()
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := f()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatalf("%s: %v", what, r.err)
		}
		return r.v
	case <-time.After(d):
		t.Fatalf("%s: no answer within %v", what, d)
	}
	var zero T
	return zero
}

func goSDKRealtime(t *testing.T) {
	base, admin := clientServer(t)
	alice := clientUser(t, admin, "alice")
	bob := clientUser(t, admin, "bob")
	group := clientRoom(t, alice, "groups", "go-sdk", "bob")
	room := &models.Channel{ID: group}

	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	c := within(t, 10*time.Second, "connect", func() (*realtime.Client, error) { return realtime.NewClient(u, false) })
	defer c.Close()

	me := within(t, 10*time.Second, "login", func() (*models.User, error) {
		return c.Login(&models.UserCredentials{ID: bob.UserID, Token: bob.Token})
	})
	if me.ID != bob.UserID || me.Token != bob.Token {
		t.Fatalf("login answered user %q token %q, want %q and the same token", me.ID, me.Token, bob.UserID)
	}

	// The SDK blocks on a full channel; this one holds more than the test
	// can produce.
	msgs := make(chan models.Message, 64)
	within(t, 10*time.Second, "subscribe", func() (struct{}, error) { return struct{}{}, c.SubscribeToMessageStream(room, msgs) })

	// receive waits for the message id on the stream.
	receive := func(id string) models.Message {
		t.Helper()
		deadline := time.After(5 * time.Second)
		for {
			select {
			case m := <-msgs:
				if m.ID == id {
					return m
				}
			case <-deadline:
				t.Fatalf("message %s did not arrive on stream-room-messages", id)
			}
		}
	}

	posted := alice.Must(http.MethodPost, "chat.postMessage", map[string]any{"roomId": group, "text": "hello from REST"})
	pm, _ := posted["message"].(map[string]any)
	id, _ := pm["_id"].(string)
	got := receive(id)
	if got.Msg != "hello from REST" || got.RoomID != group || got.User == nil || got.User.UserName != "alice" {
		t.Errorf("received %+v (user %+v)", got, got.User)
	}
	if got.Timestamp == nil || time.Since(*got.Timestamp) > time.Minute || time.Since(*got.Timestamp) < -time.Minute {
		t.Errorf("received ts %v", got.Timestamp)
	}

	sent := within(t, 10*time.Second, "sendMessage", func() (*models.Message, error) {
		return c.SendMessage(c.NewMessage(room, "hello from Go"))
	})
	if !strings.HasPrefix(sent.ID, "go") || sent.RoomID != group || sent.Msg != "hello from Go" {
		t.Errorf("sendMessage answered %+v", sent)
	}
	// The server keeps the id the client chose, and the message is alice's
	// to read over REST.
	read := alice.Must(http.MethodGet, "chat.getMessage?msgId="+url.QueryEscape(sent.ID), nil)
	rm, _ := read["message"].(map[string]any)
	ru, _ := rm["u"].(map[string]any)
	if rm["msg"] != "hello from Go" || rm["rid"] != group || ru["username"] != "bob" {
		t.Errorf("chat.getMessage = %v", rm)
	}
	// Bob's own message comes back on his subscription as well.
	receive(sent.ID)
}
