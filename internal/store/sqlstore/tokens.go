package sqlstore

import (
	"context"
	"encoding/json"

	"github.com/parleychat/parley/internal/model"
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
