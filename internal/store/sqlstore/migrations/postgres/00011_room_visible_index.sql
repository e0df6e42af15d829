-- +goose Up
-- A room's history (channels.history, loadHistory) lists the messages the
-- room shows: not hidden, and not thread replies unless also sent to the
-- room. Through (rid, ts) it reads and skips every reply newer than the
-- page, so a busy thread made each history read slower in proportion to
-- its replies. This index holds only the shown messages, and the predicate
-- is the history query's own conditions, verbatim, so that the planner can
-- use it.
CREATE INDEX messages_room_visible ON messages (rid, ts) WHERE hidden = FALSE AND (tmid IS NULL OR tshow = TRUE);

-- +goose Down
DROP INDEX messages_room_visible;
