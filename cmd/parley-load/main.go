// Command parley-load drives a Parley server with many concurrent keep-alive
// HTTP clients and reports throughput, latency, errors and the server's CPU
// and memory. With --baseline it measures bare handlers in the same sitting
// and prints Parley's figures as ratios to them, because absolute figures on
// a shared or virtual machine move a lot from run to run while same-run
// ratios do not.
//
//	parley-load --spawn /tmp/parley --scenarios post,read --clients 16,64 --baseline
//	parley-load --url http://127.0.0.1:3000 --pid 1234 --admin-user admin --admin-pass …
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "bare" {
		if err := bareMain(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "parley-load bare:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "parley-load:", err)
		os.Exit(1)
	}
}

type options struct {
	url, spawn, db, logLevel string
	pid                      int
	pprof                    bool
	adminUser, adminPass     string
	scenarios                []string
	clients                  []int
	duration, warmup         time.Duration
	repeat                   int
	users, rooms, roomsPer   int
	history, syncTail        int
	seedWorkers              int
	baseline, asJSON         bool
	label                    string
	profileDir               string
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("parley-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.url, "url", "", "base URL of a running Parley, e.g. http://127.0.0.1:3000")
	fs.IntVar(&o.pid, "pid", 0, "with --url: the server's process id, to read its CPU and memory from /proc")
	fs.StringVar(&o.spawn, "spawn", "", "path of a parley binary to start for the test (fresh data directory)")
	fs.StringVar(&o.db, "db", "", "with --spawn: PARLEY_DATABASE_URL (empty = SQLite in the temp data directory)")
	fs.StringVar(&o.logLevel, "server-log-level", "info", "with --spawn: PARLEY_LOG_LEVEL of the server")
	fs.BoolVar(&o.pprof, "pprof", false, "with --spawn: serve /debug/pprof to the admin (PARLEY_PPROF)")
	fs.StringVar(&o.adminUser, "admin-user", "loadadmin", "administrator username (created by --spawn)")
	fs.StringVar(&o.adminPass, "admin-pass", "load-admin-password", "administrator password")
	scen := fs.String("scenarios", "post,read", "comma-separated: post, read, sync")
	cl := fs.String("clients", "16,64", "comma-separated numbers of concurrent clients")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "measured time per run")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured time before each run")
	fs.IntVar(&o.repeat, "repeat", 1, "repetitions; runs are interleaved and medians reported")
	fs.IntVar(&o.users, "users", 0, "users to create (0 = the largest --clients); client i acts as user i mod users")
	fs.IntVar(&o.rooms, "rooms", 10, "public channels to create")
	fs.IntVar(&o.roomsPer, "rooms-per-user", 2, "rooms each user is a member of")
	fs.IntVar(&o.history, "history", 1000, "messages seeded into each room before measuring")
	fs.IntVar(&o.syncTail, "sync-tail", 50, "sync scenario: messages per room newer than lastUpdate")
	fs.IntVar(&o.seedWorkers, "seed-workers", 8, "concurrent posters while seeding history")
	fs.BoolVar(&o.baseline, "baseline", false, "also measure the bare hello, insert and read-50 handlers in the same run")
	fs.BoolVar(&o.asJSON, "json", false, "print JSON instead of tables")
	fs.StringVar(&o.profileDir, "profile", "", "save a CPU profile of the Parley server for each measured run in this directory (needs --pprof, or a server started with it)")
	fs.StringVar(&o.label, "label", "", "name of the Parley target in the output (default parley-sqlite or parley-postgres)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if (o.url == "") == (o.spawn == "") {
		return nil, fmt.Errorf("give exactly one of --url and --spawn")
	}
	for _, s := range strings.Split(*scen, ",") {
		switch s = strings.TrimSpace(s); s {
		case "post", "read", "sync":
			o.scenarios = append(o.scenarios, s)
		case "":
		default:
			return nil, fmt.Errorf("unknown scenario %q", s)
		}
	}
	for _, s := range strings.Split(*cl, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad --clients entry %q", s)
		}
		o.clients = append(o.clients, n)
	}
	if o.users == 0 {
		for _, c := range o.clients {
			o.users = max(o.users, c)
		}
	}
	if len(o.scenarios) == 0 || o.repeat < 1 || o.rooms < 1 || o.history < 0 {
		return nil, fmt.Errorf("nothing to measure")
	}
	if o.label == "" {
		o.label = "parley-sqlite"
		if strings.HasPrefix(o.db, "postgres") || (o.url != "" && o.spawn == "") {
			o.label = "parley"
		}
		if strings.HasPrefix(o.db, "postgres") {
			o.label = "parley-postgres"
		}
	}
	return o, nil
}

