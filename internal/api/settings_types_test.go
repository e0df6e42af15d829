package api_test

import (
	"slices"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

// Rocket.Chat's settings for the areas Parley serves are known, with their
// types: a value of another type is refused and says what the setting
// takes, and nothing changes.
func TestSettingsRefuseWrongTypes(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	cases := []struct {
		id    string
		value any
		text  string
	}{
		{"API_User_Limit", "many", "setting API_User_Limit must be an integer"},
		{"API_User_Limit", 2.5, "setting API_User_Limit must be an integer"},
		{"Accounts_Password_Policy_MinLength", true, "setting Accounts_Password_Policy_MinLength must be an integer"},
		{"Accounts_Password_Policy_Enabled", "sometimes", "setting Accounts_Password_Policy_Enabled must be a boolean"},
		{"UI_Allow_room_names_with_special_chars", 1, "setting UI_Allow_room_names_with_special_chars must be a boolean"},
		{"Accounts_AllowUserAvatarChange", nil, "setting Accounts_AllowUserAvatarChange must be a boolean"},
		{"Accounts_Registration_Users_Default_Roles", []any{"user"}, "setting Accounts_Registration_Users_Default_Roles must be a string"},
		{"Accounts_Directory_DefaultView", "rooms", "setting Accounts_Directory_DefaultView must be one of channels, users"},
		{"Accounts_CustomFields", map[string]any{"a": map[string]any{}}, "setting Accounts_CustomFields must be a string"},
		{"Accounts_CustomFields", "{not json", "setting Accounts_CustomFields: the definition is not valid JSON"},
		{"Accounts_CustomFields", `["a"]`, "setting Accounts_CustomFields: the definition must be a JSON object of fields"},
		{"Accounts_CustomFields", `{"a": 1}`, "setting Accounts_CustomFields: field a must be a JSON object"},
		{"Accounts_CustomFields", `{"a": {"maxLength": "ten"}}`, "setting Accounts_CustomFields: field a: type, options, minLength or maxLength has the wrong type"},
		{"Site_Url", false, "setting Site_Url must be a string"},
		{"Accounts_Default_User_Preferences_masterVolume", "-1", "Value for setting Accounts_Default_User_Preferences_masterVolume must be greater than or equal to 0"},
		{"Accounts_Default_User_Preferences_masterVolume", "101", "Value for setting Accounts_Default_User_Preferences_masterVolume must be less than or equal to 100"},
		{"Accounts_Default_User_Preferences_notificationsSoundVolume", 100.5, "setting Accounts_Default_User_Preferences_notificationsSoundVolume must be an integer"},
	}
	for _, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			before := e.Admin.Get(t, "settings/"+tc.id).OK(t).JSON(t)["value"]
			e.Admin.Post(t, "settings/"+tc.id, map[string]any{"value": tc.value}).
				Fails(t, 400, "error-invalid-setting-value", tc.text+" [error-invalid-setting-value]")
			if after := e.Admin.Get(t, "settings/"+tc.id).OK(t).JSON(t)["value"]; after != before {
				t.Fatalf("%s changed from %v to %v", tc.id, before, after)
			}
		})
	}
	// Ids Rocket.Chat has for features Parley lacks keep the refusal.
	e.Admin.Post(t, "settings/SAML_Custom_Default", map[string]any{"value": true}).
		Fails(t, 400, "error-setting-not-found", `Setting "SAML_Custom_Default" does not exist [error-setting-not-found]`)
	// A user without edit-privileged-setting is refused before the type
	// is looked at.
	e.NewUser(t, "plain").Post(t, "settings/API_User_Limit", map[string]any{"value": "many"}).Expect(t, 403)
}

