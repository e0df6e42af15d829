package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// session is a logged-in Parley user.
type session struct {
	username, userID, token string
}

func (s session) header() http.Header {
	h := http.Header{}
	h.Set("X-User-Id", s.userID)
	h.Set("X-Auth-Token", s.token)
	h.Set("Content-Type", "application/json")
	return h
}

type apiClient struct {
	base string
	hc   *http.Client
}

// call sends one request and decodes a successful answer into out.
func (c *apiClient) call(ctx context.Context, s *session, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+"/api/v1/"+path, body)
	if err != nil {
		return err
	}
	if s != nil {
		req.Header = s.header()
	} else {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, bytes.TrimSpace(raw))
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

func (c *apiClient) login(ctx context.Context, user, pass string) (session, error) {
	var out struct {
		Data struct {
			UserID    string `json:"userId"`
			AuthToken string `json:"authToken"`
		} `json:"data"`
	}
	if err := c.call(ctx, nil, http.MethodPost, "login", map[string]any{"user": user, "password": pass}, &out); err != nil {
		return session{}, err
	}
	return session{username: user, userID: out.Data.UserID, token: out.Data.AuthToken}, nil
}

// fixture is what setup created: users, rooms, and which rooms each user
// is a member of.
type fixture struct {
	admin     session
	adminName string
	users     []session
	roomIDs   []string
	userRooms [][]int // per user, indexes into roomIDs
	// threads holds, per room, the id of a thread parent (thread and mixed
	// scenarios only).
	threads []string
	// recent holds, per room, ids of its newest messages, which the mixed
	// scenario reacts to.
	recent [][]string
	// rateLimiterWas is the setting's value before the tool turned it off.
	rateLimiterWas any
}

type setupOpts struct {
	adminUser, adminPass string
	users, rooms         int
	roomsPerUser         int
	history              int
	seedWorkers          int
}

func randSuffix() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	var b [5]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:])
}

// messageText has the length of a typical chat line (≈72 bytes) and no
// mentions, links or markup, so it exercises only the plain message path.
func messageText(n int) string {
	return fmt.Sprintf("load message %08d: the quick brown fox jumps over the lazy dog today", n)
}

