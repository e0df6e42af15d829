package storetest

import (
	"sort"
	"testing"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

var userTests = []test{
	{"CreateAndGetRoundTrip", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		u := newUser("Alice", 1)
		u.Bio, u.Nickname, u.Language, u.UTCOffset = "bio", "ally", "de", -5
		u.StatusText, u.RequirePasswordChange = "away", true
		u.Roles = []string{"user", "admin"}
		u.CustomFields = map[string]any{"team": "blue"}
		u.Settings = &model.UserSettings{Preferences: map[string]any{"theme": "dark", "sound": true}}
		u.LastLogin = tp(at(5))
		createUser(t, s, u)

		got, err := s.Users().Get(ctx, u.ID)
		must(t, err)
		wantEqual(t, "Get", got, u)
		got, err = s.Users().GetByUsername(ctx, "aLICE")
		must(t, err)
		wantEqual(t, "GetByUsername (case-insensitive)", got, u)
		got, err = s.Users().GetByEmail(ctx, "ALICE@Example.COM")
		must(t, err)
		wantEqual(t, "GetByEmail (case-insensitive)", got, u)
	}},
	{"GetMissing", func(t *testing.T, s store.Store) {
		createUser(t, s, newUser("bob", 1))
		wantNotFound(t, s.Users().Get, "nope")
		wantNotFound(t, s.Users().GetByUsername, "bobby")
		wantNotFound(t, s.Users().GetByEmail, "nobody@example.com", "")
	}},
	{"UniqueUsernameAndEmailCaseInsensitive", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		createUser(t, s, newUser("carol", 1))

		dupName := newUser("CAROL", 2)
		dupName.Emails = []model.Email{{Address: "other@example.com"}}
		wantErr(t, s.Users().Create(ctx, dupName), store.ErrConflict)

		dupMail := newUser("carol2", 3)
		dupMail.Emails = []model.Email{{Address: "Carol@EXAMPLE.com"}}
		wantErr(t, s.Users().Create(ctx, dupMail), store.ErrConflict)

		dupID := newUser("carol3", 4)
		u, err := s.Users().GetByUsername(ctx, "carol")
		must(t, err)
		dupID.ID = u.ID
		wantErr(t, s.Users().Create(ctx, dupID), store.ErrConflict)

		n, err := s.Users().Count(ctx)
		must(t, err)
		wantEqual(t, "Count after conflicts", n, 1)
	}},
	{"UsersWithoutEmail", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		for _, name := range []string{"bot1", "bot2"} {
			u := newUser(name, 1)
			u.Emails = nil
			createUser(t, s, u)
		}
		n, err := s.Users().Count(ctx)
		must(t, err)
		wantEqual(t, "Count", n, 2)
	}},
	{"Update", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		u := createUser(t, s, newUser("dave", 1))
		other := createUser(t, s, newUser("erin", 2))

		u.Username, u.Name, u.Emails = "David", "David D", []model.Email{{Address: "david@example.com", Verified: true}}
		u.Roles, u.Active, u.PasswordHash, u.UpdatedAt = []string{"user", "bot"}, false, "newhash", at(10)
		must(t, s.Users().Update(ctx, u))
		got, err := s.Users().GetByUsername(ctx, "david")
		must(t, err)
		wantEqual(t, "after Update", got, u)
		wantNotFound(t, s.Users().GetByUsername, "dave")
		wantNotFound(t, s.Users().GetByEmail, "dave@example.com")
		n, err := s.Users().CountWithRole(ctx, "bot")
		must(t, err)
		wantEqual(t, "CountWithRole(bot) after Update", n, 1)

		// Taking another user's username or email conflicts.
		u.Username = "ERIN"
		wantErr(t, s.Users().Update(ctx, u), store.ErrConflict)
		u.Username, u.Emails = "david", other.Emails
		wantErr(t, s.Users().Update(ctx, u), store.ErrConflict)

		missing := newUser("ghost", 3)
		wantErr(t, s.Users().Update(ctx, missing), store.ErrNotFound)
	}},
	{"Delete", func(t *testing.T, s store.Store) {
		u := createUser(t, s, newUser("frank", 1))
		wantDeletedOnce(t, u.ID, s.Users().Delete, s.Users().Get)
		// The username and email are free again.
		createUser(t, s, newUser("frank", 2))
	}},
	{"GetManyByUsername", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		createUser(t, s, newUser("ann", 1))
		createUser(t, s, newUser("bob", 2))
		createUser(t, s, newUser("cy", 3))

		got, err := s.Users().GetManyByUsername(ctx, []string{"BOB", "missing", "ann"})
		must(t, err)
		names := userNames(got)
		sort.Strings(names)
		wantEqual(t, "GetManyByUsername", names, []string{"ann", "bob"})
		got, err = s.Users().GetManyByUsername(ctx, nil)
		must(t, err)
		wantEqual(t, "GetManyByUsername(nil)", len(got), 0)
	}},
	{"GetMany", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		a := createUser(t, s, newUser("a", 1))
		b := createUser(t, s, newUser("b", 2))
		createUser(t, s, newUser("c", 3))

		got, err := s.Users().GetMany(ctx, []string{b.ID, "missing", a.ID})
		must(t, err)
		names := userNames(got)
		sort.Strings(names)
		wantEqual(t, "GetMany", names, []string{"a", "b"})
		for _, u := range got {
			if u.PasswordHash == "" {
				t.Errorf("GetMany: %s has no password hash", u.Username)
			}
		}
		got, err = s.Users().GetMany(ctx, nil)
		must(t, err)
		wantEqual(t, "GetMany(nil)", len(got), 0)
		got, err = s.Users().GetMany(ctx, []string{})
		must(t, err)
		wantEqual(t, "GetMany([])", len(got), 0)
	}},
	{"ListFilter", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		for i, name := range []string{"alpha", "ALPHABET", "beta", "gamma_ray", "gammaXray", "100%", "1000", `back\slash`, "backXslash"} {
			createUser(t, s, newUser(name, i))
		}
		// Name matches too: "Name of beta".
		beta, err := s.Users().GetByUsername(ctx, "beta")
		must(t, err)
		beta.Name = "Zeta Person"
		must(t, s.Users().Update(ctx, beta))
		// Case-insensitive beyond ASCII.
		emile := newUser("emile", 20)
		emile.Name = "Émile Straße"
		createUser(t, s, emile)

		cases := []struct {
			filter string
			want   []string
		}{
			{"", []string{"100%", "1000", "alpha", "ALPHABET", `back\slash`, "backXslash", "beta", "emile", "gamma_ray", "gammaXray"}},
			{"ÉMILE", []string{"emile"}},
			{"STRAßE", []string{"emile"}},
			{"alpha", []string{"alpha", "ALPHABET"}},
			{"AlPhA", []string{"alpha", "ALPHABET"}},
			{"zeta pers", []string{"beta"}},
			{"a_r", []string{"gamma_ray"}}, // _ is not a wildcard
			{"_", []string{"gamma_ray"}},
			{"%", []string{"100%"}}, // % is not a wildcard
			{"0%", []string{"100%"}},
			{`\`, []string{`back\slash`}},
			{`k\s`, []string{`back\slash`}},
			{"nomatch", []string{}},
		}
		for _, c := range cases {
			list, total, err := s.Users().List(ctx, c.filter, store.ListOptions{})
			must(t, err)
			wantEqual(t, "List("+c.filter+")", userNames(list), c.want)
			wantEqual(t, "List("+c.filter+") total", total, len(c.want))
		}
	}},
	{"ListPagingAndSorting", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		// Created in an order that differs from both name orders.
		for i, name := range []string{"dan", "bea", "eve", "cid", "abe"} {
			u := newUser(name, i)
			u.Name = map[string]string{"dan": "3", "bea": "5", "eve": "1", "cid": "4", "abe": "2"}[name]
			createUser(t, s, u)
		}
		wantPages(t, 5, func(opts store.ListOptions) ([]string, int, error) {
			list, total, err := s.Users().List(ctx, "", opts)
			return userNames(list), total, err
		}, []pageCase{
			{"default order is username", store.ListOptions{}, []string{"abe", "bea", "cid", "dan", "eve"}},
			{"count", store.ListOptions{Count: 2}, []string{"abe", "bea"}},
			{"offset+count", store.ListOptions{Offset: 2, Count: 2}, []string{"cid", "dan"}},
			{"offset only", store.ListOptions{Offset: 3}, []string{"dan", "eve"}},
			{"offset past end", store.ListOptions{Offset: 10, Count: 2}, []string{}},
			{"username desc", store.ListOptions{Sort: []store.SortField{{Field: "username", Desc: true}}}, []string{"eve", "dan", "cid", "bea", "abe"}},
			{"name", store.ListOptions{Sort: []store.SortField{{Field: "name"}}}, []string{"eve", "abe", "dan", "cid", "bea"}},
			{"createdAt desc", store.ListOptions{Sort: []store.SortField{{Field: "createdAt", Desc: true}}}, []string{"abe", "cid", "eve", "bea", "dan"}},
			{"createdAt paged", store.ListOptions{Offset: 1, Count: 2, Sort: []store.SortField{{Field: "createdAt"}}}, []string{"bea", "eve"}},
			{"unknown field ignored", store.ListOptions{Sort: []store.SortField{{Field: "password; DROP TABLE users", Desc: true}}}, []string{"abe", "bea", "cid", "dan", "eve"}},
		})
		// Paging applies after filtering; the total counts all matches.
		list, total, err := s.Users().List(ctx, "e", store.ListOptions{Count: 1, Sort: []store.SortField{{Field: "username", Desc: true}}})
		must(t, err)
		wantEqual(t, "filtered page", userNames(list), []string{"eve"})
		wantEqual(t, "filtered total", total, 3) // abe, bea, eve
	}},
	{"CountAndCountWithRole", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		n, err := s.Users().Count(ctx)
		must(t, err)
		wantEqual(t, "Count of empty store", n, 0)

		roles := map[string][]string{
			"u1": {"user"},
			"u2": {"user", "admin"},
			"u3": {"admin"},
			"u4": {"livechat-agent", "user"},
			"u5": {"bot_x"},
			"u6": {"botXx"},
			"u7": nil,
		}
		for name, r := range roles {
			u := newUser(name, 1)
			u.Roles = r
			createUser(t, s, u)
		}
		n, err = s.Users().Count(ctx)
		must(t, err)
		wantEqual(t, "Count", n, len(roles))
		for role, want := range map[string]int{"user": 3, "admin": 2, "livechat-agent": 1, "agent": 0, "bot_x": 1, "bot": 0, "%": 0, "": 0} {
			n, err := s.Users().CountWithRole(ctx, role)
			must(t, err)
			wantEqual(t, "CountWithRole("+role+")", n, want)
		}
	}},
}
