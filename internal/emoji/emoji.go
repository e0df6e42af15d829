// Package emoji decides whether a reaction emoji name is one Rocket.Chat's
// server accepts without a custom emoji behind it.
//
// chat.react removes every ':' from the emoji it is given, wraps the rest as
// ":name:" and answers "Invalid emoji provided." unless that key is in the
// server's emoji.list or a custom emoji has the name or alias. emoji.list holds
// each emoji's main shortname and all its alternates (so :thumbsup:, :+1: and
// :thumbup: are all accepted), but not the ASCII smileys such as ":)", which
// Rocket.Chat only converts when rendering. Custom emoji are not covered here;
// callers check their own store after Known reports false.
//
// The list comes from the npm package emojione@4.5.0, whose emoji.json gives
// every shortname and shortname_alternates entry: Rocket.Chat's server imports
// "emojione" (^4.5.0), not its successor emoji-toolkit, and adds back the 15
// emoji.json entries (:tm:, :digit_zero: ...) that the package's JS list
// lacks, which makes its list equal to emoji.json's. Names added in later
// JoyPixels releases (for example :axe:) are therefore rejected, as they are by
// Rocket.Chat. To regenerate shortcodes.txt (npm and node are needed):
//
//	sh internal/emoji/gen/gen.sh [PACKAGE@VERSION]
package emoji

import (
	_ "embed"
	"strings"
	"sync"
)

// shortcodes.txt holds one bare name per line, sorted and unique, written by
// gen/gen.sh.
//
//go:embed shortcodes.txt
var shortcodesText string

var names = sync.OnceValue(func() map[string]struct{} {
	lines := strings.Split(strings.TrimSuffix(shortcodesText, "\n"), "\n")
	m := make(map[string]struct{}, len(lines))
	for _, l := range lines {
		m[l] = struct{}{}
	}
	return m
})

// Known reports whether name, given without colons, is in Rocket.Chat's
// standard emoji list. The match is exact and case-sensitive, as the lookup in
// Rocket.Chat is a plain object key; pass the result of Normalize.
func Known(name string) bool {
	_, ok := names()[name]
	return ok
}

// Normalize turns a reaction as a client sent it into the bare name
// Rocket.Chat checks and stores (wrapped as ":name:"). Rocket.Chat drops every
// colon, not only the outer ones, so ":thumbsup::skin-tone-2:" becomes
// "thumbsupskin-tone-2" and is then rejected; doing the same keeps Parley's
// answers and stored keys identical to Rocket.Chat's.
func Normalize(raw string) string {
	return strings.ReplaceAll(raw, ":", "")
}

// Count returns how many names the standard list holds.
func Count() int {
	return len(names())
}
