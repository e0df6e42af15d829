package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, which the Linux ABI fixes at 100 on every
// architecture Go supports, so it is not looked up at run time.
const clockTicks = 100

// procSample is what /proc tells about a server process at one instant.
type procSample struct {
	rssKB, peakKB int64
	cpuSecs       float64
}

func readProc(pid int) (procSample, error) {
	var s procSample
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, err
	}
	_, ticks, err := parseStat(stat)
	if err != nil {
		return s, err
	}
	s.cpuSecs = float64(ticks) / clockTicks
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, err
	}
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		for key, dst := range map[string]*int64{"VmRSS:": &s.rssKB, "VmHWM:": &s.peakKB} {
			if rest, ok := strings.CutPrefix(sc.Text(), key); ok {
				if f := strings.Fields(rest); len(f) > 0 {
					*dst, _ = strconv.ParseInt(f[0], 10, 64)
				}
			}
		}
	}
	return s, nil
}

// parseStat reads the parent's pid and the CPU time (utime + stime, in
// clock ticks) from the contents of /proc/PID/stat.
func parseStat(stat []byte) (ppid int, ticks int64, err error) {
	// The command name may contain spaces and parentheses; the fields that
	// matter are counted from the last ')'.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, 0, errors.New("malformed /proc stat")
	}
	f := strings.Fields(string(stat[i+1:]))
	// f[0] is field 3 (state), f[1] field 4 (ppid); utime and stime are
	// fields 14 and 15.
	if len(f) < 13 {
		return 0, 0, errors.New("short /proc stat")
	}
	ppid, err1 := strconv.Atoi(f[1])
	ut, err2 := strconv.ParseInt(f[11], 10, 64)
	st, err3 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2, err3); err != nil {
		return 0, 0, fmt.Errorf("malformed /proc stat: %w", err)
	}
	return ppid, ut + st, nil
}

// ServerUse is the server-side cost of one measured run.
type ServerUse struct {
	RSSBeforeMB float64 `json:"rss_before_mb"`
	RSSAfterMB  float64 `json:"rss_after_mb"`
	// RSSPeakMB is the process's high-water mark since it started.
	RSSPeakMB     float64 `json:"rss_peak_mb"`
	CPUSeconds    float64 `json:"cpu_seconds"`
	CPUMicrosPer  float64 `json:"cpu_us_per_request"`
	CoresUsedMean float64 `json:"cores_used"`
}

// procWatch samples pid at the edges of the measured window.
type procWatch struct {
	pid           int
	before, after procSample
	err           error
}

func (p *procWatch) start() {
	if p == nil || p.pid == 0 {
		return
	}
	p.before, p.err = readProc(p.pid)
}

func (p *procWatch) stop() {
	if p == nil || p.pid == 0 || p.err != nil {
		return
	}
	p.after, p.err = readProc(p.pid)
}

func (p *procWatch) use(s Summary) *ServerUse {
	if p == nil || p.pid == 0 || p.err != nil {
		return nil
	}
	u := &ServerUse{
		RSSBeforeMB: float64(p.before.rssKB) / 1024,
		RSSAfterMB:  float64(p.after.rssKB) / 1024,
		RSSPeakMB:   float64(p.after.peakKB) / 1024,
		CPUSeconds:  p.after.cpuSecs - p.before.cpuSecs,
	}
	if s.Requests > 0 {
		u.CPUMicrosPer = u.CPUSeconds * 1e6 / float64(s.Requests)
	}
	if s.Seconds > 0 {
		u.CoresUsedMean = u.CPUSeconds / s.Seconds
	}
	return u
}

// freeAddr asks the kernel for a free loopback port. Another process could
// take it before the server binds it; on a benchmark box that does not
// happen in practice, and the server would then fail loudly at start.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// spawned is a parley server started by the tool.
type spawned struct {
	cmd     *exec.Cmd
	exited  chan error
	url     string
	dataDir string
	logPath string
}

type spawnOpts struct {
	bin, db, logLevel  string
	pprof              bool
	adminUser, adminPW string
	extraEnv           []string
	// dir, when set, is the directory of an earlier spawn to start on
	// again, keeping its database.
	dir string
}

func spawnParley(ctx context.Context, o spawnOpts) (*spawned, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	dir := o.dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "parley-load-*"); err != nil {
			return nil, err
		}
	}
	logPath := filepath.Join(dir, "server.log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(o.bin, "serve")
	cmd.Env = append(os.Environ(),
		"PARLEY_ADDR="+addr,
		"PARLEY_DATA_DIR="+filepath.Join(dir, "data"),
		"PARLEY_DATABASE_URL="+o.db,
		"PARLEY_LOG_LEVEL="+o.logLevel,
		"ADMIN_USERNAME="+o.adminUser,
		"ADMIN_PASS="+o.adminPW,
		"ADMIN_EMAIL="+o.adminUser+"@load.invalid",
	)
	if o.pprof {
		cmd.Env = append(cmd.Env, "PARLEY_PPROF=true")
	}
	cmd.Env = append(cmd.Env, o.extraEnv...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	logf.Close()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	sp := &spawned{cmd: cmd, exited: exited, url: "http://" + addr, dataDir: dir, logPath: logPath}
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case err := <-exited:
			return nil, fmt.Errorf("parley exited during start (%v); see %s", err, logPath)
		case <-ctx.Done():
			sp.stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		resp, err := http.Get(sp.url + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return sp, nil
			}
		}
		if time.Now().After(deadline) {
			sp.stop()
			return nil, fmt.Errorf("parley did not become healthy in 60s; see %s", logPath)
		}
	}
}

func (s *spawned) pid() int { return s.cmd.Process.Pid }

func (s *spawned) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}
