package translate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// request is what a fake provider saw.
type request struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
}

// fakeAPI is a local stand-in for a provider's HTTP API.
type fakeAPI struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []request
}

func newFakeAPI(t *testing.T, h func(w http.ResponseWriter, r *http.Request, body []byte)) *fakeAPI {
	t.Helper()
	f := &fakeAPI{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body})
		f.mu.Unlock()
		h(w, r, body)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeAPI) requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.reqs...)
}

func (f *fakeAPI) count(path string) int {
	n := 0
	for _, r := range f.requests() {
		if r.Path == path {
			n++
		}
	}
	return n
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// fakeTranslation marks each line with its target and, like a real
// plain-text translator, disturbs the placeholders' spacing.
func fakeTranslation(target, line string) string {
	line = strings.ReplaceAll(line, "<i class=notranslate>", "<i class=notranslate> ")
	return "[" + target + "] " + line
}

const message = "Hello @bob, look at `go vet`\nSecond line :smile:\n\n```\ncode only\n```"

func wantTranslated(target string) string {
	return "[" + target + "] Hello @bob, look at `go vet`\n[" + target + "] Second line :smile:\n\n```\ncode only\n```"
}

func decode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("request body %s: %v", body, err)
	}
	return v
}

func TestGoogle(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		switch r.URL.Path {
		case "/language/translate/v2/languages":
			writeJSON(w, map[string]any{"data": map[string]any{"languages": []Language{
				{Language: "de", Name: "Deutsch"}, {Language: "zh-TW", Name: "Chinesisch (traditionell)"},
			}}})
		case "/language/translate/v2":
			var in struct {
				Q      []string `json:"q"`
				Target string   `json:"target"`
			}
			json.Unmarshal(body, &in)
			var out []map[string]string
			for _, q := range in.Q {
				out = append(out, map[string]string{"translatedText": fakeTranslation(in.Target, q), "detectedSourceLanguage": "en"})
			}
			writeJSON(w, map[string]any{"data": map[string]any{"translations": out}})
		default:
			http.NotFound(w, r)
		}
	})
	p := NewGoogle(Config{APIKey: "G-KEY", BaseURL: api.URL})
	if p.Name() != "google-translate" {
		t.Errorf("name %q", p.Name())
	}

	got, err := p.Translate(context.Background(), message, []string{"de", "fr"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"de": wantTranslated("de"), "fr": wantTranslated("fr")}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	reqs := api.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want one per target", len(reqs))
	}
	for i, target := range []string{"de", "fr"} {
		r := reqs[i]
		if r.Method != http.MethodPost || r.Path != "/language/translate/v2" || r.Query.Get("key") != "G-KEY" ||
			!strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Errorf("request %d: %+v", i, r)
		}
		in := decode[map[string]any](t, r.Body)
		if in["target"] != target || in["format"] != "text" || len(in["q"].([]any)) != 2 {
			t.Errorf("body %s", r.Body)
		}
		for _, q := range in["q"].([]any) {
			if s := q.(string); strings.Contains(s, "@bob") || strings.Contains(s, ":smile:") || strings.Contains(s, "go vet") {
				t.Errorf("protected text sent to the provider: %q", s)
			}
		}
	}

	langs, err := p.SupportedLanguages(context.Background(), "de")
	if err != nil || len(langs) != 2 || langs[0] != (Language{"de", "Deutsch"}) {
		t.Fatalf("languages %v %v", langs, err)
	}
	r := api.requests()[2]
	if r.Method != http.MethodGet || r.Query.Get("key") != "G-KEY" || r.Query.Get("target") != "de" {
		t.Errorf("languages request %+v", r)
	}
}

func TestGoogleBaseURLForms(t *testing.T) {
	t.Parallel()
	for base, want := range map[string]string{
		"":                             "https://translation.googleapis.com/language/translate/v2",
		"https://proxy.example":        "https://proxy.example/language/translate/v2",
		"https://proxy.example/":       "https://proxy.example/language/translate/v2",
		"https://proxy.example/google": "https://proxy.example/google",
	} {
		got := NewGoogle(Config{BaseURL: base}).(*service).b.(*google).base
		if got != want {
			t.Errorf("base %q -> %q, want %q", base, got, want)
		}
	}
}

