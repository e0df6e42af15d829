package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Browser is one running Chromium. It is safe to open pages from several
// goroutines at once; each page is its own tab in its own browser context.
type Browser struct {
	ctx    context.Context // the context of the first tab, which owns the process
	cancel context.CancelFunc
}

// Start launches headless Chromium from path. The window is 1280×800, the
// size of the screenshots.
func Start(path string) (*Browser, error) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.WindowSize(1280, 800),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		// Deterministic font rendering in screenshots, whatever the host's
		// settings say.
		chromedp.Flag("font-render-hinting", "none"),
	)
	// Chromium refuses to start its sandbox as root, which CI and containers
	// are; the pages it opens are the tests' own.
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	b := &Browser{ctx: ctx, cancel: func() { cancelCtx(); cancelAlloc() }}
	// The first Do on ctx starts the process and binds it to ctx, so it
	// gets no deadline of its own; a machine busy with other builds can
	// take tens of seconds to start a browser.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			b.cancel()
			return nil, fmt.Errorf("start %s: %w", path, err)
		}
	case <-time.After(2 * time.Minute):
		b.cancel()
		return nil, fmt.Errorf("start %s: not ready after 2 minutes", path)
	}
	return b, nil
}

// NewBrowser starts Chromium for one test and stops it at the test's end;
// without Chromium it skips the test (or fails it in CI).
func NewBrowser(t TB) *Browser {
	t.Helper()
	path := RequireChromium(t)
	b, err := Start(path)
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(b.Close)
	return b
}

var shared struct {
	once sync.Once
	b    *Browser
	err  error
}

// Shared returns one browser for every test of the process, started on
// first use. Its pages are isolated from each other, so tests may share it.
// The browser dies with the test process (chromedp asks the kernel to kill
// it when its parent exits); call CloseShared from TestMain to stop it
// earlier and remove its profile directory.
func Shared(t TB) *Browser {
	t.Helper()
	path := RequireChromium(t)
	shared.once.Do(func() { shared.b, shared.err = Start(path) })
	if shared.err != nil {
		t.Fatalf("%v", shared.err)
	}
	return shared.b
}

// CloseShared stops the browser Shared started, if any.
func CloseShared() {
	if shared.b != nil {
		shared.b.Close()
	}
}

// Close stops the browser.
func (b *Browser) Close() {
	b.cancel()
}

// PageOptions change how a page is opened.
type PageOptions struct {
	// Width and Height of the viewport in CSS pixels; 1280×800 when zero.
	Width, Height int64
	// Mobile emulates a phone (touch, mobile viewport).
	Mobile bool
	// Scale is the device pixel ratio; 1 when zero.
	Scale float64
	// Dark makes the page see prefers-color-scheme: dark.
	Dark bool
	// Timeout bounds every wait and action of the page; 10 s when zero.
	Timeout time.Duration
	// Token, with UserID, is stored in localStorage as Rocket.Chat's web
	// client keeps its login, before any script of a page runs.
	UserID, Token string
}

// Page is one tab in its own browser context: what one person sees. It
// records console errors, uncaught exceptions and JavaScript dialogs, and
// counts the bytes the network delivered to it.
type Page struct {
	t       TB
	ctx     context.Context
	cancel  context.CancelFunc
	timeout time.Duration

	mu       sync.Mutex
	problems []string // console errors and exceptions, in order
	dialogs  []string
	allowed  []string // substrings of console errors that are expected
	httpIn   int64    // encoded bytes of finished HTTP responses
	wsIn     int64    // payload bytes of websocket frames received
	wsOut    int64
	ready    *Traffic // the traffic when body[data-ready="1"] was first set
	readyMs  float64  // performance.now() at that moment
	urls     map[network.RequestID]string
	sizes    map[string]int64 // encoded bytes per URL
}

// Traffic is what a page received.
type Traffic struct {
	HTTPBytes      int64 // encoded response sizes, headers included
	WebSocketBytes int64 // payloads of the frames received
	// PerURL is the encoded size of each HTTP response by URL (summed
	// when a URL was loaded more than once).
	PerURL map[string]int64
}

// Total is all bytes received.
func (tr Traffic) Total() int64 { return tr.HTTPBytes + tr.WebSocketBytes }

// readyBinding is the function the in-page script calls when the client
// marks itself ready; a binding call arrives in order with the network
// events, so the byte count at that moment is what loaded before it.
const readyBinding = "__parleyTestReady"

