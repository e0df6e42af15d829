package app

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleychat/parley/internal/auth"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// Refusals of a blocked login, as Rocket.Chat words them.
var (
	errLoginBlockedForIP   = &Error{Status: http.StatusUnauthorized, Type: "error-login-blocked-for-ip", Reason: "Login has been temporarily blocked For IP"}
	errLoginBlockedForUser = &Error{Status: http.StatusUnauthorized, Type: "error-login-blocked-for-user", Reason: "Login has been temporarily blocked For User"}
)

// loginGuard holds what failed-login counting keeps in memory: the dummy
// hash unknown users are compared with, and when old attempts were last
// pruned. The attempts themselves live in the database, so that every node
// counts the same.
type loginGuard struct {
	once      sync.Once
	dummy     string
	lastPrune atomic.Int64
}

// dummyHash is a bcrypt hash of a random password, made with the cost real
// hashes have, so that checking against it takes as long.
func (g *loginGuard) dummyHash(h auth.Hasher) string {
	g.once.Do(func() {
		d, err := h.Hash(auth.NewToken())
		if err == nil {
			g.dummy = d
		}
	})
	return g.dummy
}

// pruneEvery is how often old login attempts are deleted.
const pruneEvery = time.Minute

// loginLimit is one of the two blocks: by client address or by username.
type loginLimit struct {
	by       string
	enabled  string // setting ids
	attempts string
	minutes  string
	err      *Error
}

var loginLimits = []loginLimit{
	{store.ByIP, "Block_Multiple_Failed_Logins_By_Ip", "Block_Multiple_Failed_Logins_Attempts_Until_Block_By_Ip",
		"Block_Multiple_Failed_Logins_Time_To_Unblock_By_Ip_In_Minutes", errLoginBlockedForIP},
	{store.ByUsername, "Block_Multiple_Failed_Logins_By_User", "Block_Multiple_Failed_Logins_Attempts_Until_Block_by_User",
		"Block_Multiple_Failed_Logins_Time_To_Unblock_By_User_In_Minutes", errLoginBlockedForUser},
}

// loginLimitFor reports whether the limit applies to value, with its
// threshold and the start of its counting window.
func (a *App) loginLimitFor(l loginLimit, value string, now model.Time) (limit int, since model.Time, ok bool) {
	st := a.Settings
	if value == "" || !st.Bool("Block_Multiple_Failed_Logins_Enabled") || !st.Bool(l.enabled) {
		return 0, 0, false
	}
	if l.by == store.ByIP {
		for _, w := range strings.Split(st.String("Block_Multiple_Failed_Logins_Ip_Whitelist"), ",") {
			if strings.TrimSpace(w) == value {
				return 0, 0, false
			}
		}
	}
	limit = st.Int(l.attempts)
	if limit <= 0 {
		return 0, 0, false
	}
	return limit, now - model.Time(st.Int(l.minutes))*60_000, true
}

// failureCount is what one limit counts against a login: the failures in
// its window, the latest of them, or why they could not be read.
type failureCount struct {
	rule     loginLimit
	value    string // the address or username counted
	limit    int
	failures int
	last     model.Time
	err      error
}

// failureCounts yields a count for each limit that applies to a login from
// ip as username. It reads the next one only when asked, so that a caller
// stopping at a block spares the database the rest.
func (a *App) failureCounts(ctx context.Context, ip, username string) iter.Seq[failureCount] {
	return func(yield func(failureCount) bool) {
		now := a.now()
		for _, l := range loginLimits {
			value := ip
			if l.by == store.ByUsername {
				value = username
			}
			limit, since, ok := a.loginLimitFor(l, value, now)
			if !ok {
				continue
			}
			n, last, err := a.store.LoginAttempts().Failures(ctx, l.by, value, since)
			if !yield(failureCount{rule: l, value: value, limit: limit, failures: n, last: last, err: err}) {
				return
			}
		}
	}
}

// loginAllowed refuses a login while its address or its username has
// failed Attempts_Until_Block times within the last Time_To_Unblock
// minutes since its last success. The refused attempt counts as a failure
// too, as in Rocket.Chat, so a block lasts until the attempts stop.
func (a *App) loginAllowed(ctx context.Context, ip, username string) error {
	for c := range a.failureCounts(ctx, ip, username) {
		if c.err != nil {
			return a.storeErr(c.err)
		}
		if c.failures >= c.limit {
			a.recordLogin(ctx, ip, username, false)
			return c.rule.err
		}
	}
	return nil
}

