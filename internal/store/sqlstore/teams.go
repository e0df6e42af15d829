package sqlstore

import (
	"context"
	"strconv"
	"strings"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

func (t rooms) ListTeamRooms(ctx context.Context, f store.TeamRoomFilter, opts store.ListOptions) ([]*model.Room, int, error) {
	var (
		conds []string
		args  []any
	)
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	in := func(col string, vals []string) string {
		ph := make([]string, len(vals))
		for i, v := range vals {
			ph[i] = arg(v)
		}
		return col + ` IN (` + strings.Join(ph, ", ") + `)`
	}
	teamID := t.s.d.jsonText("doc", "teamId")
	main := t.s.d.jsonText("doc", "teamMain")
	if f.Mains {
		conds = append(conds, teamID+` IS NOT NULL`, main+` IS NOT NULL`)
		if f.TeamIDs != nil {
			if len(f.TeamIDs) == 0 {
				return nil, 0, nil
			}
			conds = append(conds, in(teamID, f.TeamIDs))
		}
	} else if f.ChildrenOf != "" {
		var kinds []string
		if f.ChildKind != "discussions" {
			kinds = append(kinds, teamID+` = `+arg(f.TeamID))
		}
		if f.ChildKind != "channels" {
			kinds = append(kinds, `prid = `+arg(f.ChildrenOf))
		}
		conds = append(conds, `(`+strings.Join(kinds, " OR ")+`)`)
		if f.ChildrenFor != "" {
			conds = append(conds, `(t = 'c' OR id IN (SELECT rid FROM subscriptions WHERE user_id = `+arg(f.ChildrenFor)+`))`)
		}
	} else {
		conds = append(conds, teamID+` = `+arg(f.TeamID), main+` IS NULL`)
	}
	if f.IDs != nil {
		if len(f.IDs) == 0 {
			return nil, 0, nil
		}
		conds = append(conds, in("id", f.IDs))
	}
	if f.VisibleTo != nil {
		if len(f.VisibleTo) == 0 {
			conds = append(conds, `t = 'c'`)
		} else {
			conds = append(conds, `(t = 'c' OR `+in("id", f.VisibleTo)+`)`)
		}
	}
	if f.Name != "" {
		pattern := escapeLike(strings.ToLower(f.Name)) + "%"
		if !f.NamePrefix {
			pattern = "%" + pattern
		}
		if f.ChildrenOf != "" {
			// A discussion's name is an id; people know it by its fname.
			pa := arg(pattern)
			conds = append(conds, `(name_lower `+t.s.d.ilike+` `+pa+likeEscape+` OR LOWER(`+t.s.d.jsonText("doc", "fname")+`) `+t.s.d.ilike+` `+pa+likeEscape+`)`)
		} else {
			conds = append(conds, `name_lower `+t.s.d.ilike+` `+arg(pattern)+likeEscape)
		}
	}
	if f.DefaultOnly {
		conds = append(conds, t.s.d.jsonText("doc", "teamDefault")+` IS NOT NULL`)
	}
	where := " WHERE " + strings.Join(conds, " AND ")
	var total int
	if err := t.s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM rooms`+where, args...).Scan(&total); err != nil {
		return nil, 0, t.s.wrap(err)
	}
	order := "COALESCE(name_lower, ''), id"
	if f.ChildrenOf != "" {
		order = "ts, id"
	}
	list, err := t.many(ctx, `SELECT `+roomCols+` FROM rooms`+where+orderClause(opts, roomSort, order)+t.s.d.limitClause(opts), args...)
	return list, total, err
}
