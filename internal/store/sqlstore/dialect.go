package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect holds everything that differs between SQLite and PostgreSQL.
// Everything else in this package is shared SQL.
type dialect struct {
	name         string
	gooseDialect goose.Dialect
	// noLimit is what LIMIT needs to say before a lone OFFSET.
	noLimit string
	// forUpdate locks selected rows for the rest of the transaction; SQLite
	// needs none because its single writer already serialises transactions.
	forUpdate string
	// ilike is the case-insensitive LIKE operator.
	ilike string
	// greatest is the SQL function returning the largest argument.
	greatest string
	// visibleCount reads a room's count of visible messages (see the
	// 00005 migrations).
	visibleCount string
	// countsEveryRoom says a room with no visibleCount row has no visible
	// message (SQLite counts from a room's first message on); otherwise
	// the room is missing and its messages must be counted.
	countsEveryRoom bool
	// visibleInsert moves a room's visible count for a new visible
	// message, where no trigger does (PostgreSQL's 00012 migration);
	// empty where a trigger does.
	visibleInsert string
	// The thread-unread lists and the unread flag live in JSON documents.
	// These edit them in place, so that concurrent writers on several
	// nodes never overwrite each other's changes.
	//
	// jsonHas is the condition "the array at key of doc holds the string
	// arg"; jsonAppend is doc with arg appended to that array, jsonWithout
	// doc with every copy of arg taken out of it.
	jsonHas, jsonAppend, jsonWithout func(doc, key, arg string) string
	// jsonText extracts a string field of a JSON document column.
	jsonText func(doc, key string) string
	// unreadCond is "message m is still marked unread"; it must match the
	// predicate of the messages_unread index word for word.
	unreadCond func(m string) string
	// unsetUnread is the message document without its unread flag.
	unsetUnread func() string
	// ftsTable says new messages' text must be added to messages_fts
	// (SQLite); PostgreSQL's index follows a generated column by itself.
	ftsTable bool
	// search renders the full-text part of a message search: extra FROM
	// items, the match condition and the score expression, for terms
	// bound from argument number next on.
	search func(next int, terms []string) (from, cond, score string, args []any)
	// locker serialises migrations across processes starting together on
	// the database and schema that db's sessions use.
	locker        func(ctx context.Context, db *sql.DB) (lock.SessionLocker, error)
	isConflict    func(error) bool
	isUnavailable func(error) bool
}

var sqliteDialect = &dialect{
	name:            "sqlite",
	gooseDialect:    goose.DialectSQLite3,
	noLimit:         " LIMIT -1",
	forUpdate:       "",
	ilike:           "LIKE", // SQLite's LIKE is case-insensitive for ASCII
	greatest:        "max",
	ftsTable:        true,
	visibleCount:    `SELECT n FROM room_visible WHERE rid = $1`,
	countsEveryRoom: true,
	jsonHas: func(doc, key, arg string) string {
		return "EXISTS (SELECT 1 FROM json_each(" + doc + ", '$." + key + "') WHERE value = " + arg + ")"
	},
	jsonAppend: func(doc, key, arg string) string {
		return "json_set(" + doc + ", '$." + key + "', json_insert(COALESCE(json_extract(" + doc + ", '$." + key + "'), '[]'), '$[#]', " + arg + "))"
	},
	jsonWithout: func(doc, key, arg string) string {
		// json() keeps the subquery's array an array: a bare subquery
		// result loses its JSON subtype and json_set would store it as a
		// string.
		return "json_set(" + doc + ", '$." + key + "', json((SELECT json_group_array(value) FROM json_each(" + doc + ", '$." + key + "') WHERE value <> " + arg + ")))"
	},
	jsonText:    func(doc, key string) string { return "json_extract(" + doc + ", '$." + key + "')" },
	unreadCond:  func(m string) string { return "json_extract(" + m + "doc, '$.unread') = 1" },
	unsetUnread: func() string { return "json_remove(doc, '$.unread')" },
	search: func(next int, terms []string) (string, string, string, []any) {
		// FTS5 syntax: each term becomes a quoted string (so operators in
		// user input are plain text), any of them may match.
		q := make([]string, len(terms))
		for i, t := range terms {
			q[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
		}
		return " JOIN messages_fts ON messages_fts.rowid = m.seq",
			"messages_fts MATCH $" + strconv.Itoa(next),
			"-bm25(messages_fts)",
			[]any{strings.Join(q, " OR ")}
	},
	isConflict: func(err error) bool {
		var e *sqlite.Error
		if errors.As(err, &e) {
			c := e.Code()
			return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
		}
		return false
	},
	isUnavailable: func(error) bool { return false },
}

var postgresDialect = &dialect{
	name:          "postgres",
	gooseDialect:  goose.DialectPostgres,
	noLimit:       "",
	forUpdate:     " FOR UPDATE",
	ilike:         "ILIKE",
	greatest:      "GREATEST",
	visibleCount:  `SELECT visible_msgs FROM rooms WHERE id = $1`,
	visibleInsert: `UPDATE rooms SET visible_msgs = visible_msgs + 1 WHERE id = $1`,
	jsonHas: func(doc, key, arg string) string {
		// The cast serves json columns (a message's document) as well.
		return "COALESCE(CAST(" + doc + "->'" + key + "' AS JSONB), '[]'::jsonb) @> jsonb_build_array(CAST(" + arg + " AS TEXT))"
	},
	jsonAppend: func(doc, key, arg string) string {
		return "jsonb_set(" + doc + ", '{" + key + "}', COALESCE(" + doc + "->'" + key + "', '[]'::jsonb) || jsonb_build_array(CAST(" + arg + " AS TEXT)))"
	},
	jsonWithout: func(doc, key, arg string) string {
		return "jsonb_set(" + doc + ", '{" + key + "}', (" + doc + "->'" + key + "') - CAST(" + arg + " AS TEXT))"
	},
	jsonText:    func(doc, key string) string { return doc + "->>'" + key + "'" },
	unreadCond:  func(m string) string { return "(" + m + "doc->>'unread') = 'true'" },
	unsetUnread: func() string { return docFromJSONB("CAST(doc AS JSONB) - 'unread'") },
	search: func(next int, terms []string) (string, string, string, []any) {
		// plainto_tsquery reads any input as plain words; || makes any of
		// the terms enough, as MongoDB's $text does.
		parts := make([]string, len(terms))
		args := make([]any, len(terms))
		for i, t := range terms {
			parts[i] = "plainto_tsquery('simple', $" + strconv.Itoa(next+i) + ")"
			args[i] = t
		}
		return ", (SELECT " + strings.Join(parts, " || ") + " AS q) fts",
			"m.search @@ fts.q",
			"ts_rank(m.search, fts.q)",
			args
	},
	locker: func(ctx context.Context, db *sql.DB) (lock.SessionLocker, error) {
		// goose's default lock id is one per server: deployments in other
		// schemas (and parallel tests) would wait for each other, 5 s a try.
		// Scope the lock to this database and schema, and retry every second.
		var scope string
		if err := db.QueryRowContext(ctx, `SELECT current_database() || '.' || COALESCE(current_schema(), '')`).Scan(&scope); err != nil {
			return nil, err
		}
		h := fnv.New64a()
		h.Write([]byte("parley migrations " + scope))
		return lock.NewPostgresSessionLocker(lock.WithLockID(int64(h.Sum64())), lock.WithLockTimeout(1, 300))
	},
	isConflict: func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && e.Code == "23505"
	},
	isUnavailable: func(err error) bool {
		var e *pgconn.PgError
		if errors.As(err, &e) {
			// Class 08: connection exceptions; 57P0x: server shutting down.
			// 57014: statement timeout, the database too busy to answer.
			return strings.HasPrefix(e.Code, "08") || strings.HasPrefix(e.Code, "57P") || e.Code == "57014"
		}
		var ce *pgconn.ConnectError
		if errors.As(err, &ce) || pgconn.SafeToRetry(err) || errors.Is(err, sql.ErrConnDone) {
			return true
		}
		msg := err.Error()
		return strings.Contains(msg, "connection refused") || strings.Contains(msg, "broken pipe") ||
			strings.Contains(msg, "unexpected EOF") || strings.Contains(msg, "connection reset") ||
			strings.Contains(msg, "conn closed") || strings.Contains(msg, "bad connection")
	},
}

