package preview

import (
	"context"
	"fmt"
	"io"
)

// Download fetches rawURL under the same rules as a preview (scheme,
// ports, hosts and the addresses actually dialled) and returns at most
// limit bytes of its body with its Content-Type. A longer body is an
// error, not a truncated answer. Nothing is cached.
func (f *Fetcher) Download(ctx context.Context, rawURL, accept string, limit int64) ([]byte, string, error) {
	r := compile(f.policy())
	u, err := r.checkURL(rawURL)
	if err != nil {
		return nil, "", err
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	resp, err := f.get(ctx, f.client(r), r, u.String(), accept)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, "", classify(rawURL, err)
	}
	if int64(len(b)) > limit {
		return nil, "", &Error{URL: rawURL, Kind: nil, Err: fmt.Errorf("body exceeds %d bytes", limit)}
	}
	return b, resp.Header.Get("Content-Type"), nil
}
