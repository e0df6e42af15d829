package main

// The web client's figures (docs/performance.md, "Web client"), each next
// to a baseline measured in the same run:
//
//	go test ./cmd/parley -run '^$' -bench 'BenchmarkWeb' -benchtime 5x

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/web/browsertest"
)

// webBench is a server with alice in a channel of n messages.
type webBench struct {
	base  string
	alice *browsertest.API
	rid   string
	first string // the oldest message's id
	b     *browsertest.Browser
}

func newWebBench(b *testing.B, room string, n int) *webBench {
	b.Helper()
	br := browsertest.Shared(b)
	base, _ := startServer(b, webServerEnv())
	admin := browsertest.NewAPI(b, base).Login("root", "pw")
	alice := admin.CreateUser("alice", "Alice Example")
	bob := admin.CreateUser("bob", "Bob Example")
	rid := alice.CreateRoom(room, false, "bob")
	w := &webBench{base: base, alice: alice, rid: rid, b: br}
	// Messages of varied length and markup, from two authors, so that
	// grouping, markdown and line wrapping all take part.
	texts := []string{
		"ok",
		"Did anyone look at the **build** on `main` today?",
		"Yes — it fails in the _integration_ step, see https://example.com/ci/1234 for the log.",
		"> quoting the earlier message\nand answering it on a second line :smile:",
		"- one\n- two\n- three",
		"A longer message that wraps over several lines in a normal window, because people do write paragraphs in chat sometimes, and the list has to lay them out and scroll past them just as smoothly as the short ones.",
	}
	for i := 0; i < n; i++ {
		u := alice
		if i%3 == 1 {
			u = bob
		}
		id := u.Post(rid, fmt.Sprintf("%d: %s", i+1, texts[i%len(texts)]), "")
		if i == 0 {
			w.first = id
		}
	}
	return w
}

// restColdLoad times, with a Go client on a fresh connection, the REST
// calls the client needs for its first room: who am I, my subscriptions,
// my rooms, the room's latest messages.
func (w *webBench) restColdLoad(b *testing.B, count int) time.Duration {
	b.Helper()
	hc := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	start := time.Now()
	for _, path := range []string{"me", "subscriptions.get", "rooms.get", fmt.Sprintf("channels.history?roomId=%s&count=%d", w.rid, count)} {
		req, _ := http.NewRequest("GET", w.base+"/api/v1/"+path, nil)
		req.Header.Set("X-User-Id", w.alice.UserID)
		req.Header.Set("X-Auth-Token", w.alice.Token)
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, err = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		if res.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d", path, res.StatusCode)
		}
	}
	return time.Since(start)
}

