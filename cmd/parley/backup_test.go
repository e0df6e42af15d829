package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestBackupWhileServingAndRestore takes a backup while a server keeps
// posting, restores it into an empty data directory, and finds there every
// message acknowledged before the backup began, and only messages that
// were posted.
func TestBackupWhileServingAndRestore(t *testing.T) {
	admin := map[string]string{"ADMIN_USERNAME": "root", "ADMIN_PASS": "root-pw", "ADMIN_EMAIL": "root@example.com"}
	dir := t.TempDir()
	base, stop := serveDir(t, dir, admin, &syncBuffer{})
	root := mustOpLogin(t, base, "root", "root-pw")

	var (
		mu     sync.Mutex
		posted = map[string]bool{}
	)
	post := func(text string) {
		status, out := root.call(t, "POST", "chat.postMessage", map[string]any{"roomId": "GENERAL", "text": text})
		if status != http.StatusOK {
			t.Errorf("chat.postMessage: %d %v", status, out)
			return
		}
		id, _ := out["message"].(map[string]any)["_id"].(string)
		mu.Lock()
		posted[id] = true
		mu.Unlock()
	}
	for i := range 60 {
		post(fmt.Sprintf("before the backup %d", i))
	}
	before := len(posted)

	// Messages keep coming while the backup runs.
	file := filepath.Join(t.TempDir(), "parley-backup.db")
	busy := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-busy:
				return
			default:
			}
			post(fmt.Sprintf("during the backup %d", i))
		}
	}()
	out := mustCLI(t, "", nil, "backup", "--data", dir, file)
	close(busy)
	wg.Wait()
	if !strings.Contains(out, "copied") {
		t.Fatalf("backup said %q", out)
	}
	if code, _, errOut := runCLI(t, "", nil, "backup", "--data", dir, file); code != 1 || !strings.Contains(errOut, "exists already") {
		t.Errorf("backup over an existing file: %d %q", code, errOut)
	}
	// A running server's database is never replaced, not even with --force.
	if code, _, errOut := runCLI(t, "", nil, "restore", "--data", dir, file); code != 1 || !strings.Contains(errOut, "use --force") {
		t.Errorf("restore over a database: %d %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, "", nil, "restore", "--force", "--data", dir, file); code != 1 || !strings.Contains(errOut, "in use") {
		t.Errorf("restore over a running server's database: %d %q", code, errOut)
	}
	stop()

	// Only a sound Parley database is put in place.
	junk := filepath.Join(t.TempDir(), "junk.db")
	if err := os.WriteFile(junk, []byte(strings.Repeat("not a database ", 500)), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	if code, _, errOut := runCLI(t, "", nil, "restore", "--data", empty, junk); code != 1 || !strings.Contains(errOut, "not a SQLite database") {
		t.Errorf("restore of a file that is no database: %d %q", code, errOut)
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Errorf("a refused restore left %d files behind", len(entries))
	}

	restored := t.TempDir()
	mustCLI(t, "", nil, "restore", "--data", restored, file)
	base2, _ := serveDir(t, restored, nil, &syncBuffer{})
	root2 := mustOpLogin(t, base2, "root", "root-pw")
	status, hist := root2.call(t, "GET", "channels.history?roomId=GENERAL&count=100000", nil)
	if status != http.StatusOK {
		t.Fatalf("channels.history: %d %v", status, hist)
	}
	found := map[string]bool{}
	for _, m := range hist["messages"].([]any) {
		id := m.(map[string]any)["_id"].(string)
		if !posted[id] {
			t.Errorf("restored message %s was never posted", id)
		}
		found[id] = true
	}
	// Every message posted before the backup began is there. Of those
	// posted during it, one after the other, the copy holds the first k:
	// a snapshot, not a mixture.
	n, during := 0, map[int]bool{}
	for _, m := range hist["messages"].([]any) {
		text := m.(map[string]any)["msg"].(string)
		if strings.HasPrefix(text, "before the backup") {
			n++
		}
		var k int
		if _, err := fmt.Sscanf(text, "during the backup %d", &k); err == nil {
			during[k] = true
		}
	}
	if n != before {
		t.Fatalf("restored %d of the %d messages posted before the backup", n, before)
	}
	for k := range during {
		if k > 0 && !during[k-1] {
			t.Fatalf("the copy holds message %d posted during the backup but not %d", k, k-1)
		}
	}
	t.Logf("restored %d messages, %d of them posted during the backup; %d posted in all", len(found), len(during), len(posted))
}
