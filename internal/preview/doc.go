// Package preview fetches link previews ("oEmbed" in Rocket.Chat's terms)
// for URLs posted in messages, and decides which URLs of a message are
// previewed at all.
//
// Fetching a URL that a user typed is a server-side request forgery risk:
// without care, any user could make the server read its own admin ports,
// cloud metadata endpoints or hosts on the private network. The Fetcher is
// therefore the security boundary and enforces, on every request and on
// every redirect hop:
//
//   - only http and https;
//   - only the ports listed in Policy.SafePorts (80 and 443 by default);
//   - nothing that Policy.IgnoredHosts lists (Rocket.Chat's deny-list),
//     by host name or by address;
//   - no loopback, private, link-local, multicast, unspecified or otherwise
//     reserved address, unless Policy.AllowedPrivateHosts lists the host or
//     address; every address a name resolves to is checked, and the address
//     actually dialled is checked again by the dialer itself, so DNS
//     rebinding and redirects cannot reach a refused address;
//   - at most five redirects, a total deadline (5 s by default) and a body
//     limit (1 MiB by default); environment proxies are ignored and
//     connections are never reused between requests.
//
// Only HTML bodies are parsed. Other content types yield their
// Content-Type and Content-Length headers only.
//
// The metadata keys follow Rocket.Chat: the page title becomes pageTitle,
// meta names and properties are camel-cased (og:title becomes ogTitle,
// twitter:card becomes twitterCard), and fields of a discovered oEmbed
// document become oembed* keys. See Extract and Fetcher.Fetch.
//
// Which URLs of a message are previewed is decided by the pure functions
// MarkIgnoreParse (when a message is saved) and Select (after it is saved).
package preview
