package api

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/settings"
	"github.com/parleychat/parley/internal/store"
)

// page is a parsed offset/count/sort request.
type page struct {
	Offset int
	Count  int // 0 = no limit
	Sort   []store.SortField
}

func (p page) opts() store.ListOptions {
	return store.ListOptions{Offset: p.Offset, Count: p.Count, Sort: p.Sort}
}

// parsePage applies Rocket.Chat's getPaginationItems and parseJsonQuery
// rules: count defaults to API_Default_Count and is capped at
// API_Upper_Count_Limit; count=0 means everything when
// API_Allow_Infinite_Count is on. sort must be a JSON object of 1/-1;
// fields of 0/1; query may use only $or, $and and $regex.
func parsePage(q url.Values, reg *settings.Registry) (page, error) {
	var p page
	if s := q.Get("offset"); s != "" {
		p.Offset, _ = strconv.Atoi(s)
		if p.Offset < 0 {
			p.Offset = 0
		}
	}
	def := reg.Int("API_Default_Count")
	if def <= 0 {
		def = 50
	}
	upper := reg.Int("API_Upper_Count_Limit")
	if upper <= 0 {
		upper = 100
	}
	p.Count = def
	if s := q.Get("count"); s != "" {
		n, err := strconv.Atoi(s)
		switch {
		case err != nil:
			p.Count = def
		case n == 0 && reg.Bool("API_Allow_Infinite_Count"):
			p.Count = 0
		case n <= 0:
			p.Count = def
		default:
			p.Count = n
		}
	}
	if p.Count > upper {
		p.Count = upper
	}
	if s := q.Get("sort"); s != "" {
		var m map[string]any
		dec := json.NewDecoder(strings.NewReader(s))
		if err := dec.Decode(&m); err != nil {
			return p, app.E("error-invalid-sort", `Invalid sort parameter provided: "`+s+`"`).With(map[string]any{"helperMethod": "parseJsonQuery"})
		}
		keys, err := orderedKeys(s)
		if err != nil {
			return p, app.E("error-invalid-sort", `Invalid sort parameter provided: "`+s+`"`).With(map[string]any{"helperMethod": "parseJsonQuery"})
		}
		for _, k := range keys {
			v, ok := m[k].(float64)
			if !ok || (v != 1 && v != -1) {
				return p, app.E("error-invalid-sort", `Invalid sort parameter provided: "`+s+`"`).With(map[string]any{"helperMethod": "parseJsonQuery"})
			}
			p.Sort = append(p.Sort, store.SortField{Field: k, Desc: v == -1})
		}
	}
	if s := q.Get("fields"); s != "" {
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			return p, app.E("error-invalid-fields", `Invalid fields parameter provided: "`+s+`"`).With(map[string]any{"helperMethod": "parseJsonQuery"})
		}
		for _, v := range m {
			if f, ok := v.(float64); !ok || (f != 0 && f != 1) {
				return p, app.E("error-invalid-fields", `Invalid fields parameter provided: "`+s+`"`).With(map[string]any{"helperMethod": "parseJsonQuery"})
			}
		}
	}
	if s := q.Get("query"); s != "" {
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil || !safeQuery(m) {
			return p, app.E("error-invalid-query", `Invalid query parameter provided: "`+s+`"`).With(map[string]any{"helperMethod": "parseJsonQuery"})
		}
	}
	return p, nil
}

// orderedKeys returns the keys of a JSON object in the order written, since
// sort precedence follows it.
func orderedKeys(s string) ([]string, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, ok := t.(string)
		if !ok {
			return nil, err
		}
		keys = append(keys, k)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// safeQuery accepts only plain values and the $or, $and and $regex
// operators: never $where, $function or any other way to run code.
func safeQuery(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if strings.HasPrefix(k, "$") && k != "$or" && k != "$and" && k != "$regex" && k != "$options" {
				return false
			}
			if !safeQuery(e) {
				return false
			}
		}
	case []any:
		for _, e := range x {
			if !safeQuery(e) {
				return false
			}
		}
	}
	return true
}
