-- +goose Up
-- A room's team lives in its document (teamId, teamMain); this index finds
-- a team's rooms without reading every document.
CREATE INDEX rooms_team ON rooms (json_extract(doc, '$.teamId'));

-- +goose Down
DROP INDEX rooms_team;
