package app

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/parleychat/parley/internal/model"
)

// msgLinkQuery is the query parameter of a link to one message of this
// server (a permalink: <Site_Url>/channel/general?msg=<id>).
const msgLinkQuery = "msg"

// quoteLinkedMessages turns each link in m's urls that points at a message
// of this server into a quote attachment of that message, as Rocket.Chat
// does when a message is saved or edited. A link is quoted only when the
// message exists and u may see its room, so a permalink never shows a
// message to someone who could not read it; a quoted link is not
// previewed. A quote of the same link already on m is replaced.
func (a *App) quoteLinkedMessages(ctx context.Context, u *model.User, m *model.Message) error {
	site := a.SiteURL()
	if site == "" || len(m.URLs) == 0 {
		return nil
	}
	for i := range m.URLs {
		link := &m.URLs[i]
		id, ok := linkedMessageID(link.URL, site)
		if !ok {
			continue
		}
		quoted, err := a.store.Messages().Get(ctx, id)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return a.storeErr(err)
		}
		r, err := a.store.Rooms().GetCached(ctx, quoted.RID)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return a.storeErr(err)
		}
		visible, err := a.canSee(ctx, r, u)
		if err != nil {
			return err
		}
		if !visible {
			continue
		}
		b, err := json.Marshal(a.linkQuote(quoted, link.URL))
		if err != nil {
			return err
		}
		m.Attachments = append(dropQuotesOf(m.Attachments, link.URL), b)
		link.IgnoreParse = true
	}
	return nil
}

// linkedMessageID reads the message id of a link to this server.
func linkedMessageID(raw, site string) (string, bool) {
	if !strings.Contains(raw, site) {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil || u.RawQuery == "" {
		return "", false
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", false
	}
	// A repeated msg names no single message.
	ids := q[msgLinkQuery]
	if len(ids) != 1 || ids[0] == "" {
		return "", false
	}
	return ids[0], true
}

// linkQuote is the attachment that quotes m through link: the quote a pin
// makes, plus the link it came from and the quoted message's alias.
func (a *App) linkQuote(m *model.Message, link string) map[string]any {
	q := a.quoteAttachment(m)
	q["message_link"] = link
	switch {
	case m.Alias != "":
		q["author_name"] = m.Alias
	case a.Settings.Bool("UI_Use_Real_Name") && m.U.Name != "":
		q["author_name"] = m.U.Name
	}
	if len(m.MD) > 0 {
		q["md"] = m.MD
	}
	if _, ok := q["attachments"]; !ok {
		q["attachments"] = []any{}
	}
	if len(m.Translations) > 0 {
		q["translations"] = m.Translations
	}
	return q
}

// isQuote reports whether an attachment quotes a message: quotes are the
// attachments that carry message_link.
func isQuote(raw json.RawMessage) bool {
	return attachmentString(raw, "message_link") != ""
}

// dropQuotesOf removes the quotes made from link.
func dropQuotesOf(atts []json.RawMessage, link string) []json.RawMessage {
	out := atts[:0:0]
	for _, at := range atts {
		if attachmentString(at, "message_link") != link {
			out = append(out, at)
		}
	}
	return out
}

// dropQuotes removes every quote attachment, which an edit rebuilds from
// the links of its new text.
func dropQuotes(atts []json.RawMessage) []json.RawMessage {
	var out []json.RawMessage
	for _, at := range atts {
		if !isQuote(at) {
			out = append(out, at)
		}
	}
	return out
}
