// Package storetest holds the conformance suite that every store.Store
// implementation must pass, and helpers that open real stores for the tests
// of other packages (OpenSQLite, OpenPostgres, PostgresURL).
//
// A backend runs the suite with
//
//	func TestMyBackend(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return openFresh(t) })
//	}
//
// where open returns a store over an empty database and arranges for its
// closing with t.Cleanup.
package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// Run runs the conformance suite. open is called once per subtest and must
// return a store over a fresh, empty (but migrated) database; subtests run
// in parallel.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	groups := []struct {
		name  string
		tests []test
	}{
		{"Users", userTests},
		{"UsersFind", userFindTests},
		{"Tokens", tokenTests},
		{"LoginAttempts", loginAttemptTests},
		{"Rooms", roomTests},
		{"Subscriptions", subscriptionTests},
		{"Settings", settingTests},
		{"Permissions", permissionTests},
		{"ConfigVersion", configVersionTests},
		{"InTx", txTests},
		{"Concurrency", concurrencyTests},
		{"Messages", messageTests},
		{"Files", fileTests},
		{"MessageCounts", messageCountTests},
		{"Threads", threadTests},
		{"Moderation", moderationTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					tc.fn(t, open(t))
				})
			}
		})
	}
}

// test is one case of the suite: fn gets a fresh store of its own.
type test struct {
	name string
	fn   func(t *testing.T, s store.Store)
}

// ---- assertions ----

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

// wantErr fails t unless errors.Is(err, target).
func wantErr(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("got error %v, want %v", err, target)
	}
}

// wantDeletedOnce deletes id and checks that get no longer finds it and
// that deleting it again reports store.ErrNotFound.
func wantDeletedOnce[T any](t testing.TB, id string, del func(context.Context, string) error, get func(context.Context, string) (T, error)) {
	t.Helper()
	ctx := t.Context()
	must(t, del(ctx, id))
	wantNotFound(t, get, id)
	wantErr(t, del(ctx, id), store.ErrNotFound)
}

// pageCase is one request of a paging and sorting table: the options
// and the names the page must hold, in order.
type pageCase struct {
	name string
	opts store.ListOptions
	want []string
}

// wantPages asks list for each case's page and checks its names and that
// the total still counts all total records.
func wantPages(t testing.TB, total int, list func(store.ListOptions) ([]string, int, error), cases []pageCase) {
	t.Helper()
	for _, c := range cases {
		names, n, err := list(c.opts)
		must(t, err)
		wantEqual(t, c.name, names, c.want)
		wantEqual(t, c.name+": total", n, total)
	}
}

// wantNotFound checks that get finds nothing under any of keys.
func wantNotFound[T any](t testing.TB, get func(context.Context, string) (T, error), keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, err := get(t.Context(), k); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("looking up %q: got error %v, want %v", k, err, store.ErrNotFound)
		}
	}
}

func wantEqual[T any](t testing.TB, what string, got, want T) {
	t.Helper()
	if d := cmp.Diff(want, got, jsonSemantics); d != "" {
		t.Fatalf("%s mismatch (-want +got):\n%s", what, d)
	}
}

// jsonSemantics compares raw JSON by meaning: PostgreSQL's JSONB reorders
// keys and reformats.
var jsonSemantics = cmp.FilterValues(func(a, b json.RawMessage) bool { return true },
	cmp.Comparer(func(a, b json.RawMessage) bool { return jsonEqual(a, b) }))

func jsonEqual(a, b []byte) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return bytes.Equal(a, b)
	}
	return cmp.Equal(x, y)
}

// ---- fixtures ----

// t0 is a fixed point in time; fixtures count from it in seconds.
const t0 model.Time = 1_700_000_000_123

func at(sec int) model.Time { return t0 + model.Time(sec)*1000 }

func tp(v model.Time) *model.Time { return &v }

func newUser(username string, sec int) *model.User {
	return &model.User{
		ID:        model.NewID(),
		CreatedAt: at(sec),
		Username:  username,
		Name:      "Name of " + username,
		Emails:    []model.Email{{Address: username + "@example.com", Verified: sec%2 == 0}},
		Type:      "user",
		Status:    "offline",
		Active:    true,
		Roles:     []string{"user"},
		UpdatedAt: at(sec),

		PasswordHash: "$2a$04$hash-of-" + username,
	}
}

func createUser(t testing.TB, s store.Store, u *model.User) *model.User {
	t.Helper()
	must(t, s.Users().Create(t.Context(), u))
	return u
}

func newChannel(name string, sec int) *model.Room {
	return &model.Room{
		ID:        model.NewID(),
		T:         model.RoomChannel,
		Name:      name,
		FName:     name,
		U:         &model.UserRef{ID: "owner", Username: "owner"},
		Ts:        at(sec),
		UpdatedAt: at(sec),
	}
}

func createRoom(t testing.TB, s store.Store, r *model.Room) *model.Room {
	t.Helper()
	must(t, s.Rooms().Create(t.Context(), r))
	return r
}

func newSub(rid, userID string, sec int) *model.Subscription {
	return &model.Subscription{
		ID:        model.NewID(),
		RID:       rid,
		U:         model.UserRef{ID: userID, Username: "user-" + userID},
		T:         model.RoomChannel,
		Name:      "room-" + rid,
		Ts:        at(sec),
		Open:      true,
		UpdatedAt: at(sec),
	}
}

func createSub(t testing.TB, s store.Store, sub *model.Subscription) *model.Subscription {
	t.Helper()
	must(t, s.Subscriptions().Create(t.Context(), sub))
	return sub
}

// ---- projections, for comparing lists ----

func userNames(us []*model.User) []string {
	out := make([]string, 0, len(us))
	for _, u := range us {
		out = append(out, u.Username)
	}
	return out
}

func roomNames(rs []*model.Room) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return out
}

func subUsers(ss []*model.Subscription) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		out = append(out, s.U.ID)
	}
	return out
}

func sortedSubKeys(ss []*model.Subscription) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		out = append(out, fmt.Sprintf("%s/%s", s.RID, s.U.ID))
	}
	sort.Strings(out)
	return out
}
