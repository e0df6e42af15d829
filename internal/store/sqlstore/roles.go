package sqlstore

import (
	"context"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

func (t users) ListWithRole(ctx context.Context, role string, inRooms bool, rid string, opts store.ListOptions) ([]*model.User, int, error) {
	var (
		where string
		args  = []any{}
	)
	if !inRooms {
		// The roles column holds ",a,b,": a role is matched whole.
		where = ` WHERE roles LIKE $1` + likeEscape
		args = append(args, "%,"+escapeLike(role)+",%")
	} else {
		sub := `SELECT user_id FROM subscriptions WHERE ` + t.s.d.jsonHas("doc", "roles", "$1")
		args = append(args, role)
		if rid != "" {
			sub += ` AND rid = $2`
			args = append(args, rid)
		}
		where = ` WHERE id IN (` + sub + `)`
	}
	var total int
	if err := t.s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`+where, args...).Scan(&total); err != nil {
		return nil, 0, t.s.wrap(err)
	}
	list, err := t.many(ctx, `SELECT `+userCols+` FROM users`+where+orderClause(opts, userSort, "username_lower")+t.s.d.limitClause(opts), args...)
	return list, total, err
}
