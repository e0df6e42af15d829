package translate

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// The most texts one request may carry, from each API's documented limits.
const (
	googleMaxTexts    = 128
	deeplMaxTexts     = 50
	microsoftMaxTexts = 1000
)

// inChunks sends lines in requests of at most size texts and concatenates
// the answers; a message longer than an API's limit still translates.
func inChunks(provider string, lines []string, size int, fn func(chunk []string) ([]string, error)) ([]string, error) {
	var out []string
	for start := 0; start < len(lines); start += size {
		chunk := lines[start:min(start+size, len(lines))]
		res, err := fn(chunk)
		if err != nil {
			return nil, err
		}
		if len(res) != len(chunk) {
			return nil, fmt.Errorf("%s: %w: %d translations for %d texts", provider, ErrMalformed, len(res), len(chunk))
		}
		out = append(out, res...)
	}
	return out, nil
}

// api is what each provider keeps: its key, the base URL of its API and
// the HTTP client that speaks to it.
type api struct {
	key, base string
	c         *client
}

func newAPI(provider string, cfg Config, base string) api {
	return api{key: cfg.APIKey, base: base, c: newClient(provider, cfg, jsonMessage)}
}

// configured holds for the providers that cannot work without a key.
func (a *api) configured() bool { return a.key != "" }

// ---------------------------------------------------------------------------
// Google Translate v2

// NewGoogle returns the Google Cloud Translation (v2, "basic") provider.
// The key travels as the key query parameter. Texts are sent as a POST
// with a JSON body ({"q": [lines], "target", "format": "text"}) rather than
// Rocket.Chat's GET with the lines in the query string: the API documents
// both, and a GET URL is limited to about 2 000 characters, which a long
// message exceeds. The answer is the same.
func NewGoogle(cfg Config) Provider {
	base := cfg.BaseURL
	if base == "" {
		base = "https://translation.googleapis.com/language/translate/v2"
	} else if u, err := url.Parse(base); err == nil && strings.Trim(u.Path, "/") == "" {
		base = strings.TrimRight(base, "/") + "/language/translate/v2"
	}
	return newService(Google, &google{newAPI(Google, cfg, base)}, cfg)
}

type google struct{ api }

func (g *google) languages(ctx context.Context, target string) ([]Language, error) {
	var out struct {
		Data struct {
			Languages []Language `json:"languages"`
		} `json:"data"`
	}
	err := g.c.do(ctx, http.MethodGet, joinURL(g.base, "/languages", url.Values{"key": {g.key}, "target": {target}}), nil, nil, &out)
	var ae *APIError
	if errors.As(err, &ae) && ae.StatusCode == http.StatusBadRequest && target != "en" {
		// Google refuses targets it cannot name languages in; English
		// names are better than no list (Rocket.Chat meant to do this).
		return g.languages(ctx, "en")
	}
	return out.Data.Languages, err
}

func (g *google) translate(ctx context.Context, lines, targets []string) (map[string][]string, error) {
	return perTarget(ctx, targets, func(ctx context.Context, target string) ([]string, error) {
		return inChunks(Google, lines, googleMaxTexts, func(chunk []string) ([]string, error) {
			var out struct {
				Data struct {
					Translations []struct {
						TranslatedText string `json:"translatedText"`
					} `json:"translations"`
				} `json:"data"`
			}
			body := map[string]any{"q": chunk, "target": target, "format": "text"}
			if err := g.c.do(ctx, http.MethodPost, joinURL(g.base, "", url.Values{"key": {g.key}}), nil, body, &out); err != nil {
				return nil, err
			}
			res := make([]string, len(out.Data.Translations))
			for i, t := range out.Data.Translations {
				res[i] = t.TranslatedText
			}
			return res, nil
		})
	})
}

// ---------------------------------------------------------------------------
// DeepL

