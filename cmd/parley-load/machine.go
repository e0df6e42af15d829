package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// On a small machine the load generator, every node and the database share
// the same cores. Whether a run was short of CPU, and so whether another
// node could have added anything, shows only in the whole machine's busy
// time, which the per-process figures leave out: the load generator
// itself, the kernel's network work and any other tenant.

// machineSample is the machine's busy CPU time at one instant, in clock
// ticks summed over all cores, and the load generator's own.
type machineSample struct {
	busy, self int64
}

// readMachine reads the aggregate "cpu" line of root/stat (normally
// /proc/stat) and root/self/stat.
func readMachine(root string) (machineSample, error) {
	var m machineSample
	b, err := os.ReadFile(filepath.Join(root, "stat"))
	if err != nil {
		return m, err
	}
	line, _, _ := bytes.Cut(b, []byte{'\n'})
	f := strings.Fields(string(line))
	// cpu user nice system idle iowait irq softirq steal [guest guest_nice]:
	// guest time is already counted in user, so only the first eight count.
	if len(f) < 9 || f[0] != "cpu" {
		return m, errors.New("malformed /proc/stat")
	}
	for i, s := range f[1:9] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return m, errors.New("malformed /proc/stat")
		}
		// idle and iowait are the two ways a core waits.
		if i != 3 && i != 4 {
			m.busy += n
		}
	}
	self, err := os.ReadFile(filepath.Join(root, "self", "stat"))
	if err != nil {
		return m, err
	}
	_, m.self, err = parseStat(self)
	return m, err
}

// machineWatch measures the machine over a run's measured window.
type machineWatch struct {
	root          string
	before, after machineSample
	err           error
}

func (w *machineWatch) start() { w.before, w.err = readMachine(w.root) }

func (w *machineWatch) stop() {
	if w.err == nil {
		w.after, w.err = readMachine(w.root)
	}
}

// MachineUse is how busy the machine's cores were during a run, in cores.
type MachineUse struct {
	// BusyCores is the mean number of cores not idle, whatever ran on them.
	BusyCores float64 `json:"busy_cores"`
	// LoadCores is the load generator's own share of BusyCores.
	LoadCores float64 `json:"load_generator_cores"`
}

func (w *machineWatch) use(seconds float64) *MachineUse {
	if w.err != nil || seconds <= 0 {
		return nil
	}
	return &MachineUse{
		BusyCores: float64(w.after.busy-w.before.busy) / clockTicks / seconds,
		LoadCores: float64(w.after.self-w.before.self) / clockTicks / seconds,
	}
}
