package api_test

import (
	"testing"
	"time"

	"github.com/parleychat/parley/internal/api/apitest"
)

// mcList is a list result.
func methodList(t *testing.T, v any) []map[string]any {
	t.Helper()
	raw, ok := v.([]any)
	if !ok {
		t.Fatalf("result %v is not a list", v)
	}
	out := make([]map[string]any, len(raw))
	for i, x := range raw {
		out[i], _ = x.(map[string]any)
	}
	return out
}

func TestMethodReading(t *testing.T) {
	t.Parallel()
	e := newMethodScene(t, "alice", "bob", "outsider")
	alice, bob, outsider := e.Users[0], e.Users[1], e.Users[2]
	rid := alice.CreateRoom(t, "groups", "reading", nil, "bob")
	var ids []string
	var stamps []int64
	for _, text := range []string{"one", "two", "three", "four", "five"} {
		m, _ := methodOK(t, alice, "sendMessage", map[string]any{"rid": rid, "msg": text}).(map[string]any)
		ids = append(ids, m["_id"].(string))
		stamps = append(stamps, ejsonMillis(t, m["ts"]))
	}

	// loadHistory: newest first, strictly before end.
	res, _ := methodOK(t, bob, "loadHistory", rid, nil, 3).(map[string]any)
	msgs := methodList(t, res["messages"])
	if got := apitest.IDs(msgs); len(got) != 3 || got[0] != ids[4] || got[2] != ids[2] {
		t.Fatalf("newest page = %v", got)
	}
	if res["unreadNotLoaded"] != 0.0 || res["firstUnread"] != nil {
		t.Errorf("without ls: %v", res)
	}
	ejsonMillis(t, msgs[0]["ts"])
	res, _ = methodOK(t, bob, "loadHistory", rid, map[string]any{"$date": stamps[2]}, 10).(map[string]any)
	if got := apitest.IDs(methodList(t, res["messages"])); len(got) < 2 || got[0] != ids[1] || got[1] != ids[0] {
		t.Fatalf("page before the third = %v", got)
	}
	// With ls, the unread messages the page leaves out are counted, and
	// the first of them given.
	res, _ = methodOK(t, bob, "loadHistory", rid, nil, 2, map[string]any{"$date": stamps[0] - 1}).(map[string]any)
	if res["unreadNotLoaded"] != 3.0 {
		t.Errorf("unreadNotLoaded = %v", res["unreadNotLoaded"])
	}
	if first, _ := res["firstUnread"].(map[string]any); first["_id"] != ids[0] {
		t.Errorf("firstUnread = %v", res["firstUnread"])
	}
	// A room one cannot see, or that does not exist, answers false.
	for _, c := range []struct {
		who *apitest.Client
		rid string
	}{{outsider, rid}, {alice, "no-such-room"}} {
		if got := methodOK(t, c.who, "loadHistory", c.rid); got != false {
			t.Errorf("loadHistory(%s) by %s = %v, want false", c.rid, c.who.Username, got)
		}
	}
	methodFails(t, bob, false, "loadHistory", 400.0, "Match failed", 5)
	methodFails(t, bob, false, "loadHistory", 400.0, "Match failed", rid, "yesterday")

	// loadMissedMessages: everything after since, newest first.
	missed := methodList(t, methodOK(t, bob, "loadMissedMessages", rid, map[string]any{"$date": stamps[2]}))
	if got := apitest.IDs(missed); len(got) != 2 || got[0] != ids[4] || got[1] != ids[3] {
		t.Errorf("missed = %v", got)
	}
	if got := methodOK(t, outsider, "loadMissedMessages", rid, map[string]any{"$date": 0}); got != false {
		t.Errorf("outsider's missed = %v", got)
	}
	methodFails(t, bob, false, "loadMissedMessages", 400.0, "Match failed", rid, stamps[2])

	// getRoomIdByNameOrId
	for _, ref := range []string{"reading", rid} {
		if got := methodOK(t, bob, "getRoomIdByNameOrId", ref); got != rid {
			t.Errorf("getRoomIdByNameOrId(%s) = %v", ref, got)
		}
	}
	for _, c := range []struct {
		who *apitest.Client
		ref string
	}{{outsider, "reading"}, {bob, "no-such-room"}} {
		got := methodFails(t, c.who, false, "getRoomIdByNameOrId", "error-not-allowed", "Not allowed", c.ref)
		if d, _ := got["details"].(map[string]any); d["method"] != "getRoomIdByNameOrId" {
			t.Errorf("details = %v", got["details"])
		}
	}

	// readMessages marks the room read for the caller.
	if s := bob.Subscription(t, rid); s["alert"] != true {
		t.Fatalf("alert before = %v", s)
	}
	methodNothing(t, bob, "readMessages", rid)
	if s := bob.Subscription(t, rid); apitest.Num(s["unread"]) != 0 || s["alert"] != false || s["ls"] == nil {
		t.Errorf("after readMessages = %v", s)
	}
	methodFails(t, bob, false, "readMessages", "error-room-does-not-exist", "This room does not exist", "no-such-room")
	methodFails(t, outsider, false, "readMessages", "error-not-allowed", "Not allowed", rid)
	methodFails(t, bob, false, "readMessages", 400.0, "Match failed", rid, "yes")

	// getRoomRoles: owners, moderators and leaders, by username.
	alice.Post(t, "groups.addModerator", map[string]any{"roomId": rid, "userId": bob.UserID}).OK(t)
	roles := methodList(t, methodOK(t, bob, "getRoomRoles", rid))
	if len(roles) != 2 {
		t.Fatalf("roles = %v", roles)
	}
	for i, want := range []struct{ user, role string }{{"alice", "owner"}, {"bob", "moderator"}} {
		u, _ := roles[i]["u"].(map[string]any)
		list, _ := roles[i]["roles"].([]any)
		if u["username"] != want.user || len(list) != 1 || list[0] != want.role || roles[i]["rid"] != rid || roles[i]["_id"] == nil {
			t.Errorf("roles[%d] = %v", i, roles[i])
		}
	}
	methodFails(t, outsider, false, "getRoomRoles", "error-invalid-user", "Invalid user", rid)
	methodFails(t, bob, false, "getRoomRoles", "error-invalid-room", "Invalid room", "no-such-room")
}

