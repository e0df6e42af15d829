package main

// Browser tests of the web client: a real server in the test process, real
// headless Chromium, one isolated browser context per person. Users, rooms
// and most messages are set up over REST; what a person does is done
// through the page. The DOM they rely on is the web client's contract
// (docs/web.md): accessible names, data-id, role="log", and so on.

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/web/browsertest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	// The browser tests share one Chromium; stop it and remove its profile.
	browsertest.CloseShared()
	os.Exit(code)
}

// webEnv is one server and the shared browser.
type webEnv struct {
	t     *testing.T
	base  string
	admin *browsertest.API
	b     *browsertest.Browser
}

// webServerEnv is the environment of the servers the browser tests start:
// an administrator, no REST rate limit, so that setting up over REST from
// one address is not throttled, and tokens made for users.
func webServerEnv() map[string]string {
	return map[string]string{
		"ADMIN_USERNAME": "root", "ADMIN_PASS": "pw", "ADMIN_EMAIL": "root@example.com",
		"OVERWRITE_SETTING_API_Enable_Rate_Limiter": "false",
		// Users get their tokens without a second password hash.
		"CREATE_TOKENS_FOR_USERS": "true",
	}
}

// newWeb starts a server for one test and gets the shared browser. Without
// Chromium it skips (fails in CI) before starting anything.
func newWeb(t *testing.T) *webEnv {
	t.Helper()
	return newWebWith(t, nil)
}

// newWebWith is newWeb with more server environment (settings).
func newWebWith(t *testing.T, extra map[string]string) *webEnv {
	t.Helper()
	b := browsertest.Shared(t)
	env := webServerEnv()
	for k, v := range extra {
		env[k] = v
	}
	base, _ := startServer(t, env)
	return &webEnv{t: t, base: base, admin: browsertest.NewAPI(t, base).Login("root", "pw"), b: b}
}

// user creates a user named after username and returns it logged in over
// REST.
func (w *webEnv) user(username string) *browsertest.API {
	w.t.Helper()
	return w.admin.CreateUser(username, strings.ToUpper(username[:1])+username[1:]+" Example")
}

// page opens a browser context already logged in as u (its token in
// localStorage, as the client keeps it after a login).
func (w *webEnv) page(u *browsertest.API) *browsertest.Page {
	w.t.Helper()
	return w.b.NewPage(w.t, browsertest.PageOptions{UserID: u.UserID, Token: u.Token, Timeout: 20 * time.Second})
}

// openRoom loads a room's route and waits until its header and messages
// are shown.
func openRoom(p *browsertest.Page, base, path, title string) {
	p.Navigate(base + path)
	waitRoom(p, title)
}

func waitRoom(p *browsertest.Page, title string) {
	p.Wait("the room header "+title, fmt.Sprintf(`(() => { const h = document.querySelector("h1"); return h && __pt.norm(h.textContent) === %s; })()`, browsertest.JS(title)))
	p.Wait("the message list", `__pt.log()`)
	p.Wait(`body[data-ready="1"]`, `document.body.dataset.ready === "1"`)
}

// send types text into the room's composer and presses Enter.
func send(p *browsertest.Page, text string) {
	p.Type("the composer", `document.querySelector('textarea[aria-label="Message"]')`, text)
	p.Press("Enter")
}

// articleJS is an expression for the article of message id in root (the
// room's log when root is empty).
func articleJS(id, root string) string {
	if root == "" {
		root = "__pt.log()"
	}
	return fmt.Sprintf(`(%s && %s.querySelector('article[data-id=%s]'))`, root, root, browsertest.JS(id))
}

// waitText waits for an article whose body contains text, and returns its
// message id.
func waitText(p *browsertest.Page, text string) string {
	js := fmt.Sprintf(`__pt.articleWithText(%s)`, browsertest.JS(text))
	p.Wait("a message saying "+text, js)
	return browsertest.Eval[string](p, js+`.dataset.id`)
}

