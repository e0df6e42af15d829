package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

type tokens struct{ s *Store }

func (t tokens) Create(ctx context.Context, tok *model.Token) error {
	doc, err := json.Marshal(tok)
	if err != nil {
		return err
	}
	_, err = t.s.exec(ctx, `INSERT INTO tokens (hashed_token, user_id, kind, name, created_at, doc) VALUES ($1, $2, $3, $4, $5, $6)`,
		tok.HashedToken, tok.UserID, tok.Type, tok.Name, int64(tok.CreatedAt), string(doc))
	return err
}

func scanToken(row rowScanner) (*model.Token, error) {
	var (
		userID string
		doc    []byte
	)
	if err := row.Scan(&userID, &doc); err != nil {
		return nil, err
	}
	tok := new(model.Token)
	if err := json.Unmarshal(doc, tok); err != nil {
		return nil, err
	}
	tok.UserID = userID
	return tok, nil
}

func (t tokens) Get(ctx context.Context, userID, hashed string) (*model.Token, error) {
	tok, err := scanToken(t.s.r.QueryRowContext(ctx, `SELECT user_id, doc FROM tokens WHERE hashed_token = $1 AND user_id = $2`, hashed, userID))
	return tok, t.s.wrap(err)
}

func (t tokens) Owner(ctx context.Context, hashed string) (string, error) {
	var uid string
	err := t.s.r.QueryRowContext(ctx, `SELECT user_id FROM tokens WHERE hashed_token = $1`, hashed).Scan(&uid)
	return uid, t.s.wrap(err)
}

func (t tokens) Delete(ctx context.Context, userID, hashed string) error {
	return t.s.execOne(ctx, `DELETE FROM tokens WHERE hashed_token = $1 AND user_id = $2`, hashed, userID)
}

func (t tokens) ListByUser(ctx context.Context, userID, kind string) ([]*model.Token, error) {
	return queryAll(ctx, t.s, scanToken, `SELECT user_id, doc FROM tokens WHERE user_id = $1 AND kind = $2 ORDER BY created_at`, userID, kind)
}

func (t tokens) DeleteByName(ctx context.Context, userID, name string) error {
	return t.s.execOne(ctx, `DELETE FROM tokens WHERE user_id = $1 AND kind = $2 AND name = $3`, userID, model.TokenPersonal, name)
}

func (t tokens) DeleteByUser(ctx context.Context, userID string) error {
	_, err := t.s.exec(ctx, `DELETE FROM tokens WHERE user_id = $1`, userID)
	return err
}

func (t tokens) DeleteLoginExcept(ctx context.Context, userID, keep string) error {
	_, err := t.s.exec(ctx, `DELETE FROM tokens WHERE user_id = $1 AND kind = $2 AND hashed_token <> $3`, userID, model.TokenLogin, keep)
	return err
}

func (t tokens) Session(ctx context.Context, userID, hashed string) (store.Session, error) {
	var (
		s       store.Session
		updated int64
	)
	err := t.s.r.QueryRowContext(ctx, `SELECT u.active, u.updated_at FROM tokens t JOIN users u ON u.id = t.user_id
		WHERE t.hashed_token = $1 AND t.user_id = $2`, hashed, userID).Scan(&s.Active, &updated)
	s.UserUpdatedAt = model.Time(updated)
	return s, t.s.wrap(err)
}

// loginAttempts keeps the login_attempts table.
type loginAttempts struct{ s *Store }

func (l loginAttempts) Add(ctx context.Context, a store.LoginAttempt) error {
	_, err := l.s.exec(ctx, `INSERT INTO login_attempts (at, ip, username, ok) VALUES ($1, $2, $3, $4)`,
		int64(a.At), a.IP, a.Username, a.OK)
	return err
}

func (l loginAttempts) Failures(ctx context.Context, by, value string, since model.Time) (int, model.Time, error) {
	var q string
	switch by {
	case store.ByIP:
		q = `SELECT COUNT(*), COALESCE(MAX(at), 0) FROM login_attempts WHERE ip = $1 AND NOT ok AND at > $2
			AND at > COALESCE((SELECT MAX(at) FROM login_attempts WHERE ip = $1 AND ok), 0)`
	case store.ByUsername:
		q = `SELECT COUNT(*), COALESCE(MAX(at), 0) FROM login_attempts WHERE username = $1 AND NOT ok AND at > $2
			AND at > COALESCE((SELECT MAX(at) FROM login_attempts WHERE username = $1 AND ok), 0)`
	default:
		return 0, 0, fmt.Errorf("login attempts by %q", by)
	}
	var n, last int64
	err := l.s.r.QueryRowContext(ctx, q, value, int64(since)).Scan(&n, &last)
	return int(n), model.Time(last), l.s.wrap(err)
}

func (l loginAttempts) Prune(ctx context.Context, before model.Time) error {
	_, err := l.s.exec(ctx, `DELETE FROM login_attempts WHERE at < $1`, int64(before))
	return err
}
