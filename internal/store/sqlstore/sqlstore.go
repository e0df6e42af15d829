// Package sqlstore implements store.Store once over database/sql, for both
// SQLite (modernc, pure Go) and PostgreSQL (pgx). Both speak $N placeholders,
// ON CONFLICT and RETURNING, so nearly all SQL is shared; what differs lives
// in dialect.go.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/parleychat/parley/internal/store"
)

//go:embed migrations
var migrations embed.FS

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Options tunes the connection pools.
type Options struct {
	// MaxConns bounds the pool (readers on SQLite; all connections on
	// PostgreSQL). Zero picks a default.
	MaxConns int
	// StatementTimeout bounds each statement on PostgreSQL. Zero = 30 s.
	StatementTimeout time.Duration
}

// Store is the database/sql implementation of store.Store.
type Store struct {
	d      *dialect
	writer *sql.DB // SQLite: exactly one connection, so writers never collide
	reader *sql.DB // SQLite: a pool of read-only connections; PostgreSQL: == writer
	// w and r are what queries run on: the pools, or one transaction.
	w, r querier
	inTx bool
	// sqliteParts is shared by the store and every transaction on it; on
	// PostgreSQL it is empty.
	*sqliteParts
	// pending is what a SQLite batch collects until its commit; nil outside
	// a batch and on PostgreSQL.
	pending *batchPending
}

// sqliteParts are the pieces only SQLite has. PostgreSQL caches its own
// statements, commits in groups by itself and serves several nodes, so
// every field but rooms and posts is nil there, and rooms keeps only hints (see
// roomCache).
type sqliteParts struct {
	// batch groups transactions into shared commits.
	batch *batcher
	// wcache and rcache hold the prepared statements of the writer and the
	// readers.
	wcache, rcache *stmtCache
	// clock hands out message timestamps.
	clock *roomClock
	// ckpt checkpoints the log beside the writer.
	ckpt *checkpointer
	// rooms keeps room documents and memberships.
	rooms *roomCache
	// posts makes concurrent posts into few statements
	// (PostgreSQL only).
	posts *postQueue
}

// batchPending is what one SQLite batch collects for its commit.
type batchPending struct {
	// fts lists the batch's new and edited messages for the full-text
	// index.
	fts ftsPending
	// changed lists what the batch changed that the room cache keeps.
	changed cacheChanges
}

// txStore is the Store whose queries run in a transaction through q.
func (s *Store) txStore(q querier) *Store {
	return &Store{d: s.d, writer: s.writer, reader: s.reader, w: q, r: q, inTx: true, sqliteParts: s.sqliteParts, pending: s.pending}
}

// txQuerier runs a transaction's queries, through the writer's prepared
// statements when there are any.
func (s *Store) txQuerier(tx *sql.Tx) querier {
	if s.wcache != nil {
		return cachedTx{tx: tx, c: s.wcache}
	}
	return tx
}

var _ store.Store = (*Store)(nil)

// Open opens the database named by url and brings its schema up to date.
// "" and "sqlite:PATH" select SQLite (PATH defaults to dataDir/parley.db);
// "postgres://…" or "postgresql://…" selects PostgreSQL.
func Open(ctx context.Context, url, dataDir string, opts Options) (*Store, error) {
	var (
		s   *Store
		err error
	)
	path, isSQLite, err := SQLitePath(url, dataDir)
	switch {
	case err != nil:
		return nil, err
	case isSQLite:
		s, err = openSQLite(ctx, path, opts)
	default:
		s, err = openPostgres(ctx, url, opts)
	}
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// SQLitePath tells which database url and dataDir name, as Open reads
// them: the SQLite file and true, or false for PostgreSQL.
func SQLitePath(url, dataDir string) (string, bool, error) {
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return "", false, nil
	case url == "" || strings.HasPrefix(url, "sqlite:"):
		path := strings.TrimPrefix(url, "sqlite:")
		if path == "" {
			path = dataDir + "/parley.db"
		}
		return path, true, nil
	}
	return "", false, fmt.Errorf("unsupported database URL %q: use sqlite:PATH or postgres://", url)
}

func (s *Store) migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations/"+s.d.name)
	if err != nil {
		return err
	}
	var opts []goose.ProviderOption
	if s.d.locker != nil {
		l, err := s.d.locker(ctx, s.writer)
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(l))
	}
	p, err := goose.NewProvider(s.d.gooseDialect, s.writer, sub, opts...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	return nil
}

// Dialect names the database in use: "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.d.name }

// DB returns the writer pool, for tools that seed data in bulk.
func (s *Store) DB() *sql.DB { return s.writer }

