package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

// methodFrame is a DDP method frame as a client writes it.
func methodFrame(method string, params ...any) string {
	if params == nil {
		params = []any{}
	}
	b, _ := json.Marshal(map[string]any{"msg": "method", "id": "7", "method": method, "params": params})
	return string(b)
}

// callMethod posts frame to method.call (or method.callAnon when anon) under
// the URL name urlName, and returns the status and the decoded result frame.
func callMethod(t *testing.T, c *apitest.Client, anon bool, urlName, frame string) (int, map[string]any) {
	t.Helper()
	route := "method.call/"
	if anon {
		route = "method.callAnon/"
	}
	r := c.Post(t, route+urlName, map[string]any{"message": frame})
	body := r.JSON(t)
	want := r.Status == http.StatusOK
	if body["success"] != want {
		t.Fatalf("%s: status %d with success %v: %s", urlName, r.Status, body["success"], r.Body)
	}
	text, ok := body["message"].(string)
	if !ok {
		t.Fatalf("%s: no message string: %s", urlName, r.Body)
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		t.Fatalf("%s: message is not JSON: %v: %s", urlName, err, text)
	}
	if out["msg"] != "result" || out["id"] != "7" {
		t.Fatalf("%s: frame = %v", urlName, out)
	}
	return r.Status, out
}

// methodOK calls method and returns its result.
func methodOK(t *testing.T, c *apitest.Client, method string, params ...any) any {
	t.Helper()
	status, out := callMethod(t, c, false, method, methodFrame(method, params...))
	if status != http.StatusOK || out["error"] != nil {
		t.Fatalf("%s: %d %v", method, status, out)
	}
	return out["result"]
}

// methodFails calls method and checks its Meteor error: code, and reason
// unless empty.
func methodFails(t *testing.T, c *apitest.Client, anon bool, method string, code any, reason string, params ...any) map[string]any {
	t.Helper()
	status, out := callMethod(t, c, anon, method, methodFrame(method, params...))
	e, _ := out["error"].(map[string]any)
	if status != http.StatusBadRequest || e == nil {
		t.Fatalf("%s: %d %v, want an error", method, status, out)
	}
	if _, has := out["result"]; has {
		t.Errorf("%s: error frame has a result: %v", method, out)
	}
	if e["error"] != code || (reason != "" && e["reason"] != reason) {
		t.Fatalf("%s: error %v (%v), want %v (%q)", method, e["error"], e["reason"], code, reason)
	}
	wantMsg := e["reason"].(string) + " [" + strings.Trim(apitest.JSON(code), `"`) + "]"
	if e["isClientSafe"] != true || e["errorType"] != "Meteor.Error" || e["message"] != wantMsg {
		t.Errorf("%s: error shape = %v", method, e)
	}
	return e
}

// storedPrefs reads c's stored preferences. (users.getPreferences would do,
// but the spec wrongly types highlights as a list of objects.)
// newMethodScene is a scene for tests that call the same method many
// times in a row, which the per-user method rate limit would refuse.
func newMethodScene(t *testing.T, names ...string) *apitest.Scene {
	t.Helper()
	e := apitest.NewScene(t, names...)
	e.SetSetting(t, "DDP_Rate_Limit_User_By_Method_Enabled", false)
	return e
}

