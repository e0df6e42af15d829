package app

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// hasCJK reports whether text has Chinese, Japanese or Korean characters,
// which the word index cannot split, so they are matched as substrings.
func hasCJK(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) {
			return true
		}
	}
	return false
}

func (a *App) parseSearch(ctx context.Context, u *model.User, rid, text string) (*searchQuery, error) {
	q := &searchQuery{filter: store.MessageFilter{RID: rid, ExcludeHidden: true, ExcludeTypes: []string{"rm"}}}
	text = searchFrom.ReplaceAllStringFunc(text, func(s string) string {
		name := searchFrom.FindStringSubmatch(s)[1]
		id := ""
		if strings.EqualFold(name, "me") {
			id = u.ID
		} else if usr, err := a.store.Users().GetByUsername(ctx, strings.TrimPrefix(name, "@")); err == nil {
			id = usr.ID
		}
		if id == "" {
			q.empty = true
		} else {
			q.filter.UserIDs = append(q.filter.UserIDs, id)
		}
		return " "
	})
	text = searchMention.ReplaceAllStringFunc(text, func(s string) string {
		name := strings.TrimPrefix(searchMention.FindStringSubmatch(s)[1], "@")
		if strings.EqualFold(name, "me") {
			name = u.Username
		}
		q.filter.MentionedUser = name
		return " "
	})
	text = searchFlag.ReplaceAllStringFunc(text, func(s string) string {
		if strings.Contains(strings.ToLower(s), "star") {
			q.filter.StarredBy = u.ID
		} else {
			q.filter.Pinned = true
		}
		return " "
	})
	text = searchOrder.ReplaceAllStringFunc(text, func(s string) string {
		q.asc = strings.HasPrefix(strings.ToLower(searchOrder.FindStringSubmatch(s)[1]), "asc")
		return " "
	})
	offset := time.Duration(u.UTCOffset) * time.Hour
	text = searchDate.ReplaceAllStringFunc(text, func(s string) string {
		p := searchDate.FindStringSubmatch(s)
		d, _ := strconv.Atoi(p[2])
		mo, _ := strconv.Atoi(p[3])
		y, _ := strconv.Atoi(p[4])
		day := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC).Add(-offset)
		switch strings.ToLower(p[1]) {
		case "before":
			q.filter.TsBefore = model.FromTime(day)
		case "after":
			q.filter.TsAfter = model.FromTime(day.AddDate(0, 0, 1))
			q.filter.TsInclusive = true
		case "on":
			q.filter.TsAfter, q.filter.TsBefore = model.FromTime(day), model.FromTime(day.AddDate(0, 0, 1))
			q.filter.TsInclusive = true
		}
		return " "
	})
	text = strings.TrimSpace(spaces.ReplaceAllString(text, " "))
	switch {
	case text == "":
		if q.filter.UserIDs == nil && q.filter.MentionedUser == "" && q.filter.StarredBy == "" && !q.filter.Pinned && q.filter.TsAfter == 0 && q.filter.TsBefore == 0 {
			q.empty = true
		}
	case searchRegexp.MatchString(text):
		p := searchRegexp.FindStringSubmatch(text)
		flags := ""
		if strings.Contains(p[2], "i") {
			flags = "(?i)"
		}
		re, err := regexp.Compile(flags + p[1])
		if err != nil {
			q.empty = true
			break
		}
		q.regex = re
	case a.Settings.Bool("Message_AlwaysSearchRegExp") || hasCJK(text):
		re, err := regexp.Compile("(?i)" + text)
		if err != nil {
			re = regexp.MustCompile("(?i)" + regexp.QuoteMeta(text))
		}
		q.regex = re
	default:
		// MongoDB's $text splits at punctuation too, and any word matches:
		// "fox,quick" is two words, not a phrase that must match whole.
		q.terms = strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
		if len(q.terms) == 0 {
			q.empty = true
		}
	}
	return q, nil
}

// SearchMessages is chat.search: full-text search in one room, with
// Rocket.Chat's from:, mention:, has:star, is:pinned, before:/after:/on:
// and order: operators and /regexp/ queries.
func (a *App) SearchMessages(ctx context.Context, u *model.User, rid, text string, opts store.ListOptions) ([]*model.Message, error) {
	if _, err := a.roomForRead(ctx, u, rid, Plain("")); err != nil {
		return nil, err
	}
	q, err := a.parseSearch(ctx, u, rid, text)
	if err != nil {
		return nil, err
	}
	if q.empty {
		return []*model.Message{}, nil
	}
	opts.Sort = []store.SortField{{Field: "ts", Desc: !q.asc}}
	var list []*model.Message
	switch {
	case q.terms != nil:
		list, err = a.store.Messages().Search(ctx, q.filter, q.terms, opts)
	case q.regex != nil:
		list, err = a.regexSearch(ctx, q, opts)
	default:
		list, err = a.store.Messages().List(ctx, q.filter, opts)
	}
	if err != nil {
		return nil, a.storeErr(err)
	}
	if list == nil {
		list = []*model.Message{}
	}
	return a.normalizeAll(ctx, u, list)
}

// regexSearch scans the filtered messages in batches and keeps those
// whose text matches, then applies the page.
func (a *App) regexSearch(ctx context.Context, q *searchQuery, opts store.ListOptions) ([]*model.Message, error) {
	const batch = 500
	var out []*model.Message
	skip := opts.Offset
	for off := 0; off < regexScanLimit; off += batch {
		list, err := a.store.Messages().List(ctx, q.filter, store.ListOptions{Offset: off, Count: batch, Sort: opts.Sort})
		if err != nil {
			return nil, err
		}
		for _, m := range list {
			if !q.regex.MatchString(m.Msg) {
				continue
			}
			if skip > 0 {
				skip--
				continue
			}
			out = append(out, m)
			if opts.Count > 0 && len(out) == opts.Count {
				return out, nil
			}
		}
		if len(list) < batch {
			return out, nil
		}
	}
	return out, nil
}
