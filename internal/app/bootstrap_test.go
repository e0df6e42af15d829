package app_test

import (
	"context"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/settings"
	"github.com/parleychat/parley/internal/store/sqlstore"
	"github.com/parleychat/parley/internal/store/storetest"
)

// Every start makes sure rocket.cat exists, once; the bot does not count
// as a person, so a later start with ADMIN_* still creates the first
// administrator; the admin tool's start creates the bot as well.
func TestBootstrapCreatesRocketCatOnce(t *testing.T) {
	t.Parallel()
	for _, db := range []struct{ name, url string }{{"sqlite", ""}, {"postgres", "postgres"}} {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			url := db.url
			if url != "" {
				url = storetest.PostgresURL(t)
			}
			ctx := context.Background()
			st, err := sqlstore.Open(ctx, url, t.TempDir(), sqlstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			start := func(env app.Bootstrap, tool bool) {
				t.Helper()
				a := app.New(app.Config{Store: st, Settings: settings.NewDefault(), BcryptCost: bcrypt.MinCost})
				defer a.Close(ctx)
				var err error
				if tool {
					err = a.StartTool(ctx)
				} else {
					err = a.Start(ctx, env)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			count := func() int {
				t.Helper()
				n, err := st.Users().Count(ctx)
				if err != nil {
					t.Fatal(err)
				}
				return n
			}

			start(app.Bootstrap{}, true) // the admin tool, before any server
			bot, err := st.Users().Get(ctx, app.BotID)
			if err != nil {
				t.Fatalf("rocket.cat after the tool's start: %v", err)
			}
			if bot.Username != "rocket.cat" || bot.Type != "bot" || !bot.Active || bot.PasswordHash != "" ||
				len(bot.Roles) != 1 || bot.Roles[0] != "bot" {
				t.Fatalf("rocket.cat = %+v", bot)
			}
			start(app.Bootstrap{}, false)
			if n := count(); n != 1 {
				t.Fatalf("%d users after two starts, want the bot alone", n)
			}
			start(app.Bootstrap{AdminUsername: "root", AdminPassword: "pw", AdminEmail: "root@example.com"}, false)
			if _, err := st.Users().GetByUsername(ctx, "root"); err != nil {
				t.Fatalf("the bot kept the first administrator out: %v", err)
			}
			start(app.Bootstrap{AdminUsername: "other", AdminPassword: "pw"}, false)
			if n := count(); n != 2 {
				t.Fatalf("%d users after four starts, want the bot and root", n)
			}
			if _, err := st.Users().GetByUsername(ctx, "other"); err == nil {
				t.Fatal("a second administrator was created from ADMIN_*")
			}
			subs, err := st.Subscriptions().ListByUser(ctx, app.BotID, 0)
			if err != nil || len(subs) != 0 {
				t.Fatalf("rocket.cat's rooms: %v, %v", subs, err)
			}
		})
	}
}
