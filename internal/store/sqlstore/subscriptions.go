package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

type subscriptions struct{ s *Store }

const subCols = `id, open, alert, unread, user_mentions, group_mentions, ls, updated_at, doc`

// subDoc leaves out the fields kept in columns, which concurrent writers
// update atomically.
func subDoc(s *model.Subscription) (string, error) {
	c := *s
	c.Open, c.Alert, c.Unread, c.UserMentions, c.GroupMentions, c.Ls = false, false, 0, 0, 0, nil
	b, err := json.Marshal(&c)
	return string(b), err
}

func (t subscriptions) Create(ctx context.Context, s *model.Subscription) error {
	doc, err := subDoc(s)
	if err != nil {
		return err
	}
	_, err = t.s.exec(ctx, `INSERT INTO subscriptions (id, rid, user_id, t, open, alert, unread, user_mentions, group_mentions, ls, updated_at, doc)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		s.ID, s.RID, s.U.ID, s.T, s.Open, s.Alert, s.Unread, s.UserMentions, s.GroupMentions, nullTime(s.Ls), int64(s.UpdatedAt), doc)
	return err
}

// Update writes every field, counters included: callers read, change and
// write a subscription inside one transaction.
func (t subscriptions) Update(ctx context.Context, s *model.Subscription) error {
	doc, err := subDoc(s)
	if err != nil {
		return err
	}
	return t.s.execOne(ctx, `UPDATE subscriptions SET open = $3, alert = $4, unread = $5, user_mentions = $6, group_mentions = $7, ls = $8,
		updated_at = $9, doc = $10 WHERE rid = $1 AND user_id = $2`,
		s.RID, s.U.ID, s.Open, s.Alert, s.Unread, s.UserMentions, s.GroupMentions, nullTime(s.Ls), int64(s.UpdatedAt), doc)
}

func (t subscriptions) Delete(ctx context.Context, rid, userID string) error {
	return t.s.changeCached(cacheChanges{members: true}, func() error {
		return t.s.execOne(ctx, `DELETE FROM subscriptions WHERE rid = $1 AND user_id = $2`, rid, userID)
	})
}

func (t subscriptions) DeleteByRoom(ctx context.Context, rid string) error {
	return t.s.changeCached(cacheChanges{members: true}, func() error {
		_, err := t.s.exec(ctx, `DELETE FROM subscriptions WHERE rid = $1`, rid)
		return err
	})
}

func (t subscriptions) DeleteByUser(ctx context.Context, userID string) error {
	return t.s.changeCached(cacheChanges{members: true}, func() error {
		_, err := t.s.exec(ctx, `DELETE FROM subscriptions WHERE user_id = $1`, userID)
		return err
	})
}

func scanSub(row rowScanner) (*model.Subscription, error) {
	var (
		id                      string
		open, alert             bool
		unread, um, gm, updated int64
		ls                      sql.NullInt64
		doc                     []byte
	)
	if err := row.Scan(&id, &open, &alert, &unread, &um, &gm, &ls, &updated, &doc); err != nil {
		return nil, err
	}
	s := new(model.Subscription)
	if err := json.Unmarshal(doc, s); err != nil {
		return nil, err
	}
	s.ID, s.Open, s.Alert, s.Unread, s.UserMentions, s.GroupMentions = id, open, alert, unread, um, gm
	s.UpdatedAt = model.Time(updated)
	if ls.Valid {
		v := model.Time(ls.Int64)
		s.Ls = &v
	}
	return s, nil
}

func (t subscriptions) many(ctx context.Context, q string, args ...any) ([]*model.Subscription, error) {
	return queryAll(ctx, t.s, scanSub, q, args...)
}

func (t subscriptions) Exists(ctx context.Context, rid, userID string) (bool, error) {
	if t.s.exactCache() == nil || t.s.inTx {
		return t.exists(ctx, rid, userID)
	}
	return t.MemberHint(ctx, rid, userID)
}

// MemberHint answers a yes from the node's memory of memberships. On
// PostgreSQL another node may have ended the membership since; the
// caller's write checks it again (store.NewPost.Member).
func (t subscriptions) MemberHint(ctx context.Context, rid, userID string) (bool, error) {
	if t.s.rooms == nil || t.s.inTx {
		return t.exists(ctx, rid, userID)
	}
	known, gen := t.s.rooms.isMember(rid, userID)
	if known {
		return true, nil
	}
	ok, err := t.exists(ctx, rid, userID)
	if ok {
		t.s.rooms.putMember(rid, userID, gen)
	}
	return ok, err
}

func (t subscriptions) exists(ctx context.Context, rid, userID string) (bool, error) {
	var one int
	err := t.s.r.QueryRowContext(ctx, `SELECT 1 FROM subscriptions WHERE rid = $1 AND user_id = $2`, rid, userID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		if t.s.rooms != nil && t.s.exactCache() == nil {
			// Another node ended the membership this node remembers.
			t.s.rooms.forgetMember(rid, userID)
		}
		return false, nil
	}
	return err == nil, t.s.wrap(err)
}

func (t subscriptions) Get(ctx context.Context, rid, userID string) (*model.Subscription, error) {
	s, err := scanSub(t.s.r.QueryRowContext(ctx, `SELECT `+subCols+` FROM subscriptions WHERE rid = $1 AND user_id = $2`, rid, userID))
	return s, t.s.wrap(err)
}

func (t subscriptions) GetForUpdate(ctx context.Context, rid, userID string) (*model.Subscription, error) {
	s, err := scanSub(t.s.r.QueryRowContext(ctx, `SELECT `+subCols+` FROM subscriptions WHERE rid = $1 AND user_id = $2`+t.s.d.forUpdate, rid, userID))
	return s, t.s.wrap(err)
}

func (t subscriptions) ListByUser(ctx context.Context, userID string, updatedSince model.Time) ([]*model.Subscription, error) {
	return t.many(ctx, `SELECT `+subCols+` FROM subscriptions WHERE user_id = $1 AND updated_at > $2 ORDER BY id`, userID, int64(updatedSince))
}

func (t subscriptions) ListByRoom(ctx context.Context, rid string, opts store.ListOptions) ([]*model.Subscription, int, error) {
	var total int
	if err := t.s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM subscriptions WHERE rid = $1`, rid).Scan(&total); err != nil {
		return nil, 0, t.s.wrap(err)
	}
	list, err := t.many(ctx, `SELECT `+subCols+` FROM subscriptions WHERE rid = $1 ORDER BY id`+t.s.d.limitClause(opts), rid)
	return list, total, err
}