func TestGoogleLanguagesFallBackToEnglish(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if r.URL.Query().Get("target") != "en" {
			w.WriteHeader(http.StatusBadRequest)
			writeJSON(w, map[string]any{"error": map[string]any{"code": 400, "message": "Invalid Value", "status": "INVALID_ARGUMENT"}})
			return
		}
		writeJSON(w, map[string]any{"data": map[string]any{"languages": []Language{{Language: "de", Name: "German"}}}})
	})
	langs, err := NewGoogle(Config{APIKey: "k", BaseURL: api.URL}).SupportedLanguages(context.Background(), "xx")
	if err != nil || len(langs) != 1 || langs[0].Name != "German" {
		t.Errorf("languages %v %v", langs, err)
	}
}

func TestDeepL(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		if r.Header.Get("Authorization") != "DeepL-Auth-Key D-KEY:fx" {
			w.WriteHeader(http.StatusForbidden)
			writeJSON(w, map[string]string{"message": "Wrong endpoint"})
			return
		}
		switch r.URL.Path {
		case "/v2/languages":
			writeJSON(w, []map[string]any{
				{"language": "BG", "name": "Bulgarian", "supports_formality": false},
				{"language": "EN-GB", "name": "English (British)", "supports_formality": false},
				{"language": "PT-BR", "name": "Portuguese (Brazilian)", "supports_formality": true},
			})
		case "/v2/translate":
			var in struct {
				Text       []string `json:"text"`
				TargetLang string   `json:"target_lang"`
			}
			json.Unmarshal(body, &in)
			var out []map[string]string
			for _, s := range in.Text {
				out = append(out, map[string]string{"detected_source_language": "EN", "text": fakeTranslation(strings.ToLower(in.TargetLang), s)})
			}
			writeJSON(w, map[string]any{"translations": out})
		default:
			http.NotFound(w, r)
		}
	})
	// An explicit base URL wins over the :fx free-API host; a trailing /v2
	// is accepted.
	p := NewDeepL(Config{APIKey: "D-KEY:fx", BaseURL: api.URL + "/v2/"})

	langs, err := p.SupportedLanguages(context.Background(), "en")
	if err != nil {
		t.Fatal(err)
	}
	want := []Language{{"bg", "Bulgarian"}, {"en-GB", "English (British)"}, {"pt-BR", "Portuguese (Brazilian)"}}
	if diff := cmp.Diff(want, langs); diff != "" {
		t.Errorf("languages (-want +got):\n%s", diff)
	}
	r := api.requests()[0]
	if r.Method != http.MethodGet || r.Path != "/v2/languages" || r.Query.Get("type") != "target" {
		t.Errorf("languages request %+v", r)
	}

	// pt-BR is listed, so it is used as is; de-AT is not, so it becomes de.
	got, err := p.Translate(context.Background(), message, []string{"pt-BR", "de-AT", "de"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"pt-BR": wantTranslated("pt-br"), "de": wantTranslated("de")}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var targets []string
	for _, r := range api.requests()[1:] {
		if r.Method != http.MethodPost || r.Path != "/v2/translate" || len(r.Query) != 0 {
			t.Errorf("translate request %+v", r)
		}
		in := decode[struct {
			Text       []string `json:"text"`
			TargetLang string   `json:"target_lang"`
		}](t, r.Body)
		if len(in.Text) != 2 {
			t.Errorf("text %v", in.Text)
		}
		targets = append(targets, in.TargetLang)
	}
	if diff := cmp.Diff([]string{"PT-BR", "DE"}, targets); diff != "" {
		t.Errorf("targets (-want +got):\n%s", diff)
	}
	if n := api.count("/v2/languages"); n != 1 {
		t.Errorf("language list fetched %d times, want 1 (cached)", n)
	}
}

