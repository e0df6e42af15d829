package main

import (
	"fmt"
	"io"
	"runtime"
	"sort"
	"strings"
	"text/tabwriter"
)

// Row is the median over repetitions of one target, scenario and client count.
type Row struct {
	Target   string `json:"target"`
	Scenario string `json:"scenario"`
	Clients  int    `json:"clients"`
	// History is the messages per room seeded before the row's runs.
	History int `json:"history_per_room"`
	Nodes   int `json:"nodes,omitempty"`
	Reps    int `json:"reps"`
	Figures
	CPUMicrosPer float64 `json:"cpu_us_per_request,omitempty"`
	RSSAfterMB   float64 `json:"rss_after_mb,omitempty"`
	RSSPeakMB    float64 `json:"rss_peak_mb,omitempty"`
	// Ceiling is the bare handler this row is compared with; the ratios are
	// medians of the per-repetition ratios, each taken within one sitting.
	Ceiling  string  `json:"ceiling,omitempty"`
	RPSRatio float64 `json:"rps_ratio,omitempty"`
	P99Ratio float64 `json:"p99_ratio,omitempty"`
	CPURatio float64 `json:"cpu_ratio,omitempty"`
	// Procs is each process's CPU (medians); Parley's nodes and the
	// PostgreSQL cluster together make the cost of a request.
	Procs []ProcUse `json:"processes,omitempty"`
	// Machine is the machine's busy time (medians).
	Machine *MachineUse `json:"machine,omitempty"`
	// PerNodeRPS is each node's share of RPS (medians).
	PerNodeRPS []float64 `json:"per_node_rps,omitempty"`
	// NodesRatio is RPS over that of one node, the same scenario, clients
	// and history (median of the per-repetition ratios).
	NodesRatio float64 `json:"vs_one_node,omitempty"`
	// GrowthRatio is RPS over that of the smallest history of the run,
	// the same target, scenario and clients.
	GrowthRatio float64 `json:"vs_smallest_history,omitempty"`
}

// Report is the whole output of one invocation.
type Report struct {
	Note     string `json:"note"`
	Cores    int    `json:"cores"`
	Duration string `json:"duration"`
	Warmup   string `json:"warmup"`
	Rooms    int    `json:"rooms"`
	History  int    `json:"history_per_room"`
	// Histories is --history when it lists several sizes.
	Histories []int `json:"histories_per_room,omitempty"`
	Users     int   `json:"users"`
	// Rate is --rate: 0 for closed loops.
	Rate      float64 `json:"rate_x_load_tester,omitempty"`
	IdleRSSMB float64 `json:"server_idle_rss_mb,omitempty"`
	// SeededRSSMB is right after the restart on a --seed-direct database.
	SeededRSSMB float64  `json:"server_seeded_rss_mb,omitempty"`
	EndRSSMB    float64  `json:"server_end_rss_mb,omitempty"`
	PeakRSSMB   float64  `json:"server_peak_rss_mb,omitempty"`
	Rows        []Row    `json:"rows"`
	Runs        []Run    `json:"runs"`
	Notes       []string `json:"notes,omitempty"`
}

type rowKey struct {
	target, scenario string
	clients, history int
}

