package sqlstore

import (
	"context"
	"strconv"

	"github.com/parleychat/parley/internal/store"
)

// whereBuilder collects a WHERE clause's conditions and their arguments,
// numbering the placeholders as they are added.
type whereBuilder struct {
	conds []string
	args  []any
}

// arg binds v and returns its placeholder.
func (w *whereBuilder) arg(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

func (w *whereBuilder) add(cond string) { w.conds = append(w.conds, cond) }

// countedPage runs a listing over table: the total of rows matching w, and
// the page opts asks for, ordered by sort's fields then fallback, each row
// read from the doc column by scan. A listing of every row is its own
// total, so it is read in one statement.
func countedPage[T any](ctx context.Context, s *Store, table string, w *whereBuilder, sort map[string]string, fallback string, opts store.ListOptions, scan func(rowScanner) (T, error)) ([]T, int, error) {
	where := joinWhere(w.conds)
	page := `SELECT doc FROM ` + table + where + orderClause(opts, sort, fallback) + s.d.limitClause(opts)
	if opts.Count <= 0 && opts.Offset <= 0 {
		list, err := queryAll(ctx, s, scan, page, w.args...)
		return list, len(list), err
	}
	var total int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+where, w.args...).Scan(&total); err != nil {
		return nil, 0, s.wrap(err)
	}
	list, err := queryAll(ctx, s, scan, page, w.args...)
	return list, total, err
}
