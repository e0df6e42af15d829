package markdown

import (
	"encoding/json"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestGolden replays the committed oracle outputs (testdata/golden, made by
// testdata/gen/make-golden.js): every message must give the same tree.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.jsonl"))
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	var report diffReport
	n := 0
	for _, f := range files {
		for _, rec := range readRecords(t, f) {
			n++
			rec.ID = filepath.Base(f) + ":" + rec.ID
			if d := check(rec); d != "" {
				report.add(rec, d)
			}
		}
	}
	t.Logf("golden: %d messages, %d differ", n, report.total)
	if n < 2000 {
		t.Errorf("only %d golden messages", n)
	}
	if report.total > 0 {
		t.Errorf("%d of %d golden messages differ:%s", report.total, n, &report)
	}
}

// TestGoldenCoverage makes sure the corpus exercises every node type.
func TestGoldenCoverage(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.jsonl"))
	seen := map[string]int{}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			if ty, ok := x["type"].(string); ok {
				seen[ty]++
			}
			for _, e := range x {
				walk(e)
			}
		}
	}
	for _, f := range files {
		for _, rec := range readRecords(t, f) {
			var md any
			if len(rec.MD) > 0 && json.Unmarshal(rec.MD, &md) == nil {
				walk(md)
			}
		}
	}
	var missing []string
	for _, name := range kindNames {
		if name != "FRAGMENT" && seen[name] == 0 {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("node types never produced by the golden corpus: %s", strings.Join(missing, ", "))
	}
}
