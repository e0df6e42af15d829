// Command parley-load drives a Parley server with many concurrent keep-alive
// HTTP clients and reports throughput, latency, errors and the server's CPU
// and memory. With --baseline it measures bare handlers in the same sitting
// and prints Parley's figures as ratios to them, because absolute figures on
// a shared or virtual machine move a lot from run to run while same-run
// ratios do not.
//
//	parley-load --spawn /tmp/parley --scenarios post,read --clients 16,64 --baseline
//	parley-load --spawn /tmp/parley --seed-direct --history 100000 --scenarios read,post --clients 64
//	parley-load --spawn /tmp/parley --db postgres://… --nodes 1,2 --scenarios post,read --baseline
//	parley-load --spawn /tmp/parley --scenarios read,mixed --clients 1000 --rooms 100 --rate 10 --duration 60s
//	parley-load --url http://127.0.0.1:3000 --pid 1234 --admin-user admin --admin-pass …
//	parley-load realtime --spawn /tmp/parley --conns 10000 --subscribers 1000
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
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
	runner := run
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "realtime" {
		runner, args = realtimeMain, args[1:]
	}
	if err := runner(ctx, args, os.Stdout, os.Stderr); err != nil {
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
	histories                []int
	nodes                    []int
	threadReplies            int
	seedWorkers              int
	seedDirect               bool
	rate                     float64
	baseline, asJSON         bool
	jsonOut                  string
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
	scen := fs.String("scenarios", "post,read", "comma-separated: post, read, sync, thread (= thread-reply,thread-read), thread-reply, thread-read, mixed")
	cl := fs.String("clients", "16,64", "comma-separated numbers of concurrent clients")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "measured time per run")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured time before each run")
	fs.IntVar(&o.repeat, "repeat", 1, "repetitions; runs are interleaved and medians reported")
	fs.IntVar(&o.users, "users", 0, "users to create (0 = the largest --clients); client i acts as user i mod users")
	fs.IntVar(&o.rooms, "rooms", 10, "public channels to create")
	fs.IntVar(&o.roomsPer, "rooms-per-user", 2, "rooms each user is a member of")
	hist := fs.String("history", "1000", "messages seeded into each room before measuring; a comma-separated ascending list measures every scenario at each size in turn, adding messages in between")
	nodes := fs.String("nodes", "1", "with --spawn on PostgreSQL: numbers of Parley nodes on the one database to spread the clients over, e.g. 1,2 to measure one and two nodes in the same run")
	fs.IntVar(&o.syncTail, "sync-tail", 50, "sync scenario: messages per room newer than lastUpdate")
	fs.IntVar(&o.seedWorkers, "seed-workers", 8, "concurrent posters while seeding history")
	fs.BoolVar(&o.seedDirect, "seed-direct", false, "with --spawn: write --history into the database directly, with the servers stopped (for 10^5 messages and more; COPY on PostgreSQL)")
	fs.IntVar(&o.threadReplies, "thread-replies", 60, "thread and mixed scenarios: replies seeded into the one thread of each room")
	fs.Float64Var(&o.rate, "rate", 0, "if > 0, each client is a user acting at this multiple of Rocket.Chat's load-tester rates (150 requests a day), not a closed loop")
	fs.BoolVar(&o.baseline, "baseline", false, "also measure the bare hello, insert and read-50 handlers in the same run")
	fs.BoolVar(&o.asJSON, "json", false, "print JSON instead of tables")
	fs.StringVar(&o.jsonOut, "json-out", "", "also write the JSON to this file")
	fs.StringVar(&o.profileDir, "profile", "", "save a CPU profile of the Parley server for each measured run in this directory (needs --pprof, or a server started with it)")
	fs.StringVar(&o.label, "label", "", "name of the Parley target in the output (default parley-sqlite or parley-postgres)")
	err := fs.Parse(args)
	if err != nil {
		return nil, err
	}
	if (o.url == "") == (o.spawn == "") {
		return nil, fmt.Errorf("give exactly one of --url and --spawn")
	}
	for _, s := range strings.Split(*scen, ",") {
		switch s = strings.TrimSpace(s); {
		case s == "thread":
			o.scenarios = append(o.scenarios, "thread-reply", "thread-read")
		case slices.Contains(scenarioOrder, s):
			o.scenarios = append(o.scenarios, s)
		case s == "":
		default:
			return nil, fmt.Errorf("unknown scenario %q", s)
		}
	}
	if o.seedDirect && o.spawn == "" {
		return nil, fmt.Errorf("--seed-direct needs --spawn")
	}
	if o.clients, err = intList("--clients", *cl, 1); err != nil {
		return nil, err
	}
	if o.nodes, err = intList("--nodes", *nodes, 1); err != nil {
		return nil, err
	}
	if slices.Max(o.nodes) > 1 && (o.spawn == "" || !o.postgres()) {
		return nil, fmt.Errorf("--nodes above 1 needs --spawn and --db postgres://…: nodes share one database")
	}
	if o.histories, err = intList("--history", *hist, 0); err != nil {
		return nil, err
	}
	if !slices.IsSorted(o.histories) || len(slices.Compact(slices.Clone(o.histories))) != len(o.histories) {
		return nil, fmt.Errorf("--history sizes must ascend")
	}
	o.history = o.histories[0]
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