// setup builds the fixture through the public API, as a client would.
func setup(ctx context.Context, c *apiClient, o setupOpts, logf func(string, ...any)) (*fixture, error) {
	fx := &fixture{}
	var err error
	if fx.admin, err = c.login(ctx, o.adminUser, o.adminPass); err != nil {
		return nil, fmt.Errorf("admin login: %w", err)
	}
	var me struct {
		Name string `json:"name"`
	}
	if err := c.call(ctx, &fx.admin, http.MethodGet, "me", nil, &me); err != nil {
		return nil, err
	}
	fx.adminName = me.Name
	// Ordinary users may make 10 calls a minute per endpoint by default;
	// a load test must measure the server, not the limiter.
	var cur struct {
		Value any `json:"value"`
	}
	if err := c.call(ctx, &fx.admin, http.MethodGet, "settings/API_Enable_Rate_Limiter", nil, &cur); err == nil {
		fx.rateLimiterWas = cur.Value
	}
	if err := c.call(ctx, &fx.admin, http.MethodPost, "settings/API_Enable_Rate_Limiter", map[string]any{"value": false}, nil); err != nil {
		return nil, fmt.Errorf("turning the rate limiter off: %w", err)
	}

	prefix := "load" + randSuffix()
	const pass = "load-test-password"
	names := make([]string, o.users)
	fx.users = make([]session, o.users)
	t0 := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i := range o.users {
		names[i] = fmt.Sprintf("%s-u%03d", prefix, i)
		g.Go(func() error {
			in := map[string]any{"username": names[i], "name": names[i], "email": names[i] + "@load.invalid", "password": pass, "verified": true}
			if err := c.call(gctx, &fx.admin, http.MethodPost, "users.create", in, nil); err != nil {
				return err
			}
			s, err := c.login(gctx, names[i], pass)
			fx.users[i] = s
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("creating users: %w", err)
	}
	logf("created and logged in %d users in %s", o.users, time.Since(t0).Round(time.Millisecond))

	// Each user joins roomsPerUser consecutive rooms, so every room has about
	// users*roomsPerUser/rooms members whatever the number of clients.
	fx.userRooms = make([][]int, o.users)
	members := make([][]string, o.rooms)
	for u := range o.users {
		for k := range min(o.roomsPerUser, o.rooms) {
			r := (u + k) % o.rooms
			fx.userRooms[u] = append(fx.userRooms[u], r)
			members[r] = append(members[r], names[u])
		}
	}
	fx.roomIDs = make([]string, o.rooms)
	for r := range o.rooms {
		var out struct {
			Channel struct {
				ID string `json:"_id"`
			} `json:"channel"`
		}
		in := map[string]any{"name": fmt.Sprintf("%s-room%03d", prefix, r), "members": append([]string{}, members[r]...)}
		if err := c.call(ctx, &fx.admin, http.MethodPost, "channels.create", in, &out); err != nil {
			return nil, fmt.Errorf("creating rooms: %w", err)
		}
		fx.roomIDs[r] = out.Channel.ID
	}

	if err := fx.seedHistory(ctx, c, 0, o.history, o.seedWorkers, logf); err != nil {
		return nil, err
	}
	return fx, nil
}

// seedHistory posts messages fromPerRoom…toPerRoom of each room through
// the API. History is posted round-robin over the rooms, as the bare read
// baseline is seeded, so a room's messages are spread over the table.
func (fx *fixture) seedHistory(ctx context.Context, c *apiClient, fromPerRoom, toPerRoom, workers int, logf func(string, ...any)) error {
	t0 := time.Now()
	rooms := len(fx.roomIDs)
	from, total := fromPerRoom*rooms, toPerRoom*rooms
	err := inParallel(ctx, workers, total-from, func(ctx context.Context, i int) error {
		n := from + i
		in := map[string]any{"roomId": fx.roomIDs[n%rooms], "text": messageText(n)}
		return c.call(ctx, &fx.admin, http.MethodPost, "chat.postMessage", in, nil)
	})
	if err != nil {
		return fmt.Errorf("seeding history: %w", err)
	}
	if total > from {
		logf("seeded %d messages (%d per room) through the API in %s", total-from, toPerRoom-fromPerRoom, time.Since(t0).Round(time.Millisecond))
	}
	return nil
}

// inParallel calls fn for 0…n-1 from workers goroutines.
func inParallel(ctx context.Context, workers, n int, fn func(ctx context.Context, i int) error) error {
	var mu sync.Mutex
	next := 0
	take := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if next >= n {
			return 0, false
		}
		next++
		return next - 1, true
	}
	g, gctx := errgroup.WithContext(ctx)
	for range workers {
		g.Go(func() error {
			for {
				i, ok := take()
				if !ok {
					return nil
				}
				if err := fn(gctx, i); err != nil {
					return err
				}
			}
		})
	}
	return g.Wait()
}

// seedThreads starts one thread per room, as the admin, with replies
// replies, so that a thread listing of 50 is full from the first run.
func (fx *fixture) seedThreads(ctx context.Context, c *apiClient, replies, workers int, logf func(string, ...any)) error {
	t0 := time.Now()
	fx.threads = make([]string, len(fx.roomIDs))
	for r, rid := range fx.roomIDs {
		var out struct {
			Message struct {
				ID string `json:"_id"`
			} `json:"message"`
		}
		in := map[string]any{"roomId": rid, "text": "thread parent " + strconv.Itoa(r)}
		if err := c.call(ctx, &fx.admin, http.MethodPost, "chat.postMessage", in, &out); err != nil {
			return fmt.Errorf("starting threads: %w", err)
		}
		fx.threads[r] = out.Message.ID
	}
	err := inParallel(ctx, workers, replies*len(fx.roomIDs), func(ctx context.Context, n int) error {
		r := n % len(fx.roomIDs)
		in := map[string]any{"message": map[string]any{"rid": fx.roomIDs[r], "tmid": fx.threads[r], "msg": messageText(n)}}
		return c.call(ctx, &fx.admin, http.MethodPost, "chat.sendMessage", in, nil)
	})
	if err != nil {
		return fmt.Errorf("seeding thread replies: %w", err)
	}
	logf("started %d threads with %d replies each in %s", len(fx.threads), replies, time.Since(t0).Round(time.Millisecond))
	return nil
}

// loadRecent reads the ids of each room's newest messages.
func (fx *fixture) loadRecent(ctx context.Context, c *apiClient) error {
	fx.recent = make([][]string, len(fx.roomIDs))
	for r, rid := range fx.roomIDs {
		var page struct {
			Messages []struct {
				ID string `json:"_id"`
			} `json:"messages"`
		}
		if err := c.call(ctx, &fx.admin, http.MethodGet, "channels.history?roomId="+rid+"&count=50", nil, &page); err != nil {
			return err
		}
		for _, m := range page.Messages {
			fx.recent[r] = append(fx.recent[r], m.ID)
		}
		if len(fx.recent[r]) == 0 {
			return fmt.Errorf("room %s has no message to react to", rid)
		}
	}
	return nil
}

// syncPoints returns, per room, a lastUpdate just before the tail newest
// messages were last updated, so that chat.syncMessages answers with about
// tail messages however many earlier runs have posted into the room.
func (fx *fixture) syncPoints(ctx context.Context, c *apiClient, tail int) ([]string, error) {
	out := make([]string, len(fx.roomIDs))
	for r, rid := range fx.roomIDs {
		var page struct {
			Messages []struct {
				UpdatedAt string `json:"_updatedAt"`
			} `json:"messages"`
		}
		q := "channels.history?roomId=" + rid + "&count=" + strconv.Itoa(tail)
		if err := c.call(ctx, &fx.admin, http.MethodGet, q, nil, &page); err != nil {
			return nil, err
		}
		oldest := time.Now()
		for _, m := range page.Messages {
			t, err := time.Parse(time.RFC3339Nano, m.UpdatedAt)
			if err == nil && t.Before(oldest) {
				oldest = t
			}
		}
		out[r] = oldest.Add(-time.Millisecond).UTC().Format("2006-01-02T15:04:05.000Z")
	}
	return out, nil
}

// saveProfile fetches a CPU profile covering the measured window; the
// server's pprof endpoints are for administrators only.
func (c *apiClient) saveProfile(ctx context.Context, admin *session, d time.Duration, path string) error {
	secs := max(int(d/time.Second), 1)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/debug/pprof/profile?seconds="+strconv.Itoa(secs), nil)
	if err != nil {
		return err
	}
	req.Header = admin.header()
	// The shared client's timeout may be shorter than the profile.
	resp, err := (&http.Client{Transport: c.hc.Transport}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("pprof: status %d (is the server started with --pprof?)", resp.StatusCode)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// restore puts back what setup changed on a server the tool did not start.
func (fx *fixture) restore(ctx context.Context, c *apiClient) {
	if b, ok := fx.rateLimiterWas.(bool); ok && b {
		_ = c.call(ctx, &fx.admin, http.MethodPost, "settings/API_Enable_Rate_Limiter", map[string]any{"value": true}, nil)
	}
}

// jsonString quotes s for direct use inside a JSON body.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
