// Package app holds Parley's behaviour: who may do what, which settings
// apply, and the side effects of each action, as Rocket.Chat does them. It
// takes and returns model types and never sees HTTP.
package app

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parleychat/parley/internal/auth"
	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/jobs"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/preview"
	"github.com/parleychat/parley/internal/settings"
	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/translate"
)

// Config wires an App.
type Config struct {
	Store    store.Store
	Settings *settings.Registry
	Bus      events.Bus
	Logger   *slog.Logger
	// BcryptCost for new password hashes; 0 = bcrypt's default.
	BcryptCost int
	// SiteURL is used when the Site_Url setting is empty.
	SiteURL string
	// Files are the storages of uploaded files; without any, uploads are
	// refused.
	Files FileStorages
	// PreviewResolver resolves host names for URL previews; nil means the
	// system resolver. Tests map names to loopback addresses with it.
	PreviewResolver preview.Resolver
	// TranslateRetryBackoff is the first wait before a translation is
	// retried after a 429 or 5xx answer; 0 means the pool's default.
	TranslateRetryBackoff time.Duration
	// TranslateTimeout bounds each request to the translation service;
	// 0 means the provider default (10 s).
	TranslateTimeout time.Duration
	// Metrics receives the collectors of the background work (preview
	// fetches, translation jobs, faults); nil keeps them unexported.
	Metrics prometheus.Registerer
	// Now is the clock the app reads for every time it stores or compares
	// (message times, login windows, edit limits, caches); nil means
	// time.Now. Tests move it instead of sleeping.
	Now func() time.Time
	// CreateTokensForUsers allows users.createToken, as Rocket.Chat's
	// CREATE_TOKENS_FOR_USERS environment variable does.
	CreateTokensForUsers bool
}

// App is the application layer.
type App struct {
	store    store.Store
	Settings *settings.Registry
	bus      events.Bus
	log      *slog.Logger
	hasher   auth.Hasher
	siteURL  string
	files    *fileStores
	clock    func() time.Time

	permMu sync.RWMutex
	perms  map[string]map[string]bool // permission → role set
	// rolesAt is when this server set up the default roles (roles.go).
	rolesAt model.Time

	cfgMu      sync.Mutex
	cfgVersion int64

	// authUsers remembers the users of logins for a moment (memo.go).
	authUsers shortMemo[*model.User]
	// sessions remembers for a moment the sessions Authenticate found,
	// with their user's updatedAt, for AuthenticateHint.
	sessions shortMemo[model.Time]
	// logins counts failed logins (logins.go).
	logins loginGuard

	// Background work on saved messages (jobs.go).
	previews      *preview.Fetcher
	createTokens  bool
	previewJobs   *jobs.Pool
	translators   *translate.Registry
	translations  *translate.Retrier
	translateJobs *jobs.Pool
	faults        *prometheus.CounterVec
}

// New returns an App. Call Start before serving.
func New(c Config) *App {
	if c.Bus == nil {
		c.Bus = events.NewMemory()
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	a := &App{
		store: c.Store, Settings: c.Settings, bus: c.Bus, log: c.Logger,
		hasher: auth.Hasher{Cost: c.BcryptCost}, siteURL: c.SiteURL, files: newFileStores(c.Files, c.Settings), clock: c.Now,
		createTokens: c.CreateTokensForUsers,
	}
	a.startIntegrations(c)
	return a
}

// Close stops the background work on messages: queued previews and
// translations finish until ctx ends, then are abandoned.
func (a *App) Close(ctx context.Context) error { return a.stopIntegrations(ctx) }

// Ping reports whether the database answers, for health checks.
func (a *App) Ping(ctx context.Context) error { return a.store.Ping(ctx) }

// Bus returns the event bus.
func (a *App) Bus() events.Bus { return a.bus }

// Start seeds the database on first run and loads settings and permissions.
func (a *App) Start(ctx context.Context, env Bootstrap) error {
	if err := a.prepare(ctx); err != nil {
		return err
	}
	if err := a.bootstrap(ctx, env); err != nil {
		return err
	}
	return a.warnWithoutAdmin(ctx)
}

// StartTool is Start for a command-line tool on a database that a server
// may be using at the same time: it loads settings and permissions and
// makes sure the default channel exists, and leaves the first
// administrator to the tool.
func (a *App) StartTool(ctx context.Context) error {
	if err := a.prepare(ctx); err != nil {
		return err
	}
	return a.tx(ctx, func(st store.Store) error {
		if _, err := a.ensureBot(ctx, st); err != nil {
			return err
		}
		return a.ensureGeneral(ctx, st)
	})
}

// prepare seeds the default permissions and loads settings and permissions.
func (a *App) prepare(ctx context.Context) error {
	all := auth.AllPermissions()
	defaults := make([]store.Permission, 0, len(all))
	for id, roles := range all {
		defaults = append(defaults, store.Permission{ID: id, Roles: roles})
	}
	if err := a.store.Permissions().Seed(ctx, defaults); err != nil {
		return err
	}
	a.rolesAt = a.now()
	return a.reloadConfig(ctx, true)
}

// WatchConfig keeps this node's settings and permissions in step with the
// database. It reloads them when the bus announces a change to either
// (made on any node), when the bus's link to the other nodes comes back
// after a loss, and every interval as a safety net for announcements lost
// all the same. It returns when ctx ends.
func (a *App) WatchConfig(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	sub := a.bus.Subscribe(configEventBuffer)
	defer func() { sub.Close() }()
	reload := func() {
		if err := a.reloadConfig(ctx, false); err != nil && ctx.Err() == nil {
			a.log.Warn("config reload failed", "err", err)
		}
	}
	// A change made between Start and the subscription had no listener.
	reload()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			reload()
		case e, ok := <-sub.C:
			if !ok {
				// Dropped for falling behind: announcements were missed.
				sub = a.bus.Subscribe(configEventBuffer)
				reload()
				continue
			}
			switch e.Kind {
			case events.SettingChanged, events.PermissionChanged, events.BusReconnected:
				reload()
			}
		}
	}
}

