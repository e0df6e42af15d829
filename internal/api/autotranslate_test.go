package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

// translatorRequest is one request a fake provider received.
type translatorRequest struct {
	Method, Path string
	Query        map[string][]string
	Header       http.Header
	Body         []byte
}

// fakeTranslator speaks the four providers' APIs on loopback: Google under
// /language/translate/v2, DeepL under /v2, Microsoft at /translate and
// /languages?api-version=3.0, LibreTranslate under /libre. A translation
// of line into lang is "[lang] line". fault, when set, answers instead.
type fakeTranslator struct {
	*httptest.Server
	mu    sync.Mutex
	reqs  []translatorRequest
	fault func(w http.ResponseWriter, r *http.Request) bool
}

func fakeTranslation(lang, line string) string { return "[" + lang + "] " + line }

func newFakeTranslator(t *testing.T) *fakeTranslator {
	t.Helper()
	f := &fakeTranslator{}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeTranslator) setFault(fn func(w http.ResponseWriter, r *http.Request) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fault = fn
}

func (f *fakeTranslator) requests(path string) []translatorRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []translatorRequest
	for _, r := range f.reqs {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeTranslator) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.reqs = append(f.reqs, translatorRequest{r.Method, r.URL.Path, r.URL.Query(), r.Header.Clone(), body})
	fault := f.fault
	f.mu.Unlock()
	if fault != nil && fault(w, r) {
		return
	}
	reply := func(v any) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	}
	switch r.URL.Path {
	case "/language/translate/v2":
		var in struct {
			Q      []string
			Target string
		}
		json.Unmarshal(body, &in)
		var out []map[string]string
		for _, q := range in.Q {
			out = append(out, map[string]string{"translatedText": fakeTranslation(in.Target, q)})
		}
		reply(map[string]any{"data": map[string]any{"translations": out}})
	case "/v2/translate":
		var in struct {
			Text       []string
			TargetLang string `json:"target_lang"`
		}
		json.Unmarshal(body, &in)
		var out []map[string]string
		for _, q := range in.Text {
			out = append(out, map[string]string{"detected_source_language": "EN", "text": fakeTranslation(strings.ToLower(in.TargetLang), q)})
		}
		reply(map[string]any{"translations": out})
	case "/translate":
		var in []struct{ Text string }
		json.Unmarshal(body, &in)
		var out []map[string]any
		for _, q := range in {
			var trs []map[string]string
			for _, to := range r.URL.Query()["to"] {
				trs = append(trs, map[string]string{"to": to, "text": fakeTranslation(to, q.Text)})
			}
			out = append(out, map[string]any{"translations": trs})
		}
		reply(out)
	case "/libre/languages":
		reply([]map[string]any{{"code": "de", "name": "German"}, {"code": "fr", "name": "French"}, {"code": "es", "name": "Spanish"}})
	case "/libre/translate":
		var in struct {
			Q      []string
			Target string
		}
		json.Unmarshal(body, &in)
		var out []string
		for _, q := range in.Q {
			out = append(out, fakeTranslation(in.Target, q))
		}
		reply(map[string]any{"translatedText": out})
	default:
		http.NotFound(w, r)
	}
}

// newTranslatingEnv is a server with auto-translation on through
// LibreTranslate at a fake, which the test can inspect and make fail.
func newTranslatingEnv(t *testing.T) (*apitest.Env, *fakeTranslator) {
	t.Helper()
	f := newFakeTranslator(t)
	e := apitest.New(t)
	e.SetSetting(t, "AutoTranslate_ServiceProvider", "libre-translate")
	e.SetSetting(t, "AutoTranslate_LibreTranslateAPIURL", f.URL+"/libre/")
	e.SetSetting(t, "AutoTranslate_LibreTranslateAPIKey", "LT-KEY")
	e.SetSetting(t, "AutoTranslate_Enabled", true)
	return e, f
}

func saveAutoTranslate(c *apitest.Client, t *testing.T, rid, field string, value any, extra ...string) *apitest.Response {
	t.Helper()
	body := map[string]any{"roomId": rid, "field": field, "value": value}
	if len(extra) > 0 {
		body["defaultLanguage"] = extra[0]
	}
	return c.Post(t, "autotranslate.saveSettings", body)
}

