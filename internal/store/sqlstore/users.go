package sqlstore

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

type users struct{ s *Store }

const userCols = `id, password_hash, doc`

// rolesColumn stores roles as ",a,b," so that a role test is a portable LIKE.
func rolesColumn(roles []string) string {
	if len(roles) == 0 {
		return ""
	}
	return "," + strings.Join(roles, ",") + ","
}

func nullableLower(s string) any {
	if s == "" {
		return nil
	}
	return strings.ToLower(s)
}

func (t users) Create(ctx context.Context, u *model.User) error {
	doc, err := json.Marshal(u)
	if err != nil {
		return err
	}
	_, err = t.s.exec(ctx, `INSERT INTO users (id, username_lower, email_lower, name, roles, active, password_hash, created_at, updated_at, doc, name_lower)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		u.ID, strings.ToLower(u.Username), nullableLower(u.PrimaryEmail()), u.Name, rolesColumn(u.Roles), u.Active,
		u.PasswordHash, int64(u.CreatedAt), int64(u.UpdatedAt), string(doc), strings.ToLower(u.Name))
	return err
}

func (t users) Update(ctx context.Context, u *model.User) error {
	doc, err := json.Marshal(u)
	if err != nil {
		return err
	}
	return t.s.execOne(ctx, `UPDATE users SET username_lower = $2, email_lower = $3, name = $4, roles = $5, active = $6,
		password_hash = $7, updated_at = $8, doc = $9, name_lower = $10 WHERE id = $1`,
		u.ID, strings.ToLower(u.Username), nullableLower(u.PrimaryEmail()), u.Name, rolesColumn(u.Roles), u.Active,
		u.PasswordHash, int64(u.UpdatedAt), string(doc), strings.ToLower(u.Name))
}

func (t users) Delete(ctx context.Context, id string) error {
	return t.s.execOne(ctx, `DELETE FROM users WHERE id = $1`, id)
}

func scanUser(row rowScanner) (*model.User, error) {
	var (
		id, hash string
		doc      []byte
	)
	if err := row.Scan(&id, &hash, &doc); err != nil {
		return nil, err
	}
	u := new(model.User)
	if err := json.Unmarshal(doc, u); err != nil {
		return nil, err
	}
	u.ID, u.PasswordHash = id, hash
	return u, nil
}

func (t users) one(ctx context.Context, where string, arg any) (*model.User, error) {
	u, err := scanUser(t.s.r.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE `+where, arg))
	return u, t.s.wrap(err)
}

func (t users) Get(ctx context.Context, id string) (*model.User, error) {
	return t.one(ctx, `id = $1`, id)
}

func (t users) GetByUsername(ctx context.Context, username string) (*model.User, error) {
	return t.one(ctx, `username_lower = $1`, strings.ToLower(username))
}

func (t users) GetByEmail(ctx context.Context, email string) (*model.User, error) {
	return t.one(ctx, `email_lower = $1`, strings.ToLower(email))
}

func (t users) many(ctx context.Context, q string, args ...any) ([]*model.User, error) {
	return queryAll(ctx, t.s, scanUser, q, args...)
}

func (t users) GetMany(ctx context.Context, ids []string) ([]*model.User, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return t.many(ctx, `SELECT `+userCols+` FROM users WHERE id IN (`+placeholders(1, len(ids))+`)`, args...)
}

func (t users) GetManyByUsername(ctx context.Context, usernames []string) ([]*model.User, error) {
	if len(usernames) == 0 {
		return nil, nil
	}
	args := make([]any, len(usernames))
	for i, n := range usernames {
		args[i] = strings.ToLower(n)
	}
	return t.many(ctx, `SELECT `+userCols+` FROM users WHERE username_lower IN (`+placeholders(1, len(usernames))+`)`, args...)
}

var userSort = map[string]string{"username": "username_lower", "name": "name", "createdAt": "created_at", "_updatedAt": "updated_at"}

func (t users) List(ctx context.Context, filter string, opts store.ListOptions) ([]*model.User, int, error) {
	where, args := "", []any{}
	if filter != "" {
		// Both columns are lower-cased in Go, as the pattern is, so plain
		// LIKE is case-insensitive for all of Unicode on both databases.
		where = ` WHERE username_lower LIKE $1` + likeEscape + ` OR name_lower LIKE $1` + likeEscape
		args = append(args, "%"+escapeLike(strings.ToLower(filter))+"%")
	}
	var total int
	if err := t.s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`+where, args...).Scan(&total); err != nil {
		return nil, 0, t.s.wrap(err)
	}
	list, err := t.many(ctx, `SELECT `+userCols+` FROM users`+where+orderClause(opts, userSort, "username_lower")+t.s.d.limitClause(opts), args...)
	return list, total, err
}

func (t users) Count(ctx context.Context) (int, error) {
	var n int
	err := t.s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, t.s.wrap(err)
}

func (t users) CountWithRole(ctx context.Context, role string) (int, error) {
	var n int
	err := t.s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE roles LIKE $1`+likeEscape, "%,"+escapeLike(role)+",%").Scan(&n)
	return n, t.s.wrap(err)
}

// escapeLike makes user input match literally in a LIKE pattern that ends
// with likeEscape.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

// likeEscape declares backslash as the escape character; both databases
// accept the same clause.
const likeEscape = ` ESCAPE '\'`
