-- +goose Up
-- A message's document is kept as json, the text its writer made, instead of
-- jsonb. Every page of history printed 50 jsonb documents back to text and
-- took the columns' keys out of each, which cost more of PostgreSQL's time
-- than finding and reading the rows; json text goes out as it is stored.
-- The documents already stored are rewritten in the shape new ones have:
-- without the keys their columns hold (tcount, tlm, dcount, dlm) and with
-- _updatedAt last, so that reads merge the columns into them without
-- decoding them. This is the expression docFromJSONB builds in Go.
ALTER TABLE messages ALTER COLUMN doc TYPE json USING
    CASE WHEN doc ? '_updatedAt' AND doc - '{_updatedAt,tcount,tlm,dcount,dlm}'::text[] <> '{}'::jsonb
        THEN CAST(left(CAST(doc - '{_updatedAt,tcount,tlm,dcount,dlm}'::text[] AS TEXT), -1)
            || ',"_updatedAt":' || CAST(doc->'_updatedAt' AS TEXT) || '}' AS json)
        ELSE CAST(doc AS json) END;

-- +goose Down
ALTER TABLE messages ALTER COLUMN doc TYPE jsonb USING CAST(doc AS jsonb);