func (t subscriptions) MarkRead(ctx context.Context, rid, userID string, ls model.Time, keepAlert bool) error {
	return t.s.execOne(ctx, `UPDATE subscriptions SET open = TRUE, alert = (alert AND $3), unread = 0, user_mentions = 0, group_mentions = 0,
		ls = $4, updated_at = $4 WHERE rid = $1 AND user_id = $2`, rid, userID, keepAlert, int64(ls))
}

// NotifyMessage raises the counters of the members the message counts for,
// then sets alert and open on the others that lack them, as Rocket.Chat's
// updates do: rows already flagged are left alone, and in a busy room that
// is most of them, found without reading them (subscriptions_unflagged).
func (t subscriptions) NotifyMessage(ctx context.Context, rid string, n store.MessageNotice) error {
	now := int64(n.Now)
	if len(n.Mentioned) > 0 {
		args := []any{rid, n.Sender, now, n.UnreadMentioned}
		for _, id := range n.Mentioned {
			args = append(args, id)
		}
		_, err := t.s.exec(ctx, `UPDATE subscriptions SET alert = TRUE, open = TRUE, updated_at = $3,
			unread = unread + CAST($4 AS BIGINT), user_mentions = user_mentions + 1
			WHERE rid = $1 AND user_id <> $2 AND user_id IN (`+placeholders(5, len(n.Mentioned))+`)`, args...)
		if err != nil {
			return err
		}
	}
	// Everyone else: group mentions, or plain unread counts, or neither.
	others := []any{rid, n.Sender, now}
	notMentioned := ""
	if len(n.Mentioned) > 0 {
		notMentioned = " AND user_id NOT IN (" + placeholders(4, len(n.Mentioned)) + ")"
		for _, id := range n.Mentioned {
			others = append(others, id)
		}
	}
	var set string
	switch {
	case n.Group:
		others = append(others, n.UnreadGroup)
		set = `, unread = unread + CAST($` + strconv.Itoa(len(others)) + ` AS BIGINT), group_mentions = group_mentions + 1`
	case n.UnreadOthers > 0:
		others = append(others, n.UnreadOthers)
		set = `, unread = unread + CAST($` + strconv.Itoa(len(others)) + ` AS BIGINT)`
	}
	q := `UPDATE subscriptions SET alert = TRUE, open = TRUE, updated_at = $3` + set + `
		WHERE rid = $1 AND user_id <> $2` + notMentioned
	if set == "" {
		q += ` AND (alert = FALSE OR open = FALSE)`
	}
	_, err := t.s.exec(ctx, q, others...)
	return err
}
