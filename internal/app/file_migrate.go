package app

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/parleychat/parley/internal/files"
	"github.com/parleychat/parley/internal/store"
)

// MoveProgress is where a move of files stands.
type MoveProgress struct {
	// Done and Total count the files seen in the storages moved from.
	Done, Total int
	// Moved counts the files copied to the target, Bytes their size;
	// Cleaned the copies left behind by an interrupted move and removed;
	// Skipped the copies whose record names a third storage; Failed the
	// files that could not be moved (a rerun tries them again).
	Moved, Cleaned, Skipped, Failed int
	Bytes                           int64
	// Key and Err name the last failure.
	Key string
	Err error
}

// MoveFiles moves every file (uploads, thumbnails, avatars, room
// exports) from the other storages to the storage of kind to. It first
// makes to the storage of new files (FileUpload_Storage_Type), so that
// nothing new lands behind it. Each file is copied, read back and checked
// against its digest, then its upload record is switched, and only then
// is the old copy deleted; so an interrupted move loses nothing, and
// running it again picks up where it stopped. progress is called after
// each file.
func (a *App) MoveFiles(ctx context.Context, to string, progress func(MoveProgress)) (MoveProgress, error) {
	var p MoveProgress
	if !slices.Contains(files.Kinds, to) {
		return p, fmt.Errorf("unknown storage %q: use one of %v", to, files.Kinds)
	}
	target, err := a.FileStorage(to)
	if err != nil {
		return p, err
	}
	if err := a.ApplySettingOverrides(ctx, map[string]any{"FileUpload_Storage_Type": to}); err != nil {
		return p, err
	}
	type item struct {
		from files.Storage
		key  string
	}
	var work []item
	for _, src := range a.files.available("") {
		if src.Kind() == to {
			continue
		}
		err := src.Keys(ctx, func(key string) error {
			work = append(work, item{src, key})
			return nil
		})
		if err != nil {
			return p, fmt.Errorf("list the %s storage: %w", src.Kind(), err)
		}
	}
	p.Total = len(work)
	for _, w := range work {
		if err := ctx.Err(); err != nil {
			return p, err
		}
		n, outcome, err := a.moveFile(ctx, w.from, target, w.key)
		switch {
		case err != nil:
			p.Failed++
			p.Key, p.Err = w.key, err
		case outcome == moveCopied:
			p.Moved++
			p.Bytes += n
		case outcome == moveCleaned:
			p.Cleaned++
		case outcome == moveSkipped:
			p.Skipped++
		}
		p.Done++
		if progress != nil {
			progress(p)
		}
	}
	if p.Failed > 0 {
		return p, fmt.Errorf("%d files could not be moved; the last, %s: %w", p.Failed, p.Key, p.Err)
	}
	return p, nil
}

type moveOutcome int

const (
	moveCopied moveOutcome = iota
	moveCleaned
	moveSkipped
	moveGone
)

// moveFile moves key from src to dst.
func (a *App) moveFile(ctx context.Context, src, dst files.Storage, key string) (int64, moveOutcome, error) {
	rec, err := a.store.Files().Get(ctx, key)
	if isNotFound(err) {
		rec, err = nil, nil
	}
	if err != nil {
		return 0, 0, err
	}
	if rec != nil {
		switch storeKind(rec.Store) {
		case src.Kind():
		case dst.Kind():
			// The record was switched before the old copy was deleted.
			if obj, err := dst.Open(ctx, key); err == nil {
				obj.Close()
				return 0, moveCleaned, src.Delete(ctx, key)
			}
		default:
			return 0, moveSkipped, nil
		}
	}
	obj, err := src.Open(ctx, key)
	if errors.Is(err, files.ErrNotFound) {
		return 0, moveGone, nil // deleted meanwhile
	}
	if err != nil {
		return 0, 0, err
	}
	size, digest, err := dst.Put(ctx, key, obj, -1)
	obj.Close()
	if err != nil {
		return 0, 0, fmt.Errorf("copy to %s: %w", dst.Kind(), err)
	}
	if rec != nil && rec.ETag != "" && rec.ETag != digest {
		return 0, 0, fmt.Errorf("the %s copy has digest %s, its record %s; it is left where it is", src.Kind(), digest, rec.ETag)
	}
	back, err := dst.Open(ctx, key)
	if err != nil {
		return 0, 0, fmt.Errorf("read back from %s: %w", dst.Kind(), err)
	}
	n, d, err := files.Digest(back)
	back.Close()
	if err == nil && (n != size || d != digest) {
		err = fmt.Errorf("%d bytes of digest %s read back, %d of %s written", n, d, size, digest)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("verify the %s copy: %w", dst.Kind(), err)
	}
	if rec != nil {
		err := a.tx(ctx, func(st store.Store) error {
			cur, err := st.Files().Get(ctx, key)
			if err != nil {
				return err
			}
			cur.Store = dst.Kind() + ":Uploads"
			cur.UpdatedAt = a.now()
			return st.Files().Update(ctx, cur)
		})
		if isNotFound(err) {
			// The file was deleted while it was copied.
			_ = dst.Delete(ctx, key)
			return 0, moveGone, src.Delete(ctx, key)
		}
		if err != nil {
			return 0, 0, err
		}
	}
	return size, moveCopied, src.Delete(ctx, key)
}
