package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Errors of RestoreSQLite.
var (
	// ErrDatabaseExists refuses to replace a database without force.
	ErrDatabaseExists = errors.New("a database exists there already")
	// ErrDatabaseInUse refuses to replace a database another connection,
	// such as a running server, has open.
	ErrDatabaseInUse = errors.New("the database is in use; stop the server first")
)

// BackupSQLite writes a consistent copy of the SQLite database at path to
// dest, which must not exist. It runs VACUUM INTO, which reads one
// snapshot in a single read transaction: a server may keep writing
// meanwhile, and the copy is one standalone, compacted file. The copy is
// written beside dest under another name and renamed when complete, so
// dest never holds half a backup.
func BackupSQLite(ctx context.Context, path, dest string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no database at %s: %w", path, err)
	}
	if _, err := os.Lstat(dest); err == nil {
		return fmt.Errorf("%s exists already", dest)
	}
	// Read-write: a reader of a database in WAL mode needs to write its
	// shared-memory index. Nothing else is written.
	db, err := openPlain(path, "rw")
	if err != nil {
		return err
	}
	defer db.Close()
	return vacuumInto(ctx, db, dest)
}

// RestoreSQLite puts the backup src in place as the database at path. It
// refuses when a database is there already, unless force is set, and even
// then while any connection has it open (a running server does): the
// replaced file would be pulled from under the server.
func RestoreSQLite(ctx context.Context, src, path string, force bool) error {
	if err := checkBackup(ctx, src); err != nil {
		return err
	}
	exists := false
	for _, p := range []string{path, path + "-wal"} {
		if _, err := os.Lstat(p); err == nil {
			exists = true
		}
	}
	if exists {
		if !force {
			return fmt.Errorf("%s: %w (use --force to replace it)", path, ErrDatabaseExists)
		}
		if err := checkUnused(ctx, path); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	db, err := openPlain(src, "ro")
	if err != nil {
		return err
	}
	defer db.Close()
	tmp := path + ".restoring"
	if err := vacuumIntoFile(ctx, db, tmp); err != nil {
		return err
	}
	// The log and index beside the old file belong to it; left in place
	// they would be applied to the restored one.
	for _, p := range []string{path + "-wal", path + "-shm"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			os.Remove(tmp)
			return err
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(filepath.Dir(path))
}

// checkBackup makes sure src is a sound SQLite file holding Parley's
// tables, before anything is replaced with it.
func checkBackup(ctx context.Context, src string) error {
	if _, err := os.Stat(src); err != nil {
		return err
	}
	db, err := openPlain(src, "ro")
	if err != nil {
		return err
	}
	defer db.Close()
	var check string
	if err := db.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&check); err != nil {
		return fmt.Errorf("%s is not a SQLite database: %w", src, err)
	}
	if check != "ok" {
		return fmt.Errorf("%s is damaged: %s", src, check)
	}
	var n int
	err = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('goose_db_version', 'users', 'rooms', 'messages')`).Scan(&n)
	if err != nil {
		return err
	}
	if n != 4 {
		return fmt.Errorf("%s is not a Parley database", src)
	}
	return nil
}

// checkUnused reports ErrDatabaseInUse when another connection has the
// database at path open. Leaving WAL mode needs the only connection to
// the file, so the attempt tells; the file is about to be replaced, so
// the change of mode does no harm.
func checkUnused(ctx context.Context, path string) error {
	db, err := openPlain(path, "rw")
	if err != nil {
		return err
	}
	defer db.Close()
	var mode string
	if err := db.QueryRowContext(ctx, `PRAGMA journal_mode = DELETE`).Scan(&mode); err != nil {
		if strings.Contains(err.Error(), "locked") || strings.Contains(err.Error(), "busy") {
			return ErrDatabaseInUse
		}
		return err
	}
	if !strings.EqualFold(mode, "delete") {
		return ErrDatabaseInUse
	}
	return nil
}

// openPlain opens one connection to a SQLite file without Parley's
// settings or migrations; mode is "ro" or "rw", and the file must exist.
func openPlain(path, mode string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode="+mode+"&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// vacuumInto copies db into dest through a temporary file beside it.
func vacuumInto(ctx context.Context, db *sql.DB, dest string) error {
	tmp := dest + ".partial"
	if err := vacuumIntoFile(ctx, db, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, dest); err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(filepath.Dir(dest))
}

// vacuumIntoFile writes db to file, replacing a leftover of an earlier
// attempt, and flushes it to disk.
func vacuumIntoFile(ctx context.Context, db *sql.DB, file string) error {
	if err := os.Remove(file); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if _, err := db.ExecContext(ctx, `VACUUM INTO $1`, file); err != nil {
		os.Remove(file)
		return fmt.Errorf("copy to %s: %w", file, err)
	}
	f, err := os.Open(file)
	if err == nil {
		err = f.Sync()
		f.Close()
	}
	if err != nil {
		os.Remove(file)
	}
	return err
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}