func translationsOf(m map[string]any) map[string]any {
	tr, _ := m["translations"].(map[string]any)
	return tr
}

func TestAutotranslateDisabled(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	rid := e.Admin.CreateRoom(t, "channels", "off", nil)
	m := e.Admin.PostText(t, rid, "hello")
	const off = "AutoTranslate is disabled."
	e.Admin.Get(t, "autotranslate.getSupportedLanguages", apitest.Q("targetLanguage", "en")).Fails(t, 400, "", off)
	saveAutoTranslate(e.Admin, t, rid, "autoTranslate", true).Fails(t, 400, "", off)
	e.Admin.Post(t, "autotranslate.translateMessage", map[string]any{"messageId": m["_id"]}).Fails(t, 400, "", off)
	// The shape is checked first.
	e.Admin.Get(t, "autotranslate.getSupportedLanguages").Fails(t, 400, "invalid-params", "must have required property 'targetLanguage' [invalid-params]")
	e.Admin.Post(t, "autotranslate.saveSettings", map[string]any{"roomId": rid, "field": "autoTranslate"}).Fails(t, 400, "invalid-params", "must have required property 'value' [invalid-params]")
	e.Admin.Post(t, "autotranslate.translateMessage", map[string]any{}).Fails(t, 400, "invalid-params", "must have required property 'messageId' [invalid-params]")
	e.Anon().Get(t, "autotranslate.getSupportedLanguages", apitest.Q("targetLanguage", "en")).Expect(t, 401)

	// The provider list needs no switch.
	p := e.Admin.Get(t, "autotranslate.getProviderUiMetadata").OK(t).JSON(t)["providers"].(map[string]any)
	for name, display := range map[string]string{"google-translate": "Google", "deepl-translate": "DeepL", "microsoft-translate": "Microsoft", "libre-translate": "LibreTranslate"} {
		if got, _ := p[name].(map[string]any); got["name"] != name || got["displayName"] != display {
			t.Errorf("provider %s = %v", name, p[name])
		}
	}
}

func TestAutotranslateGetSupportedLanguages(t *testing.T) {
	t.Parallel()
	e, f := newTranslatingEnv(t)
	alice := e.NewUser(t, "alice")

	alice.Get(t, "autotranslate.getSupportedLanguages", apitest.Q("targetLanguage", "en")).
		Fails(t, 400, "error-action-not-allowed", "Auto-Translate is not allowed [error-action-not-allowed]")

	var out struct {
		Languages []struct{ Language, Name string }
	}
	e.Admin.Get(t, "autotranslate.getSupportedLanguages", apitest.Q("targetLanguage", "en")).OK(t).Decode(t, &out)
	if len(out.Languages) != 3 || out.Languages[0].Language != "de" || out.Languages[0].Name != "German" {
		t.Fatalf("languages = %+v", out.Languages)
	}
	reqs := f.requests("/libre/languages")
	if len(reqs) != 1 || reqs[0].Method != http.MethodGet || reqs[0].Query["api_key"][0] != "LT-KEY" {
		t.Fatalf("languages requests = %+v", reqs)
	}
	// Cached per target.
	e.Admin.Get(t, "autotranslate.getSupportedLanguages", apitest.Q("targetLanguage", "en")).OK(t)
	if n := len(f.requests("/libre/languages")); n != 1 {
		t.Errorf("%d language requests, want the cached list", n)
	}

	// A provider error answers an empty list and is not cached.
	f.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		http.Error(w, `{"error":"down"}`, http.StatusBadGateway)
		return true
	})
	e.Admin.Get(t, "autotranslate.getSupportedLanguages", apitest.Q("targetLanguage", "de")).OK(t).Decode(t, &out)
	if len(out.Languages) != 0 {
		t.Errorf("languages on error = %+v", out.Languages)
	}
	f.setFault(nil)
	e.Admin.Get(t, "autotranslate.getSupportedLanguages", apitest.Q("targetLanguage", "de")).OK(t).Decode(t, &out)
	if len(out.Languages) != 3 {
		t.Errorf("languages after recovery = %+v", out.Languages)
	}
	if v := upMetric(t, e, `parley_integration_faults_total{feature="autotranslate",kind="http_5xx"}`); v != 1 {
		t.Errorf("fault counter = %v, want 1", v)
	}

	// An unknown provider lists nothing.
	e.Admin.Post(t, "settings/AutoTranslate_ServiceProvider", map[string]any{"value": "nobody"}).Expect(t, 400)
	e.SetSetting(t, "AutoTranslate_LibreTranslateAPIURL", "")
	e.Admin.Get(t, "autotranslate.getSupportedLanguages", apitest.Q("targetLanguage", "en")).OK(t).Decode(t, &out)
	if len(out.Languages) != 0 {
		t.Errorf("languages without a URL = %+v", out.Languages)
	}
}

