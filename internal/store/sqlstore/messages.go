package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

type messages struct{ s *Store }

const messageCols = `m.id, m.rid, m.ts, m.tcount, m.tlm, m.dcount, m.dlm, m.updated_at, m.doc`

// messageDoc is the JSON document of m without the columns that are the
// truth on their own (counters), which are merged back in on read.
func messageDoc(m *model.Message) (string, error) {
	c := *m
	c.TCount, c.TLM, c.DCount, c.DLM, c.Score = 0, nil, 0, nil, nil
	b, err := json.Marshal(&c)
	return string(b), err
}

func nullTime(t *model.Time) any {
	if t == nil {
		return nil
	}
	return int64(*t)
}

func (t messages) Insert(ctx context.Context, m *model.Message) error {
	doc, err := messageDoc(m)
	if err != nil {
		return err
	}
	_, err = t.s.exec(ctx, `INSERT INTO messages (id, rid, ts, t, u_id, msg, tmid, tshow, hidden, pinned, drid, tcount, tlm, dcount, dlm, updated_at, doc)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
		m.ID, m.RID, int64(m.Ts), m.T, m.U.ID, m.Msg, nullString(m.TMID), m.TShow, m.Hidden, m.Pinned, nullString(m.DRID),
		m.TCount, nullTime(m.TLM), m.DCount, nullTime(m.DLM), int64(m.UpdatedAt), doc)
	if err != nil {
		return err
	}
	if q := t.s.d.visibleInsert; q != "" && !m.Hidden {
		if _, err := t.s.exec(ctx, q, m.RID); err != nil {
			return err
		}
	}
	if err := t.s.indexNew(ctx, m.ID); err != nil {
		return err
	}
	return t.writeMarks(ctx, m, false)
}

// writeMarks mirrors starred and mentions into their lookup tables.
func (t messages) writeMarks(ctx context.Context, m *model.Message, replace bool) error {
	if replace {
		for _, q := range []string{`DELETE FROM message_stars WHERE mid = $1`, `DELETE FROM message_mentions WHERE mid = $1`} {
			if _, err := t.s.exec(ctx, q, m.ID); err != nil {
				return err
			}
		}
	}
	if m.Hidden {
		return nil
	}
	for _, s := range m.Starred {
		if _, err := t.s.exec(ctx, `INSERT INTO message_stars (user_id, mid) VALUES ($1, $2) ON CONFLICT DO NOTHING`, s.ID, m.ID); err != nil {
			return err
		}
	}
	for _, mn := range m.Mentions {
		if mn.Username == "" || mn.ID == "all" || mn.ID == "here" {
			continue
		}
		if _, err := t.s.exec(ctx, `INSERT INTO message_mentions (username, mid) VALUES ($1, $2) ON CONFLICT DO NOTHING`, mn.Username, m.ID); err != nil {
			return err
		}
	}
	return nil
}

func scanMessage(row rowScanner) (*model.Message, error) { return scanMessageWith(row) }

// scanMessageWith scans a messageCols row followed by extra columns.
func scanMessageWith(row rowScanner, extra ...any) (*model.Message, error) {
	var (
		id, rid            string
		ts, tcount, dcount int64
		updated            int64
		tlm, dlm           sql.NullInt64
		doc                []byte
	)
	if err := row.Scan(append([]any{&id, &rid, &ts, &tcount, &tlm, &dcount, &dlm, &updated, &doc}, extra...)...); err != nil {
		return nil, err
	}
	m := new(model.Message)
	if err := json.Unmarshal(doc, m); err != nil {
		return nil, err
	}
	m.ID, m.RID, m.Ts, m.TCount, m.DCount, m.UpdatedAt = id, rid, model.Time(ts), tcount, dcount, model.Time(updated)
	if tlm.Valid {
		v := model.Time(tlm.Int64)
		m.TLM = &v
	}
	if dlm.Valid {
		v := model.Time(dlm.Int64)
		m.DLM = &v
	}
	return m, nil
}

func (t messages) Get(ctx context.Context, id string) (*model.Message, error) {
	m, err := scanMessage(t.s.r.QueryRowContext(ctx, `SELECT `+messageCols+` FROM messages m WHERE m.id = $1`, id))
	return m, t.s.wrap(err)
}

func (t messages) GetForUpdate(ctx context.Context, id string) (*model.Message, error) {
	m, err := scanMessage(t.s.w.QueryRowContext(ctx, `SELECT `+messageCols+` FROM messages m WHERE m.id = $1`+t.s.d.forUpdate, id))
	return m, t.s.wrap(err)
}

func (t messages) Update(ctx context.Context, m *model.Message) error {
	doc, err := messageDoc(m)
	if err != nil {
		return err
	}
	err = t.s.execOne(ctx, `UPDATE messages SET t = $2, msg = $3, tmid = $4, tshow = $5, hidden = $6, pinned = $7, drid = $8, updated_at = $9, doc = $10 WHERE id = $1`,
		m.ID, m.T, m.Msg, nullString(m.TMID), m.TShow, m.Hidden, m.Pinned, nullString(m.DRID), int64(m.UpdatedAt), doc)
	if err != nil {
		return err
	}
	t.s.noteEdit(m.ID)
	return t.writeMarks(ctx, m, true)
}

func (t messages) Delete(ctx context.Context, id string) error {
	if err := t.s.execOne(ctx, `DELETE FROM messages WHERE id = $1`, id); err != nil {
		return err
	}
	_, err := t.s.exec(ctx, `DELETE FROM message_stars WHERE mid = $1`, id)
	if err == nil {
		_, err = t.s.exec(ctx, `DELETE FROM message_mentions WHERE mid = $1`, id)
	}
	if err == nil {
		_, err = t.s.exec(ctx, `DELETE FROM message_receipts WHERE mid = $1`, id)
	}
	return err
}

func (t messages) DeleteByRoom(ctx context.Context, rid string) error {
	for _, q := range []string{
		`DELETE FROM message_stars WHERE mid IN (SELECT id FROM messages WHERE rid = $1)`,
		`DELETE FROM message_mentions WHERE mid IN (SELECT id FROM messages WHERE rid = $1)`,
		`DELETE FROM message_receipts WHERE mid IN (SELECT id FROM messages WHERE rid = $1)`,
		`DELETE FROM messages WHERE rid = $1`,
		`DELETE FROM messages_trash WHERE rid = $1`,
	} {
		if _, err := t.s.exec(ctx, q, rid); err != nil {
			return err
		}
	}
	return nil
}

// where renders f as SQL conditions on messages m, binding arguments from
// number len(args)+1 on.
func (t messages) where(f store.MessageFilter, args []any) ([]string, []any) {
	var conds []string
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.RID != "" {
		rid := arg(f.RID)
		conds = append(conds, "m.rid = "+rid)
		if g := f.Guard; g != nil && t.s.exactCache() == nil {
			// Conditions on no column of m: PostgreSQL checks them once,
			// before reading any message.
			if g.RoomType != "" {
				conds = append(conds, "EXISTS (SELECT 1 FROM rooms WHERE id = "+rid+" AND t = "+arg(g.RoomType)+")")
			}
			if g.Member != "" {
				conds = append(conds, "EXISTS (SELECT 1 FROM subscriptions WHERE rid = "+rid+" AND user_id = "+arg(g.Member)+")")
			}
		}
		if g := f.Guard; g != nil && g.Session != nil {
			conds = append(conds, "EXISTS (SELECT 1 FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hashed_token = "+arg(g.Session.HashedToken)+
				" AND t.user_id = "+arg(g.Session.UserID)+" AND u.active AND u.updated_at = "+arg(int64(g.Session.UserUpdatedAt))+")")
		}
	}
	// in renders "col IN (...)" over values, bound as arguments.
	in := func(col string, values []string) string {
		ph := make([]string, len(values))
		for i, v := range values {
			ph[i] = arg(v)
		}
		return col + " IN (" + strings.Join(ph, ", ") + ")"
	}
	if f.IDs != nil {
		if len(f.IDs) == 0 {
			conds = append(conds, "1 = 0")
		} else {
			conds = append(conds, in("m.id", f.IDs))
		}
	}
	if f.ExcludeHidden {
		conds = append(conds, "m.hidden = FALSE")
	}
	for _, ty := range f.ExcludeTypes {
		conds = append(conds, "m.t <> "+arg(ty))
	}
	if f.UserMessages {
		conds = append(conds, "m.t = ''")
	}
	if len(f.UserIDs) > 0 {
		conds = append(conds, in("m.u_id", f.UserIDs))
	}
	if f.Pinned {
		conds = append(conds, "m.pinned = TRUE")
	}
	if f.StarredBy != "" {
		conds = append(conds, "m.id IN (SELECT mid FROM message_stars WHERE user_id = "+arg(f.StarredBy)+")")
	}
	if f.MentionedUser != "" {
		conds = append(conds, "m.id IN (SELECT mid FROM message_mentions WHERE username = "+arg(f.MentionedUser)+")")
	}
	if len(f.MentionedAny) > 0 {
		conds = append(conds, "m.id IN (SELECT mid FROM message_mentions WHERE "+in("username", f.MentionedAny)+")")
	}
	if len(f.StarredByAny) > 0 {
		conds = append(conds, "m.id IN (SELECT mid FROM message_stars WHERE "+in("user_id", f.StarredByAny)+")")
	}
	if f.TMID != "" {
		conds = append(conds, "m.tmid = "+arg(f.TMID))
	}
	if f.ThreadParents {
		conds = append(conds, "m.tcount > 0")
	}
	if f.Discussions {
		conds = append(conds, "m.drid IS NOT NULL")
	}
	if f.RoomVisible {
		conds = append(conds, "(m.tmid IS NULL OR m.tshow = TRUE)")
	}
	if f.UpdatedAfter != 0 {
		conds = append(conds, updatedBound(" > ", arg(int64(f.UpdatedAfter))))
	}
	if f.UpdatedBefore != 0 {
		conds = append(conds, updatedBound(" < ", arg(int64(f.UpdatedBefore))))
	}
	gt, lt := " > ", " < "
	if f.TsInclusive {
		gt, lt = " >= ", " <= "
	}
	if f.TsAfter != 0 {
		conds = append(conds, "m.ts"+gt+arg(int64(f.TsAfter)))
	}
	if f.TsBefore != 0 {
		conds = append(conds, "m.ts"+lt+arg(int64(f.TsBefore)))
	}
	if f.TextContains != "" {
		conds = append(conds, "m.msg "+t.s.d.ilike+" "+arg("%"+escapeLike(f.TextContains)+"%")+likeEscape)
	}
	return conds, args
}

var messageSort = map[string]string{"ts": "m.ts", "_updatedAt": "m.updated_at", "tlm": "m.tlm", "tcount": "m.tcount", "msg": "m.msg"}

// messageSorts are messageSort plus the author fields, which live in the
// document and so are read per dialect.
var messageSorts = map[string]map[string]string{
	"sqlite":   withAuthorSort(sqliteDialect),
	"postgres": withAuthorSort(postgresDialect),
}

func withAuthorSort(d *dialect) map[string]string {
	out := map[string]string{"u._id": "m.u_id"}
	for k, v := range messageSort {
		out[k] = v
	}
	for _, f := range []string{"username", "name"} {
		if d.name == "postgres" {
			out["u."+f] = "(m.doc->'u'->>'" + f + "')"
		} else {
			out["u."+f] = "json_extract(m.doc, '$.u." + f + "')"
		}
	}
	return out
}

// sortable is the message sort fields of t's database.
func (t messages) sortable() map[string]string { return messageSorts[t.s.d.name] }

func joinWhere(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

func (t messages) List(ctx context.Context, f store.MessageFilter, opts store.ListOptions) ([]*model.Message, error) {
	q, args := t.listQuery(f, opts)
	return queryAll(ctx, t.s, scanMessage, q, args...)
}

// listQuery is the statement of List and ListJSON, reading messageCols.
func (t messages) listQuery(f store.MessageFilter, opts store.ListOptions) (string, []any) {
	if q, args, ok := t.updatedPage(f, opts); ok {
		return q, args
	}
	conds, args := t.where(f, nil)
	return `SELECT ` + messageCols + ` FROM messages m` + joinWhere(conds) + orderClause(opts, t.sortable(), messageOrder(f)) + t.s.d.limitClause(opts), args
}

// updatedBound is "m.updated_at op v" in the form the indexes serve. A
// message never changed since it was saved has updated_at = ts and is
// found through (rid, ts); only changed ones are in messages_rid_edited,
// so that a post writes one index entry fewer. SQLite answers the OR with
// both indexes.
func updatedBound(op, v string) string {
	return "((m.updated_at = m.ts AND m.ts" + op + v + ") OR (m.updated_at <> m.ts AND m.updated_at" + op + v + "))"
}

// updatedPage reads a room's messages past a bound on updated_at as the
// union of the two halves of updatedBound, one per index. Left to itself,
// SQLite answers the OR by walking the whole room through (rid, ts) when
// the listing is ordered by ts. When the listing is ordered by _updatedAt
// and limited (chat.syncMessages' cursors), each half reads only a page of
// its own, so the cost follows the page, not the messages past the bound.
func (t messages) updatedPage(f store.MessageFilter, opts store.ListOptions) (string, []any, bool) {
	if f.RID == "" || (f.UpdatedAfter == 0) == (f.UpdatedBefore == 0) {
		return "", nil, false
	}
	op, bound := " > ", f.UpdatedAfter
	if f.UpdatedBefore != 0 {
		op, bound = " < ", f.UpdatedBefore
	}
	rest := f
	rest.UpdatedAfter, rest.UpdatedBefore = 0, 0
	conds, args := t.where(rest, nil)
	args = append(args, int64(bound))
	v := "$" + strconv.Itoa(len(args))
	limit, dir := "", ""
	if len(opts.Sort) == 1 && opts.Sort[0].Field == "_updatedAt" && opts.Count > 0 {
		limit = ` LIMIT ` + strconv.Itoa(opts.Offset+opts.Count)
		if opts.Sort[0].Desc {
			dir = " DESC"
		}
	}
	half := func(cond, order string) string {
		q := `SELECT m.* FROM messages m` + joinWhere(append(slices.Clip(conds), cond))
		if limit == "" {
			return q
		}
		return `SELECT * FROM (` + q + ` ORDER BY ` + order + limit + `) AS b`
	}
	q := `SELECT ` + messageCols + ` FROM (` +
		half("m.updated_at = m.ts AND m.ts"+op+v, "m.ts"+dir) + ` UNION ALL ` +
		half("m.updated_at <> m.ts AND m.updated_at"+op+v, "m.updated_at"+dir+", m.ts DESC") +
		`) AS m` + orderClause(opts, t.sortable(), messageOrder(f)) + t.s.d.limitClause(opts)
	return q, args, true
}

func (t messages) Count(ctx context.Context, f store.MessageFilter) (int, error) {
	if n, ok, err := t.visibleCount(ctx, f); ok || err != nil {
		return n, err
	}
	conds, args := t.where(f, nil)
	var n int
	err := t.s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM messages m`+joinWhere(conds), args...).Scan(&n)
	return n, t.s.wrap(err)
}