func storedPrefs(t *testing.T, e *apitest.Env, c *apitest.Client) map[string]any {
	t.Helper()
	u, err := e.Store.Users().Get(t.Context(), c.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if u.Settings == nil {
		return nil
	}
	return u.Settings.Preferences
}

func TestMethodCallFraming(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	alice := e.NewUser(t, "alice")

	// An unknown method is Meteor's 404 inside the frame.
	methodFails(t, alice, false, "noSuchMethod", 404.0, "Method 'noSuchMethod' not found")
	methodFails(t, e.Anon(), true, "noSuchMethod", 404.0, "Method 'noSuchMethod' not found")

	// The body must be {"message": "<string>"}.
	for _, c := range []struct {
		body any
		want string
	}{
		{map[string]any{}, "must have required property 'message' [invalid-params]"},
		{map[string]any{"message": []string{"x"}}, "must be string [invalid-params]"},
		{map[string]any{"message": "x", "other": 1}, "must NOT have additional properties [invalid-params]"},
	} {
		alice.Post(t, "method.call/saveUserPreferences", c.body).Fails(t, 400, "invalid-params", c.want)
	}
	// The message must be a DDP method frame.
	for _, frame := range []string{
		"not json",
		`[1,2]`,
		`{"msg":"method","id":"1","method":"saveUserPreferences"}`,
		`{"msg":"sub","id":"1","method":"saveUserPreferences","params":[]}`,
		`{"msg":"method","id":1,"method":"saveUserPreferences","params":[]}`,
		`{"msg":"method","id":"1","method":"saveUserPreferences","params":{}}`,
		`{"msg":"method","id":"1","method":"saveUserPreferences","params":[],"extra":true}`,
	} {
		alice.Post(t, "method.call/saveUserPreferences", map[string]any{"message": frame}).Fails(t, 400, "", "Invalid method call")
	}
	// DDP's randomSeed is part of a frame.
	status, _ := callMethod(t, alice, false, "saveUserPreferences",
		`{"msg":"method","id":"7","method":"saveUserPreferences","params":[{}],"randomSeed":"abc"}`)
	if status != http.StatusOK {
		t.Errorf("randomSeed refused")
	}

	// method.call needs a login; method.callAnon does not, but a method
	// that needs a user refuses an anonymous caller.
	e.Anon().Post(t, "method.call/saveUserPreferences", map[string]any{"message": methodFrame("saveUserPreferences", map[string]any{})}).Expect(t, 401)
	methodFails(t, e.Anon(), true, "saveUserPreferences", "error-invalid-user", "Invalid user", map[string]any{"useEmojis": false})
	methodFails(t, e.Anon(), true, "addUsersToRoom", "error-invalid-user", "Invalid user", map[string]any{"rid": "GENERAL", "users": []string{"alice"}})

	// The frame names the method, whatever the path says.
	status, out := callMethod(t, alice, false, "autoTranslate.translateMessage", methodFrame("saveUserPreferences", map[string]any{"useEmojis": false}))
	if status != http.StatusOK || out["result"] != true {
		t.Errorf("frame's method not run: %d %v", status, out)
	}
	prefs := alice.Get(t, "users.getPreferences").OK(t).JSON(t)["preferences"].(map[string]any)
	if prefs["useEmojis"] != false {
		t.Errorf("preferences = %v", prefs)
	}
}

func TestMethodAddUsersToRoom(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "bob", "carol", "dave")
	alice, bob, carol, dave := e.Users[0], e.Users[1], e.Users[2], e.Users[3]
	group := alice.CreateRoom(t, "groups", "team", nil)
	channel := alice.CreateRoom(t, "channels", "hall", nil)

	// A member adds others by username ("@" allowed); each gets an "au"
	// message written by the one who added them.
	if got := methodOK(t, alice, "addUsersToRoom", map[string]any{"rid": group, "users": []string{"bob", "@carol"}}); got != true {
		t.Fatalf("result = %v", got)
	}
	info := alice.RoomInfo(t, group)
	if info["usersCount"] != 3.0 {
		t.Errorf("usersCount = %v", info["usersCount"])
	}
	bob.Get(t, "subscriptions.getOne", apitest.Q("roomId", group)).OK(t)
	carol.Get(t, "subscriptions.getOne", apitest.Q("roomId", group)).OK(t)
	var added []string
	for _, m := range alice.History(t, "groups", group) {
		if m["t"] == "au" {
			if u := m["u"].(map[string]any); u["username"] != "alice" {
				t.Errorf("au written by %v", u["username"])
			}
			added = append(added, m["msg"].(string))
		}
	}
	if strings.Join(added, ",") != "carol,bob" {
		t.Errorf("au messages = %v", added)
	}
	// Adding a member again changes nothing.
	methodOK(t, alice, "addUsersToRoom", map[string]any{"rid": group, "users": []string{"bob"}})
	if info := alice.RoomInfo(t, group); info["usersCount"] != 3.0 {
		t.Errorf("usersCount after re-adding = %v", info["usersCount"])
	}

	// One unknown name adds nobody.
	methodFails(t, alice, false, "addUsersToRoom", "error-user-not-found", "User not found", map[string]any{"rid": group, "users": []string{"dave", "nobody"}})
	if s := dave.Get(t, "subscriptions.getOne", apitest.Q("roomId", group)).OK(t).JSON(t)["subscription"]; s != nil {
		t.Errorf("dave was added: %v", s)
	}

	// A user outside a private group needs add-user-to-any-p-room, which no
	// role holds by default; add-user-to-joined-room lets a plain member add.
	methodFails(t, dave, false, "addUsersToRoom", "error-not-allowed", "Not allowed", map[string]any{"rid": group, "users": []string{"dave"}})
	methodFails(t, e.Admin, false, "addUsersToRoom", "error-not-allowed", "Not allowed", map[string]any{"rid": group, "users": []string{"dave"}})
	e.SetPermission(t, "add-user-to-any-p-room", "admin")
	methodOK(t, e.Admin, "addUsersToRoom", map[string]any{"rid": group, "users": []string{"dave"}})
	e.SetPermission(t, "add-user-to-joined-room", "admin", "owner")
	eve := e.NewUser(t, "eve")
	methodFails(t, bob, false, "addUsersToRoom", "error-not-allowed", "Not allowed", map[string]any{"rid": group, "users": []string{"eve"}})
	// add-user-to-any-c-room lets anyone add to a public channel.
	e.SetPermission(t, "add-user-to-any-c-room", "admin", "user")
	methodOK(t, eve, "addUsersToRoom", map[string]any{"rid": channel, "users": []string{"bob"}})
	bob.Get(t, "subscriptions.getOne", apitest.Q("roomId", channel)).OK(t)

	// Refusals, in Rocket.Chat's order.
	dm := alice.CreateDM(t, "im", map[string]any{"username": "bob"})["_id"]
	for _, c := range []struct {
		data        any
		code, reaso string
	}{
		{map[string]any{"rid": 5, "users": []string{"bob"}}, "error-invalid-room", "Invalid room"},
		{map[string]any{"rid": "nope", "users": []string{"bob"}}, "error-invalid-room", "Invalid room"},
		{map[string]any{"rid": dm, "users": []string{"carol"}}, "error-cant-invite-for-direct-room", "Can't invite user to direct rooms"},
		{map[string]any{"rid": group, "users": "bob"}, "error-invalid-arguments", "Invalid arguments"},
		{map[string]any{"rid": group, "users": []any{1}}, "error-invalid-arguments", "Invalid arguments"},
	} {
		got := methodFails(t, alice, false, "addUsersToRoom", c.code, c.reaso, c.data)
		if d, _ := got["details"].(map[string]any); d["method"] != "addUsersToRoom" {
			t.Errorf("details = %v", got["details"])
		}
	}
	methodFails(t, alice, false, "addUsersToRoom", 400.0, "Match failed", "not-an-object")

	// channels.invite shares the rules' effect: the "au" message.
	frank := e.NewUser(t, "frank")
	alice.Post(t, "channels.invite", map[string]any{"roomId": channel, "userId": frank.UserID}).OK(t)
	if h := alice.History(t, "channels", channel); h[0]["t"] != "au" || h[0]["msg"] != frank.Username {
		t.Errorf("after invite, newest = %v", h[0])
	}
}

