package sqlstore_test

import (
	"testing"

	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/storetest"
)

// TestSQLite runs the conformance suite on SQLite, one database file in
// t.TempDir() per subtest.
func TestSQLite(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store { return openSQLite(t) })
}