// NewDeepL returns the DeepL provider. The key is sent as
// "Authorization: DeepL-Auth-Key <key>"; texts go in a JSON body
// ({"text": [lines], "target_lang"}), the form DeepL recommends, instead of
// Rocket.Chat's query parameters. Rocket.Chat compares DeepL's detected
// source language with the target case-sensitively ("EN" against "en"),
// so it always keeps the translation; Parley keeps it too, which gives the
// same result without the dead comparison.
func NewDeepL(cfg Config) Provider {
	base := strings.TrimRight(cfg.BaseURL, "/")
	switch {
	case base == "" && strings.HasSuffix(cfg.APIKey, ":fx"):
		base = "https://api-free.deepl.com"
	case base == "":
		base = "https://api.deepl.com"
	}
	base = strings.TrimSuffix(base, "/v2")
	return newService(DeepL, &deepl{newAPI(DeepL, cfg, base)}, cfg)
}

type deepl struct{ api }

func (d *deepl) auth() http.Header {
	return http.Header{"Authorization": {"DeepL-Auth-Key " + d.key}}
}

func (d *deepl) languages(ctx context.Context, _ string) ([]Language, error) {
	var out []struct {
		Language string `json:"language"`
		Name     string `json:"name"`
	}
	if err := d.c.do(ctx, http.MethodGet, joinURL(d.base, "/v2/languages", url.Values{"type": {"target"}}), d.auth(), nil, &out); err != nil {
		return nil, err
	}
	list := make([]Language, 0, len(out))
	for _, l := range out {
		list = append(list, Language{Language: normaliseTag(l.Language), Name: l.Name})
	}
	return list, nil
}

func (d *deepl) translate(ctx context.Context, lines, targets []string) (map[string][]string, error) {
	return perTarget(ctx, targets, func(ctx context.Context, target string) ([]string, error) {
		return inChunks(DeepL, lines, deeplMaxTexts, func(chunk []string) ([]string, error) {
			var out struct {
				Translations []struct {
					Text string `json:"text"`
				} `json:"translations"`
			}
			body := map[string]any{"text": chunk, "target_lang": strings.ToUpper(target)}
			if err := d.c.do(ctx, http.MethodPost, joinURL(d.base, "/v2/translate", nil), d.auth(), body, &out); err != nil {
				return nil, err
			}
			res := make([]string, len(out.Translations))
			for i, t := range out.Translations {
				res[i] = t.Text
			}
			return res, nil
		})
	})
}

// ---------------------------------------------------------------------------
// Microsoft Translator v3

// NewMicrosoft returns the Microsoft Translator v3 provider: one request
// for all targets (repeated to= parameters), the key in
// Ocp-Apim-Subscription-Key, a body of [{"Text": line}]. Only global
// (non-regional) Translator resources work, since no region header is
// sent, as in Rocket.Chat. Unlike Rocket.Chat, the answer is de-tokenised
// like every other provider's, so placeholders never leak into stored
// translations.
func NewMicrosoft(cfg Config) Provider {
	base := cfg.BaseURL
	if base == "" {
		base = "https://api.cognitive.microsofttranslator.com"
	}
	return newService(Microsoft, &microsoft{newAPI(Microsoft, cfg, base)}, cfg)
}

type microsoft struct{ api }

func (m *microsoft) languages(ctx context.Context, target string) ([]Language, error) {
	var out struct {
		Translation map[string]struct {
			Name string `json:"name"`
		} `json:"translation"`
	}
	// The list needs no key. Accept-Language asks for the names in the
	// target language; Rocket.Chat always got English names.
	h := http.Header{"Accept-Language": {target}}
	u := joinURL(m.base, "/languages", url.Values{"api-version": {"3.0"}, "scope": {"translation"}})
	if err := m.c.do(ctx, http.MethodGet, u, h, nil, &out); err != nil {
		return nil, err
	}
	list := make([]Language, 0, len(out.Translation))
	for code, l := range out.Translation {
		list = append(list, Language{Language: code, Name: l.Name})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Language < list[j].Language })
	return list, nil
}