func (s *Store) Users() store.Users                 { return users{s} }
func (s *Store) Tokens() store.Tokens               { return tokens{s} }
func (s *Store) LoginAttempts() store.LoginAttempts { return loginAttempts{s} }
func (s *Store) Rooms() store.Rooms                 { return rooms{s} }
func (s *Store) Subscriptions() store.Subscriptions { return subscriptions{s} }
func (s *Store) Messages() store.Messages           { return messages{s} }
func (s *Store) Settings() store.Settings           { return settingsTable{s} }
func (s *Store) Permissions() store.Permissions     { return permissions{s} }
func (s *Store) Bans() store.Bans                   { return bans{s} }
func (s *Store) Invites() store.Invites             { return invites{s} }
func (s *Store) RoomExports() store.RoomExports     { return roomExports{s} }

// InTx runs fn in one transaction on the writer. Nested calls join the
// outer transaction.
func (s *Store) InTx(ctx context.Context, fn func(tx store.Store) error) error {
	if s.inTx {
		return fn(s)
	}
	if s.batch != nil {
		return s.batch.run(ctx, fn)
	}
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap(err)
	}
	txs := s.txStore(s.txQuerier(tx))
	if s.rooms != nil {
		// As in a batch: a reader may load what the transaction changes
		// between its statement and its commit.
		txs.pending = &batchPending{}
		defer txs.pending.changed.forget(s.rooms)
	}
	// A panic in fn must not leave the transaction open: on SQLite it would
	// hold the only writer connection for ever.
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(txs); err != nil {
		_ = tx.Rollback()
		return err
	}
	return s.wrap(tx.Commit())
}

// ConfigVersion reads the settings/permissions version.
func (s *Store) ConfigVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.r.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'config_version'`).Scan(&v)
	return v, s.wrap(err)
}

// BumpConfigVersion increments the settings/permissions version.
func (s *Store) BumpConfigVersion(ctx context.Context) error {
	_, err := s.w.ExecContext(ctx, `UPDATE meta SET value = value + 1 WHERE key = 'config_version'`)
	return s.wrap(err)
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.wrap(s.reader.PingContext(ctx)) }

// Close closes the pools.
func (s *Store) Close() error {
	if s.batch != nil {
		s.batch.close()
	}
	for _, c := range []*stmtCache{s.wcache, s.rcache} {
		if c != nil {
			c.close()
		}
	}
	var err error
	if s.ckpt != nil {
		err = s.ckpt.close()
	}
	if e := s.writer.Close(); err == nil {
		err = e
	}
	if s.reader != s.writer {
		if e := s.reader.Close(); err == nil {
			err = e
		}
	}
	return err
}

// wrap maps driver errors to the store's sentinel errors.
func (s *Store) wrap(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return store.ErrNotFound
	case s.d.isConflict(err):
		return fmt.Errorf("%w: %w", store.ErrConflict, err)
	case s.d.isUnavailable(err):
		return fmt.Errorf("%w: %w", store.ErrUnavailable, err)
	}
	return err
}

func (s *Store) exec(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := s.w.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, s.wrap(err)
	}
	n, err := res.RowsAffected()
	return n, s.wrap(err)
}

// execOne is exec that reports ErrNotFound when no row matched.
func (s *Store) execOne(ctx context.Context, q string, args ...any) error {
	n, err := s.exec(ctx, q, args...)
	if err == nil && n == 0 {
		return store.ErrNotFound
	}
	return err
}

// limitClause renders LIMIT/OFFSET for opts; Count 0 means no limit.
func (d *dialect) limitClause(opts store.ListOptions) string {
	var b strings.Builder
	if opts.Count > 0 {
		fmt.Fprintf(&b, " LIMIT %d", opts.Count)
	} else if opts.Offset > 0 {
		b.WriteString(d.noLimit)
	}
	if opts.Offset > 0 {
		fmt.Fprintf(&b, " OFFSET %d", opts.Offset)
	}
	return b.String()
}

// orderClause renders ORDER BY from opts, mapping API field names to columns
// through allowed; unknown fields are ignored so user input never reaches SQL.
func orderClause(opts store.ListOptions, allowed map[string]string, fallback string) string {
	var parts []string
	for _, f := range opts.Sort {
		col, ok := allowed[f.Field]
		if !ok {
			continue
		}
		if f.Desc {
			col += " DESC"
		}
		parts = append(parts, col)
	}
	if len(parts) == 0 {
		return " ORDER BY " + fallback
	}
	return " ORDER BY " + strings.Join(parts, ", ") + ", " + fallback
}

// placeholders returns "$from, $from+1, …" for n arguments.
func placeholders(from, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", from+i)
	}
	return b.String()
}

// rowScanner is what both *sql.Row and *sql.Rows offer.
type rowScanner interface{ Scan(...any) error }

// scanDoc reads a row whose only column is a JSON document.
func scanDoc[T any](row rowScanner) (*T, error) {
	var doc []byte
	if err := row.Scan(&doc); err != nil {
		return nil, err
	}
	v := new(T)
	return v, json.Unmarshal(doc, v)
}

// queryAll runs q on the read side and scans every row with scan.
func queryAll[T any](ctx context.Context, s *Store, scan func(rowScanner) (T, error), q string, args ...any) ([]T, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, s.wrap(rows.Err())
}
