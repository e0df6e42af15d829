package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"reflect"

	"github.com/parleychat/parley/internal/store"
)

// visibleCount answers Count for the one filter the visible-message count
// keeps (a room's messages, hidden ones left out) without scanning the
// room. ok is false for any other filter, and for messages of a room
// that does not exist.
func (t messages) visibleCount(ctx context.Context, f store.MessageFilter) (n int, ok bool, err error) {
	if f.RID == "" || !reflect.DeepEqual(f, store.MessageFilter{RID: f.RID, ExcludeHidden: true}) {
		return 0, false, nil
	}
	err = t.s.r.QueryRowContext(ctx, t.s.d.visibleCount, f.RID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		// SQLite: no message of the room was ever counted. PostgreSQL: no
		// room row, so no count; the caller counts the messages instead.
		return 0, t.s.d.countsEveryRoom, nil
	}
	return n, err == nil, t.s.wrap(err)
}
