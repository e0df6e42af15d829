package main

// The realtime scenarios measure the websocket against bare websocket
// servers started in the same run:
//
//   - idle: memory per logged-in idle connection, against a bare echo
//     server holding the same number of sockets;
//   - fanout: the time from sending a REST post to the frame reaching the
//     last of S subscribers of its room, against a bare in-process
//     broadcast of a posted frame to S sockets;
//   - post: posts per second while S subscribers listen to the rooms posted
//     to, against posts per second with nobody listening, in the same run.
//
//	parley-load realtime --spawn /tmp/parley --conns 10000 --subscribers 1000

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/sync/errgroup"
)

type realtimeOptions struct {
	spawn, db, label string
	conns, subs      int
	posts, clients   int
	users            int
	duration, warmup time.Duration
	scenarios        []string
	jsonOut          string
	profileDir       string
	rate             float64
}

// RealtimeReport holds one run's figures; each Parley figure sits next to
// its ceiling and their ratio.
type RealtimeReport struct {
	Label string         `json:"label"`
	Rows  []RealtimeFact `json:"rows"`
}

// RealtimeFact is one comparison.
type RealtimeFact struct {
	What     string  `json:"what"`
	Unit     string  `json:"unit"`
	Parley   float64 `json:"parley"`
	Baseline float64 `json:"baseline"`
	Against  string  `json:"against"`
	Ratio    float64 `json:"ratio"`
	Target   string  `json:"target"`
}

func parseRealtimeFlags(args []string, stderr io.Writer) (*realtimeOptions, error) {
	o := &realtimeOptions{}
	fs := flag.NewFlagSet("parley-load realtime", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.spawn, "spawn", "", "path of a parley binary to start for the test (required)")
	fs.StringVar(&o.db, "db", "", "PARLEY_DATABASE_URL of the spawned server (empty = SQLite)")
	fs.StringVar(&o.label, "label", "parley", "name of the Parley target in the output")
	fs.IntVar(&o.conns, "conns", 10000, "idle: logged-in connections to hold")
	fs.IntVar(&o.subs, "subscribers", 1000, "fanout and post: connections listening")
	fs.IntVar(&o.posts, "posts", 200, "fanout: posts to time")
	fs.IntVar(&o.clients, "clients", 16, "post: concurrent posting clients")
	fs.IntVar(&o.users, "users", 100, "users the connections log in as, round-robin")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "post: measured time per run")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "post: unmeasured time before each run")
	scen := fs.String("scenarios", "idle,fanout,post,mixed", "comma-separated: idle, fanout, post, mixed")
	fs.Float64Var(&o.rate, "rate", 10, "mixed: each client acts at this multiple of Rocket.Chat's load-tester rates")
	fs.StringVar(&o.jsonOut, "json-out", "", "also write the JSON report to this file")
	fs.StringVar(&o.profileDir, "profile", "", "post: save a CPU profile of the server while the subscribers listen, in this directory")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if o.spawn == "" {
		return nil, errors.New("--spawn is required")
	}
	for _, s := range strings.Split(*scen, ",") {
		switch s = strings.TrimSpace(s); s {
		case "idle", "fanout", "post", "mixed":
			o.scenarios = append(o.scenarios, s)
		case "":
		default:
			return nil, fmt.Errorf("unknown realtime scenario %q", s)
		}
	}
	if o.conns < 1 || o.subs < 1 || o.posts < 1 || o.clients < 1 || o.users < 1 {
		return nil, errors.New("counts must be positive")
	}
	return o, nil
}

