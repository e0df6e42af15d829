package api_test

import (
	"testing"
	"time"

	"github.com/parleychat/parley/internal/api/apitest"
)

// The server reads the time from the clock it was given: windows that last
// minutes pass when the test moves the clock, with no waiting.
func TestServerTimeFollowsTheClock(t *testing.T) {
	t.Parallel()

	t.Run("edit limit", func(t *testing.T) {
		t.Parallel()
		clock := apitest.NewClock(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
		e := apitest.New(t, apitest.WithClock(clock))
		e.SetSetting(t, "Message_AllowEditing_BlockEditInMinutes", 1)
		alice := e.NewUser(t, "alice")
		rid := alice.CreateRoom(t, "groups", "clocked", nil)
		m := alice.PostText(t, rid, "now")
		id := m["_id"].(string)
		if ts := m["ts"]; ts != "2030-01-02T03:04:05.000Z" && ts != "2030-01-02T03:04:05.001Z" {
			t.Fatalf("ts = %v, want the clock's time", ts)
		}
		clock.Advance(59 * time.Second)
		alice.UpdateMessage(t, rid, id, "still in time").OK(t)
		clock.Advance(2 * time.Second)
		alice.UpdateMessage(t, rid, id, "too late").Fails(t, 400, "error-message-editing-blocked", "Message editing is blocked [error-message-editing-blocked]")
	})

	t.Run("login block", func(t *testing.T) {
		t.Parallel()
		clock := apitest.NewClock(time.Now())
		e := apitest.New(t, apitest.WithClock(clock))
		e.SetSetting(t, "Block_Multiple_Failed_Logins_Attempts_Until_Block_by_User", 2)
		e.SetSetting(t, "Block_Multiple_Failed_Logins_Time_To_Unblock_By_User_In_Minutes", 5)
		e.NewUser(t, "guessed")
		// Failures count from the last success, which NewUser's login was:
		// on a clock that stands still they must come later.
		clock.Advance(time.Second)
		tryLogin(t, e, "guessed", "wrong-1").Expect(t, 401)
		tryLogin(t, e, "guessed", "wrong-2").Expect(t, 401)
		checkBlockedLogin(t, tryLogin(t, e, "guessed", "pw-guessed"), "error-login-blocked-for-user", "Login has been temporarily blocked For User")
		// The refused attempt counts too: four minutes on, still blocked.
		clock.Advance(4 * time.Minute)
		checkBlockedLogin(t, tryLogin(t, e, "guessed", "pw-guessed"), "error-login-blocked-for-user", "Login has been temporarily blocked For User")
		// Five quiet minutes after the last attempt, the block is over.
		clock.Advance(5*time.Minute + time.Second)
		tryLogin(t, e, "guessed", "pw-guessed").OK(t)
	})
}
