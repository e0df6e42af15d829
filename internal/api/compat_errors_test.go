package api_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/api/apitest"
)

// These tests pin the error answers Rocket.Chat's clients and end-to-end
// tests expect, where they differ from a plain schema failure.

func TestCompatPostMessageWithoutTarget(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	rid := e.Admin.CreateRoom(t, "channels", e.Unique("notarget"), nil)
	before := len(e.Admin.History(t, "channels", rid))

	e.Admin.Post(t, "chat.postMessage", map[string]any{"text": "to nowhere"}).
		Fails(t, 400, "invalid-channel", "[invalid-channel]")
	e.Admin.Post(t, "chat.postMessage", map[string]any{}).
		Fails(t, 400, "invalid-channel", "[invalid-channel]")
	form := url.Values{"text": {"to nowhere"}}.Encode()
	e.Admin.Do(t, "POST", "/api/v1/chat.postMessage", []byte(form), "application/x-www-form-urlencoded").
		Fails(t, 400, "invalid-channel", "[invalid-channel]")
	// The rest of the body is still checked first.
	e.Admin.Post(t, "chat.postMessage", map[string]any{"text": "x", "bogus": 1}).
		Fails(t, 400, "invalid-params", "must NOT have additional properties [invalid-params]")

	if after := len(e.Admin.History(t, "channels", rid)); after != before {
		t.Fatalf("history grew from %d to %d", before, after)
	}
}

func TestCompatGetDeletedMessagesErrors(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	rid := e.Admin.CreateRoom(t, "channels", e.Unique("deleted"), nil)
	since := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339Nano)
	const (
		noRoom  = `The required "roomId" query param is missing.`
		noSince = `The required "since" query param is missing.`
		badDate = `The "since" query parameter must be a valid date.`
	)
	for _, tc := range []struct {
		name string
		q    []string
		want string
	}{
		{"roomId missing", []string{"since", since}, noRoom},
		{"roomId empty", []string{"roomId", "", "since", since}, noRoom},
		{"both missing", nil, noRoom},
		{"since missing", []string{"roomId", rid}, noSince},
		{"since empty", []string{"roomId", rid, "since", ""}, noSince},
		{"since not a date", []string{"roomId", rid, "since", "not-a-date"}, badDate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Rocket.Chat throws the text as the error code: errorType is
			// the text, and error is the text in brackets.
			e.Admin.Get(t, "chat.getDeletedMessages", apitest.Q(tc.q...)).Fails(t, 400, tc.want, "["+tc.want+"]")
		})
	}
	// Date.parse's forms are accepted, a date alone among them.
	e.Admin.Get(t, "chat.getDeletedMessages", apitest.Q("roomId", rid, "since", "2020-01-01")).OK(t)
}

func TestCompatRoomListingsWithoutRoomID(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	const text = `The required "roomId" query param is missing.`
	for _, tc := range []struct {
		path, errorType string
	}{
		{"chat.getPinnedMessages", "error-roomId-param-not-provided"},
		{"chat.getMentionedMessages", "error-invalid-params"},
		{"chat.getStarredMessages", "error-invalid-params"},
		{"chat.getDiscussions", "error-invalid-params"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			e.Admin.Get(t, tc.path).Fails(t, 400, tc.errorType, text+" ["+tc.errorType+"]")
			e.Admin.Get(t, tc.path, apitest.Q("roomId", "")).Fails(t, 400, tc.errorType, text+" ["+tc.errorType+"]")
		})
	}
}

