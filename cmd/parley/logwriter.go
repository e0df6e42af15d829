package main

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// logWriter buffers log output and writes it out every flushEvery, or
// when the buffer fills. One log line per request written straight to
// stderr costs a system call each, about a tenth of a short request's CPU.
// Lines reach the output at most flushEvery late; Close writes what is
// left. (A crash of the process can lose that last fraction of a second;
// Go's own panic output does not pass through here.)
type logWriter struct {
	mu   sync.Mutex
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

const flushEvery = 100 * time.Millisecond

func newLogWriter(out io.Writer) *logWriter {
	t := time.NewTicker(flushEvery)
	return startLogWriter(out, t.C, t.Stop)
}

// startLogWriter flushes on every tick; stopTick runs when the writer
// closes. Tests tick by hand.
func startLogWriter(out io.Writer, tick <-chan time.Time, stopTick func()) *logWriter {
	l := &logWriter{w: bufio.NewWriterSize(out, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go l.flusher(tick, stopTick)
	return l
}

func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (l *logWriter) flusher(tick <-chan time.Time, stopTick func()) {
	defer close(l.done)
	defer stopTick()
	for {
		select {
		case <-tick:
			l.flush()
		case <-l.stop:
			l.flush()
			return
		}
	}
}

func (l *logWriter) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	_ = l.w.Flush()
}

// Close stops the flusher and writes out what is buffered.
func (l *logWriter) Close() error {
	close(l.stop)
	<-l.done
	return nil
}