func TestDeepLHosts(t *testing.T) {
	t.Parallel()
	for key, want := range map[string]string{"abc:fx": "https://api-free.deepl.com", "abc": "https://api.deepl.com"} {
		if got := NewDeepL(Config{APIKey: key}).(*service).b.(*deepl).base; got != want {
			t.Errorf("key %q -> %q, want %q", key, got, want)
		}
	}
}

func TestMicrosoft(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		switch r.URL.Path {
		case "/languages":
			writeJSON(w, map[string]any{"translation": map[string]any{
				"de":      map[string]string{"name": "Deutsch", "nativeName": "Deutsch", "dir": "ltr"},
				"af":      map[string]string{"name": "Afrikaans", "nativeName": "Afrikaans", "dir": "ltr"},
				"zh-Hans": map[string]string{"name": "Chinesisch (vereinfacht)", "nativeName": "中文 (简体)", "dir": "ltr"},
			}})
		case "/translate":
			var in []struct{ Text string }
			json.Unmarshal(body, &in)
			var out []map[string]any
			for _, item := range in {
				var trs []map[string]string
				for _, to := range r.URL.Query()["to"] {
					trs = append(trs, map[string]string{"to": to, "text": fakeTranslation(to, item.Text)})
				}
				out = append(out, map[string]any{"translations": trs})
			}
			writeJSON(w, out)
		}
	})
	p := NewMicrosoft(Config{APIKey: "M-KEY", BaseURL: api.URL})

	got, err := p.Translate(context.Background(), message, []string{"de", "zh-Hans", "pt-BR"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"de": wantTranslated("de"), "zh-Hans": wantTranslated("zh-Hans"), "pt": wantTranslated("pt")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	reqs := api.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want the language list and one translation", len(reqs))
	}
	lr, tr := reqs[0], reqs[1]
	if lr.Method != http.MethodGet || lr.Path != "/languages" || lr.Query.Get("api-version") != "3.0" ||
		lr.Header.Get("Ocp-Apim-Subscription-Key") != "" || lr.Header.Get("Accept-Language") != "en" {
		t.Errorf("languages request %+v", lr)
	}
	if tr.Method != http.MethodPost || tr.Path != "/translate" || tr.Query.Get("api-version") != "3.0" ||
		tr.Header.Get("Ocp-Apim-Subscription-Key") != "M-KEY" || tr.Header.Get("Content-Type") != "application/json; charset=UTF-8" {
		t.Errorf("translate request %+v", tr)
	}
	if diff := cmp.Diff([]string{"de", "zh-Hans", "pt"}, tr.Query["to"]); diff != "" {
		t.Errorf("to= parameters (-want +got):\n%s", diff)
	}
	in := decode[[]map[string]string](t, tr.Body)
	if len(in) != 2 || in[0]["Text"] == "" || len(in[0]) != 1 {
		t.Errorf("body %s", tr.Body)
	}

	langs, err := p.SupportedLanguages(context.Background(), "de")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Language{{"af", "Afrikaans"}, {"de", "Deutsch"}, {"zh-Hans", "Chinesisch (vereinfacht)"}}, langs); diff != "" {
		t.Errorf("languages (-want +got):\n%s", diff)
	}
}

