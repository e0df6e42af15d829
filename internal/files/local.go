package files

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Local keeps files in a directory on the local disk, one file per key in
// a subdirectory named after the key's first two characters, so that no
// directory grows too large.
type Local struct {
	dir string
}

// NewLocal returns storage under dir, creating it if needed.
func NewLocal(dir string) (*Local, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	return &Local{dir: dir}, nil
}

// Name implements Storage.
func (l *Local) Name() string { return "FileSystem:Uploads" }

// validKey accepts only the characters of generated ids, so that a key can
// never name anything outside the directory.
func validKey(key string) bool {
	if len(key) < 2 || len(key) > 64 {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func (l *Local) path(key string) (string, error) {
	if !validKey(key) {
		return "", ErrInvalidKey
	}
	return filepath.Join(l.dir, key[:2], key), nil
}

// Put implements Storage. The content goes to a temporary file that is
// renamed into place only when complete, so a reader never sees half a
// file and a failed upload leaves nothing behind.
func (l *Local) Put(ctx context.Context, key string, r io.Reader, limit int64) (int64, string, error) {
	dst, err := l.path(key)
	if err != nil {
		return 0, "", err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return 0, "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".upload-*")
	if err != nil {
		return 0, "", err
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	src := r
	if limit >= 0 {
		src = io.LimitReader(r, limit+1)
	}
	n, err := io.Copy(io.MultiWriter(tmp, h), ctxReader{ctx, src})
	if err != nil {
		return 0, "", err
	}
	if limit >= 0 && n > limit {
		return 0, "", ErrTooLarge
	}
	if err := tmp.Sync(); err != nil {
		return 0, "", err
	}
	if err := tmp.Close(); err != nil {
		return 0, "", err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return 0, "", err
	}
	done = true
	return n, hex.EncodeToString(h.Sum(nil)[:12]), nil
}

// ctxReader stops a long copy when the request is gone.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

type localObject struct {
	*os.File
	info fs.FileInfo
}

func (o localObject) Size() int64        { return o.info.Size() }
func (o localObject) ModTime() time.Time { return o.info.ModTime() }

// Open implements Storage.
func (l *Local) Open(ctx context.Context, key string) (Object, error) {
	p, err := l.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return localObject{f, info}, nil
}

// Delete implements Storage.
func (l *Local) Delete(ctx context.Context, key string) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