// Run is one measured run of one target.
type Run struct {
	Target   string `json:"target"`
	Scenario string `json:"scenario"`
	Clients  int    `json:"clients"`
	Rep      int    `json:"rep"`
	Summary
	Server *ServerUse `json:"server,omitempty"`
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, "parley-load: "+format+"\n", a...) }
	maxClients := 0
	for _, c := range o.clients {
		maxClients = max(maxClients, c)
	}
	hc := newClient(max(maxClients, o.seedWorkers))

	base, pid := strings.TrimRight(o.url, "/"), o.pid
	if o.spawn != "" {
		sp, err := spawnParley(ctx, spawnOpts{bin: o.spawn, db: o.db, logLevel: o.logLevel, pprof: o.pprof, adminUser: o.adminUser, adminPW: o.adminPass})
		if err != nil {
			return err
		}
		defer func() { sp.stop(); os.RemoveAll(sp.dataDir) }()
		base, pid = sp.url, sp.pid()
		logf("started %s (pid %d) at %s, log %s", o.spawn, pid, base, sp.logPath)
	}
	api := &apiClient{base: base, hc: hc}
	var idle *procSample
	if pid != 0 {
		if s, err := readProc(pid); err == nil {
			idle = &s
		}
	}
	fx, err := setup(ctx, api, setupOpts{
		adminUser: o.adminUser, adminPass: o.adminPass, users: o.users, rooms: o.rooms,
		roomsPerUser: o.roomsPer, history: o.history, seedWorkers: o.seedWorkers,
	}, logf)
	if err != nil {
		return err
	}
	defer fx.restore(context.Background(), api)

	var bareDir, bareReadDB string
	if o.baseline {
		if bareDir, err = os.MkdirTemp("", "parley-load-bare-*"); err != nil {
			return err
		}
		defer os.RemoveAll(bareDir)
		bareReadDB = filepath.Join(bareDir, "read.db")
		if err := seedBare(bareReadDB, o.rooms, o.history); err != nil {
			return fmt.Errorf("seeding the bare read database: %w", err)
		}
	}

	var runs []Run
	measure := func(target, scenario string, clients, rep int, base string, pid int, next nextFunc) {
		w := &procWatch{pid: pid}
		onStart := w.start
		var profDone chan error
		if o.profileDir != "" && !strings.HasPrefix(target, "bare-") {
			path := filepath.Join(o.profileDir, fmt.Sprintf("%s-%s-c%d-r%d.pprof", target, scenario, clients, rep))
			profDone = make(chan error, 1)
			onStart = func() {
				w.start()
				go func() { profDone <- api.saveProfile(ctx, &fx.admin, o.duration, path) }()
			}
		}
		s := runLoad(ctx, hc, clients, o.warmup, o.duration, next, onStart, w.stop)
		if profDone != nil {
			if err := <-profDone; err != nil {
				logf("profile: %v", err)
			}
		}
		r := Run{Target: target, Scenario: scenario, Clients: clients, Rep: rep, Summary: s, Server: w.use(s)}
		runs = append(runs, r)
		cpu := ""
		if r.Server != nil {
			cpu = fmt.Sprintf(" cpu %.0fµs/req rss %.1fMB", r.Server.CPUMicrosPer, r.Server.RSSAfterMB)
		}
		logf("rep %d %-15s %-5s c%-3d %8.0f req/s p50 %6.2fms p99 %7.2fms errors %d%s",
			rep, target, scenario, clients, s.RPS, s.P50ms, s.P99ms, s.ErrorCount(), cpu)
	}
	withBare := func(mode, path, target, scenario string, clients, rep int, next func(base string) nextFunc) error {
		b, err := startBare(mode, path)
		if err != nil {
			return err
		}
		defer b.stop()
		measure(target, scenario, clients, rep, b.url, b.pid(), next(b.url))
		return nil
	}

	for rep := 1; rep <= o.repeat; rep++ {
		for _, c := range o.clients {
			if o.baseline {
				if err := withBare("hello", "", "bare-hello", "hello", c, rep, func(b string) nextFunc {
					return func(w, seq int) reqSpec { return reqSpec{method: "GET", url: b + "/api/v1/info"} }
				}); err != nil {
					return err
				}
			}
			for _, sc := range o.scenarios {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				var since []string
				if sc == "sync" {
					if since, err = fx.syncPoints(ctx, api, o.syncTail); err != nil {
						return err
					}
				}
				measure(o.label, sc, c, rep, base, pid, parleyRequests(sc, base, fx, c, since))
				if !o.baseline {
					continue
				}
				switch sc {
				case "post":
					// A fresh database per run, as the Parley history grows
					// by no more than a few runs' worth of rows.
					path := filepath.Join(bareDir, fmt.Sprintf("insert-%d-%d.db", rep, c))
					if err := seedBare(path, o.rooms, o.history); err != nil {
						return err
					}
					err = withBare("insert", path, "bare-insert", "post", c, rep, func(b string) nextFunc { return bareRequests("post", b, fx, o.rooms) })
				case "read", "sync":
					err = withBare("read", bareReadDB, "bare-read50", sc, c, rep, func(b string) nextFunc { return bareRequests("read", b, fx, o.rooms) })
				}
				if err != nil {
					return err
				}
			}
		}
	}

	var final *procSample
	if pid != 0 {
		if s, err := readProc(pid); err == nil {
			final = &s
		}
	}
	rep := buildReport(o, runs, idle, final)
	if o.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printReport(stdout, rep)
	return nil
}

