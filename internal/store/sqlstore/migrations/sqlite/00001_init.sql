-- +goose Up
CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    username_lower TEXT NOT NULL UNIQUE,
    email_lower    TEXT UNIQUE,
    name           TEXT NOT NULL DEFAULT '',
    roles          TEXT NOT NULL DEFAULT '',
    active         INTEGER NOT NULL DEFAULT 1,
    password_hash  TEXT NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    doc            TEXT NOT NULL
);

CREATE TABLE tokens (
    hashed_token TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    name         TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    doc          TEXT NOT NULL
);
CREATE INDEX tokens_user ON tokens (user_id, kind);

CREATE TABLE rooms (
    id           TEXT PRIMARY KEY,
    t            TEXT NOT NULL,
    name_lower   TEXT,
    is_default   INTEGER NOT NULL DEFAULT 0,
    prid         TEXT,
    msgs         INTEGER NOT NULL DEFAULT 0,
    users_count  INTEGER NOT NULL DEFAULT 0,
    lm           INTEGER,
    last_message TEXT,
    ts           INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    doc          TEXT NOT NULL
);
CREATE UNIQUE INDEX rooms_name ON rooms (name_lower) WHERE name_lower IS NOT NULL;
CREATE INDEX rooms_t ON rooms (t);
CREATE INDEX rooms_prid ON rooms (prid) WHERE prid IS NOT NULL;

CREATE TABLE subscriptions (
    id             TEXT PRIMARY KEY,
    rid            TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    t              TEXT NOT NULL,
    open           INTEGER NOT NULL DEFAULT 1,
    alert          INTEGER NOT NULL DEFAULT 0,
    unread         INTEGER NOT NULL DEFAULT 0,
    user_mentions  INTEGER NOT NULL DEFAULT 0,
    group_mentions INTEGER NOT NULL DEFAULT 0,
    ls             INTEGER,
    updated_at     INTEGER NOT NULL,
    doc            TEXT NOT NULL,
    UNIQUE (rid, user_id)
);
CREATE INDEX subscriptions_user ON subscriptions (user_id, updated_at);

CREATE TABLE settings (
    id         TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE permissions (
    id         TEXT PRIMARY KEY,
    roles      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO meta (key, value) VALUES ('config_version', 1);

-- +goose Down
DROP TABLE meta;
DROP TABLE permissions;
DROP TABLE settings;
DROP TABLE subscriptions;
DROP TABLE rooms;
DROP TABLE tokens;
DROP TABLE users;