// pageScript runs in every document before the page's own scripts. It
// records script elements inserted after the document was parsed (the
// client loads modules through import(), which inserts none, so any such
// element is injected markup) and reports the moment the client sets
// body[data-ready="1"]. __pt also has the lookups by accessible name the
// tests use.
const pageScript = `(() => {
  if (window.__pt) return;
  const norm = s => (s || '').replace(/\s+/g, ' ').trim();
  const name = el => norm(el.getAttribute('aria-label') || (el.labels && el.labels[0] && el.labels[0].textContent) || el.textContent || el.value || el.getAttribute('title'));
  let parsed = false;
  const pt = window.__pt = {
    injectedScripts: [],
    norm, name,
    byLabel(text, root) {
      root = root || document;
      for (const l of root.querySelectorAll('label')) {
        if (norm(l.textContent) === text) return l.control || document.getElementById(l.htmlFor);
      }
      return root.querySelector('[aria-label="' + CSS.escape(text) + '"]');
    },
    // The first element named text that can be clicked, preferring one
    // that is rendered (a layout may keep a hidden copy).
    button(text, root) {
      root = root || document;
      let hidden = null;
      for (const b of root.querySelectorAll('button, input[type=submit], [role=button], a')) {
        if (name(b) !== text) continue;
        if (b.getClientRects().length > 0) return b;
        hidden = hidden || b;
      }
      return hidden;
    },
    roomLink(text) {
      const nav = document.querySelector('nav[aria-label="Rooms"]');
      if (!nav) return null;
      for (const a of nav.querySelectorAll('a')) if (name(a).replace(/\s*\d+$/, '') === text || norm(a.getAttribute('aria-label')) === text || linkName(a) === text) return a;
      return null;
    },
    log() { return document.querySelector('[role="log"][aria-label="Messages"]'); },
    thread() { return document.querySelector('aside[aria-label="Thread"]'); },
    article(id, root) { return (root || document).querySelector('article[data-id="' + CSS.escape(id) + '"]'); },
    articleWithText(text, root) {
      root = root || pt.log();
      if (!root) return null;
      for (const a of root.querySelectorAll('article')) {
        const b = a.querySelector('.body');
        if (b && norm(b.textContent).includes(text)) return a;
      }
      return null;
    },
  };
  // The accessible name of a room link without its badge, which is
  // aria-hidden.
  function linkName(a) {
    if (a.getAttribute('aria-label')) return norm(a.getAttribute('aria-label'));
    let s = '';
    const walk = n => {
      if (n.nodeType === 3) { s += n.textContent; return; }
      if (n.nodeType !== 1 || n.getAttribute('aria-hidden') === 'true') return;
      for (const c of n.childNodes) walk(c);
    };
    walk(a);
    return norm(s);
  }
  pt.linkName = linkName;
  document.addEventListener('DOMContentLoaded', () => { parsed = true; });
  let sent = false;
  const check = () => {
    if (!sent && document.body && document.body.dataset.ready === '1') {
      sent = true;
      pt.readyAt = performance.now();
      if (window.` + readyBinding + `) window.` + readyBinding + `(String(pt.readyAt));
    }
  };
  new MutationObserver(records => {
    for (const r of records) {
      if (r.type === 'childList' && parsed) {
        for (const n of r.addedNodes) {
          if (n.nodeType !== 1) continue;
          const found = n.tagName === 'SCRIPT' ? [n] : n.querySelectorAll('script');
          for (const s of found) pt.injectedScripts.push(s.outerHTML.slice(0, 300));
        }
      }
    }
    check();
  }).observe(document, {childList: true, subtree: true, attributes: true, attributeFilter: ['data-ready']});
})();`

// NewPage opens a tab in a fresh browser context and closes it at the end
// of the test.
func (b *Browser) NewPage(t TB, opt PageOptions) *Page {
	t.Helper()
	p, err := b.OpenPage(t, opt)
	if err != nil {
		t.Fatalf("new page: %v", err)
	}
	t.Cleanup(p.Close)
	return p
}

