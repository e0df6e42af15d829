package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvPostgresURL names the environment variable that points the tests at a
// PostgreSQL database, e.g. postgres://parley@127.0.0.1:54329/parley?sslmode=disable.
// `eval "$(bash .ci/postgres.sh)"` starts a throw-away server and sets it.
const EnvPostgresURL = "PARLEY_TEST_POSTGRES_URL"

const skipPostgres = EnvPostgresURL + ` is not set: skipping PostgreSQL tests (run eval "$(bash .ci/postgres.sh)" to enable them)`

// RequirePostgres skips t, with one log line, when PARLEY_TEST_POSTGRES_URL
// is not set. Use it at the top of a test that opens many stores, so that
// the skip is reported once.
func RequirePostgres(t testing.TB) {
	t.Helper()
	if os.Getenv(EnvPostgresURL) == "" {
		t.Skip(skipPostgres)
	}
}

// PostgresURL creates a new, empty schema in the database named by
// PARLEY_TEST_POSTGRES_URL and returns a URL whose sessions use it (as the
// run-time parameter search_path). The schema is dropped when the test ends;
// close every connection to it before then. Safe for parallel tests. It skips
// t when the variable is not set and fails t when the server cannot be used.
func PostgresURL(t testing.TB) string {
	t.Helper()
	RequirePostgres(t)
	base := os.Getenv(EnvPostgresURL)
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s must be a postgres:// URL, got %q", EnvPostgresURL, base)
	}
	if u.Query().Has("search_path") {
		t.Fatalf("%s must not set search_path: each test gets its own schema", EnvPostgresURL)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dropStaleSchemas.Do(func() { dropStale(ctx, t, base) })

	schema := newSchemaName()
	if err := adminExec(ctx, base, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("PostgreSQL at %s: create schema: %v", redact(u), err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// lock_timeout: a connection left inside a transaction would make
		// the drop wait for ever.
		if err := adminExec(ctx, base, `SET lock_timeout = '10s'`, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s (was a connection left in a transaction?): %v", schema, err)
		}
	})

	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Schema names carry their creation time so that schemas left behind by a
// killed test run can be recognised and dropped later.
var (
	schemaPattern    = regexp.MustCompile(`^t_([0-9]+)_[0-9a-f]+$`)
	dropStaleSchemas sync.Once
)

const staleAfter = 2 * time.Hour

func newSchemaName() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return fmt.Sprintf("t_%d_%s", time.Now().Unix(), hex.EncodeToString(b))
}

// dropStale drops test schemas older than staleAfter, once per process.
// Failures only log: they do not affect the test at hand.
func dropStale(ctx context.Context, t testing.TB, base string) {
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return // PostgresURL reports the connection error itself
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\_%'`)
	if err != nil {
		t.Logf("list stale test schemas: %v", err)
		return
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Logf("list stale test schemas: %v", err)
		return
	}
	cutoff := time.Now().Add(-staleAfter).Unix()
	for _, n := range names {
		m := schemaPattern.FindStringSubmatch(n)
		if m == nil {
			continue
		}
		if ts, err := strconv.ParseInt(m[1], 10, 64); err != nil || ts > cutoff {
			continue
		}
		if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+n+` CASCADE`); err != nil {
			t.Logf("drop stale test schema %s: %v", n, err)
		}
	}
}

// adminExec runs statements on a short-lived connection of its own.
func adminExec(ctx context.Context, dsn string, stmts ...string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// redact hides a password in u for messages.
func redact(u *url.URL) string {
	s := u.Redacted()
	if i := strings.IndexByte(s, '?'); i >= 0 {
		s = s[:i]
	}
	return s
}
