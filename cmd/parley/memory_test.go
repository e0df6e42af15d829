package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// rssBytes is this process's resident set size.
func rssBytes(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	t.Skip("no VmRSS")
	return 0
}

// TestLargeFieldAttackMemory measures the attack of a plain user who fills
// a room with messages as large as the bounds allow while many clients ask
// for its history and never read the answer. The server runs in this
// process, so the process's RSS is the server's (plus the small clients).
// It takes about 20 s and opens PARLEY_TEST_ATTACK_CLIENTS (default 200)
// connections, spread over PARLEY_TEST_ATTACK_USERS (default 1), so it
// runs only with PARLEY_TEST_ATTACK=1.
func TestLargeFieldAttackMemory(t *testing.T) {
	if os.Getenv("PARLEY_TEST_ATTACK") == "" {
		t.Skip("set PARLEY_TEST_ATTACK=1 to measure the large-field attack")
	}
	clients := 200
	if n, err := strconv.Atoi(os.Getenv("PARLEY_TEST_ATTACK_CLIENTS")); err == nil && n > 0 {
		clients = n
	}
	const writeTimeout = 5 * time.Second
	base, _ := startServer(t, map[string]string{
		"ADMIN_USERNAME": "root", "ADMIN_PASS": "pw",
		"OVERWRITE_SETTING_API_Enable_Rate_Limiter": "false",
		"PARLEY_WRITE_TIMEOUT":                      writeTimeout.String(),
	})
	addr := strings.TrimPrefix(base, "http://")
	admin := login(t, http.DefaultClient, base)
	call := func(s session, path string, body any) map[string]any {
		t.Helper()
		code, out := apiCall(t, http.MethodPost, base+"/api/v1/"+path, s.uid, s.token, body)
		if code != http.StatusOK {
			t.Fatalf("%s: %d %v", path, code, out)
		}
		return out
	}
	users := 1
	if n, err := strconv.Atoi(os.Getenv("PARLEY_TEST_ATTACK_USERS")); err == nil && n > 0 {
		users = n
	}
	var attackers []session
	for i := 0; i < users; i++ {
		name := "mallory" + strconv.Itoa(i)
		call(admin, "users.create", map[string]any{"username": name, "email": name + "@example.com", "password": "pw-m", "name": "M"})
		res, err := http.PostForm(base+"/api/v1/login", map[string][]string{"user": {name}, "password": {"pw-m"}})
		if err != nil {
			t.Fatal(err)
		}
		var lo struct {
			Data struct{ UserID, AuthToken string }
		}
		json.NewDecoder(res.Body).Decode(&lo)
		res.Body.Close()
		attackers = append(attackers, session{lo.Data.UserID, lo.Data.AuthToken})
	}
	mallory := attackers[0]

	// As large as every bound allows: the text, an attachment text and
	// the attachments, blocks and customFields filling their 32 KiB.
	rid := "GENERAL"
	call(mallory, "users.update", map[string]any{"userId": mallory.uid, "data": map[string]any{
		"bio": strings.Repeat("b", 260), "nickname": strings.Repeat("n", 120)}})
	call(mallory, "users.setPreferences", map[string]any{"data": map[string]any{"highlights": []string{strings.Repeat("h", 30<<10)}}})
	msgs := 150
	for i := 0; i < msgs; i++ {
		call(mallory, "chat.postMessage", map[string]any{"roomId": rid, "text": strings.Repeat("w", 5000),
			"attachments": []any{map[string]any{"text": strings.Repeat("x", 5000), "title": strings.Repeat("t", 26<<10)}}})
	}
	runtime.GC()
	debug.FreeOSMemory()
	idle := rssBytes(t)

	target := "/api/v1/channels.history?roomId=" + rid + "&count=100"
	// A small receive buffer on the client keeps the kernel from taking
	// the answer off the server's hands.
	dialer := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	conns := make([]net.Conn, 0, clients)
	for i := 0; i < clients; i++ {
		c, err := dialer.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		a := attackers[i%len(attackers)]
		req := "GET " + target + " HTTP/1.1\r\nHost: parley\r\nX-User-Id: " + a.uid + "\r\nX-Auth-Token: " + a.token + "\r\n\r\n"
		if _, err := c.Write([]byte(req)); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	peak, heapPeak := idle, uint64(0)
	stop := time.Now().Add(writeTimeout + 3*time.Second)
	for time.Now().Before(stop) {
		peak = max(peak, rssBytes(t))
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heapPeak = max(heapPeak, ms.HeapInuse)
		time.Sleep(100 * time.Millisecond)
	}
	// Every answer was cut at the write deadline: reading now finds a
	// truncated body and the connection closed.
	var wg sync.WaitGroup
	var mu sync.Mutex
	whole, cut, busy := 0, 0, 0
	for _, c := range conns {
		wg.Add(1)
		go func(c net.Conn) {
			defer wg.Done()
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			res, err := http.ReadResponse(bufio.NewReader(c), nil)
			ok := false
			if err == nil && res.StatusCode == http.StatusServiceUnavailable {
				mu.Lock()
				busy++
				mu.Unlock()
				return
			}
			if err == nil {
				var body struct{ Messages []json.RawMessage }
				b, err := io.ReadAll(res.Body)
				ok = err == nil && json.Unmarshal(b, &body) == nil && len(body.Messages) == 100
			}
			mu.Lock()
			if ok {
				whole++
			} else {
				cut++
			}
			mu.Unlock()
		}(c)
	}
	wg.Wait()
	above := float64(peak-idle) / (1 << 20)
	t.Logf("%d messages of about 37 KiB; %d clients of %d users reading nothing: RSS idle %.0f MiB, peak %.0f MiB, %.0f MiB above idle (Go heap in use at most %.0f MiB); %d answers cut at the write deadline, %d refused as busy, %d whole",
		msgs, clients, users, float64(idle)/(1<<20), float64(peak)/(1<<20), above, float64(heapPeak)/(1<<20), cut, busy, whole)
	if above > 100 {
		t.Errorf("RSS rose %.0f MiB above idle, want < 100", above)
	}
	if cut == 0 {
		t.Errorf("no answer was cut at the write deadline")
	}
}
