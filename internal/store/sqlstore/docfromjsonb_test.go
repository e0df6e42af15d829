package sqlstore

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"testing"

	"github.com/parleychat/parley/internal/store/storetest"
)

// TestDocFromJSONB: documents edited through jsonb come back as json with
// the columns' keys out and _updatedAt last, which scanMessageJSON merges
// without decoding; anything else comes back as it was.
func TestDocFromJSONB(t *testing.T) {
	storetest.RequirePostgres(t)
	t.Parallel()
	db, err := sql.Open("pgx", storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const at = `"2026-01-02T03:04:05.678Z"`
	for _, tc := range []struct {
		name, in, want string
		fast           bool
	}{
		{"message", `{"_id":"a","tcount":3,"msg":"x","_updatedAt":` + at + `,"dlm":"y"}`, `{"_id":"a","msg":"x","_updatedAt":` + at + `}`, true},
		{"no _updatedAt", `{"_id":"a","tcount":3}`, `{"_id":"a","tcount":3}`, false},
		{"only derived keys", `{"tcount":3,"_updatedAt":` + at + `}`, `{"tcount":3,"_updatedAt":` + at + `}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []byte
			if err := db.QueryRowContext(t.Context(), `SELECT CAST(`+docFromJSONB(`CAST($1 AS JSONB)`)+` AS TEXT)`, tc.in).Scan(&got); err != nil {
				t.Fatal(err)
			}
			var g, w any
			if json.Unmarshal(got, &g) != nil || json.Unmarshal([]byte(tc.want), &w) != nil || !jsonEqual(g, w) {
				t.Errorf("got %s, want %s", got, tc.want)
			}
			if fast := bytes.HasSuffix(got, []byte(`,"_updatedAt":`+at+`}`)); fast != tc.fast {
				t.Errorf("%s: ends with _updatedAt after a comma: %v, want %v", got, fast, tc.fast)
			}
		})
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}