// loginFailed records a wrong password and answers the failure. When this
// failure reaches a threshold, the notice of Notify_Failed goes out.
func (a *App) loginFailed(ctx context.Context, ip, username string) error {
	if !a.recordLogin(ctx, ip, username, false) {
		return errLoginFailed
	}
	for c := range a.failureCounts(ctx, ip, username) {
		if c.err == nil && c.failures == c.limit {
			minutes := a.Settings.Int(c.rule.minutes)
			a.notifyLoginBlock(ctx, c.value, c.last+model.Time(minutes)*60_000, c.failures)
		}
	}
	return errLoginFailed
}

// loginSucceeded records a success, which starts the counts afresh.
func (a *App) loginSucceeded(ctx context.Context, ip, username string) {
	a.recordLogin(ctx, ip, username, true)
}

// recordLogin stores one attempt while blocking is on, and now and then
// prunes the attempts no window reaches any more. A failure to record is
// logged: it must not turn a login into an error.
func (a *App) recordLogin(ctx context.Context, ip, username string, ok bool) bool {
	if !a.Settings.Bool("Block_Multiple_Failed_Logins_Enabled") {
		return false
	}
	now := a.now()
	if err := a.store.LoginAttempts().Add(ctx, store.LoginAttempt{At: now, IP: ip, Username: username, OK: ok}); err != nil {
		a.log.Warn("recording a login attempt failed", "err", err)
		return false
	}
	last := a.logins.lastPrune.Load()
	if time.Duration(int64(now)-last)*time.Millisecond >= pruneEvery && a.logins.lastPrune.CompareAndSwap(last, int64(now)) {
		keep := max(a.Settings.Int("Block_Multiple_Failed_Logins_Time_To_Unblock_By_Ip_In_Minutes"),
			a.Settings.Int("Block_Multiple_Failed_Logins_Time_To_Unblock_By_User_In_Minutes"), 60)
		if err := a.store.LoginAttempts().Prune(ctx, now-model.Time(keep)*60_000); err != nil {
			a.log.Warn("pruning login attempts failed", "err", err)
		}
	}
	return true
}

// notifyLoginBlock posts Rocket.Chat's notice of a new block, as rocket.cat,
// to the room Block_Multiple_Failed_Logins_Notify_Failed_Channel names.
// It is sent once, when the failure that starts the block is recorded.
func (a *App) notifyLoginBlock(ctx context.Context, who string, until model.Time, failures int) {
	if !a.Settings.Bool("Block_Multiple_Failed_Logins_Notify_Failed") {
		return
	}
	name := strings.TrimPrefix(strings.TrimSpace(a.Settings.String("Block_Multiple_Failed_Logins_Notify_Failed_Channel")), "#")
	if name == "" {
		a.log.Warn("cannot post the failed-login notice: Block_Multiple_Failed_Logins_Notify_Failed_Channel is empty")
		return
	}
	r, err := a.store.Rooms().GetByName(ctx, name)
	if err != nil {
		a.log.Warn("cannot post the failed-login notice: no such room", "room", name, "err", err)
		return
	}
	bot, err := a.store.Users().Get(ctx, "rocket.cat")
	if err != nil {
		// The notice reads as Rocket.Chat's, from its bot, whether or
		// not an account stands behind the name.
		bot = &model.User{ID: "rocket.cat", Username: "rocket.cat", Name: "Rocket.Cat"}
	}
	att, err := json.Marshal(map[string]any{"color": "red", "fields": []map[string]any{{
		"title": "Failed login attempt threshold exceeded",
		"value": fmt.Sprintf("User or IP: %s\nBlocked until: %s\nFailed Attempts: %d", who, until, failures),
		"short": true,
	}}})
	if err != nil {
		return
	}
	err = a.tx(ctx, func(st store.Store) error {
		_, err := a.systemMessage(ctx, st, r, bot, "", "", func(m *model.Message) {
			m.Attachments = append(m.Attachments, att)
			m.Groupable = nil
		})
		return err
	})
	if err != nil {
		a.log.Warn("posting the failed-login notice failed", "err", err)
		return
	}
}
