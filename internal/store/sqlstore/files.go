package sqlstore

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

type files struct{ s *Store }

func (s *Store) Files() store.Files { return files{s} }

// fileDoc is the stored document: the user object is looked up on read,
// never kept, so that a renamed user shows up renamed.
func fileDoc(f *model.File) (string, error) {
	c := *f
	c.User = nil
	b, err := json.Marshal(&c)
	return string(b), err
}

func (t files) Insert(ctx context.Context, f *model.File) error {
	doc, err := fileDoc(f)
	if err != nil {
		return err
	}
	_, err = t.s.exec(ctx, `INSERT INTO files (id, rid, user_id, name_lower, type_group, size, expires_at, uploaded_at, updated_at, doc)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		f.ID, f.RID, f.UserID, strings.ToLower(f.Name), f.TypeGroup, f.Size, nullTime(f.ExpiresAt), int64(f.UploadedAt), int64(f.UpdatedAt), doc)
	return err
}

func (t files) Get(ctx context.Context, id string) (*model.File, error) {
	f, err := scanDoc[model.File](t.s.r.QueryRowContext(ctx, `SELECT doc FROM files WHERE id = $1`, id))
	return f, t.s.wrap(err)
}

func (t files) Update(ctx context.Context, f *model.File) error {
	doc, err := fileDoc(f)
	if err != nil {
		return err
	}
	return t.s.execOne(ctx, `UPDATE files SET name_lower = $2, type_group = $3, size = $4, expires_at = $5, updated_at = $6, doc = $7 WHERE id = $1`,
		f.ID, strings.ToLower(f.Name), f.TypeGroup, f.Size, nullTime(f.ExpiresAt), int64(f.UpdatedAt), doc)
}

func (t files) Delete(ctx context.Context, id string) error {
	return t.s.execOne(ctx, `DELETE FROM files WHERE id = $1`, id)
}

var fileSort = map[string]string{"name": "name_lower", "size": "size", "uploadedAt": "uploaded_at", "_updatedAt": "updated_at"}

func (t files) List(ctx context.Context, f store.FileFilter, opts store.ListOptions) ([]*model.File, int, error) {
	var w whereBuilder
	if f.RID != "" {
		w.add("rid = " + w.arg(f.RID))
	}
	if f.Name != "" {
		w.add("name_lower " + t.s.d.ilike + " " + w.arg("%"+escapeLike(strings.ToLower(f.Name))+"%") + likeEscape)
	}
	if f.TypeGroup != "" {
		w.add("type_group = " + w.arg(f.TypeGroup))
	}
	if f.NotTypeGroup != "" {
		w.add("type_group <> " + w.arg(f.NotTypeGroup))
	}
	if f.OnlyConfirmed {
		w.add("expires_at IS NULL")
	}
	if f.ExpiredBefore != 0 {
		w.add("expires_at < " + w.arg(int64(f.ExpiredBefore)))
	}
	return countedPage(ctx, t.s, "files", &w, fileSort, "name_lower, id", opts, scanDoc[model.File])
}
