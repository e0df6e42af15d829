package preview

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Policy is the part of the fetcher's behaviour that administrators change
// at run time. The Fetcher calls its policy function at the start of every
// Fetch, so a changed setting applies to the next request.
type Policy struct {
	// IgnoredHosts lists destinations that are never fetched, whatever
	// else the policy allows: Rocket.Chat's API_EmbedIgnoredHosts. It
	// refuses public and private destinations alike and takes precedence
	// over AllowedPrivateHosts. Entries have the form described at
	// AllowedPrivateHosts; a name entry refuses URLs with that host, an
	// address or range entry refuses URLs whose host is, or resolves to,
	// an address in it.
	IgnoredHosts []string

	// AllowedPrivateHosts lists the exceptions to the private-address
	// rule. By default every loopback, private, link-local, multicast,
	// unspecified or reserved address is refused; an entry here permits
	// it. An entry is one of:
	//   - an IP address ("127.0.0.1", "::1"): that address may be dialled;
	//   - a CIDR range ("10.0.0.0/8", "fd00::/8"): those addresses may be
	//     dialled;
	//   - a host name ("intranet.example.com", "localhost"): a URL with
	//     exactly that host may be fetched whatever it resolves to;
	//   - a host name starting with "*." or "." ("*.corp.example"): the
	//     same for every subdomain of that name (not the name itself).
	// Matching is case-insensitive. Entries never restrict public hosts,
	// and they do not lift the SafePorts rule or IgnoredHosts.
	AllowedPrivateHosts []string

	// SafePorts lists the TCP ports that may be fetched. A URL without a
	// port uses its scheme's default (80 for http, 443 for https). An
	// empty list means the default, 80 and 443.
	SafePorts []int

	// CacheTTL is how long a successful preview is served from the cache.
	// Zero or less disables the cache.
	CacheTTL time.Duration

	// UserAgent is sent with every request; empty means DefaultUserAgent.
	UserAgent string

	// AcceptLanguage is sent as the Accept-Language header; empty means
	// "en".
	AcceptLanguage string
}

// DefaultUserAgent is the User-Agent sent when the policy names none. Sites
// serve their preview metadata most reliably to browser-like agents, which
// is also why Rocket.Chat's default looks like a browser.
const DefaultUserAgent = "Mozilla/5.0 (compatible; Parley link preview; +https://github.com/parleychat/parley)"

// DefaultPolicy returns Rocket.Chat's defaults: nothing private allowed,
// ports 80 and 443, previews cached for 30 days.
func DefaultPolicy() Policy {
	return Policy{SafePorts: []int{80, 443}, CacheTTL: 30 * 24 * time.Hour}
}

// ParseHosts splits a comma-separated setting value such as
// "localhost, 10.0.0.0/8" into entries for Policy.IgnoredHosts or
// Policy.AllowedPrivateHosts. Blank
// entries are dropped.
func ParseHosts(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// ParsePorts splits a comma-separated setting value such as "80, 443" into
// ports for Policy.SafePorts. Entries that are not ports (1-65535) are
// skipped rather than failing, so one typo does not disable every preview.
func ParsePorts(s string) []int {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err == nil && n > 0 && n < 65536 {
			out = append(out, n)
		}
	}
	return out
}

// rules is a Policy compiled for one Fetch.
type rules struct {
	ports      map[int]bool
	allow      hostSet
	deny       hostSet
	userAgent  string
	acceptLang string
}

// hostSet is a compiled list of host entries (see Policy).
type hostSet struct {
	prefixes []netip.Prefix
	names    map[string]bool
	suffixes []string // ".corp.example" form
}

