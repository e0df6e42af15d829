-- +goose Up
-- Password logins, kept for a few minutes so that repeated failures block a
-- username or a client address (Block_Multiple_Failed_Logins_*) on every
-- node alike.
CREATE TABLE login_attempts (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       INTEGER NOT NULL,
    ip       TEXT NOT NULL,
    username TEXT NOT NULL,
    ok       INTEGER NOT NULL
);
CREATE INDEX login_attempts_ip ON login_attempts (ip, at);
CREATE INDEX login_attempts_username ON login_attempts (username, at);
CREATE INDEX login_attempts_at ON login_attempts (at);

-- +goose Down
DROP TABLE login_attempts;
