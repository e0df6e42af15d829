// Command parley-shots makes the screenshots of the web client that
// docs/web.md shows. It builds and starts a Parley server on a temporary
// data directory, fills it with a few users, rooms and messages (a thread,
// reactions, an image, unread badges), and saves PNG screenshots taken with
// headless Chromium:
//
//	go run ./cmd/parley-shots -out docs/web
//
// It needs Go (to build the server) and Chromium (/usr/bin/chromium, or
// $PARLEY_CHROMIUM).
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/parleychat/parley/internal/web/browsertest"
)

func main() {
	out := flag.String("out", "docs/web", "directory for the PNG files")
	server := flag.String("server", "", "parley binary to run (default: build ./cmd/parley of this module)")
	flag.Parse()
	r := &run{}
	code := 0
	if err := r.main(*out, *server); err != nil {
		log.Print(err)
		code = 1
	}
	r.cleanup()
	if r.failed {
		code = 1
	}
	os.Exit(code)
}

// run implements browsertest.TB for a command: a fatal error stops the
// command after its cleanups.
type run struct {
	cleanups []func()
	failed   bool
}

type fatal struct{ msg string }

func (r *run) Helper()                         {}
func (r *run) Logf(format string, args ...any) { log.Printf(format, args...) }
func (r *run) Errorf(format string, args ...any) {
	log.Printf(format, args...)
	r.failed = true
}
func (r *run) Fatalf(format string, args ...any) { panic(fatal{fmt.Sprintf(format, args...)}) }
func (r *run) Skipf(format string, args ...any)  { panic(fatal{fmt.Sprintf(format, args...)}) }
func (r *run) Cleanup(f func())                  { r.cleanups = append(r.cleanups, f) }

func (r *run) cleanup() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
	r.cleanups = nil
}

func (r *run) main(out, server string) (err error) {
	defer func() {
		if p := recover(); p != nil {
			f, ok := p.(fatal)
			if !ok {
				panic(p)
			}
			err = errors.New(f.msg)
		}
	}()
	tmp, err := os.MkdirTemp("", "parley-shots-")
	if err != nil {
		return err
	}
	r.Cleanup(func() { os.RemoveAll(tmp) })
	if server == "" {
		server = filepath.Join(tmp, "parley")
		log.Print("building the server")
		build := exec.Command("go", "build", "-o", server, "./cmd/parley")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("go build ./cmd/parley (run this from the module's directory): %w", err)
		}
	}
	base, err := r.startServer(server, filepath.Join(tmp, "data"))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	s := seed(r, base)
	b := browsertest.NewBrowser(r)
	shots(r, b, s, out)
	return nil
}

// startServer runs the server binary on a free loopback port and waits
// until it answers.
func (r *run) startServer(bin, data string) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "serve", "--addr", addr, "--data", data, "--log-level", "error")
	cmd.Env = append(os.Environ(),
		"ADMIN_USERNAME=admin", "ADMIN_PASS=admin-pass", "ADMIN_EMAIL=admin@example.com", "ADMIN_NAME=Administrator",
		"OVERWRITE_SETTING_API_Enable_Rate_Limiter=false", "CREATE_TOKENS_FOR_USERS=true",
		"OVERWRITE_SETTING_UI_Use_Real_Name=true",
	)
	cmd.Stderr = os.Stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		return "", err
	}
	r.Cleanup(func() { cancel(); cmd.Wait() })
	base := "http://" + addr
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		res, err := http.Get(base + "/api/info")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return base, nil
			}
		}
	}
	return "", fmt.Errorf("the server at %s did not answer", addr)
}

// seeded is what the screenshots show.
type seeded struct {
	base       string
	alice      *browsertest.API
	threadRoot string
}

