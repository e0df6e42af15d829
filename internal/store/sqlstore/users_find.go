package sqlstore

import (
	"context"
	"strings"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// userFindSort maps the sortable fields of Find to SQL; status and the
// other document fields are read from the JSON.
func (t users) findSort() map[string]string {
	m := map[string]string{"status": t.s.d.jsonText("doc", "status"), "active": "active"}
	for k, v := range userSort {
		m[k] = v
	}
	return m
}

// Find implements store.Users.
func (t users) Find(ctx context.Context, f store.UserFilter, opts store.ListOptions) ([]*model.User, int, error) {
	var w whereBuilder
	if f.Search != "" {
		p := w.arg("%" + escapeLike(strings.ToLower(f.Search)) + "%")
		cond := "username_lower LIKE " + p + likeEscape + " OR name_lower LIKE " + p + likeEscape
		if f.SearchEmail {
			cond += " OR email_lower LIKE " + p + likeEscape
		}
		w.add("(" + cond + ")")
	}
	if f.Active != nil {
		w.add("active = " + w.arg(*f.Active))
	}
	if f.HasLoggedIn != nil {
		is := " IS NULL"
		if *f.HasLoggedIn {
			is = " IS NOT NULL"
		}
		w.add(t.s.d.jsonText("doc", "lastLogin") + is)
	}
	typ := "COALESCE(" + t.s.d.jsonText("doc", "type") + ", '')"
	if len(f.Types) > 0 {
		w.add(typ + " IN (" + t.args(&w, f.Types) + ")")
	}
	if len(f.NotTypes) > 0 {
		w.add(typ + " NOT IN (" + t.args(&w, f.NotTypes) + ")")
	}
	if len(f.Roles) > 0 {
		var ors []string
		for _, r := range f.Roles {
			ors = append(ors, "roles LIKE "+w.arg("%,"+escapeLike(r)+",%")+likeEscape)
		}
		w.add("(" + strings.Join(ors, " OR ") + ")")
	}
	if f.IDs != nil {
		if len(f.IDs) == 0 {
			return []*model.User{}, 0, nil
		}
		w.add("id IN (" + t.args(&w, f.IDs) + ")")
	}
	if len(f.NotIDs) > 0 {
		w.add("id NOT IN (" + t.args(&w, f.NotIDs) + ")")
	}
	if len(f.NotUsernames) > 0 {
		lower := make([]string, len(f.NotUsernames))
		for i, n := range f.NotUsernames {
			lower[i] = strings.ToLower(n)
		}
		w.add("username_lower NOT IN (" + t.args(&w, lower) + ")")
	}
	if f.NotOffline {
		w.add("COALESCE(" + t.s.d.jsonText("doc", "status") + ", 'offline') <> 'offline'")
	}
	if f.UpdatedSince != 0 {
		w.add("updated_at >= " + w.arg(int64(f.UpdatedSince)))
	}
	if f.SharesRoomWith != "" {
		w.add("id IN (SELECT o.user_id FROM subscriptions o JOIN subscriptions m ON m.rid = o.rid WHERE m.user_id = " + w.arg(f.SharesRoomWith) + ")")
	}
	if f.Cond != nil {
		w.add(t.cond(&w, *f.Cond))
	}
	where := joinWhere(w.conds)
	var total int
	if err := t.s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`+where, w.args...).Scan(&total); err != nil {
		return nil, 0, t.s.wrap(err)
	}
	list, err := t.many(ctx, `SELECT `+userCols+` FROM users`+where+orderClause(opts, t.findSort(), "username_lower")+t.s.d.limitClause(opts), w.args...)
	if list == nil && err == nil {
		list = []*model.User{}
	}
	return list, total, err
}

// args binds each of vs and returns their placeholders.
func (users) args(w *whereBuilder, vs []string) string {
	ps := make([]string, len(vs))
	for i, v := range vs {
		ps[i] = w.arg(v)
	}
	return strings.Join(ps, ", ")
}

// cond renders a UserCond. A test on an unknown field, or of a value of
// the wrong kind, matches nothing.
func (t users) cond(w *whereBuilder, c store.UserCond) string {
	var parts []string
	if c.Field != "" {
		parts = append(parts, t.leaf(w, c.Field, c.Value))
	}
	for _, sub := range c.And {
		parts = append(parts, t.cond(w, sub))
	}
	if len(c.Or) > 0 {
		var ors []string
		for _, sub := range c.Or {
			ors = append(ors, t.cond(w, sub))
		}
		parts = append(parts, "("+strings.Join(ors, " OR ")+")")
	}
	if len(parts) == 0 {
		return "1 = 1"
	}
	return "(" + strings.Join(parts, " AND ") + ")"
}

func (t users) leaf(w *whereBuilder, field string, v any) string {
	s, isString := v.(string)
	switch field {
	case "active":
		b, ok := v.(bool)
		if !ok {
			return "1 = 0"
		}
		return "active = " + w.arg(b)
	case "_id":
		if !isString {
			return "1 = 0"
		}
		return "id = " + w.arg(s)
	case "username":
		if !isString {
			return "1 = 0"
		}
		return "username_lower = " + w.arg(strings.ToLower(s)) + " AND " + t.s.d.jsonText("doc", "username") + " = " + w.arg(s)
	case "name":
		if !isString {
			return "1 = 0"
		}
		return "name = " + w.arg(s)
	case "roles":
		if !isString {
			return "1 = 0"
		}
		return "roles LIKE " + w.arg("%,"+escapeLike(s)+",%") + likeEscape
	case "type", "status", "statusText":
		if !isString {
			return "1 = 0"
		}
		return t.s.d.jsonText("doc", field) + " = " + w.arg(s)
	}
	return "1 = 0"
}
