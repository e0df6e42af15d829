package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

type rooms struct{ s *Store }

const roomCols = `id, msgs, users_count, lm, last_message, updated_at, doc`

// roomDoc is the JSON document of r without the counter columns, which are
// the truth and are merged back in on read.
func roomDoc(r *model.Room) (string, error) {
	c := *r
	c.Msgs, c.UsersCount, c.LM, c.LastMessage = 0, 0, nil, nil
	b, err := json.Marshal(storedRoom{Room: &c, JoinCode: c.JoinCode})
	return string(b), err
}

// storedRoom is a room as its document holds it: the model's fields plus
// the join code, which the model keeps out of every answer.
type storedRoom struct {
	*model.Room
	JoinCode string `json:"joinCode,omitempty"`
}

func roomName(r *model.Room) any {
	if r.T == model.RoomDirect || r.Name == "" {
		return nil
	}
	return strings.ToLower(r.Name)
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (t rooms) Create(ctx context.Context, r *model.Room) error {
	doc, err := roomDoc(r)
	if err != nil {
		return err
	}
	var lm any
	if r.LM != nil {
		lm = int64(*r.LM)
	}
	var last any
	if len(r.LastMessage) > 0 {
		last = string(r.LastMessage)
	}
	_, err = t.s.exec(ctx, `INSERT INTO rooms (id, t, name_lower, is_default, prid, msgs, users_count, lm, last_message, ts, updated_at, doc)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		r.ID, r.T, roomName(r), r.Default, nullString(r.Prid), r.Msgs, r.UsersCount, lm, last, int64(r.Ts), int64(r.UpdatedAt), doc)
	return err
}

func (t rooms) Update(ctx context.Context, r *model.Room) error {
	doc, err := roomDoc(r)
	if err != nil {
		return err
	}
	return t.s.changeCached(cacheChanges{rooms: []string{r.ID}}, func() error {
		return t.s.execOne(ctx, `UPDATE rooms SET t = $2, name_lower = $3, is_default = $4, prid = $5, updated_at = $6, doc = $7 WHERE id = $1`,
			r.ID, r.T, roomName(r), r.Default, nullString(r.Prid), int64(r.UpdatedAt), doc)
	})
}

func (t rooms) Delete(ctx context.Context, id string) error {
	return t.s.changeCached(cacheChanges{rooms: []string{id}}, func() error {
		return t.s.execOne(ctx, `DELETE FROM rooms WHERE id = $1`, id)
	})
}

func scanRoom(row rowScanner) (*model.Room, error) { return scanRoomWith(row) }

// scanRoomWith scans a roomCols row followed by extra columns.
func scanRoomWith(row rowScanner, extra ...any) (*model.Room, error) {
	var (
		id                string
		msgs, uc, updated int64
		lm                sql.NullInt64
		last, doc         []byte
	)
	if err := row.Scan(append([]any{&id, &msgs, &uc, &lm, &last, &updated, &doc}, extra...)...); err != nil {
		return nil, err
	}
	r := new(model.Room)
	stored := storedRoom{Room: r}
	if err := json.Unmarshal(doc, &stored); err != nil {
		return nil, err
	}
	r.JoinCode = stored.JoinCode
	// updated_at is the truth too: counter updates move it (and sorting by
	// _updatedAt uses it), but they do not rewrite doc.
	r.ID, r.Msgs, r.UsersCount, r.UpdatedAt = id, msgs, uc, model.Time(updated)
	if lm.Valid {
		v := model.Time(lm.Int64)
		r.LM = &v
	}
	if len(last) > 0 {
		r.LastMessage = json.RawMessage(last)
	}
	return r, nil
}

func (t rooms) many(ctx context.Context, q string, args ...any) ([]*model.Room, error) {
	return queryAll(ctx, t.s, scanRoom, q, args...)
}

func (t rooms) Get(ctx context.Context, id string) (*model.Room, error) {
	r, err := scanRoom(t.s.r.QueryRowContext(ctx, `SELECT `+roomCols+` FROM rooms WHERE id = $1`, id))
	return r, t.s.wrap(err)
}

func (t rooms) GetCached(ctx context.Context, id string) (*model.Room, error) {
	if t.s.exactCache() == nil || t.s.inTx {
		return t.Get(ctx, id)
	}
	r, gen := t.s.rooms.get(id)
	if r != nil {
		return r, nil
	}
	r, err := t.Get(ctx, id)
	if err == nil {
		t.s.rooms.put(r, gen)
	}
	return r, err
}

func (t rooms) GetHint(ctx context.Context, id string) (*model.Room, error) {
	if t.s.exactCache() != nil || t.s.rooms == nil || t.s.inTx {
		return t.GetCached(ctx, id)
	}
	r, gen := t.s.rooms.get(id)
	if r != nil {
		return r, nil
	}
	var p roomPrint
	r, err := scanRoomWith(t.s.r.QueryRowContext(ctx, `SELECT `+roomCols+`, md5(doc::text) FROM rooms WHERE id = $1`, id), &p.doc)
	if err != nil {
		return nil, t.s.wrap(err)
	}
	p.users = r.UsersCount
	t.s.rooms.putPrint(r, p, gen)
	return r, nil
}

// printCond is the condition "room $n is still the version GetHint
// kept", with its arguments, or false when none is kept.
func (t rooms) printCond(id string, next int) (string, []any, bool) {
	if t.s.rooms == nil {
		return "", nil, false
	}
	p, ok := t.s.rooms.print(id)
	if !ok {
		return "", nil, false
	}
	return `md5(doc::text) = $` + strconv.Itoa(next) + ` AND users_count = $` + strconv.Itoa(next+1), []any{p.doc, p.users}, true
}

func (t rooms) Unchanged(ctx context.Context, id string) error {
	if t.s.exactCache() != nil {
		return nil
	}
	cond, args, ok := t.printCond(id, 2)
	if !ok {
		return store.ErrChanged
	}
	var one int
	// FOR UPDATE, not FOR SHARE: the posts that call this move the room's
	// clock next, and two holders of a shared lock that both upgrade it
	// deadlock.
	err := t.s.w.QueryRowContext(ctx, `SELECT 1 FROM rooms WHERE id = $1 AND `+cond+t.s.d.forUpdate, append([]any{id}, args...)...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		t.s.rooms.forget(id)
		return store.ErrChanged
	}
	return t.s.wrap(err)
}

func (t rooms) GetHead(ctx context.Context, id string) (*model.Room, error) {
	if t.s.exactCache() != nil && !t.s.inTx {
		r, err := t.GetCached(ctx, id)
		if err != nil {
			return nil, err
		}
		return &model.Room{ID: r.ID, T: r.T, Prid: r.Prid}, nil
	}
	r := new(model.Room)
	var prid sql.NullString
	err := t.s.r.QueryRowContext(ctx, `SELECT id, t, prid FROM rooms WHERE id = $1`, id).Scan(&r.ID, &r.T, &prid)
	if err != nil {
		return nil, t.s.wrap(err)
	}
	r.Prid = prid.String
	return r, nil
}

func (t rooms) GetByName(ctx context.Context, name string) (*model.Room, error) {
	r, err := scanRoom(t.s.r.QueryRowContext(ctx, `SELECT `+roomCols+` FROM rooms WHERE name_lower = $1`, strings.ToLower(name)))
	return r, t.s.wrap(err)
}

// Rooms without a name (direct ones) sort first, as in MongoDB: COALESCE
// makes PostgreSQL, which puts NULLs last, agree with SQLite.
var roomSort = map[string]string{"name": "COALESCE(name_lower, '')", "ts": "ts", "_updatedAt": "updated_at", "msgs": "msgs", "usersCount": "users_count"}

func (t rooms) List(ctx context.Context, f store.RoomFilter, opts store.ListOptions) ([]*model.Room, int, error) {
	var (
		conds []string
		args  []any
	)
	if len(f.Types) > 0 {
		conds = append(conds, `t IN (`+placeholders(len(args)+1, len(f.Types))+`)`)
		for _, ty := range f.Types {
			args = append(args, ty)
		}
	}
	if f.Name != "" {
		conds = append(conds, `name_lower `+t.s.d.ilike+` $`+strconv.Itoa(len(args)+1)+likeEscape)
		args = append(args, "%"+escapeLike(strings.ToLower(f.Name))+"%")
	}
	if f.IDs != nil {
		if len(f.IDs) == 0 {
			return nil, 0, nil
		}
		conds = append(conds, `id IN (`+placeholders(len(args)+1, len(f.IDs))+`)`)
		for _, id := range f.IDs {
			args = append(args, id)
		}
	}
	if f.Prid != "" {
		conds = append(conds, `prid = $`+strconv.Itoa(len(args)+1))
		args = append(args, f.Prid)
	}
	if f.TeamRoomsAmong != nil {
		cond := t.s.d.jsonText("doc", "teamId") + ` IS NULL`
		if len(f.TeamRoomsAmong) > 0 {
			cond = `(` + cond + ` OR id IN (` + placeholders(len(args)+1, len(f.TeamRoomsAmong)) + `))`
			for _, id := range f.TeamRoomsAmong {
				args = append(args, id)
			}
		}
		conds = append(conds, cond)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	var total int
	if err := t.s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM rooms`+where, args...).Scan(&total); err != nil {
		return nil, 0, t.s.wrap(err)
	}
	list, err := t.many(ctx, `SELECT `+roomCols+` FROM rooms`+where+orderClause(opts, roomSort, "ts, id")+t.s.d.limitClause(opts), args...)
	return list, total, err
}

func (t rooms) ListDefault(ctx context.Context) ([]*model.Room, error) {
	return t.many(ctx, `SELECT `+roomCols+` FROM rooms WHERE is_default = TRUE ORDER BY ts`)
}

func (t rooms) AddUsersCount(ctx context.Context, id string, delta int) error {
	return t.s.changeCached(cacheChanges{rooms: []string{id}}, func() error {
		return t.s.execOne(ctx, `UPDATE rooms SET users_count = users_count + $2, updated_at = $3 WHERE id = $1`, id, delta, int64(model.Now()))
	})
}
