package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// bans keeps the room_bans table.
type bans struct{ s *Store }

func (b bans) Add(ctx context.Context, ban *model.Ban) error {
	doc, err := json.Marshal(ban)
	if err != nil {
		return err
	}
	_, err = b.s.exec(ctx, `INSERT INTO room_bans (rid, user_id, username, banned_at, doc) VALUES ($1, $2, $3, $4, $5)`,
		ban.RID, ban.User.ID, ban.User.Username, int64(ban.BannedAt), string(doc))
	return err
}

func (b bans) Remove(ctx context.Context, rid, userID string) error {
	return b.s.execOne(ctx, `DELETE FROM room_bans WHERE rid = $1 AND user_id = $2`, rid, userID)
}

func (b bans) Exists(ctx context.Context, rid, userID string) (bool, error) {
	var one int
	err := b.s.r.QueryRowContext(ctx, `SELECT 1 FROM room_bans WHERE rid = $1 AND user_id = $2`, rid, userID).Scan(&one)
	if err == sql.ErrNoRows {
		return false, nil
	}
	return err == nil, b.s.wrap(err)
}

func (b bans) ListByRoom(ctx context.Context, rid string, opts store.ListOptions) ([]*model.Ban, int, error) {
	var total int
	if err := b.s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM room_bans WHERE rid = $1`, rid).Scan(&total); err != nil {
		return nil, 0, b.s.wrap(err)
	}
	list, err := queryAll(ctx, b.s, scanDoc[model.Ban],
		`SELECT doc FROM room_bans WHERE rid = $1 ORDER BY banned_at, user_id`+b.s.d.limitClause(opts), rid)
	return list, total, err
}

func (b bans) DeleteByRoom(ctx context.Context, rid string) error {
	_, err := b.s.exec(ctx, `DELETE FROM room_bans WHERE rid = $1`, rid)
	return err
}

// invites keeps the invites table.
type invites struct{ s *Store }

const inviteColumns = `id, token, rid, user_id, days, max_uses, uses, created_at, expires_at, updated_at`

func scanInvite(row rowScanner) (*model.Invite, error) {
	var (
		inv                 model.Invite
		created, updated    int64
		expires             sql.NullInt64
		days, maxUses, uses int64
	)
	if err := row.Scan(&inv.ID, &inv.Token, &inv.RID, &inv.UserID, &days, &maxUses, &uses, &created, &expires, &updated); err != nil {
		return nil, err
	}
	inv.Days, inv.MaxUses, inv.Uses = int(days), int(maxUses), int(uses)
	inv.CreatedAt, inv.UpdatedAt = model.Time(created), model.Time(updated)
	if expires.Valid {
		t := model.Time(expires.Int64)
		inv.Expires = &t
	}
	return &inv, nil
}

func (i invites) Create(ctx context.Context, inv *model.Invite) error {
	var expires any
	if inv.Expires != nil {
		expires = int64(*inv.Expires)
	}
	_, err := i.s.exec(ctx, `INSERT INTO invites (`+inviteColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		inv.ID, inv.Token, inv.RID, inv.UserID, inv.Days, inv.MaxUses, inv.Uses, int64(inv.CreatedAt), expires, int64(inv.UpdatedAt))
	return err
}

func (i invites) Get(ctx context.Context, id string) (*model.Invite, error) {
	inv, err := scanInvite(i.s.r.QueryRowContext(ctx, `SELECT `+inviteColumns+` FROM invites WHERE id = $1`, id))
	return inv, i.s.wrap(err)
}

func (i invites) GetByToken(ctx context.Context, token string) (*model.Invite, error) {
	inv, err := scanInvite(i.s.r.QueryRowContext(ctx, `SELECT `+inviteColumns+` FROM invites WHERE token = $1`, token))
	return inv, i.s.wrap(err)
}

func (i invites) FindReusable(ctx context.Context, m store.InviteMatch) (*model.Invite, error) {
	inv, err := scanInvite(i.s.r.QueryRowContext(ctx, `SELECT `+inviteColumns+` FROM invites
		WHERE user_id = $1 AND rid = $2 AND days = $3 AND max_uses = $4
		AND (expires_at IS NULL OR expires_at > $5) AND (max_uses = 0 OR uses < max_uses)
		ORDER BY created_at DESC LIMIT 1`, m.UserID, m.RID, m.Days, m.MaxUses, int64(m.Now)))
	return inv, i.s.wrap(err)
}

func (i invites) List(ctx context.Context) ([]*model.Invite, error) {
	return queryAll(ctx, i.s, scanInvite, `SELECT `+inviteColumns+` FROM invites ORDER BY created_at, id`)
}

func (i invites) Delete(ctx context.Context, id string) error {
	return i.s.execOne(ctx, `DELETE FROM invites WHERE id = $1`, id)
}

func (i invites) DeleteByRoom(ctx context.Context, rid string) error {
	_, err := i.s.exec(ctx, `DELETE FROM invites WHERE rid = $1`, rid)
	return err
}

func (i invites) AddUse(ctx context.Context, id string, now model.Time) error {
	return i.s.execOne(ctx, `UPDATE invites SET uses = uses + 1, updated_at = $2
		WHERE id = $1 AND (max_uses = 0 OR uses < max_uses)`, id, int64(now))
}

// roomExports keeps the room_exports table.
type roomExports struct{ s *Store }

const exportColumns = `id, rid, user_id, name, format, size, created_at`

func scanExport(row rowScanner) (*model.RoomExport, error) {
	var (
		e       model.RoomExport
		created int64
	)
	if err := row.Scan(&e.ID, &e.RID, &e.UserID, &e.Name, &e.Format, &e.Size, &created); err != nil {
		return nil, err
	}
	e.CreatedAt = model.Time(created)
	return &e, nil
}

func (x roomExports) Create(ctx context.Context, e *model.RoomExport) error {
	_, err := x.s.exec(ctx, `INSERT INTO room_exports (`+exportColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		e.ID, e.RID, e.UserID, e.Name, e.Format, e.Size, int64(e.CreatedAt))
	return err
}

func (x roomExports) Get(ctx context.Context, id string) (*model.RoomExport, error) {
	e, err := scanExport(x.s.r.QueryRowContext(ctx, `SELECT `+exportColumns+` FROM room_exports WHERE id = $1`, id))
	return e, x.s.wrap(err)
}

func (x roomExports) ListCreatedBefore(ctx context.Context, t model.Time) ([]*model.RoomExport, error) {
	return queryAll(ctx, x.s, scanExport, `SELECT `+exportColumns+` FROM room_exports WHERE created_at < $1 ORDER BY created_at`, int64(t))
}

func (x roomExports) Delete(ctx context.Context, id string) error {
	return x.s.execOne(ctx, `DELETE FROM room_exports WHERE id = $1`, id)
}
