package sqlstore_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pressly/goose/v3/lock"

	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/sqlstore"
	"github.com/parleychat/parley/internal/store/storetest"
)

// TestPostgres runs the conformance suite on PostgreSQL, one fresh schema
// per subtest, and the PostgreSQL-only tests, when PARLEY_TEST_POSTGRES_URL
// is set; otherwise it skips with one log line.
func TestPostgres(t *testing.T) {
	storetest.RequirePostgres(t)
	t.Parallel()
	t.Run("Conformance", func(t *testing.T) {
		t.Parallel()
		storetest.Run(t, func(t *testing.T) store.Store { return openPostgres(t) })
	})
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"SchemasAreIsolated", testSchemasAreIsolated},
		{"MigrationLock", testMigrationLock},
		{"LostConnection", testLostConnection},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t)
		})
	}
}

// testSchemasAreIsolated checks the test helper itself: two stores share
// nothing.
func testSchemasAreIsolated(t *testing.T) {
	ctx := t.Context()
	a, b := openPostgres(t), openPostgres(t)
	must(t, a.Settings().Set(ctx, "only-in-a", []byte(`true`)))
	all, err := b.Settings().All(ctx)
	must(t, err)
	if len(all) != 0 {
		t.Fatalf("a fresh schema has settings: %v", all)
	}
	all, err = a.Settings().All(ctx)
	must(t, err)
	if len(all) != 1 {
		t.Fatalf("store a has %d settings, want 1", len(all))
	}
}

// testMigrationLock: processes that start together on one schema migrate it
// once, one after the other; a migration lock held elsewhere in the database
// (another application, or another schema's deployment) does not hold them
// up.
func testMigrationLock(t *testing.T) {
	u := storetest.PostgresURL(t)

	// Hold goose's default session lock on a connection of our own.
	ctx := t.Context()
	holder, err := pgx.Connect(ctx, os.Getenv(storetest.EnvPostgresURL))
	must(t, err)
	defer holder.Close(context.Background())
	var locked bool
	must(t, holder.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, lock.DefaultLockID).Scan(&locked))
	if !locked {
		t.Skip("goose's default advisory lock is held by someone else")
	}
	defer holder.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, lock.DefaultLockID)

	octx, cancel := context.WithTimeout(ctx, 4*time.Second)
	defer cancel()
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		stores []*sqlstore.Store
		errs   []error
	)
	for range 4 {
		wg.Go(func() {
			st, err := sqlstore.Open(octx, u, "", sqlstore.Options{MaxConns: 2})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			stores = append(stores, st)
		})
	}
	wg.Wait()
	for _, st := range stores {
		t.Cleanup(func() { st.Close() })
	}
	if len(errs) > 0 {
		t.Fatalf("%d of 4 concurrent Opens of one schema failed; first: %v", len(errs), errs[0])
	}
	v, err := stores[0].ConfigVersion(ctx)
	must(t, err)
	if v != 1 {
		t.Errorf("ConfigVersion = %d after concurrent migrations, want 1 (migrated once)", v)
	}
}

// testLostConnection: when the server goes away, calls fail with
// store.ErrUnavailable (not a generic error, so the API can answer 503), and
// the store recovers by itself when the server is back.
func testLostConnection(t *testing.T) {
	raw := storetest.PostgresURL(t)
	u, err := url.Parse(raw)
	must(t, err)
	p := startProxy(t, u.Host)
	u.Host = p.addr
	ctx := t.Context()
	st, err := sqlstore.Open(ctx, u.String(), "", sqlstore.Options{MaxConns: 4, StatementTimeout: 5 * time.Second})
	must(t, err)
	defer st.Close()
	// Occupy two pooled connections, so both die below.
	must(t, st.InTx(ctx, func(tx store.Store) error {
		_, err := st.Users().Count(ctx)
		return err
	}))

	// Connections drop, the server stays: at most the calls that find a dead
	// connection fail, and only with ErrUnavailable.
	p.cut()
	for i := range 3 {
		_, err := st.Users().Count(ctx)
		if err != nil && !errors.Is(err, store.ErrUnavailable) {
			t.Fatalf("call %d after dropped connections: got %v, want nil or ErrUnavailable", i, err)
		}
		t.Logf("call %d after dropped connections: %v", i, err)
	}
	_, err = st.Users().Count(ctx)
	must(t, err)

	// The server is gone.
	p.stop()
	calls := map[string]func() error{
		"Ping":  func() error { return st.Ping(ctx) },
		"Count": func() error { _, err := st.Users().Count(ctx); return err },
		"Get":   func() error { _, err := st.Users().Get(ctx, "x"); return err },
		"Set":   func() error { return st.Settings().Set(ctx, "x", []byte(`1`)) },
		"InTx":  func() error { return st.InTx(ctx, func(store.Store) error { return nil }) },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("%s with the server gone: got %v, want ErrUnavailable", name, err)
		}
	}

	// It is back.
	p.start(t)
	must(t, st.Ping(ctx))
	must(t, st.Settings().Set(ctx, "back", []byte(`1`)))
}

// proxy forwards TCP connections to a PostgreSQL server and can drop them.
type proxy struct {
	target, addr string
	mu           sync.Mutex
	ln           net.Listener
	conns        map[net.Conn]bool
}

func startProxy(t *testing.T, target string) *proxy {
	p := &proxy{target: target, addr: "127.0.0.1:0", conns: map[net.Conn]bool{}}
	p.start(t)
	p.addr = p.ln.Addr().String()
	t.Cleanup(p.stop)
	return p
}

func (p *proxy) start(t *testing.T) {
	ln, err := net.Listen("tcp", p.addr)
	must(t, err)
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
}

func (p *proxy) serve(c net.Conn) {
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[c], p.conns[s] = true, true
	p.mu.Unlock()
	go func() { io.Copy(s, c); s.Close() }()
	io.Copy(c, s)
	c.Close()
}

// cut closes every proxied connection.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// stop also stops accepting, so new connections are refused.
func (p *proxy) stop() {
	p.mu.Lock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	p.mu.Unlock()
	p.cut()
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
