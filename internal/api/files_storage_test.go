package api_test

import (
	"bytes"
	"context"
	"errors"
	"image/color"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
	"github.com/parleychat/parley/internal/files"
)

// storageContent is a file of several GridFS chunks and more than one S3
// part's worth of ranges, in bytes no compressor shortens.
func storageContent(n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// TestFileStorages runs the same file tests on every kind of storage:
// upload, download, ranges (one inside a chunk, one across a chunk
// boundary, a suffix), If-None-Match, and the bytes going with their
// message or room.
func TestFileStorages(t *testing.T) {
	t.Parallel()
	content := storageContent(700_000)
	for _, kind := range files.Kinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			e := apitest.New(t, apitest.WithFileStorage(kind))
			if kind == files.AmazonS3 {
				// The bytes go through Parley here; the redirect has a test of
				// its own.
				e.Admin.Post(t, "settings/FileUpload_S3_Proxy_Uploads", map[string]any{"value": true}).OK(t)
			}
			store, err := e.App.FileStorage(kind)
			if err != nil {
				t.Fatal(err)
			}
			alice := e.NewUser(t, "alice")
			rid := alice.Post(t, "channels.create", map[string]any{"name": e.Unique("files")}).OK(t).JSON(t)["channel"].(map[string]any)["_id"].(string)

			m := uploadMedia(t, alice, rid, "data.bin", "application/octet-stream", content, map[string]any{"msg": "data"})
			id := m["file"].(map[string]any)["_id"].(string)
			url := m["attachments"].([]any)[0].(map[string]any)["title_link"].(string)
			rec, err := e.Store.Files().Get(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Store != kind+":Uploads" || rec.Size != int64(len(content)) {
				t.Fatalf("upload record: store %q size %d, want %q and %d", rec.Store, rec.Size, kind+":Uploads", len(content))
			}
			obj, err := store.Open(context.Background(), id)
			if err != nil {
				t.Fatalf("the %s storage does not hold the upload: %v", kind, err)
			}
			obj.Close()

			full := download(t, alice, url).Expect(t, http.StatusOK)
			if !bytes.Equal(full.Body, content) {
				t.Fatalf("download: %d bytes, want the %d uploaded", len(full.Body), len(content))
			}
			etag := full.Header.Get("ETag")
			if etag != `"`+rec.ETag+`"` || rec.ETag == "" {
				t.Fatalf("ETag %q, want the digest %q", etag, rec.ETag)
			}

			for _, rg := range []struct {
				header     string
				start, end int // end exclusive
			}{
				{"bytes=1000-1999", 1000, 2000},
				{"bytes=261000-262999", 261000, 263000}, // across the first chunk boundary
				{"bytes=-5000", len(content) - 5000, len(content)},
				{"bytes=699990-", 699990, len(content)},
			} {
				alice.Header.Set("Range", rg.header)
				part := download(t, alice, url).Expect(t, http.StatusPartialContent)
				alice.Header.Del("Range")
				if !bytes.Equal(part.Body, content[rg.start:rg.end]) {
					t.Fatalf("Range %s: %d bytes, not bytes %d-%d of the file", rg.header, len(part.Body), rg.start, rg.end-1)
				}
			}
			alice.Header.Set("Range", "bytes=800000-")
			download(t, alice, url).Expect(t, http.StatusRequestedRangeNotSatisfiable)
			alice.Header.Del("Range")

			alice.Header.Set("If-None-Match", etag)
			if res := download(t, alice, url).Expect(t, http.StatusNotModified); len(res.Body) != 0 {
				t.Fatalf("304 with a body of %d bytes", len(res.Body))
			}
			alice.Header.Set("If-None-Match", `"something-else"`)
			download(t, alice, url).Expect(t, http.StatusOK)
			alice.Header.Del("If-None-Match")

			// Deleting the message removes the record and the bytes.
			alice.Post(t, "chat.delete", map[string]any{"roomId": rid, "msgId": m["_id"]}).OK(t)
			download(t, alice, url).Expect(t, http.StatusNotFound)
			if _, err := store.Open(context.Background(), id); !errors.Is(err, files.ErrNotFound) {
				t.Fatalf("after chat.delete the %s storage still holds the upload: %v", kind, err)
			}

			// Deleting the room removes its files, a pending upload among them.
			kept := uploadMedia(t, alice, rid, "kept.txt", "text/plain", []byte("kept"), map[string]any{})
			pending := upload(t, alice, "rooms.media", rid, "pending.txt", "text/plain", []byte("pending"), nil).OK(t).JSON(t)["file"].(map[string]any)["_id"].(string)
			keptID := kept["file"].(map[string]any)["_id"].(string)
			alice.Post(t, "channels.delete", map[string]any{"roomId": rid}).OK(t)
			for _, id := range []string{keptID, pending} {
				if _, err := store.Open(context.Background(), id); !errors.Is(err, files.ErrNotFound) {
					t.Fatalf("after channels.delete the %s storage still holds %s: %v", kind, id, err)
				}
			}
		})
	}
}

