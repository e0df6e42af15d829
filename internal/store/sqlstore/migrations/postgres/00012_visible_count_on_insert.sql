-- +goose Up
-- A new message's room row is already rewritten by its writer (last_ts,
-- msgs), so the writer moves visible_msgs in that same update. A row
-- trigger on INSERT rewrote the room row a second time for every message,
-- in PL/pgSQL, which was about half of what PostgreSQL spent on a post.
-- Deletions and hidden/rid changes are rarer and stay with the triggers.
DROP TRIGGER messages_visible_insdel ON messages;
CREATE TRIGGER messages_visible_delete AFTER DELETE ON messages
    FOR EACH ROW EXECUTE FUNCTION messages_visible_track();

-- +goose Down
DROP TRIGGER messages_visible_delete ON messages;
CREATE TRIGGER messages_visible_insdel AFTER INSERT OR DELETE ON messages
    FOR EACH ROW EXECUTE FUNCTION messages_visible_track();
