package markdown

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// realisticLines are typical chat messages: mentions, links, emphasis,
// emoji, code and lists in the proportions a busy team room shows.
var realisticLines = []string{
	"Hey @john.doe, the deploy to https://staging.rocket.chat/admin failed again :( see *build #4512* in #dev-team and ping ~~me~~ @here if `npm ci` keeps timing out. Thanks! :thumbsup:",
	"> can someone review PR 1234 before lunch?",
	"sure, on it 👍 will leave comments on _naming_ and the **error handling** part",
	"- [x] migrate the users table\n- [ ] backfill avatars\n- [ ] update docs at docs.example.com/migrations",
	"```go\nfunc main() {\n\tfmt.Println(\"hello\")\n}\n```",
	"1. stop the service\n2. run `make migrate`\n3. start it again and check <https://grafana.internal.example.com/d/abc|the dashboard>",
	"ok, meeting at noon 🎉🎉 agenda: [RFC draft](https://github.com/org/repo/pull/42) and the Q3 roadmap",
	"olá pessoal, reunião amanhã às 10:30 — não esqueçam o relatório :)",
	"@ana_maria can you send the invoice to billing@example.org? tel +5511999999999",
	"# Release notes 7.5\nFixed the _annoying_ bug where **bold** inside ~~strikes~~ broke, plus color:#ff8800 previews",
	"ping @all: the office wifi password changed, ask in #it-support",
	"||spoiler: the build is green again|| 🚀",
	"| service | status |\n| --- | :-: |\n| api | up |\n| web | degraded |",
	"math time: \\(e^{i\\pi}+1=0\\) and see <t:1700000000:R> for the deadline",
	"привет коллеги, сборка упала, завтра релиз. спасибо! 了解です",
	"just a quick note: node_modules is not in git, run npm ci first; a*b and snake_case_name stay plain",
}

func joinedTo(size int) string {
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(realisticLines[i%len(realisticLines)])
	}
	s := b.String()
	if k := strings.LastIndexByte(s[:size], '\n'); k > 0 {
		s = s[:k]
	}
	return s
}

func benchParse(b *testing.B, msg string) {
	opts := DefaultOptions()
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(msg, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParse200B is one realistic ~200-byte message.
func BenchmarkParse200B(b *testing.B) { benchParse(b, realisticLines[0]) }

// BenchmarkParse4KiB is about 4 KiB of realistic messages in one.
func BenchmarkParse4KiB(b *testing.B) { benchParse(b, joinedTo(4096)) }

// BenchmarkParse64KiB is about 64 KiB of realistic messages in one.
func BenchmarkParse64KiB(b *testing.B) { benchParse(b, joinedTo(65536)) }

// TestWriteBenchMessages writes the benchmark messages as JSON lines to
// $PARLEY_MD_BENCH_OUT, for testdata/gen/bench-oracle.js.
func TestWriteBenchMessages(t *testing.T) {
	out := os.Getenv("PARLEY_MD_BENCH_OUT")
	if out == "" {
		t.Skip("set PARLEY_MD_BENCH_OUT to write the benchmark messages")
	}
	var b bytes.Buffer
	for _, m := range []struct{ name, msg string }{{"200B", realisticLines[0]}, {"4KiB", joinedTo(4096)}, {"64KiB", joinedTo(65536)}} {
		line, _ := json.Marshal(map[string]string{"name": m.name, "msg": m.msg})
		b.Write(append(line, '\n'))
	}
	if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkParse64KiBHostile parses 64 KiB messages built to defeat the
// grammar: unmatched openers and delimiter soups, on which the JS parser is
// quadratic (seconds to hours). Go stays linear; the mixed soup is the
// slowest case known.
func BenchmarkParse64KiBHostile(b *testing.B) {
	for _, c := range []struct{ name, unit string }{
		{"brackets", "["}, {"pipes", "||"}, {"stars", "*"}, {"soup", "*_~["}, {"links", "[a](b.c/"}, {"emoticons", ":)"},
	} {
		msg := strings.Repeat(c.unit, 65536/len(c.unit))
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(msg)))
			for i := 0; i < b.N; i++ {
				Parse(msg, DefaultOptions())
			}
		})
	}
}
