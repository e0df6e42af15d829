package preview

import (
	"net/url"
	"strings"
)

// MaxExternalURLs is the most external URLs a message may contain and still
// be previewed; a message with more gets no previews at all, so that a
// pasted list of links does not turn into a wall of cards (and a burst of
// outgoing requests).
const MaxExternalURLs = 5

// Link is one entry of a message's urls field as the selection rules see
// it.
type Link struct {
	URL         string
	IgnoreParse bool // Rocket.Chat's ignoreParse: never fetch this URL
}

// MarkIgnoreParse builds a message's urls entries when the message is
// saved, from the URLs found in its text (in order; duplicates are
// dropped) and the previewUrls the client sent.
//
// previewURLs == nil means the client did not send previewUrls: every URL
// may be previewed. A non-nil list, even an empty one, is the client's
// choice: URLs not in it get IgnoreParse, so an empty list previews
// nothing. Internal URLs (see IsInternal) never get IgnoreParse, exactly as
// in Rocket.Chat, which keeps the stored urls identical to Rocket.Chat's;
// they are still never fetched, because Select skips them.
func MarkIgnoreParse(urls, previewURLs []string, siteURL string) []Link {
	var chosen map[string]bool
	if previewURLs != nil {
		chosen = make(map[string]bool, len(previewURLs))
		for _, u := range previewURLs {
			chosen[u] = true
		}
	}
	seen := make(map[string]bool, len(urls))
	out := make([]Link, 0, len(urls))
	for _, u := range urls {
		if seen[u] {
			continue
		}
		seen[u] = true
		ignore := chosen != nil && !chosen[u] && !IsInternal(u, siteURL)
		out = append(out, Link{URL: u, IgnoreParse: ignore})
	}
	return out
}

// Select returns the URLs to fetch after a message is saved (and only when
// previews are enabled, Rocket.Chat's API_Embed; chat.getURLPreview is not
// subject to this function). Following Rocket.Chat:
//   - a message with attachments (files, quotes of other messages) gets no
//     previews;
//   - a message with more than MaxExternalURLs external URLs gets none
//     (URLs marked IgnoreParse still count);
//   - otherwise every URL without IgnoreParse is fetched,
//
// except internal URLs, which Parley never fetches: previewing the server's
// own pages adds nothing and would make the server call itself.
func Select(links []Link, hasAttachments bool, siteURL string) []string {
	if hasAttachments {
		return nil
	}
	external := 0
	for _, l := range links {
		if !IsInternal(l.URL, siteURL) {
			external++
		}
	}
	if external > MaxExternalURLs {
		return nil
	}
	var out []string
	for _, l := range links {
		if !l.IgnoreParse && !IsInternal(l.URL, siteURL) {
			out = append(out, l.URL)
		}
	}
	return out
}

// IsInternal reports whether rawURL points into the site at siteURL (the
// Site_Url setting): same scheme, same host and port (compared
// case-insensitively, default ports made explicit), and a path equal to or
// below the site's path. Rocket.Chat tests whether the URL merely contains
// the site URL as a substring, which would count
// "https://evil.example/?https://chat.example.com" as internal; Parley
// compares the parsed parts. An empty or unparsable siteURL makes nothing
// internal.
func IsInternal(rawURL, siteURL string) bool {
	if strings.TrimSpace(siteURL) == "" {
		return false
	}
	s, err := url.Parse(strings.TrimSpace(siteURL))
	if err != nil || s.Host == "" {
		return false
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return false
	}
	if !strings.EqualFold(u.Scheme, s.Scheme) || !strings.EqualFold(hostPort(u), hostPort(s)) {
		return false
	}
	base := strings.TrimSuffix(s.EscapedPath(), "/")
	p := u.EscapedPath()
	return base == "" || p == base || strings.HasPrefix(p, base+"/")
}

func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		switch strings.ToLower(u.Scheme) {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	return strings.TrimSuffix(u.Hostname(), ".") + ":" + port
}