func (t messages) Search(ctx context.Context, f store.MessageFilter, terms []string, opts store.ListOptions) ([]*model.Message, error) {
	if len(terms) == 0 {
		return nil, nil
	}
	conds, args := t.where(f, nil)
	from, cond, score, targs := t.s.d.search(len(args)+1, terms)
	args = append(args, targs...)
	conds = append(conds, cond)
	q := `SELECT ` + messageCols + `, ` + score + ` FROM messages m` + from + joinWhere(conds) +
		orderClause(opts, t.sortable(), "m.ts DESC, m.id DESC") + t.s.d.limitClause(opts)
	return queryAll(ctx, t.s, func(row rowScanner) (*model.Message, error) {
		var sc float64
		m, err := scanMessageWith(row, &sc)
		if err == nil {
			m.Score = &sc
		}
		return m, err
	}, q, args...)
}

func (t messages) Trash(ctx context.Context, m *model.Message) error {
	c := *m
	c.Score = nil
	b, err := json.Marshal(&c)
	if err != nil {
		return err
	}
	var deleted int64
	if m.DeletedAt != nil {
		deleted = int64(*m.DeletedAt)
	}
	_, err = t.s.exec(ctx, `INSERT INTO messages_trash (id, rid, tmid, tcount, ts, updated_at, deleted_at, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (id) DO UPDATE SET rid = excluded.rid, tmid = excluded.tmid, tcount = excluded.tcount, ts = excluded.ts,
		updated_at = excluded.updated_at, deleted_at = excluded.deleted_at, doc = excluded.doc`,
		m.ID, m.RID, nullString(m.TMID), m.TCount, int64(m.Ts), int64(m.UpdatedAt), deleted, string(b))
	return err
}