func TestMethodSaveUserPreferences(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "bob")
	alice, bob := e.Users[0], e.Users[1]
	before := alice.CreateRoom(t, "channels", "before", nil)
	pinned := alice.CreateRoom(t, "groups", "pinned", nil)
	// A preference set for one room alone is not overridden by the user's.
	sub, err := e.Store.Subscriptions().Get(t.Context(), pinned, alice.UserID)
	if err != nil {
		t.Fatal(err)
	}
	sub.EmailNotifications, sub.EmailPrefOrigin = "all", "subscription"
	if err := e.Store.Subscriptions().Update(t.Context(), sub); err != nil {
		t.Fatal(err)
	}

	// Rocket.Chat's older value "disabled" is stored as "nothing".
	if got := methodOK(t, alice, "saveUserPreferences", map[string]any{
		"emailNotificationMode": "disabled", "desktopNotifications": "mentions", "highlights": []string{"urgent"}, "useEmojis": false,
	}); got != true {
		t.Fatalf("result = %v", got)
	}
	prefs := storedPrefs(t, e.Env, alice)
	if prefs["emailNotificationMode"] != "nothing" || prefs["desktopNotifications"] != "mentions" || prefs["useEmojis"] != false {
		t.Errorf("preferences = %v", prefs)
	}
	// Existing subscriptions follow the user's choice...
	s := alice.Subscription(t, before)
	if s["emailNotifications"] != "nothing" || s["emailPrefOrigin"] != "user" || s["desktopNotifications"] != "mentions" ||
		apitest.JSON(s["userHighlights"]) != `["urgent"]` {
		t.Errorf("existing subscription = %v", s)
	}
	if s := alice.Subscription(t, pinned); s["emailNotifications"] != "all" || s["emailPrefOrigin"] != "subscription" {
		t.Errorf("room's own preference = %v", s)
	}
	// ...and so do new ones: a channel, and a direct conversation.
	after := alice.CreateRoom(t, "channels", "after", nil)
	if s := alice.Subscription(t, after); s["emailNotifications"] != "nothing" || s["desktopNotifications"] != "mentions" {
		t.Errorf("new subscription = %v", s)
	}
	dm := alice.CreateDM(t, "im", map[string]any{"usernames": "alice," + bob.Username})["_id"].(string)
	if s := alice.Subscription(t, dm); s["emailNotifications"] != "nothing" {
		t.Errorf("new direct subscription = %v", s)
	}
	if s := bob.Subscription(t, dm); s == nil || s["emailNotifications"] != nil {
		t.Errorf("the other member's subscription = %v", s)
	}

	// "default" hands the choice back to the server's defaults.
	methodOK(t, alice, "saveUserPreferences", map[string]any{"emailNotificationMode": "default"})
	if s := alice.Subscription(t, before); s["emailNotifications"] != nil || s["emailPrefOrigin"] != nil || s["desktopNotifications"] != "mentions" {
		t.Errorf("after default = %v", s)
	}
	if s := alice.Subscription(t, pinned); s["emailNotifications"] != "all" {
		t.Errorf("room's own preference after default = %v", s)
	}

	// Typed preferences are checked as Meteor's check() does.
	for _, bad := range []map[string]any{
		{"useEmojis": "yes"},
		{"clockMode": "12"},
		{"highlights": "urgent"},
		{"highlights": []any{1}},
		{"language": nil},
	} {
		methodFails(t, alice, false, "saveUserPreferences", 400.0, "Match failed", bad)
	}
	methodFails(t, alice, false, "saveUserPreferences", 400.0, "Match failed")
	if prefs := storedPrefs(t, e.Env, alice); prefs["useEmojis"] != false {
		t.Errorf("a refused call changed preferences: %v", prefs)
	}
}

