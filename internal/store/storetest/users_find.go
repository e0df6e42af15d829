package storetest

import (
	"slices"
	"testing"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// findNames runs Users.Find and returns the usernames it lists, in order,
// after checking the total against an unpaged count.
func findNames(t *testing.T, s store.Store, f store.UserFilter, opts store.ListOptions) []string {
	t.Helper()
	list, total, err := s.Users().Find(t.Context(), f, opts)
	must(t, err)
	if opts.Count == 0 && opts.Offset == 0 && total != len(list) {
		t.Fatalf("Find total %d, listed %d", total, len(list))
	}
	out := []string{}
	for _, u := range list {
		out = append(out, u.Username)
	}
	return out
}

func yes() *bool { v := true; return &v }
func no() *bool  { v := false; return &v }

var userFindTests = []test{
	{"Filters", func(t *testing.T, s store.Store) {
		ann := newUser("ann", 1)
		ann.Name, ann.Status, ann.LastLogin = "Ann Archer", "online", tp(at(3))
		bea := newUser("bea", 2)
		bea.Roles, bea.Status, bea.Type, bea.LastLogin = []string{"user", "admin"}, "away", "user", tp(at(4))
		cy := newUser("cy", 3)
		cy.Active, cy.Type = false, "bot"
		dee := newUser("dee_x", 4)
		dee.Emails = []model.Email{{Address: "special@corp.example"}}
		dee.UpdatedAt = at(20)
		for _, u := range []*model.User{ann, bea, cy, dee} {
			createUser(t, s, u)
		}
		all := store.ListOptions{}
		cases := []struct {
			name string
			f    store.UserFilter
			want []string
		}{
			{"all", store.UserFilter{}, []string{"ann", "bea", "cy", "dee_x"}},
			{"search name, any case", store.UserFilter{Search: "ARCHER"}, []string{"ann"}},
			{"search is literal", store.UserFilter{Search: "_x"}, []string{"dee_x"}},
			{"search % matches nothing", store.UserFilter{Search: "%"}, []string{}},
			{"email only when asked", store.UserFilter{Search: "corp.example"}, []string{}},
			{"email", store.UserFilter{Search: "corp.example", SearchEmail: true}, []string{"dee_x"}},
			{"active", store.UserFilter{Active: yes()}, []string{"ann", "bea", "dee_x"}},
			{"inactive", store.UserFilter{Active: no()}, []string{"cy"}},
			{"logged in", store.UserFilter{HasLoggedIn: yes()}, []string{"ann", "bea"}},
			{"never logged in", store.UserFilter{HasLoggedIn: no()}, []string{"cy", "dee_x"}},
			{"type", store.UserFilter{Types: []string{"bot"}}, []string{"cy"}},
			{"not type", store.UserFilter{NotTypes: []string{"bot"}}, []string{"ann", "bea", "dee_x"}},
			{"role", store.UserFilter{Roles: []string{"admin", "nobody"}}, []string{"bea"}},
			{"ids", store.UserFilter{IDs: []string{ann.ID, cy.ID}}, []string{"ann", "cy"}},
			{"no ids", store.UserFilter{IDs: []string{}}, []string{}},
			{"not ids", store.UserFilter{NotIDs: []string{ann.ID}}, []string{"bea", "cy", "dee_x"}},
			{"not usernames, any case", store.UserFilter{NotUsernames: []string{"ANN", "Bea"}}, []string{"cy", "dee_x"}},
			{"not offline", store.UserFilter{NotOffline: true}, []string{"ann", "bea"}},
			{"updated since", store.UserFilter{UpdatedSince: at(10)}, []string{"dee_x"}},
			{"cond and", store.UserFilter{Cond: &store.UserCond{And: []store.UserCond{{Field: "active", Value: true}, {Field: "status", Value: "away"}}}}, []string{"bea"}},
			{"cond or", store.UserFilter{Cond: &store.UserCond{Or: []store.UserCond{{Field: "username", Value: "cy"}, {Field: "name", Value: "Ann Archer"}}}}, []string{"ann", "cy"}},
			{"cond roles", store.UserFilter{Cond: &store.UserCond{Field: "roles", Value: "admin"}}, []string{"bea"}},
			{"cond wrong kind", store.UserFilter{Cond: &store.UserCond{Field: "active", Value: "true"}}, []string{}},
			{"cond unknown field", store.UserFilter{Cond: &store.UserCond{Field: "password", Value: "x"}}, []string{}},
		}
		for _, tc := range cases {
			if got := findNames(t, s, tc.f, all); !slices.Equal(got, tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			}
		}
		// Paging and sorting.
		got := findNames(t, s, store.UserFilter{}, store.ListOptions{Count: 2, Offset: 1, Sort: []store.SortField{{Field: "username", Desc: true}}})
		wantEqual(t, "page", got, []string{"cy", "bea"})
		_, total, err := s.Users().Find(t.Context(), store.UserFilter{}, store.ListOptions{Count: 1})
		must(t, err)
		wantEqual(t, "total with a page", total, 4)
	}},
	{"SharesRoomWith", func(t *testing.T, s store.Store) {
		a := createUser(t, s, newUser("a", 1))
		b := createUser(t, s, newUser("b", 2))
		createUser(t, s, newUser("c", 3))
		createSub(t, s, newSub("r1", a.ID, 1))
		createSub(t, s, newSub("r1", b.ID, 2))
		wantEqual(t, "room mates of a", findNames(t, s, store.UserFilter{SharesRoomWith: a.ID, NotIDs: []string{a.ID}}, store.ListOptions{}), []string{"b"})
		wantEqual(t, "room mates of nobody", findNames(t, s, store.UserFilter{SharesRoomWith: "nobody"}, store.ListOptions{}), []string{})
	}},
}
