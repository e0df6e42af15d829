package api_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

func rawGet(e *apitest.Env, c *apitest.Client, target, acceptEncoding string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.RemoteAddr = "192.0.2.1:1234"
	req.Header.Set("X-User-Id", c.UserID)
	req.Header.Set("X-Auth-Token", c.Token)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	rec := httptest.NewRecorder()
	e.Handler.ServeHTTP(rec, req)
	return rec
}

// JSON answers are gzip-compressed for clients that accept it, from 1 KiB
// on; the decompressed answer is the one an uncompressing client gets.
func TestJSONAnswersCompressed(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	rid := e.Admin.CreateRoom(t, "channels", "gzipped", nil)
	for i := 0; i < 30; i++ {
		e.Admin.PostText(t, rid, strings.Repeat("a page of history compresses well ", 4))
	}
	target := "/api/v1/channels.history?roomId=" + rid + "&count=30"
	plain := rawGet(e, e.Admin, target, "")
	if plain.Code != 200 || plain.Header().Get("Content-Encoding") != "" {
		t.Fatalf("without Accept-Encoding: %d %q", plain.Code, plain.Header().Get("Content-Encoding"))
	}
	gz := rawGet(e, e.Admin, target, "gzip, deflate, br")
	if gz.Code != 200 || gz.Header().Get("Content-Encoding") != "gzip" || !strings.Contains(gz.Header().Get("Vary"), "Accept-Encoding") {
		t.Fatalf("with gzip: %d %v", gz.Code, gz.Header())
	}
	if gz.Header().Get("X-Request-Id") == "" || gz.Header().Get("Content-Type") != "application/json" {
		t.Errorf("headers lost: %v", gz.Header())
	}
	zr, err := gzip.NewReader(gz.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var a, b map[string]any
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatalf("decompressed answer: %v", err)
	}
	_ = json.Unmarshal(plain.Body.Bytes(), &b)
	if len(a["messages"].([]any)) != 30 || len(b["messages"].([]any)) != 30 {
		t.Errorf("messages: %d compressed, %d plain", len(a["messages"].([]any)), len(b["messages"].([]any)))
	}
	if gz.Body.Len() > plain.Body.Len()/3 {
		t.Errorf("compressed %d bytes of %d", gz.Body.Len(), plain.Body.Len())
	}

	// A small answer, an error, and a refused encoding go out as they are.
	if r := rawGet(e, e.Admin, "/api/v1/me", "gzip"); r.Code != 200 || r.Header().Get("Content-Encoding") != "" || !json.Valid(r.Body.Bytes()) {
		t.Errorf("small answer: %d %q", r.Code, r.Header().Get("Content-Encoding"))
	}
	if r := rawGet(e, e.Admin, "/api/v1/channels.history?roomId=nope", "gzip"); r.Code != 400 || r.Header().Get("Content-Encoding") != "" || !bytes.Contains(r.Body.Bytes(), []byte(`"success":false`)) {
		t.Errorf("error answer: %d %q %s", r.Code, r.Header().Get("Content-Encoding"), r.Body)
	}
	if r := rawGet(e, e.Admin, target, "gzip;q=0"); r.Header().Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 still compressed")
	}
}
