package realtime

import (
	"context"
	"sync"
	"time"

	"github.com/parleychat/parley/internal/app"
)

// presence counts each user's logged-in connections on this node: the
// first one sets the user online, and when the last one has been gone for
// OfflineAfter the user goes offline.
type presence struct {
	s      *Server
	mu     sync.Mutex
	count  map[string]int
	timers map[string]*time.Timer
}

func newPresence(s *Server) *presence {
	return &presence{s: s, count: map[string]int{}, timers: map[string]*time.Timer{}}
}

func (p *presence) connected(ctx context.Context, uid string) {
	p.mu.Lock()
	p.count[uid]++
	first := p.count[uid] == 1
	if t := p.timers[uid]; t != nil {
		t.Stop()
		delete(p.timers, uid)
	}
	p.mu.Unlock()
	if first {
		if err := p.s.app.SetPresence(ctx, uid, app.PresenceOnline); err != nil && ctx.Err() == nil {
			p.s.log.Warn("realtime presence", "user", uid, "err", err)
		}
	}
}

func (p *presence) disconnected(uid string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.count[uid] <= 0 {
		return
	}
	if p.count[uid]--; p.count[uid] > 0 {
		return
	}
	delete(p.count, uid)
	var t *time.Timer
	t = time.AfterFunc(p.s.cfg.OfflineAfter, func() {
		p.mu.Lock()
		if p.timers[uid] != t || p.count[uid] > 0 {
			p.mu.Unlock()
			return
		}
		delete(p.timers, uid)
		p.mu.Unlock()
		p.offline(uid)
	})
	p.timers[uid] = t
}

func (p *presence) offline(uid string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.s.app.SetPresence(ctx, uid, app.PresenceOffline); err != nil {
		p.s.log.Warn("realtime presence", "user", uid, "err", err)
	}
}

// stop sets offline, at once, the users whose grace period is running:
// this node is going away.
func (p *presence) stop() {
	p.mu.Lock()
	var pending []string
	for uid, t := range p.timers {
		if t.Stop() {
			pending = append(pending, uid)
		}
		delete(p.timers, uid)
	}
	p.mu.Unlock()
	for _, uid := range pending {
		p.offline(uid)
	}
}
