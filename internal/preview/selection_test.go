package preview

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const site = "https://chat.example.com"

func TestMarkIgnoreParse(t *testing.T) {
	t.Parallel()
	urls := []string{"https://a.example/", "https://b.example/", "https://a.example/", "https://chat.example.com/channel/general"}
	for _, c := range []struct {
		name    string
		preview []string
		want    []Link
	}{
		{"previewUrls absent", nil, []Link{
			{URL: "https://a.example/"}, {URL: "https://b.example/"}, {URL: "https://chat.example.com/channel/general"},
		}},
		{"empty previewUrls", []string{}, []Link{
			{URL: "https://a.example/", IgnoreParse: true}, {URL: "https://b.example/", IgnoreParse: true},
			{URL: "https://chat.example.com/channel/general"},
		}},
		{"subset", []string{"https://b.example/", "https://unrelated.example/"}, []Link{
			{URL: "https://a.example/", IgnoreParse: true}, {URL: "https://b.example/"},
			{URL: "https://chat.example.com/channel/general"},
		}},
	} {
		got := MarkIgnoreParse(urls, c.preview, site)
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
		// An empty previewUrls list previews nothing.
		if c.preview != nil && len(c.preview) == 0 {
			if sel := Select(got, false, site); len(sel) != 0 {
				t.Errorf("%s: selected %v", c.name, sel)
			}
		}
	}
}

func TestSelect(t *testing.T) {
	t.Parallel()
	links := func(n int, extra ...Link) []Link {
		var out []Link
		for i := range n {
			out = append(out, Link{URL: fmt.Sprintf("https://x%d.example/", i)})
		}
		return append(out, extra...)
	}
	internal := Link{URL: site + "/home"}
	ignored := Link{URL: "https://ignored.example/", IgnoreParse: true}

	if got := Select(links(2), true, site); got != nil {
		t.Errorf("message with attachments: %v", got)
	}
	if got := Select(links(5), false, site); len(got) != 5 {
		t.Errorf("five external URLs: got %v", got)
	}
	if got := Select(links(6), false, site); got != nil {
		t.Errorf("six external URLs: %v", got)
	}
	// Internal URLs do not count towards the limit and are not fetched.
	if got := Select(links(5, internal, internal), false, site); len(got) != 5 {
		t.Errorf("five external + internal: got %v", got)
	}
	// Ignored URLs count towards the limit but are not fetched.
	if got := Select(links(5, ignored), false, site); got != nil {
		t.Errorf("five + one ignored: %v", got)
	}
	want := []string{"https://x0.example/"}
	if diff := cmp.Diff(want, Select(links(1, ignored, internal), false, site)); diff != "" {
		t.Error(diff)
	}
}

func TestIsInternal(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		url, site string
		want      bool
	}{
		{"https://chat.example.com", site, true},
		{"https://chat.example.com/", site, true},
		{"https://CHAT.example.com:443/direct/x?y#z", site, true},
		{"https://chat.example.com/", site + "/", true},
		{"http://chat.example.com/", site, false},
		{"https://chat.example.com:8443/", site, false},
		{"https://chat.example.community/", site, false},
		{"https://evil.example/?u=https://chat.example.com", site, false},
		{"https://chat.example.com/parley/room", "https://chat.example.com/parley", true},
		{"https://chat.example.com/parley", "https://chat.example.com/parley/", true},
		{"https://chat.example.com/parleyx", "https://chat.example.com/parley", false},
		{"https://chat.example.com/", "", false},
		{"not a url", site, false},
		{"http://localhost:3000/", "http://localhost:3000", true},
	} {
		if got := IsInternal(c.url, c.site); got != c.want {
			t.Errorf("IsInternal(%q, %q) = %v", c.url, c.site, got)
		}
	}
}
