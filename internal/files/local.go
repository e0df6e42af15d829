package files

import (
	"context"
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

// Kind implements Storage.
func (l *Local) Kind() string { return FileSystem }

func (l *Local) path(key string) (string, error) {
	if !ValidKey(key) {
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
	h := NewDigest()
	n, err := io.Copy(io.MultiWriter(tmp, h), ctxReader{ctx, limited(r, limit)})
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
	return n, DigestString(h), nil
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

// Keys implements Storage: the files of the key directories, without the
// temporary files of uploads under way.
func (l *Local) Keys(ctx context.Context, fn func(key string) error) error {
	dirs, err := os.ReadDir(l.dir)
	if err != nil {
		return err
	}
	for _, d := range dirs {
		if !d.IsDir() || len(d.Name()) != 2 {
			continue
		}
		entries, err := os.ReadDir(filepath.Join(l.dir, d.Name()))
		if err != nil {
			return err
		}
		for _, e := range entries {
			if err := ctx.Err(); err != nil {
				return err
			}
			if e.Type().IsRegular() && ValidKey(e.Name()) && e.Name()[:2] == d.Name() {
				if err := fn(e.Name()); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
