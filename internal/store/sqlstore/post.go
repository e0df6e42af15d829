package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

func (t messages) Post(ctx context.Context, p store.NewPost) error {
	if t.s.d.name == "postgres" && !hasMarks(p.Message) {
		return t.postOne(ctx, p)
	}
	if t.s.inTx {
		return t.postSteps(ctx, p)
	}
	return t.s.InTx(ctx, func(tx store.Store) error { return tx.Messages().(messages).postSteps(ctx, p) })
}

// hasMarks says m has rows in message_stars or message_mentions to write.
func hasMarks(m *model.Message) bool {
	if m.Hidden {
		return false
	}
	if len(m.Starred) > 0 {
		return true
	}
	for _, mn := range m.Mentions {
		if mn.Username != "" && mn.ID != "all" && mn.ID != "here" {
			return true
		}
	}
	return false
}

// postSteps is Post as one statement a step, inside the caller's
// transaction.
func (t messages) postSteps(ctx context.Context, p store.NewPost) error {
	m := p.Message
	if p.RoomHint {
		if err := t.s.Rooms().Unchanged(ctx, m.RID); err != nil {
			return err
		}
	}
	if p.Member != "" {
		ok, err := t.s.Subscriptions().(subscriptions).exists(ctx, m.RID, p.Member)
		if err != nil {
			return err
		}
		if !ok {
			return store.ErrChanged
		}
	}
	ts, err := t.s.Rooms().NextTs(ctx, m.RID, p.Want)
	if errors.Is(err, store.ErrNotFound) {
		return store.ErrChanged
	}
	if err != nil {
		return err
	}
	m.Ts, m.UpdatedAt = ts, ts
	if err := t.Insert(ctx, m); err != nil {
		return err
	}
	var last *model.Message
	if p.Last {
		last = m
	}
	if err := t.s.Rooms().AddMessages(ctx, m.RID, 1, last); err != nil {
		return err
	}
	if p.Notice == nil {
		return nil
	}
	return t.s.Subscriptions().NotifyMessage(ctx, m.RID, *p.Notice)
}

// isoSQL renders a millisecond timestamp as model.Time's JSON text, in
// integer arithmetic so that no millisecond is lost to rounding.
func isoSQL(ms string) string {
	return `to_char(TIMESTAMP 'epoch' + (` + ms + `) * INTERVAL '1 millisecond', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
}

// postOne is Post on PostgreSQL in one statement, so one round trip and
// one implicit transaction. The room's row gives the timestamp and moves
// its counters; the insert and the subscriptions' update run only if it
// matched, and it matches only while the room exists (with p.RoomHint,
// as the version GetHint kept) and p.Member is still subscribed, as read
// by this statement. The documents carry the
// requested ts; when the room's clock moved it on, they are corrected in
// the statement.
func (t messages) postOne(ctx context.Context, p store.NewPost) error {
	m := p.Message
	m.Ts, m.UpdatedAt = p.Want, p.Want
	doc, err := messageDoc(m)
	if err != nil {
		return err
	}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	// A SELECT list gives its parameters no type of their own.
	typed := func(v any, ty string) string { return "CAST(" + arg(v) + " AS " + ty + ")" }
	text := func(v any) string { return typed(v, "TEXT") }
	rid, want := text(m.RID), typed(int64(p.Want), "BIGINT")
	next := `GREATEST(last_ts + 1, ` + want + `)`
	fixed := func(doc, ts string) string {
		return `CASE WHEN ` + ts + ` = ` + want + ` THEN CAST(` + doc + ` AS JSONB) ELSE CAST(` + doc + ` AS JSONB) || jsonb_build_object('ts', ` + isoSQL(ts) + `, '_updatedAt', ` + isoSQL(ts) + `) END`
	}
	var q strings.Builder
	q.WriteString(`WITH r AS (UPDATE rooms SET last_ts = ` + next + `, msgs = msgs + 1, updated_at = ` + arg(int64(model.Now())))
	if !m.Hidden {
		q.WriteString(`, visible_msgs = visible_msgs + 1`)
	}
	if p.Last {
		last, err := lastMessageDoc(m)
		if err != nil {
			return err
		}
		q.WriteString(`, lm = ` + next + `, last_message = ` + fixed(arg(last), next))
	}
	q.WriteString(` WHERE id = ` + rid)
	if p.RoomHint {
		cond, cargs, ok := rooms(t).printCond(m.RID, len(args)+1)
		if !ok {
			return store.ErrChanged
		}
		args = append(args, cargs...)
		q.WriteString(` AND ` + cond)
	}
	if p.Member != "" {
		q.WriteString(` AND EXISTS (SELECT 1 FROM subscriptions WHERE rid = ` + rid + ` AND user_id = ` + arg(p.Member) + `)`)
	}
	q.WriteString(` RETURNING last_ts AS ts),
		i AS (INSERT INTO messages (id, rid, ts, t, u_id, msg, tmid, tshow, hidden, pinned, drid, tcount, tlm, dcount, dlm, updated_at, doc)
		SELECT ` + strings.Join([]string{text(m.ID), rid, "r.ts", text(m.T), text(m.U.ID), text(m.Msg), text(nullString(m.TMID)),
		typed(m.TShow, "BOOLEAN"), typed(m.Hidden, "BOOLEAN"), typed(m.Pinned, "BOOLEAN"), text(nullString(m.DRID)),
		typed(m.TCount, "BIGINT"), typed(nullTime(m.TLM), "BIGINT"), typed(m.DCount, "BIGINT"), typed(nullTime(m.DLM), "BIGINT"),
		"r.ts", fixed(arg(doc), "r.ts")}, ", ") + ` FROM r)`)
	if n := p.Notice; n != nil {
		set, cond := "", ""
		switch {
		case len(n.Mentioned) > 0:
			// hasMarks sent messages with user mentions to postSteps.
			return errors.New("sqlstore: Post: mentions without marks")
		case n.Group:
			set = `, unread = unread + CAST(` + arg(n.UnreadGroup) + ` AS BIGINT), group_mentions = group_mentions + 1`
		case n.UnreadOthers > 0:
			set = `, unread = unread + CAST(` + arg(n.UnreadOthers) + ` AS BIGINT)`
		default:
			cond = ` AND (alert = FALSE OR open = FALSE)`
		}
		q.WriteString(`, s AS (UPDATE subscriptions SET alert = TRUE, open = TRUE, updated_at = ` + arg(int64(n.Now)) + set +
			` WHERE rid = ` + rid + ` AND user_id <> ` + arg(n.Sender) + cond + ` AND EXISTS (SELECT 1 FROM r))`)
	}
	q.WriteString(` SELECT ts FROM r`)
	var ts int64
	err = t.s.w.QueryRowContext(ctx, q.String(), args...).Scan(&ts)
	if errors.Is(err, sql.ErrNoRows) {
		if t.s.rooms != nil {
			// A hint that let the caller through is stale.
			t.s.rooms.forget(m.RID)
			t.s.rooms.forgetMembers()
		}
		return store.ErrChanged
	}
	if err != nil {
		return t.s.wrap(err)
	}
	m.Ts, m.UpdatedAt = model.Time(ts), model.Time(ts)
	return nil
}
