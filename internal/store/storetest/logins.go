package storetest

import (
	"testing"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

func attempt(sec int, ip, username string, ok bool) store.LoginAttempt {
	return store.LoginAttempt{At: at(sec), IP: ip, Username: username, OK: ok}
}

var loginAttemptTests = []test{
	{"FailuresSinceLastSuccess", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		la := s.LoginAttempts()
		for _, a := range []store.LoginAttempt{
			attempt(1, "ip-a", "ann", false),
			attempt(2, "ip-a", "bob", false),
			attempt(3, "ip-b", "ann", false),
			attempt(4, "ip-a", "ann", true), // a success: ann and ip-a start afresh
			attempt(5, "ip-a", "cid", false),
			attempt(6, "ip-b", "ann", false),
			attempt(7, "ip-c", "dee", false),
		} {
			must(t, la.Add(ctx, a))
		}
		check := func(by, value string, since model.Time, want int, wantLast model.Time) {
			t.Helper()
			n, last, err := la.Failures(ctx, by, value, since)
			must(t, err)
			wantEqual(t, by+" "+value+" failures", n, want)
			wantEqual(t, by+" "+value+" last failure", last, wantLast)
		}
		check(store.ByIP, "ip-a", 0, 1, at(5))
		check(store.ByIP, "ip-b", 0, 2, at(6))
		check(store.ByIP, "ip-b", at(3), 1, at(6)) // only after since
		check(store.ByUsername, "ann", 0, 1, at(6))
		check(store.ByUsername, "bob", 0, 1, at(2))
		check(store.ByUsername, "nobody", 0, 0, 0)

		must(t, la.Prune(ctx, at(6)))
		check(store.ByIP, "ip-b", 0, 1, at(6))
		check(store.ByUsername, "bob", 0, 0, 0)
		check(store.ByIP, "ip-c", 0, 1, at(7))
		_, _, err := la.Failures(ctx, "name", "x", 0)
		if err == nil {
			t.Fatal("Failures by an unknown key: no error")
		}
	}},
}