func (m *microsoft) translate(ctx context.Context, lines, targets []string) (map[string][]string, error) {
	res := map[string][]string{}
	for start := 0; start < len(lines); start += microsoftMaxTexts {
		part, err := m.translateChunk(ctx, lines[start:min(start+microsoftMaxTexts, len(lines))], targets)
		if err != nil {
			// The chunks of one message stand or fall together.
			return nil, err
		}
		for t, tr := range part {
			res[t] = append(res[t], tr...)
		}
	}
	return res, nil
}

func (m *microsoft) translateChunk(ctx context.Context, lines, targets []string) (map[string][]string, error) {
	body := make([]map[string]string, len(lines))
	for i, l := range lines {
		body[i] = map[string]string{"Text": l}
	}
	q := url.Values{"api-version": {"3.0"}, "to": targets}
	h := http.Header{
		"Ocp-Apim-Subscription-Key": {m.key},
		"Content-Type":              {"application/json; charset=UTF-8"},
	}
	var out []struct {
		Translations []struct {
			To   string `json:"to"`
			Text string `json:"text"`
		} `json:"translations"`
	}
	if err := m.c.do(ctx, http.MethodPost, joinURL(m.base, "/translate", q), h, body, &out); err != nil {
		return nil, err
	}
	if len(out) != len(lines) {
		return nil, fmt.Errorf("%s: %w: %d items for %d lines", Microsoft, ErrMalformed, len(out), len(lines))
	}
	res := map[string][]string{}
	for i, item := range out {
		for _, tr := range item.Translations {
			for _, t := range targets {
				if strings.EqualFold(t, tr.To) {
					if res[t] == nil {
						res[t] = make([]string, len(lines))
					}
					res[t][i] = tr.Text
				}
			}
		}
	}
	var missing []error
	for _, t := range targets {
		if _, ok := res[t]; !ok {
			missing = append(missing, fmt.Errorf("%s: %w: no translation to %s", Microsoft, ErrMalformed, t))
		}
	}
	return res, errors.Join(missing...)
}

// ---------------------------------------------------------------------------
// LibreTranslate

// NewLibre returns the LibreTranslate provider. BaseURL is the server's
// URL and is required; APIKey is sent as api_key only when set.
func NewLibre(cfg Config) Provider {
	return newService(Libre, &libre{newAPI(Libre, cfg, strings.TrimRight(cfg.BaseURL, "/"))}, cfg)
}

// libre needs its server's URL; the key is optional.
type libre struct{ api }

func (l *libre) configured() bool { return l.base != "" }

func (l *libre) languages(ctx context.Context, _ string) ([]Language, error) {
	var out []struct {
		Code string `json:"code"`
		Name string `json:"name"`
	}
	var q url.Values
	if l.key != "" {
		q = url.Values{"api_key": {l.key}}
	}
	if err := l.c.do(ctx, http.MethodGet, joinURL(l.base, "/languages", q), nil, nil, &out); err != nil {
		return nil, err
	}
	list := make([]Language, 0, len(out))
	for _, x := range out {
		list = append(list, Language{Language: normaliseTag(x.Code), Name: x.Name})
	}
	return list, nil
}

func (l *libre) translate(ctx context.Context, lines, targets []string) (map[string][]string, error) {
	return perTarget(ctx, targets, func(ctx context.Context, target string) ([]string, error) {
		body := map[string]any{"q": lines, "source": "auto", "target": target, "format": "text"}
		if l.key != "" {
			body["api_key"] = l.key
		}
		var out struct {
			TranslatedText any `json:"translatedText"`
		}
		if err := l.c.do(ctx, http.MethodPost, joinURL(l.base, "/translate", nil), nil, body, &out); err != nil {
			return nil, err
		}
		switch v := out.TranslatedText.(type) {
		case []any:
			res := make([]string, len(v))
			for i, x := range v {
				s, ok := x.(string)
				if !ok {
					return nil, fmt.Errorf("%s: %w: translatedText[%d] is not a string", Libre, ErrMalformed, i)
				}
				res[i] = s
			}
			return res, nil
		case string:
			// Older servers answer one string for the joined lines.
			return strings.Split(v, "\n"), nil
		}
		return nil, fmt.Errorf("%s: %w: no translatedText", Libre, ErrMalformed)
	})
}