func compileHosts(entries []string) hostSet {
	hs := hostSet{names: map[string]bool{}}
	for _, e := range entries {
		e = strings.ToLower(strings.TrimSpace(e))
		if e == "" {
			continue
		}
		if pfx, err := netip.ParsePrefix(e); err == nil {
			hs.prefixes = append(hs.prefixes, pfx.Masked())
			continue
		}
		if a, err := netip.ParseAddr(strings.Trim(e, "[]")); err == nil {
			a = a.WithZone("").Unmap()
			hs.prefixes = append(hs.prefixes, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		switch {
		case strings.HasPrefix(e, "*."):
			hs.suffixes = append(hs.suffixes, strings.TrimSuffix(e[1:], "."))
		case strings.HasPrefix(e, "."):
			hs.suffixes = append(hs.suffixes, strings.TrimSuffix(e, "."))
		default:
			hs.names[strings.TrimSuffix(e, ".")] = true
		}
	}
	return hs
}

// hasName reports whether the host name itself is listed.
func (hs hostSet) hasName(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if hs.names[h] {
		return true
	}
	for _, s := range hs.suffixes {
		if strings.HasSuffix(h, s) && len(h) > len(s) {
			return true
		}
	}
	return false
}

// hasAddr reports whether ip lies in a listed address or range.
func (hs hostSet) hasAddr(ip netip.Addr) bool {
	ip = ip.WithZone("").Unmap()
	for _, p := range hs.prefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func compile(p Policy) *rules {
	r := &rules{
		ports:      map[int]bool{},
		allow:      compileHosts(p.AllowedPrivateHosts),
		deny:       compileHosts(p.IgnoredHosts),
		userAgent:  p.UserAgent,
		acceptLang: p.AcceptLanguage,
	}
	if r.userAgent == "" {
		r.userAgent = DefaultUserAgent
	}
	if r.acceptLang == "" {
		r.acceptLang = "en"
	}
	ports := p.SafePorts
	if len(ports) == 0 {
		ports = []int{80, 443}
	}
	for _, port := range ports {
		r.ports[port] = true
	}
	return r
}

// checkHost refuses a URL host that IgnoredHosts names, by name or, for a
// literal address, by address; resolved addresses are judged by checkAddr.
func (r *rules) checkHost(host string) error {
	if r.deny.hasName(host) {
		return fmt.Errorf("host %q is in the ignored hosts", host)
	}
	if ip, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil && r.deny.hasAddr(ip) {
		return fmt.Errorf("address %s is in the ignored hosts", ip)
	}
	return nil
}

// checkAddr decides whether ip may be dialled for a URL whose host is host.
func (r *rules) checkAddr(host string, ip netip.Addr) error {
	ip = ip.WithZone("").Unmap()
	if !ip.IsValid() {
		return fmt.Errorf("no usable address for %q", host)
	}
	if r.deny.hasName(host) || r.deny.hasAddr(ip) {
		return fmt.Errorf("address %s of %q is in the ignored hosts", ip, host)
	}
	reason := blockedReason(ip)
	if reason == "" || r.allow.hasName(host) || r.allow.hasAddr(ip) {
		return nil
	}
	return fmt.Errorf("%s address %s of %q is not allowed", reason, ip, host)
}

func (r *rules) checkPort(port int) error {
	if !r.ports[port] {
		return fmt.Errorf("port %d is not a safe port", port)
	}
	return nil
}

// Ranges that netip's predicates do not cover but that must never be
// reachable from a preview: "this network", carrier-grade NAT, IETF
// protocol assignments, benchmarking, the reserved class E block
// (including broadcast), deprecated IPv4-compatible and site-local IPv6,
// the local-use NAT64 prefix (it translates into the operator's own
// network), and Teredo, whose tunnelled IPv4 endpoint cannot be checked.
var reserved = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("::/96"),
	netip.MustParsePrefix("fec0::/10"),
	netip.MustParsePrefix("2001::/32"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
}

// Translation prefixes that carry an IPv4 address inside an IPv6 one. They
// are legitimate on IPv6-only networks, so the embedded address is judged
// instead of refusing the whole range.
var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// blockedReason names the category that makes ip unsafe to dial, or "" when
// it is an ordinary public address.
func blockedReason(ip netip.Addr) string {
	switch {
	case ip.IsUnspecified():
		return "unspecified"
	case ip.IsLoopback():
		return "loopback"
	case ip.IsPrivate():
		return "private"
	case ip.IsLinkLocalUnicast():
		return "link-local"
	case ip.IsMulticast(), ip.IsLinkLocalMulticast(), ip.IsInterfaceLocalMulticast():
		return "multicast"
	}
	for _, p := range reserved {
		if p.Contains(ip) {
			return "reserved"
		}
	}
	if ip.Is6() {
		b := ip.As16()
		if nat64.Contains(ip) {
			if r := blockedReason(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})); r != "" {
				return r
			}
		}
		if sixToFour.Contains(ip) {
			if r := blockedReason(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})); r != "" {
				return r
			}
		}
	}
	return ""
}
