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
-- costs the same in a room of a million messages as in an empty one. It
-- lives on the room row, which every writer of a room's messages locks
-- anyway, so that no second lock can be taken in another order.
ALTER TABLE rooms ADD COLUMN visible_msgs INTEGER NOT NULL DEFAULT 0;
UPDATE rooms SET visible_msgs = (SELECT COUNT(*) FROM messages m WHERE m.rid = rooms.id AND m.hidden = 0);
-- +goose StatementBegin
CREATE TRIGGER messages_visible_insert AFTER INSERT ON messages WHEN new.hidden = 0 BEGIN
    UPDATE rooms SET visible_msgs = visible_msgs + 1 WHERE id = new.rid;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER messages_visible_delete AFTER DELETE ON messages WHEN old.hidden = 0 BEGIN
    UPDATE rooms SET visible_msgs = visible_msgs - 1 WHERE id = old.rid;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER messages_visible_update AFTER UPDATE OF hidden, rid ON messages
    WHEN old.hidden <> new.hidden OR old.rid <> new.rid BEGIN
    UPDATE rooms SET visible_msgs = visible_msgs - 1 WHERE id = old.rid AND old.hidden = 0;
    UPDATE rooms SET visible_msgs = visible_msgs + 1 WHERE id = new.rid AND new.hidden = 0;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER messages_visible_update;
DROP TRIGGER messages_visible_delete;
DROP TRIGGER messages_visible_insert;
ALTER TABLE rooms DROP COLUMN visible_msgs;
DROP TABLE files;