func TestLibre(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		switch r.URL.Path {
		case "/languages":
			writeJSON(w, []map[string]any{
				{"code": "en", "name": "English", "targets": []string{"de", "fr"}},
				{"code": "zh-Hans", "name": "Chinese", "targets": []string{"en"}},
			})
		case "/translate":
			var in struct {
				Q      []string `json:"q"`
				Target string   `json:"target"`
			}
			json.Unmarshal(body, &in)
			var out []string
			for _, q := range in.Q {
				out = append(out, fakeTranslation(in.Target, q))
			}
			writeJSON(w, map[string]any{"translatedText": out})
		}
	})
	p := NewLibre(Config{BaseURL: api.URL + "/", APIKey: "L-KEY"})
	got, err := p.Translate(context.Background(), message, []string{"de"})
	if err != nil {
		t.Fatal(err)
	}
	if got["de"] != wantTranslated("de") {
		t.Errorf("got %q", got["de"])
	}
	r := api.requests()[0]
	if r.Method != http.MethodPost || r.Path != "/translate" {
		t.Errorf("request %+v", r)
	}
	in := decode[map[string]any](t, r.Body)
	if in["source"] != "auto" || in["target"] != "de" || in["format"] != "text" || in["api_key"] != "L-KEY" || len(in["q"].([]any)) != 2 {
		t.Errorf("body %s", r.Body)
	}

	// Without a key, no api_key is sent.
	NewLibre(Config{BaseURL: api.URL}).Translate(context.Background(), "hello", []string{"fr"})
	if in := decode[map[string]any](t, api.requests()[1].Body); in["api_key"] != nil {
		t.Errorf("api_key sent without a key: %v", in)
	}

	langs, err := p.SupportedLanguages(context.Background(), "en")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Language{{"en", "English"}, {"zh-Hans", "Chinese"}}, langs); diff != "" {
		t.Errorf("languages (-want +got):\n%s", diff)
	}
	if r := api.requests()[2]; r.Method != http.MethodGet || r.Path != "/languages" {
		t.Errorf("languages request %+v", r)
	}
}

func TestLibreSingleStringAnswer(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		writeJSON(w, map[string]any{"translatedText": "Hallo"})
	})
	got, err := NewLibre(Config{BaseURL: api.URL}).Translate(context.Background(), "Hello", []string{"de"})
	if err != nil || got["de"] != "Hallo" {
		t.Errorf("got %v, %v", got, err)
	}
}

func TestNotConfigured(t *testing.T) {
	t.Parallel()
	for _, p := range []Provider{NewGoogle(Config{}), NewDeepL(Config{}), NewMicrosoft(Config{}), NewLibre(Config{APIKey: "k"})} {
		langs, err := p.SupportedLanguages(context.Background(), "en")
		if err != nil || langs == nil || len(langs) != 0 {
			t.Errorf("%s: languages %v, %v", p.Name(), langs, err)
		}
		_, err = p.Translate(context.Background(), "hello", []string{"de"})
		if !errors.Is(err, ErrNotConfigured) || IsRetryable(err) {
			t.Errorf("%s: translate error %v", p.Name(), err)
		}
	}
}

func TestNothingToSend(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		w.WriteHeader(http.StatusInternalServerError)
	})
	p := NewLibre(Config{BaseURL: api.URL})
	got, err := p.Translate(context.Background(), ":tada: `make` @ann", []string{"de", "fr"})
	if err != nil || got["de"] != ":tada: `make` @ann" || got["fr"] != got["de"] {
		t.Errorf("got %v, %v", got, err)
	}
	if got, err := p.Translate(context.Background(), "  ", []string{"de"}); err != nil || len(got) != 0 {
		t.Errorf("blank text: %v, %v", got, err)
	}
	if got, err := p.Translate(context.Background(), "hi", nil); err != nil || len(got) != 0 {
		t.Errorf("no targets: %v, %v", got, err)
	}
	if len(api.requests()) != 0 {
		t.Error("a request was sent with nothing to translate")
	}
}

