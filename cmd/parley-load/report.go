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
	Reps     int    `json:"reps"`
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
}

// Report is the whole output of one invocation.
type Report struct {
	Note     string `json:"note"`
	Cores    int    `json:"cores"`
	Duration string `json:"duration"`
	Warmup   string `json:"warmup"`
	Rooms    int    `json:"rooms"`
	History  int    `json:"history_per_room"`
	Users    int    `json:"users"`
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
	clients          int
}

func buildReport(o *options, runs []Run, idle, seeded, final *procSample) *Report {
	rep := &Report{
		Note: fmt.Sprintf("the load generator and the servers share this machine's %d cores; "+
			"compare ratios within one run, not absolute figures across runs", runtime.NumCPU()),
		Cores: runtime.NumCPU(), Duration: o.duration.String(), Warmup: o.warmup.String(),
		Rooms: o.rooms, History: o.history, Users: o.users, Runs: runs, Rate: o.rate,
		Notes: []string{"the tool turns API_Enable_Rate_Limiter off before measuring (and back on at the end if it was on)"},
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
		k := rowKey{r.Target, r.Scenario, r.Clients}
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
		row := Row{Target: k.target, Scenario: k.scenario, Clients: k.clients, Reps: len(rs)}
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
			if c, ok := byRep[rowKey{target, as, k.clients}]; ok {
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
	sort.SliceStable(rep.Rows, func(i, j int) bool {
		a, b := rep.Rows[i], rep.Rows[j]
		if a.Scenario != b.Scenario {
			return scenarioRank(a.Scenario) < scenarioRank(b.Scenario)
		}
		return a.Clients < b.Clients
	})
	return rep
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
	fmt.Fprintln(tw, "target\tscenario\tclients\treps\treq/s\tp50 ms\tp95 ms\tp99 ms\tmax ms\terrors\tcpu µs/req\tRSS MB\tpeak MB\tceiling\treq/s ratio\tp99 ratio\tcpu ratio\t")
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
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.0f\t%.2f\t%.2f\t%.2f\t%.1f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n",
			r.Target, r.Scenario, r.Clients, r.Reps, r.RPS, r.P50ms, r.P95ms, r.P99ms, r.MaxMs, errs,
			opt(r.CPUMicrosPer, "%.0f"), opt(r.RSSAfterMB, "%.1f"), opt(r.RSSPeakMB, "%.1f"), ceil,
			opt(r.RPSRatio, "%.2f"), opt(r.P99Ratio, "%.2f"), opt(r.CPURatio, "%.2f"))
	}
	tw.Flush()
}