// The new settings read back with Rocket.Chat's defaults, take values of
// their type (strings of digits and "true"/"false" included), and show in
// the lists according to their visibility.
func TestSettingsCompatIdsReadable(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	defaults := map[string]any{
		"API_User_Limit":                                          500.0,
		"UI_Allow_room_names_with_special_chars":                  false,
		"Accounts_AllowUserAvatarChange":                          true,
		"Accounts_CustomFields":                                   "",
		"Accounts_Password_Policy_Enabled":                        false,
		"Accounts_Password_Policy_MinLength":                      7.0,
		"Accounts_Password_Policy_MaxLength":                      -1.0,
		"Accounts_Password_Policy_ForbidRepeatingCharactersCount": 3.0,
		"Accounts_Password_Policy_AtLeastOneSpecialCharacter":     true,
		"Accounts_ManuallyApproveNewUsers":                        false,
		"Accounts_Registration_Users_Default_Roles":               "user",
		"Accounts_Default_User_Preferences_sidebarViewMode":       "medium",
		"Accounts_Default_User_Preferences_idleTimeLimit":         300.0,
		"Message_GroupingPeriod":                                  300.0,
		"Accounts_AvatarSize":                                     200.0,
	}
	// The storage of files defaults to the database on PostgreSQL, where
	// several nodes share it, and to the data directory on SQLite.
	defaults["FileUpload_Storage_Type"] = "FileSystem"
	if apitest.OnPostgres() {
		defaults["FileUpload_Storage_Type"] = "GridFS"
	}
	for id, want := range defaults {
		got := e.Admin.Get(t, "settings/"+id).OK(t).JSON(t)
		if got["_id"] != id || got["value"] != want {
			t.Errorf("GET settings/%s = %v, want value %v", id, got, want)
		}
	}
	for _, tc := range []struct {
		id        string
		value     any
		readsBack any
	}{
		{"API_User_Limit", "25", 25.0},
		{"Accounts_Password_Policy_Enabled", "TRUE", true},
		{"Accounts_CustomFields", `{"team": {"type": "text", "required": true}}`, `{"team": {"type": "text", "required": true}}`},
		{"Accounts_CustomFields", "", ""},
		{"Accounts_Default_User_Preferences_sidebarViewMode", "condensed", "condensed"},
	} {
		e.SetSetting(t, tc.id, tc.value)
		if got := e.Admin.Get(t, "settings/"+tc.id).OK(t).JSON(t)["value"]; got != tc.readsBack {
			t.Errorf("%s set to %v reads back %v, want %v", tc.id, tc.value, got, tc.readsBack)
		}
	}

	listed := func(c *apitest.Client, path string) map[string]any {
		out := map[string]any{}
		var page struct {
			Settings []struct {
				ID    string `json:"_id"`
				Value any    `json:"value"`
			}
		}
		c.Get(t, path, apitest.Q("count", "0")).OK(t).Decode(t, &page)
		for _, s := range page.Settings {
			out[s.ID] = s.Value
		}
		return out
	}
	public := listed(e.Anon(), "settings.public")
	private := listed(e.Admin, "settings")
	for _, id := range []string{"API_User_Limit", "UI_Allow_room_names_with_special_chars", "Accounts_Password_Policy_MinLength", "Accounts_CustomFields"} {
		if _, ok := public[id]; !ok {
			t.Errorf("settings.public does not list %s", id)
		}
	}
	if public["API_User_Limit"] != 25.0 {
		t.Errorf("settings.public API_User_Limit = %v, want the value set", public["API_User_Limit"])
	}
	for _, id := range []string{"Accounts_AvatarSize", "Accounts_BlockedDomainsList"} {
		if _, ok := public[id]; ok {
			t.Errorf("settings.public lists private %s", id)
		}
		if _, ok := private[id]; !ok {
			t.Errorf("settings does not list %s to an administrator", id)
		}
	}
}

