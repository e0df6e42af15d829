//go:build unix

package main

import (
	"bytes"
	"crypto/rand"
	"net/http"
	"testing"
)

// TestFilesOnAnyNode runs two nodes, each with a data directory of its
// own, on one PostgreSQL database: with the default storage there
// (GridFS), a file and an avatar uploaded through node A are served by
// node B, ranges included, and a message deleted through B takes its
// file away from A too.
func TestFilesOnAnyNode(t *testing.T) {
	a, b, adminA, adminB := twoNodes(t)
	onA := opSession{base: a.url, id: adminA.UserID, token: adminA.Token}
	onB := opSession{base: b.url, id: adminB.UserID, token: adminB.Token}

	content := make([]byte, 600_000) // three chunks
	rand.Read(content)
	m := postFile(t, onA, "rooms.upload/GENERAL", "file", "big.bin", content)["message"].(map[string]any)
	if _, ok := m["file"].(map[string]any)["_id"].(string); !ok {
		t.Fatalf("file message: %v", m)
	}
	url := m["attachments"].([]any)[0].(map[string]any)["title_link"].(string)
	files := adminB.Must(http.MethodGet, "channels.files?roomName=general", nil)["files"].([]any)
	if len(files) != 1 || files[0].(map[string]any)["store"] != "GridFS:Uploads" {
		t.Fatalf("channels.files on node B: %v", files)
	}
	if code, got := getBytes(t, onB, url); code != http.StatusOK || !bytes.Equal(got, content) {
		t.Fatalf("download of node A's upload through node B: %d, %d bytes, want %d", code, len(got), len(content))
	}
	req, _ := http.NewRequest(http.MethodGet, b.url+url, nil)
	req.Header.Set("X-User-Id", onB.id)
	req.Header.Set("X-Auth-Token", onB.token)
	req.Header.Set("Range", "bytes=262000-262999")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var part bytes.Buffer
	part.ReadFrom(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusPartialContent || !bytes.Equal(part.Bytes(), content[262000:263000]) {
		t.Fatalf("a range through node B: %d, %d bytes", res.StatusCode, part.Len())
	}

	var png bytes.Buffer
	if err := pngEncode(&png); err != nil {
		t.Fatal(err)
	}
	postFile(t, onA, "users.setAvatar", "image", "me.png", png.Bytes())
	if code, got := getBytes(t, onB, "/avatar/root"); code != http.StatusOK || !bytes.Equal(got, png.Bytes()) {
		t.Fatalf("node A's avatar through node B: %d, %d bytes", code, len(got))
	}

	adminB.Must(http.MethodPost, "chat.delete", map[string]any{"roomId": "GENERAL", "msgId": m["_id"]})
	if code, _ := getBytes(t, onA, url); code != http.StatusNotFound {
		t.Fatalf("download through node A after node B deleted the message: %d, want 404", code)
	}
}
