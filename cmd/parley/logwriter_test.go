package main

import (
	"testing"
	"time"
)

func TestLogWriterFlushes(t *testing.T) {
	t.Parallel()
	var out lockedBuffer
	w := newLogWriter(&out)
	w.Write([]byte("first\n"))
	deadline := time.Now().Add(10 * flushEvery)
	for out.String() != "first\n" {
		if time.Now().After(deadline) {
			t.Fatalf("a buffered line was not written within %v: %q", 10*flushEvery, out.String())
		}
		time.Sleep(flushEvery / 4)
	}
	w.Write([]byte("last\n"))
	w.Close()
	if got := out.String(); got != "first\nlast\n" {
		t.Fatalf("after Close the output is %q", got)
	}
}