// OpenPage is NewPage without the cleanup: the caller closes the page.
func (b *Browser) OpenPage(t TB, opt PageOptions) (*Page, error) {
	p := &Page{t: t, timeout: opt.Timeout}
	if p.timeout == 0 {
		p.timeout = 10 * time.Second
	}
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(p.onEvent))
	p.ctx, p.cancel = ctx, cancel
	if opt.Width == 0 {
		opt.Width, opt.Height = 1280, 800
	}
	script := pageScript
	if opt.Token != "" {
		script = fmt.Sprintf(`try { if (!localStorage.getItem('Meteor.loginToken')) { localStorage.setItem('Meteor.loginToken', %s); localStorage.setItem('Meteor.userId', %s); } } catch (e) {}
`, jsString(opt.Token), jsString(opt.UserID)) + script
	}
	setup := []chromedp.Action[chromedp.Void]{
		call(runtime.AddBinding, runtime.AddBindingParams{Name: readyBinding}),
		call(page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: script}),
	}
	if opt.Scale == 0 {
		opt.Scale = 1
	}
	if opt.Mobile {
		setup = append(setup, chromedp.EmulateViewport(opt.Width, opt.Height, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(opt.Scale)))
	} else {
		setup = append(setup, chromedp.EmulateViewport(opt.Width, opt.Height, chromedp.EmulateScale(opt.Scale)))
	}
	if opt.Dark {
		setup = append(setup, call(emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
		}))
	}
	tctx, tcancel := context.WithTimeout(ctx, time.Minute)
	defer tcancel()
	// The first Do creates the tab and binds it to ctx.
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		return nil, err
	}
	if err := chromedp.Do(tctx, setup...); err != nil {
		cancel()
		return nil, err
	}
	return p, nil
}

// call turns a protocol command into an action.
func call[P, R any](cmd cdp.Command[P, R], params P) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, cmd, params)
		return err
	})
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// JS quotes s as a JavaScript string literal, for building expressions.
func JS(s string) string { return jsString(s) }

// onEvent runs in the tab's event loop: it must return fast and send no
// command, so the dialog is answered from another goroutine.
func (p *Page) onEvent(ev any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev := ev.(type) {
	case *page.EventJavascriptDialogOpening:
		p.dialogs = append(p.dialogs, fmt.Sprintf("%s(%q)", ev.Type, ev.Message))
		go func() {
			ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
			defer cancel()
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}()
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text += " " + d.Exception.Description
		}
		p.problems = append(p.problems, fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber+1, text))
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var parts []string
			for _, a := range ev.Args {
				if a.Description != "" {
					parts = append(parts, a.Description)
				} else {
					var s any
					if json.Unmarshal(a.Value, &s) == nil {
						parts = append(parts, fmt.Sprint(s))
					}
				}
			}
			p.problems = append(p.problems, "console."+string(ev.Type)+": "+strings.Join(parts, " "))
		}
	case *runtime.EventBindingCalled:
		if ev.Name == readyBinding && p.ready == nil {
			p.ready = &Traffic{HTTPBytes: p.httpIn, WebSocketBytes: p.wsIn, PerURL: maps.Clone(p.sizes)}
			fmt.Sscan(ev.Payload, &p.readyMs)
		}
	case *network.EventResponseReceived:
		if p.urls == nil {
			p.urls, p.sizes = map[network.RequestID]string{}, map[string]int64{}
		}
		p.urls[ev.RequestID] = ev.Response.URL
	case *network.EventLoadingFinished:
		p.httpIn += int64(ev.EncodedDataLength)
		if u, ok := p.urls[ev.RequestID]; ok {
			p.sizes[u] += int64(ev.EncodedDataLength)
		}
	case *network.EventWebSocketFrameReceived:
		p.wsIn += int64(len(ev.Response.PayloadData))
	case *network.EventWebSocketFrameSent:
		p.wsOut += int64(len(ev.Response.PayloadData))
	case *cdplog.EventEntryAdded:
		// The browser's own log: failed loads, CSP violations, refused
		// websocket connections.
		if e := ev.Entry; e != nil && e.Level == cdplog.EntryLevelError {
			p.problems = append(p.problems, fmt.Sprintf("%s: %s %s", e.Source, e.Text, e.URL))
		}
	}
}

// Close closes the tab and its browser context.
func (p *Page) Close() { p.cancel() }

// Context is the chromedp context of the tab, for actions the helpers do
// not cover.
func (p *Page) Context() context.Context { return p.ctx }

// Do runs actions with the page's timeout and fails the test on error.
func (p *Page) Do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := p.TryDo(actions...); err != nil {
		p.t.Fatalf("%s: %v%s", what, err, p.context())
	}
}

