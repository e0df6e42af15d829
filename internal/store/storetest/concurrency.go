package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/parleychat/parley/internal/store"
)

// Enough goroutines to overlap on any pool, few enough to stay fast.
const (
	workers = 8
	rounds  = 25
)

// parallel runs fn(i, j) for i < workers, j < rounds: the workers at once,
// each its rounds in sequence. It returns the errors, in no order.
func parallel(fn func(i, j int) error) []error {
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	start := make(chan struct{})
	for i := range workers {
		wg.Go(func() {
			<-start
			for j := range rounds {
				if err := fn(i, j); err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("worker %d round %d: %w", i, j, err))
					mu.Unlock()
				}
			}
		})
	}
	close(start)
	wg.Wait()
	return errs
}

func noErrors(t testing.TB, errs []error) {
	t.Helper()
	if len(errs) > 0 {
		t.Fatalf("%d of %d calls failed; first: %v", len(errs), workers*rounds, errs[0])
	}
}

var concurrencyTests = []test{
	{"AddUsersCountIsAtomic", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		r := createRoom(t, s, newChannel("busy", 1))
		noErrors(t, parallel(func(i, j int) error { return s.Rooms().AddUsersCount(ctx, r.ID, 1) }))
		got, err := s.Rooms().Get(ctx, r.ID)
		must(t, err)
		wantEqual(t, "usersCount", got.UsersCount, int64(workers*rounds))
	}},
	{"AddUsersCountInTransactionsIsAtomic", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		r := createRoom(t, s, newChannel("busy", 1))
		// Every other transaction rolls back: only the committed ones count.
		errs := parallel(func(i, j int) error {
			return s.InTx(ctx, func(tx store.Store) error {
				if err := tx.Rooms().AddUsersCount(ctx, r.ID, 1); err != nil {
					return err
				}
				if j%2 == 1 {
					return errBoom
				}
				return nil
			})
		})
		for _, err := range errs {
			if !errors.Is(err, errBoom) {
				t.Fatalf("unexpected error: %v", err)
			}
		}
		wantEqual(t, "rolled-back transactions", len(errs), workers*(rounds/2))
		got, err := s.Rooms().Get(ctx, r.ID)
		must(t, err)
		wantEqual(t, "usersCount", got.UsersCount, int64(workers*(rounds+1)/2))
	}},
	{"GetForUpdateSerialisesReadModifyWrite", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		createSub(t, s, newSub("r1", "u1", 1))
		noErrors(t, parallel(func(i, j int) error {
			return s.InTx(ctx, func(tx store.Store) error {
				sub, err := tx.Subscriptions().GetForUpdate(ctx, "r1", "u1")
				if err != nil {
					return err
				}
				sub.Unread++
				sub.Alert = true
				return tx.Subscriptions().Update(ctx, sub)
			})
		}))
		got, err := s.Subscriptions().Get(ctx, "r1", "u1")
		must(t, err)
		wantEqual(t, "unread", got.Unread, int64(workers*rounds))
	}},
	{"BumpConfigVersionIsAtomic", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		v0, err := s.ConfigVersion(ctx)
		must(t, err)
		noErrors(t, parallel(func(i, j int) error { return s.BumpConfigVersion(ctx) }))
		v1, err := s.ConfigVersion(ctx)
		must(t, err)
		wantEqual(t, "ConfigVersion increase", v1-v0, int64(workers*rounds))
	}},
	{"ConcurrentCreatesConflictCleanly", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		// Every round, all workers race to create the same username and room
		// name: exactly one wins and the others get ErrConflict.
		errs := parallel(func(i, j int) error {
			if err := s.Users().Create(ctx, newUser(fmt.Sprintf("racer%d", j), i)); err != nil {
				return err
			}
			return s.Rooms().Create(ctx, newChannel(fmt.Sprintf("race-%d-%d", j, i), i))
		})
		for _, err := range errs {
			if !errors.Is(err, store.ErrConflict) {
				t.Fatalf("got %v, want ErrConflict", err)
			}
		}
		n, err := s.Users().Count(ctx)
		must(t, err)
		wantEqual(t, "users", n, rounds)
		wantEqual(t, "conflicts", len(errs), (workers-1)*rounds)
	}},
}
