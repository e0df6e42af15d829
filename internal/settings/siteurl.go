package settings

import (
	"net"
	"strings"
)

// DefaultSiteURL is the server's own address, derived from its listen
// address, for when neither the Site_Url setting nor --site-url names the
// public URL: http://<host>:<port>, with localhost for an address that
// listens on every interface (":3000", "0.0.0.0:3000", "[::]:3000").
// Rocket.Chat fills Site_Url from its ROOT_URL in the same spirit.
func DefaultSiteURL(listenAddr string) string {
	host, port, err := net.SplitHostPort(strings.TrimSpace(listenAddr))
	if err != nil {
		return ""
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	if port == "" || port == "0" {
		return ""
	}
	return "http://" + net.JoinHostPort(host, port)
}
