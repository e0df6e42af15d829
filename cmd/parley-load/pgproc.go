package main

// The CPU that PostgreSQL spends on a run. Its work happens in other
// processes than Parley's: one backend per pooled connection, plus the WAL
// writer, the checkpointer, autovacuum and the rest, all children of the
// postmaster. On a machine where the servers and the database share the
// cores, that CPU is as much part of a request's cost as Parley's own.

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// procTicks maps a pid to its CPU time in clock ticks.
type procTicks map[int]int64

// childrenTicks reads, under procRoot (normally /proc), the CPU time of
// parent and of every process whose parent it is. Processes that exit
// between the listing and the read are skipped.
func childrenTicks(procRoot string, parent int) (procTicks, error) {
	ents, err := os.ReadDir(procRoot)
	if err != nil {
		return nil, err
	}
	out := procTicks{}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join(procRoot, e.Name(), "stat"))
		if err != nil {
			continue
		}
		ppid, ticks, err := parseStat(b)
		if err != nil {
			continue
		}
		if pid == parent || ppid == parent {
			out[pid] = ticks
		}
	}
	if _, ok := out[parent]; !ok {
		return nil, fmt.Errorf("process %d not found under %s", parent, procRoot)
	}
	return out, nil
}

// ticksBetween is the CPU the processes of after used since before, minus
// those in skip. A process that started in between counts from zero; one
// that exited in between is lost with its last ticks, which a pooled
// connection's backend does not do during a run.
func ticksBetween(before, after procTicks, skip map[int]bool) int64 {
	var sum int64
	for pid, t := range after {
		if skip[pid] {
			continue
		}
		sum += t - before[pid]
	}
	return sum
}

// pgWatch measures the CPU of a local PostgreSQL cluster's processes,
// leaving out the backends of other databases, which other users of a
// shared cluster drive.
type pgWatch struct {
	db         *sql.DB
	procRoot   string
	postmaster int
	before     procTicks
	cpuSecs    float64
	err        error
}

// newPGWatch finds the postmaster as the parent of a backend of url's
// database. It fails when the server is not on this machine.
func newPGWatch(url string) (*pgWatch, error) {
	db, err := openPool("pgx", url, 1)
	if err != nil {
		return nil, err
	}
	var backend int
	if err := db.QueryRow(`SELECT pg_backend_pid()`).Scan(&backend); err != nil {
		db.Close()
		return nil, err
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", backend))
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("PostgreSQL is not a local process (%w)", err)
	}
	ppid, _, err := parseStat(b)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &pgWatch{db: db, procRoot: "/proc", postmaster: ppid}, nil
}

func (w *pgWatch) close() {
	if w != nil {
		w.db.Close()
	}
}

// otherDatabases lists the backends serving other databases than the
// watched one.
func (w *pgWatch) otherDatabases() (map[int]bool, error) {
	rows, err := w.db.Query(`SELECT pid FROM pg_stat_activity
		WHERE backend_type = 'client backend' AND datname IS DISTINCT FROM current_database()`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int]bool{}
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			return nil, err
		}
		out[pid] = true
	}
	return out, rows.Err()
}

func (w *pgWatch) start() {
	if w == nil {
		return
	}
	w.before, w.err = childrenTicks(w.procRoot, w.postmaster)
}

func (w *pgWatch) stop() {
	if w == nil || w.err != nil {
		return
	}
	after, err := childrenTicks(w.procRoot, w.postmaster)
	if err != nil {
		w.err = err
		return
	}
	skip, err := w.otherDatabases()
	if err != nil {
		w.err = err
		return
	}
	w.cpuSecs = float64(ticksBetween(w.before, after, skip)) / clockTicks
}
