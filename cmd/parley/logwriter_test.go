package main

import (
	"testing"
	"time"
)

func TestLogWriterFlushes(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	tick := make(chan time.Time)
	stopped := false
	w := startLogWriter(&out, tick, func() { stopped = true })
	w.Write([]byte("first\n"))
	if got := out.String(); got != "" {
		t.Fatalf("written before a tick: %q", got)
	}
	// The channel is unbuffered: the second tick is taken only once the
	// flush of the first is done.
	tick <- time.Now()
	tick <- time.Now()
	if got := out.String(); got != "first\n" {
		t.Fatalf("after a tick the output is %q", got)
	}
	w.Write([]byte("last\n"))
	w.Close()
	if got := out.String(); got != "first\nlast\n" {
		t.Fatalf("after Close the output is %q", got)
	}
	if !stopped {
		t.Error("Close left the ticker running")
	}
}