func TestMethodTranslateMessage(t *testing.T) {
	t.Parallel()
	e, _ := newTranslatingEnv(t)
	alice := e.NewUser(t, "alice")
	outsider := e.NewUser(t, "outsider")
	rid := alice.CreateRoom(t, "groups", "private", nil)
	m := alice.PostText(t, rid, "Isso é um teste")
	id := m["_id"].(string)

	// A query object in place of the id is Meteor's match failure.
	methodFails(t, alice, false, "autoTranslate.translateMessage", 400.0, "Match failed", map[string]any{"_id": map[string]any{"$gt": ""}}, "en")
	methodFails(t, alice, false, "autoTranslate.translateMessage", 400.0, "Match failed", map[string]any{"_id": id}, 5)
	methodFails(t, alice, false, "autoTranslate.translateMessage", 400.0, "Match failed", id)
	methodFails(t, outsider, false, "autoTranslate.translateMessage", "error-not-allowed", "Not allowed", map[string]any{"_id": id}, "en")
	methodFails(t, alice, false, "autoTranslate.translateMessage", "error-message-not-found", "Message not found", map[string]any{"_id": "nope"}, "en")

	// The result is the message in EJSON: dates as {"$date": ms}.
	got, _ := methodOK(t, alice, "autoTranslate.translateMessage", map[string]any{"_id": id}, "en").(map[string]any)
	if got["_id"] != id || got["msg"] != "Isso é um teste" {
		t.Fatalf("result = %v", got)
	}
	ts, _ := got["ts"].(map[string]any)
	if _, ok := ts["$date"].(float64); !ok {
		t.Errorf("ts = %v, want {$date}", got["ts"])
	}
	if up, _ := got["_updatedAt"].(map[string]any); up["$date"] == nil {
		t.Errorf("_updatedAt = %v", got["_updatedAt"])
	}
	stored := upWait(t, alice, id, func(m map[string]any) bool { return translationsOf(m)["en"] != nil })
	if tr := translationsOf(stored)["en"]; tr != "[en] Isso é um teste" {
		t.Errorf("translation = %v", tr)
	}
}

