package main

// The PostgreSQL ceilings: the same bare insert and 50-row read as the
// SQLite ones, through the driver Parley uses (pgx behind database/sql), on
// a pool as large as Parley's default, against the database Parley runs on
// in the same sitting. They keep their rows in tables of their own, which
// the run creates and drops.

import (
	"database/sql"
	"fmt"
	"net/http"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, as Parley's store registers it
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
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	stmt, err := tx.Prepare("INSERT INTO " + barePGReadTable + "(id, rid, ts, u, msg) VALUES ($1, $2, $3, $4, $5)")
	if err != nil {
		tx.Rollback()
		return err
	}
	ts := time.Now().Add(-24 * time.Hour).UnixMilli()
	for n := range rooms * perRoom {
		if _, err := stmt.Exec(newID(), bareRoomID(n%rooms), ts+int64(n), "bareuser", messageText(n)); err != nil {
			tx.Rollback()
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	_, err = db.Exec("ANALYZE " + barePGReadTable)
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
