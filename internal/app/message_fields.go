package app

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/parleychat/parley/internal/markdown"
	"github.com/parleychat/parley/internal/model"
)

// mentionPatterns caches the mention regexps built from
// UTF8_User_Names_Validation, which can change at run time.
type mentionPatterns struct {
	mu      sync.Mutex
	source  string
	user    *regexp.Regexp
	channel *regexp.Regexp
}

var mentionRE mentionPatterns

func (a *App) mentionRegexps() (user, channel *regexp.Regexp) {
	src := a.Settings.String("UTF8_User_Names_Validation")
	mentionRE.mu.Lock()
	defer mentionRE.mu.Unlock()
	if mentionRE.user == nil || mentionRE.source != src {
		p := "(?:" + src + ")"
		u, err1 := regexp.Compile(`(?m)(?:^|\s|>)@(` + p + `(?:@` + p + `)?)(?::[0-9a-zA-Z\-_.]+)?`)
		c, err2 := regexp.Compile(`(?m)(?:^|\s|>)#(` + p + `(?:@` + p + `)?)`)
		if err1 != nil || err2 != nil {
			// An invalid setting falls back to the default pattern.
			p = "(?:[0-9a-zA-Z-_.]+)"
			u = regexp.MustCompile(`(?m)(?:^|\s|>)@(` + p + `(?:@` + p + `)?)(?::[0-9a-zA-Z\-_.]+)?`)
			c = regexp.MustCompile(`(?m)(?:^|\s|>)#(` + p + `(?:@` + p + `)?)`)
		}
		mentionRE.source, mentionRE.user, mentionRE.channel = src, u, c
	}
	return mentionRE.user, mentionRE.channel
}

// mentionNames returns the distinct names mentioned in the text, in order.
// sigil ('@' or '#') is the character every match contains: most texts
// have none, and looking for it costs far less than running re.
func mentionNames(re *regexp.Regexp, sigil byte, texts ...string) []string {
	var out []string
	for _, t := range texts {
		if strings.IndexByte(t, sigil) < 0 {
			continue
		}
		for _, m := range re.FindAllStringSubmatch(t, -1) {
			if !slices.Contains(out, m[1]) {
				out = append(out, m[1])
			}
		}
	}
	return out
}

// userMentions resolves @name, @all and @here in the text and in
// attachment descriptions. Unknown names are dropped; mentions is never
// nil, as Rocket.Chat always sets it.
func (a *App) userMentions(ctx context.Context, m *model.Message) ([]model.Mention, error) {
	texts := []string{m.Msg}
	for _, raw := range m.Attachments {
		if d := attachmentString(raw, "description"); d != "" {
			texts = append(texts, d)
		}
	}
	userRE, _ := a.mentionRegexps()
	out := []model.Mention{}
	for _, name := range mentionNames(userRE, '@', texts...) {
		if name == "all" || name == "here" {
			out = append(out, model.Mention{ID: name, Username: name})
			continue
		}
		u, err := a.store.Users().GetByUsername(ctx, name)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, a.storeErr(err)
		}
		out = append(out, model.Mention{ID: u.ID, Username: u.Username, Name: u.Name, Type: "user"})
	}
	return out, nil
}

// channelMentions resolves #name to public channels and private groups,
// whoever is a member.
func (a *App) channelMentions(ctx context.Context, text string) ([]model.ChannelMention, error) {
	_, chanRE := a.mentionRegexps()
	out := []model.ChannelMention{}
	for _, name := range mentionNames(chanRE, '#', text) {
		r, err := a.store.Rooms().GetByName(ctx, name)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, a.storeErr(err)
		}
		if r.T != model.RoomChannel && r.T != model.RoomGroup {
			continue
		}
		out = append(out, model.ChannelMention{ID: r.ID, Name: r.Name})
	}
	return out, nil
}

// filterBadWords masks every word of Message_BadWordsFilterList (less
// Message_BadWordsWhitelist) with asterisks, when the filter is on.
func (a *App) filterBadWords(text string) string {
	if !a.Settings.Bool("Message_AllowBadWordsFilter") || text == "" {
		return text
	}
	allowed := map[string]bool{}
	for _, w := range strings.Split(a.Settings.String("Message_BadWordsWhitelist"), ",") {
		allowed[strings.ToLower(strings.TrimSpace(w))] = true
	}
	var words []string
	for _, w := range strings.Split(a.Settings.String("Message_BadWordsFilterList"), ",") {
		w = strings.ToLower(strings.TrimSpace(w))
		if w != "" && !allowed[w] {
			words = append(words, regexp.QuoteMeta(w))
		}
	}
	if len(words) == 0 {
		return text
	}
	re, err := regexp.Compile(`(?i)\b(?:` + strings.Join(words, "|") + `)\b`)
	if err != nil {
		return text
	}
	return re.ReplaceAllStringFunc(text, func(w string) string {
		return strings.Map(func(r rune) rune {
			if r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
				return '*'
			}
			return r
		}, w)
	})
}

// markdownParseLimit is the longest text given an md tree.
const markdownParseLimit = 30000

// markdownOptions are the parser options the settings select.
func (a *App) markdownOptions() markdown.Options {
	o := markdown.Options{Colors: a.Settings.Bool("HexColorPreview_Enabled"), Emoticons: true, CustomDomains: []string{}}
	if a.Settings.Bool("Katex_Enabled") {
		o.Katex = &markdown.KatexOptions{
			DollarSyntax:      a.Settings.Bool("Katex_Dollar_Syntax"),
			ParenthesisSyntax: a.Settings.Bool("Katex_Parenthesis_Syntax"),
		}
	}
	for _, d := range strings.Split(a.Settings.String("Message_CustomDomain_AutoLink"), ",") {
		if d = strings.TrimSpace(d); d != "" {
			o.CustomDomains = append(o.CustomDomains, d)
		}
	}
	return o
}