func TestMethodLists(t *testing.T) {
	t.Parallel()
	e := newMethodScene(t, "alice")
	alice := e.Users[0]
	rid := alice.CreateRoom(t, "groups", "listed", nil)

	for _, method := range []string{"subscriptions/get", "rooms/get"} {
		key := "rid"
		if method == "rooms/get" {
			key = "_id"
		}
		has := func(list []map[string]any) bool {
			for _, x := range list {
				if x[key] == rid {
					return true
				}
			}
			return false
		}
		// Without a date: the whole list.
		if all := methodList(t, methodOK(t, alice, method)); !has(all) {
			t.Errorf("%s = %v", method, all)
		}
		// With {$date: 0}, as the Go SDK asks: {update, remove}.
		res, _ := methodOK(t, alice, method, map[string]any{"$date": 0}).(map[string]any)
		if up := methodList(t, res["update"]); !has(up) {
			t.Errorf("%s since 0: update = %v", method, res["update"])
		}
		if rm, ok := res["remove"].([]any); !ok || len(rm) != 0 {
			t.Errorf("%s since 0: remove = %v", method, res["remove"])
		}
		res, _ = methodOK(t, alice, method, ejsonDate(time.Now().Add(time.Hour))).(map[string]any)
		if up := methodList(t, res["update"]); len(up) != 0 {
			t.Errorf("%s since the future: %v", method, up)
		}
		// Anyone may ask; nobody's list is empty.
		_, out := callMethod(t, e.Anon(), true, method, methodFrame(method))
		if list, ok := out["result"].([]any); !ok || len(list) != 0 {
			t.Errorf("anonymous %s = %v", method, out)
		}
	}
	// The fields the Go SDK insists on, in EJSON.
	for _, s := range methodList(t, methodOK(t, alice, "subscriptions/get")) {
		_, alert := s["alert"].(bool)
		_, open := s["open"].(bool)
		_, unread := s["unread"].(float64)
		if !alert || !open || !unread {
			t.Errorf("subscription without alert/open/unread: %v", s)
		}
		ejsonMillis(t, s["_updatedAt"])
	}
}

