-- +goose Up
-- last_ts hands out message timestamps: each new message in a room gets a
-- ts strictly greater than the previous one, even across nodes.
ALTER TABLE rooms ADD COLUMN last_ts BIGINT NOT NULL DEFAULT 0;

-- Columns hold what queries filter or count on; doc holds the rest of the
-- Rocket.Chat message document. search is the full-text index's vector.
CREATE TABLE messages (
    id         TEXT PRIMARY KEY,
    rid        TEXT NOT NULL,
    ts         BIGINT NOT NULL,
    t          TEXT NOT NULL DEFAULT '',
    u_id       TEXT NOT NULL,
    msg        TEXT NOT NULL DEFAULT '',
    tmid       TEXT,
    tshow      BOOLEAN NOT NULL DEFAULT FALSE,
    hidden     BOOLEAN NOT NULL DEFAULT FALSE,
    pinned     BOOLEAN NOT NULL DEFAULT FALSE,
    drid       TEXT,
    tcount     BIGINT NOT NULL DEFAULT 0,
    tlm        BIGINT,
    dcount     BIGINT NOT NULL DEFAULT 0,
    dlm        BIGINT,
    updated_at BIGINT NOT NULL,
    doc        JSONB NOT NULL,
    search     tsvector GENERATED ALWAYS AS (to_tsvector('simple', msg)) STORED
);
CREATE INDEX messages_rid_ts ON messages (rid, ts);
CREATE INDEX messages_rid_updated ON messages (rid, updated_at);
CREATE INDEX messages_tmid ON messages (tmid, ts) WHERE tmid IS NOT NULL;
CREATE INDEX messages_drid ON messages (rid, ts) WHERE drid IS NOT NULL;
CREATE INDEX messages_pinned ON messages (rid, ts) WHERE pinned;
CREATE INDEX messages_search ON messages USING GIN (search);

-- Members whose subscription a new message must still flag: a busy room's
-- other members are mostly flagged already, and the update that sets alert
-- and open then finds the few that are not through this index.
CREATE INDEX subscriptions_unflagged ON subscriptions (rid) WHERE alert = FALSE OR open = FALSE;

CREATE TABLE message_stars (
    user_id TEXT NOT NULL,
    mid     TEXT NOT NULL,
    PRIMARY KEY (user_id, mid)
);
CREATE INDEX message_stars_mid ON message_stars (mid);

CREATE TABLE message_mentions (
    username TEXT NOT NULL,
    mid      TEXT NOT NULL,
    PRIMARY KEY (username, mid)
);
CREATE INDEX message_mentions_mid ON message_mentions (mid);

CREATE TABLE messages_trash (
    id         TEXT PRIMARY KEY,
    rid        TEXT NOT NULL,
    tmid       TEXT,
    tcount     BIGINT NOT NULL DEFAULT 0,
    ts         BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT NOT NULL,
    doc        JSONB NOT NULL
);
CREATE INDEX messages_trash_rid ON messages_trash (rid, deleted_at);

CREATE TABLE moderation_reports (
    id          TEXT PRIMARY KEY,
    mid         TEXT NOT NULL,
    rid         TEXT NOT NULL,
    reporter_id TEXT NOT NULL,
    ts          BIGINT NOT NULL,
    doc         JSONB NOT NULL
);
CREATE INDEX moderation_reports_mid ON moderation_reports (mid);

-- +goose Down
DROP TABLE moderation_reports;
DROP TABLE messages_trash;
DROP TABLE message_mentions;
DROP TABLE message_stars;
DROP INDEX subscriptions_unflagged;
DROP TABLE messages;
ALTER TABLE rooms DROP COLUMN last_ts;
