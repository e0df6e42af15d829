package sqlstore_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/sqlstore"
	"github.com/parleychat/parley/internal/store/storetest"
)

// TestPostgresMessageDocumentsMigrate: documents stored as jsonb before
// migration 00013 (keys in jsonb's order, the counters' keys in them) read
// the same afterwards, and are rewritten in the shape that reads merge
// without decoding.
func TestPostgresMessageDocumentsMigrate(t *testing.T) {
	storetest.RequirePostgres(t)
	t.Parallel()
	ctx := t.Context()
	st := openPostgres(t).(*sqlstore.Store)
	db := st.DB()
	m := &model.Message{ID: "old1", RID: "room1", Msg: "hello", Ts: 1_700_000_000_000, UpdatedAt: 1_700_000_000_500,
		U: model.UserRef{ID: "u1", Username: "ann"}}
	must(t, st.Messages().Insert(ctx, m))
	// The table as it was, with a document as jsonb kept it: a stale
	// counter and a star in it.
	for _, q := range []string{
		`ALTER TABLE messages ALTER COLUMN doc TYPE jsonb USING CAST(doc AS jsonb)`,
		`UPDATE messages SET tcount = 2, doc = doc || '{"tcount": 1, "starred": [{"_id": "u2"}]}' WHERE id = 'old1'`,
		migrationUp(t, "migrations/postgres/00013_message_doc_json.sql"),
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var doc string
	must(t, db.QueryRowContext(ctx, `SELECT CAST(doc AS TEXT) FROM messages WHERE id = 'old1'`).Scan(&doc))
	if !strings.HasSuffix(doc, `,"_updatedAt":"`+m.UpdatedAt.String()+`"}`) || strings.Contains(doc, "tcount") {
		t.Errorf("migrated document %s: want no counters and _updatedAt last", doc)
	}
	list, err := st.Messages().ListJSON(ctx, store.MessageFilter{RID: "room1"}, store.ListOptions{Count: 10})
	must(t, err)
	if len(list) != 1 || !list[0].Starred {
		t.Fatalf("listed %+v, want the one starred message", list)
	}
	var got map[string]any
	must(t, json.Unmarshal(list[0].JSON, &got))
	if got["tcount"] != float64(2) || got["_updatedAt"] != m.UpdatedAt.String() || got["msg"] != "hello" || got["starred"] == nil {
		t.Errorf("listed document %s: want the stored fields with tcount 2 from its column", list[0].JSON)
	}
}

// migrationUp is the Up part of a goose SQL migration.
func migrationUp(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	must(t, err)
	up, _, ok := strings.Cut(string(b), "-- +goose Down")
	if !ok {
		t.Fatalf("%s has no Down part", path)
	}
	return up
}
