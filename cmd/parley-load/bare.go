package main

// The bare handlers are the ceilings Parley is compared with: the least work
// an HTTP server can do for the same request on this machine. They run in a
// child process of the tool, as Parley does, so that neither shares a Go
// runtime (scheduler, GC) with the load generator and the CPU seconds of the
// server side can be read from /proc the same way.

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	_ "modernc.org/sqlite"
)

const bareSchema = `
CREATE TABLE IF NOT EXISTS messages(
  id  TEXT PRIMARY KEY,
  rid TEXT NOT NULL,
  ts  INTEGER NOT NULL,
  u   TEXT NOT NULL,
  msg TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_rid_ts ON messages(rid, ts);`

// openBare uses Parley's own SQLite pragmas, so that the ceiling differs from
// Parley only in the work done per request.
func openBare(path string, conns int, readOnly bool) (*sql.DB, error) {
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	if readOnly {
		dsn += "&_pragma=query_only(1)"
	}
	return openPool("sqlite", dsn, conns)
}

// openPool opens a pool of exactly conns connections that are kept open.
func openPool(driver, dsn string, conns int) (*sql.DB, error) {
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxLifetime(0)
	return db, nil
}

const idAlphabet = "23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz"

func newID() string {
	var b [17]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b[:])
}

// bareRoomID names room r of the bare read database.
func bareRoomID(r int) string { return fmt.Sprintf("bareroom%09d", r) }

// seedBare fills a fresh database with rooms×perRoom messages, round-robin
// over the rooms like the Parley history.
func seedBare(path string, rooms, perRoom int) error {
	db, err := openBare(path, 1, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Exec(bareSchema); err != nil {
		return err
	}
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	stmt, err := tx.Prepare("INSERT INTO messages(id, rid, ts, u, msg) VALUES ($1, $2, $3, $4, $5)")
	if err != nil {
		return err
	}
	ts := time.Now().Add(-24 * time.Hour).UnixMilli()
	for n := range rooms * perRoom {
		if _, err := stmt.Exec(newID(), bareRoomID(n%rooms), ts+int64(n), "bareuser", messageText(n)); err != nil {
			tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}

type bareMsg struct {
	ID  string `json:"_id"`
	Rid string `json:"rid"`
	Ts  int64  `json:"ts"`
	U   string `json:"u"`
	Msg string `json:"msg"`
}

// bareInsert stores a chat.postMessage body's message, committed on its
// own.
func bareInsert(db *sql.DB) func(r *http.Request) (bareMsg, error) {
	return bareInsertInto(db, "messages")
}

// bareInsertInto is bareInsert into the named table.
func bareInsertInto(db *sql.DB, table string) func(r *http.Request) (bareMsg, error) {
	query := "INSERT INTO " + table + "(id, rid, ts, u, msg) VALUES ($1, $2, $3, $4, $5)"
	return func(r *http.Request) (bareMsg, error) {
		var in struct {
			RoomID string `json:"roomId"`
			Text   string `json:"text"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			return bareMsg{}, err
		}
		m := bareMsg{ID: newID(), Rid: in.RoomID, Ts: time.Now().UnixMilli(), U: r.Header.Get("X-User-Id"), Msg: in.Text}
		_, err := db.ExecContext(r.Context(), query, m.ID, m.Rid, m.Ts, m.U, m.Msg)
		return m, err
	}
}

var helloBody = []byte(`{"success":true,"message":{"_id":"aBcDeFgHiJkLmNoPq","rid":"GENERAL","msg":"hello, world","ts":"2024-01-01T00:00:00.000Z"}}`)

func bareHandler(mode, path string) (http.Handler, func(), error) {
	switch mode {
	case "hello":
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			w.Write(helloBody)
		}), func() {}, nil
	case "insert":
		// One connection: SQLite has one writer, and each request commits on
		// its own (autocommit), which is what a naive server does.
		db, err := openBare(path, 1, false)
		if err != nil {
			return nil, nil, err
		}
		if _, err := db.Exec(bareSchema); err != nil {
			return nil, nil, err
		}
		return insertHandler(bareInsert(db)), func() { db.Close() }, nil
	case "read":
		db, err := openBare(path, 4, true)
		if err != nil {
			return nil, nil, err
		}
		return readHandler(db, "messages"), func() { db.Close() }, nil
	case "pg-insert", "pg-read":
		return barePGHandler(mode, path)
	case "ws-echo":
		return bareEcho(), func() {}, nil
	case "ws-broadcast":
		return newBareHub(nil), func() {}, nil
	case "ws-post":
		db, err := openBare(path, 1, false)
		if err != nil {
			return nil, nil, err
		}
		if _, err := db.Exec(bareSchema); err != nil {
			return nil, nil, err
		}
		return newBareHub(bareInsert(db)), func() { db.Close() }, nil
	}
	return nil, nil, fmt.Errorf("unknown bare mode %q", mode)
}

// bareMain is the child process: parley-load bare -mode M -db PATH. It
// prints the address it listens on and serves until stdin closes.
func bareMain(args []string) error {
	fs := flag.NewFlagSet("bare", flag.ContinueOnError)
	mode := fs.String("mode", "hello", "hello, insert, read, pg-insert, pg-read, ws-echo, ws-broadcast or ws-post")
	path := fs.String("db", "", "SQLite file, or the PostgreSQL URL of the pg modes")
	if err := fs.Parse(args); err != nil {
		return err
	}
	h, closeDB, err := bareHandler(*mode, *path)
	if err != nil {
		return err
	}
	defer closeDB()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	fmt.Println(ln.Addr().String())
	// The parent holds stdin; when it exits or closes it, so does the child.
	io.Copy(io.Discard, os.Stdin)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(ctx)
}

// bareServer is a running child serving one bare handler.
type bareServer struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	url   string
}

func startBare(mode, path string) (*bareServer, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "bare", "-mode", mode, "-db", path)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		stdin.Close()
		cmd.Wait()
		return nil, errors.New("bare server did not start")
	}
	return &bareServer{cmd: cmd, stdin: stdin, url: "http://" + strings.TrimSpace(line)}, nil
}

func (b *bareServer) pid() int { return b.cmd.Process.Pid }

func (b *bareServer) stop() {
	b.stdin.Close()
	done := make(chan struct{})
	go func() { b.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		b.cmd.Process.Kill()
		<-done
	}
}

// insertHandler answers a chat.postMessage with the stored message.
func insertHandler(insert func(r *http.Request) (bareMsg, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m, err := insert(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"message": m, "success": true})
	})
}

// readHandler answers a channels.history with the room's newest 50
// messages of table.
func readHandler(db *sql.DB, table string) http.Handler {
	query := "SELECT id, rid, ts, u, msg FROM " + table + " WHERE rid = $1 ORDER BY ts DESC LIMIT 50"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rows, err := db.QueryContext(r.Context(), query, r.URL.Query().Get("roomId"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer rows.Close()
		msgs := make([]bareMsg, 0, 50)
		for rows.Next() {
			var m bareMsg
			if err := rows.Scan(&m.ID, &m.Rid, &m.Ts, &m.U, &m.Msg); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			msgs = append(msgs, m)
		}
		if err := rows.Err(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"messages": msgs, "success": true})
	})
}