func TestMethodRooms(t *testing.T) {
	t.Parallel()
	e := newMethodScene(t, "alice", "bob", "carol")
	alice, bob, carol := e.Users[0], e.Users[1], e.Users[2]

	hall, _ := methodOK(t, alice, "createChannel", "hall", []string{"bob"}).(map[string]any)
	if hall["rid"] == nil || hall["rid"] != hall["_id"] || hall["name"] != "hall" || hall["t"] != "c" {
		t.Fatalf("createChannel = %v", hall)
	}
	hid := hall["rid"].(string)
	if bob.Subscription(t, hid) == nil {
		t.Errorf("bob is no member")
	}
	den, _ := methodOK(t, alice, "createPrivateGroup", "den", []string{}, true, map[string]any{}, map[string]any{"topic": "quiet"}).(map[string]any)
	if den["t"] != "p" || den["ro"] != true || den["topic"] != "quiet" {
		t.Fatalf("createPrivateGroup = %v", den)
	}
	did := den["rid"].(string)
	methodFails(t, alice, false, "createChannel", "error-duplicate-channel-name", "", "hall")
	methodFails(t, alice, false, "createChannel", 400.0, "Match failed", "x", "bob")
	methodFails(t, alice, false, "createChannel", 400.0, "Match failed", 5)
	e.SetPermission(t, "create-p", "admin")
	got := methodFails(t, alice, false, "createPrivateGroup", "error-not-allowed", "Not allowed", "nope")
	if d, _ := got["details"].(map[string]any); d["method"] != "createPrivateGroup" {
		t.Errorf("details = %v", got["details"])
	}

	// joinRoom and leaveRoom.
	if got := methodOK(t, carol, "joinRoom", hid); got != true {
		t.Fatalf("joinRoom = %v", got)
	}
	if carol.Subscription(t, hid) == nil {
		t.Fatalf("carol did not join")
	}
	methodFails(t, carol, false, "joinRoom", "error-invalid-room", "Invalid room", "no-such-room")
	methodFails(t, carol, false, "joinRoom", "error-invalid-room", "Invalid room", did)
	methodNothing(t, carol, "leaveRoom", hid)
	if carol.Subscription(t, hid) != nil {
		t.Fatalf("carol did not leave")
	}
	methodFails(t, carol, false, "leaveRoom", "error-user-not-in-room", "You are not in this room", hid)
	methodFails(t, carol, false, "leaveRoom", "error-invalid-room", "Invalid room", "no-such-room")
	methodFails(t, carol, false, "leaveRoom", "error-invalid-room", "Invalid room", did)
	methodFails(t, alice, false, "leaveRoom", "error-you-are-last-owner", "", did)

	// createDirectMessage
	dm, _ := methodOK(t, alice, "createDirectMessage", "bob").(map[string]any)
	if dm["rid"] != apitest.DMID(alice.UserID, bob.UserID) || dm["t"] != "d" {
		t.Fatalf("createDirectMessage = %v", dm)
	}
	if bob.Subscription(t, dm["rid"].(string)) == nil {
		t.Errorf("bob has no subscription to the conversation")
	}
	methodFails(t, alice, false, "createDirectMessage", 400.0, "Match failed", "bob", 5)
	methodFails(t, alice, false, "leaveRoom", "error-not-allowed", "Not allowed", dm["rid"])
}

func TestMethodUsersAndSettings(t *testing.T) {
	t.Parallel()
	e := newMethodScene(t, "alice", "bob")
	alice := e.Users[0]

	// public-settings/get: public settings only, to anyone.
	_, out := callMethod(t, e.Anon(), true, "public-settings/get", methodFrame("public-settings/get"))
	settings := methodList(t, out["result"])
	seen := map[string]bool{}
	for _, s := range settings {
		seen[s["_id"].(string)] = true
	}
	if !seen["Message_MaxAllowedSize"] || seen["DDP_Rate_Limit_User_By_Method_Enabled"] || len(settings) < 10 {
		t.Errorf("public settings: %d, %v", len(settings), seen)
	}
	res, _ := methodOK(t, alice, "public-settings/get", map[string]any{"$date": 0}).(map[string]any)
	if len(methodList(t, res["update"])) != len(settings) || res["remove"] == nil {
		t.Errorf("public settings since 0 = %v", res)
	}

	// permissions/get
	perms := methodList(t, methodOK(t, alice, "permissions/get"))
	found := false
	for _, p := range perms {
		if p["_id"] == "send-many-messages" {
			found = true
			ejsonMillis(t, p["_updatedAt"])
		}
	}
	if !found {
		t.Errorf("permissions = %v", perms)
	}
	res, _ = methodOK(t, alice, "permissions/get", map[string]any{"$date": 0}).(map[string]any)
	if len(methodList(t, res["update"])) != len(perms) {
		t.Errorf("permissions since 0 = %v", res)
	}
	methodFails(t, e.Anon(), true, "permissions/get", "error-invalid-user", "Invalid user")

	// getUserRoles: the admin, not plain users.
	users := methodList(t, methodOK(t, alice, "getUserRoles"))
	names := apitest.IDs(users)
	if len(users) != 1 || users[0]["username"] != "admin" || names[0] == alice.UserID {
		t.Errorf("getUserRoles = %v", users)
	}

	// registerUser, anonymously; without a username one is made from the
	// email address.
	_, out = callMethod(t, e.Anon(), true, "registerUser", methodFrame("registerUser", map[string]any{"email": "newbie@example.com", "pass": "s3cret-pass", "name": "New Bie"}))
	id, _ := out["result"].(string)
	if id == "" {
		t.Fatalf("registerUser = %v", out)
	}
	info := e.Admin.Get(t, "users.info", apitest.Q("userId", id)).OK(t).JSON(t)["user"].(map[string]any)
	if info["username"] != "newbie" || info["name"] != "New Bie" {
		t.Errorf("registered = %v", info)
	}
	newbie := e.Login(t, "newbie", "s3cret-pass")
	// setUsername
	if got := methodOK(t, newbie, "setUsername", "newcomer"); got != "newcomer" {
		t.Fatalf("setUsername = %v", got)
	}
	if me := newbie.Get(t, "me").OK(t).JSON(t); me["username"] != "newcomer" {
		t.Errorf("me = %v", me["username"])
	}
	if got := methodOK(t, newbie, "setUsername", "Newcomer"); got != "newcomer" {
		t.Errorf("same name = %v", got)
	}
	methodFails(t, newbie, false, "setUsername", "error-field-unavailable", "", "bob")
	methodFails(t, newbie, false, "setUsername", 400.0, "Match failed", 5)

	_, out = callMethod(t, e.Anon(), true, "registerUser", methodFrame("registerUser", map[string]any{"email": "second@example.com", "pass": "s3cret-pass", "name": "Second", "username": "chosen"}))
	if id, _ := out["result"].(string); id == "" {
		t.Fatalf("registerUser with username = %v", out)
	}
	e.Login(t, "chosen", "s3cret-pass")
	methodFails(t, e.Anon(), true, "registerUser", 400.0, "Match failed", map[string]any{"email": "x@example.com", "name": "X"})
	e.SetSetting(t, "Accounts_RegistrationForm", "Disabled")
	methodFails(t, e.Anon(), true, "registerUser", "error-user-registration-disabled", "User registration is disabled",
		map[string]any{"email": "third@example.com", "pass": "s3cret-pass", "name": "Third"})
}

