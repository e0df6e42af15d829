package browsertest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The harness must see what it exists to catch: a dialog, a console error,
// an inserted script; and two pages must not share localStorage.
func TestHarnessSeesHostileEffects(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/hostile":
			w.Write([]byte(`<!doctype html><body><script>
document.addEventListener('DOMContentLoaded', () => {
  const s = document.createElement('script'); s.textContent = '1'; document.body.append(s);
  console.error('boom');
  setTimeout(() => { alert('xss'); document.body.dataset.ready = '1'; }, 10);
});
</script></body>`))
		default:
			w.Write([]byte(`<!doctype html><body><label for="u">Username or email</label><input id="u"><button aria-label="Go">›</button></body>`))
		}
	}))
	defer srv.Close()
	b := NewBrowser(t)

	p := b.NewPage(t, PageOptions{})
	p.Navigate(srv.URL + "/hostile")
	p.Wait("ready", `document.body.dataset.ready === "1"`)
	if d := p.Dialogs(); len(d) != 1 || !strings.Contains(d[0], "xss") {
		t.Errorf("dialogs = %q, want the alert", d)
	}
	if pr := p.Problems(); len(pr) != 1 || !strings.Contains(pr[0], "boom") {
		t.Errorf("problems = %q, want the console error", pr)
	}
	if s := Eval[[]string](p, `__pt.injectedScripts`); len(s) != 1 {
		t.Errorf("inserted scripts = %q, want one", s)
	}
	if tr, ms, ok := p.ReadyTraffic(); !ok || tr.HTTPBytes == 0 || ms <= 0 {
		t.Errorf("ready traffic = %+v %v %v", tr, ms, ok)
	}

	one := b.NewPage(t, PageOptions{Token: "tok-1", UserID: "u1"})
	two := b.NewPage(t, PageOptions{})
	one.Navigate(srv.URL + "/")
	two.Navigate(srv.URL + "/")
	if got := Eval[string](one, `localStorage.getItem("Meteor.loginToken")`); got != "tok-1" {
		t.Errorf("page one's token = %q", got)
	}
	if got := Eval[bool](two, `localStorage.getItem("Meteor.loginToken") === null`); !got {
		t.Error("page two sees page one's localStorage")
	}
	two.WaitSelector(`label[for="u"]`)
	two.Type("the labelled input", `__pt.byLabel("Username or email")`, "alice")
	if got := Eval[string](two, `document.getElementById("u").value`); got != "alice" {
		t.Errorf("typed %q", got)
	}
	if !Eval[bool](two, `__pt.button("Go") !== null`) {
		t.Error("the button named by aria-label is not found")
	}
	one.CheckClean()
	two.CheckClean()
}
