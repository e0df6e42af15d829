package translate

import (
	"sync"
)

// Settings is the snapshot of the AutoTranslate_* settings the registry
// needs. The server fills it from its settings store on every call.
type Settings struct {
	Enabled  bool   // AutoTranslate_Enabled
	Provider string // AutoTranslate_ServiceProvider

	GoogleAPIKey    string // AutoTranslate_GoogleAPIKey
	GoogleAPIURL    string // AutoTranslate_GoogleAPIURL
	DeepLAPIKey     string // AutoTranslate_DeepLAPIKey
	DeepLAPIURL     string // AutoTranslate_DeepLAPIURL
	MicrosoftAPIKey string // AutoTranslate_MicrosoftAPIKey
	MicrosoftAPIURL string // AutoTranslate_MicrosoftAPIURL

	LibreTranslateAPIURL string // AutoTranslate_LibreTranslateAPIURL
	LibreTranslateAPIKey string // AutoTranslate_LibreTranslateAPIKey
}

// Config returns the provider name and its configuration from the
// settings; base supplies the HTTP client, timeout and cache TTL.
func (s Settings) Config(base Config) (string, Config) {
	cfg := base
	switch s.Provider {
	case Google:
		cfg.APIKey, cfg.BaseURL = s.GoogleAPIKey, s.GoogleAPIURL
	case DeepL:
		cfg.APIKey, cfg.BaseURL = s.DeepLAPIKey, s.DeepLAPIURL
	case Microsoft:
		cfg.APIKey, cfg.BaseURL = s.MicrosoftAPIKey, s.MicrosoftAPIURL
	case Libre:
		cfg.APIKey, cfg.BaseURL = s.LibreTranslateAPIKey, s.LibreTranslateAPIURL
	}
	return s.Provider, cfg
}

// Registry hands out the active provider. It reads the settings on every
// call, so switching provider, key or URL applies at once, and it keeps
// the provider (and so its language cache) for as long as they stay the
// same; a changed key gets a fresh cache, which Rocket.Chat never did.
type Registry struct {
	settings func() Settings
	base     Config

	mu      sync.Mutex
	current Provider
	name    string
	cfg     Config
}

// NewRegistry returns a registry over the given settings. base carries
// what is not a setting: HTTPClient, Timeout, LanguageCacheTTL.
func NewRegistry(settings func() Settings, base Config) *Registry {
	return &Registry{settings: settings, base: base}
}

// Active returns the provider to use, or nil when auto-translation is
// disabled or the provider setting names no known provider (Rocket.Chat
// then translates nothing and lists no languages).
func (r *Registry) Active() Provider {
	s := r.settings()
	if !s.Enabled {
		return nil
	}
	name, cfg := s.Config(r.base)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.current != nil && r.name == name && r.cfg.APIKey == cfg.APIKey && r.cfg.BaseURL == cfg.BaseURL {
		return r.current
	}
	p, err := New(name, cfg)
	if err != nil {
		return nil
	}
	r.current, r.name, r.cfg = p, name, cfg
	return p
}