func TestAutotranslateSaveSettings(t *testing.T) {
	t.Parallel()
	e, _ := newTranslatingEnv(t)
	alice := e.NewUser(t, "alice")
	rid := alice.CreateRoom(t, "channels", "babel", nil)

	for _, c := range []struct {
		body       map[string]any
		typ, error string
	}{
		{map[string]any{"roomId": rid, "field": "color", "value": "red"}, "invalid-params", ""},
		{map[string]any{"roomId": rid, "field": "autoTranslate", "value": true, "extra": 1}, "invalid-params", "must NOT have additional properties [invalid-params]"},
		{map[string]any{"roomId": rid, "field": "autoTranslate", "value": "maybe"}, "", `The bodyParam "autoTranslate" must be a boolean.`},
		{map[string]any{"roomId": rid, "field": "autoTranslate", "value": 1}, "", `The bodyParam "autoTranslate" must be a boolean.`},
		{map[string]any{"roomId": rid, "field": "autoTranslateLanguage", "value": "12"}, "", `The bodyParam "autoTranslateLanguage" must be a string.`},
		{map[string]any{"roomId": rid, "field": "autoTranslateLanguage", "value": "3x"}, "", `The bodyParam "autoTranslateLanguage" must be a string.`},
		{map[string]any{"roomId": rid, "field": "autoTranslateLanguage", "value": true}, "", `The bodyParam "autoTranslateLanguage" must be a string.`},
		// The permission comes after the value checks.
		{map[string]any{"roomId": rid, "field": "autoTranslate", "value": true}, "error-action-not-allowed", "Auto-Translate is not allowed [error-action-not-allowed]"},
	} {
		alice.Post(t, "autotranslate.saveSettings", c.body).Fails(t, 400, c.typ, c.error)
	}

	e.SetPermission(t, "auto-translate", "admin", "user")
	saveAutoTranslate(alice, t, "nowhere", "autoTranslate", true).Fails(t, 400, "error-invalid-subscription", "Invalid subscription [error-invalid-subscription]")

	// Strings are booleans too; defaultLanguage fills an empty language.
	saveAutoTranslate(alice, t, rid, "autoTranslate", "true", "de").OK(t)
	if s := alice.Subscription(t, rid); s["autoTranslate"] != true || s["autoTranslateLanguage"] != "de" {
		t.Errorf("subscription = %v", s)
	}
	saveAutoTranslate(alice, t, rid, "autoTranslate", true, "fr").OK(t)
	saveAutoTranslate(alice, t, rid, "autoTranslateLanguage", "pt-BR").OK(t)
	if s := alice.Subscription(t, rid); s["autoTranslateLanguage"] != "pt-BR" {
		t.Errorf("language = %v", s["autoTranslateLanguage"])
	}
	// Opting out is stored as false.
	saveAutoTranslate(alice, t, rid, "autoTranslate", "false").OK(t)
	if s := alice.Subscription(t, rid); s["autoTranslate"] != false || s["autoTranslateLanguage"] != "pt-BR" {
		t.Errorf("after opting out = %v", s)
	}

	// Encrypted rooms refuse to turn it on, but allow turning it off.
	secret := alice.CreateRoom(t, "groups", "secret", nil)
	r, err := e.Store.Rooms().Get(t.Context(), secret)
	if err != nil {
		t.Fatal(err)
	}
	r.Encrypted = new(true)
	if err := e.Store.Rooms().Update(t.Context(), r); err != nil {
		t.Fatal(err)
	}
	saveAutoTranslate(alice, t, secret, "autoTranslate", true).Fails(t, 400, "error-e2e-enabled", "Enabling auto-translation in E2E encrypted rooms is not allowed [error-e2e-enabled]")
	saveAutoTranslate(alice, t, secret, "autoTranslate", false).OK(t)
}

