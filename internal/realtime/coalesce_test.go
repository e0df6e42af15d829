package realtime

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"
)

// countingConn records each write that reaches the socket.
type countingConn struct {
	net.Conn
	writes [][]byte
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.writes = append(c.writes, bytes.Clone(p))
	return len(p), nil
}

func (c *countingConn) SetWriteDeadline(time.Time) error { return nil }

func TestCoalescerBatchesWritesWhileHeld(t *testing.T) {
	t.Parallel()
	sock := &countingConn{}
	c := &coalescer{conn: sock}

	// Outside a batch, every write reaches the socket at once: the
	// library's pongs and close frames are never held back.
	mustWrite(t, c, "pong")
	if len(sock.writes) != 1 {
		t.Fatalf("unheld write: %d socket writes, want 1", len(sock.writes))
	}

	c.hold(time.Second)
	for _, f := range []string{"a", "bb", "ccc"} {
		mustWrite(t, c, f)
	}
	if len(sock.writes) != 1 {
		t.Fatalf("held writes reached the socket early: %q", sock.writes)
	}
	if err := c.release(); err != nil {
		t.Fatal(err)
	}
	if len(sock.writes) != 2 || string(sock.writes[1]) != "abbccc" {
		t.Fatalf("batch: socket writes %q, want one write of the three frames in order", sock.writes)
	}

	// A batch larger than the limit is written as it grows, in order.
	c.hold(time.Second)
	big := bytes.Repeat([]byte("x"), coalesceLimit)
	mustWrite(t, c, string(big))
	mustWrite(t, c, "tail")
	if err := c.release(); err != nil {
		t.Fatal(err)
	}
	if got := bytes.Join(sock.writes[2:], nil); !bytes.Equal(got, append(big, "tail"...)) || len(sock.writes) != 4 {
		t.Fatalf("large batch: %d socket writes carrying %d bytes", len(sock.writes)-2, len(got))
	}
	if c.release() != nil || len(sock.writes) != 4 {
		t.Fatal("an empty batch wrote to the socket")
	}
}

func mustWrite(t *testing.T, w io.Writer, s string) {
	t.Helper()
	if n, err := w.Write([]byte(s)); err != nil || n != len(s) {
		t.Fatalf("write %q: %d, %v", s, n, err)
	}
}
