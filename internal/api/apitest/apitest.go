// Package apitest boots a real Parley server (real router, real store in a
// temp dir) for black-box HTTP tests, and checks every 200 response against
// the Rocket.Chat contract documents.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"github.com/parleychat/parley/internal/api"
	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/files"
	"github.com/parleychat/parley/internal/preview"
	"github.com/parleychat/parley/internal/settings"
	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/sqlstore"
	"github.com/parleychat/parley/internal/store/storetest"
)

// AdminPassword is the password of the admin every Env starts with.
const AdminPassword = "admin-secret"

// Env is one running server.
type Env struct {
	T        testing.TB
	App      *app.App
	Store    store.Store
	Settings *settings.Registry
	Handler  http.Handler
	Admin    *Client
	// S3 is the address of the S3 server under the AmazonS3 storage of
	// WithFileStorage, "" without it.
	S3  string
	seq atomic.Int64
}

// Option changes how an Env starts.
type Option func(*envConfig)

type envConfig struct {
	dbURL      string
	keepLimits bool
	resolver   preview.Resolver
	now        func() time.Time
	apiOpts    []func(*api.Options)
	// createTokens is app.Config.CreateTokensForUsers.
	createTokens bool
	// storage is FileUpload_Storage_Type, when a test picks it.
	storage string
}

// WithFileStorage stores new files in the storage of kind (FileSystem,
// GridFS or AmazonS3). AmazonS3 gets a bucket of its own on an S3 server
// that runs in the test process (Env.S3 names it).
func WithFileStorage(kind string) Option { return func(c *envConfig) { c.storage = kind } }

// WithCreateTokensForUsers starts the server as CREATE_TOKENS_FOR_USERS=true
// does, which users.createToken needs.
func WithCreateTokensForUsers() Option { return func(c *envConfig) { c.createTokens = true } }

// EnvDatabase names the environment variable that picks the database every
// New runs on when no WithDatabase option is given: "postgres" puts each Env
// on a fresh schema of the server named by PARLEY_TEST_POSTGRES_URL (each
// test skips when that is unset); empty or "sqlite" keeps SQLite. It lets the
// whole HTTP suite run on PostgreSQL unchanged, e.g.
//
//	PARLEY_TEST_API_DB=postgres go test -run TestLogin ./internal/api/
const EnvDatabase = "PARLEY_TEST_API_DB"

// WithDatabase runs the Env on the given database URL instead of SQLite.
func WithDatabase(url string) Option { return func(c *envConfig) { c.dbURL = url } }

// OnPostgres reports whether New puts Envs on PostgreSQL by default (see
// EnvDatabase).
func OnPostgres() bool { return os.Getenv(EnvDatabase) == "postgres" }

// WithPreviewResolver makes URL previews resolve host names with r, so that
// tests can give names to loopback servers without asking real DNS.
func WithPreviewResolver(r preview.Resolver) Option { return func(c *envConfig) { c.resolver = r } }

// WithAPIOptions changes the HTTP layer's options before the server is
// built.
func WithAPIOptions(f func(*api.Options)) Option {
	return func(c *envConfig) { c.apiOpts = append(c.apiOpts, f) }
}

// MetricsToken is the bearer token /metrics requires in every Env.
const MetricsToken = "test-metrics-token"

// Metrics fetches /metrics with MetricsToken.
func (e *Env) Metrics(t testing.TB) *Response {
	t.Helper()
	c := e.Anon()
	c.Header.Set("Authorization", "Bearer "+MetricsToken)
	return c.Do(t, http.MethodGet, "/metrics", nil, "").Expect(t, http.StatusOK)
}

// WithRateLimiter leaves the rate limiter on (it is off in tests, as
// Rocket.Chat's TEST_MODE turns it off).
func WithRateLimiter() Option { return func(c *envConfig) { c.keepLimits = true } }