func TestAutotranslateTranslateMessage(t *testing.T) {
	t.Parallel()
	e, f := newTranslatingEnv(t)
	alice := e.NewUser(t, "alice")
	outsider := e.NewUser(t, "outsider")
	rid := alice.CreateRoom(t, "groups", "private", nil)
	m := alice.PostText(t, rid, "Hello :smile: @alice")
	id := m["_id"].(string)

	alice.Post(t, "autotranslate.translateMessage", map[string]any{"messageId": ""}).Fails(t, 400, "", `The bodyParam "messageId" is required.`)
	alice.Post(t, "autotranslate.translateMessage", map[string]any{"messageId": "nope"}).Fails(t, 400, "", "Message not found.")
	outsider.Post(t, "autotranslate.translateMessage", map[string]any{"messageId": id}).Fails(t, 403, "", "unauthorized")

	got := alice.Post(t, "autotranslate.translateMessage", map[string]any{"messageId": id, "targetLanguage": "es"}).OK(t).JSON(t)["message"].(map[string]any)
	if got["_id"] != id || got["msg"] != "Hello :smile: @alice" {
		t.Errorf("answer = %v", got)
	}
	stored := upWait(t, alice, id, func(m map[string]any) bool { return translationsOf(m)["es"] != nil })
	if tr := translationsOf(stored)["es"]; tr != "[es] Hello :smile: @alice" || stored["translationProvider"] != "libre-translate" {
		t.Errorf("stored = %v (%v)", tr, stored["translationProvider"])
	}
	if stored["_updatedAt"].(string) <= m["_updatedAt"].(string) {
		t.Errorf("_updatedAt not bumped")
	}
	// Protected parts never reach the provider.
	reqs := f.requests("/libre/translate")
	if len(reqs) != 1 || strings.Contains(string(reqs[0].Body), ":smile:") || strings.Contains(string(reqs[0].Body), "@alice") ||
		!strings.Contains(string(reqs[0].Body), `"api_key":"LT-KEY"`) {
		t.Errorf("request = %s", reqs[0].Body)
	}

	// A second language adds to the first.
	alice.Post(t, "autotranslate.translateMessage", map[string]any{"messageId": id, "targetLanguage": "de"}).OK(t)
	stored = upWait(t, alice, id, func(m map[string]any) bool { return translationsOf(m)["de"] != nil })
	if translationsOf(stored)["es"] == nil {
		t.Errorf("es lost: %v", translationsOf(stored))
	}

	// A provider without its key still answers the message; the job fails
	// in the background.
	e.SetSetting(t, "AutoTranslate_ServiceProvider", "google-translate")
	e.SetSetting(t, "AutoTranslate_GoogleAPIKey", "")
	got = alice.Post(t, "autotranslate.translateMessage", map[string]any{"messageId": id}).OK(t).JSON(t)["message"].(map[string]any)
	if got["_id"] != id {
		t.Errorf("answer = %v", got)
	}
}

