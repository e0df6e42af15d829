package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"io"
	"sync/atomic"
	"time"

	blobs "github.com/parleychat/parley/internal/files"
	"github.com/parleychat/parley/internal/store"
)

// GridFSChunkSize is the size of the chunks file contents are stored in,
// GridFS's own: big enough that a file costs few rows, small enough that
// a reader holds little in memory.
const GridFSChunkSize = 255 << 10

// gridfsAbandoned is how old a blob being written must be before it is
// taken for abandoned (its writer died) and swept.
const gridfsAbandoned = 24 * time.Hour

// GridFS is the file storage in the database (Rocket.Chat's GridFS
// storage): every node on the database serves every file.
type GridFS struct {
	s         *Store
	chunk     int
	lastSweep atomic.Int64
}

// NewGridFS returns the file storage in s's database.
func NewGridFS(s *Store) *GridFS { return &GridFS{s: s, chunk: GridFSChunkSize} }

var _ blobs.Storage = (*GridFS)(nil)

// Kind implements blobs.Storage.
func (g *GridFS) Kind() string { return blobs.GridFS }

func newBlobID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Put implements blobs.Storage. Each chunk is read whole before its
// transaction starts, so that no transaction waits on the network, and
// committed on its own, so that a long upload never holds the database's
// writer; the key names the new blob only once every chunk is in.
func (g *GridFS) Put(ctx context.Context, key string, r io.Reader, limit int64) (int64, string, error) {
	if !blobs.ValidKey(key) {
		return 0, "", blobs.ErrInvalidKey
	}
	g.sweep(ctx)
	blob := newBlobID()
	now := time.Now().UnixMilli()
	if _, err := g.s.exec(ctx, `INSERT INTO file_blobs_pending (blob, started_at) VALUES ($1, $2)`, blob, now); err != nil {
		return 0, "", err
	}
	done := false
	defer func() {
		if !done {
			g.dropBlob(context.WithoutCancel(ctx), blob, true)
		}
	}()
	h := blobs.NewDigest()
	src := blobs.Reader(ctx, io.TeeReader(r, h))
	buf := make([]byte, g.chunk)
	var size int64
	for n := 0; ; n++ {
		m, err := io.ReadFull(src, buf)
		if m > 0 {
			size += int64(m)
			if limit >= 0 && size > limit {
				return 0, "", blobs.ErrTooLarge
			}
			if _, err := g.s.exec(ctx, `INSERT INTO file_chunks (blob, n, data) VALUES ($1, $2, $3)`, blob, n, buf[:m]); err != nil {
				return 0, "", err
			}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return 0, "", err
		}
	}
	digest := blobs.DigestString(h)
	var old string
	err := g.s.InTx(ctx, func(tx store.Store) error {
		t := tx.(*Store)
		err := t.r.QueryRowContext(ctx, `SELECT blob FROM file_blobs WHERE key = $1`, key).Scan(&old)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := t.w.ExecContext(ctx, `INSERT INTO file_blobs (key, blob, size, chunk_size, digest, created_at) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (key) DO UPDATE SET blob = excluded.blob, size = excluded.size, chunk_size = excluded.chunk_size, digest = excluded.digest, created_at = excluded.created_at`,
			key, blob, size, g.chunk, digest, now); err != nil {
			return err
		}
		_, err = t.w.ExecContext(ctx, `DELETE FROM file_blobs_pending WHERE blob = $1`, blob)
		return err
	})
	if err != nil {
		return 0, "", g.s.wrap(err)
	}
	done = true
	if old != "" && old != blob {
		g.dropBlob(context.WithoutCancel(ctx), old, false)
	}
	return size, digest, nil
}

// dropBlob deletes a blob's chunks (and its pending row). A failure
// leaves them for the sweep when pending, else as dead rows.
func (g *GridFS) dropBlob(ctx context.Context, blob string, pending bool) {
	_, _ = g.s.exec(ctx, `DELETE FROM file_chunks WHERE blob = $1`, blob)
	if pending {
		_, _ = g.s.exec(ctx, `DELETE FROM file_blobs_pending WHERE blob = $1`, blob)
	}
}