// intList parses a comma-separated list of integers of at least least.
func intList(flag, v string, least int) ([]int, error) {
	var out []int
	for _, s := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < least {
			return nil, fmt.Errorf("bad %s entry %q", flag, s)
		}
		out = append(out, n)
	}
	return out, nil
}

// nodesLabel names the target of runs spread over n nodes.
func nodesLabel(label string, n int) string {
	if n == 1 {
		return label
	}
	return fmt.Sprintf("%s-%dnodes", label, n)
}

// postgres reports whether the spawned server runs on PostgreSQL, whose
// runs are compared with the PostgreSQL ceilings.
func (o *options) postgres() bool { return onPostgres(o.db) }

// onPostgres says a database URL is PostgreSQL's, where nodes share an
// event bus.
func onPostgres(db string) bool { return strings.HasPrefix(db, "postgres") }

// Run is one measured run of one target.
type Run struct {
	Target   string `json:"target"`
	Scenario string `json:"scenario"`
	Clients  int    `json:"clients"`
	Rep      int    `json:"rep"`
	// History is the messages per room seeded before the run.
	History int `json:"history_per_room"`
	Nodes   int `json:"nodes,omitempty"`
	Summary
	// Server is the Parley nodes' (or the ceiling's) use, summed over the
	// nodes.
	Server *ServerUse `json:"server,omitempty"`
	// PerNodeRPS is each node's share of RPS.
	PerNodeRPS []float64 `json:"per_node_rps,omitempty"`
	// Procs is the CPU of each process serving the run: every node, or
	// the ceiling, and the PostgreSQL cluster.
	Procs []ProcUse `json:"processes,omitempty"`
	// Machine is the whole machine's busy time during the run.
	Machine *MachineUse `json:"machine,omitempty"`
}

// ProcUse is one process's CPU over a measured run.
type ProcUse struct {
	Name         string  `json:"name"`
	CPUSeconds   float64 `json:"cpu_seconds"`
	CPUMicrosPer float64 `json:"cpu_us_per_request"`
	Cores        float64 `json:"cores_used"`
}