func buildReport(o *options, runs []Run, idle, seeded, final *procSample) *Report {
	rep := &Report{
		Note: fmt.Sprintf("the load generator and the servers share this machine's %d cores; "+
			"compare ratios within one run, not absolute figures across runs", runtime.NumCPU()),
		Cores: runtime.NumCPU(), Duration: o.duration.String(), Warmup: o.warmup.String(),
		Rooms: o.rooms, History: o.history, Users: o.users, Runs: runs, Rate: o.rate,
		Notes: []string{"the tool turns API_Enable_Rate_Limiter off before measuring (and back on at the end if it was on)"},
	}
	if len(o.histories) > 1 {
		rep.Histories = o.histories
	}
	if idle != nil {
		rep.IdleRSSMB = float64(idle.rssKB) / 1024
	}
	if seeded != nil {
		rep.SeededRSSMB = float64(seeded.rssKB) / 1024
	}
	if final != nil {
		rep.EndRSSMB = float64(final.rssKB) / 1024
		rep.PeakRSSMB = float64(final.peakKB) / 1024
	}
	groups := map[rowKey][]Run{}
	var order []rowKey
	for _, r := range runs {
		k := rowKey{r.Target, r.Scenario, r.Clients, r.History}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	byRep := map[rowKey]map[int]Run{}
	for k, rs := range groups {
		byRep[k] = map[int]Run{}
		for _, r := range rs {
			byRep[k][r.Rep] = r
		}
	}
	for _, k := range order {
		rs := groups[k]
		row := Row{Target: k.target, Scenario: k.scenario, Clients: k.clients, History: k.history, Nodes: rs[0].Nodes, Reps: len(rs)}
		pick := func(f func(Run) float64) float64 {
			xs := make([]float64, 0, len(rs))
			for _, r := range rs {
				xs = append(xs, f(r))
			}
			return median(xs)
		}
		row.RPS = pick(func(r Run) float64 { return r.RPS })
		row.P50ms = pick(func(r Run) float64 { return r.P50ms })
		row.P95ms = pick(func(r Run) float64 { return r.P95ms })
		row.P99ms = pick(func(r Run) float64 { return r.P99ms })
		row.MaxMs = pick(func(r Run) float64 { return r.MaxMs })
		if rs[0].Server != nil {
			row.CPUMicrosPer = pick(func(r Run) float64 { return r.Server.CPUMicrosPer })
			row.RSSAfterMB = pick(func(r Run) float64 { return r.Server.RSSAfterMB })
			row.RSSPeakMB = pick(func(r Run) float64 { return r.Server.RSSPeakMB })
		}
		row.Procs = medianProcs(rs)
		if rs[0].Machine != nil {
			machine := func(f func(*MachineUse) float64) float64 {
				return pick(func(r Run) float64 {
					if r.Machine == nil {
						return 0
					}
					return f(r.Machine)
				})
			}
			row.Machine = &MachineUse{
				BusyCores: machine(func(m *MachineUse) float64 { return m.BusyCores }),
				LoadCores: machine(func(m *MachineUse) float64 { return m.LoadCores }),
			}
		}
		for i := range rs[0].PerNodeRPS {
			row.PerNodeRPS = append(row.PerNodeRPS, pick(func(r Run) float64 {
				if i < len(r.PerNodeRPS) {
					return r.PerNodeRPS[i]
				}
				return 0
			}))
		}
		if row.Nodes > 1 {
			if one, ok := byRep[rowKey{o.label, k.scenario, k.clients, k.history}]; ok {
				var xs []float64
				for _, r := range rs {
					if b, ok := one[r.Rep]; ok && b.RPS > 0 {
						xs = append(xs, r.RPS/b.RPS)
					}
				}
				if len(xs) > 0 {
					row.NodesRatio = median(xs)
				}
			}
		}
		for _, r := range rs {
			for code, n := range r.Errors {
				if row.Errors == nil {
					row.Errors = map[string]int{}
				}
				row.Errors[code] += n
			}
		}
		if !strings.HasPrefix(k.target, "bare-") {
			target, as := ceilingOf(k.scenario, k.target, o.postgres())
			if c, ok := byRep[rowKey{target, as, k.clients, k.history}]; ok {
				row.Ceiling = target + " " + as
				var rr, pr, cr []float64
				for _, r := range rs {
					b, ok := c[r.Rep]
					if !ok {
						continue
					}
					if b.RPS > 0 {
						rr = append(rr, r.RPS/b.RPS)
					}
					if b.P99ms > 0 {
						pr = append(pr, r.P99ms/b.P99ms)
					}
					if r.Server != nil && b.Server != nil && b.Server.CPUMicrosPer > 0 {
						cr = append(cr, r.Server.CPUMicrosPer/b.Server.CPUMicrosPer)
					}
				}
				// A missing ratio stays 0: JSON has no NaN.
				for _, x := range []struct {
					dst *float64
					xs  []float64
				}{{&row.RPSRatio, rr}, {&row.P99Ratio, pr}, {&row.CPURatio, cr}} {
					if len(x.xs) > 0 {
						*x.dst = median(x.xs)
					}
				}
			}
		}
		rep.Rows = append(rep.Rows, row)
	}
	if len(o.histories) > 1 {
		first := map[rowKey]float64{}
		for _, r := range rep.Rows {
			if r.History == o.histories[0] {
				first[rowKey{r.Target, r.Scenario, r.Clients, 0}] = r.RPS
			}
		}
		for i, r := range rep.Rows {
			if b := first[rowKey{r.Target, r.Scenario, r.Clients, 0}]; b > 0 {
				rep.Rows[i].GrowthRatio = r.RPS / b
			}
		}
	}
	sort.SliceStable(rep.Rows, func(i, j int) bool {
		a, b := rep.Rows[i], rep.Rows[j]
		if a.History != b.History {
			return a.History < b.History
		}
		if a.Scenario != b.Scenario {
			return scenarioRank(a.Scenario) < scenarioRank(b.Scenario)
		}
		return a.Clients < b.Clients
	})
	return rep
}

// medianProcs is each process's median CPU over the runs, in the order
// of the first run.
func medianProcs(rs []Run) []ProcUse {
	var out []ProcUse
	for _, p := range rs[0].Procs {
		var us, cores, secs []float64
		for _, r := range rs {
			for _, q := range r.Procs {
				if q.Name == p.Name {
					us, cores, secs = append(us, q.CPUMicrosPer), append(cores, q.Cores), append(secs, q.CPUSeconds)
				}
			}
		}
		out = append(out, ProcUse{Name: p.Name, CPUSeconds: median(secs), CPUMicrosPer: median(us), Cores: median(cores)})
	}
	return out
}

func scenarioRank(s string) int {
	for i, x := range []string{"hello", "post", "insert", "read", "sync", "read50", "thread-reply", "thread-read", "mixed"} {
		if x == s {
			return i
		}
	}
	return 99
}

func printReport(w io.Writer, rep *Report) {
	fmt.Fprintf(w, "NOTE: %s.\n", rep.Note)
	fmt.Fprintf(w, "runs: %s measured after %s warm-up; %d users, %d rooms, %d messages per room seeded\n",
		rep.Duration, rep.Warmup, rep.Users, rep.Rooms, rep.History)
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	if rep.Rate > 0 {
		fmt.Fprintf(w, "each client is one user at %g× the load tester's rates (%d requests a day), Poisson-spaced\n", rep.Rate, mixedRequestsPerUserDay)
	}
	if rep.IdleRSSMB > 0 {
		fmt.Fprintf(w, "server RSS: %.1f MB after start", rep.IdleRSSMB)
		if rep.SeededRSSMB > 0 {
			fmt.Fprintf(w, ", %.1f MB after the restart on the seeded database", rep.SeededRSSMB)
		}
		fmt.Fprintf(w, ", %.1f MB at the end, %.1f MB at most\n", rep.EndRSSMB, rep.PeakRSSMB)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "target\tscenario\tclients\tmsgs/room\treps\treq/s\tp50 ms\tp95 ms\tp99 ms\tmax ms\terrors\tcpu µs/req\tRSS MB\tpeak MB\tceiling\treq/s ratio\tp99 ratio\tcpu ratio\t")
	for _, r := range rep.Rows {
		errs := "0"
		if len(r.Errors) > 0 {
			var parts []string
			for k, v := range r.Errors {
				parts = append(parts, fmt.Sprintf("%s:%d", k, v))
			}
			sort.Strings(parts)
			errs = strings.Join(parts, " ")
		}
		opt := func(v float64, f string) string {
			if v == 0 || v != v {
				return "-"
			}
			return fmt.Sprintf(f, v)
		}
		ceil := r.Ceiling
		if ceil == "" {
			ceil = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%.0f\t%.2f\t%.2f\t%.2f\t%.1f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n",
			r.Target, r.Scenario, r.Clients, r.History, r.Reps, r.RPS, r.P50ms, r.P95ms, r.P99ms, r.MaxMs, errs,
			opt(r.CPUMicrosPer, "%.0f"), opt(r.RSSAfterMB, "%.1f"), opt(r.RSSPeakMB, "%.1f"), ceil,
			opt(r.RPSRatio, "%.2f"), opt(r.P99Ratio, "%.2f"), opt(r.CPURatio, "%.2f"))
	}
	tw.Flush()
	printProcs(w, rep)
	printScale(w, rep)
}

// printProcs shows where the CPU of each run went, per request and in
// cores, for every process that served it.
func printProcs(w io.Writer, rep *Report) {
	some := false
	for _, r := range rep.Rows {
		some = some || len(r.Procs) > 1 || r.Machine != nil
	}
	if !some {
		return
	}
	fmt.Fprintln(w, "\nCPU per request by process (µs/req, cores used in brackets):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "target\tscenario\tclients\tmsgs/room\treq/s\tprocesses\ttotal µs/req\ttotal cores\tload gen cores\tmachine busy (of %d)\t\n", rep.Cores)
	for _, r := range rep.Rows {
		if len(r.Procs) == 0 {
			continue
		}
		var parts []string
		var us, cores float64
		for _, p := range r.Procs {
			parts = append(parts, fmt.Sprintf("%s %.0f (%.2f)", p.Name, p.CPUMicrosPer, p.Cores))
			us += p.CPUMicrosPer
			cores += p.Cores
		}
		load, busy := "-", "-"
		if m := r.Machine; m != nil {
			load, busy = fmt.Sprintf("%.2f", m.LoadCores), fmt.Sprintf("%.2f", m.BusyCores)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.0f\t%s\t%.0f\t%.2f\t%s\t%s\t\n", r.Target, r.Scenario, r.Clients, r.History, r.RPS,
			strings.Join(parts, ", "), us, cores, load, busy)
	}
	tw.Flush()
}

// printScale shows the several-node rows against one node, and each row
// against the smallest history of the run.
func printScale(w io.Writer, rep *Report) {
	var nodes, growth []Row
	for _, r := range rep.Rows {
		if r.NodesRatio > 0 {
			nodes = append(nodes, r)
		}
		if r.GrowthRatio > 0 && len(rep.Histories) > 1 && r.History != rep.Histories[0] {
			growth = append(growth, r)
		}
	}
	if len(nodes) > 0 {
		fmt.Fprintln(w, "\nSeveral nodes against one (req/s; per node in brackets):")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "target\tscenario\tclients\tmsgs/room\treq/s\tper node\tvs one node\t")
		for _, r := range nodes {
			var per []string
			for _, x := range r.PerNodeRPS {
				per = append(per, fmt.Sprintf("%.0f", x))
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.0f\t(%s)\t%.2f\t\n", r.Target, r.Scenario, r.Clients, r.History, r.RPS, strings.Join(per, ", "), r.NodesRatio)
		}
		tw.Flush()
	}
	if len(growth) > 0 {
		fmt.Fprintf(w, "\nAgainst %d messages per room (req/s ratio):\n", rep.Histories[0])
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "target\tscenario\tclients\tmsgs/room\treq/s\tvs smallest\t")
		for _, r := range growth {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.0f\t%.2f\t\n", r.Target, r.Scenario, r.Clients, r.History, r.RPS, r.GrowthRatio)
		}
		tw.Flush()
	}
}