// seed fills the server: four people, three channels, a private group, a
// direct conversation, a thread, reactions, an image, and unread messages
// elsewhere so that the sidebar shows badges.
func seed(r *run, base string) seeded {
	admin := browsertest.NewAPI(r, base).Login("admin", "admin-pass")
	alice := admin.CreateUser("alice", "Alice Martin")
	bob := admin.CreateUser("bob", "Bob Chen")
	carol := admin.CreateUser("carol", "Carol Diaz")
	dave := admin.CreateUser("dave", "Dave Okafor")

	design := alice.CreateRoom("design", false, "bob", "carol", "dave")
	release := bob.CreateRoom("release-planning", false, "alice", "carol")
	leads := carol.CreateRoom("leads", true, "alice", "bob")
	random := dave.CreateRoom("random", false, "alice", "bob", "carol")
	dm := bob.DirectRoom("alice")

	alice.Post(design, "Morning all! The new **landing page** mock-ups are ready for review :tada:", "")
	bob.Post(design, "Nice. Which font did you settle on?", "")
	alice.Post(design, "`Inter` for the body text, and the display cut for headings.", "")
	img := alice.Upload(design, "landing-hero.png", "image/png", heroPNG(640, 360), "The hero section at full width")
	imgID, _ := img["_id"].(string)
	carol.React(imgID, ":heart_eyes:")
	bob.React(imgID, ":heart_eyes:")
	dave.React(imgID, ":+1:")
	root := carol.Post(design, "Should the call-to-action be green or blue? Thoughts in the thread, please.", "")
	bob.Post(design, "Blue matches the logo.", root)
	dave.Post(design, "Green tested better last time: 4% more clicks.", root)
	alice.Post(design, "Let's try both and measure. I'll set up the experiment.", root)
	carol.React(root, ":+1:")
	dave.Post(design, "Reminder: design review at 15:00 in the small room.\n\n- landing page\n- onboarding e-mails\n- icon set", "")
	bob.Post(design, "> Reminder: design review at 15:00\nI'll bring the printed versions.", "")

	bob.Post(release, "The release branch is cut. Please only merge fixes now.", "")
	carol.Post(release, "Changelog draft: https://example.com/changelog", "")
	carol.Post(leads, "@alice can you take the 1:1s this week?", "")
	dave.Post(random, "Anyone up for lunch at 12:30?", "")
	bob.Post(dm, "Do you have a minute after the review?", "")
	return seeded{base: base, alice: alice, threadRoot: root}
}

// heroPNG draws a simple landing-page illustration: a gradient sky, a sun
// and rolling hills.
func heroPNG(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			t := float64(y) / float64(h)
			c := color.RGBA{uint8(60 + 120*t), uint8(110 + 80*t), uint8(220 - 40*t), 255}
			// sun
			if dx, dy := float64(x-w*3/4), float64(y-h/3); dx*dx+dy*dy < float64(h*h)/49 {
				c = color.RGBA{255, 214, 90, 255}
			}
			// hills
			if float64(y) > float64(h)*0.7+22*math.Sin(float64(x)/55) {
				c = color.RGBA{46, 139, 87, 255}
			}
			if float64(y) > float64(h)*0.82+14*math.Sin(float64(x)/37+1) {
				c = color.RGBA{34, 110, 70, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}

// shots saves the screenshots.
func shots(r *run, b *browsertest.Browser, s seeded, out string) {
	save := func(p *browsertest.Page, name string) {
		// Every image loaded, fonts ready, nothing animating.
		p.Wait("the images loaded", `[...document.images].every(i => i.complete)`)
		p.Exec(`document.fonts ? document.fonts.ready.then(() => true) : true`)
		p.Exec(`document.activeElement && document.activeElement.blur && document.activeElement.blur()`)
		time.Sleep(300 * time.Millisecond)
		path := filepath.Join(out, name)
		p.Screenshot(path)
		log.Printf("wrote %s", path)
		for _, d := range p.Dialogs() {
			r.Errorf("%s: the page opened a dialog: %s", name, d)
		}
		for _, e := range p.Problems() {
			r.Errorf("%s: console: %s", name, e)
		}
	}
	room := func(p *browsertest.Page, path, title string) {
		p.Navigate(s.base + path)
		p.Wait("the room "+title, fmt.Sprintf(`(() => { const h = document.querySelector("h1"); return h && __pt.norm(h.textContent) === %s && document.body.dataset.ready === "1"; })()`, browsertest.JS(title)))
	}
	logged := browsertest.PageOptions{UserID: s.alice.UserID, Token: s.alice.Token, Timeout: 20 * time.Second}

	login := b.NewPage(r, browsertest.PageOptions{Timeout: 20 * time.Second})
	login.Navigate(s.base + "/login")
	login.Wait("the login form", `__pt.byLabel("Password")`)
	save(login, "login.png")

	p := b.NewPage(r, logged)
	room(p, "/channel/design", "design")
	save(p, "room.png")
	room(p, "/channel/design/thread/"+s.threadRoot, "design")
	p.Wait("the thread panel", `document.querySelector('aside[aria-label="Thread"] article')`)
	save(p, "thread.png")

	dark := logged
	dark.Dark = true
	d := b.NewPage(r, dark)
	room(d, "/channel/design", "design")
	save(d, "dark.png")

	phone := logged
	phone.Width, phone.Height, phone.Mobile = 390, 844, true
	m := b.NewPage(r, phone)
	room(m, "/channel/design", "design")
	save(m, "phone.png")

	// The phone's room list, behind its toggle.
	if browsertest.Eval[bool](m, `!!__pt.button("Rooms")`) {
		m.Click(`the "Rooms" toggle`, `__pt.button("Rooms")`)
		m.Wait("the room list", `(() => { const n = document.querySelector('nav[aria-label="Rooms"]'); return n && n.getBoundingClientRect().width > 0 && n.getBoundingClientRect().left >= 0; })()`)
		save(m, "phone-rooms.png")
	}
}
