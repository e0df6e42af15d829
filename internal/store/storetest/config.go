package storetest

import (
	"encoding/json"
	"sort"
	"testing"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

func settingsMap(t testing.TB, s store.Store) map[string]json.RawMessage {
	t.Helper()
	all, err := s.Settings().All(t.Context())
	must(t, err)
	out := make(map[string]json.RawMessage, len(all))
	for _, st := range all {
		if _, dup := out[st.ID]; dup {
			t.Fatalf("Settings.All lists %s twice", st.ID)
		}
		out[st.ID] = json.RawMessage(st.Value)
	}
	return out
}

var settingTests = []test{
	{"SetUpsertAndAll", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		wantEqual(t, "settings of an empty store", settingsMap(t, s), map[string]json.RawMessage{})

		values := map[string]string{
			"Site_Name":                      `"Parley"`,
			"Message_MaxAllowedSize":         `5000`,
			"Accounts_AllowDeleteOwnAccount": `true`,
			"Layout_Home_Body":               `"<p>ünïcödé \"quoted\" \\ back</p>"`,
			"Custom_Object":                  `{"b":[1,2,{"c":null}],"a":"x"}`,
			"Empty_String":                   `""`,
		}
		for id, v := range values {
			must(t, s.Settings().Set(ctx, id, []byte(v)))
		}
		want := map[string]json.RawMessage{}
		for id, v := range values {
			want[id] = json.RawMessage(v)
		}
		wantEqual(t, "All after Set", settingsMap(t, s), want)

		// Set again overwrites instead of adding.
		must(t, s.Settings().Set(ctx, "Site_Name", []byte(`"Renamed"`)))
		must(t, s.Settings().Set(ctx, "Message_MaxAllowedSize", []byte(`0`)))
		want["Site_Name"], want["Message_MaxAllowedSize"] = json.RawMessage(`"Renamed"`), json.RawMessage(`0`)
		wantEqual(t, "All after overwrite", settingsMap(t, s), want)
	}},
}

func permissionsMap(t testing.TB, s store.Store) (map[string][]string, []store.Permission) {
	t.Helper()
	all, err := s.Permissions().All(t.Context())
	must(t, err)
	if !sort.SliceIsSorted(all, func(i, j int) bool { return all[i].ID < all[j].ID }) {
		t.Errorf("Permissions.All is not ordered by id")
	}
	out := make(map[string][]string, len(all))
	for _, p := range all {
		out[p.ID] = p.Roles
	}
	return out, all
}

var permissionTests = []test{
	{"SeedSetAll", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		got, _ := permissionsMap(t, s)
		wantEqual(t, "permissions of an empty store", got, map[string][]string{})

		before := model.Now()
		must(t, s.Permissions().Seed(ctx, []store.Permission{
			{ID: "view-room", Roles: []string{"user", "admin"}},
			{ID: "create-c", Roles: []string{"user"}},
			{ID: "delete-user", Roles: []string{"admin"}},
			{ID: "nobody-has-it", Roles: nil},
		}))
		got, all := permissionsMap(t, s)
		wantEqual(t, "after Seed", got, map[string][]string{
			"create-c":      {"user"},
			"delete-user":   {"admin"},
			"nobody-has-it": {},
			"view-room":     {"user", "admin"},
		})
		for _, p := range all {
			if p.UpdatedAt < before || p.UpdatedAt > model.Now() {
				t.Errorf("%s: UpdatedAt %v is not the time of seeding", p.ID, p.UpdatedAt)
			}
		}

		must(t, s.Permissions().Set(ctx, "create-c", []string{"admin", "moderator"}))
		must(t, s.Permissions().Set(ctx, "view-room", nil))
		wantErr(t, s.Permissions().Set(ctx, "unknown-permission", []string{"admin"}), store.ErrNotFound)

		// A second Seed (the next start) adds new permissions and leaves
		// existing ones, changed or not, alone.
		must(t, s.Permissions().Seed(ctx, []store.Permission{
			{ID: "view-room", Roles: []string{"user", "admin"}},
			{ID: "create-c", Roles: []string{"user"}},
			{ID: "delete-user", Roles: []string{"user"}},
			{ID: "new-permission", Roles: []string{"admin"}},
		}))
		got, _ = permissionsMap(t, s)
		wantEqual(t, "after Set and re-Seed", got, map[string][]string{
			"create-c":       {"admin", "moderator"},
			"delete-user":    {"admin"},
			"new-permission": {"admin"},
			"nobody-has-it":  {},
			"view-room":      {},
		})
		must(t, s.Permissions().Seed(ctx, nil))
	}},
}

var configVersionTests = []test{
	{"Bump", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		v0, err := s.ConfigVersion(ctx)
		must(t, err)
		must(t, s.BumpConfigVersion(ctx))
		v1, err := s.ConfigVersion(ctx)
		must(t, err)
		if v1 == v0 {
			t.Fatalf("ConfigVersion stayed %d after BumpConfigVersion", v1)
		}
		must(t, s.BumpConfigVersion(ctx))
		v2, err := s.ConfigVersion(ctx)
		must(t, err)
		if v2 == v1 || v2 == v0 {
			t.Fatalf("ConfigVersion went %d, %d, %d: not a new value each time", v0, v1, v2)
		}
	}},
}
