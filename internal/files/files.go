// Package files keeps the bytes of uploaded files. Storage is the seam: the
// local disk implementation serves a single node (or nodes sharing a
// mounted directory); an S3-compatible one can take its place later
// without the app noticing.
package files

import (
	"context"
	"errors"
	"io"
	"time"
)

var (
	// ErrTooLarge is returned by Put when the content exceeds the limit.
	ErrTooLarge = errors.New("files: content exceeds the size limit")
	// ErrNotFound is returned for a key that holds nothing.
	ErrNotFound = errors.New("files: not found")
	// ErrInvalidKey is returned for a key that is not a plain file id.
	ErrInvalidKey = errors.New("files: invalid key")
)

// Object is stored content opened for reading.
type Object interface {
	io.ReadSeekCloser
	Size() int64
	ModTime() time.Time
}

// Storage keeps file contents under keys (upload ids).
type Storage interface {
	// Name is the store's name in upload records, e.g. "FileSystem:Uploads".
	Name() string
	// Put stores everything r yields under key. When r yields more than
	// limit bytes (limit < 0: no limit) nothing is kept and ErrTooLarge is
	// returned; when r fails, nothing is kept either. It reports the size
	// and a digest of the content, usable as an ETag.
	Put(ctx context.Context, key string, r io.Reader, limit int64) (size int64, digest string, err error)
	Open(ctx context.Context, key string) (Object, error)
	// Delete removes key; a missing key is no error.
	Delete(ctx context.Context, key string) error
}
