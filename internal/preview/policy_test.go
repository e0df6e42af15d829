package preview

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBlockedReason(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]string{
		"8.8.8.8":              "",
		"93.184.216.34":        "",
		"2606:4700:4700::1111": "",
		"127.0.0.1":            "loopback",
		"127.255.255.254":      "loopback",
		"::1":                  "loopback",
		"10.1.2.3":             "private",
		"172.16.0.1":           "private",
		"172.31.255.255":       "private",
		"192.168.1.1":          "private",
		"fd12:3456::1":         "private",
		"169.254.169.254":      "link-local", // cloud metadata
		"fe80::1":              "link-local",
		"224.0.0.1":            "multicast",
		"ff02::1":              "multicast",
		"0.0.0.0":              "unspecified",
		"::":                   "unspecified",
		"0.1.2.3":              "reserved",
		"100.64.0.1":           "reserved",
		"198.18.0.1":           "reserved",
		"255.255.255.255":      "reserved",
		"::7f00:1":             "reserved", // IPv4-compatible 127.0.0.1
		"2001:0:4136:e378::1":  "reserved", // Teredo
		"64:ff9b::a00:1":       "private",  // NAT64 of 10.0.0.1
		"64:ff9b::808:808":     "",         // NAT64 of 8.8.8.8
		"64:ff9b:1::1":         "reserved",
		"2002:7f00:1::1":       "loopback", // 6to4 of 127.0.0.1
		"2002:808:808::1":      "",
		"fec0::1":              "reserved",
	} {
		ip := netip.MustParseAddr(addr)
		if got := blockedReason(ip); got != want {
			t.Errorf("blockedReason(%s) = %q, want %q", addr, got, want)
		}
	}
}

// addrCase is a destination and whether the policy lets it be fetched.
type addrCase struct {
	host, ip string
	ok       bool
}

func wantAddrChecks(t *testing.T, r *rules, cases []addrCase) {
	t.Helper()
	for _, c := range cases {
		err := r.checkAddr(c.host, netip.MustParseAddr(c.ip))
		if (err == nil) != c.ok {
			t.Errorf("checkAddr(%s, %s) = %v, want ok=%v", c.host, c.ip, err, c.ok)
		}
	}
}

func TestCheckAddr(t *testing.T) {
	t.Parallel()
	r := compile(Policy{AllowedPrivateHosts: []string{" LocalHost ", "10.0.0.0/8", "192.168.1.5", "*.corp.example", ".lab.example", "[::1]", "not a valid / thing"}})
	wantAddrChecks(t, r, []addrCase{
		{"public.example", "8.8.8.8", true},
		{"localhost", "127.0.0.1", true},
		{"LOCALHOST.", "::1", true},
		{"other.example", "127.0.0.1", false},
		{"other.example", "::1", true},
		{"x", "10.200.0.1", true},
		{"x", "11.0.0.1", true},
		{"x", "192.168.1.5", true},
		{"x", "192.168.1.6", false},
		{"x", "::ffff:192.168.1.5", true},
		{"x", "::ffff:192.168.1.6", false},
		{"a.corp.example", "172.16.0.1", true},
		{"corp.example", "172.16.0.1", false},
		{"deep.a.lab.example", "172.16.0.1", true},
		{"lab.example", "172.16.0.1", false},
		{"evilcorp.example", "172.16.0.1", false},
	})
}

func TestParseSettings(t *testing.T) {
	t.Parallel()
	if diff := cmp.Diff([]int{80, 443, 8080}, ParsePorts(" 80, 443,,x, 8080 , 0, 70000")); diff != "" {
		t.Error(diff)
	}
	if diff := cmp.Diff([]string{"localhost", "10.0.0.0/8"}, ParseHosts("localhost , , 10.0.0.0/8,")); diff != "" {
		t.Error(diff)
	}
	if ParseHosts("") != nil || ParsePorts("") != nil {
		t.Error("empty setting should give nil")
	}
	r := compile(Policy{})
	if r.checkPort(80) != nil || r.checkPort(443) != nil || r.checkPort(8080) == nil {
		t.Error("empty SafePorts should mean 80 and 443")
	}
}

// IgnoredHosts keeps Rocket.Chat's meaning: listed destinations are never
// fetched, public or private, even when AllowedPrivateHosts permits them.
func TestIgnoredHosts(t *testing.T) {
	t.Parallel()
	r := compile(Policy{
		IgnoredHosts:        []string{"blocked.example", "*.ads.example", "203.0.113.0/24", "127.0.0.1"},
		AllowedPrivateHosts: []string{"127.0.0.0/8", "intranet.example"},
	})
	wantAddrChecks(t, r, []addrCase{
		{"public.example", "8.8.8.8", true},
		{"blocked.example", "8.8.8.8", false},
		{"BLOCKED.example.", "8.8.8.8", false},
		{"x.ads.example", "8.8.8.8", false},
		{"ads.example", "8.8.8.8", true},
		{"public.example", "203.0.113.9", false},
		{"public.example", "::ffff:203.0.113.9", false},
		{"intranet.example", "127.0.0.2", true},
		{"intranet.example", "127.0.0.1", false},
		{"other.example", "127.0.0.3", true},
	})
	for host, ok := range map[string]bool{
		"blocked.example": false, "a.ads.example": false, "203.0.113.1": false,
		"[::ffff:203.0.113.1]": false, "public.example": true, "198.51.100.1": true,
	} {
		if err := r.checkHost(host); (err == nil) != ok {
			t.Errorf("checkHost(%s) = %v, want ok=%v", host, err, ok)
		}
	}
}