// sweep removes, at most once an hour per process, the chunks of blobs
// whose writer died before finishing them.
func (g *GridFS) sweep(ctx context.Context) {
	now := time.Now()
	last := g.lastSweep.Load()
	if now.UnixMilli()-last < time.Hour.Milliseconds() || !g.lastSweep.CompareAndSwap(last, now.UnixMilli()) {
		return
	}
	before := now.Add(-gridfsAbandoned).UnixMilli()
	_ = g.s.InTx(context.WithoutCancel(ctx), func(tx store.Store) error {
		t := tx.(*Store)
		if _, err := t.w.ExecContext(ctx, `DELETE FROM file_chunks WHERE blob IN (SELECT blob FROM file_blobs_pending WHERE started_at < $1)`, before); err != nil {
			return err
		}
		_, err := t.w.ExecContext(ctx, `DELETE FROM file_blobs_pending WHERE started_at < $1`, before)
		return err
	})
}

// Open implements blobs.Storage.
func (g *GridFS) Open(ctx context.Context, key string) (blobs.Object, error) {
	if !blobs.ValidKey(key) {
		return nil, blobs.ErrInvalidKey
	}
	o := &gridObject{g: g, ctx: ctx, chunkN: -1}
	var created int64
	err := g.s.r.QueryRowContext(ctx, `SELECT blob, size, chunk_size, created_at FROM file_blobs WHERE key = $1`, key).Scan(&o.blob, &o.size, &o.chunkSize, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, blobs.ErrNotFound
	}
	if err != nil {
		return nil, g.s.wrap(err)
	}
	o.mod = time.UnixMilli(created)
	return o, nil
}

// Delete implements blobs.Storage.
func (g *GridFS) Delete(ctx context.Context, key string) error {
	if !blobs.ValidKey(key) {
		return blobs.ErrInvalidKey
	}
	return g.s.InTx(ctx, func(tx store.Store) error {
		t := tx.(*Store)
		var blob string
		err := t.r.QueryRowContext(ctx, `SELECT blob FROM file_blobs WHERE key = $1`, key).Scan(&blob)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := t.w.ExecContext(ctx, `DELETE FROM file_blobs WHERE key = $1`, key); err != nil {
			return err
		}
		_, err = t.w.ExecContext(ctx, `DELETE FROM file_chunks WHERE blob = $1`, blob)
		return err
	})
}

// Keys implements blobs.Storage, a page of keys at a time.
func (g *GridFS) Keys(ctx context.Context, fn func(key string) error) error {
	after := ""
	for {
		keys, err := queryAll(ctx, g.s, func(r rowScanner) (string, error) {
			var k string
			return k, r.Scan(&k)
		}, `SELECT key FROM file_blobs WHERE key > $1 ORDER BY key LIMIT 500`, after)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := fn(k); err != nil {
				return err
			}
		}
		if len(keys) < 500 {
			return nil
		}
		after = keys[len(keys)-1]
	}
}

// gridObject reads a blob a chunk at a time: it holds the chunk under
// the read position and fetches another only when the position leaves it.
type gridObject struct {
	g         *GridFS
	ctx       context.Context
	blob      string
	size      int64
	chunkSize int64
	mod       time.Time
	pos       int64
	chunkN    int64
	chunk     []byte
}

func (o *gridObject) Size() int64        { return o.size }
func (o *gridObject) ModTime() time.Time { return o.mod }
func (o *gridObject) Close() error       { o.chunk = nil; return nil }

func (o *gridObject) Read(p []byte) (int, error) {
	if o.pos >= o.size {
		return 0, io.EOF
	}
	n := o.pos / o.chunkSize
	if n != o.chunkN {
		var data []byte
		err := o.g.s.r.QueryRowContext(o.ctx, `SELECT data FROM file_chunks WHERE blob = $1 AND n = $2`, o.blob, n).Scan(&data)
		if errors.Is(err, sql.ErrNoRows) {
			// The blob was replaced or deleted while being read.
			return 0, io.ErrUnexpectedEOF
		}
		if err != nil {
			return 0, o.g.s.wrap(err)
		}
		o.chunk, o.chunkN = data, n
	}
	off := o.pos - n*o.chunkSize
	if off >= int64(len(o.chunk)) {
		return 0, io.ErrUnexpectedEOF
	}
	m := copy(p, o.chunk[off:])
	o.pos += int64(m)
	return m, nil
}

func (o *gridObject) Seek(offset int64, whence int) (int64, error) {
	pos, err := blobs.SeekTarget(o.pos, o.size, offset, whence)
	if err != nil {
		return o.pos, err
	}
	o.pos = pos
	return pos, nil
}