var trashSort = map[string]string{"_deletedAt": "deleted_at", "_updatedAt": "updated_at", "ts": "ts"}

func (t messages) ListTrash(ctx context.Context, f store.TrashFilter, opts store.ListOptions) ([]*model.Message, int, error) {
	var w whereBuilder
	if f.RID != "" {
		w.add("rid = " + w.arg(f.RID))
	}
	if f.TMID != "" {
		w.add("tmid = " + w.arg(f.TMID))
	}
	if f.ThreadParents {
		w.add("tcount > 0")
	}
	if f.DeletedAfter != 0 {
		w.add("deleted_at > " + w.arg(int64(f.DeletedAfter)))
	}
	if f.DeletedBefore != 0 {
		w.add("deleted_at < " + w.arg(int64(f.DeletedBefore)))
	}
	return countedPage(ctx, t.s, "messages_trash", &w, trashSort, "deleted_at, id", opts, scanDoc[model.Message])
}

func (t messages) Report(ctx context.Context, r *model.Report) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = t.s.exec(ctx, `INSERT INTO moderation_reports (id, mid, rid, reporter_id, ts, doc) VALUES ($1, $2, $3, $4, $5, $6)`,
		r.ID, r.Message.ID, r.Message.RID, r.ReportedBy["_id"], int64(r.Ts), string(b))
	return err
}

