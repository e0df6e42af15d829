package api_test

import (
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

func prefLanguage(t *testing.T, c *apitest.Client, lang string) {
	t.Helper()
	c.Post(t, "users.setPreferences", map[string]any{"data": map[string]any{"language": lang}}).OK(t)
}

// newAutoEnableEnv is a server whose workspace speaks pt-BR and which
// turns auto-translation on for the rooms users join.
func newAutoEnableEnv(t *testing.T) *apitest.Env {
	t.Helper()
	e := apitest.New(t)
	e.SetSetting(t, "AutoTranslate_Enabled", true)
	e.SetSetting(t, "AutoTranslate_AutoEnableOnJoinRoom", true)
	e.SetSetting(t, "Language", "pt-BR")
	return e
}

// A new language preference re-evaluates auto-translation on the user's
// subscriptions under AutoTranslate_AutoEnableOnJoinRoom; 'default' is the
// workspace's language.
func TestCompatLanguagePreferenceFollowsIntoSubscriptions(t *testing.T) {
	t.Parallel()
	e := newAutoEnableEnv(t)
	e.SetPermission(t, "auto-translate", "admin", "user")
	alice := e.NewUser(t, "alice")
	e.NewUser(t, "bob")
	channel := alice.CreateRoom(t, "channels", "langs", nil)
	group := alice.CreateRoom(t, "groups", "langs-p", nil)
	optedOut := alice.CreateRoom(t, "channels", "langs-off", nil)
	dm := alice.CreateDM(t, "dm", map[string]any{"username": "bob"})["_id"].(string)

	type state struct {
		on   any // nil when absent
		lang any
	}
	get := func(rid string) state {
		s := alice.Subscription(t, rid)
		return state{s["autoTranslate"], s["autoTranslateLanguage"]}
	}
	off := state{}
	steps := []struct {
		name  string
		do    func()
		rooms map[string]state
	}{
		{"no preference yet", func() {}, map[string]state{channel: off, group: off, dm: off}},
		{"the workspace's own language", func() { prefLanguage(t, alice, "pt-BR") }, map[string]state{channel: off, group: off, dm: off}},
		{"workspace to another language turns it on", func() { prefLanguage(t, alice, "en") },
			map[string]state{channel: {true, "en"}, group: {true, "en"}, optedOut: {true, "en"}, dm: off}},
		{"turned off by hand", func() {
			alice.Post(t, "autotranslate.saveSettings", map[string]any{"roomId": optedOut, "field": "autoTranslate", "value": false}).OK(t)
		}, map[string]state{optedOut: {false, "en"}}},
		{"another language again: translation follows", func() { prefLanguage(t, alice, "es") },
			map[string]state{channel: {true, "es"}, group: {true, "es"}, optedOut: {false, "en"}, dm: off}},
		{"'default' turns it off", func() { prefLanguage(t, alice, "default") },
			map[string]state{channel: off, group: off, optedOut: {false, "en"}, dm: off}},
		{"from 'default' to another language turns it on", func() { prefLanguage(t, alice, "en") },
			map[string]state{channel: {true, "en"}, group: {true, "en"}, optedOut: {false, "en"}}},
		{"back to the workspace's language turns it off", func() { prefLanguage(t, alice, "pt-BR") },
			map[string]state{channel: off, group: off, optedOut: {false, "en"}}},
		{"'default' after the workspace's language changes nothing", func() { prefLanguage(t, alice, "default") },
			map[string]state{channel: off, group: off}},
		{"with the setting off nothing follows", func() {
			e.SetSetting(t, "AutoTranslate_AutoEnableOnJoinRoom", false)
			prefLanguage(t, alice, "en")
		}, map[string]state{channel: off, group: off}},
	}
	for _, s := range steps {
		s.do()
		for rid, want := range s.rooms {
			if got := get(rid); got != want {
				t.Errorf("%s: room %s autoTranslate %v language %v, want %v %v", s.name, rid, got.on, got.lang, want.on, want.lang)
			}
		}
	}
}

// 'default' is never a language of its own: a room joined under it does not
// start translating.
func TestCompatDefaultLanguageIsTheWorkspaces(t *testing.T) {
	t.Parallel()
	e := newAutoEnableEnv(t)
	alice := e.NewUser(t, "alice")
	prefLanguage(t, alice, "default")
	rid := alice.CreateRoom(t, "channels", "joined-under-default", nil)
	if s := alice.Subscription(t, rid); s["autoTranslate"] != nil || s["autoTranslateLanguage"] != nil {
		t.Errorf("a room joined under 'default': autoTranslate %v language %v", s["autoTranslate"], s["autoTranslateLanguage"])
	}
	prefLanguage(t, alice, "en")
	rid = alice.CreateRoom(t, "channels", "joined-under-en", nil)
	if s := alice.Subscription(t, rid); s["autoTranslate"] != true || s["autoTranslateLanguage"] != "en" {
		t.Errorf("a room joined under 'en': autoTranslate %v language %v", s["autoTranslate"], s["autoTranslateLanguage"])
	}
}

// The E2E_* settings can be read and set; with every switch on, new
// private groups are flagged encrypted and plain messages still go in.
func TestCompatE2ESettings(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "bob")
	alice := e.Users[0]
	defaults := map[string]bool{
		"E2E_Enable": false, "E2E_Allow_Unencrypted_Messages": false, "E2E_Enabled_Default_DirectRooms": false,
		"E2E_Enabled_Default_PrivateRooms": false, "E2E_Enable_Encrypt_Files": true, "E2E_Enabled_Mentions": true,
	}
	var pub struct{ Settings []map[string]any }
	e.Anon().Get(t, "settings.public", apitest.Q("count", "0")).OK(t).Decode(t, &pub)
	listed := map[string]any{}
	for _, s := range pub.Settings {
		listed[s["_id"].(string)] = s["value"]
	}
	for id, def := range defaults {
		if got := e.Admin.Get(t, "settings/"+id).OK(t).JSON(t)["value"]; got != def {
			t.Errorf("%s = %v, want %v", id, got, def)
		}
		if got, ok := listed[id]; !ok || got != def {
			t.Errorf("settings.public %s = %v (listed %v)", id, got, ok)
		}
		e.SetSetting(t, id, !def)
		if got := e.Admin.Get(t, "settings/"+id).OK(t).JSON(t)["value"]; got != !def {
			t.Errorf("%s after setting = %v, want %v", id, got, !def)
		}
	}
	e.Admin.Post(t, "settings/E2E_Enable", map[string]any{"value": "sometimes"}).Expect(t, 400)
	alice.Post(t, "settings/E2E_Enable", map[string]any{"value": false}).Expect(t, 403)

	// With every switch on, rooms are created and messages stored as ever.
	e.SetSetting(t, "E2E_Enable", true)
	gid := alice.CreateRoom(t, "groups", "private-after-e2e", nil)
	did := alice.CreateDM(t, "dm", map[string]any{"username": "bob"})["_id"].(string)
	for _, rid := range []string{gid, did} {
		m := alice.PostText(t, rid, "plain text")
		if m["msg"] != "plain text" || m["t"] != nil {
			t.Errorf("message in %s: msg %v t %v", rid, m["msg"], m["t"])
		}
		if got := alice.GetMessage(t, m["_id"].(string))["msg"]; got != "plain text" {
			t.Errorf("stored msg = %v", got)
		}
	}
	if enc := alice.RoomInfo(t, gid)["encrypted"]; enc != true {
		t.Errorf("a new private group: encrypted %v", enc)
	}
}