// New starts a server on a fresh SQLite database in t.TempDir(), or on a
// fresh PostgreSQL schema (see EnvDatabase).
func New(t testing.TB, opts ...Option) *Env {
	t.Helper()
	var cfg envConfig
	for _, o := range opts {
		o(&cfg)
	}
	switch db := os.Getenv(EnvDatabase); {
	case cfg.dbURL != "":
	case db == "postgres":
		cfg.dbURL = storetest.PostgresURL(t)
	case db != "" && db != "sqlite":
		t.Fatalf("%s=%q: want postgres or sqlite", EnvDatabase, db)
	}
	ctx := context.Background()
	var sopts sqlstore.Options
	if strings.HasPrefix(cfg.dbURL, "postgres") {
		// Many Envs run at once on one server: a small pool each keeps the
		// total under its max_connections.
		sopts.MaxConns = 8
	}
	dataDir := t.TempDir()
	st, err := sqlstore.Open(ctx, cfg.dbURL, dataDir, sopts)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	local, err := files.NewLocal(filepath.Join(dataDir, "uploads"))
	if err != nil {
		t.Fatalf("open uploads: %v", err)
	}
	uploads := app.FileStorages{FileSystem: local, GridFS: sqlstore.NewGridFS(st), Default: app.DefaultFileStorage(st.Dialect())}
	reg := settings.NewDefault()
	// One registry for the app and the HTTP layer, as cmd/parley has, so
	// that /metrics shows both.
	metrics := prometheus.NewRegistry()
	log := slog.New(slog.NewTextHandler(newTestLog(t), &slog.HandlerOptions{Level: slog.LevelError}))
	a := app.New(app.Config{Store: st, Settings: reg, Logger: log, BcryptCost: bcrypt.MinCost, SiteURL: "http://localhost:3000", Files: uploads,
		// Retries after a provider's 429 or 5xx come quickly, and a provider
		// that never answers times out soon, so that tests of them stay
		// within their deadlines.
		PreviewResolver: cfg.resolver, TranslateRetryBackoff: 50 * time.Millisecond, TranslateTimeout: time.Second,
		Metrics: metrics,
		Now:     cfg.now,

		CreateTokensForUsers: cfg.createTokens,
	})
	t.Cleanup(func() {
		// Before the store closes (cleanups run last-in first-out), so
		// that no background job writes to a closed database.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = a.Close(ctx)
	})
	if err := a.Start(ctx, app.Bootstrap{AdminUsername: "admin", AdminPassword: AdminPassword, AdminEmail: "admin@example.com"}); err != nil {
		t.Fatalf("start app: %v", err)
	}
	if !cfg.keepLimits {
		if err := a.ApplySettingOverrides(ctx, map[string]any{"API_Enable_Rate_Limiter": false}); err != nil {
			t.Fatalf("settings: %v", err)
		}
	}
	s3URL := ""
	if cfg.storage != "" {
		over := map[string]any{"FileUpload_Storage_Type": cfg.storage}
		if cfg.storage == files.AmazonS3 {
			s3URL = StartS3(t, "parley-test")
			for k, v := range S3Settings(s3URL, "parley-test") {
				over[k] = v
			}
		}
		if err := a.ApplySettingOverrides(ctx, over); err != nil {
			t.Fatalf("settings: %v", err)
		}
	}
	aopts := api.Options{Version: "test", Logger: log, MetricsToken: MetricsToken, Metrics: metrics, Gatherer: metrics}
	for _, f := range cfg.apiOpts {
		f(&aopts)
	}
	e := &Env{T: t, App: a, Store: st, Settings: reg, Handler: api.New(a, aopts), S3: s3URL}
	e.Admin = e.Login(t, "admin", AdminPassword)
	return e
}

// Client is a logged-in (or anonymous) caller.
type Client struct {
	env      *Env
	UserID   string
	Token    string
	Username string
	// Header is sent with every request.
	Header http.Header
}

// Anon returns a caller with no credentials.
func (e *Env) Anon() *Client { return &Client{env: e, Header: http.Header{}} }

// Login logs in with a password and returns the caller.
func (e *Env) Login(t testing.TB, username, password string) *Client {
	t.Helper()
	var out struct {
		Data struct {
			UserID    string `json:"userId"`
			AuthToken string `json:"authToken"`
		} `json:"data"`
	}
	e.Anon().Post(t, "login", map[string]any{"user": username, "password": password}).OK(t).Decode(t, &out)
	return &Client{env: e, UserID: out.Data.UserID, Token: out.Data.AuthToken, Username: username, Header: http.Header{}}
}

// NewUser creates a user with the "user" role (and any extra fields) via
// users.create and logs them in. The username gets a unique suffix unless
// it is unique already within this Env.
func (e *Env) NewUser(t testing.TB, username string, extra ...map[string]any) *Client {
	t.Helper()
	body := map[string]any{"username": username, "name": strings.ToUpper(username[:1]) + username[1:],
		"email": username + "@example.com", "password": "pw-" + username}
	for _, x := range extra {
		for k, v := range x {
			body[k] = v
		}
	}
	e.Admin.Post(t, "users.create", body).OK(t)
	return e.Login(t, username, "pw-"+username)
}

