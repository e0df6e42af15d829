-- +goose Up
-- Bans: who may not be a member of a room until unbanned. A ban replaces
-- the member's subscription, so that every membership check keeps reading
-- subscriptions alone.
CREATE TABLE room_bans (
    rid       TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    username  TEXT NOT NULL,
    banned_at BIGINT NOT NULL,
    doc       JSONB NOT NULL,
    PRIMARY KEY (rid, user_id)
);

-- Invite links to a room (findOrCreateInvite and friends).
CREATE TABLE invites (
    id         TEXT PRIMARY KEY,
    token      TEXT NOT NULL UNIQUE,
    rid        TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    days       BIGINT NOT NULL,
    max_uses   BIGINT NOT NULL,
    uses       BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX invites_rid ON invites (rid);
CREATE INDEX invites_user ON invites (user_id, rid);

-- Message archives built by rooms.export; the bytes live in the file
-- storage under the same id.
CREATE TABLE room_exports (
    id         TEXT PRIMARY KEY,
    rid        TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    name       TEXT NOT NULL,
    format     TEXT NOT NULL,
    size       BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX room_exports_created ON room_exports (created_at);

-- +goose Down
DROP TABLE room_exports;
DROP TABLE invites;
DROP TABLE room_bans;
