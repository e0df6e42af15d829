package app_test

import (
	"context"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/settings"
	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/sqlstore"
)

// twoNodes runs two apps on one database and one bus, as two nodes would
// be; node B watches its configuration with a poll too slow to matter.
func twoNodes(t *testing.T) (a, b *app.App, bus *events.Memory, st store.Store) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, "", t.TempDir(), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	bus = events.NewMemory()
	newApp := func() *app.App {
		x := app.New(app.Config{Store: st, Settings: settings.NewDefault(), Bus: bus, BcryptCost: bcrypt.MinCost})
		t.Cleanup(func() { x.Close(context.Background()) })
		if err := x.Start(ctx, app.Bootstrap{AdminUsername: "root", AdminPassword: "pw", AdminEmail: "root@example.com"}); err != nil {
			t.Fatal(err)
		}
		return x
	}
	a, b = newApp(), newApp()
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); b.WatchConfig(wctx, time.Hour) }()
	t.Cleanup(func() { cancel(); <-done })
	return a, b, bus, st
}

// eventually polls ok until it holds, failing t after a generous bound.
func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for start := time.Now(); !ok(); time.Sleep(5 * time.Millisecond) {
		if time.Since(start) > 5*time.Second {
			t.Fatalf("%s: never happened", what)
		}
	}
}

// saveSettingOnA has node a's admin set Message_MaxAllowedSize to 20 and
// waits until node b applies it. It returns the admin.
func saveSettingOnA(t *testing.T, a, b *app.App, st store.Store) *model.User {
	t.Helper()
	ctx := context.Background()
	root, err := st.Users().GetByUsername(ctx, "root")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SaveSetting(ctx, root, "Message_MaxAllowedSize", 20); err != nil {
		t.Fatal(err)
	}
	eventually(t, "node B applies node A's setting", func() bool { return b.Settings.Int("Message_MaxAllowedSize") == 20 })
	return root
}

func TestWatchConfigFollowsEvents(t *testing.T) {
	t.Parallel()
	a, b, _, st := twoNodes(t)
	ctx := context.Background()
	root := saveSettingOnA(t, a, b, st)

	user := &model.User{ID: "u1", Roles: []string{"user"}}
	if !b.HasPermission(user, "create-c") {
		t.Fatal("users may create channels by default")
	}
	if _, err := a.UpdatePermissions(ctx, root, []app.PermissionUpdate{{ID: "create-c", Roles: []string{"admin"}}}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "node B applies node A's permission", func() bool { return !b.HasPermission(user, "create-c") })
}

// A change whose announcement was lost (written while the bus was down)
// is read when the bus says it is back.
func TestWatchConfigReloadsWhenTheBusReconnects(t *testing.T) {
	t.Parallel()
	a, b, bus, st := twoNodes(t)
	ctx := context.Background()
	// An announced change first: once B has it, B's watcher is running,
	// so the reload below is the reconnect's and not the start's.
	saveSettingOnA(t, a, b, st)

	if err := a.Settings.Save(ctx, st.Settings(), "Message_MaxAllowedSize", 30); err != nil {
		t.Fatal(err)
	}
	if err := st.BumpConfigVersion(ctx); err != nil {
		t.Fatal(err)
	}
	bus.Publish(events.Event{Kind: events.BusReconnected})
	eventually(t, "node B reloads after the bus reconnected", func() bool { return b.Settings.Int("Message_MaxAllowedSize") == 30 })
}