func realtimeMain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseRealtimeFlags(args, stderr)
	if err != nil {
		return err
	}
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, "parley-load realtime: "+format+"\n", a...) }
	spo := spawnOpts{bin: o.spawn, db: o.db, logLevel: "warn", pprof: o.profileDir != "", adminUser: "loadadmin", adminPW: "load-admin-password"}
	sp, err := spawnParley(ctx, spo)
	if err != nil {
		return err
	}
	defer func() { sp.stop(); os.RemoveAll(sp.dataDir) }()
	logf("started %s (pid %d) at %s", o.spawn, sp.pid(), sp.url)
	hc := newClient(max(o.clients, 8))
	api := &apiClient{base: sp.url, hc: hc}
	fx, err := setup(ctx, api, setupOpts{
		adminUser: spo.adminUser, adminPass: spo.adminPW, users: o.users, rooms: 10,
		roomsPerUser: 2, history: 10, seedWorkers: 8,
	}, logf)
	if err != nil {
		return err
	}
	defer fx.restore(context.Background(), api)

	rep := RealtimeReport{Label: o.label}
	add := func(f RealtimeFact) {
		if f.Baseline > 0 {
			f.Ratio = f.Parley / f.Baseline
		}
		rep.Rows = append(rep.Rows, f)
		logf("%s: %s %.2f %s, %s %.2f, ratio %.2f (target %s)", f.What, o.label, f.Parley, f.Unit, f.Against, f.Baseline, f.Ratio, f.Target)
	}
	for _, sc := range o.scenarios {
		switch sc {
		case "idle":
			f, err := measureIdle(ctx, o, sp, fx, logf)
			if err != nil {
				return fmt.Errorf("idle: %w", err)
			}
			add(f)
		case "fanout":
			f, err := measureFanout(ctx, o, sp, api, fx, logf)
			if err != nil {
				return fmt.Errorf("fanout: %w", err)
			}
			add(f)
		case "post":
			f, err := measurePostsWhileListening(ctx, o, sp, hc, fx, logf)
			if err != nil {
				return fmt.Errorf("post: %w", err)
			}
			add(f)
			b, err := measureBarePostsWhileListening(ctx, o, hc, fx, logf)
			if err != nil {
				return fmt.Errorf("post, bare: %w", err)
			}
			add(b)
			add(RealtimeFact{What: fmt.Sprintf("posts/s with %d listening, Parley against bare", o.subs), Unit: "posts/s", Parley: f.Parley, Baseline: b.Parley, Against: "bare-ws-post listening", Target: "report"})
		case "mixed":
			f, err := measureMixedWithRealtime(ctx, o, sp, api, hc, fx, logf)
			if err != nil {
				return fmt.Errorf("mixed: %w", err)
			}
			add(f)
		}
	}
	if err := writeJSONFile(o.jsonOut, rep); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "measure\tunit\t%s\tbaseline\tagainst\tratio\ttarget\n", o.label)
	for _, r := range rep.Rows {
		fmt.Fprintf(tw, "%s\t%s\t%.2f\t%.2f\t%s\t%.2f\t%s\n", r.What, r.Unit, r.Parley, r.Baseline, r.Against, r.Ratio, r.Target)
	}
	return tw.Flush()
}

// socket is one open client connection with a reader running; frames are
// handed to onFrame, which runs on the reader's goroutine. call, on
// Parley's sockets, sends a method frame without waiting for its result.
type socket struct {
	close func()
	done  chan struct{}
	call  func(ctx context.Context, method string, params ...any) error
}

// openMany opens n sockets with up to 64 dials at a time.
func openMany(ctx context.Context, n int, open func(ctx context.Context, i int) (*socket, error)) ([]*socket, error) {
	out := make([]*socket, n)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(64)
	for i := range n {
		g.Go(func() error {
			s, err := open(gctx, i)
			if err != nil {
				return fmt.Errorf("socket %d: %w", i, err)
			}
			out[i] = s
			return nil
		})
	}
	err := g.Wait()
	if err != nil {
		closeAll(out)
		return nil, err
	}
	return out, nil
}

func closeAll(list []*socket) {
	for _, s := range list {
		if s != nil {
			s.close()
		}
	}
	for _, s := range list {
		if s != nil {
			<-s.done
		}
	}
}

// parleySocket connects, logs in as user and subscribes to each stream;
// the reader answers pings and hands other frames to onFrame.
func parleySocket(ctx context.Context, base string, user session, subs [][]any, onFrame func([]byte)) (*socket, error) {
	d, err := dialDDP(ctx, base)
	if err != nil {
		return nil, err
	}
	if err := d.login(ctx, user.token); err != nil {
		d.close()
		return nil, err
	}
	for _, p := range subs {
		if err := d.subscribe(ctx, p[0].(string), p[1:]...); err != nil {
			d.close()
			return nil, err
		}
	}
	rctx, cancel := context.WithCancel(context.Background())
	s := &socket{done: make(chan struct{}), close: func() { cancel(); d.close() }}
	var seq atomic.Int64
	s.call = func(ctx context.Context, method string, params ...any) error {
		return d.send(ctx, map[string]any{"msg": "method", "id": fmt.Sprintf("m%d", seq.Add(1)), "method": method, "params": params})
	}
	go func() {
		defer close(s.done)
		for {
			b, err := d.read(rctx)
			if err != nil {
				return
			}
			if onFrame != nil {
				onFrame(b)
			}
		}
	}()
	return s, nil
}

