-- +goose Up
-- The GridFS file storage: file contents kept in the database, so that
-- every node on one database serves every file. A stored version of a
-- file (a blob) is written in chunks first and named by its key only once
-- complete; replacing a key's content swaps the blob in one transaction.
CREATE TABLE file_chunks (
    blob TEXT NOT NULL,
    n    INTEGER NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (blob, n)
);
CREATE TABLE file_blobs (
    key        TEXT PRIMARY KEY,
    blob       TEXT NOT NULL,
    size       BIGINT NOT NULL,
    chunk_size INTEGER NOT NULL,
    digest     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
-- Blobs being written: a writer that dies leaves its row here, and the
-- chunks it wrote are swept once the row is old.
CREATE TABLE file_blobs_pending (
    blob       TEXT PRIMARY KEY,
    started_at BIGINT NOT NULL
);
CREATE INDEX file_blobs_pending_started ON file_blobs_pending (started_at);

-- +goose Down
DROP TABLE file_blobs_pending;
DROP TABLE file_blobs;
DROP TABLE file_chunks;
