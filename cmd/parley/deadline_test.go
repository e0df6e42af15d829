package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// shortDeadlines makes the server cut slow clients within a second, so that
// the tests below finish in a few.
var shortDeadlines = map[string]string{
	"PARLEY_READ_HEADER_TIMEOUT": "1s",
	"PARLEY_READ_TIMEOUT":        "1s",
	"PARLEY_WRITE_TIMEOUT":       "5s",
}

// crawl writes head at once and then body one byte every gap, until the
// server closes the connection or the body is sent. It returns what the
// server answered and how long after head the connection was closed.
func crawl(t *testing.T, addr, head, body string, gap time.Duration) (string, time.Duration) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	closed := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(conn)
		closed <- string(b)
	}()
	if _, err := conn.Write([]byte(head)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for i := 0; i < len(body); i++ {
		if _, err := conn.Write([]byte{body[i]}); err != nil {
			break
		}
		select {
		case answer := <-closed:
			return answer, time.Since(start)
		case <-time.After(gap):
		}
	}
	select {
	case answer := <-closed:
		return answer, time.Since(start)
	case <-time.After(10 * time.Second):
		t.Fatal("the server kept the connection open")
		return "", 0
	}
}

func TestSlowRequestsAreCutOff(t *testing.T) {
	env := map[string]string{"ADMIN_USERNAME": "root", "ADMIN_PASS": "pw", "OVERWRITE_SETTING_API_Enable_Rate_Limiter": "false"}
	for k, v := range shortDeadlines {
		env[k] = v
	}
	base, _ := startServer(t, env)
	addr := strings.TrimPrefix(base, "http://")
	sess := login(t, http.DefaultClient, base)
	uid, token := sess.uid, sess.token
	auth := "X-User-Id: " + uid + "\r\nX-Auth-Token: " + token + "\r\n"
	loginBody := `{"user":"nobody","password":"` + strings.Repeat("x", 40) + `"}`
	upload := "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\n" +
		strings.Repeat("y", 1000) + "\r\n--b--\r\n"
	uploadHead := "POST /api/v1/rooms.upload/GENERAL HTTP/1.1\r\nHost: parley\r\n" + auth +
		"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: " + strconv.Itoa(len(upload)) + "\r\n\r\n"
	cases := []struct {
		name, head, body string
		// status is the start of the answer; empty when the server may
		// close without one.
		status string
	}{
		{"slow headers", "", "GET /health HTTP/1.1\r\nHost: parley\r\nX-Slow: " + strings.Repeat("a", 40) + "\r\n\r\n", ""},
		{"slow body", "POST /api/v1/login HTTP/1.1\r\nHost: parley\r\nContent-Type: application/json\r\nContent-Length: " +
			strconv.Itoa(len(loginBody)) + "\r\n\r\n", loginBody, "HTTP/1.1 400"},
		{"slow upload", uploadHead, upload, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			answer, lived := crawl(t, addr, tc.head, tc.body, 200*time.Millisecond)
			if lived > 3*time.Second {
				t.Errorf("connection lived %v with 1s deadlines", lived)
			}
			if !strings.HasPrefix(answer, tc.status) || strings.HasPrefix(answer, "HTTP/1.1 200") {
				t.Errorf("answer %.100q, want %q", answer, tc.status)
			}
		})
	}
	t.Run("upload faster than the minimum rate", func(t *testing.T) {
		// 4 KiB every 100 ms is 40 KiB/s, over the 16 KiB/s minimum: the
		// upload takes 2.5 s, past the 1 s read deadline, and succeeds.
		content := strings.Repeat("z", 100<<10)
		body := "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\"\r\nContent-Type: text/plain\r\n\r\n" +
			content + "\r\n--b--\r\n"
		pr, pw := io.Pipe()
		go func() {
			for i := 0; i < len(body); i += 4 << 10 {
				if _, err := pw.Write([]byte(body[i:min(i+4<<10, len(body))])); err != nil {
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
			pw.Close()
		}()
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/rooms.upload/GENERAL", pr)
		req.ContentLength = int64(len(body))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
		req.Header.Set("X-User-Id", uid)
		req.Header.Set("X-Auth-Token", token)
		start := time.Now()
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("upload: %d %s", res.StatusCode, b)
		}
		if d := time.Since(start); d < 1500*time.Millisecond {
			t.Fatalf("the upload took %v; it must outlast the read deadline to test anything", d)
		}
	})
}

