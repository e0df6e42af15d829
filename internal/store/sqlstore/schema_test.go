package sqlstore_test

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/parleychat/parley/internal/store/sqlstore"
)

// TestMigrationsDescribeOneSchema migrates a SQLite and a PostgreSQL
// database and compares what they hold: the same tables, the same columns
// and the same named indexes. The differences each dialect needs are
// listed here with their reasons, so that a migration written for one
// database alone fails this test.
func TestMigrationsDescribeOneSchema(t *testing.T) {
	t.Parallel()
	lite := openSQLite(t).(*sqlstore.Store)
	pg := openPostgres(t).(*sqlstore.Store)
	ctx := t.Context()

	liteSchema := sqliteSchema(ctx, t, lite.DB())
	pgSchema := postgresSchema(ctx, t, pg.DB())

	// Full-text search: FTS5 keeps its own virtual table (and the shadow
	// tables FTS5 makes for it), keyed by the messages' integer seq;
	// PostgreSQL indexes a generated tsvector column. The visible-message count: SQLite keeps it in a narrow table
	// so that posting does not rewrite the room row; PostgreSQL keeps it
	// on the room.
	for _, name := range []string{"messages_fts", "messages_fts_config", "messages_fts_content", "messages_fts_data", "messages_fts_docsize", "messages_fts_idx", "room_visible"} {
		delete(liteSchema, "table "+name)
	}
	liteSchema["table messages"] = without(liteSchema["table messages"], "seq")
	delete(pgSchema, "index messages_search")
	pgSchema["table messages"] = without(pgSchema["table messages"], "search")
	pgSchema["table rooms"] = without(pgSchema["table rooms"], "visible_msgs")

	if diff := cmp.Diff(liteSchema, pgSchema); diff != "" {
		t.Errorf("SQLite and PostgreSQL schemas differ (-sqlite +postgres):\n%s", diff)
	}
}

// A schema maps "table NAME" to its sorted columns and "index NAME" to
// nothing.
type schema map[string][]string

func sqliteSchema(ctx context.Context, t *testing.T, db *sql.DB) schema {
	s := schema{}
	for _, row := range queryPairs(ctx, t, db, `SELECT type, name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%'`) {
		if row[0] == "index" {
			s["index "+row[1]] = nil
			continue
		}
		cols := queryPairs(ctx, t, db, `SELECT name, type FROM pragma_table_info($1)`, row[1])
		s["table "+row[1]] = firsts(cols)
	}
	return s
}

func postgresSchema(ctx context.Context, t *testing.T, db *sql.DB) schema {
	s := schema{}
	for _, row := range queryPairs(ctx, t, db, `SELECT indexname, tablename FROM pg_indexes WHERE schemaname = current_schema()`) {
		// Primary keys and UNIQUE constraints: SQLite's are unnamed
		// automatic indexes, left out on its side too.
		if strings.HasSuffix(row[0], "_pkey") || strings.HasSuffix(row[0], "_key") {
			continue
		}
		s["index "+row[0]] = nil
	}
	for _, row := range queryPairs(ctx, t, db, `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`) {
		s["table "+row[0]] = append(s["table "+row[0]], row[1])
	}
	for k, cols := range s {
		slices.Sort(cols)
		s[k] = cols
	}
	return s
}

func queryPairs(ctx context.Context, t *testing.T, db *sql.DB, q string, args ...any) [][2]string {
	t.Helper()
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var a, b string
		if err := rows.Scan(&a, &b); err != nil {
			t.Fatal(err)
		}
		out = append(out, [2]string{a, b})
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func firsts(pairs [][2]string) []string {
	out := make([]string, len(pairs))
	for i, p := range pairs {
		out[i] = p[0]
	}
	slices.Sort(out)
	return out
}

func without(list []string, drop string) []string {
	return slices.DeleteFunc(slices.Clone(list), func(s string) bool { return s == drop })
}