func openSQLite(ctx context.Context, path string, opts Options) (*Store, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("data dir: %w", err)
		}
	}
	// busy_timeout comes first so that it already applies to the pragmas
	// after it. synchronous=NORMAL in WAL mode survives a process crash;
	// only an OS crash or power loss can lose the last commits.
	base := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)&_pragma=temp_store(MEMORY)"
	writer, err := sql.Open("sqlite", base+"&_txlock=immediate"+fmt.Sprintf("&_pragma=wal_autocheckpoint(%d)", writerCheckpointFrames))
	if err != nil {
		return nil, err
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	if err := writer.PingContext(ctx); err != nil {
		writer.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	reader, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		writer.Close()
		return nil, err
	}
	n := opts.MaxConns
	if n <= 0 {
		n = 4
	}
	reader.SetMaxOpenConns(n)
	reader.SetMaxIdleConns(n)
	reader.SetConnMaxLifetime(0)
	ckdb, err := sql.Open("sqlite", base)
	if err != nil {
		writer.Close()
		reader.Close()
		return nil, err
	}
	ckdb.SetMaxOpenConns(1)
	ckdb.SetMaxIdleConns(1)
	ckdb.SetConnMaxLifetime(0)
	s := &Store{d: sqliteDialect, writer: writer, reader: reader, sqliteParts: &sqliteParts{wcache: newStmtCache(writer), rcache: newStmtCache(reader), clock: &roomClock{}, rooms: newRoomCache(), ckpt: newCheckpointer(ckdb)}}
	s.w, s.r = cachedPool{s.wcache}, cachedPool{s.rcache}
	s.batch = newBatcher(s)
	return s, nil
}

func openPostgres(ctx context.Context, url string, opts Options) (*Store, error) {
	timeout := opts.StatementTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	// statement_timeout as a run-time parameter applies to every session the
	// pool opens, so a stuck query cannot hold a connection for ever.
	dsn := fmt.Sprintf("%s%sstatement_timeout=%d", url, sep, timeout.Milliseconds())
	if !strings.Contains(url, "connect_timeout=") {
		// A host that drops packets would otherwise hold each request for
		// the operating system's connect timeout (minutes).
		dsn += "&connect_timeout=5"
	}
	if !strings.Contains(url, "max_parallel_workers_per_gather=") {
		// Every query here reads a few index ranges. On a large messages
		// table the planner still picks parallel plans for the sync query,
		// which then waits 200 ms and more for workers to start on a
		// window it reads serially in under 2 ms.
		dsn += "&max_parallel_workers_per_gather=0"
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	n := opts.MaxConns
	if n <= 0 {
		n = 20
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	return &Store{d: postgresDialect, writer: db, reader: db, w: db, r: db, sqliteParts: &sqliteParts{rooms: newRoomCache(), posts: newPostQueue()}}, nil
}
