package storetest

import (
	"testing"

	"github.com/parleychat/parley/internal/store"
)

func init() {
	userTests = append(userTests, test{"ListWithRole", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		amy, bo, cy := newUser("amy", 1), newUser("Bo", 2), newUser("cy", 3)
		amy.Roles = []string{"user", "admin"}
		bo.Roles = []string{"admin"}
		cy.Roles = []string{"user", "admin-like"}
		createUser(t, s, amy)
		createUser(t, s, bo)
		createUser(t, s, cy)
		r1, r2 := createRoom(t, s, newChannel("one", 1)), createRoom(t, s, newChannel("two", 2))
		owner := newSub(r1.ID, cy.ID, 1)
		owner.Roles = []string{"owner", "moderator"}
		createSub(t, s, owner)
		createSub(t, s, newSub(r1.ID, amy.ID, 2))
		mod := newSub(r2.ID, amy.ID, 3)
		mod.Roles = []string{"moderator"}
		createSub(t, s, mod)

		cases := []struct {
			name    string
			role    string
			inRooms bool
			rid     string
			opts    store.ListOptions
			want    []string
			total   int
		}{
			{"global, whole names only", "admin", false, "", store.ListOptions{}, []string{"amy", "Bo"}, 2},
			{"global, paged", "admin", false, "", store.ListOptions{Offset: 1, Count: 1}, []string{"Bo"}, 2},
			{"nobody", "bot", false, "", store.ListOptions{}, []string{}, 0},
			{"room role in one room", "moderator", true, r1.ID, store.ListOptions{}, []string{"cy"}, 1},
			{"room role in any room", "moderator", true, "", store.ListOptions{}, []string{"amy", "cy"}, 2},
			{"room role elsewhere", "owner", true, r2.ID, store.ListOptions{}, []string{}, 0},
			{"a global role is no room role", "admin", true, "", store.ListOptions{}, []string{}, 0},
		}
		for _, c := range cases {
			list, total, err := s.Users().ListWithRole(ctx, c.role, c.inRooms, c.rid, c.opts)
			must(t, err)
			wantEqual(t, c.name, userNames(list), c.want)
			wantEqual(t, c.name+" total", total, c.total)
		}
	}})
}
