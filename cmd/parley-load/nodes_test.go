package main

import (
	"context"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/sqlstore"
	"github.com/parleychat/parley/internal/store/storetest"
)

func TestNodesFlags(t *testing.T) {
	o, err := parseFlags([]string{"--spawn", "x", "--db", "postgres://h/db", "--nodes", "1,2",
		"--history", "1000,100000", "--seed-direct"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.nodes, []int{1, 2}) || !slices.Equal(o.histories, []int{1000, 100000}) || o.history != 1000 {
		t.Fatalf("nodes %v histories %v history %d", o.nodes, o.histories, o.history)
	}
	if nodesLabel("parley-postgres", 1) != "parley-postgres" || nodesLabel("parley-postgres", 2) != "parley-postgres-2nodes" {
		t.Fatal("labels")
	}
}

// Clients go to the nodes round-robin, and each client always to the same
// node, with the requests it would send to a single server.
func TestSpreadOverNodes(t *testing.T) {
	fx := &fixture{
		users:     []session{{userID: "u0"}, {userID: "u1"}, {userID: "u2"}},
		roomIDs:   []string{"r0", "r1"},
		userRooms: [][]int{{0, 1}, {1, 0}, {0}},
	}
	bases := []string{"http://a", "http://b"}
	next := spreadOver(bases, func(b string) nextFunc { return parleyRequests("read", b, fx, 6, nil, nil) })
	count := map[string]int{}
	for w := range 6 {
		for seq := range 4 {
			got := next(w, seq)
			node := bases[w%2]
			if !strings.HasPrefix(got.url, node+"/") {
				t.Fatalf("worker %d went to %s, want %s", w, got.url, node)
			}
			want := parleyRequests("read", node, fx, 6, nil, nil)(w, seq)
			if got.url != want.url || got.header.Get("X-User-Id") != want.header.Get("X-User-Id") {
				t.Fatalf("worker %d seq %d: %s, want %s", w, seq, got.url, want.url)
			}
			count[node]++
		}
	}
	if count["http://a"] != 12 || count["http://b"] != 12 {
		t.Fatalf("spread %v", count)
	}
}

// The whole's percentiles come from every request of every node, as a
// load balancer sees them, not from the nodes' own percentiles.
func TestSummarizeNodes(t *testing.T) {
	ms := func(xs ...int) []time.Duration {
		out := make([]time.Duration, len(xs))
		for i, x := range xs {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	// Node 0 (workers 0 and 2) is fast, node 1 (worker 1) slow; 99 of the
	// 100 requests are on node 0, so the p99 of the whole is a fast one
	// although node 1's p99 is 100 ms.
	fast := make([]int, 0, 99)
	for i := range 99 {
		fast = append(fast, 1+i%5)
	}
	results := []workerResult{
		{lat: ms(fast[:50]...), errs: map[int]int{}},
		{lat: ms(100), errs: map[int]int{500: 1}},
		{lat: ms(fast[50:]...), errs: map[int]int{0: 2}},
	}
	all, per := summarizeNodes(results, 2, 2*time.Second)
	if all.Requests != 100 || all.RPS != 50 || per[0].Requests != 99 || per[1].Requests != 1 {
		t.Fatalf("requests %d (%v/s), per node %d %d", all.Requests, all.RPS, per[0].Requests, per[1].Requests)
	}
	if per[0].RPS+per[1].RPS != all.RPS {
		t.Fatalf("node rates %v + %v != %v", per[0].RPS, per[1].RPS, all.RPS)
	}
	if all.P99ms != 5 || all.MaxMs != 100 || per[1].P99ms != 100 || per[0].P50ms != 3 {
		t.Fatalf("p99 %v max %v; node p99 %v, node 0 p50 %v", all.P99ms, all.MaxMs, per[1].P99ms, per[0].P50ms)
	}
	if all.Errors["500"] != 1 || all.Errors["transport"] != 2 || per[0].Errors["transport"] != 2 || per[1].Errors["500"] != 1 {
		t.Fatalf("errors %v / %v %v", all.Errors, per[0].Errors, per[1].Errors)
	}
}

func TestParseStat(t *testing.T) {
	// A command name with spaces and a parenthesis, as postgres sets them.
	line := "4242 (postgres: parley db 127.0.0.1(5) idle) S 4100 4100 4100 0 -1 4194560 500 0 0 0 120 35 0 0 20 0 1 0 900 1000 200\n"
	ppid, ticks, err := parseStat([]byte(line))
	if err != nil || ppid != 4100 || ticks != 155 {
		t.Fatalf("ppid %d ticks %d err %v", ppid, ticks, err)
	}
	for _, bad := range []string{"", "1 (x) S 2 3", "1 (x) S two 3 4 5 6 7 8 9 10 11 12 13 14 15"} {
		if _, _, err := parseStat([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// The cluster's CPU is the postmaster's and its children's; a backend
// that starts during the run counts from zero, and another database's
// backends are left out.
func TestPostgresCPU(t *testing.T) {
	root := t.TempDir()
	write := func(pid, ppid int, ticks int64) {
		d := filepath.Join(root, strconv.Itoa(pid))
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		line := strconv.Itoa(pid) + " (postgres) S " + strconv.Itoa(ppid) + " 1 1 0 -1 0 0 0 0 0 " +
			strconv.FormatInt(ticks, 10) + " 0 0 0 20 0 1 0 1 1 1\n"
		if err := os.WriteFile(filepath.Join(d, "stat"), []byte(line), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(100, 1, 10) // postmaster
	write(101, 100, 50)
	write(102, 100, 70) // another database's backend
	write(200, 1, 999)  // not PostgreSQL
	if err := os.MkdirAll(filepath.Join(root, "self"), 0o755); err != nil {
		t.Fatal(err)
	}
	before, err := childrenTicks(root, 100)
	if err != nil || len(before) != 3 {
		t.Fatalf("%v %v", before, err)
	}
	write(101, 100, 80)
	write(102, 100, 500)
	write(103, 100, 5) // a backend started during the run
	write(200, 1, 5000)
	after, err := childrenTicks(root, 100)
	if err != nil {
		t.Fatal(err)
	}
	if got := ticksBetween(before, after, map[int]bool{102: true}); got != 35 {
		t.Fatalf("ticks %d, want 30 + 5", got)
	}
	if _, err := childrenTicks(root, 300); err == nil {
		t.Fatal("a missing postmaster was accepted")
	}
}

// Several-node rows are compared with one node of the same repetition,
// and each process's CPU is its median.
func TestReportNodesAndGrowth(t *testing.T) {
	o := &options{label: "parley-postgres", db: "postgres://x", duration: time.Second, histories: []int{10, 1000}}
	var runs []Run
	add := func(target string, nodes, history, rep int, rps float64, procs ...ProcUse) {
		runs = append(runs, Run{Target: target, Scenario: "post", Clients: 16, Rep: rep, History: history, Nodes: nodes,
			Summary: Summary{Requests: int(rps), Figures: Figures{RPS: rps}}, Procs: procs,
			PerNodeRPS: map[bool][]float64{true: {rps / 2, rps / 2}}[nodes == 2]})
	}
	for rep, f := range []float64{1, 2, 3} {
		add("parley-postgres", 1, 10, rep+1, 100*f, ProcUse{Name: "node1", CPUMicrosPer: 300 * f}, ProcUse{Name: "postgres", CPUMicrosPer: 100})
		add("parley-postgres-2nodes", 2, 10, rep+1, 170*f, ProcUse{Name: "node1", CPUMicrosPer: 310}, ProcUse{Name: "node2", CPUMicrosPer: 320}, ProcUse{Name: "postgres", CPUMicrosPer: 90 + f})
		runs[len(runs)-1].Machine = &MachineUse{BusyCores: 1.5 + f/10, LoadCores: 0.2 * f}
		add("parley-postgres", 1, 1000, rep+1, 90*f)
	}
	rep := buildReport(o, runs, nil, nil, nil)
	var two, one, big *Row
	for i, r := range rep.Rows {
		switch {
		case r.Nodes == 2:
			two = &rep.Rows[i]
		case r.History == 10:
			one = &rep.Rows[i]
		default:
			big = &rep.Rows[i]
		}
	}
	if two == nil || one == nil || big == nil {
		t.Fatalf("rows %+v", rep.Rows)
	}
	if two.NodesRatio != 1.7 || one.NodesRatio != 0 || two.RPS != 340 || !slices.Equal(two.PerNodeRPS, []float64{170, 170}) {
		t.Fatalf("two nodes: %+v", two)
	}
	if len(two.Procs) != 3 || two.Procs[1].Name != "node2" || two.Procs[2].CPUMicrosPer != 92 || one.Procs[0].CPUMicrosPer != 600 {
		t.Fatalf("procs %+v / %+v", two.Procs, one.Procs)
	}
	if m := two.Machine; m == nil || math.Abs(m.BusyCores-1.7) > 1e-9 || math.Abs(m.LoadCores-0.4) > 1e-9 || one.Machine != nil {
		t.Fatalf("machine: %+v / %+v", two.Machine, one.Machine)
	}
	if big.GrowthRatio != 0.9 || one.GrowthRatio != 1 {
		t.Fatalf("growth %v %v", big.GrowthRatio, one.GrowthRatio)
	}
	if rep.Rows[0].History != 10 || rep.Rows[len(rep.Rows)-1].History != 1000 {
		t.Fatalf("order %+v", rep.Rows)
	}
	var out strings.Builder
	printReport(&out, rep)
	for _, want := range []string{"node2 320 (0.00)", "1.70", "machine busy (of", "Against 10 messages per room", "0.90"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// On PostgreSQL the history is COPYed, and what the store then reads is
// what posts would have left: counts, visible counts, last message, and
// the trigger that keeps the visible count still on.
func TestSeedPostgres(t *testing.T) {
	url := storetest.PostgresURL(t)
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, url, t.TempDir(), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fx := &fixture{admin: session{userID: "adminid", username: "admin"}, adminName: "Admin", roomIDs: []string{"room1", "room2"}}
	for _, id := range fx.roomIDs {
		now := model.Now()
		if err := st.Rooms().Create(ctx, &model.Room{ID: id, T: "c", Name: id, Ts: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	sd := newSeeder(url, t.TempDir(), fx, 500, func(string, ...any) {})
	if err := sd.seed(ctx, 0, 3); err != nil {
		t.Fatal(err)
	}
	if err := sd.seed(ctx, 3, 500); err != nil {
		t.Fatal(err)
	}
	for i, id := range fx.roomIDs {
		n, err := st.Messages().Count(ctx, store.MessageFilter{RID: id, ExcludeHidden: true})
		if err != nil || n != 500 {
			t.Fatalf("%s: %d visible messages (%v)", id, n, err)
		}
		r, err := st.Rooms().Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Msgs != 500 || r.LM == nil || !strings.Contains(string(r.LastMessage), messageText(4+i)) {
			t.Fatalf("%s: msgs %d lm %v last %s", id, r.Msgs, r.LM, r.LastMessage)
		}
		page, err := st.Messages().List(ctx, store.MessageFilter{RID: id}, store.ListOptions{Count: 2, Sort: []store.SortField{{Field: "ts", Desc: true}}})
		if err != nil || len(page) != 2 || page[0].Msg != messageText(998+i) || len(page[0].MD) == 0 || page[0].U.Name != "Admin" {
			t.Fatalf("%s: newest %+v (%v)", id, page, err)
		}
	}
	// A message posted now still counts: the trigger is back on.
	m := &model.Message{ID: model.NewID(), RID: "room1", Msg: "after", Ts: model.Now(), UpdatedAt: model.Now(), U: model.UserRef{ID: "adminid", Username: "admin"}}
	if err := st.Messages().Insert(ctx, m); err != nil {
		t.Fatal(err)
	}
	if n, err := st.Messages().Count(ctx, store.MessageFilter{RID: "room1", ExcludeHidden: true}); err != nil || n != 501 {
		t.Fatalf("after a post: %d (%v)", n, err)
	}
}