// TestAutoTranslateNewMessages: members who turned translation on get new
// messages in their language, attachments included, but never the
// author's own language list.
func TestAutoTranslateNewMessages(t *testing.T) {
	t.Parallel()
	e, _ := newTranslatingEnv(t)
	alice := e.NewUser(t, "alice")
	bob := e.NewUser(t, "bob")
	carol := e.NewUser(t, "carol")
	dave := e.NewUser(t, "dave")
	rid := alice.CreateRoom(t, "channels", "world", nil, bob.Username, carol.Username, dave.Username)
	e.SetPermission(t, "auto-translate", "admin", "user")
	saveAutoTranslate(alice, t, rid, "autoTranslate", true, "es").OK(t)
	saveAutoTranslate(bob, t, rid, "autoTranslate", true, "de").OK(t)
	saveAutoTranslate(carol, t, rid, "autoTranslate", true, "fr").OK(t)
	saveAutoTranslate(dave, t, rid, "autoTranslateLanguage", "it").OK(t) // language but not switched on

	m := alice.PostMessage(t, map[string]any{"roomId": rid, "text": "Good morning\n\nsee you",
		"attachments": []map[string]any{{"text": "Read [the docs](https://example.com/docs)", "color": "#ff0000"}}})
	// The answer comes before the translation, which follows in the
	// background.
	if m["translations"] != nil {
		t.Errorf("the post waited for its translations: %v", m["translations"])
	}
	got := upWait(t, bob, m["_id"].(string), func(m map[string]any) bool {
		atts, _ := m["attachments"].([]any)
		return len(translationsOf(m)) == 2 && len(atts) == 1 && atts[0].(map[string]any)["translations"] != nil
	})
	tr := translationsOf(got)
	if tr["de"] != "[de] Good morning\n\n[de] see you" || tr["fr"] != "[fr] Good morning\n\n[fr] see you" || tr["es"] != nil || tr["it"] != nil {
		t.Errorf("translations = %v", tr)
	}
	att := got["attachments"].([]any)[0].(map[string]any)
	if atr := att["translations"].(map[string]any); atr["de"] != "[de] Read the docs" || att["color"] != "#ff0000" {
		t.Errorf("attachment = %v", att)
	}

	// An edit translates the new text and drops the old translations.
	alice.UpdateMessage(t, rid, m["_id"].(string), "Good night").OK(t)
	got = upWait(t, bob, m["_id"].(string), func(m map[string]any) bool { return translationsOf(m)["de"] == "[de] Good night" })
	if tr := translationsOf(got); tr["fr"] != "[fr] Good night" {
		t.Errorf("after edit = %v", tr)
	}

	// Bob's own message goes to alice's and carol's languages.
	b := bob.PostText(t, rid, "Hi")
	got = upWait(t, bob, b["_id"].(string), func(m map[string]any) bool { return len(translationsOf(m)) == 2 })
	if tr := translationsOf(got); tr["es"] == nil || tr["fr"] == nil {
		t.Errorf("bob's message = %v", tr)
	}
}

func TestAutoTranslateProviders(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		provider, path string
		settings       map[string]any
		check          func(r translatorRequest) bool
	}{
		{"google-translate", "/language/translate/v2", map[string]any{"AutoTranslate_GoogleAPIKey": "G-KEY", "AutoTranslate_GoogleAPIURL": "%s"},
			func(r translatorRequest) bool {
				return r.Method == http.MethodPost && r.Query["key"][0] == "G-KEY" && strings.Contains(string(r.Body), `"target":"de"`)
			}},
		{"deepl-translate", "/v2/translate", map[string]any{"AutoTranslate_DeepLAPIKey": "D-KEY:fx", "AutoTranslate_DeepLAPIURL": "%s"},
			func(r translatorRequest) bool {
				return r.Method == http.MethodPost && r.Header.Get("Authorization") == "DeepL-Auth-Key D-KEY:fx" && strings.Contains(string(r.Body), `"target_lang":"DE"`)
			}},
		{"microsoft-translate", "/translate", map[string]any{"AutoTranslate_MicrosoftAPIKey": "M-KEY", "AutoTranslate_MicrosoftAPIURL": "%s"},
			func(r translatorRequest) bool {
				return r.Method == http.MethodPost && r.Header.Get("Ocp-Apim-Subscription-Key") == "M-KEY" &&
					r.Query["api-version"][0] == "3.0" && r.Query["to"][0] == "de" && strings.Contains(string(r.Body), `"Text"`)
			}},
		{"libre-translate", "/libre/translate", map[string]any{"AutoTranslate_LibreTranslateAPIURL": "%s/libre"},
			func(r translatorRequest) bool {
				return r.Method == http.MethodPost && strings.Contains(string(r.Body), `"source":"auto"`) && strings.Contains(string(r.Body), `"target":"de"`)
			}},
	} {
		t.Run(c.provider, func(t *testing.T) {
			t.Parallel()
			f := newFakeTranslator(t)
			e := apitest.New(t)
			rid := e.Admin.CreateRoom(t, "channels", "p", nil)
			for id, v := range c.settings {
				if s, ok := v.(string); ok {
					v = strings.ReplaceAll(s, "%s", f.URL)
				}
				e.SetSetting(t, id, v)
			}
			e.SetSetting(t, "AutoTranslate_ServiceProvider", c.provider)
			e.SetSetting(t, "AutoTranslate_Enabled", true)
			m := e.Admin.PostText(t, rid, "Hello")
			e.Admin.Post(t, "autotranslate.translateMessage", map[string]any{"messageId": m["_id"], "targetLanguage": "de"}).OK(t)
			got := upWait(t, e.Admin, m["_id"].(string), func(m map[string]any) bool { return translationsOf(m)["de"] != nil })
			if tr := translationsOf(got)["de"]; tr != "[de] Hello" || got["translationProvider"] != c.provider {
				t.Errorf("translation %v by %v", tr, got["translationProvider"])
			}
			reqs := f.requests(c.path)
			if len(reqs) != 1 || !c.check(reqs[0]) {
				t.Errorf("requests to %s: %+v", c.path, reqs)
			}
		})
	}
}

