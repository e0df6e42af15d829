package translate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// client is the HTTP plumbing shared by the providers: it turns transport
// failures, error statuses and undecodable bodies into the package's error
// kinds, so that IsRetryable can classify them uniformly.
type client struct {
	provider string
	hc       *http.Client
	// message extracts the provider's error text from an error body.
	message func(body []byte) string
}

func newClient(provider string, cfg Config, message func([]byte) string) *client {
	hc := cfg.HTTPClient
	if hc == nil {
		t := cfg.Timeout
		if t <= 0 {
			t = defaultTimeout
		}
		hc = &http.Client{Timeout: t}
	}
	return &client{provider: provider, hc: hc, message: message}
}

// do sends a request with an optional JSON body and decodes a JSON answer
// into out.
func (c *client) do(ctx context.Context, method, u string, header http.Header, body any, out any) error {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("%s: %w", c.provider, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return c.transportError(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseSize))
	if err != nil {
		return c.transportError(err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		ae := &APIError{Provider: c.provider, StatusCode: resp.StatusCode, RetryAfter: retryAfter(resp.Header.Get("Retry-After"))}
		if c.message != nil {
			ae.Message = c.message(data)
		}
		if ae.Message == "" {
			ae.Message = strings.TrimSpace(string(data[:min(len(data), 200)]))
		}
		return ae
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s: %w: %v", c.provider, ErrMalformed, err)
	}
	return nil
}

func (c *client) transportError(err error) error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return fmt.Errorf("%s: %w: %v", c.provider, ErrTimeout, err)
	}
	return fmt.Errorf("%s: %w", c.provider, err)
}

func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

// joinURL appends a path to a base URL and sets query parameters, keeping
// any path or query the base already has.
func joinURL(base, path string, q url.Values) string {
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil {
		return base + path
	}
	u.Path = strings.TrimRight(u.Path, "/") + path
	u.RawPath = ""
	if len(q) > 0 {
		all := u.Query()
		for k, vs := range q {
			all[k] = append(all[k], vs...)
		}
		u.RawQuery = all.Encode()
	}
	return u.String()
}

// jsonMessage reads the common {"error":{"message":…}}, {"error":"…"} and
// {"message":…} error shapes.
func jsonMessage(body []byte) string {
	var v struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
	}
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	if len(v.Error) > 0 {
		var s string
		if json.Unmarshal(v.Error, &s) == nil {
			return s
		}
		var o struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(v.Error, &o) == nil && o.Message != "" {
			return o.Message
		}
	}
	return v.Message
}