// bareSocket connects to a bare websocket server; echo sends one message
// and waits for it back first, as a logged-in client has spoken once.
func bareSocket(ctx context.Context, url, room string, echo bool, onFrame func([]byte)) (*socket, error) {
	c, _, err := websocket.Dial(ctx, wsURL(url, "/websocket?room="+room), nil)
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(1 << 20)
	if echo {
		if err := c.Write(ctx, websocket.MessageText, []byte(`{"msg":"connect"}`)); err != nil {
			c.CloseNow()
			return nil, err
		}
		if _, _, err := c.Read(ctx); err != nil {
			c.CloseNow()
			return nil, err
		}
	}
	rctx, cancel := context.WithCancel(context.Background())
	s := &socket{done: make(chan struct{}), close: func() { cancel(); c.Close(websocket.StatusNormalClosure, "") }}
	go func() {
		defer close(s.done)
		for {
			_, b, err := c.Read(rctx)
			if err != nil {
				return
			}
			if onFrame != nil {
				onFrame(b)
			}
		}
	}()
	return s, nil
}

// rssGrowth opens n sockets and reports the server's resident memory
// growth per socket, in KiB, once the sockets are all open and have been
// idle for a moment.
func rssGrowth(ctx context.Context, pid, n int, open func(ctx context.Context, i int) (*socket, error)) (float64, error) {
	before, err := readProc(pid)
	if err != nil {
		return 0, err
	}
	socks, err := openMany(ctx, n, open)
	if err != nil {
		return 0, err
	}
	defer closeAll(socks)
	// Let the server finish the work of the logins (and its collector run)
	// before reading its size.
	time.Sleep(3 * time.Second)
	after, err := readProc(pid)
	if err != nil {
		return 0, err
	}
	return float64(after.rssKB-before.rssKB) / float64(n), nil
}

func measureIdle(ctx context.Context, o *realtimeOptions, sp *spawned, fx *fixture, logf func(string, ...any)) (RealtimeFact, error) {
	f := RealtimeFact{What: fmt.Sprintf("memory per idle logged-in connection (%d)", o.conns), Unit: "KiB", Against: "bare-ws-echo", Target: "≤ 2"}
	b, err := startBare("ws-echo", "")
	if err != nil {
		return f, err
	}
	f.Baseline, err = rssGrowth(ctx, b.pid(), o.conns, func(ctx context.Context, i int) (*socket, error) {
		return bareSocket(ctx, b.url, "", true, nil)
	})
	b.stop()
	if err != nil {
		return f, err
	}
	logf("bare echo: %.1f KiB per connection", f.Baseline)
	f.Parley, err = rssGrowth(ctx, sp.pid(), o.conns, func(ctx context.Context, i int) (*socket, error) {
		return parleySocket(ctx, sp.url, fx.users[i%len(fx.users)], nil, nil)
	})
	return f, err
}

// arrivals records, for the post being timed, when each subscriber saw it.
type arrivals struct {
	mu      sync.Mutex
	want    []byte
	left    int
	last    time.Time
	allSeen chan struct{}
}

func (a *arrivals) expect(id string, n int) {
	a.mu.Lock()
	a.want, a.left, a.last, a.allSeen = []byte(id), n, time.Time{}, make(chan struct{})
	a.mu.Unlock()
}

func (a *arrivals) frame(b []byte) {
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.left == 0 || !bytes.Contains(b, a.want) {
		return
	}
	a.last = now
	if a.left--; a.left == 0 {
		close(a.allSeen)
	}
}

