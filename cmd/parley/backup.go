package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/store/sqlstore"
)

// backupCommand runs `parley backup FILE`: a consistent copy of the SQLite
// database, taken while the server keeps running. On PostgreSQL it makes
// no copy, prints the pg_dump command to use and fails, so that a script
// that goes on to store FILE notices.
func backupCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := commandFlags("parley backup", "usage: parley backup [--data DIR] [--db URL] FILE\n\nCopies the SQLite database to FILE, which must not exist, while the server runs.\n", stderr)
	db, file, code := sqliteAndFile(fs, args, getenv, stderr, func(db database, file string) string {
		return fmt.Sprintf(`parley backup copies the SQLite database only; this server uses PostgreSQL.
Back it up with pg_dump, which reads a consistent snapshot while the server runs:

  pg_dump --format=custom --file=%s %s'%s'
%s
and copy %s as well.
`, shellQuote(file), pgSchemaFlag(db.url), pgURL(db.url), pgPasswordNote(db.url), filepath.Join(db.dataDir, "uploads"))
	})
	if code >= 0 {
		return code
	}
	dataDir, path := db.dataDir, db.path
	if err := sqlstore.BackupSQLite(ctx, path, file); err != nil {
		return failed(stderr, err)
	}
	size := int64(0)
	if fi, err := os.Stat(file); err == nil {
		size = fi.Size()
	}
	fmt.Fprintf(stdout, "copied %s to %s (%d bytes)\n", path, file, size)
	if uploads := filepath.Join(dataDir, "uploads"); fileExists(uploads) {
		fmt.Fprintf(stdout, "uploaded files are not in the copy: copy %s as well, now that the database is copied\n", uploads)
	}
	return exitOK
}

// restoreCommand runs `parley restore FILE`: it puts a backup made by
// `parley backup` in place as the SQLite database. It refuses to replace
// an existing database without --force, and refuses always while a server
// has the database open.
func restoreCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := commandFlags("parley restore", "usage: parley restore [--data DIR] [--db sqlite:PATH] [--force] FILE\n\nPuts the backup FILE in place as the SQLite database; stop the server first.\n", stderr)
	var force bool
	fs.BoolVar(&force, "force", false, "replace an existing database (never one a running server has open)")
	db, file, code := sqliteAndFile(fs, args, getenv, stderr, func(db database, file string) string {
		return fmt.Sprintf(`parley restore writes the SQLite database only; this server uses PostgreSQL.
Stop the nodes, and restore a pg_dump archive into an empty database with

  pg_restore --no-owner --dbname='%s' %s
%s
and start the nodes.%s
`, pgURL(db.url), shellQuote(file), pgPasswordNote(db.url), pgSchemaNote(db.url))
	})
	if code >= 0 {
		return code
	}
	dataDir, path := db.dataDir, db.path
	if err := sqlstore.RestoreSQLite(ctx, file, path, force); err != nil {
		return failed(stderr, err)
	}
	fmt.Fprintf(stdout, "restored %s to %s\n", file, path)
	fmt.Fprintf(stdout, "put the uploaded files of the same backup in %s before starting the server\n", filepath.Join(dataDir, "uploads"))
	return exitOK
}

// commandFlags is the flag set of a command that writes its errors to
// stderr and, asked for -h or given a wrong command line, usage and then
// its flags.
func commandFlags(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	return fs
}

// database is where backup and restore find the database.
type database struct {
	dataDir, url, path string
	isSQLite           bool
}

// sqliteAndFile adds the database flags to fs, parses args, which must
// name one FILE, and finds the SQLite database. A server on PostgreSQL has
// none: then what onPostgres says to do instead is printed, and the
// command fails. code is the exit status to end with, or -1 to go on.
func sqliteAndFile(fs *flag.FlagSet, args []string, getenv func(string) string, stderr io.Writer, onPostgres func(db database, file string) string) (db database, file string, code int) {
	config.DatabaseFlags(fs, getenv, &db.dataDir, &db.url)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return db, "", usageErr(stderr, err)
	}
	if len(pos) != 1 {
		fs.Usage()
		return db, "", exitUsage
	}
	if db.path, db.isSQLite, err = sqlstore.SQLitePath(db.url, db.dataDir); err != nil {
		return db, "", failed(stderr, err)
	}
	if !db.isSQLite {
		fmt.Fprint(stderr, onPostgres(db, pos[0]))
		return db, "", exitFail
	}
	return db, pos[0], -1
}

// pgURL is the database URL as libpq tools accept it: without Parley's
// search_path parameter, which they reject, and with the password hidden.
func pgURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "postgres://…"
	}
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	return u.Redacted()
}

// pgSchemaFlag is pg_dump's --schema for a URL with search_path.
func pgSchemaFlag(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	if s := u.Query().Get("search_path"); s != "" {
		return "--schema=" + shellQuote(s) + " "
	}
	return ""
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' || r == '/' || r == '=' || r == ':') {
			return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
	}
	return s
}

// pgSchemaNote explains where an archive of one schema goes back to.
func pgSchemaNote(raw string) string {
	if pgSchemaFlag(raw) == "" {
		return ""
	}
	return "\nAn archive made with --schema holds that schema and creates it again:\nthe database must not have it yet."
}

// pgPasswordNote says where the hidden password goes, if the URL has one.
func pgPasswordNote(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return ""
	}
	if _, ok := u.User.Password(); !ok {
		return ""
	}
	return "(the password is hidden: put it back, or give it in PGPASSWORD or ~/.pgpass)"
}