// action clicks one of an article's message actions. The toolbar shows on
// focus-within, so focusing the button first is the keyboard's way to it.
func action(p *browsertest.Page, articleExpr, label string) {
	btn := fmt.Sprintf(`(%s && %s.querySelector('[role="toolbar"][aria-label="Message actions"] [aria-label=%s]'))`, articleExpr, articleExpr, browsertest.JS(label))
	p.Wait("the action "+label, btn)
	p.Exec(btn + `.focus()`)
	p.Click("the action "+label, btn)
}

// dialogButton is an expression for a button named name in the open dialog.
func dialogButton(name string) string {
	return fmt.Sprintf(`(() => { for (const d of document.querySelectorAll('[role="dialog"], dialog[open]')) { const b = __pt.button(%s, d); if (b) return b; } return null; })()`, browsertest.JS(name))
}

// roomLink is an expression for the sidebar link of a room by its name.
func roomLink(name string) string {
	return fmt.Sprintf(`(() => { const nav = document.querySelector('nav[aria-label="Rooms"]'); if (!nav) return null; for (const a of nav.querySelectorAll('a')) if (__pt.linkName(a) === %s) return a; return null; })()`, browsertest.JS(name))
}

func TestWebLogin(t *testing.T) {
	t.Parallel()
	w := newWeb(t)
	w.user("alice")
	w.admin.CreateRoom("lobby", false, "alice")
	p := w.b.NewPage(t, browsertest.PageOptions{Timeout: 15 * time.Second})

	// A wrong password shows an alert and stays on the form.
	p.Navigate(w.base + "/login")
	p.Type("the input labelled Username or email", `__pt.byLabel("Username or email")`, "alice")
	p.Type("the input labelled Password", `__pt.byLabel("Password")`, "wrong")
	p.Click(`the button "Log in"`, `__pt.button("Log in")`)
	p.Wait("the login error", `(() => { const a = document.querySelector('[role="alert"]'); return a && a.textContent.trim() !== ""; })()`)
	p.AllowConsoleError("401") // the browser logs the refused login request

	p.Login(w.base, "alice", browsertest.Password("alice"))
	p.Wait("the link of the channel lobby", roomLink("lobby"))
	if got := browsertest.Eval[string](p, roomLink("lobby")+`.getAttribute("href")`); got != "/channel/lobby" {
		t.Errorf("lobby's link goes to %q, want /channel/lobby", got)
	}
	if browsertest.Eval[string](p, `localStorage.getItem("Meteor.loginToken") || ""`) == "" {
		t.Error("no Meteor.loginToken in localStorage after the login")
	}

	// The session survives a reload.
	p.Navigate(w.base + "/channel/lobby")
	waitRoom(p, "lobby")
	if !browsertest.Eval[bool](p, roomLink("lobby")+`.getAttribute("aria-current") === "page"`) {
		t.Error(`the open room's link has no aria-current="page"`)
	}

	// Logging out forgets the token and shows the form again.
	p.Click(`the button "Log out"`, `__pt.button("Log out")`)
	p.Wait("the login form after logging out", `__pt.byLabel("Password")`)
	if got := browsertest.Eval[string](p, `localStorage.getItem("Meteor.loginToken") || ""`); got != "" {
		t.Errorf("the token is still in localStorage after logging out: %q", got)
	}
	p.CheckClean()
}