func TestTranslateAttachment(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, body []byte) {
		var in struct{ Q []string }
		json.Unmarshal(body, &in)
		writeJSON(w, map[string]any{"translatedText": []string{"<" + in.Q[0] + ">"}})
	})
	p := NewLibre(Config{BaseURL: api.URL})
	got, err := p.TranslateAttachment(context.Background(), "", "see [the page](https://a.example/)", []string{"de"})
	if err != nil || got["de"] != "<see the page>" {
		t.Errorf("got %v, %v", got, err)
	}
	got, err = p.TranslateAttachment(context.Background(), "a photo", "ignored", []string{"de"})
	if err != nil || got["de"] != "<a photo>" {
		t.Errorf("got %v, %v", got, err)
	}
	if got, err := p.TranslateAttachment(context.Background(), "", "", []string{"de"}); got != nil || err != nil {
		t.Errorf("empty attachment: %v, %v", got, err)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		var in struct{ Target string }
		json.Unmarshal(body, &in)
		switch in.Target {
		case "unavailable":
			http.Error(w, "upstream down", http.StatusServiceUnavailable)
		case "limited":
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			writeJSON(w, map[string]string{"error": "Slowdown: 10 per 1 minute"})
		case "forbidden":
			w.WriteHeader(http.StatusForbidden)
			writeJSON(w, map[string]string{"error": "Invalid API key"})
		case "garbage":
			w.Write([]byte("<html>not json</html>"))
		case "short":
			writeJSON(w, map[string]any{"translatedText": []string{}})
		case "slow":
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		default:
			writeJSON(w, map[string]any{"translatedText": []string{"ok"}})
		}
	})
	p := NewLibre(Config{BaseURL: api.URL, Timeout: 200 * time.Millisecond})
	translate := func(targets ...string) (map[string]string, error) {
		return p.Translate(context.Background(), "Hello", targets)
	}

	_, err := translate("unavailable")
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 503 || ae.Message != "upstream down" || !IsRetryable(err) {
		t.Errorf("503: %v", err)
	}
	_, err = translate("limited")
	if !errors.As(err, &ae) || ae.StatusCode != 429 || !IsRetryable(err) || RetryAfter(err) != 7*time.Second ||
		!strings.Contains(err.Error(), "Slowdown") {
		t.Errorf("429: %v", err)
	}
	_, err = translate("forbidden")
	if !errors.As(err, &ae) || ae.StatusCode != 403 || ae.Message != "Invalid API key" || IsRetryable(err) {
		t.Errorf("403: %v", err)
	}
	_, err = translate("garbage")
	if !errors.Is(err, ErrMalformed) || IsRetryable(err) {
		t.Errorf("malformed: %v", err)
	}
	_, err = translate("short")
	if !errors.Is(err, ErrMalformed) || IsRetryable(err) {
		t.Errorf("wrong line count: %v", err)
	}
	start := time.Now()
	_, err = translate("slow")
	if !errors.Is(err, ErrTimeout) || IsRetryable(err) || time.Since(start) > 2*time.Second {
		t.Errorf("timeout: %v after %v", err, time.Since(start))
	}

	// One target failing keeps the others; the error says whether a retry
	// could help.
	got, err := translate("de", "unavailable", "forbidden")
	if got["de"] != "ok" || len(got) != 1 || !IsRetryable(err) || !strings.Contains(err.Error(), "target forbidden") {
		t.Errorf("partial: %v, %v", got, err)
	}
	if IsRetryable(nil) || IsRetryable(errors.New("x")) || RetryAfter(nil) != 0 {
		t.Error("nil/plain errors misclassified")
	}
}

