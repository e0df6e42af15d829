// Package settings is the registry of Rocket.Chat-compatible settings: their
// types and defaults, the values an administrator changed, and typed getters
// that the application reads on every request so that changes apply at once.
package settings

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/parleychat/parley/internal/store"
)

// Types of setting values.
const (
	TypeBool   = "boolean"
	TypeInt    = "int"
	TypeString = "string"
	TypeCode   = "code"
	TypeSelect = "select"
	// TypeRange is an integer between bounds (a slider in Rocket.Chat's
	// administration); MinValue and MaxValue default to 0 and 100.
	TypeRange = "range"
)

// Def describes one setting.
type Def struct {
	ID      string
	Type    string
	Default any
	// Public settings are readable without logging in (settings.public).
	Public bool
	// Secret settings (API keys) are never listed; only their holders of
	// edit-privileged-setting can write them.
	Secret      bool
	Group       string
	Description string
	// Values lists the allowed values of a select setting.
	Values []string
	// MinValue and MaxValue, when set, bound an int or range setting.
	MinValue, MaxValue *int
	// Validate, when set, checks a value of the right type further; its
	// error is the reason the value is refused.
	Validate func(v any) error
}

// Registry holds the current value of every setting.
type Registry struct {
	mu     sync.RWMutex
	defs   map[string]*Def
	order  []string
	values map[string]any
}

// New returns a registry of defs with their defaults.
func New(defs []Def) *Registry {
	r := &Registry{defs: map[string]*Def{}, values: map[string]any{}}
	for i := range defs {
		d := &defs[i]
		if _, dup := r.defs[d.ID]; dup {
			// Two definitions of one id would list it twice and keep
			// whichever came last; refuse it where it is written.
			panic("settings: " + d.ID + " is defined twice")
		}
		r.defs[d.ID] = d
		r.order = append(r.order, d.ID)
		r.values[d.ID] = d.Default
	}
	sort.Strings(r.order)
	return r
}

// NewDefault returns a registry of Parley's settings with their defaults.
func NewDefault() *Registry { return New(Defaults()) }

// Def returns the definition of id.
func (r *Registry) Def(id string) (*Def, bool) {
	d, ok := r.defs[id]
	return d, ok
}

// IDs lists every setting id, sorted.
func (r *Registry) IDs() []string { return r.order }

// Get returns the current value of id.
func (r *Registry) Get(id string) (any, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	v, ok := r.values[id]
	return v, ok
}

// Bool returns a boolean setting (false if unknown).
func (r *Registry) Bool(id string) bool {
	v, _ := r.Get(id)
	b, _ := v.(bool)
	return b
}

// Int returns an integer setting (0 if unknown).
func (r *Registry) Int(id string) int {
	v, _ := r.Get(id)
	switch n := v.(type) {
	case int:
		return n
	case float64:
		return int(n)
	case string:
		i, _ := strconv.Atoi(n)
		return i
	}
	return 0
}

// String returns a string setting ("" if unknown).
func (r *Registry) String(id string) string {
	v, _ := r.Get(id)
	switch s := v.(type) {
	case string:
		return s
	case nil:
		return ""
	default:
		return fmt.Sprint(s)
	}
}

// Coerce converts v to id's type the way Rocket.Chat's settings API
// accepts it, or reports why it cannot.
func (r *Registry) Coerce(id string, v any) (any, error) {
	d, ok := r.defs[id]
	if !ok {
		return nil, fmt.Errorf("unknown setting %q", id)
	}
	switch d.Type {
	case TypeBool:
		switch b := v.(type) {
		case bool:
			return b, nil
		case string:
			if p, err := strconv.ParseBool(strings.ToLower(b)); err == nil {
				return p, nil
			}
		}
		return nil, fmt.Errorf("setting %s must be a boolean", id)
	case TypeInt, TypeRange:
		n, ok := toInt(v)
		if !ok {
			return nil, fmt.Errorf("setting %s must be an integer", id)
		}
		return n, d.checkBounds(n)
	default:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("setting %s must be a string", id)
		}
		if d.Type == TypeSelect && len(d.Values) > 0 && !contains(d.Values, s) {
			return nil, fmt.Errorf("setting %s must be one of %s", id, strings.Join(d.Values, ", "))
		}
		if d.Validate != nil {
			if err := d.Validate(s); err != nil {
				return nil, fmt.Errorf("setting %s: %w", id, err)
			}
		}
		return s, nil
	}
}