// TestWebSendAndLive: alice sends from the composer; bob, in another
// browser context, sees the message arrive, then its edit, a reaction and
// its deletion, all without a reload.
func TestWebSendAndLive(t *testing.T) {
	t.Parallel()
	w := newWeb(t)
	alice, bob := w.user("alice"), w.user("bob")
	alice.CreateRoom("team", false, "bob")
	pa, pb := w.page(alice), w.page(bob)
	openRoom(pa, w.base, "/channel/team", "team")
	openRoom(pb, w.base, "/channel/team", "team")

	send(pa, "hello from the browser")
	id := waitText(pa, "hello from the browser")
	if got := browsertest.Eval[string](pa, `__pt.norm(document.querySelector('textarea[aria-label="Message"]').value)`); got != "" {
		t.Errorf("the composer still holds %q after sending", got)
	}
	pb.Wait("bob receiving alice's message live", articleJS(id, ""))
	if got := browsertest.Eval[string](pb, articleJS(id, "")+`.querySelector(".body").textContent`); !strings.Contains(got, "hello from the browser") {
		t.Errorf("bob's copy says %q", got)
	}
	if got := browsertest.Eval[string](pb, `__pt.norm(`+articleJS(id, "")+`.querySelector(".author") && `+articleJS(id, "")+`.querySelector(".author").textContent)`); !strings.Contains(got, "alice") {
		t.Errorf("the author shown to bob is %q", got)
	}
	// The message is stored, not only drawn.
	if msgs := alice.Messages("c", roomID(t, alice, "team"), 5); len(msgs) == 0 || msgs[0]["_id"] != id {
		t.Errorf("the newest stored message is not %s: %v", id, msgs)
	}

	// Edit: Up arrow in the empty composer takes alice's last message.
	pa.Exec(`document.querySelector('textarea[aria-label="Message"]').focus()`)
	pa.Press("ArrowUp")
	pa.Wait("the composer holding the message to edit", `document.querySelector('textarea[aria-label="Message"]').value.includes("hello from the browser")`)
	pa.Exec(`(() => { const c = document.querySelector('textarea[aria-label="Message"]'); c.select(); })()`)
	pa.Press("Backspace")
	send(pa, "hello, edited")
	pb.Wait("bob seeing the edit", articleJS(id, "")+` && `+articleJS(id, "")+`.querySelector(".body").textContent.includes("hello, edited")`)
	pb.Wait("the edited mark", articleJS(id, "")+`.querySelector(".edited")`)

	// A reaction from alice's picker reaches bob, who toggles it too.
	action(pa, articleJS(id, ""), "Add reaction")
	pa.Wait("the emoji picker", `document.querySelector('[role="dialog"] input[aria-label="Search emoji"], dialog[open] input[aria-label="Search emoji"]') || __pt.byLabel("Search emoji")`)
	pa.Type("the emoji search", `__pt.byLabel("Search emoji")`, "tada")
	pa.Click("the :tada: emoji", `document.querySelector('button[data-emoji=":tada:"]')`)
	reaction := articleJS(id, "") + `.querySelector('.reactions button[data-emoji=":tada:"]')`
	pb.Wait("bob seeing the reaction", reaction+` && __pt.norm(`+reaction+`.querySelector(".count").textContent) === "1"`)
	if browsertest.Eval[string](pb, reaction+`.getAttribute("aria-pressed")`) != "false" {
		t.Error("alice's reaction is shown as pressed to bob")
	}
	pb.Click("bob's click on the reaction", reaction)
	pa.Wait("alice seeing two reactions", reaction+` && __pt.norm(`+reaction+`.querySelector(".count").textContent) === "2"`)
	pb.Wait("bob's reaction shown as pressed", reaction+`.getAttribute("aria-pressed") === "true"`)

	// Delete, confirmed in the dialog.
	action(pa, articleJS(id, ""), "Delete")
	pa.Click("the dialog's Delete button", dialogButton("Delete"))
	pb.Wait("the message gone from bob's list", `!`+articleJS(id, ""))
	pa.Wait("the message gone from alice's list", `!`+articleJS(id, ""))
	pa.CheckClean()
	pb.CheckClean()
}

// roomID finds a room's id by name over REST.
func roomID(t *testing.T, u *browsertest.API, name string) string {
	t.Helper()
	m := u.Must("GET", "rooms.info?roomName="+name, nil)
	room, _ := m["room"].(map[string]any)
	id, _ := room["_id"].(string)
	if id == "" {
		t.Fatalf("rooms.info %s: %v", name, m)
	}
	return id
}

