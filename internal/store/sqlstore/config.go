package sqlstore

import (
	"context"
	"encoding/json"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

type settingsTable struct{ s *Store }

func (t settingsTable) All(ctx context.Context) ([]store.Setting, error) {
	rows, err := t.s.r.QueryContext(ctx, `SELECT id, value FROM settings`)
	if err != nil {
		return nil, t.s.wrap(err)
	}
	defer rows.Close()
	var out []store.Setting
	for rows.Next() {
		var st store.Setting
		if err := rows.Scan(&st.ID, &st.Value); err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, t.s.wrap(rows.Err())
}

func (t settingsTable) Set(ctx context.Context, id string, value []byte) error {
	_, err := t.s.exec(ctx, `INSERT INTO settings (id, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		id, string(value), int64(model.Now()))
	return err
}

type permissions struct{ s *Store }

func (t permissions) All(ctx context.Context) ([]store.Permission, error) {
	rows, err := t.s.r.QueryContext(ctx, `SELECT id, roles, updated_at FROM permissions ORDER BY id`)
	if err != nil {
		return nil, t.s.wrap(err)
	}
	defer rows.Close()
	var out []store.Permission
	for rows.Next() {
		var (
			p     store.Permission
			roles []byte
			at    int64
		)
		if err := rows.Scan(&p.ID, &roles, &at); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(roles, &p.Roles); err != nil {
			return nil, err
		}
		p.UpdatedAt = model.Time(at)
		out = append(out, p)
	}
	return out, t.s.wrap(rows.Err())
}

func (t permissions) Seed(ctx context.Context, defaults []store.Permission) error {
	now := int64(model.Now())
	for _, p := range defaults {
		roles, err := json.Marshal(nonNil(p.Roles))
		if err != nil {
			return err
		}
		if _, err := t.s.exec(ctx, `INSERT INTO permissions (id, roles, updated_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`,
			p.ID, string(roles), now); err != nil {
			return err
		}
	}
	return nil
}

func (t permissions) Set(ctx context.Context, id string, roles []string) error {
	b, err := json.Marshal(nonNil(roles))
	if err != nil {
		return err
	}
	return t.s.execOne(ctx, `UPDATE permissions SET roles = $2, updated_at = $3 WHERE id = $1`, id, string(b), int64(model.Now()))
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
