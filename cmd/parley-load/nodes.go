package main

import (
	"context"
	"os"
	"time"

	"github.com/parleychat/parley/internal/events/pgbus"
)

// aloneAfter is how long after it starts, or after the last other node
// stopped, a node takes itself to be alone and stops sending events: the
// bus's peer timeout, which the server does not change, with a margin.
// Tests shorten it.
var aloneAfter = pgbus.DefaultPeerTimeout + time.Second

// cluster is the Parley nodes the tool started, all on one database.
// Node 0 is the one the fixture is built through; the others start once
// the database holds the fixture, so that they load it fresh.
type cluster struct {
	opts  spawnOpts
	nodes []*spawned
	// dirs keeps each node's data directory across a stop and a start, so
	// that a SQLite node comes back on its database.
	dirs []string
	// quietFrom is when a node left running alone stops sending events: a
	// node sends them for a peer timeout after it starts, and after it
	// last heard another.
	quietFrom time.Time
}

// start runs nodes 0…n-1, starting those that are not running.
func (c *cluster) start(ctx context.Context, n int) error {
	for i := range n {
		if i < len(c.nodes) && c.nodes[i] != nil {
			continue
		}
		o := c.opts
		if i < len(c.dirs) {
			o.dir = c.dirs[i]
		}
		sp, err := spawnParley(ctx, o)
		if err != nil {
			return err
		}
		c.quietFrom = time.Now().Add(aloneAfter)
		if i < len(c.nodes) {
			c.nodes[i] = sp
		} else {
			c.nodes = append(c.nodes, sp)
		}
		if i >= len(c.dirs) {
			c.dirs = append(c.dirs, sp.dataDir)
		}
	}
	return nil
}

// resize runs exactly nodes 0…n-1: it starts the missing ones and stops
// the others, keeping their directories. On PostgreSQL a node that still
// hears another sends it every event, which a single node does not, so
// for one node resize waits until it takes itself to be alone: a one-node
// run then measures what a one-node installation does. SQLite nodes have
// no bus, and never wait.
func (c *cluster) resize(ctx context.Context, n int) error {
	for i := n; i < len(c.nodes); i++ {
		if c.nodes[i] != nil {
			c.nodes[i].stop()
			c.nodes[i] = nil
			c.quietFrom = time.Now().Add(aloneAfter)
		}
	}
	if err := c.start(ctx, n); err != nil {
		return err
	}
	if n > 1 || !onPostgres(c.opts.db) {
		return nil
	}
	select {
	case <-time.After(time.Until(c.quietFrom)):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// stop stops every node, keeping their data directories.
func (c *cluster) stop() {
	for i, sp := range c.nodes {
		if sp != nil {
			sp.stop()
			c.nodes[i] = nil
		}
	}
}

// close stops the nodes and removes their directories.
func (c *cluster) close() {
	c.stop()
	for _, d := range c.dirs {
		os.RemoveAll(d)
	}
}

func (c *cluster) urls(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = c.nodes[i].url
	}
	return out
}

func (c *cluster) pids(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = c.nodes[i].pid()
	}
	return out
}

// spreadOver sends worker w's requests to node nodeOf(w, n), each node's
// requests built by per from that node's base URL.
func spreadOver(bases []string, per func(base string) nextFunc) nextFunc {
	fs := make([]nextFunc, len(bases))
	for i, b := range bases {
		fs[i] = per(b)
	}
	return func(w, seq int) reqSpec { return fs[nodeOf(w, len(fs))](w, seq) }
}