func TestMethodAutoTranslateSettings(t *testing.T) {
	t.Parallel()
	f := newFakeTranslator(t)
	e, alice, rid := apitest.NewUserRoom(t, "alice", "groups", "translated")
	methodFails(t, alice, false, "autoTranslate.saveSettings", 400.0, "AutoTranslate is disabled.", rid, "autoTranslate", true)
	e.SetSetting(t, "AutoTranslate_ServiceProvider", "libre-translate")
	e.SetSetting(t, "AutoTranslate_LibreTranslateAPIURL", f.URL+"/libre/")
	e.SetSetting(t, "AutoTranslate_LibreTranslateAPIKey", "LT-KEY")
	e.SetSetting(t, "AutoTranslate_Enabled", true)
	methodFails(t, alice, false, "autoTranslate.saveSettings", "error-action-not-allowed", "Auto-Translate is not allowed", rid, "autoTranslate", true)
	e.SetPermission(t, "auto-translate", "admin", "user")

	langs := methodList(t, methodOK(t, alice, "autoTranslate.getSupportedLanguages", "en"))
	if len(langs) == 0 || langs[0]["language"] == nil {
		t.Errorf("languages = %v", langs)
	}
	if got := methodOK(t, alice, "autoTranslate.saveSettings", rid, "autoTranslate", true, map[string]any{"defaultLanguage": "de"}); got != true {
		t.Fatalf("saveSettings = %v", got)
	}
	if s := alice.Subscription(t, rid); s["autoTranslate"] != true || s["autoTranslateLanguage"] != "de" {
		t.Errorf("subscription = %v", s)
	}
	methodOK(t, alice, "autoTranslate.saveSettings", rid, "autoTranslateLanguage", "fr")
	if s := alice.Subscription(t, rid); s["autoTranslateLanguage"] != "fr" {
		t.Errorf("language = %v", s["autoTranslateLanguage"])
	}
	methodFails(t, alice, false, "autoTranslate.saveSettings", "error-invalid-settings", "Invalid settings field", rid, "bogus", "x")
	methodFails(t, alice, false, "autoTranslate.saveSettings", "error-invalid-subscription", "Invalid subscription", "no-such-room", "autoTranslate", true)
	methodFails(t, alice, false, "autoTranslate.saveSettings", 400.0, "Match failed", rid, "autoTranslate", 5)
	methodFails(t, alice, false, "autoTranslate.saveSettings", 400.0, "Match failed", rid, 5, true)
	methodFails(t, alice, false, "autoTranslate.getSupportedLanguages", 400.0, "Match failed", 5)
}

// registerUser is limited as users.register is, per client address.
func TestMethodRegisterUserRateLimit(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.WithRateLimiter())
	form := func(n string) map[string]any {
		return map[string]any{"email": n + "@example.com", "pass": "s3cret-pass", "name": n}
	}
	_, out := callMethod(t, e.Anon(), true, "registerUser", methodFrame("registerUser", form("first")))
	if _, ok := out["result"].(string); !ok {
		t.Fatalf("first registration = %v", out)
	}
	methodFails(t, e.Anon(), true, "registerUser", "too-many-requests", "", form("second"))
}
