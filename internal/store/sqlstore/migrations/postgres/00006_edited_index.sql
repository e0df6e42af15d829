-- +goose Up
-- A new message has updated_at = ts, so the (rid, ts) index already finds
-- it by its update time. Only messages changed since they were saved need
-- an index of their own: every post no longer writes a second index entry.
-- Queries on updated_at split into the two halves (see messages.go).
DROP INDEX messages_rid_updated;
CREATE INDEX messages_rid_edited ON messages (rid, updated_at) WHERE updated_at <> ts;

-- +goose Down
DROP INDEX messages_rid_edited;
CREATE INDEX messages_rid_updated ON messages (rid, updated_at);