// Unique returns prefix with a per-Env sequence number, for names.
func (e *Env) Unique(prefix string) string {
	return prefix + strconv.FormatInt(e.seq.Add(1), 10)
}

// Response is a recorded answer.
type Response struct {
	Method, Target string
	Status         int
	Header         http.Header
	Body           []byte
}

// Get sends GET path?query.
func (c *Client) Get(t testing.TB, path string, query ...url.Values) *Response {
	t.Helper()
	target := "/api/v1/" + path
	if len(query) > 0 && len(query[0]) > 0 {
		target += "?" + query[0].Encode()
	}
	return c.Do(t, http.MethodGet, target, nil, "")
}

// Post sends POST with body encoded as JSON (a string or []byte is sent as is).
func (c *Client) Post(t testing.TB, path string, body any) *Response {
	t.Helper()
	var b []byte
	switch x := body.(type) {
	case nil:
	case string:
		b = []byte(x)
	case []byte:
		b = x
	default:
		var err error
		if b, err = json.Marshal(x); err != nil {
			t.Fatalf("encode body: %v", err)
		}
	}
	return c.Do(t, http.MethodPost, "/api/v1/"+path, b, "application/json")
}

// Do sends any request through the real router.
func (c *Client) Do(t testing.TB, method, target string, body []byte, contentType string) *Response {
	t.Helper()
	req := httptest.NewRequest(method, target, bytes.NewReader(body))
	req.RemoteAddr = "192.0.2.1:1234"
	for k, v := range c.Header {
		req.Header[k] = v
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.UserID != "" {
		req.Header.Set("X-User-Id", c.UserID)
		req.Header.Set("X-Auth-Token", c.Token)
	}
	rec := httptest.NewRecorder()
	c.env.Handler.ServeHTTP(rec, req)
	res := &Response{Method: method, Target: target, Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	if res.Status == http.StatusOK {
		checkSpec(t, method, target, body, res.Status, res.Header, res.Body)
	}
	return res
}

// Expect fails the test unless the status is want.
func (r *Response) Expect(t testing.TB, want int) *Response {
	t.Helper()
	if r.Status != want {
		t.Fatalf("%s %s: status %d, want %d; body: %s", r.Method, r.Target, r.Status, want, truncate(r.Body))
	}
	return r
}

// OK is Expect(200) plus success:true.
func (r *Response) OK(t testing.TB) *Response {
	t.Helper()
	r.Expect(t, http.StatusOK)
	if m := r.JSON(t); m["success"] != true {
		t.Fatalf("%s %s: success is %v; body: %s", r.Method, r.Target, m["success"], truncate(r.Body))
	}
	return r
}

// Fails checks a Rocket.Chat failure: status, and errorType and the error
// string when given (empty = not checked).
func (r *Response) Fails(t testing.TB, status int, errorType, errorText string) *Response {
	t.Helper()
	r.Expect(t, status)
	m := r.JSON(t)
	if m["success"] != false {
		t.Fatalf("%s %s: success is %v, want false", r.Method, r.Target, m["success"])
	}
	if errorType != "" && m["errorType"] != errorType {
		t.Fatalf("%s %s: errorType %v, want %q; body: %s", r.Method, r.Target, m["errorType"], errorType, truncate(r.Body))
	}
	if errorText != "" && m["error"] != errorText {
		t.Fatalf("%s %s: error %q, want %q", r.Method, r.Target, m["error"], errorText)
	}
	return r
}

// JSON decodes the body as an object.
func (r *Response) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("%s %s: body is not a JSON object: %v: %s", r.Method, r.Target, err, truncate(r.Body))
	}
	return m
}

// Decode decodes the body into v.
func (r *Response) Decode(t testing.TB, v any) *Response {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("%s %s: decode: %v: %s", r.Method, r.Target, err, truncate(r.Body))
	}
	return r
}

// Q builds query values from key, value pairs.
func Q(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// testLog passes the server's error lines to the test's log, so that an
// unexpected 500 shows its cause. Lines written after the test ended (by a
// goroutine that outlived it) are dropped: testing panics on them.
type testLog struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func newTestLog(t testing.TB) io.Writer {
	l := &testLog{t: t}
	t.Cleanup(func() {
		l.mu.Lock()
		l.done = true
		l.mu.Unlock()
	})
	return l
}

func (l *testLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.done {
		l.t.Logf("server: %s", bytes.TrimRight(p, "\n"))
	}
	return len(p), nil
}