func TestCompatSyncThreadsErrors(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	rid := e.Admin.CreateRoom(t, "channels", e.Unique("syncthreads"), nil)
	tmid := e.Admin.PostText(t, rid, "parent")["_id"].(string)
	e.Admin.Reply(t, rid, tmid, "reply")
	since := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339Nano)
	for _, tc := range []struct {
		path      string
		name      string
		q         []string
		errorType string
		text      string
	}{
		{"chat.syncThreadsList", "rid missing", []string{"updatedSince", since}, "error-room-id-param-not-provided",
			`The required "rid" query param is missing. [error-room-id-param-not-provided]`},
		{"chat.syncThreadsList", "updatedSince missing", []string{"rid", rid}, "error-updatedSince-param-invalid",
			`The required param "updatedSince" is missing. [error-updatedSince-param-invalid]`},
		{"chat.syncThreadsList", "updatedSince not a date", []string{"rid", rid, "updatedSince", "yesterday"}, "error-updatedSince-param-invalid",
			`The "updatedSince" query parameter must be a valid date. [error-updatedSince-param-invalid]`},
		{"chat.syncThreadMessages", "tmid missing", []string{"updatedSince", since}, "error-invalid-params",
			`The required "tmid" query param is missing. [error-invalid-params]`},
		{"chat.syncThreadMessages", "updatedSince missing", []string{"tmid", tmid}, "error-updatedSince-param-invalid",
			`The required param "updatedSince" is missing. [error-updatedSince-param-invalid]`},
		{"chat.syncThreadMessages", "updatedSince not a date", []string{"tmid", tmid, "updatedSince", "yesterday"}, "error-updatedSince-param-invalid",
			`The "updatedSince" query parameter must be a valid date. [error-updatedSince-param-invalid]`},
	} {
		t.Run(tc.path+"/"+tc.name, func(t *testing.T) {
			e.Admin.Get(t, tc.path, apitest.Q(tc.q...)).Fails(t, 400, tc.errorType, tc.text)
		})
	}
	e.Admin.Get(t, "chat.syncThreadsList", apitest.Q("rid", rid, "updatedSince", since)).OK(t)
	res := e.Admin.Get(t, "chat.syncThreadMessages", apitest.Q("tmid", tmid, "updatedSince", since)).OK(t).JSON(t)
	if upd := res["messages"].(map[string]any)["update"].([]any); len(upd) != 1 {
		t.Fatalf("update = %v", upd)
	}

	// With threads off the answer is the same whatever the query holds.
	e.SetSetting(t, "Threads_enabled", false)
	const off = "Threads Disabled [error-not-allowed]"
	for _, q := range [][]string{nil, {"tmid", tmid}, {"updatedSince", "yesterday"}, {"bogus", "1"}, {"tmid", tmid, "updatedSince", since}} {
		e.Admin.Get(t, "chat.syncThreadMessages", apitest.Q(q...)).Fails(t, 400, "error-not-allowed", off)
		e.Admin.Get(t, "chat.syncThreadsList", apitest.Q(q...)).Fails(t, 400, "error-not-allowed", off)
	}
}

func TestCompatSaveSettingErrors(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	// An id Rocket.Chat has and Parley does not.
	e.Admin.Post(t, "settings/Livechat_enabled", map[string]any{"value": true}).
		Fails(t, 400, "error-setting-not-found", `Setting "Livechat_enabled" does not exist [error-setting-not-found]`)
	e.Admin.Get(t, "settings/Livechat_enabled").
		Fails(t, 400, "error-setting-not-found", `Setting "Livechat_enabled" does not exist [error-setting-not-found]`)
	// Values of the wrong type name the setting and the type it takes.
	for _, tc := range []struct {
		id    string
		value any
		text  string
	}{
		{"Message_MaxAllowedSize", "many", "setting Message_MaxAllowedSize must be an integer [error-invalid-setting-value]"},
		{"Message_MaxAllowedSize", 1.5, "setting Message_MaxAllowedSize must be an integer [error-invalid-setting-value]"},
		{"Threads_enabled", "maybe", "setting Threads_enabled must be a boolean [error-invalid-setting-value]"},
		{"Threads_enabled", []any{true}, "setting Threads_enabled must be a boolean [error-invalid-setting-value]"},
		{"Site_Name", 7, "setting Site_Name must be a string [error-invalid-setting-value]"},
	} {
		e.Admin.Post(t, "settings/"+tc.id, map[string]any{"value": tc.value}).Fails(t, 400, "error-invalid-setting-value", tc.text)
	}
	e.Admin.Post(t, "settings/Threads_enabled", map[string]any{"execute": true}).
		Fails(t, 400, "invalid-params", "must have required property 'value' [invalid-params]")
	// Nothing was changed by the refusals.
	got := e.Admin.Get(t, "settings/Threads_enabled").OK(t).JSON(t)
	if got["value"] != true {
		t.Fatalf("Threads_enabled = %v", got["value"])
	}
}