// configEventBuffer is WatchConfig's share of the bus: it sees every event
// and keeps only a few.
const configEventBuffer = 1024

// reloadConfig loads settings and permissions if the stored version moved
// (or always, when force is set).
func (a *App) reloadConfig(ctx context.Context, force bool) error {
	a.cfgMu.Lock()
	defer a.cfgMu.Unlock()
	v, err := a.store.ConfigVersion(ctx)
	if err != nil {
		return err
	}
	if !force && v == a.cfgVersion {
		return nil
	}
	if err := a.Settings.Load(ctx, a.store.Settings()); err != nil {
		return err
	}
	if err := a.loadPermissions(ctx, a.store); err != nil {
		return err
	}
	a.cfgVersion = v
	return nil
}

func (a *App) loadPermissions(ctx context.Context, st store.Store) error {
	all, err := st.Permissions().All(ctx)
	if err != nil {
		return err
	}
	m := make(map[string]map[string]bool, len(all))
	for _, p := range all {
		set := make(map[string]bool, len(p.Roles))
		for _, r := range p.Roles {
			set[r] = true
		}
		m[p.ID] = set
	}
	a.permMu.Lock()
	a.perms = m
	a.permMu.Unlock()
	return nil
}

// tx runs fn in one transaction and maps store failures to API errors.
func (a *App) tx(ctx context.Context, fn func(st store.Store) error) error {
	var t emitter
	err := a.store.InTx(ctx, func(st store.Store) error {
		// A retried transaction starts again with no events.
		t = emitter{Store: st}
		return fn(&t)
	})
	if err != nil {
		return a.storeErr(err)
	}
	a.bus.Publish(t.events...)
	for _, fn := range t.committed {
		fn()
	}
	return nil
}

// emitter is the store of a transaction, carrying the events its changes
// emit until it commits; a rolled-back change publishes nothing.
type emitter struct {
	store.Store
	events []events.Event
	// committed runs once the transaction has committed.
	committed []func()
}

// onCommit runs fn once the transaction of st has committed, or at once
// outside a transaction. Work that must not run inside the transaction
// goes there: deleting file bytes kept in the database, say, which on
// SQLite would wait for the one writer the transaction holds.
func (a *App) onCommit(st store.Store, fn func()) {
	if t, ok := st.(*emitter); ok {
		t.committed = append(t.committed, fn)
		return
	}
	fn()
}

// emit announces a change written through st: inside a transaction the
// event waits for the commit, outside it the write is already durable.
func (a *App) emit(st store.Store, kind events.Kind, rid, uid, id string) {
	e := events.Event{Kind: kind, RoomID: rid, UserID: uid, ID: id}
	if t, ok := st.(*emitter); ok {
		// Steps of one change often announce the same thing (every reply
		// touches the room's subscriptions); once is enough.
		if !slices.ContainsFunc(t.events, func(o events.Event) bool {
			return o.Kind == e.Kind && o.RoomID == e.RoomID && o.UserID == e.UserID && o.ID == e.ID
		}) {
			t.events = append(t.events, e)
		}
		return
	}
	a.bus.Publish(e)
}

// storeErr turns an unreachable database into a 503 and leaves other
// errors alone.
func (a *App) storeErr(err error) error {
	if errors.Is(err, store.ErrUnavailable) {
		return ErrUnavailable
	}
	return err
}

// Now returns the app's clock reading (Config.Now), for the layers above
// that answer with a time.
func (a *App) Now() time.Time { return a.clock() }

func (a *App) now() model.Time { return model.FromTime(a.clock()) }

// SiteURL is the Site_Url setting, or the configured fallback.
func (a *App) SiteURL() string {
	if s := a.Settings.String("Site_Url"); s != "" {
		return s
	}
	return a.siteURL
}
