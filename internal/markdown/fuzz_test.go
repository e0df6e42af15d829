package markdown

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// workPerUnit bounds the parser's work counter per UTF-16 code unit. The
// worst inputs found (delimiter soups such as "*_~[" repeated) stay below
// 50; a quadratic rule would exceed any constant on long inputs.
const workPerUnit = 200

// parseWork parses s and returns the work counter and the input length.
func parseWork(s string, opts Options) (work, units int) {
	p := newParser(utf16.Encode([]rune(s)), opts)
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(errTooDeep); !ok {
					panic(r)
				}
			}
		}()
		p.root()
	}()
	return p.work, len(p.s)
}

func optionsFromBits(b uint8) Options {
	o := Options{Colors: b&1 != 0, Emoticons: b&2 != 0}
	if b&4 != 0 {
		o.Katex = &KatexOptions{DollarSyntax: b&8 != 0, ParenthesisSyntax: b&16 != 0}
	}
	if b&32 != 0 {
		o.CustomDomains = []string{"local", "internal"}
	}
	return o
}

// pathological inputs that made the JS parser (and early versions of this
// one) quadratic.
var pathological = []string{"[", "||", "*_~[", ":)", "[*", "<t:", `\(`, "**", "_a_b", "-_-", "[ ", "[a] [", "![", "~@", "👍\u200d", "*a ", "~a", "```\n", "| a |\n", "a@", "_a", "> x\n", "@", "(", "*:)", "::"}

func FuzzParse(f *testing.F) {
	raw, err := os.ReadFile(filepath.Join("testdata", "gen", "curated.txt"))
	if err != nil {
		f.Fatal(err)
	}
	for _, l := range strings.Split(string(raw), "\n") {
		var s string
		if l != "" && l[0] == '"' && json.Unmarshal([]byte(l), &s) == nil {
			f.Add(s, uint8(0x17))
		}
	}
	for _, p := range pathological {
		f.Add(strings.Repeat(p, 50), uint8(0x3f))
	}
	f.Fuzz(func(t *testing.T, s string, optBits uint8) {
		opts := optionsFromBits(optBits)
		md, err := Parse(s, opts)
		switch {
		case errors.Is(err, errInternal):
			t.Fatalf("Parse(%q) recovered from a panic: %v", s, err)
		case err != nil && !errors.Is(err, ErrSyntax):
			t.Fatalf("Parse(%q): unexpected error %v", s, err)
		case err == nil && !json.Valid(md):
			t.Fatalf("Parse(%q) produced invalid JSON: %s", s, md)
		case err != nil && s != "" && !strings.Contains(err.Error(), "deeply"):
			t.Fatalf("Parse(%q) failed on non-empty input: %v", s, err)
		}
		// Amplify the input so that super-linear behaviour shows in the
		// work counter, which (unlike wall time) is deterministic.
		if s == "" {
			return
		}
		big := strings.Repeat(s, 8192/len(s)+1)
		if w, n := parseWork(big, opts); w > workPerUnit*n+1000 {
			t.Fatalf("work %d for %d code units (%q repeated): more than %d per unit", w, n, s, workPerUnit)
		}
	})
}

// TestLinearWork checks the work bound on 64 KiB versions of the inputs
// that were quadratic before.
func TestLinearWork(t *testing.T) {
	for _, p := range pathological {
		s := strings.Repeat(p, 65536/len(p)+1)
		if w, n := parseWork(s, DefaultOptions()); w > workPerUnit*n+1000 {
			t.Errorf("%q × %d: work %d for %d units (%.1f per unit)", p, 65536/len(p)+1, w, n, float64(w)/float64(n))
		}
	}
}

func TestEmptyMessage(t *testing.T) {
	if _, err := Parse("", DefaultOptions()); !errors.Is(err, ErrSyntax) {
		t.Fatalf("Parse(\"\") = %v, want ErrSyntax (the JS parser throws)", err)
	}
}