func TestMethodRateLimit(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "bob")
	alice, bob := e.Users[0], e.Users[1]
	e.SetSetting(t, "DDP_Rate_Limit_User_By_Method_Requests_Allowed", 2)
	e.SetSetting(t, "DDP_Rate_Limit_User_By_Method_Interval_Time", 60000)
	prefs := map[string]any{"useEmojis": true}
	methodOK(t, alice, "saveUserPreferences", prefs)
	methodOK(t, alice, "saveUserPreferences", prefs)
	got := methodFails(t, alice, false, "saveUserPreferences", "too-many-requests", "", prefs)
	if !strings.HasPrefix(got["reason"].(string), "Error, too many requests. Please slow down. You must wait ") {
		t.Errorf("reason = %v", got["reason"])
	}
	if d, _ := got["details"].(map[string]any); d["timeToReset"] == nil {
		t.Errorf("details = %v", got["details"])
	}
	// Counted per user and per method.
	methodOK(t, bob, "saveUserPreferences", prefs)
	methodFails(t, alice, false, "noSuchMethod", 404.0, "")
	// The REST limiter leaves method.call alone.
	e.SetSetting(t, "DDP_Rate_Limit_User_By_Method_Enabled", false)
	e.SetSetting(t, "API_Enable_Rate_Limiter", true)
	e.SetSetting(t, "API_Enable_Rate_Limiter_Limit_Calls_Default", 1)
	for range 3 {
		methodOK(t, alice, "saveUserPreferences", prefs)
	}
}

// users.setPreferences carries notification preferences into the
// subscriptions as the method does, for oneself and for an admin setting
// another user's.
func TestSetPreferencesReachesSubscriptions(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "bob")
	alice, bob := e.Users[0], e.Users[1]
	room := alice.CreateRoom(t, "channels", "prefs", nil)
	alice.Post(t, "channels.invite", map[string]any{"roomId": room, "userId": bob.UserID}).OK(t)

	alice.Post(t, "users.setPreferences", map[string]any{"data": map[string]any{"emailNotificationMode": "nothing"}}).OK(t)
	if s := alice.Subscription(t, room); s["emailNotifications"] != "nothing" || s["emailPrefOrigin"] != "user" {
		t.Errorf("own subscription after users.setPreferences = %v", s)
	}
	e.Admin.Post(t, "users.setPreferences", map[string]any{"userId": bob.UserID, "data": map[string]any{"emailNotificationMode": "nothing"}}).OK(t)
	if s := bob.Subscription(t, room); s["emailNotifications"] != "nothing" {
		t.Errorf("bob's subscription after an admin's users.setPreferences = %v", s)
	}
}
