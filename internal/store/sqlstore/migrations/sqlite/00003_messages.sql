-- +goose Up
-- last_ts hands out message timestamps: each new message in a room gets a
-- ts strictly greater than the previous one, even across nodes.
ALTER TABLE rooms ADD COLUMN last_ts INTEGER NOT NULL DEFAULT 0;

-- Columns hold what queries filter or count on; doc holds the rest of the
-- Rocket.Chat message document. seq is the row id the full-text index uses.
CREATE TABLE messages (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    rid        TEXT NOT NULL,
    ts         INTEGER NOT NULL,
    t          TEXT NOT NULL DEFAULT '',
    u_id       TEXT NOT NULL,
    msg        TEXT NOT NULL DEFAULT '',
    tmid       TEXT,
    tshow      INTEGER NOT NULL DEFAULT 0,
    hidden     INTEGER NOT NULL DEFAULT 0,
    pinned     INTEGER NOT NULL DEFAULT 0,
    drid       TEXT,
    tcount     INTEGER NOT NULL DEFAULT 0,
    tlm        INTEGER,
    dcount     INTEGER NOT NULL DEFAULT 0,
    dlm        INTEGER,
    updated_at INTEGER NOT NULL,
    doc        TEXT NOT NULL
);
CREATE INDEX messages_rid_ts ON messages (rid, ts);
CREATE INDEX messages_rid_updated ON messages (rid, updated_at);
CREATE INDEX messages_tmid ON messages (tmid, ts) WHERE tmid IS NOT NULL;
CREATE INDEX messages_drid ON messages (rid, ts) WHERE drid IS NOT NULL;
CREATE INDEX messages_pinned ON messages (rid, ts) WHERE pinned = 1;

-- The full-text index keeps its own copy of each text under the message's
-- seq. New messages are added when their batch commits (see batch.go):
-- adding them statement by statement would make FTS5 write a segment at
-- every savepoint. Edits and deletions, which are rare, go through triggers.
CREATE VIRTUAL TABLE messages_fts USING fts5(msg);
-- +goose StatementBegin
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    DELETE FROM messages_fts WHERE rowid = old.seq;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER messages_fts_update AFTER UPDATE OF msg ON messages WHEN old.msg <> new.msg BEGIN
    DELETE FROM messages_fts WHERE rowid = old.seq;
    INSERT INTO messages_fts (rowid, msg) VALUES (new.seq, new.msg);
END;
-- +goose StatementEnd

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

-- Hard-deleted messages, for chat.getDeletedMessages and sync.
CREATE TABLE messages_trash (
    id         TEXT PRIMARY KEY,
    rid        TEXT NOT NULL,
    tmid       TEXT,
    tcount     INTEGER NOT NULL DEFAULT 0,
    ts         INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER NOT NULL,
    doc        TEXT NOT NULL
);
CREATE INDEX messages_trash_rid ON messages_trash (rid, deleted_at);

CREATE TABLE moderation_reports (
    id          TEXT PRIMARY KEY,
    mid         TEXT NOT NULL,
    rid         TEXT NOT NULL,
    reporter_id TEXT NOT NULL,
    ts          INTEGER NOT NULL,
    doc         TEXT NOT NULL
);
CREATE INDEX moderation_reports_mid ON moderation_reports (mid);

-- +goose Down
DROP TABLE moderation_reports;
DROP TABLE messages_trash;
DROP TABLE message_mentions;
DROP TABLE message_stars;
DROP INDEX subscriptions_unflagged;
DROP TRIGGER messages_fts_update;
DROP TRIGGER messages_fts_delete;
DROP TABLE messages_fts;
DROP TABLE messages;
ALTER TABLE rooms DROP COLUMN last_ts;