func TestLanguageCache(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	fail := true
	api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		mu.Lock()
		defer mu.Unlock()
		if fail {
			http.Error(w, "{}", http.StatusBadGateway)
			return
		}
		writeJSON(w, []map[string]string{{"code": "de", "name": "German"}})
	})
	p := NewLibre(Config{BaseURL: api.URL, LanguageCacheTTL: time.Hour}).(*service)
	now := time.Now()
	p.now = func() time.Time { return now }
	ctx := context.Background()

	if _, err := p.SupportedLanguages(ctx, "en"); err == nil {
		t.Fatal("no error from a 502")
	}
	mu.Lock()
	fail = false
	mu.Unlock()
	// The failure was not cached.
	if l, err := p.SupportedLanguages(ctx, "en"); err != nil || len(l) != 1 {
		t.Fatalf("after recovery: %v %v", l, err)
	}
	l, _ := p.SupportedLanguages(ctx, "en")
	l[0].Name = "mutated by caller"
	if l, _ := p.SupportedLanguages(ctx, "en"); l[0].Name != "German" {
		t.Error("cached list shared with callers")
	}
	if n := len(api.requests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	// Each target has its own entry.
	p.SupportedLanguages(ctx, "de")
	if n := len(api.requests()); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
	now = now.Add(2 * time.Hour)
	p.SupportedLanguages(ctx, "en")
	if n := len(api.requests()); n != 4 {
		t.Errorf("%d requests after expiry, want 4", n)
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	for _, info := range Providers() {
		p, err := New(info.Name, Config{})
		if err != nil || p.Name() != info.Name {
			t.Errorf("New(%q) = %v, %v", info.Name, p, err)
		}
	}
	if _, err := New("yandex-translate", Config{}); err == nil {
		t.Error("unknown provider accepted")
	}
}

func TestRegistry(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	s := Settings{Provider: Google, GoogleAPIKey: "g1", DeepLAPIKey: "d1", DeepLAPIURL: "http://deepl.local"}
	set := func(f func(*Settings)) { mu.Lock(); f(&s); mu.Unlock() }
	r := NewRegistry(func() Settings { mu.Lock(); defer mu.Unlock(); return s }, Config{Timeout: time.Second})

	if r.Active() != nil {
		t.Fatal("active while disabled")
	}
	set(func(s *Settings) { s.Enabled = true })
	g := r.Active()
	if g == nil || g.Name() != Google || r.Active() != g {
		t.Fatalf("google: %v", g)
	}
	set(func(s *Settings) { s.GoogleAPIKey = "g2" })
	if g2 := r.Active(); g2 == g || g2.(*service).b.(*google).key != "g2" {
		t.Error("new key did not give a fresh provider")
	}
	set(func(s *Settings) { s.Provider = DeepL })
	if d := r.Active(); d == nil || d.Name() != DeepL || d.(*service).b.(*deepl).base != "http://deepl.local" {
		t.Errorf("deepl: %v", d)
	}
	set(func(s *Settings) { s.Provider = "nonsense" })
	if r.Active() != nil {
		t.Error("unknown provider active")
	}
	name, cfg := Settings{Provider: Libre, LibreTranslateAPIURL: "http://libre:5000", LibreTranslateAPIKey: "lk"}.Config(Config{Timeout: 3 * time.Second})
	if name != Libre || cfg.BaseURL != "http://libre:5000" || cfg.APIKey != "lk" || cfg.Timeout != 3*time.Second {
		t.Errorf("Config = %s %+v", name, cfg)
	}
	name, cfg = Settings{Provider: Microsoft, MicrosoftAPIKey: "mk", MicrosoftAPIURL: "http://ms"}.Config(Config{})
	if name != Microsoft || cfg.APIKey != "mk" || cfg.BaseURL != "http://ms" {
		t.Errorf("Config = %s %+v", name, cfg)
	}
}

func ExampleProvider() {
	p := NewLibre(Config{BaseURL: "http://localhost:5000"})
	fmt.Println(p.Name())
	// Output: libre-translate
}

func TestLongMessagesAreSentInChunks(t *testing.T) {
	t.Parallel()
	var sizes []int
	var mu sync.Mutex
	api := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, body []byte) {
		var in struct {
			Text []string `json:"text"`
		}
		json.Unmarshal(body, &in)
		mu.Lock()
		sizes = append(sizes, len(in.Text))
		mu.Unlock()
		var out []map[string]string
		for _, s := range in.Text {
			out = append(out, map[string]string{"text": strings.ToUpper(s)})
		}
		writeJSON(w, map[string]any{"translations": out})
	})
	var lines, want []string
	for i := range 120 {
		lines = append(lines, fmt.Sprintf("line %d", i))
		want = append(want, fmt.Sprintf("LINE %d", i))
	}
	got, err := NewDeepL(Config{APIKey: "k", BaseURL: api.URL}).Translate(context.Background(), strings.Join(lines, "\n"), []string{"de"})
	if err != nil {
		t.Fatal(err)
	}
	if got["de"] != strings.Join(want, "\n") {
		t.Errorf("lines out of order or lost")
	}
	if fmt.Sprint(sizes) != "[50 50 20]" {
		t.Errorf("request sizes %v", sizes)
	}
}
