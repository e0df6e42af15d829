package sqlstore

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

func (t messages) Post(ctx context.Context, p store.NewPost) error {
	if t.s.d.name == "postgres" && !hasMarks(p.Message) {
		if t.s.inTx || t.s.posts == nil {
			return t.postBatch(ctx, []store.NewPost{p})[0]
		}
		return t.s.posts.post(ctx, t, p)
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
	if g := p.Session; g != nil {
		sess, err := t.s.Tokens().Session(ctx, g.UserID, g.HashedToken)
		if errors.Is(err, store.ErrNotFound) || (err == nil && (!sess.Active || sess.UserUpdatedAt != g.UserUpdatedAt)) {
			return store.ErrChanged
		}
		if err != nil {
			return err
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

// postRow is one post of a batch as postBatch passes it: one JSON array
// of these, which json_to_recordset makes the batch's rows. PostgreSQL
// cannot see how many rows a function gives in either a custom or a
// generic plan, so both plans cost the same and it keeps the generic one
// after a few runs; arrays (unnest) have their lengths seen in custom
// plans, and the statement was then planned again on every run, which
// cost more than running it.
type postRow struct {
	Ord int    `json:"ord"`
	RID string `json:"rid"`
	// ROrd is the post's place among its room's posts in the batch, from
	// 1; Want, the room's first timestamp as the documents were made.
	ROrd int64 `json:"rord"`
	Want int64 `json:"want"`
	// Hint asks that the room still be the version GetHint kept: the MD5
	// of its document and its usersCount.
	Hint   bool            `json:"hint"`
	RDoc   string          `json:"rdoc"`
	RUsers int64           `json:"rusers"`
	ID     string          `json:"id"`
	T      string          `json:"t"`
	UID    string          `json:"u_id"`
	Msg    string          `json:"msg"`
	TMID   any             `json:"tmid"`
	TShow  bool            `json:"tshow"`
	Hidden bool            `json:"hidden"`
	Pinned bool            `json:"pinned"`
	DRID   any             `json:"drid"`
	TCount int64           `json:"tcount"`
	TLM    any             `json:"tlm"`
	DCount int64           `json:"dcount"`
	DLM    any             `json:"dlm"`
	Doc    json.RawMessage `json:"doc"`
	Last   json.RawMessage `json:"last,omitempty"`
	Member string          `json:"member"`
	// The login the post requires (NewPost.Session); no token, none.
	SessUser  string  `json:"sess_user"`
	SessToken *string `json:"sess_token"`
	SessAt    int64   `json:"sess_at"`
	Notify    bool    `json:"notify"`
	Unread    int64   `json:"unread"`
	Grp       bool    `json:"grp"`
}

// batchRoom is what postBatch works out for one room of its batch.
type batchRoom struct {
	want  model.Time
	posts int64
	print roomPrint
	// refused: the room's hint is asked for but not kept, so none of its
	// posts is written; written: one of them was.
	refused, written bool
}

// postBatch writes posts, of one room or several, in one statement on
// PostgreSQL: one round trip, one implicit transaction, and for each room
// one update of its row and of each member's subscription. Each room's
// row gives the timestamps of its posts, consecutive in the batch's
// order, and moves its counters; a room's posts are inserted and its
// subscriptions flagged only if its row matched, and it matches only
// while the room exists (with RoomHint, as the version GetHint kept; the
// posts of one room in a batch agree on RoomHint). A post whose Member is
// no longer subscribed, or whose Session no longer holds, as read by this
// statement, is left out and answered store.ErrChanged. The documents
// carry the timestamps the batch asks for; when a room's clock moved them
// on, they are corrected in the statement. The rooms' rows are locked in
// the order of their ids, so that batches of several rooms, from this
// node or others, cannot deadlock. The answer holds an error for each
// post, in order.
func (t messages) postBatch(ctx context.Context, posts []store.NewPost) []error {
	errs := make([]error, len(posts))
	fail := func(err error) []error {
		for i := range errs {
			errs[i] = err
		}
		return errs
	}
	var now model.Time
	counts := false
	byRoom := map[string]*batchRoom{}
	for _, p := range posts {
		rid := p.Message.RID
		br := byRoom[rid]
		if br == nil {
			br = &batchRoom{}
			if p.RoomHint {
				kept := false
				if t.s.rooms != nil {
					br.print, kept = t.s.rooms.print(rid)
				}
				br.refused = !kept
			}
			byRoom[rid] = br
		}
		br.want = max(br.want, p.Want)
		if n := p.Notice; n != nil {
			if len(n.Mentioned) > 0 {
				// hasMarks sent messages with user mentions to postSteps.
				return fail(errors.New("sqlstore: Post: mentions without marks"))
			}
			now = max(now, n.Now)
			counts = counts || n.Group || n.UnreadOthers > 0
		}
	}
	rows := make([]postRow, 0, len(posts))
	for i, p := range posts {
		m := p.Message
		br := byRoom[m.RID]
		if br.refused {
			errs[i] = store.ErrChanged
			continue
		}
		br.posts++
		m.Ts = br.want + model.Time(br.posts-1)
		m.UpdatedAt = m.Ts
		doc, err := messageDoc(m)
		if err != nil {
			return fail(err)
		}
		row := postRow{Ord: i + 1, RID: m.RID, ROrd: br.posts, Want: int64(br.want), Hint: p.RoomHint, RDoc: br.print.doc, RUsers: br.print.users,
			ID: m.ID, T: m.T, UID: m.U.ID, Msg: m.Msg, TMID: nullString(m.TMID), TShow: m.TShow,
			Hidden: m.Hidden, Pinned: m.Pinned, DRID: nullString(m.DRID), TCount: int64(m.TCount), TLM: nullTime(m.TLM),
			DCount: int64(m.DCount), DLM: nullTime(m.DLM), Doc: json.RawMessage(doc), Member: p.Member, Notify: p.Notice != nil}
		if g := p.Session; g != nil {
			row.SessUser, row.SessToken, row.SessAt = g.UserID, &g.HashedToken, int64(g.UserUpdatedAt)
		}
		if p.Last {
			d, err := lastMessageDoc(m)
			if err != nil {
				return fail(err)
			}
			row.Last = json.RawMessage(d.(string))
		}
		if n := p.Notice; n != nil {
			row.Grp, row.Unread = n.Group, int64(n.UnreadOthers)
			if n.Group {
				row.Unread = int64(n.UnreadGroup)
			}
		}
		rows = append(rows, row)
	}
	if len(rows) > 0 {
		written, err := t.writeBatch(ctx, posts, rows, now, counts)
		if err != nil {
			return fail(err)
		}
		for _, r := range rows {
			if i := r.Ord - 1; written[i] {
				byRoom[r.RID].written = true
			} else {
				errs[i] = store.ErrChanged
			}
		}
	}
	t.forgetRefused(posts, errs, byRoom)
	return errs
}

// writeBatch runs postBatch's statement for rows, sets the timestamps of
// the posts written, and says which of posts were.
func (t messages) writeBatch(ctx context.Context, posts []store.NewPost, rows []postRow, now model.Time, counts bool) ([]bool, error) {
	batch, err := json.Marshal(rows)
	if err != nil {
		return nil, err
	}
	// ts is a post's timestamp from its room's base; expect, the one its
	// documents were made with.
	const ts, expect = `r.base + ok.k`, `ok.want + ok.rord - 1`
	moved := func(doc, ts string) string {
		return `CAST(` + doc + ` AS JSONB) || jsonb_build_object('ts', ` + isoSQL(ts) + `, '_updatedAt', ` + isoSQL(ts) + `)`
	}
	fixed := func(doc, ts, expect string) string {
		return `CASE WHEN ` + ts + ` = ` + expect + ` THEN CAST(` + doc + ` AS JSONB) ELSE ` + moved(doc, ts) + ` END`
	}
	// A message's document is kept as the text it was written as.
	fixedDoc := func(doc, ts, expect string) string {
		return `CASE WHEN ` + ts + ` = ` + expect + ` THEN ` + doc + ` ELSE ` + docFromJSONB(moved(doc, ts)) + ` END`
	}
	// Each row carries its room's want and hint (postBatch gives every
	// post of a room the same), so n takes them with max and bool_or.
	const base = `GREATEST(rooms.last_ts + 1, n.want)`
	q := `WITH p AS (SELECT * FROM json_to_recordset(CAST($3 AS JSON)) AS p(ord BIGINT, rid TEXT, rord BIGINT, want BIGINT, hint BOOLEAN,
			rdoc TEXT, rusers BIGINT, id TEXT, t TEXT, u_id TEXT, msg TEXT, tmid TEXT,
			tshow BOOLEAN, hidden BOOLEAN, pinned BOOLEAN, drid TEXT, tcount BIGINT, tlm BIGINT, dcount BIGINT, dlm BIGINT, doc JSON, last JSONB,
			member TEXT, notify BOOLEAN, unread BIGINT, grp BOOLEAN, sess_user TEXT, sess_token TEXT, sess_at BIGINT)),
		ok AS (SELECT p.*, row_number() OVER (PARTITION BY p.rid ORDER BY p.ord) - 1 AS k FROM p
			WHERE (p.member = '' OR EXISTS (SELECT 1 FROM subscriptions s WHERE s.rid = p.rid AND s.user_id = p.member))
			AND (p.sess_token IS NULL OR EXISTS (SELECT 1 FROM tokens tk JOIN users u ON u.id = tk.user_id
				WHERE tk.hashed_token = p.sess_token AND tk.user_id = p.sess_user AND u.active AND u.updated_at = p.sess_at))),
		n AS (SELECT rid, max(want) AS want, bool_or(hint) AS hint, max(rdoc) AS rdoc, max(rusers) AS rusers,
			count(*) AS c, count(*) FILTER (WHERE NOT hidden) AS v, max(k) FILTER (WHERE last IS NOT NULL) AS lk FROM ok GROUP BY rid),
		lk AS (SELECT id FROM rooms WHERE id IN (SELECT rid FROM n) ORDER BY id FOR UPDATE),
		r AS (UPDATE rooms SET last_ts = ` + base + ` + n.c - 1, msgs = msgs + n.c, visible_msgs = visible_msgs + n.v, updated_at = $1,
			lm = CASE WHEN n.lk IS NULL THEN lm ELSE ` + base + ` + n.lk END,
			last_message = CASE WHEN n.lk IS NULL THEN last_message ELSE (SELECT ` + fixed("ok.last", base+` + ok.k`, expect) + ` FROM ok WHERE ok.rid = n.rid AND ok.k = n.lk) END
			FROM n JOIN lk ON lk.id = n.rid WHERE rooms.id = n.rid AND (NOT n.hint OR (md5(rooms.doc::text) = n.rdoc AND rooms.users_count = n.rusers))
			RETURNING rooms.id, rooms.last_ts - n.c + 1 AS base),
		i AS (INSERT INTO messages (id, rid, ts, t, u_id, msg, tmid, tshow, hidden, pinned, drid, tcount, tlm, dcount, dlm, updated_at, doc)
			SELECT ok.id, ok.rid, ` + ts + `, ok.t, ok.u_id, ok.msg, ok.tmid, ok.tshow, ok.hidden, ok.pinned, ok.drid, ok.tcount, ok.tlm, ok.dcount, ok.dlm, ` + ts + `, ` + fixedDoc("ok.doc", ts, expect) + `
			FROM ok JOIN r ON r.id = ok.rid),
		s AS (` + subscriptionsUpdate(counts) + `)
		SELECT ok.ord, ` + ts + ` FROM ok JOIN r ON r.id = ok.rid`
	res, err := t.s.w.QueryContext(ctx, q, int64(model.Now()), int64(now), string(batch))
	if err != nil {
		return nil, t.s.wrap(err)
	}
	defer res.Close()
	written := make([]bool, len(posts))
	for res.Next() {
		var ord, at int64
		if err := res.Scan(&ord, &at); err != nil {
			return nil, t.s.wrap(err)
		}
		m := posts[ord-1].Message
		m.Ts, m.UpdatedAt = model.Time(at), model.Time(at)
		written[ord-1] = true
	}
	return written, t.s.wrap(res.Err())
}

// forgetRefused forgets the hints that let a refused post through: its
// sender's membership, and its room unless another post of the room was
// written (then the room still matched, and the membership or the
// session was what failed). A room refused before the statement, for
// want of a kept version, tried no hint.
func (t messages) forgetRefused(posts []store.NewPost, errs []error, byRoom map[string]*batchRoom) {
	if t.s.rooms == nil {
		return
	}
	for i, p := range posts {
		rid := p.Message.RID
		if !errors.Is(errs[i], store.ErrChanged) || byRoom[rid].refused {
			continue
		}
		if !byRoom[rid].written {
			t.s.rooms.forget(rid)
		}
		if p.Member != "" {
			t.s.rooms.forgetMember(rid, p.Member)
		}
	}
}

// subscriptionsUpdate flags the other members' subscriptions for the
// posts of postBatch that notify, in the rooms whose row matched. Without
// counts (no post adds to unread or group mentions, a channel's plain
// messages by default) only the subscriptions not flagged yet are
// written, which the subscriptions_unflagged index finds however large
// the room; with counts each other member gets the sum of the posts that
// are not their own. Taking the rooms from r also makes a room's
// subscriptions wait for the lock on its row, so that subscriptions are
// locked in the order of their rooms too.
func subscriptionsUpdate(counts bool) string {
	if !counts {
		return `UPDATE subscriptions SET alert = TRUE, open = TRUE, updated_at = $2
			WHERE rid IN (SELECT id FROM r) AND (alert = FALSE OR open = FALSE)
			AND EXISTS (SELECT 1 FROM ok WHERE ok.rid = subscriptions.rid AND ok.notify AND ok.u_id <> subscriptions.user_id)`
	}
	return `UPDATE subscriptions su SET alert = TRUE, open = TRUE, updated_at = $2,
			unread = su.unread + x.unread, group_mentions = su.group_mentions + x.grp
		FROM (SELECT s2.id, CAST(sum(ok.unread) AS BIGINT) AS unread, count(*) FILTER (WHERE ok.grp) AS grp, bool_or(ok.unread > 0 OR ok.grp) AS moves
			FROM subscriptions s2 JOIN ok ON ok.rid = s2.rid AND ok.notify AND ok.u_id <> s2.user_id WHERE s2.rid IN (SELECT id FROM r) GROUP BY s2.id) x
		WHERE su.id = x.id AND (x.moves OR su.alert = FALSE OR su.open = FALSE)`
}
