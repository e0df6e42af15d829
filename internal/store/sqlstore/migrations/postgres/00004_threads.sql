-- +goose Up
-- One row per (message, user): a room of 1,000 members reading 10,000
-- messages holds 10 million rows; the primary key is the only order the
-- table is read in.
CREATE TABLE message_receipts (
    mid     TEXT NOT NULL,
    user_id TEXT NOT NULL,
    rid     TEXT NOT NULL,
    ts      BIGINT NOT NULL,
    PRIMARY KEY (mid, user_id)
);

-- chat.getThreadsList pages a room's threads by last activity.
CREATE INDEX messages_threads ON messages (rid, tlm) WHERE tlm IS NOT NULL;
-- The discussion-created message is found from its discussion's id.
CREATE INDEX messages_drid_only ON messages (drid) WHERE drid IS NOT NULL;
-- Messages still waiting for readers: few, and the only ones receipts
-- and the unread flag touch. The predicate is repeated verbatim in the
-- queries so that the planner can use the index.
CREATE INDEX messages_unread ON messages (rid, ts) WHERE (doc->>'unread') = 'true';

-- +goose Down
DROP INDEX messages_unread;
DROP INDEX messages_drid_only;
DROP INDEX messages_threads;
DROP TABLE message_receipts;
