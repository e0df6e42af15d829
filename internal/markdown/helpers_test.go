package markdown

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	// The golden files and the live oracle run use UTC for dates without a
	// zone.
	localZone = func() *time.Location { return time.UTC }
	os.Exit(m.Run())
}

// record is one line of the oracle's JSON-lines output.
type record struct {
	ID      string          `json:"id"`
	Msg     string          `json:"msg"`
	Options json.RawMessage `json:"options,omitempty"`
	MD      json.RawMessage `json:"md,omitempty"`
	Skipped string          `json:"skipped,omitempty"`
	Error   string          `json:"error,omitempty"`
}

func readRecords(t testing.TB, path string) []record {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return decodeRecords(t, f)
}

func decodeRecords(t testing.TB, r interface{ Read([]byte) (int, error) }) []record {
	t.Helper()
	var out []record
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<28)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var rec record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("bad record %q: %v", sc.Text(), err)
		}
		out = append(out, rec)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// optionsOf turns an oracle options object into Options the way the JS
// parser reads it (missing keys are falsy).
func optionsOf(raw json.RawMessage) (Options, error) {
	if len(raw) == 0 {
		return DefaultOptions(), nil
	}
	var o struct {
		Colors, Emoticons bool
		Katex             *struct{ DollarSyntax, ParenthesisSyntax bool }
		CustomDomains     []string
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		return Options{}, err
	}
	opts := Options{Colors: o.Colors, Emoticons: o.Emoticons, CustomDomains: o.CustomDomains}
	if o.Katex != nil {
		opts.Katex = &KatexOptions{DollarSyntax: o.Katex.DollarSyntax, ParenthesisSyntax: o.Katex.ParenthesisSyntax}
	}
	return opts, nil
}

// check compares the Go parser with one oracle record. It returns "" on a
// match, else a description whose first line is a short cause used to
// group differences.
func check(rec record) string {
	opts, err := optionsOf(rec.Options)
	if err != nil {
		return "bad options: " + err.Error()
	}
	got, perr := Parse(rec.Msg, opts)
	switch {
	case rec.Skipped == "error" && perr != nil:
		return ""
	case rec.Skipped == "error":
		return fmt.Sprintf("oracle threw, Go parsed\n  oracle: %s", rec.Error)
	case perr != nil:
		return fmt.Sprintf("Go error, oracle parsed\n  go: %v", perr)
	case bytes.Equal(got, rec.MD):
		return ""
	}
	var want, have any
	if err := json.Unmarshal(rec.MD, &want); err != nil {
		return "oracle md is not JSON"
	}
	if err := json.Unmarshal(got, &have); err != nil {
		return "Go md is not JSON"
	}
	if reflect.DeepEqual(want, have) {
		return "" // same tree, different key order
	}
	path, cause := firstDiff(want, have, "md")
	return fmt.Sprintf("%s\n  at %s\n  want %s\n  got  %s", cause, path, short(rec.MD), short(got))
}

func short(b []byte) string {
	s := string(b)
	if len(s) > 400 {
		s = s[:400] + "…"
	}
	return s
}

// firstDiff walks two decoded JSON values and names the first difference:
// its path and a cause such as "PLAIN_TEXT where oracle has LINK".
func firstDiff(want, have any, path string) (string, string) {
	switch w := want.(type) {
	case []any:
		h, ok := have.([]any)
		if !ok {
			return path, "array vs non-array"
		}
		for i := 0; i < len(w) && i < len(h); i++ {
			if p, c := firstDiff(w[i], h[i], fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p, c
			}
		}
		if len(w) != len(h) {
			return path, fmt.Sprintf("%d nodes where oracle has %d (%s)", len(h), len(w), typesOf(w))
		}
	case map[string]any:
		h, ok := have.(map[string]any)
		if !ok {
			return path, "object vs non-object"
		}
		if wt, ht := w["type"], h["type"]; wt != ht {
			return path, fmt.Sprintf("%v where oracle has %v", ht, wt)
		}
		keys := make([]string, 0, len(w)+len(h))
		for k := range w {
			keys = append(keys, k)
		}
		for k := range h {
			if _, dup := w[k]; !dup {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			wv, wok := w[k]
			hv, hok := h[k]
			if !wok || !hok {
				return path + "." + k, fmt.Sprintf("key %q present only on one side (in %v)", k, w["type"])
			}
			if p, c := firstDiff(wv, hv, path+"."+k); p != "" {
				return p, c
			}
		}
	default:
		if !reflect.DeepEqual(want, have) {
			return path, fmt.Sprintf("different %s", lastKey(path))
		}
	}
	return "", ""
}

func typesOf(list []any) string {
	var ts []string
	for _, x := range list {
		if m, ok := x.(map[string]any); ok {
			ts = append(ts, fmt.Sprint(m["type"]))
		}
	}
	return strings.Join(ts, ",")
}

func lastKey(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return strings.TrimRight(path[i+1:], "[]0123456789")
	}
	return "value"
}

// diffReport groups failures by cause and renders the largest groups with
// a few examples each.
type diffReport struct {
	total  int
	groups map[string][]string
}

func (r *diffReport) add(rec record, desc string) {
	if r.groups == nil {
		r.groups = map[string][]string{}
	}
	r.total++
	cause, detail, _ := strings.Cut(desc, "\n")
	r.groups[cause] = append(r.groups[cause], fmt.Sprintf("id=%s msg=%q\n%s", rec.ID, rec.Msg, detail))
}

func (r *diffReport) String() string {
	type g struct {
		cause string
		ex    []string
	}
	var gs []g
	for c, ex := range r.groups {
		gs = append(gs, g{c, ex})
	}
	sort.Slice(gs, func(i, j int) bool {
		return len(gs[i].ex) > len(gs[j].ex) || len(gs[i].ex) == len(gs[j].ex) && gs[i].cause < gs[j].cause
	})
	var b strings.Builder
	for _, x := range gs {
		fmt.Fprintf(&b, "\n== %d × %s\n", len(x.ex), x.cause)
		for i, e := range x.ex {
			if i == 3 {
				fmt.Fprintf(&b, "   … %d more\n", len(x.ex)-3)
				break
			}
			fmt.Fprintf(&b, "   %s\n", strings.ReplaceAll(e, "\n", "\n   "))
		}
	}
	return b.String()
}