func procUse(name string, cpuSecs float64, s Summary) ProcUse {
	u := ProcUse{Name: name, CPUSeconds: cpuSecs}
	if s.Requests > 0 {
		u.CPUMicrosPer = cpuSecs * 1e6 / float64(s.Requests)
	}
	if s.Seconds > 0 {
		u.Cores = cpuSecs / s.Seconds
	}
	return u
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
	maxNodes := slices.Max(o.nodes)
	hc := newClient(max(maxClients, o.seedWorkers))

	base, pid := strings.TrimRight(o.url, "/"), o.pid
	cl := &cluster{opts: spawnOpts{bin: o.spawn, db: o.db, logLevel: o.logLevel, pprof: o.pprof, adminUser: o.adminUser, adminPW: o.adminPass}}
	if o.spawn != "" {
		defer cl.close()
		if err := cl.start(ctx, 1); err != nil {
			return err
		}
		base, pid = cl.nodes[0].url, cl.nodes[0].pid()
		logf("started %s (pid %d) at %s, log %s", o.spawn, pid, base, cl.nodes[0].logPath)
	}
	api := &apiClient{base: base, hc: hc}
	var idle, restarted *procSample
	if pid != 0 {
		if s, err := readProc(pid); err == nil {
			idle = &s
		}
	}
	apiHistory := o.history
	if o.seedDirect {
		apiHistory = 0
	}
	fx, err := setup(ctx, api, setupOpts{
		adminUser: o.adminUser, adminPass: o.adminPass, users: o.users, rooms: o.rooms,
		roomsPerUser: o.roomsPer, history: apiHistory, seedWorkers: o.seedWorkers,
	}, logf)
	if err != nil {
		return err
	}
	defer func() { fx.restore(context.Background(), api) }()
	if o.postgres() && apiHistory > 0 {
		if err := analyzeAfterAPISeeding(ctx, o.db); err != nil {
			return err
		}
	}

	// restartOn stops every node, runs write against the database, and
	// starts node 0 again. The servers must not hold the database while
	// it is written behind their back: their in-memory room clocks and
	// caches would be stale. Sessions and settings are in the database, so
	// the fixture's logins stay valid across the restart.
	restartOn := func(write func() error) error {
		cl.stop()
		if err := write(); err != nil {
			return err
		}
		if err := cl.start(ctx, 1); err != nil {
			return err
		}
		base, pid = cl.nodes[0].url, cl.nodes[0].pid()
		api.base = base
		logf("restarted %s (pid %d) at %s on the seeded database", o.spawn, pid, base)
		if err := api.call(ctx, &fx.users[0], http.MethodGet, "me", nil, nil); err != nil {
			return fmt.Errorf("sessions did not survive the restart: %w", err)
		}
		return nil
	}
	var seed *seeder
	if o.seedDirect {
		seed = newSeeder(o.db, filepath.Join(cl.dirs[0], "data"), fx, slices.Max(o.histories), logf)
		if err := restartOn(func() error { return seed.seed(ctx, 0, o.history) }); err != nil {
			return err
		}
		if s, err := readProc(pid); err == nil {
			restarted = &s
		}
	}
	needs := func(sc ...string) bool {
		for _, s := range sc {
			if slices.Contains(o.scenarios, s) {
				return true
			}
		}
		return false
	}
	if needs("thread-reply", "thread-read", "mixed") {
		if err := fx.seedThreads(ctx, api, o.threadReplies, o.seedWorkers, logf); err != nil {
			return err
		}
	}
	if needs("mixed") {
		if err := fx.loadRecent(ctx, api); err != nil {
			return err
		}
	}

	var pgw *pgWatch
	if o.postgres() {
		if pgw, err = newPGWatch(o.db); err != nil {
			logf("PostgreSQL's CPU will not be reported: %v", err)
			pgw = nil
		}
		defer pgw.close()
	}

	var bareDir string
	if o.baseline && o.postgres() {
		defer func() {
			if err := dropBarePG(o.db); err != nil {
				logf("dropping the bare tables: %v", err)
			}
		}()
	} else if o.baseline {
		if bareDir, err = os.MkdirTemp("", "parley-load-bare-*"); err != nil {
			return err
		}
		defer os.RemoveAll(bareDir)
	}
	bareReadDB := filepath.Join(bareDir, "read.db")
	// prepareBare seeds the ceilings' history with as many rows as
	// Parley's.
	prepareBare := func(history int) error {
		if !o.baseline {
			return nil
		}
		if o.postgres() {
			if err := seedBarePG(o.db, o.rooms, history); err != nil {
				return fmt.Errorf("seeding the bare PostgreSQL history: %w", err)
			}
			return nil
		}
		os.Remove(bareReadDB)
		if err := seedBare(bareReadDB, o.rooms, history); err != nil {
			return fmt.Errorf("seeding the bare read database: %w", err)
		}
		// Each insert run starts from a copy of this untouched database,
		// as the Parley history grows by no more than a few runs' worth.
		return copyFile(filepath.Join(bareDir, "insert-template.db"), bareReadDB)
	}

	var runs []Run
	type proc struct {
		name string
		pid  int
	}
	measure := func(target, scenario string, clients, rep, history, nodes int, procs []proc, pg bool, next nextFunc) {
		watches := make([]*procWatch, len(procs))
		for i, p := range procs {
			watches[i] = &procWatch{pid: p.pid}
		}
		var pgOn *pgWatch
		if pg {
			pgOn = pgw
		}
		machine := &machineWatch{root: "/proc"}
		startAll := func() {
			machine.start()
			pgOn.start()
			for _, w := range watches {
				w.start()
			}
		}
		stopAll := func() {
			for _, w := range watches {
				w.stop()
			}
			pgOn.stop()
			machine.stop()
		}
		onStart := startAll
		var profDone chan error
		if o.profileDir != "" && !strings.HasPrefix(target, "bare-") {
			path := filepath.Join(o.profileDir, fmt.Sprintf("%s-%s-c%d-h%d-r%d.pprof", target, scenario, clients, history, rep))
			profDone = make(chan error, 1)
			onStart = func() {
				startAll()
				go func() { profDone <- api.saveProfile(ctx, &fx.admin, o.duration, path) }()
			}
		}
		s, per := runLoadOn(ctx, hc, clients, nodes, o.warmup, o.duration, next, onStart, stopAll)
		if profDone != nil {
			if err := <-profDone; err != nil {
				logf("profile: %v", err)
			}
		}
		r := Run{Target: target, Scenario: scenario, Clients: clients, Rep: rep, History: history, Nodes: nodes, Summary: s,
			Machine: machine.use(s.Seconds)}
		if nodes > 1 {
			for _, p := range per {
				r.PerNodeRPS = append(r.PerNodeRPS, p.RPS)
			}
		}
		for i, w := range watches {
			u := w.use(s)
			if u == nil {
				continue
			}
			if r.Server == nil {
				r.Server = u
			} else {
				// Several nodes: CPU and memory add up; the peak is the
				// sum of each node's own.
				r.Server.RSSBeforeMB += u.RSSBeforeMB
				r.Server.RSSAfterMB += u.RSSAfterMB
				r.Server.RSSPeakMB += u.RSSPeakMB
				r.Server.CPUSeconds += u.CPUSeconds
				r.Server.CPUMicrosPer += u.CPUMicrosPer
				r.Server.CoresUsedMean += u.CoresUsedMean
			}
			r.Procs = append(r.Procs, procUse(procs[i].name, u.CPUSeconds, s))
		}
		if pgOn != nil && pgOn.err == nil {
			r.Procs = append(r.Procs, procUse("postgres", pgOn.cpuSecs, s))
		}
		runs = append(runs, r)
		cpu := ""
		if r.Server != nil {
			cpu = fmt.Sprintf(" cpu %.0fµs/req rss %.1fMB", r.Server.CPUMicrosPer, r.Server.RSSAfterMB)
		}
		for _, p := range r.Procs {
			if p.Name == "postgres" {
				cpu += fmt.Sprintf(" pg %.0fµs/req", p.CPUMicrosPer)
			}
		}
		if m := r.Machine; m != nil {
			cpu += fmt.Sprintf(" machine %.2f/%d cores busy (load %.2f)", m.BusyCores, runtime.NumCPU(), m.LoadCores)
		}
		logf("rep %d %-15s %-5s c%-3d h%-6d %8.0f req/s p50 %6.2fms p99 %7.2fms errors %d%s",
			rep, target, scenario, clients, history, s.RPS, s.P50ms, s.P99ms, s.ErrorCount(), cpu)
	}
	withBare := func(mode, path, target, scenario string, clients, rep, history int, next func(base string) nextFunc) error {
		b, err := startBare(mode, path)
		if err != nil {
			return err
		}
		defer b.stop()
		measure(target, scenario, clients, rep, history, 1, []proc{{"bare", b.pid()}}, strings.HasPrefix(mode, "pg-"), next(b.url))
		return nil
	}

	for hi, history := range o.histories {
		if hi > 0 {
			from := o.histories[hi-1]
			if o.seedDirect {
				err = restartOn(func() error { return seed.seed(ctx, from, history) })
			} else {
				err = fx.seedHistory(ctx, api, from, history, o.seedWorkers, logf)
				if err == nil && o.postgres() {
					err = analyzeAfterAPISeeding(ctx, o.db)
				}
			}
			if err != nil {
				return err
			}
		}
		if err := prepareBare(history); err != nil {
			return err
		}
		for rep := 1; rep <= o.repeat; rep++ {
			for _, c := range o.clients {
				if o.baseline {
					if err := withBare("hello", "", "bare-hello", "hello", c, rep, history, func(b string) nextFunc {
						return func(w, seq int) reqSpec { return reqSpec{method: "GET", url: b + "/api/v1/info"} }
					}); err != nil {
						return err
					}
				}
				// Each ceiling is measured once per repetition and client
				// count, right after the first scenario compared with it.
				measured := map[string]bool{}
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
					for _, n := range o.nodes {
						bases, procs := []string{base}, []proc{{"parley", pid}}
						if o.spawn != "" {
							if err := cl.resize(ctx, n); err != nil {
								return err
							}
							if maxNodes > 1 {
								logf("running %d node(s): %v (pids %v)", n, cl.urls(n), cl.pids(n))
							}
							bases, procs = cl.urls(n), nil
							for i, p := range cl.pids(n) {
								procs = append(procs, proc{fmt.Sprintf("node%d", i+1), p})
							}
						}
						pace := newPacer(o.rate, c)
						next := spreadOver(bases, func(b string) nextFunc { return parleyRequests(sc, b, fx, c, since, pace) })
						measure(nodesLabel(o.label, n), sc, c, rep, history, n, procs, o.postgres(), next)
					}
					target, as := ceilingOf(sc, o.label, o.postgres())
					if !o.baseline || measured[as] || !strings.HasPrefix(target, "bare-") {
						continue
					}
					measured[as] = true
					switch {
					case o.postgres() && as == "insert":
						if err = emptyBarePGPosts(o.db); err == nil {
							err = withBare("pg-insert", o.db, target, as, c, rep, history, func(b string) nextFunc { return bareRequests("post", b, fx, o.rooms) })
						}
					case o.postgres() && as == "read50":
						err = withBare("pg-read", o.db, target, as, c, rep, history, func(b string) nextFunc { return bareRequests("read", b, fx, o.rooms) })
					case as == "insert":
						path := filepath.Join(bareDir, fmt.Sprintf("insert-%d-%d.db", rep, c))
						if err := copyFile(path, filepath.Join(bareDir, "insert-template.db")); err != nil {
							return err
						}
						err = withBare("insert", path, target, as, c, rep, history, func(b string) nextFunc { return bareRequests("post", b, fx, o.rooms) })
						os.Remove(path)
					case as == "read50":
						err = withBare("read", bareReadDB, target, as, c, rep, history, func(b string) nextFunc { return bareRequests("read", b, fx, o.rooms) })
					}
					if err != nil {
						return err
					}
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
	rep := buildReport(o, runs, idle, restarted, final)
	if err := writeJSONFile(o.jsonOut, rep); err != nil {
		return err
	}
	if o.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printReport(stdout, rep)
	return nil
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

func copyFile(dst, src string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}

// writeJSONFile writes v, indented, to path; an empty path writes nothing.
func writeJSONFile(path string, v any) error {
	if path == "" {
		return nil
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
