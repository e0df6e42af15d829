// Package translate holds the auto-translation providers (Google Translate
// v2, DeepL, Microsoft Translator v3, LibreTranslate) behind one interface,
// a registry that picks the active one from the settings, and a bounded
// worker pool that runs translation jobs off the request path.
//
// Every provider goes through the same wrapper, which:
//   - protects the parts of a message that must not be translated
//     (emoji shortcodes, code, link targets, @mentions, #channels) with
//     placeholders and restores them afterwards, for all providers;
//   - sends the message line by line and joins the translated lines with
//     "\n", skipping lines that have nothing to translate;
//   - falls back from a regional code such as "pt-BR" to "pt" when the
//     provider does not list the regional one, and keys the result by the
//     code actually used;
//   - caches each provider's language list per target language.
package translate

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Language is one entry of a provider's language list, in the shape the
// autotranslate.getSupportedLanguages endpoint returns.
type Language struct {
	Language string `json:"language"`
	Name     string `json:"name"`
}

// Provider names, the values of the AutoTranslate_ServiceProvider setting.
const (
	Google    = "google-translate"
	DeepL     = "deepl-translate"
	Microsoft = "microsoft-translate"
	Libre     = "libre-translate"
)

// Provider translates message texts.
type Provider interface {
	// Name is the provider's setting value, e.g. "google-translate".
	Name() string

	// SupportedLanguages lists the languages the provider translates into,
	// with names in the target language where the provider offers that
	// (Google, Microsoft) and in English otherwise. Lists are cached per
	// target; failures are not cached. A provider without its API key (or
	// LibreTranslate without its URL) returns an empty list and no error,
	// as Rocket.Chat does.
	SupportedLanguages(ctx context.Context, target string) ([]Language, error)

	// Translate translates a message text into each target language. The
	// map is keyed by the language code used, which is the 2-letter code
	// when a regional code was not supported (see the package comment).
	// When some targets fail, the map holds the others and the error
	// joins the failures; IsRetryable tells whether trying again may help.
	Translate(ctx context.Context, text string, targets []string) (map[string]string, error)

	// TranslateAttachment translates an attachment's description, or,
	// when it has none, its text with Markdown links reduced to their
	// labels, as Rocket.Chat picks it. It returns nil and no error when
	// both are empty. The result is a string per language for every
	// provider: Rocket.Chat stores an array of strings for DeepL, which
	// clients only render because JavaScript turns a one-element array
	// into its string; Parley stores the string.
	TranslateAttachment(ctx context.Context, description, text string, targets []string) (map[string]string, error)
}

// ProviderInfo names a provider for the provider metadata endpoint.
type ProviderInfo struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
}

// Providers lists the known providers in a stable order.
func Providers() []ProviderInfo {
	return []ProviderInfo{
		{Name: Google, DisplayName: "Google"},
		{Name: DeepL, DisplayName: "DeepL"},
		{Name: Microsoft, DisplayName: "Microsoft"},
		{Name: Libre, DisplayName: "LibreTranslate"},
	}
}

// Config configures one provider.
type Config struct {
	// APIKey is the provider's key. LibreTranslate needs one only if the
	// server was started with keys required.
	APIKey string

	// BaseURL overrides the provider's endpoint, for tests, proxies and
	// self-hosted servers; empty means the public service:
	//   Google:    https://translation.googleapis.com/language/translate/v2
	//              (a URL without a path gets /language/translate/v2 added)
	//   DeepL:     https://api.deepl.com, or https://api-free.deepl.com for
	//              keys ending in ":fx" (a trailing /v2 is accepted)
	//   Microsoft: https://api.cognitive.microsofttranslator.com
	//   Libre:     no default; the server's URL is required.
	BaseURL string

	// HTTPClient sends the requests; nil means a client with Timeout.
	HTTPClient *http.Client

	// Timeout bounds each HTTP request when HTTPClient is nil (default
	// 10 s).
	Timeout time.Duration

	// LanguageCacheTTL is how long a language list is kept (default 24 h).
	LanguageCacheTTL time.Duration
}

const (
	defaultTimeout  = 10 * time.Second
	defaultLangTTL  = 24 * time.Hour
	maxResponseSize = 8 << 20
)

// New returns the provider with the given setting value.
func New(name string, cfg Config) (Provider, error) {
	switch name {
	case Google:
		return NewGoogle(cfg), nil
	case DeepL:
		return NewDeepL(cfg), nil
	case Microsoft:
		return NewMicrosoft(cfg), nil
	case Libre:
		return NewLibre(cfg), nil
	}
	return nil, fmt.Errorf("translate: unknown provider %q", name)
}

// Errors. Provider errors wrap one of these or are an *APIError.
var (
	// ErrNotConfigured: the API key (or LibreTranslate's URL) is missing;
	// nothing was sent.
	ErrNotConfigured = errors.New("translation provider not configured")
	// ErrTimeout: the provider did not answer in time.
	ErrTimeout = errors.New("translation request timed out")
	// ErrMalformed: the provider's answer was not what its API documents.
	ErrMalformed = errors.New("malformed answer from translation provider")
)

// APIError is an HTTP error answer from a provider.
type APIError struct {
	Provider   string
	StatusCode int
	Message    string        // the provider's error message, when it sent one
	RetryAfter time.Duration // from a Retry-After header, 0 when absent
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("%s: HTTP %d", e.Provider, e.StatusCode)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// IsRetryable reports whether trying the same request later may succeed:
// the provider answered 429 (rate limited) or a 5xx status. Timeouts,
// other 4xx answers, malformed answers and missing configuration are not
// retryable. For joined errors (several targets failed) it reports whether
// any of them is retryable.
func IsRetryable(err error) bool {
	found := false
	walk(err, func(e error) {
		if ae, ok := e.(*APIError); ok && (ae.StatusCode == http.StatusTooManyRequests || ae.StatusCode >= 500) {
			found = true
		}
	})
	return found
}

// RetryAfter returns the longest Retry-After a provider sent within err, or
// 0.
func RetryAfter(err error) time.Duration {
	var d time.Duration
	walk(err, func(e error) {
		if ae, ok := e.(*APIError); ok && ae.RetryAfter > d {
			d = ae.RetryAfter
		}
	})
	return d
}

func walk(err error, fn func(error)) {
	if err == nil {
		return
	}
	fn(err)
	switch u := err.(type) {
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			walk(e, fn)
		}
	case interface{ Unwrap() error }:
		walk(u.Unwrap(), fn)
	}
}

// normaliseTag writes a language tag the way Intl.Locale does, which is how
// Rocket.Chat presents DeepL's and LibreTranslate's codes: language in
// lower case, a 4-letter script in title case, a region in upper case
// ("EN-GB" -> "en-GB", "ZH-HANS" -> "zh-Hans").
func normaliseTag(code string) string {
	parts := strings.Split(strings.ReplaceAll(strings.TrimSpace(code), "_", "-"), "-")
	for i, p := range parts {
		switch {
		case i == 0:
			parts[i] = strings.ToLower(p)
		case len(p) == 4:
			parts[i] = strings.ToUpper(p[:1]) + strings.ToLower(p[1:])
		case len(p) == 2 || len(p) == 3 && p[0] >= '0' && p[0] <= '9':
			parts[i] = strings.ToUpper(p)
		default:
			parts[i] = strings.ToLower(p)
		}
	}
	return strings.Join(parts, "-")
}