// BenchmarkWebFirstRoom opens a room of 50 messages in a fresh browser
// context (empty cache, logged in) and reports, up to the moment the
// client marks the room shown (body[data-ready="1"]): the bytes received
// against the 100 KB budget, and the time since the navigation started
// against the time of the REST calls that page needs, made from Go in the
// same iteration.
func BenchmarkWebFirstRoom(b *testing.B) {
	w := newWebBench(b, "first", 50)
	var readyMs, restMs, total, httpBytes, wsBytes, dcl, lastRes float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		p, err := w.b.OpenPage(b, browsertest.PageOptions{UserID: w.alice.UserID, Token: w.alice.Token, Timeout: 30 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		p.Navigate(w.base + "/channel/first")
		p.Wait(`body[data-ready="1"]`, `document.body.dataset.ready === "1"`)
		b.StopTimer()
		tr, ms, ok := p.ReadyTraffic()
		if !ok {
			b.Fatal(browsertest.ErrNotReady)
		}
		if n := browsertest.Eval[int](p, `__pt.log().querySelectorAll("article").length`); n == 0 {
			b.Fatal("the room is ready with no message shown")
		}
		// Where the time went: the document parsed, the last response
		// before ready.
		dcl += browsertest.Eval[float64](p, `performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd`)
		lastRes += browsertest.Eval[float64](p, `Math.max(0, ...performance.getEntriesByType("resource").filter(e => e.responseEnd <= __pt.readyAt).map(e => e.responseEnd))`)
		if i == 0 {
			urls := slices.SortedFunc(maps.Keys(tr.PerURL), func(a, c string) int { return cmp.Compare(tr.PerURL[c], tr.PerURL[a]) })
			for _, u := range urls {
				if !strings.HasPrefix(u, "data:") {
					b.Logf("before ready: %6d B %s", tr.PerURL[u], strings.TrimPrefix(u, w.base))
				}
			}
		}
		p.Close()
		readyMs += ms
		total += float64(tr.Total())
		httpBytes += float64(tr.HTTPBytes)
		wsBytes += float64(tr.WebSocketBytes)
		restMs += float64(w.restColdLoad(b, 50).Microseconds()) / 1000
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(total/n/1000, "KB-before-ready")
	b.ReportMetric(httpBytes/n/1000, "KB-http")
	b.ReportMetric(wsBytes/n/1000, "KB-websocket")
	b.ReportMetric(total/n/100000*100, "%-of-100KB")
	b.ReportMetric(readyMs/n, "ms-to-ready")
	b.ReportMetric(restMs/n, "ms-rest-calls")
	b.ReportMetric(dcl/n, "ms-dom-content-loaded")
	b.ReportMetric(lastRes/n, "ms-last-response")
	b.ReportMetric(readyMs/restMs, "ready/rest")
}

// scrollJS scrolls the element that scrolls the message list from the
// bottom towards the top and back in steps of 150 px a frame, as a fast
// wheel does, and measures the frames with requestAnimationFrame: mean and worst
// frame time and the most DOM nodes (and articles) the page held.
const scrollJS = `(async (log) => {
  const scroller = (() => {
    for (let e = log; e && e !== document.body; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (/(auto|scroll)/.test(s.overflowY) && e.scrollHeight > e.clientHeight) return e;
    }
    return document.scrollingElement;
  })();
  const frame = () => new Promise(r => requestAnimationFrame(r));
  const times = [];
  let nodes = 0, articles = 0;
  const step = 150;
  scroller.scrollTop = scroller.scrollHeight;
  await frame(); await frame();
  let last = await frame();
  // At most 300 frames (45,000 px) a way, and 30 s: a client that loads
  // more when the top is reached could otherwise keep it going.
  const run = async dir => {
    const until = performance.now() + 30000;
    for (let i = 0; i < 300 && performance.now() < until; i++) {
      const before = scroller.scrollTop;
      scroller.scrollTop = before + dir * step;
      const t = await frame();
      times.push(t - last); last = t;
      nodes = Math.max(nodes, document.getElementsByTagName("*").length);
      articles = Math.max(articles, log.querySelectorAll("article").length);
      if (scroller.scrollTop === before) break;
    }
  };
  await run(-1);
  await run(1);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const sorted = [...times].sort((a, b) => a - b);
  return {frames: times.length, mean, worst: sorted[sorted.length - 1], p95: sorted[Math.floor(sorted.length * 0.95)], nodes, articles, height: scroller.scrollHeight};
})`

type scrollResult struct {
	Frames   int     `json:"frames"`
	Mean     float64 `json:"mean"`
	Worst    float64 `json:"worst"`
	P95      float64 `json:"p95"`
	Nodes    int     `json:"nodes"`
	Articles int     `json:"articles"`
	Height   float64 `json:"height"`
}

// BenchmarkWebScroll1000 loads all of a 1,000-message room into the client
// (scrolling up until the oldest message is there), then measures scripted
// scrolls over it. The baseline, in the same run, is the same scroll over
// 1,000 plain paragraphs of the same texts on a blank page: what this
// machine's browser does with no client at all.
func BenchmarkWebScroll1000(b *testing.B) {
	const n = 1000
	w := newWebBench(b, "long", n)
	p := w.b.NewPage(b, browsertest.PageOptions{UserID: w.alice.UserID, Token: w.alice.Token, Timeout: 120 * time.Second})
	p.Navigate(w.base + "/channel/long")
	p.Wait(`body[data-ready="1"]`, `document.body.dataset.ready === "1"`)
	// Infinite scroll upwards until the oldest message has been loaded.
	oldest := fmt.Sprintf(`__pt.log().querySelector('article[data-id=%s]')`, browsertest.JS(w.first))
	deadline := time.Now().Add(90 * time.Second)
	for !browsertest.Eval[bool](p, `!!`+oldest) {
		if time.Now().After(deadline) {
			b.Fatalf("the oldest of %d messages never loaded", n)
		}
		p.Exec(`(() => { let e = __pt.log(); for (; e && e !== document.body; e = e.parentElement) { const s = getComputedStyle(e); if (/(auto|scroll)/.test(s.overflowY) && e.scrollHeight > e.clientHeight) break; } (e && e !== document.body ? e : document.scrollingElement).scrollTop = 0; })()`)
		time.Sleep(100 * time.Millisecond)
	}
	base := w.b.NewPage(b, browsertest.PageOptions{Timeout: 120 * time.Second})
	base.Navigate("about:blank")
	// The same texts, for the baseline page.
	var msgs []string
	for _, m := range w.alice.Messages("c", w.rid, n) {
		s, _ := m["msg"].(string)
		msgs = append(msgs, s)
	}
	base.Exec(`(() => { const log = document.createElement("div"); log.id = "log"; log.style.cssText = "height:100vh;overflow-y:auto;font:15px sans-serif"; for (const t of ` + jsStrings(msgs) + `) { const a = document.createElement("article"); const h = document.createElement("b"); h.textContent = "alice 12:00"; const p = document.createElement("p"); p.textContent = t; a.append(h, p); log.append(a); } document.body.style.margin = "0"; document.body.append(log); })()`)

	var app, plain scrollResult
	var nodes, articles int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := browsertest.Eval[scrollResult](p, scrollJS+`(__pt.log())`)
		bl := browsertest.Eval[scrollResult](base, scrollJS+`(document.getElementById("log"))`)
		app.Mean += r.Mean
		app.Worst = max(app.Worst, r.Worst)
		app.P95 += r.P95
		app.Frames += r.Frames
		plain.Mean += bl.Mean
		plain.Worst = max(plain.Worst, bl.Worst)
		plain.P95 += bl.P95
		nodes = max(nodes, r.Nodes)
		articles = max(articles, r.Articles)
	}
	b.StopTimer()
	k := float64(b.N)
	b.ReportMetric(app.Mean/k, "ms-frame-mean")
	b.ReportMetric(app.P95/k, "ms-frame-p95")
	b.ReportMetric(app.Worst, "ms-frame-worst")
	b.ReportMetric(plain.Mean/k, "ms-frame-mean-baseline")
	b.ReportMetric(plain.Worst, "ms-frame-worst-baseline")
	b.ReportMetric(app.Mean/plain.Mean, "mean/baseline")
	b.ReportMetric(float64(app.Frames)/k, "frames")
	b.ReportMetric(float64(nodes), "max-DOM-nodes")
	b.ReportMetric(float64(articles), "max-articles")
	p.CheckClean()
}

func jsStrings(s []string) string {
	var sb strings.Builder
	sb.WriteByte('[')
	for i, x := range s {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(browsertest.JS(x))
	}
	sb.WriteByte(']')
	return sb.String()
}