// TryDo runs actions with the page's timeout.
func (p *Page) TryDo(actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(p.ctx, p.timeout)
	defer cancel()
	return chromedp.Do(ctx, actions...)
}

// Navigate loads url and waits for its load event.
func (p *Page) Navigate(url string) {
	p.t.Helper()
	p.Do("navigate to "+url, chromedp.Navigate(url))
}

// Eval evaluates a JavaScript expression in the page and decodes its value
// into T; a promise is awaited.
func Eval[T any](p *Page, js string) T {
	p.t.Helper()
	v, err := TryEval[T](p, js)
	if err != nil {
		p.t.Fatalf("eval %s: %v%s", short(js), err, p.context())
	}
	return v
}

// TryEval is Eval returning the error.
func TryEval[T any](p *Page, js string) (T, error) {
	ctx, cancel := context.WithTimeout(p.ctx, p.timeout)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
}

// Exec evaluates JavaScript for its effect.
func (p *Page) Exec(js string) {
	p.t.Helper()
	Eval[chromedp.Void](p, js)
}

// Wait polls a JavaScript expression until it is truthy and fails the test
// when it is not within the page's timeout. Evaluation errors (a page in
// the middle of a navigation) count as falsy.
func (p *Page) Wait(what, js string) {
	p.t.Helper()
	if err := p.TryWait(js, p.timeout); err != nil {
		p.t.Fatalf("waiting for %s: %v%s", what, err, p.context())
	}
}

// WaitSelector waits until an element matches a CSS selector.
func (p *Page) WaitSelector(css string) {
	p.t.Helper()
	p.Wait(css, "document.querySelector("+jsString(css)+")")
}

// TryWait is Wait returning the error, with its own timeout.
func (p *Page) TryWait(js string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last error
	for {
		ok, err := p.evalBool(js)
		if err == nil && ok {
			return nil
		}
		if err != nil {
			last = err
		}
		if time.Now().After(deadline) {
			if last != nil {
				return fmt.Errorf("not true after %v (last error: %v)", timeout, last)
			}
			return fmt.Errorf("not true after %v", timeout)
		}
		select {
		case <-p.ctx.Done():
			return p.ctx.Err()
		case <-time.After(40 * time.Millisecond):
		}
	}
}

func (p *Page) evalBool(js string) (bool, error) {
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+js+")"))
}

// Click clicks, with the mouse, the element a JavaScript expression gives
// (for example `__pt.button("Log in")`), after waiting for it.
func (p *Page) Click(what, elementJS string) {
	p.t.Helper()
	p.Wait(what, elementJS)
	p.Do("click "+what, chromedp.Click(chromedp.JSPath(elementJS), chromedp.NodeVisible))
}

// Type focuses the element a JavaScript expression gives and types text
// into it with key events, as a person would.
func (p *Page) Type(what, elementJS, text string) {
	p.t.Helper()
	p.Wait(what, elementJS)
	p.Do("focus "+what, chromedp.Focus(chromedp.JSPath(elementJS)))
	p.Do("type into "+what, chromedp.KeyEvent(text))
}

// Modifier keys for Press, as the protocol numbers them.
const (
	Alt   int64 = 1
	Ctrl  int64 = 2
	Meta  int64 = 4
	Shift int64 = 8
)

// Press sends one key that inserts no text (Enter, Escape, ArrowUp, …) to
// the focused element: keydown and keyup only, as a browser does for a key
// whose keydown handler cancels it.
func (p *Page) Press(key string, modifiers ...int64) {
	p.t.Helper()
	codes := map[string]int64{"Enter": 13, "Escape": 27, "ArrowUp": 38, "ArrowDown": 40, "Tab": 9, "Backspace": 8, "k": 75}
	var mods int64
	for _, m := range modifiers {
		mods |= m
	}
	code := key
	if len(key) == 1 {
		code = "Key" + strings.ToUpper(key)
	}
	p.Do("press "+key, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
			_, err := cdp.Call(ctx, t, input.DispatchKeyEvent, input.DispatchKeyEventParams{
				Type: typ, Key: key, Code: code, Modifiers: mods,
				WindowsVirtualKeyCode: codes[key], NativeVirtualKeyCode: codes[key],
			})
			if err != nil {
				return err
			}
		}
		return nil
	}))
}

