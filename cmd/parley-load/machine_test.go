package main

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

// The machine's busy time leaves out idle and iowait and counts guest time
// once; the load generator's own time comes from its stat.
func TestMachineBusyCores(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "self"), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(cpu, self string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(root, "stat"), []byte(cpu+"\ncpu0 1 2 3 4 5 6 7 8 9 10\nintr 5\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "self", "stat"), []byte(self), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Fields: pid (comm) state ppid ... utime(14) stime(15).
	selfStat := func(utime, stime string) string {
		return "42 (parley load) S 1 0 0 0 0 0 0 0 0 0 " + utime + " " + stime + " 0 0 20 0"
	}
	write("cpu  1000 0 500 8000 100 0 0 0 300 0", selfStat("100", "50"))
	w := &machineWatch{root: root}
	w.start()
	// Over 2 s: 300 ticks of user, 60 of system, 40 of softirq, 100 of
	// guest (inside user already), 200 idle and 50 iowait.
	write("cpu  1300 0 560 8200 150 0 40 0 400 0", selfStat("180", "70"))
	w.stop()
	m := w.use(2)
	if m == nil {
		t.Fatalf("no figures: %v", w.err)
	}
	if want := (300.0 + 60 + 40) / clockTicks / 2; math.Abs(m.BusyCores-want) > 1e-9 {
		t.Errorf("busy cores = %v, want %v", m.BusyCores, want)
	}
	if want := 100.0 / clockTicks / 2; math.Abs(m.LoadCores-want) > 1e-9 {
		t.Errorf("load generator cores = %v, want %v", m.LoadCores, want)
	}

	write("intr 5\n", selfStat("1", "1"))
	if _, err := readMachine(root); err == nil {
		t.Error("a stat without its cpu line was read")
	}
}