// TestSlowClientAttack opens 300 connections that each send one byte every
// two seconds, half of them still in their headers and half in their
// bodies, and reconnect whenever the server cuts them. /health must answer
// within a second throughout.
func TestSlowClientAttack(t *testing.T) {
	if testing.Short() {
		t.Skip("opens 300 connections for several seconds")
	}
	base, _ := startServer(t, shortDeadlines)
	addr := strings.TrimPrefix(base, "http://")
	const (
		attackers = 300
		gap       = 2 * time.Second
		duration  = 6 * time.Second
	)
	ctx, stop := context.WithTimeout(context.Background(), duration)
	defer stop()
	var cuts, dials atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < attackers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			prefix := ""
			if i%2 == 1 {
				prefix = "POST /api/v1/login HTTP/1.1\r\nHost: parley\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
			}
			for ctx.Err() == nil {
				conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
				if err != nil {
					continue
				}
				dials.Add(1)
				closed := make(chan struct{})
				go func() {
					_, _ = io.Copy(io.Discard, conn)
					close(closed)
				}()
				_, _ = conn.Write([]byte(prefix))
				slow := "GET /health HTTP/1.1\r\nHost: parley\r\n"
				if prefix != "" {
					slow = strings.Repeat("x", 1000)
				}
				for j := 0; ctx.Err() == nil; j++ {
					if _, err := conn.Write([]byte{slow[j%len(slow)]}); err != nil {
						break
					}
					select {
					case <-closed:
					case <-ctx.Done():
					case <-time.After(gap):
						continue
					}
					break
				}
				select {
				case <-closed:
					if ctx.Err() == nil {
						cuts.Add(1)
					}
				default:
				}
				conn.Close()
				<-closed
			}
		}(i)
	}
	client := &http.Client{Timeout: time.Second}
	var checks, slowest int64
	for ctx.Err() == nil {
		start := time.Now()
		res, err := client.Get(base + "/health")
		d := time.Since(start)
		if err != nil {
			t.Fatalf("/health during the attack: %v after %v", err, d)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("/health during the attack: %d", res.StatusCode)
		}
		checks++
		slowest = max(slowest, int64(d))
		time.Sleep(100 * time.Millisecond)
	}
	wg.Wait()
	t.Logf("%d health checks, slowest %v; %d attacker connections, %d cut by the server", checks, time.Duration(slowest), dials.Load(), cuts.Load())
	if time.Duration(slowest) > time.Second {
		t.Errorf("slowest /health took %v", time.Duration(slowest))
	}
	// Every attacker was cut at least once: after its 1s deadline, well
	// before the attack ended.
	if cuts.Load() < attackers {
		t.Errorf("the server cut %d connections of %d attackers", cuts.Load(), attackers)
	}
}

// TestUnreadAnswerIsCut: a client that asks for a large answer and does
// not read it loses the connection at the write deadline, and the server
// lets go of the answer: the same user is served again at once.
func TestUnreadAnswerIsCut(t *testing.T) {
	base, _ := startServer(t, map[string]string{"ADMIN_USERNAME": "root", "ADMIN_PASS": "pw",
		"OVERWRITE_SETTING_API_Enable_Rate_Limiter": "false", "PARLEY_WRITE_TIMEOUT": "1s"})
	addr := strings.TrimPrefix(base, "http://")
	sess := login(t, http.DefaultClient, base)
	post := func(body string) {
		if code, out := apiCall(t, http.MethodPost, base+"/api/v1/chat.postMessage", sess.uid, sess.token, json.RawMessage(body)); code != http.StatusOK {
			t.Fatalf("chat.postMessage: %d %v", code, out)
		}
	}
	// 100 messages of 30 KiB: a history page of 3 MiB, more than the
	// kernel buffers of a client that reads nothing.
	for i := 0; i < 100; i++ {
		post(`{"roomId":"GENERAL","text":"big","attachments":[{"title":"` + strings.Repeat("t", 30<<10) + `"}]}`)
	}
	dialer := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	conn, err := dialer.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req := "GET /api/v1/channels.history?roomId=GENERAL&count=100 HTTP/1.1\r\nHost: parley\r\nX-User-Id: " + sess.uid + "\r\nX-Auth-Token: " + sess.token + "\r\n\r\n"
	if _, err := conn.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	// Read nothing for twice the deadline, then everything there is.
	time.Sleep(2 * time.Second)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, _ := io.ReadAll(conn)
	if !strings.HasPrefix(string(got), "HTTP/1.1 200") {
		t.Fatalf("answer starts %.60q", got)
	}
	if n := strings.Count(string(got), `"title":"tt`); n >= 100 || strings.HasSuffix(strings.TrimSpace(string(got)), "}") && strings.Contains(string(got), `"success":true`) {
		t.Fatalf("the whole answer (%d messages, %d bytes) came through a client that did not read", n, len(got))
	}
	// The answer's memory is free again: the user's next large read is
	// served, not refused as busy.
	if code, out := apiCall(t, http.MethodGet, base+"/api/v1/channels.history?roomId=GENERAL&count=100", sess.uid, sess.token, nil); code != http.StatusOK {
		t.Fatalf("history after the cut: %d %v", code, out)
	}
}