// SetUploadFiles puts files into the <input type=file> a JavaScript
// expression gives, which fires its change event.
func (p *Page) SetUploadFiles(what, inputJS string, files ...string) {
	p.t.Helper()
	p.Wait(what, inputJS)
	p.Do("choose files in "+what, chromedp.SetUploadFiles(chromedp.JSPath(inputJS), files))
}

// Screenshot saves the viewport as a PNG file.
func (p *Page) Screenshot(path string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, p.timeout)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatalf("screenshot: %v", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		p.t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		p.t.Fatalf("screenshot: %v", err)
	}
}

// Login logs in through the login form at base/login, as a person does,
// and waits for the room list.
func (p *Page) Login(base, user, password string) {
	p.t.Helper()
	p.Navigate(base + "/login")
	p.Type("the input labelled Username or email", `__pt.byLabel("Username or email")`, user)
	p.Type("the input labelled Password", `__pt.byLabel("Password")`, password)
	p.Click(`the button "Log in"`, `__pt.button("Log in")`)
	p.Wait("the room list after logging in", `document.querySelector('nav[aria-label="Rooms"]')`)
}

// AllowConsoleError declares console errors containing substr expected
// (for example the failed websocket connections while a server is down).
func (p *Page) AllowConsoleError(substr string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.allowed = append(p.allowed, substr)
}

// Problems returns the console errors and exceptions so far, without the
// allowed ones.
func (p *Page) Problems() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
next:
	for _, s := range p.problems {
		for _, a := range p.allowed {
			if strings.Contains(s, a) {
				continue next
			}
		}
		out = append(out, s)
	}
	return out
}

// Dialogs returns the JavaScript dialogs (alert, confirm, prompt) the page
// opened; each was dismissed.
func (p *Page) Dialogs() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.dialogs...)
}

// CheckClean fails the test if the page opened a dialog, wrote an error to
// the console, threw an uncaught exception, or had a script element
// inserted after parsing.
func (p *Page) CheckClean() {
	p.t.Helper()
	for _, d := range p.Dialogs() {
		p.t.Errorf("the page opened a JavaScript dialog: %s", d)
	}
	for _, s := range p.Problems() {
		p.t.Errorf("console: %s", s)
	}
	scripts, err := TryEval[[]string](p, `window.__pt ? window.__pt.injectedScripts : []`)
	if err != nil {
		p.t.Errorf("reading the inserted scripts: %v", err)
	}
	for _, s := range scripts {
		p.t.Errorf("a script element was inserted into the page: %s", s)
	}
}

// Traffic returns what the page has received so far.
func (p *Page) Traffic() Traffic {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Traffic{HTTPBytes: p.httpIn, WebSocketBytes: p.wsIn, PerURL: maps.Clone(p.sizes)}
}

// ReadyTraffic returns what the page had received when the client first set
// body[data-ready="1"], and performance.now() at that moment (milliseconds
// since the navigation started); ok is false if it has not happened.
func (p *Page) ReadyTraffic() (tr Traffic, readyMs float64, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ready == nil {
		return Traffic{}, 0, false
	}
	return *p.ready, p.readyMs, true
}

// Fatalf fails the test with a description of the page's state.
func (p *Page) Fatalf(format string, args ...any) {
	p.t.Helper()
	p.t.Fatalf("%s%s", fmt.Sprintf(format, args...), p.context())
}

// context is a short description of the page's state for failure messages.
func (p *Page) context() string {
	ctx, cancel := context.WithTimeout(p.ctx, 3*time.Second)
	defer cancel()
	if p.ctx.Err() != nil {
		return ""
	}
	state, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + " body[data-connection=" + (document.body && document.body.dataset.connection) + " data-ready=" + (document.body && document.body.dataset.ready) + "] text: " + (document.body ? document.body.innerText.replace(/\s+/g, " ").slice(0, 600) : "")`))
	if err != nil {
		return ""
	}
	s := "\n\tpage: " + state
	if pr := p.Problems(); len(pr) > 0 {
		s += "\n\tconsole: " + strings.Join(pr, "\n\tconsole: ")
	}
	return s
}

func short(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 120 {
		return s[:117] + "..."
	}
	return s
}

// ErrNotReady says the client never marked itself ready.
var ErrNotReady = errors.New(`the client never set body[data-ready="1"]`)