func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case float64:
		if n == float64(int64(n)) {
			return int(n), true
		}
	case int:
		return n, true
	case string:
		if i, err := strconv.Atoi(strings.TrimSpace(n)); err == nil {
			return i, true
		}
	}
	return 0, false
}

// checkBounds refuses an integer outside the setting's bounds, in
// Rocket.Chat's words.
func (d *Def) checkBounds(n int) error {
	lo, hi := d.MinValue, d.MaxValue
	if d.Type == TypeRange {
		if lo == nil {
			lo = new(int)
		}
		if hi == nil {
			hundred := 100
			hi = &hundred
		}
	}
	if lo != nil && n < *lo {
		return boundsError(fmt.Sprintf("Value for setting %s must be greater than or equal to %d", d.ID, *lo))
	}
	if hi != nil && n > *hi {
		return boundsError(fmt.Sprintf("Value for setting %s must be less than or equal to %d", d.ID, *hi))
	}
	return nil
}

// boundsError is a value out of bounds; its text is Rocket.Chat's, which
// starts with a capital.
type boundsError string

func (e boundsError) Error() string { return string(e) }

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Save validates and stores a new value. st is usually a transaction; the
// caller bumps the config version in it and, once it commits, applies the
// value with Set, so that a rolled-back change never shows.
func (r *Registry) Save(ctx context.Context, st store.Settings, id string, v any) error {
	val, err := r.Coerce(id, v)
	if err != nil {
		return err
	}
	b, err := json.Marshal(val)
	if err != nil {
		return err
	}
	return st.Set(ctx, id, b)
}

// SetDefault changes id's default in this registry, for a default that
// depends on how the server runs (FileUpload_Storage_Type on SQLite or
// PostgreSQL). A value already set apart from the default stays. Call it
// before the registry serves.
func (r *Registry) SetDefault(id string, v any) error {
	d, ok := r.defs[id]
	if !ok {
		return fmt.Errorf("unknown setting %q", id)
	}
	val, err := r.Coerce(id, v)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.values[id] == d.Default {
		r.values[id] = val
	}
	d.Default = val
	return nil
}

// Set changes the value in memory.
func (r *Registry) Set(id string, v any) error {
	val, err := r.Coerce(id, v)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.values[id] = val
	r.mu.Unlock()
	return nil
}

// Load replaces the values with the defaults overlaid by what st holds.
func (r *Registry) Load(ctx context.Context, st store.Settings) error {
	stored, err := st.All(ctx)
	if err != nil {
		return err
	}
	values := make(map[string]any, len(r.defs))
	for id, d := range r.defs {
		values[id] = d.Default
	}
	for _, s := range stored {
		if _, ok := r.defs[s.ID]; !ok {
			continue
		}
		var v any
		if err := json.Unmarshal(s.Value, &v); err != nil {
			continue
		}
		if c, err := r.Coerce(s.ID, v); err == nil {
			values[s.ID] = c
		}
	}
	r.mu.Lock()
	r.values = values
	r.mu.Unlock()
	return nil
}

// EnvOverrides returns the OVERWRITE_SETTING_<id> values found in environ,
// converted as Rocket.Chat does: true/false become booleans, int settings
// are parsed, the rest stay strings.
func (r *Registry) EnvOverrides(environ []string) (map[string]any, error) {
	out := map[string]any{}
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(k, "OVERWRITE_SETTING_") {
			continue
		}
		id := strings.TrimPrefix(k, "OVERWRITE_SETTING_")
		c, err := r.Coerce(id, v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out[id] = c
	}
	return out, nil
}

// Environ is os.Environ, named for callers that pass it to EnvOverrides.
var Environ = os.Environ
