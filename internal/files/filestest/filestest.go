// Package filestest is the conformance suite every file storage runs:
// the same behaviour whether the bytes are on disk, in the database or in
// a bucket.
package filestest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/parleychat/parley/internal/files"
)

// Content returns n bytes no compressor shortens, different for each seed.
func Content(n int, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, 7))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// failingReader yields n bytes of content, then fails.
type failingReader struct {
	r io.Reader
}

var errBroken = errors.New("the client went away")

func (f *failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, errBroken
	}
	return n, err
}

// Run checks st, which must be empty.
func Run(t *testing.T, st files.Storage) {
	ctx := context.Background()
	read := func(t *testing.T, key string) []byte {
		t.Helper()
		obj, err := st.Open(ctx, key)
		if err != nil {
			t.Fatalf("open %s: %v", key, err)
		}
		defer obj.Close()
		b, err := io.ReadAll(obj)
		if err != nil {
			t.Fatalf("read %s: %v", key, err)
		}
		if obj.Size() != int64(len(b)) {
			t.Fatalf("%s: Size %d, %d bytes read", key, obj.Size(), len(b))
		}
		return b
	}
	gone := func(t *testing.T, key string) {
		t.Helper()
		if obj, err := st.Open(ctx, key); !errors.Is(err, files.ErrNotFound) {
			if err == nil {
				obj.Close()
			}
			t.Fatalf("open %s: %v, want ErrNotFound", key, err)
		}
	}
	keys := func(t *testing.T) []string {
		t.Helper()
		var out []string
		if err := st.Keys(ctx, func(k string) error { out = append(out, k); return nil }); err != nil {
			t.Fatalf("keys: %v", err)
		}
		slices.Sort(out)
		return out
	}

	// Larger than a GridFS chunk and than an S3 part, and smaller than both.
	small, medium, large := Content(1000, 1), Content(600_000, 2), Content(6<<20+12345, 3)
	for _, c := range []struct {
		key  string
		data []byte
	}{{"smallfile01", small}, {"mediumfile01", medium}, {"largefile01", large}} {
		n, digest, err := st.Put(ctx, c.key, bytes.NewReader(c.data), int64(len(c.data)))
		if err != nil {
			t.Fatalf("put %s: %v", c.key, err)
		}
		_, want, _ := files.Digest(bytes.NewReader(c.data))
		if n != int64(len(c.data)) || digest != want {
			t.Fatalf("put %s: %d bytes, digest %s; want %d, %s", c.key, n, digest, len(c.data), want)
		}
		if got := read(t, c.key); !bytes.Equal(got, c.data) {
			t.Fatalf("%s reads back %d bytes unlike the %d stored", c.key, len(got), len(c.data))
		}
	}

	t.Run("seek", func(t *testing.T) {
		obj, err := st.Open(ctx, "largefile01")
		if err != nil {
			t.Fatal(err)
		}
		defer obj.Close()
		for _, r := range []struct{ off, n int64 }{{5 << 20, 4096}, {261_000, 1000}, {0, 10}, {int64(len(large)) - 7, 7}, {3_000_000, 300_000}} {
			if _, err := obj.Seek(r.off, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			got := make([]byte, r.n)
			if _, err := io.ReadFull(obj, got); err != nil {
				t.Fatalf("read %d at %d: %v", r.n, r.off, err)
			}
			if !bytes.Equal(got, large[r.off:r.off+r.n]) {
				t.Fatalf("%d bytes at %d differ", r.n, r.off)
			}
		}
		if end, err := obj.Seek(0, io.SeekEnd); err != nil || end != int64(len(large)) {
			t.Fatalf("seek to the end: %d, %v", end, err)
		}
		if n, err := obj.Read(make([]byte, 10)); n != 0 || err != io.EOF {
			t.Fatalf("read at the end: %d, %v", n, err)
		}
	})

	t.Run("too large keeps nothing", func(t *testing.T) {
		for _, c := range []struct {
			key   string
			data  []byte
			limit int64
		}{{"toolarge01", medium, 500_000}, {"toolarge02", large, 5_500_000}, {"toolarge03", small, 999}} {
			if _, _, err := st.Put(ctx, c.key, bytes.NewReader(c.data), c.limit); !errors.Is(err, files.ErrTooLarge) {
				t.Fatalf("put %d bytes with limit %d: %v, want ErrTooLarge", len(c.data), c.limit, err)
			}
			gone(t, c.key)
		}
	})

	t.Run("broken stream keeps nothing", func(t *testing.T) {
		for _, data := range [][]byte{medium, large} {
			if _, _, err := st.Put(ctx, "broken01", &failingReader{bytes.NewReader(data)}, -1); err == nil {
				t.Fatal("put of a failing stream succeeded")
			}
			gone(t, "broken01")
		}
	})

	t.Run("replace", func(t *testing.T) {
		if _, _, err := st.Put(ctx, "mediumfile01", bytes.NewReader(small), -1); err != nil {
			t.Fatal(err)
		}
		if got := read(t, "mediumfile01"); !bytes.Equal(got, small) {
			t.Fatalf("after a replace: %d bytes", len(got))
		}
	})

	t.Run("keys and delete", func(t *testing.T) {
		if got, want := keys(t), []string{"largefile01", "mediumfile01", "smallfile01"}; !slices.Equal(got, want) {
			t.Fatalf("keys %v, want %v", got, want)
		}
		if err := st.Delete(ctx, "largefile01"); err != nil {
			t.Fatal(err)
		}
		gone(t, "largefile01")
		if err := st.Delete(ctx, "largefile01"); err != nil {
			t.Fatalf("deleting a missing key: %v", err)
		}
		if got, want := keys(t), []string{"mediumfile01", "smallfile01"}; !slices.Equal(got, want) {
			t.Fatalf("keys %v, want %v", got, want)
		}
	})

	t.Run("invalid keys", func(t *testing.T) {
		for _, k := range []string{"", "a", "../etc", "a/b", "ab.cd"} {
			if _, _, err := st.Put(ctx, k, bytes.NewReader(small), -1); !errors.Is(err, files.ErrInvalidKey) {
				t.Errorf("put %q: %v, want ErrInvalidKey", k, err)
			}
			if _, err := st.Open(ctx, k); !errors.Is(err, files.ErrInvalidKey) {
				t.Errorf("open %q: %v, want ErrInvalidKey", k, err)
			}
		}
	})
}
