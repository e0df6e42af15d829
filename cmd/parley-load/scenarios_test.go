package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/api/apitest"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/sqlstore"
)

func TestScenarioFlags(t *testing.T) {
	o, err := parseFlags([]string{"--spawn", "x", "--scenarios", "post,thread,mixed", "--clients", "1,16,64"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"post", "thread-reply", "thread-read", "mixed"}; !slices.Equal(o.scenarios, want) {
		t.Fatalf("scenarios %v, want %v", o.scenarios, want)
	}
	if o.users != 64 {
		t.Fatalf("users %d", o.users)
	}
	for _, args := range [][]string{
		{"--url", "http://x", "--seed-direct"},
		{"--url", "http://x", "--nodes", "1,2"},
		{"--spawn", "x", "--nodes", "2"}, // SQLite: one node only
		{"--spawn", "x", "--nodes", "0"},
		{"--spawn", "x", "--history", "1000,100"},
		{"--spawn", "x", "--scenarios", "threads"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
}

// The mixed cycle must keep the documented proportions, or the figures in
// docs/performance.md no longer describe what the tool does.
func TestMixedCycleRates(t *testing.T) {
	n := map[mixedOp]int{}
	for _, op := range mixedCycle {
		n[op]++
	}
	if n[opSend] != 10 || n[opHistory] != 1 || n[opSubscription] != 1 || n[opMarkRead] != 1 || n[opReact] != 1 || n[opStatus] != 1 {
		t.Fatalf("cycle %v", n)
	}
	if got := len(mixedCycle) * 10; got != mixedRequestsPerUserDay {
		t.Fatalf("a day of the load tester is %d requests, the cycle says %d", mixedRequestsPerUserDay, got)
	}
}

func TestPacerMean(t *testing.T) {
	if newPacer(0, 4).wait(3) != 0 {
		t.Fatal("a closed loop must not wait")
	}
	p := newPacer(10, 2)
	var sum time.Duration
	const n = 20000
	for range n {
		sum += p.wait(1)
	}
	want := 24 * time.Hour / (mixedRequestsPerUserDay * 10)
	if got := sum / n; math.Abs(float64(got-want)) > 0.05*float64(want) {
		t.Fatalf("mean wait %v, want about %v", got, want)
	}
}

// TestScenariosSmoke runs every Parley scenario for a fraction of a second
// against an in-process server: each request the tool builds must be one
// the server accepts.
func TestScenariosSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("load smoke test")
	}
	e := apitest.New(t)
	srv := httptest.NewServer(e.Handler)
	defer srv.Close()
	ctx := context.Background()
	c := &apiClient{base: srv.URL, hc: newClient(4)}
	logf := func(f string, a ...any) { t.Logf(f, a...) }
	fx, err := setup(ctx, c, setupOpts{adminUser: "admin", adminPass: apitest.AdminPassword, users: 3, rooms: 2, roomsPerUser: 2, history: 6, seedWorkers: 2}, logf)
	if err != nil {
		t.Fatal(err)
	}
	if err := fx.seedThreads(ctx, c, 4, 2, logf); err != nil {
		t.Fatal(err)
	}
	if err := fx.loadRecent(ctx, c); err != nil {
		t.Fatal(err)
	}
	since, err := fx.syncPoints(ctx, c, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range scenarioOrder {
		// A mixed cycle is 15 requests; the short run must cover one.
		s := runLoad(ctx, c.hc, 3, 0, 400*time.Millisecond, parleyRequests(sc, srv.URL, fx, 3, since, nil), nil, nil)
		t.Logf("%s: %d requests", sc, s.Requests)
		if s.Requests == 0 || s.ErrorCount() != 0 {
			t.Errorf("%s: %d requests, errors %v", sc, s.Requests, s.Errors)
		}
	}
	// Each kind of request in the mixed cycle, one by one, so that none
	// can hide behind the others in the counts above.
	next := parleyRequests("mixed", srv.URL, fx, 1, nil, nil)
	for seq := range mixedCycle {
		spec := next(0, seq)
		req := httptest.NewRequest(spec.method, spec.url, bytes.NewReader(spec.body))
		req.RequestURI, req.Header = "", spec.header
		resp, err := c.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s %s: %d %s", spec.method, spec.url, resp.StatusCode, body)
		}
	}
}

func TestSeedDirect(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlstore.Open(ctx, "", dir, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fx := &fixture{admin: session{userID: "adminid", username: "admin"}, adminName: "Admin", roomIDs: []string{"room1", "room2"}}
	for _, id := range fx.roomIDs {
		now := model.Now()
		if err := st.Rooms().Create(ctx, &model.Room{ID: id, T: "c", Name: id, Ts: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	const perRoom = 3 + seedTxSize/2 // spans two transactions
	sd := newSeeder("", dir, fx, perRoom, func(string, ...any) {})
	// Two steps, as a --history list seeds them; the room's last message
	// is the first step's newest.
	if err := sd.seed(ctx, 0, 2); err != nil {
		t.Fatal(err)
	}
	if err := sd.seed(ctx, 2, perRoom); err != nil {
		t.Fatal(err)
	}
	st, err = sqlstore.Open(ctx, "", dir, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, id := range fx.roomIDs {
		n, err := st.Messages().Count(ctx, store.MessageFilter{RID: id})
		if err != nil || n != perRoom {
			t.Fatalf("%s: %d messages (%v), want %d", id, n, err, perRoom)
		}
		r, err := st.Rooms().Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var last model.Message
		if r.Msgs != perRoom || r.LM == nil || json.Unmarshal(r.LastMessage, &last) != nil || last.Ts != *r.LM || last.U.Name != "Admin" ||
			last.Msg != messageText(2+slices.Index(fx.roomIDs, id)) {
			t.Fatalf("%s: msgs %d lm %v last %s", id, r.Msgs, r.LM, r.LastMessage)
		}
	}
	// The newest message must be findable by its text, as a posted one is.
	found, err := st.Messages().Search(ctx, store.MessageFilter{RID: "room2"}, []string{"00005003"}, store.ListOptions{Count: 10})
	if err != nil || len(found) != 1 || len(found[0].MD) == 0 {
		t.Fatalf("search: %v %v", found, err)
	}
}

// At one client every figure still comes from a handful of runs, and the
// mixed row is compared with Parley's own read of the same repetition.
func TestReportCeilings(t *testing.T) {
	o := &options{label: "parley-sqlite", duration: time.Second}
	var runs []Run
	add := func(target, sc string, rep int, rps, p99 float64) {
		runs = append(runs, Run{Target: target, Scenario: sc, Clients: 1, Rep: rep,
			Summary: Summary{Requests: int(rps), Figures: Figures{RPS: rps, P99ms: p99}}})
	}
	for rep := 1; rep <= 3; rep++ {
		add("parley-sqlite", "thread-reply", rep, 100, 4)
		add("bare-insert", "insert", rep, 400, 2)
		add("parley-sqlite", "read", rep, 200, 3)
		add("bare-read50", "read50", rep, 800, 1)
		add("parley-sqlite", "mixed", rep, 150, 6)
	}
	rep := buildReport(o, runs, nil, nil, nil)
	want := map[string][3]any{
		"thread-reply": {"bare-insert insert", 0.25, 2.0},
		"read":         {"bare-read50 read50", 0.25, 3.0},
		"mixed":        {"parley-sqlite read", 0.75, 2.0},
	}
	seen := 0
	for _, r := range rep.Rows {
		w, ok := want[r.Scenario]
		if !ok {
			continue
		}
		seen++
		if r.Ceiling != w[0] || r.RPSRatio != w[1] || r.P99Ratio != w[2] {
			t.Errorf("%s: ceiling %q ratios %v %v, want %v", r.Scenario, r.Ceiling, r.RPSRatio, r.P99Ratio, w)
		}
	}
	if seen != 3 {
		t.Fatalf("rows %+v", rep.Rows)
	}
	if _, err := json.Marshal(rep); err != nil {
		t.Fatal(err)
	}
}
