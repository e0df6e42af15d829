package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// BenchmarkDMRead reads one page of 50 from dm.history and dm.messages on
// a conversation of 10,000 and 100,000 messages, at the newest end and
// halfway back. The newest page must cost about the same at both sizes.
//
//	go test -run '^$' -bench BenchmarkDMRead -benchtime 200x ./internal/api/
func BenchmarkDMRead(b *testing.B) {
	for _, size := range []int{10_000, 100_000} {
		b.Run("msgs="+strconv.Itoa(size), func(b *testing.B) {
			e := apitest.New(b)
			alice := e.NewUser(b, "alice")
			e.NewUser(b, "bob")
			rid := alice.CreateDM(b, "dm", map[string]any{"username": "bob"})["_id"].(string)
			seedMessages(b, e.Store, rid, alice.UserID, size)
			for _, ep := range []string{"dm.history", "dm.messages"} {
				for _, offset := range []int{0, size / 2} {
					b.Run(fmt.Sprintf("%s/offset=%d", ep, offset), func(b *testing.B) {
						target := "/api/v1/" + ep + "?roomId=" + rid + "&count=50&offset=" + strconv.Itoa(offset)
						for b.Loop() {
							r := alice.Do(b, http.MethodGet, target, nil, "")
							if r.Status != http.StatusOK {
								b.Fatalf("status %d: %s", r.Status, r.Body)
							}
						}
					})
				}
			}
		})
	}
}

// seedMessages writes n messages straight into the store, in batches.
func seedMessages(b *testing.B, st store.Store, rid, uid string, n int) {
	b.Helper()
	ctx := context.Background()
	start := model.Now() - model.Time(n)*1000
	const batch = 5000
	for done := 0; done < n; done += batch {
		err := st.InTx(ctx, func(tx store.Store) error {
			for i := done; i < min(done+batch, n); i++ {
				ts := start + model.Time(i)*1000
				m := &model.Message{ID: model.NewID(), RID: rid, Msg: "message " + strconv.Itoa(i), Ts: ts, UpdatedAt: ts,
					U: model.UserRef{ID: uid, Username: "alice"}, Mentions: []model.Mention{}}
				if err := tx.Messages().Insert(ctx, m); err != nil {
					return err
				}
			}
			return tx.Rooms().AddMessages(ctx, rid, min(batch, n-done), nil)
		})
		if err != nil {
			b.Fatalf("seed: %v", err)
		}
	}
}