func TestWebThreadReply(t *testing.T) {
	t.Parallel()
	w := newWeb(t)
	alice, bob := w.user("alice"), w.user("bob")
	rid := alice.CreateRoom("design", false, "bob")
	root := bob.Post(rid, "which colour for the logo?", "")
	pa := w.page(alice)
	openRoom(pa, w.base, "/channel/design", "design")

	action(pa, articleJS(root, ""), "Reply in thread")
	pa.Wait("the thread panel with its root", articleJS(root, "__pt.thread()"))
	pa.Type("the thread composer", `__pt.thread().querySelector('textarea[aria-label="Thread message"]')`, "blue, surely")
	pa.Press("Enter")
	reply := `(() => { const t = __pt.thread(); return t && __pt.articleWithText("blue, surely", t.querySelector('[role="log"]')); })()`
	pa.Wait("the reply in the thread panel", reply)
	if got := browsertest.Eval[string](pa, reply+`.dataset.tmid`); got != root {
		t.Errorf("the reply's data-tmid is %q, want %s", got, root)
	}
	pa.Wait("the thread summary on the root", articleJS(root, "")+` && `+articleJS(root, "")+`.querySelector(".thread-summary") && /\b1\b/.test(`+articleJS(root, "")+`.querySelector(".thread-summary").textContent)`)
	m := alice.Must("GET", "chat.getThreadMessages?tmid="+root, nil)
	if msgs, _ := m["messages"].([]any); len(msgs) != 1 || msgs[0].(map[string]any)["msg"] != "blue, surely" {
		t.Errorf("the stored thread: %v", m)
	}

	// The thread's route opens the panel on a fresh load.
	pb := w.page(bob)
	openRoom(pb, w.base, "/channel/design/thread/"+root, "design")
	pb.Wait("the thread panel opened by its route", articleJS(root, "__pt.thread()"))
	pb.Wait("the reply in bob's thread panel", `(() => { const t = __pt.thread(); return t && __pt.articleWithText("blue, surely", t.querySelector('[role="log"]')); })()`)
	pa.CheckClean()
	pb.CheckClean()
}

