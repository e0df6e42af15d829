package translate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// backend is the raw API of one provider.
type backend interface {
	// configured reports whether the settings the provider needs are set.
	configured() bool
	languages(ctx context.Context, target string) ([]Language, error)
	// translate returns, per target, one translated line per input line.
	// A target that failed is absent from the map and its error is joined
	// into the returned error.
	translate(ctx context.Context, lines []string, targets []string) (map[string][]string, error)
}

// service wraps a backend with what every provider shares.
type service struct {
	name  string
	b     backend
	ttl   time.Duration
	mu    sync.Mutex
	langs map[string]langEntry
	group singleflight.Group
	now   func() time.Time
}

type langEntry struct {
	list    []Language
	expires time.Time
}

func newService(name string, b backend, cfg Config) *service {
	ttl := cfg.LanguageCacheTTL
	if ttl <= 0 {
		ttl = defaultLangTTL
	}
	return &service{name: name, b: b, ttl: ttl, langs: map[string]langEntry{}, now: time.Now}
}

func (s *service) Name() string { return s.name }

func (s *service) SupportedLanguages(ctx context.Context, target string) ([]Language, error) {
	if !s.b.configured() {
		return []Language{}, nil
	}
	if target == "" {
		target = "en"
	}
	s.mu.Lock()
	e, ok := s.langs[target]
	s.mu.Unlock()
	if ok && s.now().Before(e.expires) {
		return append([]Language(nil), e.list...), nil
	}
	v, err, _ := s.group.Do(target, func() (any, error) {
		list, err := s.b.languages(ctx, target)
		if err != nil {
			return nil, err
		}
		if list == nil {
			list = []Language{}
		}
		s.mu.Lock()
		s.langs[target] = langEntry{list: list, expires: s.now().Add(s.ttl)}
		s.mu.Unlock()
		return list, nil
	})
	if err != nil {
		return nil, err
	}
	return append([]Language(nil), v.([]Language)...), nil
}

// resolveTargets applies the regional fallback: a code with '-' that the
// provider does not list (in its English list, as Rocket.Chat checks) is
// cut to its first two letters. Codes without '-' never need the list,
// so the common case costs no extra request. Duplicates collapse.
func (s *service) resolveTargets(ctx context.Context, targets []string) []string {
	var list []Language
	fetched := false
	seen := map[string]bool{}
	var out []string
	for _, t := range targets {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if strings.Contains(t, "-") {
			if !fetched {
				// A failed list counts as empty, as in Rocket.Chat:
				// every regional code is cut.
				list, _ = s.SupportedLanguages(ctx, "en")
				fetched = true
			}
			found := false
			for _, l := range list {
				if strings.EqualFold(l.Language, t) {
					found = true
					break
				}
			}
			if !found && len(t) >= 2 {
				t = t[:2]
			}
		}
		if !seen[strings.ToLower(t)] {
			seen[strings.ToLower(t)] = true
			out = append(out, t)
		}
	}
	return out
}

func (s *service) Translate(ctx context.Context, text string, targets []string) (map[string]string, error) {
	if strings.TrimSpace(text) == "" {
		return map[string]string{}, nil
	}
	if !s.b.configured() {
		return map[string]string{}, fmt.Errorf("%s: %w", s.name, ErrNotConfigured)
	}
	keys := s.resolveTargets(ctx, targets)
	if len(keys) == 0 {
		return map[string]string{}, nil
	}
	tokenised, toks := tokenise(text)
	lines := strings.Split(tokenised, "\n")
	var send []string
	var at []int // index in lines of each sent line
	for i, l := range lines {
		if translatable(l) {
			send = append(send, l)
			at = append(at, i)
		}
	}
	out := make(map[string]string, len(keys))
	if len(send) == 0 {
		for _, k := range keys {
			out[k] = text
		}
		return out, nil
	}
	got, err := s.b.translate(ctx, send, keys)
	for _, k := range keys {
		tr, ok := got[k]
		if !ok {
			continue
		}
		if len(tr) != len(send) {
			err = errors.Join(err, fmt.Errorf("%s: %w: %d lines for %d sent (%s)", s.name, ErrMalformed, len(tr), len(send), k))
			continue
		}
		merged := append([]string(nil), lines...)
		for j, idx := range at {
			merged[idx] = tr[j]
		}
		out[k] = detokenise(strings.Join(merged, "\n"), toks)
	}
	return out, err
}

func (s *service) TranslateAttachment(ctx context.Context, description, text string, targets []string) (map[string]string, error) {
	src := attachmentSource(description, text)
	if strings.TrimSpace(src) == "" {
		return nil, nil
	}
	return s.Translate(ctx, src, targets)
}

// perTarget runs a one-target-per-request API sequentially over targets,
// as Rocket.Chat does, keeping what succeeded.
func perTarget(ctx context.Context, targets []string, fn func(ctx context.Context, target string) ([]string, error)) (map[string][]string, error) {
	out := map[string][]string{}
	var errs []error
	for _, t := range targets {
		lines, err := fn(ctx, t)
		if err != nil {
			errs = append(errs, fmt.Errorf("target %s: %w", t, err))
			if ctx.Err() != nil {
				break
			}
			continue
		}
		out[t] = lines
	}
	return out, errors.Join(errs...)
}
