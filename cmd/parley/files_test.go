package main

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/parleychat/parley/internal/api/apitest"
	"github.com/parleychat/parley/internal/files"
	"github.com/parleychat/parley/internal/store/storetest"
)

// flakyS3 runs an S3 server in the test process whose uploads of objects
// named by fail are refused, as a bucket that goes away mid-move would.
func flakyS3(t *testing.T, bucket string) (string, *atomic.Value) {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	s3 := gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server()
	var fail atomic.Value
	fail.Store("")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if k := fail.Load().(string); k != "" && r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/"+k) {
			http.Error(w, "<Error><Code>InternalError</Code></Error>", http.StatusInternalServerError)
			return
		}
		s3.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &fail
}

// postFile posts one multipart file field to path.
func postFile(t *testing.T, s opSession, path, field, name string, content []byte) map[string]any {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	part, err := w.CreateFormFile(field, name)
	if err != nil {
		t.Fatal(err)
	}
	part.Write(content)
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, s.base+"/api/v1/"+path, &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("X-User-Id", s.id)
	req.Header.Set("X-Auth-Token", s.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %d %s", path, res.StatusCode, body)
	}
	return decodeJSON(t, body)
}

// getBytes downloads target as s, following a redirect into a bucket.
func getBytes(t *testing.T, s opSession, target string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.base+target, nil)
	req.Header.Set("X-User-Id", s.id)
	req.Header.Set("X-Auth-Token", s.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, b
}

// TestFilesMigrate moves the files of a running server from its first
// storage to another (on SQLite from the data directory to the database,
// on PostgreSQL the other way), then to an S3 bucket whose uploads of one
// file fail: that run reports the file and fails, every file and the
// avatar stay readable through the server, and a second run moves the
// rest.
func TestFilesMigrate(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testFilesMigrate(t, "", files.FileSystem, files.GridFS) })
	// On PostgreSQL files start in the database.
	t.Run("postgres", func(t *testing.T) {
		testFilesMigrate(t, storetest.PostgresURL(t), files.GridFS, files.FileSystem)
	})
}

func testFilesMigrate(t *testing.T, dbURL, first, second string) {
	dir := t.TempDir()
	s3URL, fail := flakyS3(t, "moved")
	var env []string
	for k, v := range apitest.S3Settings(s3URL, "moved") {
		env = append(env, "OVERWRITE_SETTING_"+k+"="+toString(v))
	}
	if dbURL != "" {
		env = append(env, "PARLEY_DATABASE_URL="+dbURL)
	}
	// The server knows the bucket from the start, as an operator sets it
	// up before moving files there.
	serverEnv := map[string]string{"ADMIN_USERNAME": "root", "ADMIN_PASS": "pw", "ADMIN_EMAIL": "root@example.com",
		"OVERWRITE_SETTING_API_Enable_Rate_Limiter": "false"}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		serverEnv[k] = v
	}
	base, stop := serveDir(t, dir, serverEnv, &syncBuffer{})
	root := mustOpLogin(t, base, "root", "pw")

	contents := map[string][]byte{}
	urls := map[string]string{}
	var ids []string
	for _, size := range []int{10, 300_000, 2_000} {
		c := make([]byte, size)
		rand.Read(c)
		m := postFile(t, root, "rooms.upload/GENERAL", "file", "f.bin", c)["message"].(map[string]any)
		id := m["file"].(map[string]any)["_id"].(string)
		ids = append(ids, id)
		contents[id] = c
		urls[id] = m["attachments"].([]any)[0].(map[string]any)["title_link"].(string)
	}
	var png bytes.Buffer
	if err := pngEncode(&png); err != nil {
		t.Fatal(err)
	}
	postFile(t, root, "users.setAvatar", "image", "me.png", png.Bytes())
	readable := func(when string) {
		t.Helper()
		for id, c := range contents {
			if code, b := getBytes(t, root, urls[id]); code != http.StatusOK || !bytes.Equal(b, c) {
				t.Fatalf("%s: file %s: %d, %d bytes, want the %d uploaded", when, id, code, len(b), len(c))
			}
		}
		if code, b := getBytes(t, root, "/avatar/root"); code != http.StatusOK || !bytes.Equal(b, png.Bytes()) {
			t.Fatalf("%s: avatar: %d, %d bytes", when, code, len(b))
		}
	}
	inDir := func(want int) {
		t.Helper()
		if n := countFiles(t, filepath.Join(dir, "uploads")); n != want {
			t.Fatalf("%d files in the data directory, want %d", n, want)
		}
	}
	readable("on " + first)
	if first == files.FileSystem {
		inDir(4) // 3 uploads and an avatar
	}

	out := mustCLI(t, "", append(env, "PARLEY_DATA_DIR="+dir), "files", "migrate", "--to", second)
	if !strings.Contains(out, "4/4 files: 4 moved") {
		t.Fatalf("migrate to %s printed:\n%s", second, out)
	}
	if second == files.FileSystem {
		inDir(4)
	} else {
		inDir(0)
	}
	readable("on " + second)

	fail.Store(ids[1])
	code, out, errOut := runCLI(t, "", append(env, "PARLEY_DATA_DIR="+dir), "files", "migrate", "--to", "AmazonS3")
	if code != exitFail || !strings.Contains(out, "4/4 files: 3 moved") || !strings.Contains(errOut, ids[1]+" not moved") {
		t.Fatalf("migrate to a failing bucket: status %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	readable("half on AmazonS3")

	fail.Store("")
	out = mustCLI(t, "", append(env, "PARLEY_DATA_DIR="+dir), "files", "migrate", "--to", "AmazonS3")
	if !strings.Contains(out, "1/1 files: 1 moved") {
		t.Fatalf("the resumed migrate printed:\n%s", out)
	}
	readable("on AmazonS3")
	inDir(0)
	out = mustCLI(t, "", append(env, "PARLEY_DATA_DIR="+dir), "files", "migrate", "--to", "AmazonS3")
	if !strings.Contains(out, "every file is in AmazonS3 already") {
		t.Fatalf("a third run printed:\n%s", out)
	}

	// The command made AmazonS3 the storage of new files; a server started
	// now reads it at once (a running one within its settings poll).
	stop()
	base, _ = serveDir(t, dir, serverEnv, &syncBuffer{})
	root = mustOpLogin(t, base, "root", "pw")
	readable("after a restart")
	c := []byte("after the move")
	m := postFile(t, root, "rooms.upload/GENERAL", "file", "new.txt", c)["message"].(map[string]any)
	id := m["file"].(map[string]any)["_id"].(string)
	status, rec := root.call(t, http.MethodGet, "channels.files?roomName=general", nil)
	if status != http.StatusOK {
		t.Fatalf("channels.files: %d %v", status, rec)
	}
	for _, f := range rec["files"].([]any) {
		f := f.(map[string]any)
		if want := "AmazonS3:Uploads"; f["store"] != want {
			t.Errorf("file %s (new: %v) is in %v, want %s", f["_id"], f["_id"] == id, f["store"], want)
		}
	}
}

func decodeJSON(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("undecodable answer %s: %v", b, err)
	}
	return m
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return ""
}

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func pngEncode(w io.Writer) error {
	return png.Encode(w, image.NewRGBA(image.Rect(0, 0, 8, 8)))
}
