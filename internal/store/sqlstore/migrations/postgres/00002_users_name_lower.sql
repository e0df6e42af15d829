-- +goose Up
-- The lower-case display name, computed in Go (strings.ToLower) like
-- username_lower, so that user search is case-insensitive beyond ASCII and
-- identical on SQLite and PostgreSQL (ILIKE's folding depends on the
-- server's LC_CTYPE).
ALTER TABLE users ADD COLUMN name_lower TEXT NOT NULL DEFAULT '';
UPDATE users SET name_lower = lower(name);

-- +goose Down
ALTER TABLE users DROP COLUMN name_lower;
