package markdown

import "strings"

// autoLink turns a URL-looking candidate into a LINK when its host is a
// known public suffix (ICANN or private section), an IP address,
// localhost, or under one of the custom domains; otherwise it stays plain.
func autoLink(text []uint16, customDomains []string) *node {
	h := inspectHost(text, true)
	ok := h.icann || h.ip || h.private
	if !ok && h.hostValid {
		ok = matchesValidHost(h.hostname, "localhost")
		for _, d := range customDomains {
			ok = ok || matchesValidHost(h.hostname, d)
		}
	}
	if !ok {
		return plain(text)
	}
	src := text
	if !hasScheme(text) && !(len(text) >= 2 && text[0] == '/' && text[1] == '/') {
		src = concatU16(utf16Of("//"), text)
	}
	return link(src, []*node{plain(text)})
}

// matchesValidHost is the suffix test tldts applies to its validHosts.
func matchesValidHost(hostname, vh string) bool {
	if !strings.HasSuffix(hostname, vh) {
		return false
	}
	return len(hostname) == len(vh) || hostname[len(hostname)-len(vh)-1] == '.'
}

// hasScheme stands in for the JS check "URL.canParse(src) or src starts
// with scheme://". For the candidates the grammar produces, both come down
// to: a letter, then letters, digits, '+', '-' or '.', then ':'. (Not
// modelled: a bare host longer than 32 characters followed by "://" and a
// host that WHATWG URL parsing rejects; canParse then fails.)
func hasScheme(s []uint16) bool {
	if len(s) == 0 || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':':
			return true
		case isAlnumA(c) || c == '+' || c == '-' || c == '.':
		default:
			return false
		}
	}
	return false
}

// autoEmail links an address when "mailto:"+address has a known suffix.
func autoEmail(addr []uint16) *node {
	src := concatU16(utf16Of("mailto:"), addr)
	h := inspectHost(src, false)
	if h.icann || h.private {
		return link(src, []*node{plain(addr)})
	}
	return plain(addr)
}

type hostInfo struct {
	hostname       string
	hostValid      bool // hostname passed validation and was looked up
	icann, private bool
	ip             bool
}

// inspectHost follows tldts.parse as the JS parser calls it (mixed inputs,
// hostname validation, private suffixes allowed).
func inspectHost(url []uint16, detectIP bool) hostInfo {
	var h hostInfo
	host, ok := extractHostname(url, isValidHostname(url))
	if !ok {
		return h
	}
	if detectIP && (isIPv6(host) || isIPv4(host)) {
		h.ip = true
		return h
	}
	if !isValidHostname(host) {
		return h
	}
	h.hostname = utf16ToString(host)
	h.hostValid = true
	h.icann, h.private = suffixLookup(h.hostname)
	return h
}

// extractHostname mirrors tldts's hostname extraction, including its
// handling of schemes, credentials, ports, IPv6 brackets and case.
func extractHostname(url []uint16, alreadyHost bool) ([]uint16, bool) {
	start, end := 0, len(url)
	upper := false
	at := func(i int) int {
		if i < len(url) {
			return int(url[i])
		}
		return -1
	}
	if !alreadyHost {
		if hasPrefixASCII(url, "data:") {
			return nil, false
		}
		for start < len(url) && url[start] <= 32 {
			start++
		}
		for end > start+1 && url[end-1] <= 32 {
			end--
		}
		if at(start) == '/' && at(start+1) == '/' {
			start += 2
		} else if sep := indexASCII(url, ":/", start); sep >= 0 {
			if !isWellKnownScheme(url[start:sep]) {
				for k := start; k < sep; k++ {
					c := url[k] | 32
					if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+') {
						return nil, false
					}
				}
			}
			start = sep + 2
			for at(start) == '/' {
				start++
			}
		}
		atSign, bracket, colon := -1, -1, -1
		for k := start; k < end; k++ {
			c := url[k]
			if c == '#' || c == '/' || c == '?' {
				end = k
				break
			}
			switch {
			case c == '@':
				atSign = k
			case c == ']':
				bracket = k
			case c == ':':
				colon = k
			case c >= 'A' && c <= 'Z':
				upper = true
			}
		}
		if atSign >= 0 && atSign > start && atSign < end {
			start = atSign + 1
		}
		if at(start) == '[' {
			if bracket >= 0 {
				return lowerU16(url[start+1 : bracket]), true
			}
			return nil, false
		}
		if colon >= 0 && colon > start && colon < end {
			end = colon
		}
	}
	for end > start+1 && url[end-1] == '.' {
		end--
	}
	host := url[start:end]
	if upper {
		host = lowerU16(host)
	}
	return host, true
}

func isWellKnownScheme(s []uint16) bool {
	switch utf16ToString(s) {
	case "https", "http", "wss", "ws":
		return true
	}
	return false
}

func hasPrefixASCII(s []uint16, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if s[i] != uint16(prefix[i]) {
			return false
		}
	}
	return true
}

func indexASCII(s []uint16, sub string, from int) int {
	for i := from; i+len(sub) <= len(s); i++ {
		if hasPrefixASCII(s[i:], sub) {
			return i
		}
	}
	return -1
}

func lowerU16(s []uint16) []uint16 { return utf16Of(strings.ToLower(utf16ToString(s))) }

// isValidHostname is tldts's hostname syntax check.
func isValidHostname(h []uint16) bool {
	if len(h) == 0 || len(h) > 255 {
		return false
	}
	ok := func(c uint16) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c > 127 }
	if !ok(h[0]) && h[0] != '.' && h[0] != '_' {
		return false
	}
	lastDot := -1
	var prev uint16
	for i, c := range h {
		if c == '.' {
			if i-lastDot > 64 || prev == '.' || prev == '-' || prev == '_' {
				return false
			}
			lastDot = i
		} else if !ok(c) && c != '-' && c != '_' {
			return false
		}
		prev = c
	}
	return len(h)-lastDot-1 <= 63 && prev != '-'
}

// isIPv6 is tldts's loose test: hex digits (and, as it happens, any ASCII
// capital) and at least one ':'.
func isIPv6(h []uint16) bool {
	if len(h) < 3 {
		return false
	}
	start, end := 0, len(h)
	if h[0] == '[' {
		start = 1
	}
	if h[end-1] == ']' {
		end--
	}
	if end-start > 39 {
		return false
	}
	colon := false
	for _, c := range h[start:end] {
		switch {
		case c == ':':
			colon = true
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'Z':
		default:
			return false
		}
	}
	return colon
}

func isIPv4(h []uint16) bool {
	if len(h) < 7 || len(h) > 15 {
		return false
	}
	dots := 0
	for _, c := range h {
		if c == '.' {
			dots++
		} else if c < '0' || c > '9' {
			return false
		}
	}
	return dots == 3 && h[0] != '.' && h[len(h)-1] != '.'
}