// parseMarkdown is the md tree of a message, or nil where Rocket.Chat
// stores none: no text, system and encrypted messages, very long texts,
// and texts the parser rejects.
func (a *App) parseMarkdown(m *model.Message) []byte {
	if m.Msg == "" || m.T != "" || utf16Len(m.Msg) > markdownParseLimit {
		return nil
	}
	md, err := markdown.Parse(m.Msg, a.markdownOptions())
	if err != nil {
		a.log.Debug("message text not parsed", "mid", m.ID, "err", err)
		return nil
	}
	return md
}

// urlPattern finds links the way Rocket.Chat's URL parser does: a scheme of
// 3–9 letters, ://, an optional user, a host, port, path, query and fragment.
var urlPattern = regexp.MustCompile(`([A-Za-z]{3,9}):\/\/([-;:&=\+\$,\w]+@)?([-A-Za-z0-9\.]+)+:?(\d+)?((\/[-\+=!:~%\/\.@\,\(\)\w]*)?\??([-\+=&!:;%@\/\.\,\w]+)?(?:#([^\s\)]+))?)?`)

// codePattern masks code spans and blocks, whose links are not links.
var codePattern = regexp.MustCompile("(?s)```.*?```|`[^`\n]*`")

// extractURLs lists the links of a message's text. With previewURLs given,
// every other link (except the server's own) is marked ignoreParse, so it
// is kept but never previewed.
func (a *App) extractURLs(m *model.Message, previewURLs *[]string) []model.URL {
	if m.ParseURLs != nil && !*m.ParseURLs {
		return nil
	}
	// Every link has "://"; most texts have none.
	if !strings.Contains(m.Msg, "://") {
		return nil
	}
	text := codePattern.ReplaceAllString(m.Msg, "")
	found := urlPattern.FindAllString(text, -1)
	if len(found) == 0 {
		return nil
	}
	site := a.SiteURL()
	var out []model.URL
	seen := map[string]bool{}
	for _, u := range found {
		if seen[u] {
			continue
		}
		seen[u] = true
		e := model.URL{URL: u, Meta: map[string]string{}}
		if previewURLs != nil && !slices.Contains(*previewURLs, u) && (site == "" || !strings.Contains(u, site)) {
			e.IgnoreParse = true
		}
		out = append(out, e)
	}
	return out
}

// normalize prepares a message for user u, as Rocket.Chat's
// normalizeMessagesForUser: starred keeps only u's own entry, and with
// UI_Use_Real_Name reactions carry their users' names.
func (a *App) normalize(ctx context.Context, u *model.User, m *model.Message) (*model.Message, error) {
	if m == nil {
		return nil, nil
	}
	list, err := a.normalizeAll(ctx, u, []*model.Message{m})
	if err != nil {
		return nil, err
	}
	return list[0], nil
}

// normalizeAll is normalize for a page of messages; the names of all
// their reactors are read in one query.
func (a *App) normalizeAll(ctx context.Context, u *model.User, list []*model.Message) ([]*model.Message, error) {
	var names map[string]string
	if a.Settings.Bool("UI_Use_Real_Name") {
		var err error
		if names, err = a.reactorNames(ctx, list); err != nil {
			return nil, err
		}
	}
	out := make([]*model.Message, len(list))
	for i, m := range list {
		out[i] = normalizeFor(u, m, names)
	}
	return out, nil
}

// reactorNames maps the lower-cased usernames of everyone who reacted to
// one of list to their names.
func (a *App) reactorNames(ctx context.Context, list []*model.Message) (map[string]string, error) {
	seen := map[string]bool{}
	var usernames []string
	for _, m := range list {
		if m == nil {
			continue
		}
		for _, r := range m.Reactions {
			for _, un := range r.Usernames {
				if k := strings.ToLower(un); !seen[k] {
					seen[k] = true
					usernames = append(usernames, un)
				}
			}
		}
	}
	if len(usernames) == 0 {
		return nil, nil
	}
	users, err := a.store.Users().GetManyByUsername(ctx, usernames)
	if err != nil {
		return nil, a.storeErr(err)
	}
	names := make(map[string]string, len(users))
	for _, usr := range users {
		if usr.Name != "" {
			names[strings.ToLower(usr.Username)] = usr.Name
		}
	}
	return names, nil
}

// normalizeFor is normalize with the reactors' names at hand (nil when
// UI_Use_Real_Name is off). A reactor without a name keeps the username.
func normalizeFor(u *model.User, m *model.Message, names map[string]string) *model.Message {
	if m == nil {
		return nil
	}
	c := *m
	// Without a viewer (the streams, which send one copy to every
	// subscriber) the stars stay as stored, as Rocket.Chat broadcasts them.
	if u != nil && len(c.Starred) > 0 {
		c.Starred = nil
		for _, s := range m.Starred {
			if s.ID == u.ID {
				c.Starred = []model.IDRef{s}
			}
		}
	}
	if names != nil && len(c.Reactions) > 0 {
		rs := make(map[string]*model.Reaction, len(c.Reactions))
		for k, r := range c.Reactions {
			shown := make([]string, len(r.Usernames))
			for i, un := range r.Usernames {
				shown[i] = un
				if n, ok := names[strings.ToLower(un)]; ok {
					shown[i] = n
				}
			}
			rs[k] = &model.Reaction{Usernames: r.Usernames, Names: shown}
		}
		c.Reactions = rs
	}
	return &c
}