// TestAutoTranslateFaults: a failing provider leaves messages untranslated
// and counts the fault; posting is never slowed; 429 and 5xx are retried.
func TestAutoTranslateFaults(t *testing.T) {
	t.Parallel()
	e, f := newTranslatingEnv(t)
	alice := e.NewUser(t, "alice")
	bob := e.NewUser(t, "bob")
	rid := alice.CreateRoom(t, "channels", "faults", nil, bob.Username)
	e.SetPermission(t, "auto-translate", "admin", "user")
	saveAutoTranslate(bob, t, rid, "autoTranslate", true, "de").OK(t)

	// Rate limited once, then fine: the retry lands the translation.
	var mu sync.Mutex
	limited := 0
	f.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		mu.Lock()
		defer mu.Unlock()
		if r.URL.Path == "/libre/translate" && limited == 0 {
			limited++
			http.Error(w, `{"error":"slow down"}`, http.StatusTooManyRequests)
			return true
		}
		return false
	})
	m := alice.PostText(t, rid, "retry me")
	upWait(t, bob, m["_id"].(string), func(m map[string]any) bool { return translationsOf(m)["de"] == "[de] retry me" })
	if n := len(f.requests("/libre/translate")); n != 2 {
		t.Errorf("%d translate requests, want 2", n)
	}

	for _, c := range []struct {
		kind  string
		fault func(w http.ResponseWriter, r *http.Request) bool
	}{
		{"http_4xx", func(w http.ResponseWriter, r *http.Request) bool {
			http.Error(w, `{"error":"Invalid API key"}`, http.StatusForbidden)
			return true
		}},
		{"malformed", func(w http.ResponseWriter, r *http.Request) bool {
			io.WriteString(w, `{"translatedText": [1, `)
			return true
		}},
		{"http_5xx", func(w http.ResponseWriter, r *http.Request) bool {
			http.Error(w, "boom", http.StatusInternalServerError)
			return true
		}},
	} {
		f.setFault(c.fault)
		series := `parley_integration_faults_total{feature="autotranslate",kind="` + c.kind + `"}`
		before := upMetric(t, e, series)
		m := alice.PostText(t, rid, "fails "+c.kind)
		if m["translations"] != nil {
			t.Errorf("%s: the post waited for its translations", c.kind)
		}
		upWaitMetric(t, e, series, before+1)
		got := alice.Get(t, "chat.getMessage", apitest.Q("msgId", m["_id"].(string))).OK(t).JSON(t)["message"].(map[string]any)
		if got["translations"] != nil || got["msg"] != "fails "+c.kind {
			t.Errorf("%s: message = %v", c.kind, got)
		}
	}

	// A provider that never answers does not hold up posting either.
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	f.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		return true
	})
	series := `parley_integration_faults_total{feature="autotranslate",kind="timeout"}`
	before := upMetric(t, e, series)
	// Were posting to wait for the translation, the post would answer
	// only after the request timed out, which the metric counts.
	last := alice.PostText(t, rid, "into the void")
	if upMetric(t, e, series) != before {
		t.Errorf("a post waited for the hanging provider's timeout")
	}
	for range 4 {
		last = alice.PostText(t, rid, "into the void")
	}
	// The request gives up after its timeout (1 s in tests), untranslated.
	upWaitMetric(t, e, series, before+1)
	got := alice.Get(t, "chat.getMessage", apitest.Q("msgId", last["_id"].(string))).OK(t).JSON(t)["message"].(map[string]any)
	if got["translations"] != nil {
		t.Errorf("translated by a hanging provider: %v", got)
	}
}
