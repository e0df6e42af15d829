package sqlstore

import (
	"context"
	"database/sql"
	"sort"
	"strconv"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

type threads struct{ s *Store }

type receipts struct{ s *Store }

func (s *Store) Threads() store.Threads   { return threads{s} }
func (s *Store) Receipts() store.Receipts { return receipts{s} }

func (t threads) AddReply(ctx context.Context, tmid string, ts model.Time) error {
	g := t.s.d.greatest
	return t.s.execOne(ctx, `UPDATE messages SET tcount = tcount + 1, tlm = `+g+`(COALESCE(tlm, 0), $2), updated_at = `+g+`(updated_at, $2)
		WHERE id = $1`, tmid, int64(ts))
}

func (t threads) RemoveReply(ctx context.Context, tmid string, now model.Time) error {
	return t.s.execOne(ctx, `UPDATE messages SET tcount = CASE WHEN tcount > 0 THEN tcount - 1 ELSE 0 END, updated_at = $2 WHERE id = $1`,
		tmid, int64(now))
}

func (t threads) AddUnread(ctx context.Context, rid, tmid string, u store.ThreadUnread) error {
	if len(u.Users) == 0 {
		return nil
	}
	keys := []string{"tunread"}
	if u.UserMention {
		keys = append(keys, "tunreadUser")
	}
	if u.GroupMention {
		keys = append(keys, "tunreadGroup")
	}
	args := []any{rid, tmid, int64(u.Now)}
	for _, id := range u.Users {
		args = append(args, id)
	}
	in := "user_id IN (" + placeholders(4, len(u.Users)) + ")"
	// One statement per list, each touching only the subscriptions that
	// lack the thread, so that every list holds it once.
	for _, k := range keys {
		q := `UPDATE subscriptions SET doc = ` + t.s.d.jsonAppend("doc", k, "$2") + `, updated_at = $3
			WHERE rid = $1 AND ` + in + ` AND NOT ` + t.s.d.jsonHas("doc", k, "$2")
		if _, err := t.s.exec(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

func (t threads) RemoveUnread(ctx context.Context, rid, tmid, userID string, now model.Time) error {
	args := []any{rid, tmid, int64(now)}
	who := ""
	if userID != "" {
		args = append(args, userID)
		who = " AND user_id = $4"
	}
	for _, k := range []string{"tunread", "tunreadUser", "tunreadGroup"} {
		q := `UPDATE subscriptions SET doc = ` + t.s.d.jsonWithout("doc", k, "$2") + `, updated_at = $3
			WHERE rid = $1` + who + ` AND ` + t.s.d.jsonHas("doc", k, "$2")
		if _, err := t.s.exec(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

var threadSort = map[string]string{"ts": "m.ts", "_updatedAt": "m.updated_at", "tlm": "m.tlm", "tcount": "m.tcount", "msg": "m.msg"}

func (t threads) where(f store.ThreadFilter) ([]string, []any) {
	conds, args := messages(t).where(store.MessageFilter{
		RID: f.RID, IDs: f.IDs, ExcludeHidden: f.ExcludeHidden, TextContains: f.TextContains, UpdatedAfter: f.UpdatedAfter,
	}, nil)
	conds = append(conds, "m.tlm IS NOT NULL")
	if f.FollowedBy != "" {
		args = append(args, f.FollowedBy)
		conds = append(conds, t.s.d.jsonHas("m.doc", "replies", "$"+strconv.Itoa(len(args))))
	}
	return conds, args
}

func (t threads) List(ctx context.Context, f store.ThreadFilter, opts store.ListOptions) ([]*model.Message, int, error) {
	conds, args := t.where(f)
	where := joinWhere(conds)
	var total int
	if err := t.s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM messages m`+where, args...).Scan(&total); err != nil {
		return nil, 0, t.s.wrap(err)
	}
	q := `SELECT ` + messageCols + ` FROM messages m` + where + orderClause(opts, threadSort, "m.tlm DESC, m.id DESC") + t.s.d.limitClause(opts)
	list, err := queryAll(ctx, t.s, scanMessage, q, args...)
	return list, total, err
}

func (t threads) AddDiscussionMessage(ctx context.Context, drid string, delta int, lm *model.Time) error {
	if lm == nil {
		_, err := t.s.exec(ctx, `UPDATE messages SET dcount = CASE WHEN dcount + $2 > 0 THEN dcount + $2 ELSE 0 END WHERE drid = $1`, drid, delta)
		return err
	}
	_, err := t.s.exec(ctx, `UPDATE messages SET dcount = dcount + $2, dlm = `+t.s.d.greatest+`(COALESCE(dlm, 0), $3), updated_at = `+t.s.d.greatest+`(updated_at, $3)
		WHERE drid = $1`, drid, delta, int64(*lm))
	return err
}

func (t receipts) Record(ctx context.Context, rid, userID string, after, upTo, now model.Time) (int, error) {
	n, err := t.s.exec(ctx, `INSERT INTO message_receipts (mid, user_id, rid, ts)
		SELECT m.id, $2, m.rid, $5 FROM messages m
		WHERE m.rid = $1 AND `+t.s.d.unreadCond("m.")+` AND m.ts > $3 AND m.ts <= $4 AND m.hidden = FALSE
		ON CONFLICT DO NOTHING`, rid, userID, int64(after), int64(upTo), int64(now))
	return int(n), err
}

func (t receipts) Add(ctx context.Context, r *store.Receipt) error {
	_, err := t.s.exec(ctx, `INSERT INTO message_receipts (mid, user_id, rid, ts) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
		r.MessageID, r.UserID, r.RoomID, int64(r.Ts))
	return err
}

func (t receipts) ListByMessage(ctx context.Context, mid string, opts store.ListOptions) ([]*store.Receipt, error) {
	q := `SELECT r.mid, r.user_id, r.rid, r.ts, u.id, ` + t.s.d.jsonText("u.doc", "username") + `, u.name
		FROM message_receipts r LEFT JOIN users u ON u.id = r.user_id
		WHERE r.mid = $1 ORDER BY r.ts, r.user_id` + t.s.d.limitClause(store.ListOptions{Offset: opts.Offset, Count: opts.Count})
	return queryAll(ctx, t.s, func(row rowScanner) (*store.Receipt, error) {
		var (
			r              store.Receipt
			ts             int64
			uid, un, uname sql.NullString
		)
		if err := row.Scan(&r.MessageID, &r.UserID, &r.RoomID, &ts, &uid, &un, &uname); err != nil {
			return nil, err
		}
		r.ID, r.Ts = r.MessageID+r.UserID, model.Time(ts)
		if uid.Valid {
			r.User = &model.UserRef{ID: uid.String, Username: un.String, Name: uname.String}
		}
		return &r, nil
	}, q, mid)
}

func (t receipts) DeleteByMessage(ctx context.Context, mid string) error {
	_, err := t.s.exec(ctx, `DELETE FROM message_receipts WHERE mid = $1`, mid)
	return err
}

func (t receipts) Settle(ctx context.Context, rid, readerID string, now model.Time) (int, error) {
	type seen struct {
		user string
		ls   int64
	}
	// A message is read by everyone but its author when the least recent
	// reader other than the author has seen it. So only the two least
	// recent readers matter: the first for every author but themselves,
	// the second for messages of the first.
	list, err := queryAll(ctx, t.s, func(row rowScanner) (seen, error) {
		var (
			s  seen
			ls sql.NullInt64
		)
		err := row.Scan(&s.user, &ls)
		s.ls = ls.Int64
		if s.user == readerID {
			s.ls = int64(now)
		}
		return s, err
	}, `SELECT user_id, ls FROM subscriptions WHERE rid = $1`, rid)
	if err != nil || len(list) == 0 {
		return 0, err
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].ls != list[j].ls {
			return list[i].ls < list[j].ls
		}
		return list[i].user < list[j].user
	})
	first := list[0]
	second := int64(1<<62 - 1) // alone in the room: the author's messages are read
	if len(list) > 1 {
		second = list[1].ls
	}
	set := `UPDATE messages SET doc = ` + t.s.d.unsetUnread() + `, updated_at = $4 WHERE rid = $1 AND ` + t.s.d.unreadCond("") + ` AND ts <= $3 AND u_id `
	var total int64
	for _, st := range []struct {
		op string
		ls int64
	}{{"<> $2", first.ls}, {"= $2", second}} {
		if st.ls <= 0 {
			continue
		}
		n, err := t.s.exec(ctx, set+st.op, rid, first.user, st.ls, int64(now))
		if err != nil {
			return 0, err
		}
		total += n
	}
	return int(total), nil
}