// An empty Site_Url shows the server's own address, which links are
// built from; a value set wins, and clearing it brings the address back.
func TestSettingsSiteURLDefaultsToOwnAddress(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	siteURL := func() any { return e.Admin.Get(t, "settings/Site_Url").OK(t).JSON(t)["value"] }
	public := func() any {
		var page struct {
			Settings []struct {
				ID    string `json:"_id"`
				Value any    `json:"value"`
			}
		}
		e.Anon().Get(t, "settings.public", apitest.Q("count", "0")).OK(t).Decode(t, &page)
		for _, s := range page.Settings {
			if s.ID == "Site_Url" {
				return s.Value
			}
		}
		return nil
	}
	if got := siteURL(); got != "http://localhost:3000" {
		t.Fatalf("Site_Url = %v, want the server's address", got)
	}
	if got := public(); got != "http://localhost:3000" {
		t.Fatalf("settings.public Site_Url = %v", got)
	}
	e.SetSetting(t, "Site_Url", "https://chat.example.com")
	if got := siteURL(); got != "https://chat.example.com" {
		t.Fatalf("Site_Url = %v after setting it", got)
	}
	e.SetSetting(t, "Site_Url", "")
	if got := siteURL(); got != "http://localhost:3000" {
		t.Fatalf("Site_Url = %v after clearing it", got)
	}
}

// The listings filter by id and show defaults on request, as Rocket.Chat's
// settings tests read them.
func TestSettingsListingOptions(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	type listing struct {
		Settings []struct {
			ID           string `json:"_id"`
			Value        any    `json:"value"`
			PackageValue any    `json:"packageValue"`
		}
		Count, Offset, Total int
	}
	for _, tc := range []struct {
		ids  string
		want []string
	}{
		{"Site_Url", []string{"Site_Url"}},
		{"Site_Url,LDAP_Enable", []string{"LDAP_Enable", "Site_Url"}},
		{"10", nil},
		{"Accounts_AvatarSize", nil}, // private: not in settings.public
	} {
		var got listing
		e.Anon().Get(t, "settings.public", apitest.Q("_id", tc.ids)).OK(t).Decode(t, &got)
		var ids []string
		for _, s := range got.Settings {
			ids = append(ids, s.ID)
		}
		if !slices.Equal(ids, tc.want) || got.Count != len(tc.want) || got.Total != len(tc.want) || got.Offset != 0 {
			t.Errorf("settings.public _id=%s: %v (count %d, total %d)", tc.ids, ids, got.Count, got.Total)
		}
	}
	var page listing
	e.Anon().Get(t, "settings.public", apitest.Q("count", "5", "offset", "0")).OK(t).Decode(t, &page)
	if len(page.Settings) != 5 || page.Count != 5 {
		t.Fatalf("count=5 gave %d settings, count %d", len(page.Settings), page.Count)
	}

	e.SetSetting(t, "Accounts_Default_User_Preferences_masterVolume", "50")
	e.Admin.Post(t, "settings/LDAP_Enable", map[string]any{"value": false}).OK(t)
	var withDefaults listing
	e.Admin.Get(t, "settings", apitest.Q("includeDefaults", "true", "count", "0")).OK(t).Decode(t, &withDefaults)
	found := false
	for _, s := range withDefaults.Settings {
		if s.PackageValue == nil {
			t.Fatalf("%s has no packageValue", s.ID)
		}
		if s.ID == "Accounts_Default_User_Preferences_masterVolume" {
			found = true
			if s.Value != 50.0 || s.PackageValue != 100.0 {
				t.Fatalf("masterVolume value %v, packageValue %v", s.Value, s.PackageValue)
			}
		}
	}
	if !found {
		t.Fatal("settings does not list masterVolume")
	}
	var plain listing
	e.Admin.Get(t, "settings", apitest.Q("count", "1")).OK(t).Decode(t, &plain)
	if plain.Settings[0].PackageValue != nil {
		t.Fatalf("packageValue shown without includeDefaults: %v", plain.Settings[0])
	}
}

// Parley has no OAuth or other login services: the listings that login
// screens read are empty, with or without a login.
func TestSettingsLoginServices(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	for _, c := range []*apitest.Client{e.Anon(), e.Admin} {
		if got := c.Get(t, "settings.oauth").OK(t).JSON(t)["services"]; got == nil || len(got.([]any)) != 0 {
			t.Fatalf("settings.oauth services = %v", got)
		}
		if got := c.Get(t, "service.configurations").OK(t).JSON(t)["configurations"]; got == nil || len(got.([]any)) != 0 {
			t.Fatalf("service.configurations = %v", got)
		}
	}
}
