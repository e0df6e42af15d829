package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// benchList measures GET path?q as c. Calls in the loop go through the
// router without apitest's schema check, which would otherwise dominate
// the measurement; one call before it is checked. It reports the size of
// the answer.
func benchList(b *testing.B, e *apitest.Env, c *apitest.Client, path string, q url.Values) {
	c.Get(b, path, q).OK(b)
	size := 0
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/"+path+"?"+q.Encode(), nil)
		req.RemoteAddr = "192.0.2.1:1234"
		req.Header.Set("X-User-Id", c.UserID)
		req.Header.Set("X-Auth-Token", c.Token)
		rec := httptest.NewRecorder()
		e.Handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
		}
		size = rec.Body.Len()
	}
	b.ReportMetric(float64(size), "bytes/response")
}

// BenchmarkGetThreadsList pages (50 a page, the default) through a room of
// 10,000 threads, each with 5 replies counted and two followers.
func BenchmarkGetThreadsList(b *testing.B) {
	const threads = 10_000
	e := apitest.New(b)
	owner := e.NewUser(b, "owner")
	rid := owner.CreateRoom(b, "groups", e.Unique("bench"), nil)
	ctx := context.Background()
	base := model.Now() - threads*1000
	err := e.Store.InTx(ctx, func(st store.Store) error {
		for i := range threads {
			ts := base + model.Time(i*1000)
			tlm := ts + 500
			m := &model.Message{
				ID: model.NewID(), RID: rid, Msg: fmt.Sprintf("thread number %d", i), Ts: ts, UpdatedAt: tlm,
				U: model.UserRef{ID: owner.UserID, Username: owner.Username}, TCount: 5, TLM: &tlm,
				Replies: []string{owner.UserID, "someone-else-id"},
			}
			if err := st.Messages().Insert(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	benchList(b, e, owner, "chat.getThreadsList", apitest.Q("rid", rid))
}

// BenchmarkGetMessageReadReceipts lists the receipts of one message read by
// 1,000 users (all of them in one answer).
func BenchmarkGetMessageReadReceipts(b *testing.B) {
	const readers = 1_000
	e := apitest.New(b)
	owner := e.NewUser(b, "owner")
	rid := owner.CreateRoom(b, "groups", e.Unique("bench"), nil)
	e.SetSetting(b, "Message_Read_Receipt_Enabled", true)
	e.SetSetting(b, "Message_Read_Receipt_Store_Users", true)
	mid := owner.PostText(b, rid, "read me")["_id"].(string)
	ctx := context.Background()
	now := model.Now()
	err := e.Store.InTx(ctx, func(st store.Store) error {
		for i := range readers {
			u := &model.User{
				ID: model.NewID(), Username: fmt.Sprintf("reader%04d", i), Name: fmt.Sprintf("Reader %d", i),
				Type: "user", Active: true, Roles: []string{"user"}, CreatedAt: now, UpdatedAt: now,
			}
			if err := st.Users().Create(ctx, u); err != nil {
				return err
			}
			if err := st.Receipts().Add(ctx, &store.Receipt{RoomID: rid, UserID: u.ID, MessageID: mid, Ts: now + model.Time(i)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	benchList(b, e, owner, "chat.getMessageReadReceipts", apitest.Q("messageId", mid))
}