// TestFileStorageS3Redirect checks FileUpload_S3_Proxy_Uploads off (its
// default): after the access check a download is a redirect to a
// short-lived link into the bucket, which serves the file and its
// ranges; a refused caller gets no link.
func TestFileStorageS3Redirect(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.WithFileStorage(files.AmazonS3))
	alice, eve := e.NewUser(t, "alice"), e.NewUser(t, "eve")
	rid := alice.CreateDM(t, "dm", map[string]any{"username": e.Admin.Username})["_id"].(string)
	content := storageContent(40_000)
	m := uploadMedia(t, alice, rid, "photo.bin", "application/octet-stream", content, map[string]any{})
	url := m["attachments"].([]any)[0].(map[string]any)["title_link"].(string)

	res := download(t, alice, url).Expect(t, http.StatusFound)
	link := res.Header.Get("Location")
	if !strings.HasPrefix(link, e.S3+"/") || !strings.Contains(link, "X-Amz-Signature=") || !strings.Contains(link, "X-Amz-Expires=120") {
		t.Fatalf("redirect to %q, want a presigned link into %s valid for 120 s", link, e.S3)
	}
	got := fetch(t, link, "")
	if !bytes.Equal(got, content) {
		t.Fatalf("the link serves %d bytes, want the %d uploaded", len(got), len(content))
	}
	if got := fetch(t, link, "bytes=100-199"); !bytes.Equal(got, content[100:200]) {
		t.Fatalf("a range of the link: %d bytes", len(got))
	}
	download(t, eve, url).Expect(t, http.StatusForbidden)
	download(t, e.Anon(), url).Expect(t, http.StatusForbidden)
}

func fetch(t *testing.T, url, rng string) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rng != "" {
		req.Header.Set("Range", rng)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusPartialContent {
		t.Fatalf("GET %s: %d %s", url, res.StatusCode, b)
	}
	return b
}

// TestFileStorageS3Avatars checks FileUpload_S3_Proxy_Avatars: off, an
// avatar in the bucket is a redirect to it; on, Parley serves it.
func TestFileStorageS3Avatars(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.WithFileStorage(files.AmazonS3))
	carol := e.NewUser(t, "carol")
	img := pngImage(t, color.RGBA{R: 200, A: 255})
	setAvatar(t, carol, img).OK(t)
	res := getAvatar(t, e.Anon(), "/avatar/"+carol.Username).Expect(t, http.StatusFound)
	if link := res.Header.Get("Location"); !strings.HasPrefix(link, e.S3+"/") || !bytes.Equal(fetch(t, link, ""), img) {
		t.Fatalf("avatar redirect to %q", link)
	}
	e.Admin.Post(t, "settings/FileUpload_S3_Proxy_Avatars", map[string]any{"value": true}).OK(t)
	if got := getAvatar(t, e.Anon(), "/avatar/"+carol.Username).Expect(t, http.StatusOK); !bytes.Equal(got.Body, img) {
		t.Fatalf("proxied avatar: %d bytes", len(got.Body))
	}
}

// TestFileStorageChange switches FileUpload_Storage_Type between uploads:
// each upload stays in the storage it went to and readable from there,
// and so does an avatar, which has no record of its storage.
func TestFileStorageChange(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.WithFileStorage(files.FileSystem))
	alice := e.NewUser(t, "alice")
	rid := alice.Post(t, "channels.create", map[string]any{"name": e.Unique("moving")}).OK(t).JSON(t)["channel"].(map[string]any)["_id"].(string)
	img := pngImage(t, color.RGBA{G: 200, A: 255})
	setAvatar(t, alice, img).OK(t)

	type stored struct {
		id, url, kind string
		data          []byte
	}
	var ups []stored
	for i, kind := range []string{files.FileSystem, files.GridFS, files.FileSystem} {
		if i > 0 {
			e.Admin.Post(t, "settings/FileUpload_Storage_Type", map[string]any{"value": kind}).OK(t)
		}
		data := storageContent(1000 + i)
		m := uploadMedia(t, alice, rid, "f.bin", "application/octet-stream", data, map[string]any{})
		ups = append(ups, stored{m["file"].(map[string]any)["_id"].(string), m["attachments"].([]any)[0].(map[string]any)["title_link"].(string), kind, data})
	}
	for _, u := range ups {
		rec, err := e.Store.Files().Get(context.Background(), u.id)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Store != u.kind+":Uploads" {
			t.Errorf("upload made under %s is in %s", u.kind, rec.Store)
		}
		if got := download(t, alice, u.url).Expect(t, http.StatusOK); !bytes.Equal(got.Body, u.data) {
			t.Errorf("upload in %s: %d bytes", u.kind, len(got.Body))
		}
	}
	// The avatar went to FileSystem; GridFS is the storage now.
	e.Admin.Post(t, "settings/FileUpload_Storage_Type", map[string]any{"value": files.GridFS}).OK(t)
	if got := getAvatar(t, e.Anon(), "/avatar/"+alice.Username).Expect(t, http.StatusOK); !bytes.Equal(got.Body, img) {
		t.Fatalf("avatar after the storage changed: %d bytes", len(got.Body))
	}
	// Kinds Parley does not implement are refused.
	e.Admin.Post(t, "settings/FileUpload_Storage_Type", map[string]any{"value": "Webdav"}).Expect(t, http.StatusBadRequest)
	// A bucket not set up refuses uploads with a clear error, not a 5xx.
	e.Admin.Post(t, "settings/FileUpload_Storage_Type", map[string]any{"value": files.AmazonS3}).OK(t)
	upload(t, alice, "rooms.media", rid, "x.txt", "text/plain", []byte("x"), nil).Fails(t, http.StatusBadRequest, "error-file-storage", "")
}