func (t rooms) Lock(ctx context.Context, id string) error {
	if t.s.d.forUpdate == "" {
		return nil // SQLite's one writer already excludes every other
	}
	var got string
	return t.s.wrap(t.s.w.QueryRowContext(ctx, `SELECT id FROM rooms WHERE id = $1`+t.s.d.forUpdate, id).Scan(&got))
}

func (t rooms) NextTs(ctx context.Context, id string, want model.Time) (model.Time, error) {
	if t.s.clock != nil {
		return t.s.clock.next(ctx, t.s, id, want)
	}
	var ts int64
	err := t.s.w.QueryRowContext(ctx, `UPDATE rooms SET last_ts = `+t.s.d.greatest+`(last_ts + 1, $2) WHERE id = $1 RETURNING last_ts`, id, int64(want)).Scan(&ts)
	return model.Time(ts), t.s.wrap(err)
}

// lastMessageDoc is what a room keeps of its last message.
func lastMessageDoc(m *model.Message) (any, error) {
	if m == nil {
		return nil, nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

func (t rooms) AddMessages(ctx context.Context, id string, delta int, last *model.Message) error {
	if last == nil {
		return t.s.execOne(ctx, `UPDATE rooms SET msgs = msgs + $2, updated_at = $3 WHERE id = $1`, id, delta, int64(model.Now()))
	}
	doc, err := lastMessageDoc(last)
	if err != nil {
		return err
	}
	return t.s.execOne(ctx, `UPDATE rooms SET msgs = msgs + $2, lm = $3, last_message = $4, updated_at = $5,
		last_ts = `+t.s.d.greatest+`(last_ts, $3) WHERE id = $1`,
		id, delta, int64(last.Ts), doc, int64(model.Now()))
}

func (t rooms) SetLastMessage(ctx context.Context, id string, last *model.Message) error {
	doc, err := lastMessageDoc(last)
	if err != nil {
		return err
	}
	return t.s.execOne(ctx, `UPDATE rooms SET last_message = $2, updated_at = $3 WHERE id = $1`, id, doc, int64(model.Now()))
}