// pngFile writes a small PNG image and returns its path.
func pngFile(t *testing.T, name string, w, h int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(40 + x*3), uint8(120 + y), 200, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// composerFileInput is the room composer's file input (not the thread
// panel's).
const composerFileInput = `(() => { for (const i of document.querySelectorAll('input[type="file"]')) if (!i.closest('aside[aria-label="Thread"]')) return i; return null; })()`

func TestWebUploadImage(t *testing.T) {
	t.Parallel()
	w := newWeb(t)
	alice, bob := w.user("alice"), w.user("bob")
	alice.CreateRoom("photos", false, "bob")
	pa, pb := w.page(alice), w.page(bob)
	openRoom(pa, w.base, "/channel/photos", "photos")
	openRoom(pb, w.base, "/channel/photos", "photos")
	if !browsertest.Eval[bool](pa, `!!__pt.button("Upload file")`) {
		t.Error(`no button "Upload file"`)
	}

	pa.SetUploadFiles("the composer's file input", composerFileInput, pngFile(t, "sunset.png", 64, 48))
	// A client may ask to confirm the upload (with a description) first.
	confirm := `(` + dialogButton("Upload") + ` || ` + dialogButton("Send") + `)`
	img := `(() => { const l = __pt.log(); if (!l) return null; for (const i of l.querySelectorAll('article .attachments a img')) if (i.complete && i.naturalWidth > 0) return i; return null; })()`
	deadline := time.Now().Add(15 * time.Second)
	for !browsertest.Eval[bool](pa, `!!`+img) {
		if browsertest.Eval[bool](pa, `!!`+confirm) {
			pa.Click("the upload dialog's confirmation", confirm)
		}
		if time.Now().After(deadline) {
			pa.Fatalf("the uploaded image is not shown inline (loaded) after 15 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	src := browsertest.Eval[string](pa, img+`.getAttribute("src")`)
	if !strings.Contains(src, "/file-upload/") {
		t.Errorf("the inline image's src is %q, want a /file-upload/ URL", src)
	}
	pb.Wait("bob seeing the image inline, loaded", img)
	pa.CheckClean()
	pb.CheckClean()
}

func TestWebDirectMessage(t *testing.T) {
	t.Parallel()
	w := newWeb(t)
	alice, bob := w.user("alice"), w.user("bob")
	w.user("carol")
	alice.CreateRoom("general-talk", false, "bob")
	dm := bob.DirectRoom("alice")
	bob.Post(dm, "psst, alice", "")
	pa := w.page(alice)
	openRoom(pa, w.base, "/channel/general-talk", "general-talk")

	// The DM is in the sidebar under bob's name and opens from there.
	pa.Wait("the DM link named bob", roomLink("bob"))
	if got := browsertest.Eval[string](pa, roomLink("bob")+`.getAttribute("href")`); got != "/direct/"+dm {
		t.Errorf("the DM's link goes to %q, want /direct/%s", got, dm)
	}
	pa.Click("the DM link", roomLink("bob"))
	waitRoom(pa, "bob")
	waitText(pa, "psst, alice")
	if got := browsertest.Eval[string](pa, `location.pathname`); got != "/direct/"+dm {
		t.Errorf("the DM's route is %q", got)
	}
	pa.Wait("the DM link marked current", roomLink("bob")+`.getAttribute("aria-current") === "page"`)
	send(pa, "hi bob")
	waitText(pa, "hi bob")

	// A new DM from the dialog.
	pa.Click(`the button "New direct message"`, `__pt.button("New direct message")`)
	pa.Type("the dialog's Username input", `(() => { const d = document.querySelector('[role="dialog"], dialog[open]'); return d && __pt.byLabel("Username", d); })()`, "carol")
	pa.Click("the dialog's Open button", dialogButton("Open"))
	waitRoom(pa, "carol")
	pa.Wait("the new DM link named carol", roomLink("carol"))
	if !strings.HasPrefix(browsertest.Eval[string](pa, `location.pathname`), "/direct/") {
		t.Errorf("the new DM opened at %s", browsertest.Eval[string](pa, `location.pathname`))
	}
	pa.CheckClean()
}

// badgeJS is an expression for the unread badge of a room's link ("" when
// there is none).
func badgeJS(name string) string {
	return fmt.Sprintf(`(() => { const a = %s; const b = a && a.querySelector(".badge"); return b ? __pt.norm(b.textContent) : ""; })()`, roomLink(name))
}

// TestWebUnreadBadges follows Rocket.Chat's default counters: in channels
// and groups only mentions count as unread (Unread_Count), in direct
// conversations every message does (Unread_Count_DM).
func TestWebUnreadBadges(t *testing.T) {
	t.Parallel()
	w := newWeb(t)
	alice, bob := w.user("alice"), w.user("bob")
	alice.CreateRoom("quiet", false, "bob")
	other := bob.CreateRoom("elsewhere", false, "alice")
	dm := bob.DirectRoom("alice")
	pa := w.page(alice)
	openRoom(pa, w.base, "/channel/quiet", "quiet")
	pa.Wait("the link of elsewhere", roomLink("elsewhere"))
	if got := browsertest.Eval[string](pa, badgeJS("elsewhere")); got != "" {
		t.Errorf("elsewhere has a badge %q before anything was posted", got)
	}

	// Direct messages: every message counts. The DM, empty so far, is
	// listed (opened) with its first message.
	for i := 1; i <= 3; i++ {
		bob.Post(dm, fmt.Sprintf("psst %d", i), "")
		pa.Wait(fmt.Sprintf("the DM's badge rising to %d", i), badgeJS("bob")+fmt.Sprintf(` === "%d"`, i))
	}
	if got := browsertest.Eval[string](pa, roomLink("bob")+`.querySelector(".badge").getAttribute("aria-hidden")`); got != "true" {
		t.Errorf(`the badge's aria-hidden is %q, want "true"`, got)
	}
	// The room with activity moves above the quiet one.
	if !browsertest.Eval[bool](pa, `(() => { const l = [...document.querySelectorAll('nav[aria-label="Rooms"] a')].map(__pt.linkName); return l.indexOf("bob") < l.indexOf("quiet"); })()`) {
		t.Error("the room with the newest message is not listed above the other")
	}

	// A channel: plain messages raise no count, a mention does, marked.
	bob.Post(other, "news for everyone", "")
	if err := pa.TryWait(`(() => { const l = [...document.querySelectorAll('nav[aria-label="Rooms"] a')].map(__pt.linkName); return l.indexOf("elsewhere") < l.indexOf("quiet"); })()`, 5*time.Second); err != nil {
		t.Errorf("elsewhere, with a new message, is not listed above the quiet room: %v", err)
	}
	if got := browsertest.Eval[string](pa, badgeJS("elsewhere")); got != "" {
		t.Errorf("a plain channel message raised the badge %q (Unread_Count counts mentions only)", got)
	}
	bob.Post(other, "@alice have a look", "")
	pa.Wait("the channel's badge counting the mention, marked", badgeJS("elsewhere")+` === "1" && `+roomLink("elsewhere")+`.querySelector(".badge").classList.contains("mention")`)

	// Opening a room clears its badge and marks it read on the server.
	for _, r := range []struct{ name, rid, title string }{{"elsewhere", other, "elsewhere"}, {"bob", dm, "bob"}} {
		pa.Click("the link of "+r.name, roomLink(r.name))
		waitRoom(pa, r.title)
		pa.Wait("the badge of "+r.name+" cleared", badgeJS(r.name)+` === ""`)
		deadline := time.Now().Add(5 * time.Second)
		for {
			m := alice.Must("GET", "subscriptions.getOne?roomId="+r.rid, nil)
			sub, _ := m["subscription"].(map[string]any)
			if sub["unread"] == float64(0) && sub["alert"] != true {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("%s is not read on the server: %v", r.name, sub)
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	// A message in the open room raises no badge.
	bob.Post(dm, "while you look", "")
	waitText(pa, "while you look")
	time.Sleep(300 * time.Millisecond)
	if got := browsertest.Eval[string](pa, badgeJS("bob")); got != "" {
		t.Errorf("the open room got a badge %q", got)
	}
	pa.CheckClean()
}

// The hostile texts of the issue, and variants in other places.
var hostileTexts = []string{
	`<img src=x onerror=alert(1)>`,
	`[x](javascript:alert(1))`,
	`"><script>alert(1)</script>`,
	`[click me](javascript:alert(document.domain)) and <a href="javascript:alert(2)">y</a>`,
	"**<svg onload=alert(3)>** `<img src=x onerror=alert(4)>`",
	"> <iframe src=\"javascript:alert(5)\"></iframe>",
	`![pic](javascript:alert(6))`,
}

func TestWebHostileInputInert(t *testing.T) {
	t.Parallel()
	// Real names on, so that a name made of markup is shown.
	w := newWebWith(t, map[string]string{"OVERWRITE_SETTING_UI_Use_Real_Name": "true"})
	alice := w.user("alice")
	// A user whose real name is markup; the sidebar, header and author
	// lines must show it as text.
	w.admin.Must("POST", "users.create", map[string]any{
		"username": "mallory", "name": `<img src=x onerror=alert(7)>`, "email": "mallory@example.com",
		"password": browsertest.Password("mallory"), "verified": true,
	})
	mallory := w.admin.Login("mallory", browsertest.Password("mallory"))
	rid := mallory.CreateRoom("trap", false, "alice")
	var ids []string
	for _, s := range hostileTexts {
		ids = append(ids, mallory.Post(rid, s, ""))
	}
	// File names as markup, and a thread reply.
	for _, name := range []string{`<img src=x onerror=alert(8)>.png`, `"><script>alert(9)</script>.txt`} {
		data := []byte("not really an image")
		if strings.HasSuffix(name, ".png") {
			data, _ = os.ReadFile(pngFile(t, "p.png", 8, 8))
		}
		msg := mallory.Upload(rid, name, map[bool]string{true: "image/png", false: "text/plain"}[strings.HasSuffix(name, ".png")], data, `<b onmouseover=alert(10)>desc</b>`)
		id, _ := msg["_id"].(string)
		ids = append(ids, id)
	}
	mallory.Post(rid, `<img src=x onerror=alert(11)>`, ids[0])
	dm := mallory.DirectRoom("alice")
	mallory.Post(dm, `"><script>alert(12)</script>`, "")

	pa := w.page(alice)
	openRoom(pa, w.base, "/channel/trap", "trap")
	for _, id := range ids {
		pa.Wait("the hostile message "+id, articleJS(id, ""))
	}
	// Alice types one herself: the composer's own rendering path.
	send(pa, `<img src=x onerror=alert(13)>`)
	pa.Wait("alice's hostile message", `(() => { let n = 0; for (const a of __pt.log().querySelectorAll("article .body")) if (a.textContent.includes("onerror=alert(13)")) n++; return n > 0; })()`)
	// Open the thread and the DM too, and hover and focus everything.
	action(pa, articleJS(ids[0], ""), "Reply in thread")
	pa.Wait("the thread reply", `(() => { const t = __pt.thread(); return t && t.textContent.includes("onerror=alert(11)"); })()`)

	if got := browsertest.Eval[string](pa, articleJS(ids[0], "")+`.querySelector(".author") ? `+articleJS(ids[0], "")+`.querySelector(".author").textContent : ""`); !strings.Contains(got, "onerror=alert(7)") {
		t.Errorf("mallory's real name is shown as %q, want its text", got)
	}
	// The markup is shown as text; the javascript: link's label is plain
	// text, not a link.
	for i, s := range hostileTexts[:3] {
		body := articleJS(ids[i], "") + `.querySelector(".body")`
		got := browsertest.Eval[string](pa, body+`.textContent`)
		if i == 1 {
			if !strings.Contains(got, "x") || browsertest.Eval[bool](pa, `!!`+body+`.querySelector("a")`) {
				t.Errorf("message %q is shown as %q (with a link: %v), want its label as plain text", s, got, browsertest.Eval[bool](pa, `!!`+body+`.querySelector("a")`))
			}
			continue
		}
		if !strings.Contains(got, s) {
			t.Errorf("message %q is shown as %q, want its text", s, got)
		}
	}
	assertInert(t, pa)

	// Clicking the would-be javascript: link runs nothing.
	pa.Exec(`(() => { for (const a of __pt.log().querySelectorAll("article .body a, article .body *")) { try { a.click(); } catch (e) {} } })()`)
	time.Sleep(300 * time.Millisecond)
	pa.Navigate(w.base + "/direct/" + dm)
	waitRoom(pa, `<img src=x onerror=alert(7)>`) // a DM is named after the other person's real name here
	pa.Wait("the DM's hostile message", `__pt.articleWithText("alert(12)")`)
	assertInert(t, pa)
	pa.CheckClean()
}

// assertInert checks the page for anything that hostile markup would have
// produced had it been parsed as HTML.
func assertInert(t *testing.T, p *browsertest.Page) {
	t.Helper()
	bad := browsertest.Eval[[]string](p, `(() => {
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    for (const a of el.attributes) {
      if (/^on/i.test(a.name)) out.push(el.tagName + " has " + a.name);
      if (/^(href|src|action|formaction|xlink:href)$/i.test(a.name) && /^\s*(javascript|vbscript|data:text\/html)/i.test(a.value)) out.push(el.tagName + " " + a.name + "=" + a.value);
    }
    // The client draws its icons as SVG; inside message content, names and
    // titles no such element belongs.
    if (/^(SCRIPT|IFRAME|OBJECT|EMBED|SVG|STYLE|LINK|META|FORM)$/i.test(el.tagName) && el.closest('article .body, article .author, article .attachments, article .previews, h1')) out.push(el.tagName + " element in user content: " + el.outerHTML.slice(0, 120));
    if (el.tagName === "IMG" && el.getAttribute("src") === "x") out.push("img src=x");
  }
  for (const a of document.querySelectorAll("a[href]")) if (a.protocol === "javascript:") out.push("javascript: link " + a.href);
  return out;
})()`)
	for _, b := range bad {
		t.Errorf("hostile markup took effect: %s", b)
	}
	if d := p.Dialogs(); len(d) > 0 {
		t.Errorf("hostile code ran: dialogs %q", d)
	}
}

// serveAt runs serve on dataDir at addr until stop; unlike serveDir the
// address is chosen by the caller, so that a server can come back where a
// page expects it.
func serveAt(t *testing.T, dataDir, addr string, env map[string]string) (string, func()) {
	t.Helper()
	environ := []string{"PARLEY_DATA_DIR=" + dataDir}
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, []string{"--addr", addr, "--log-level", "error"}, environ, io.Discard, ready)
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("serve: %v", err)
				}
			case <-time.After(20 * time.Second):
				t.Error("shutdown hung")
			}
		})
	}
	t.Cleanup(stop)
	select {
	case a := <-ready:
		return "http://" + a, stop
	case err := <-done:
		t.Fatalf("serve at %s: %v", addr, err)
	case <-time.After(20 * time.Second):
		t.Fatal("server did not start")
	}
	return "", stop
}

// TestWebReconnectAfterRestart stops the server under an open page. The
// page must say it is offline; messages written while it could not hear
// them (on the same data, by a server it cannot reach) must appear once the
// server is back at its address, with the badge of another room, and the
// page must say it is online again.
func TestWebReconnectAfterRestart(t *testing.T) {
	b := browsertest.Shared(t)
	t.Parallel()
	dir := t.TempDir()
	env := webServerEnv()
	base, stop := serveAt(t, dir, "127.0.0.1:0", env)
	addr := strings.TrimPrefix(base, "http://")
	admin := browsertest.NewAPI(t, base).Login("root", "pw")
	alice := admin.CreateUser("alice", "Alice Example")
	bob := admin.CreateUser("bob", "Bob Example")
	rid := alice.CreateRoom("ops", false, "bob")
	side := alice.CreateRoom("side", false, "bob")
	bob.Post(rid, "before the restart", "")

	pa := b.NewPage(t, browsertest.PageOptions{UserID: alice.UserID, Token: alice.Token, Timeout: 20 * time.Second})
	// While the server is down the browser logs its failed connections.
	for _, s := range []string{"WebSocket connection to", "ERR_CONNECTION_REFUSED", "Failed to load resource", "Failed to fetch"} {
		pa.AllowConsoleError(s)
	}
	openRoom(pa, base, "/channel/ops", "ops")
	waitText(pa, "before the restart")
	pa.Wait("the page online", `document.body.dataset.connection === "online"`)

	stop()
	pa.Wait("the page offline", `document.body.dataset.connection === "offline"`)
	pa.Wait("the offline notice", `(() => { const s = document.querySelector('[role="status"].connection'); return s && s.textContent.includes("Offline"); })()`)

	// The same data, served where the page cannot reach it.
	otherBase, stopOther := serveAt(t, dir, "127.0.0.1:0", env)
	bobThere := browsertest.NewAPI(t, otherBase).Login("bob", browsertest.Password("bob"))
	bobThere.Post(rid, "missed one", "")
	bobThere.Post(rid, "missed two", "")
	bobThere.Post(side, "@alice missed elsewhere", "") // a mention: channels count only those
	stopOther()

	_, _ = serveAt(t, dir, addr, env)
	pa.Wait("the page online again", `document.body.dataset.connection === "online"`)
	waitText(pa, "missed one")
	waitText(pa, "missed two")
	pa.Wait("the badge of the other room", badgeJS("side")+` === "1"`)
	if browsertest.Eval[bool](pa, `!!document.querySelector('[role="status"].connection') && document.querySelector('[role="status"].connection').offsetParent !== null && document.querySelector('[role="status"].connection').textContent.includes("Offline")`) {
		t.Error("the offline notice is still shown")
	}
	// Live again: a new message arrives without a reload.
	bob2 := browsertest.NewAPI(t, base).Login("bob", browsertest.Password("bob"))
	bob2.Post(rid, "after the restart", "")
	waitText(pa, "after the restart")
	// Each message once.
	if n := browsertest.Eval[int](pa, `[...__pt.log().querySelectorAll("article .body")].filter(b => b.textContent.includes("missed one")).length`); n != 1 {
		t.Errorf(`"missed one" is shown %d times`, n)
	}
	pa.CheckClean()
}
