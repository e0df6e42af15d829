-- +goose Up
-- Upload records. The bytes live in the file storage under the id; doc
-- holds the Rocket.Chat upload document, the columns what listings filter
-- and sort on.
CREATE TABLE files (
    id          TEXT PRIMARY KEY,
    rid         TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    name_lower  TEXT NOT NULL,
    type_group  TEXT NOT NULL,
    size        INTEGER NOT NULL,
    expires_at  INTEGER,
    uploaded_at INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    doc         TEXT NOT NULL
);
CREATE INDEX files_rid_name ON files (rid, name_lower);
CREATE INDEX files_expires ON files (expires_at) WHERE expires_at IS NOT NULL;


-- The number of visible messages per room, kept by triggers, so that the
-- total of an unfiltered message listing (dm.messages, channels.messages)
-- costs the same in a room of a million messages as in an empty one. On
-- SQLite it has a narrow table of its own: rewriting the wide room row for
-- every message cost a tenth of a post. (PostgreSQL keeps it on the room
-- row, which its writers lock anyway.)
CREATE TABLE room_visible (
    rid TEXT PRIMARY KEY,
    n   INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO room_visible (rid, n) SELECT rid, COUNT(*) FROM messages WHERE hidden = 0 GROUP BY rid;
-- +goose StatementBegin
CREATE TRIGGER messages_visible_insert AFTER INSERT ON messages WHEN new.hidden = 0 BEGIN
    INSERT INTO room_visible (rid, n) VALUES (new.rid, 1) ON CONFLICT (rid) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER messages_visible_delete AFTER DELETE ON messages WHEN old.hidden = 0 BEGIN
    UPDATE room_visible SET n = n - 1 WHERE rid = old.rid;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER messages_visible_update AFTER UPDATE OF hidden, rid ON messages
    WHEN old.hidden <> new.hidden OR old.rid <> new.rid BEGIN
    UPDATE room_visible SET n = n - 1 WHERE rid = old.rid AND old.hidden = 0;
    INSERT INTO room_visible (rid, n) SELECT new.rid, 1 WHERE new.hidden = 0
        ON CONFLICT (rid) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER messages_visible_update;
DROP TRIGGER messages_visible_delete;
DROP TRIGGER messages_visible_insert;
DROP TABLE room_visible;
DROP TABLE files;
