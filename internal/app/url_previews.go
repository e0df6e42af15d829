package app

import (
	"context"
	"net/url"
	"sync"
	"time"

	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/jobs"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/preview"
	"github.com/parleychat/parley/internal/store"
)

// URLPreview is the answer of chat.getURLPreview. Unlike a message's urls
// entry it always carries meta, and ignoreParse is always true: the client
// attaches the preview to the message it sends, and the flag tells the
// server not to fetch it again.
type URLPreview struct {
	URL         string            `json:"url"`
	Meta        map[string]string `json:"meta"`
	Headers     map[string]string `json:"headers,omitempty"`
	IgnoreParse bool              `json:"ignoreParse"`
}

// previewPolicy reads the API_Embed* settings for each fetch, so that a
// changed setting applies to the next preview.
func (a *App) previewPolicy() preview.Policy {
	p := preview.DefaultPolicy()
	p.IgnoredHosts = preview.ParseHosts(a.Settings.String("API_EmbedIgnoredHosts"))
	p.AllowedPrivateHosts = preview.ParseHosts(a.Settings.String("API_EmbedAllowedPrivateHosts"))
	p.SafePorts = preview.ParsePorts(a.Settings.String("API_EmbedSafePorts"))
	p.CacheTTL = time.Duration(a.Settings.Int("API_EmbedCacheExpirationDays")) * 24 * time.Hour
	return p
}

// GetURLPreview is chat.getURLPreview. Rocket.Chat swallows fetch errors
// and answers the URL with empty metadata; so does Parley, and it does not
// consult API_Embed, which governs only the previews of saved messages.
func (a *App) GetURLPreview(ctx context.Context, u *model.User, rid, rawURL string) (*URLPreview, error) {
	r, err := a.store.Rooms().Get(ctx, rid)
	if err != nil && !isNotFound(err) {
		return nil, a.storeErr(err)
	}
	if err := a.requireSee(ctx, r, u, ErrNotAllowed); err != nil {
		return nil, err
	}
	res, err := a.previews.Fetch(ctx, rawURL)
	if err != nil {
		a.log.Debug("url preview failed", "host", hostOf(rawURL), "outcome", preview.Outcome(err), "err", err)
	}
	return &URLPreview{URL: rawURL, Meta: res.Meta, Headers: previewHeaders(res.Headers), IgnoreParse: true}, nil
}

func previewHeaders(h preview.Headers) map[string]string {
	out := map[string]string{}
	if h.ContentType != "" {
		out["contentType"] = h.ContentType
	}
	if h.ContentLength != "" {
		out["contentLength"] = h.ContentLength
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// hostOf names a URL in logs by its host only: the rest of a link a user
// posted may carry tokens.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// hasAttachments reports whether m carries files or quotes, which
// Rocket.Chat never previews.
func hasAttachments(m *model.Message) bool {
	return len(m.Attachments) > 0 || len(m.File) > 0 || len(m.Files) > 0
}

// schedulePreviews queues the previews of a saved message, following
// Rocket.Chat's rules (see preview.Select) while API_Embed is on.
func (a *App) schedulePreviews(m *model.Message) {
	if len(m.URLs) == 0 || !a.Settings.Bool("API_Embed") {
		return
	}
	links := make([]preview.Link, len(m.URLs))
	for i, u := range m.URLs {
		links[i] = preview.Link{URL: u.URL, IgnoreParse: u.IgnoreParse}
	}
	urls := preview.Select(links, hasAttachments(m), a.SiteURL())
	if len(urls) == 0 {
		return
	}
	id, rid := m.ID, m.RID
	job := jobs.Job{Name: "message " + id, Run: func(ctx context.Context) { a.applyPreviews(ctx, rid, id, urls) }}
	if !a.previewJobs.Submit(job) {
		a.fault("preview", "queue_full", "url preview queue full, previews skipped", logAttrsOf(m)...)
	}
}

// applyPreviews fetches the URLs in parallel and writes what was found
// into the message's urls under a row lock, bumping _updatedAt so that
// clients syncing by date see the change.
func (a *App) applyPreviews(ctx context.Context, rid, id string, urls []string) {
	results := make(map[string]preview.Result, len(urls))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, u := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := a.previews.Fetch(ctx, u)
			if err != nil {
				// Refused and unreachable links are routine (users post
				// intranet and dead links); the fetcher counts them.
				a.log.Debug("url preview failed", "message_id", id, "host", hostOf(u), "outcome", preview.Outcome(err), "err", err)
				return
			}
			mu.Lock()
			results[u] = res
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(results) == 0 {
		return
	}
	r, err := a.store.Rooms().Get(ctx, rid)
	if err != nil {
		if !isNotFound(err) {
			a.fault("preview", "store", "url preview not saved", "message_id", id, "err", err)
		}
		return
	}
	saved, err := a.rewriteMessage(ctx, r, id, errMessageNotFound, func(_ store.Store, cur *model.Message) (bool, error) {
		// An edit since the fetch started may have dropped a link, marked
		// it ignoreParse or added a file; the edit schedules its own
		// previews, so only what still qualifies is written.
		if hasAttachments(cur) {
			return false, nil
		}
		changed := false
		for i := range cur.URLs {
			e := &cur.URLs[i]
			res, ok := results[e.URL]
			if !ok || e.IgnoreParse {
				continue
			}
			e.Meta, e.Headers = res.Meta, previewHeaders(res.Headers)
			changed = true
		}
		return changed, nil
	})
	switch {
	case err == errMessageNotFound:
	case err != nil:
		a.fault("preview", "store", "url preview not saved", "message_id", id, "err", err)
	case saved != nil:
		a.emit(a.store, events.MessageUpdated, rid, "", id)
	}
}
