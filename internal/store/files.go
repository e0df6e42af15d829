package store

import (
	"context"

	"github.com/parleychat/parley/internal/model"
)

// FileFilter selects upload records. Zero fields do not filter.
type FileFilter struct {
	RID string
	// Name matches the file name as a case-insensitive substring.
	Name      string
	TypeGroup string
	// NotTypeGroup leaves out one type group, e.g. thumbnails ("thumb").
	NotTypeGroup string
	// OnlyConfirmed leaves out uploads no message has confirmed yet.
	OnlyConfirmed bool
	// ExpiredBefore selects unconfirmed uploads that expired before it.
	ExpiredBefore model.Time
}

// Files stores upload records; the bytes live in a files.Storage.
type Files interface {
	// Insert stores a new record; ErrConflict if its id is taken.
	Insert(ctx context.Context, f *model.File) error
	Get(ctx context.Context, id string) (*model.File, error)
	Update(ctx context.Context, f *model.File) error
	Delete(ctx context.Context, id string) error
	// List returns matching records sorted by name unless opts sorts
	// (name, size, type, uploadedAt, _updatedAt), and the total.
	List(ctx context.Context, f FileFilter, opts ListOptions) ([]*model.File, int, error)
}