// timeFanout posts n times through post and returns, per post, the time
// from sending the post to the last subscriber's frame. The servers
// publish before they answer, so the frames often beat the answer: timed
// from the answer, both would round to nothing.
func timeFanout(ctx context.Context, a *arrivals, subs, n int, post func(ctx context.Context, id string) error) ([]time.Duration, error) {
	var out []time.Duration
	for i := range n {
		id := fmt.Sprintf("fanout%011d", i)
		a.expect(id, subs)
		sent := time.Now()
		if err := post(ctx, id); err != nil {
			return nil, err
		}
		select {
		case <-a.allSeen:
		case <-time.After(10 * time.Second):
			a.mu.Lock()
			left := a.left
			a.mu.Unlock()
			return nil, fmt.Errorf("post %d reached only %d of %d subscribers within 10 s", i, subs-left, subs)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		a.mu.Lock()
		out = append(out, a.last.Sub(sent))
		a.mu.Unlock()
	}
	slices.Sort(out)
	return out, nil
}

func measureFanout(ctx context.Context, o *realtimeOptions, sp *spawned, api *apiClient, fx *fixture, logf func(string, ...any)) (RealtimeFact, error) {
	f := RealtimeFact{What: fmt.Sprintf("fan-out p99, post sent to last of %d subscribers", o.subs), Unit: "ms", Against: "bare-ws-broadcast", Target: "≤ 3"}
	a := &arrivals{}
	b, err := startBare("ws-broadcast", "")
	if err != nil {
		return f, err
	}
	socks, err := openMany(ctx, o.subs, func(ctx context.Context, i int) (*socket, error) {
		return bareSocket(ctx, b.url, "", false, a.frame)
	})
	if err != nil {
		b.stop()
		return f, err
	}
	bare, err := timeFanout(ctx, a, o.subs, o.posts, func(ctx context.Context, id string) error {
		body := `{"msg":"changed","collection":"stream-room-messages","id":"id","fields":{"eventName":"r","args":[{"_id":"` + id + `","msg":` + jsonString(messageText(1)) + `}]}}`
		resp, err := api.hc.Post(b.url+"/post", "application/json", strings.NewReader(body))
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil
	})
	closeAll(socks)
	b.stop()
	if err != nil {
		return f, err
	}
	f.Baseline = ms(percentile(bare, 99))
	logf("bare broadcast: p50 %.2f ms, p99 %.2f ms", ms(percentile(bare, 50)), f.Baseline)

	rid, poster := fx.roomIDs[0], fx.admin
	socks, err = openMany(ctx, o.subs, func(ctx context.Context, i int) (*socket, error) {
		return parleySocket(ctx, sp.url, fx.users[i%len(fx.users)], [][]any{{"stream-room-messages", rid, false}}, a.frame)
	})
	if err != nil {
		return f, err
	}
	defer closeAll(socks)
	got, err := timeFanout(ctx, a, o.subs, o.posts, func(ctx context.Context, id string) error {
		return api.call(ctx, &poster, http.MethodPost, "chat.sendMessage", map[string]any{"message": map[string]any{"_id": id, "rid": rid, "msg": messageText(1)}}, nil)
	})
	if err != nil {
		return f, err
	}
	f.Parley = ms(percentile(got, 99))
	logf("parley: p50 %.2f ms, p99 %.2f ms", ms(percentile(got, 50)), f.Parley)
	return f, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func measurePostsWhileListening(ctx context.Context, o *realtimeOptions, sp *spawned, hc *http.Client, fx *fixture, logf func(string, ...any)) (RealtimeFact, error) {
	f := RealtimeFact{What: fmt.Sprintf("posts/s with %d listening", o.subs), Unit: "posts/s", Against: "nobody listening", Target: "≥ 0.7"}
	next := parleyRequests("post", sp.url, fx, o.clients, nil, nil)
	quiet := runLoad(ctx, hc, o.clients, o.warmup, o.duration, next, nil, nil)
	f.Baseline = quiet.RPS
	logf("nobody listening: %.0f posts/s, p99 %.2f ms", quiet.RPS, quiet.P99ms)
	var frames atomic.Int64
	socks, err := openMany(ctx, o.subs, func(ctx context.Context, i int) (*socket, error) {
		rid := fx.roomIDs[i%len(fx.roomIDs)]
		return parleySocket(ctx, sp.url, fx.users[i%len(fx.users)], [][]any{{"stream-room-messages", rid, false}}, func([]byte) { frames.Add(1) })
	})
	if err != nil {
		return f, err
	}
	defer closeAll(socks)
	var onStart func()
	profDone := make(chan error, 1)
	if o.profileDir != "" {
		path := filepath.Join(o.profileDir, fmt.Sprintf("post-listening-s%d.pprof", o.subs))
		onStart = func() {
			go func() { profDone <- (&apiClient{base: sp.url, hc: hc}).saveProfile(ctx, &fx.admin, o.duration, path) }()
		}
	} else {
		profDone <- nil
	}
	busy := runLoad(ctx, hc, o.clients, o.warmup, o.duration, next, onStart, nil)
	if err := <-profDone; err != nil {
		logf("profile: %v", err)
	}
	f.Parley = busy.RPS
	logf("%d listening: %.0f posts/s, p99 %.2f ms, %d frames delivered", o.subs, busy.RPS, busy.P99ms, frames.Load())
	if busy.RPS > 0 && frames.Load() == 0 {
		return f, errors.New("no listener received a frame")
	}
	return f, nil
}

// measureBarePostsWhileListening is measurePostsWhileListening against the
// ceiling: a server that inserts each post as bare-insert does and queues
// it for its room's sockets, with the same clients, rooms and listeners.
// What it loses to listeners is what the machine loses: the frames' writes
// and the listeners' reads share the cores with the posts.
func measureBarePostsWhileListening(ctx context.Context, o *realtimeOptions, hc *http.Client, fx *fixture, logf func(string, ...any)) (RealtimeFact, error) {
	f := RealtimeFact{What: fmt.Sprintf("bare-ws-post: posts/s with %d listening", o.subs), Unit: "posts/s", Against: "nobody listening", Target: "report"}
	dir, err := os.MkdirTemp("", "parley-load-bare-post-")
	if err != nil {
		return f, err
	}
	defer os.RemoveAll(dir)
	b, err := startBare("ws-post", filepath.Join(dir, "post.db"))
	if err != nil {
		return f, err
	}
	defer b.stop()
	next := bareRequests("post", b.url, fx, len(fx.roomIDs))
	quiet := runLoad(ctx, hc, o.clients, o.warmup, o.duration, next, nil, nil)
	f.Baseline = quiet.RPS
	logf("bare, nobody listening: %.0f posts/s, p99 %.2f ms", quiet.RPS, quiet.P99ms)
	var frames atomic.Int64
	socks, err := openMany(ctx, o.subs, func(ctx context.Context, i int) (*socket, error) {
		return bareSocket(ctx, b.url, bareRoomID(i%len(fx.roomIDs)), false, func([]byte) { frames.Add(1) })
	})
	if err != nil {
		return f, err
	}
	defer closeAll(socks)
	busy := runLoad(ctx, hc, o.clients, o.warmup, o.duration, next, nil, nil)
	f.Parley = busy.RPS
	logf("bare, %d listening: %.0f posts/s, p99 %.2f ms, %d frames delivered", o.subs, busy.RPS, busy.P99ms, frames.Load())
	if busy.RPS > 0 && frames.Load() == 0 {
		return f, errors.New("no bare listener received a frame")
	}
	return f, nil
}

// statusChangesPerUserDay is the load tester's presence activity per user.
const statusChangesPerUserDay = 10

// measureMixedWithRealtime runs the mixed REST scenario twice in one
// sitting: with nobody on the websocket, and with every user connected as
// Rocket.Chat's load tester connects them (logged in, listening to
// __my_messages__ and their subscriptions, changing presence over the
// socket at the tester's rate). It compares the REST p99 of the two.
func measureMixedWithRealtime(ctx context.Context, o *realtimeOptions, sp *spawned, api *apiClient, hc *http.Client, fx *fixture, logf func(string, ...any)) (RealtimeFact, error) {
	f := RealtimeFact{What: fmt.Sprintf("mixed p99 with %d users on the websocket", o.clients), Unit: "ms", Against: "mixed, REST only", Target: "report"}
	if err := fx.seedThreads(ctx, api, 20, 8, logf); err != nil {
		return f, err
	}
	if err := fx.loadRecent(ctx, api); err != nil {
		return f, err
	}
	next := parleyRequests("mixed", sp.url, fx, o.clients, nil, newPacer(o.rate, o.clients))
	quiet := runLoad(ctx, hc, o.clients, o.warmup, o.duration, next, nil, nil)
	f.Baseline = quiet.P99ms
	logf("mixed, REST only: %.0f req/s, p99 %.2f ms", quiet.RPS, quiet.P99ms)

	var frames atomic.Int64
	socks, err := openMany(ctx, o.clients, func(ctx context.Context, i int) (*socket, error) {
		u := fx.users[i%len(fx.users)]
		return parleySocket(ctx, sp.url, u, [][]any{
			{"stream-room-messages", "__my_messages__", false},
			{"stream-notify-user", u.userID + "/subscriptions-changed", false},
			{"stream-notify-user", u.userID + "/notification", false},
		}, func([]byte) { frames.Add(1) })
	})
	if err != nil {
		return f, err
	}
	defer closeAll(socks)
	pctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	mean := time.Duration(float64(24*time.Hour) / (statusChangesPerUserDay * o.rate))
	var changes atomic.Int64
	for i, s := range socks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := &pacer{mean: mean, rngs: []*rand.Rand{rand.New(rand.NewPCG(uint64(i), 0x5bd1e995))}}
			away := false
			for {
				t := time.NewTimer(p.wait(0))
				select {
				case <-pctx.Done():
					t.Stop()
					return
				case <-t.C:
				}
				away = !away
				method := "UserPresence:online"
				if away {
					method = "UserPresence:away"
				}
				if s.call(pctx, method) == nil {
					changes.Add(1)
				}
			}
		}()
	}
	busy := runLoad(ctx, hc, o.clients, o.warmup, o.duration, next, nil, nil)
	stop()
	wg.Wait()
	f.Parley = busy.P99ms
	logf("mixed with %d users on the websocket: %.0f req/s, p99 %.2f ms, %d frames delivered, %d presence changes", o.clients, busy.RPS, busy.P99ms, frames.Load(), changes.Load())
	return f, nil
}
