package api_test

import (
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/api/apitest"
	"github.com/parleychat/parley/internal/files"
)

// heapObjects is the memory the heap's objects take, garbage included.
func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestUploadsStream sends a 64 MiB file, generated while it is sent, to
// the FileSystem and GridFS storages and samples the heap meanwhile: it
// must never grow by a file's worth, since no layer (the multipart
// reader, the size limit, the storage) may hold the file whole. It runs
// alone, so the heap is this upload's. (The in-process S3 server keeps
// its objects in memory, so the AmazonS3 storage is not measured here;
// it sends one 5 MiB part at a time.)
func TestUploadsStream(t *testing.T) {
	const size = 64 << 20
	for _, kind := range []string{files.FileSystem, files.GridFS} {
		t.Run(kind, func(t *testing.T) {
			e := apitest.New(t, apitest.WithFileStorage(kind))
			srv := httptest.NewServer(e.Handler)
			defer srv.Close()
			rid := e.Admin.Post(t, "channels.create", map[string]any{"name": e.Unique("big")}).OK(t).JSON(t)["channel"].(map[string]any)["_id"].(string)

			defer debug.SetGCPercent(debug.SetGCPercent(20))
			runtime.GC()
			base := heapObjects()
			var peak atomic.Uint64
			stop := make(chan struct{})
			var sampled sync.WaitGroup
			sampled.Add(1)
			go func() {
				defer sampled.Done()
				for {
					if h := heapObjects(); h > peak.Load() {
						peak.Store(h)
					}
					select {
					case <-stop:
						return
					case <-time.After(time.Millisecond):
					}
				}
			}()

			pr, pw := io.Pipe()
			mw := multipart.NewWriter(pw)
			go func() {
				part, err := mw.CreateFormFile("file", "big.bin")
				if err != nil {
					pw.CloseWithError(err)
					return
				}
				chunk := make([]byte, 64<<10)
				for i := range chunk {
					chunk[i] = byte(i * 7)
				}
				for sent := 0; sent < size; sent += len(chunk) {
					if _, err := part.Write(chunk); err != nil {
						pw.CloseWithError(err)
						return
					}
				}
				pw.CloseWithError(mw.Close())
			}()
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/rooms.media/"+rid, pr)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			req.Header.Set("X-User-Id", e.Admin.UserID)
			req.Header.Set("X-Auth-Token", e.Admin.Token)
			res, err := srv.Client().Do(req)
			close(stop)
			sampled.Wait()
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Fatalf("upload: %d %s", res.StatusCode, body)
			}
			grew := int64(peak.Load()) - int64(base)
			t.Logf("%s: the heap grew by at most %.1f MiB during a %d MiB upload", kind, float64(grew)/(1<<20), size>>20)
			if grew > size/4 {
				t.Fatalf("%s: the heap grew by %.1f MiB during a %d MiB upload: the file is held in memory", kind, float64(grew)/(1<<20), size>>20)
			}
		})
	}
}
