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
    size        BIGINT NOT NULL,
    expires_at  BIGINT,
    uploaded_at BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    doc         JSONB NOT NULL
);
CREATE INDEX files_rid_name ON files (rid, name_lower);
CREATE INDEX files_expires ON files (expires_at) WHERE expires_at IS NOT NULL;


-- The number of visible messages per room, kept by triggers, so that the
-- total of an unfiltered message listing (dm.messages, channels.messages)
-- costs the same in a room of a million messages as in an empty one. It
-- lives on the room row, which every writer of a room's messages locks
-- anyway (rooms.last_ts), so that no second lock can be taken in another
-- order.
ALTER TABLE rooms ADD COLUMN visible_msgs BIGINT NOT NULL DEFAULT 0;
UPDATE rooms SET visible_msgs = (SELECT COUNT(*) FROM messages m WHERE m.rid = rooms.id AND NOT m.hidden);
-- +goose StatementBegin
CREATE FUNCTION messages_visible_track() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') AND NOT OLD.hidden THEN
        UPDATE rooms SET visible_msgs = visible_msgs - 1 WHERE id = OLD.rid;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NOT NEW.hidden THEN
        UPDATE rooms SET visible_msgs = visible_msgs + 1 WHERE id = NEW.rid;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER messages_visible_insdel AFTER INSERT OR DELETE ON messages
    FOR EACH ROW EXECUTE FUNCTION messages_visible_track();
CREATE TRIGGER messages_visible_update AFTER UPDATE OF hidden, rid ON messages
    FOR EACH ROW WHEN (OLD.hidden IS DISTINCT FROM NEW.hidden OR OLD.rid IS DISTINCT FROM NEW.rid)
    EXECUTE FUNCTION messages_visible_track();

-- +goose Down
DROP TRIGGER messages_visible_update ON messages;
DROP TRIGGER messages_visible_insdel ON messages;
DROP FUNCTION messages_visible_track();
ALTER TABLE rooms DROP COLUMN visible_msgs;
DROP TABLE files;
