// Package files keeps the bytes of uploaded files. Storage is the seam:
// the local disk (FileSystem) serves one node or nodes sharing a mounted
// directory; the database (GridFS, implemented by the SQL store) and an
// S3-compatible object store (AmazonS3) serve every node with nothing
// shared but the database or the bucket.
package files

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"time"
)

// The kinds of storage, spelled as Rocket.Chat's FileUpload_Storage_Type
// spells them; an upload record's store is "<kind>:Uploads".
const (
	FileSystem = "FileSystem"
	GridFS     = "GridFS"
	AmazonS3   = "AmazonS3"
)

// Kinds lists the kinds Parley implements.
var Kinds = []string{FileSystem, GridFS, AmazonS3}

var (
	// ErrTooLarge is returned by Put when the content exceeds the limit.
	ErrTooLarge = errors.New("files: content exceeds the size limit")
	// ErrNotFound is returned for a key that holds nothing.
	ErrNotFound = errors.New("files: not found")
	// ErrInvalidKey is returned for a key that is not a plain file id.
	ErrInvalidKey = errors.New("files: invalid key")
)

// Object is stored content opened for reading. Seeking is cheap in every
// kind of storage, so that a ranged download reads only its range.
type Object interface {
	io.ReadSeekCloser
	Size() int64
	ModTime() time.Time
}

// Storage keeps file contents under keys (upload ids, avatar keys).
type Storage interface {
	// Kind is one of FileSystem, GridFS and AmazonS3.
	Kind() string
	// Put stores everything r yields under key, replacing what key held.
	// It reads r as a stream and never holds the whole content. When r
	// yields more than limit bytes (limit < 0: no limit) nothing is kept
	// and ErrTooLarge is returned; when r fails, nothing is kept either.
	// It reports the size and the digest of the content (see Digest).
	Put(ctx context.Context, key string, r io.Reader, limit int64) (size int64, digest string, err error)
	Open(ctx context.Context, key string) (Object, error)
	// Delete removes key; a missing key is no error.
	Delete(ctx context.Context, key string) error
	// Keys calls fn with every key held, in no set order. Keys added or
	// deleted meanwhile may be seen or not; an error from fn stops it.
	Keys(ctx context.Context, fn func(key string) error) error
}

// Linker is a Storage whose objects a client can fetch from the storage
// itself, with a link that expires.
type Linker interface {
	// Link is a URL that serves key for expiry, with the given content
	// type and Content-Disposition.
	Link(ctx context.Context, key string, expiry time.Duration, contentType, disposition string) (string, error)
}

// NewDigest returns the hash whose Sum, passed to DigestString, is a
// content's digest.
func NewDigest() hash.Hash { return sha256.New() }

// DigestString renders a digest hash's sum: the first 96 bits of SHA-256
// in hex, short enough for an ETag and long enough to tell contents apart.
func DigestString(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)[:12]) }

// Digest reads r to its end and returns its size and digest.
func Digest(r io.Reader) (int64, string, error) {
	h := NewDigest()
	n, err := io.Copy(h, r)
	if err != nil {
		return n, "", err
	}
	return n, DigestString(h), nil
}

// ValidKey accepts only the characters of generated ids, so that a key
// can never name anything outside a directory or a bucket's prefix.
func ValidKey(key string) bool {
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

// limited reads r up to limit+1 bytes (limit < 0: all), so that a reader
// can tell content over the limit from content at it.
func limited(r io.Reader, limit int64) io.Reader {
	if limit < 0 {
		return r
	}
	return io.LimitReader(r, limit+1)
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

// Reader wraps r so that reading it fails once ctx ends; storages that
// copy a stream in steps use it.
func Reader(ctx context.Context, r io.Reader) io.Reader { return ctxReader{ctx, r} }

// SeekTarget is the position io.Seeker.Seek moves to from pos in content
// of size bytes. Storages whose objects read lazily (ranged requests,
// chunk rows) only move their offset, and share this arithmetic.
func SeekTarget(pos, size, offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += pos
	case io.SeekEnd:
		offset += size
	default:
		return pos, errors.New("files: invalid whence")
	}
	if offset < 0 {
		return pos, errors.New("files: seek before the start")
	}
	return offset, nil
}
