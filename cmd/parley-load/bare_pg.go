package main

// The PostgreSQL ceilings: the same bare insert and 50-row read as the
// SQLite ones, through the driver Parley uses (pgx behind database/sql), on
// a pool as large as Parley's default, against the database Parley runs on
// in the same sitting. They keep their rows in tables of their own, which
// the run creates and drops.

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib" // also the "pgx" driver, as Parley's store registers it
)

// barePGPool is Parley's default PostgreSQL pool (--db-max-conns 0).
const barePGPool = 20

// barePGTables are the ceilings' tables: reads come from a seeded history,
// inserts go to a table of their own, emptied before each run as the
// SQLite insert ceiling starts from a fresh copy.
const (
	barePGReadTable   = "parley_load_bare_history"
	barePGInsertTable = "parley_load_bare_posts"
)

func barePGSchema(table string) string {
	return fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %[1]s(
  id  TEXT PRIMARY KEY,
  rid TEXT NOT NULL,
  ts  BIGINT NOT NULL,
  u   TEXT NOT NULL,
  msg TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS %[1]s_rid_ts ON %[1]s(rid, ts)`, table)
}

func openBarePG(url string, conns int) (*sql.DB, error) { return openPool("pgx", url, conns) }

// seedBarePG makes both tables afresh and fills the history with
// rooms×perRoom messages, round-robin over the rooms as seedBare does.
func seedBarePG(url string, rooms, perRoom int) error {
	db, err := openBarePG(url, 1)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, t := range []string{barePGReadTable, barePGInsertTable} {
		if _, err := db.Exec("DROP TABLE IF EXISTS " + t); err != nil {
			return err
		}
		if _, err := db.Exec(barePGSchema(t)); err != nil {
			return err
		}
	}
	// COPY, because 10^6 rows one INSERT at a time take minutes.
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	ts := time.Now().Add(-24 * time.Hour).UnixMilli()
	total, n := rooms*perRoom, 0
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		_, err := pc.CopyFrom(ctx, pgx.Identifier{barePGReadTable}, []string{"id", "rid", "ts", "u", "msg"},
			pgx.CopyFromFunc(func() ([]any, error) {
				if n >= total {
					return nil, nil
				}
				row := []any{newID(), bareRoomID(n % rooms), ts + int64(n), "bareuser", messageText(n)}
				n++
				return row, nil
			}))
		return err
	})
	conn.Close()
	if err != nil {
		return err
	}
	// As Parley's seeded history: statistics and a visibility map.
	_, err = db.Exec("VACUUM ANALYZE " + barePGReadTable)
	return err
}

// emptyBarePGPosts starts an insert run from an empty table.
func emptyBarePGPosts(url string) error {
	db, err := openBarePG(url, 1)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec("TRUNCATE " + barePGInsertTable)
	return err
}

// dropBarePG removes the ceilings' tables after the run.
func dropBarePG(url string) error {
	db, err := openBarePG(url, 1)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec("DROP TABLE IF EXISTS " + barePGReadTable + ", " + barePGInsertTable)
	return err
}

// barePGHandler serves pg-insert (each post committed on its own) and
// pg-read (the newest 50 of a room).
func barePGHandler(mode, url string) (http.Handler, func(), error) {
	db, err := openBarePG(url, barePGPool)
	if err != nil {
		return nil, nil, err
	}
	switch mode {
	case "pg-insert":
		return insertHandler(bareInsertInto(db, barePGInsertTable)), func() { db.Close() }, nil
	case "pg-read":
		return readHandler(db, barePGReadTable), func() { db.Close() }, nil
	}
	db.Close()
	return nil, nil, fmt.Errorf("unknown bare mode %q", mode)
}