// parleyRequests cycles each client, as its own user, over the rooms that
// user is a member of.
func parleyRequests(scenario, base string, fx *fixture, clients int, since []string) nextFunc {
	headers := make([]map[string][]string, len(fx.users))
	for i, u := range fx.users {
		headers[i] = u.header()
	}
	return func(w, seq int) reqSpec {
		u := w % len(fx.users)
		rooms := fx.userRooms[u]
		r := rooms[(seq+w)%len(rooms)]
		rid := fx.roomIDs[r]
		switch scenario {
		case "post":
			body := `{"roomId":` + jsonString(rid) + `,"text":` + jsonString(messageText(seq*clients+w)) + `}`
			return reqSpec{method: "POST", url: base + "/api/v1/chat.postMessage", body: []byte(body), header: headers[u]}
		case "sync":
			return reqSpec{method: "GET", url: base + "/api/v1/chat.syncMessages?roomId=" + rid + "&lastUpdate=" + url.QueryEscape(since[r]), header: headers[u]}
		default:
			return reqSpec{method: "GET", url: base + "/api/v1/channels.history?roomId=" + rid + "&count=50", header: headers[u]}
		}
	}
}

// bareRequests sends the bare handlers the same requests, with the same
// headers and body sizes, over the same room spread.
func bareRequests(scenario, base string, fx *fixture, rooms int) nextFunc {
	headers := make([]map[string][]string, len(fx.users))
	for i, u := range fx.users {
		headers[i] = u.header()
	}
	return func(w, seq int) reqSpec {
		u := w % len(fx.users)
		ur := fx.userRooms[u]
		rid := bareRoomID(ur[(seq+w)%len(ur)] % rooms)
		if scenario == "post" {
			body := `{"roomId":` + jsonString(rid) + `,"text":` + jsonString(messageText(seq*1000+w)) + `}`
			return reqSpec{method: "POST", url: base + "/api/v1/chat.postMessage", body: []byte(body), header: headers[u]}
		}
		return reqSpec{method: "GET", url: base + "/api/v1/channels.history?roomId=" + rid + "&count=50", header: headers[u]}
	}
}
