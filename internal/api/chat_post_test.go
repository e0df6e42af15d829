package api_test

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/api/apitest"
)

func TestChatPostMessageTargets(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "bob")
	alice, bob := e.Users[0], e.Users[1]
	rid := alice.CreateRoom(t, "channels", "plaza", nil)
	gid := alice.CreateRoom(t, "groups", "hideout", nil)

	for _, tc := range []struct {
		name    string
		body    map[string]any
		channel string
		rid     string
	}{
		{"roomId", map[string]any{"roomId": rid, "text": "a"}, rid, rid},
		{"roomId array", map[string]any{"roomId": []string{rid}, "text": "a"}, rid, rid},
		{"#name", map[string]any{"channel": "#plaza", "text": "a"}, "#plaza", rid},
		{"#id", map[string]any{"channel": "#" + rid, "text": "a"}, "#" + rid, rid},
		{"bare name", map[string]any{"channel": "plaza", "text": "a"}, "plaza", rid},
		{"bare id", map[string]any{"channel": rid, "text": "a"}, rid, rid},
		{"channel array", map[string]any{"channel": []string{"#plaza"}, "text": "a"}, "#plaza", rid},
		{"group by name", map[string]any{"channel": "#hideout", "text": "a"}, "#hideout", gid},
		{"@username opens the DM", map[string]any{"channel": "@bob", "text": "a"}, "@bob", apitest.DMID(alice.UserID, bob.UserID)},
		{"@userid", map[string]any{"channel": "@" + bob.UserID, "text": "a"}, "@" + bob.UserID, apitest.DMID(alice.UserID, bob.UserID)},
		{"bare user id", map[string]any{"channel": bob.UserID, "text": "a"}, bob.UserID, apitest.DMID(alice.UserID, bob.UserID)},
		// A conversation with oneself is keyed by the one id.
		{"@self", map[string]any{"channel": "@alice", "text": "a"}, "@alice", alice.UserID},
	} {
		res := alice.Post(t, "chat.postMessage", tc.body).OK(t).JSON(t)
		if res["channel"] != tc.channel {
			t.Errorf("%s: channel = %v, want %q", tc.name, res["channel"], tc.channel)
		}
		if _, ok := res["ts"].(float64); !ok {
			t.Errorf("%s: ts = %#v, want a number", tc.name, res["ts"])
		}
		if m := res["message"].(map[string]any); m["rid"] != tc.rid || m["msg"] != "a" {
			t.Errorf("%s: message = %v, want rid %s", tc.name, m, tc.rid)
		}
	}
	if dm := bob.Subscription(t, apitest.DMID(alice.UserID, bob.UserID)); dm == nil || dm["t"] != "d" || dm["name"] != "alice" {
		t.Fatalf("bob's DM subscription = %v", dm)
	}

	// Several targets: each gets the message once, the first is answered.
	before := apitest.Num(alice.RoomInfo(t, rid)["msgs"])
	generalBefore := apitest.Num(alice.RoomInfo(t, "GENERAL")["msgs"])
	res := alice.Post(t, "chat.postMessage", map[string]any{"roomId": []string{rid, "GENERAL", rid}, "text": "both"}).OK(t).JSON(t)
	if res["channel"] != rid || res["message"].(map[string]any)["rid"] != rid {
		t.Fatalf("multi-target answer = %v", res)
	}
	if got := apitest.Num(alice.RoomInfo(t, rid)["msgs"]); got != before+1 {
		t.Fatalf("msgs %d -> %d after a duplicated target", before, got)
	}
	if got := apitest.Num(alice.RoomInfo(t, "GENERAL")["msgs"]); got != generalBefore+1 {
		t.Fatalf("GENERAL msgs %d -> %d", generalBefore, got)
	}

	// Targets are sent to in turn: a bad one later leaves earlier ones sent.
	before = apitest.Num(alice.RoomInfo(t, rid)["msgs"])
	alice.Post(t, "chat.postMessage", map[string]any{"channel": []string{"#plaza", "#nope"}, "text": "half"}).
		Fails(t, 400, "invalid-channel", "[invalid-channel]")
	if got := apitest.Num(alice.RoomInfo(t, rid)["msgs"]); got != before+1 {
		t.Fatalf("msgs %d -> %d after a failing second target", before, got)
	}
	// The size is checked before any target is looked at.
	alice.Post(t, "chat.postMessage", map[string]any{"channel": "#nope", "text": strings.Repeat("a", 5001)}).FailsPlain(t, "error-message-size-exceeded")

	// Targets that resolve to nothing.
	for _, target := range []string{"#nope", "@nobody", "nope", "#"} {
		alice.Post(t, "chat.postMessage", map[string]any{"channel": target, "text": "a"}).
			Fails(t, 400, "invalid-channel", "[invalid-channel]")
	}
	// Neither roomId nor channel: Rocket.Chat's answer for no target.
	alice.Post(t, "chat.postMessage", map[string]any{"text": "a"}).Fails(t, 400, "invalid-channel", "[invalid-channel]")
	// A private group one is not in cannot be posted to.
	bob.Post(t, "chat.postMessage", map[string]any{"channel": "#hideout", "text": "a"}).FailsPlain(t, "error-not-allowed")

	// The body is one of two closed shapes.
	for name, body := range map[string]map[string]any{
		"both":            {"roomId": rid, "channel": "#plaza", "text": "a"},
		"tmid w/ channel": {"channel": "#plaza", "text": "a", "tmid": "x"},
		"unknown key":     {"roomId": rid, "text": "a", "bogus": 1},
		"wrong type":      {"roomId": rid, "text": "a", "parseUrls": "maybe"},
	} {
		r := alice.Post(t, "chat.postMessage", body).Fails(t, 400, "invalid-params", "")
		if msg, _ := r.JSON(t)["error"].(string); !strings.HasSuffix(msg, " [invalid-params]") {
			t.Errorf("%s: error %q lacks the legacy suffix", name, msg)
		}
	}

	// text is trimmed, and so is an attachment's old "msg" key.
	m := alice.PostMessage(t, map[string]any{"roomId": rid, "text": "  \n hello \t ", "attachments": []map[string]any{{"msg": "  quoted "}}})
	if m["msg"] != "hello" {
		t.Fatalf("msg = %q", m["msg"])
	}
	if at := m["attachments"].([]any)[0].(map[string]any); at["text"] != "quoted" || at["msg"] != nil {
		t.Fatalf("attachment = %v", at)
	}
	if m["groupable"] != false {
		t.Fatalf("groupable = %v, want false", m["groupable"])
	}
}

func TestChatPostMessageAutoJoin(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "bob")
	alice, bob := e.Users[0], e.Users[1]
	rid := alice.CreateRoom(t, "channels", "plaza", nil)

	if sub := bob.Subscription(t, rid); sub != nil {
		t.Fatalf("bob subscribed before posting: %v", sub)
	}
	count := apitest.Num(alice.RoomInfo(t, rid)["usersCount"])
	m := bob.PostMessage(t, map[string]any{"channel": "#plaza", "text": "hi all"})
	if m["rid"] != rid {
		t.Fatalf("message = %v", m)
	}
	if sub := bob.Subscription(t, rid); sub == nil {
		t.Fatal("posting did not subscribe bob")
	}
	if got := apitest.Num(alice.RoomInfo(t, rid)["usersCount"]); got != count+1 {
		t.Fatalf("usersCount %d -> %d", count, got)
	}
	// A second post does not join again.
	bob.PostText(t, rid, "again")
	joins := 0
	hist := alice.History(t, "channels", rid)
	for _, h := range hist {
		if h["t"] == "uj" {
			joins++
			if h["msg"] != "bob" || h["u"].(map[string]any)["_id"] != bob.UserID {
				t.Fatalf("join message = %v", h)
			}
		}
	}
	if joins != 1 {
		t.Fatalf("%d uj messages in %v", joins, hist)
	}
	// The join precedes the post.
	if hist[len(hist)-1]["t"] != "uj" {
		t.Fatalf("oldest message is %v, want the join", hist[len(hist)-1])
	}
}

func TestChatPostMessageValidation(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	alice := e.NewUser(t, "alice")
	robot := e.NewUser(t, "robot", map[string]any{"roles": []string{"bot"}})
	rid := alice.CreateRoom(t, "channels", "plaza", nil, "robot")

	att := func(a map[string]any) map[string]any {
		return map[string]any{"roomId": rid, "text": "x", "attachments": []map[string]any{a}}
	}
	long := strings.Repeat("a", 5001)
	// 2501 emoji are 5002 UTF-16 units: the limit counts as JavaScript does.
	longEmoji := strings.Repeat("😀", 2501)
	cases := []struct {
		name string
		by   *apitest.Client
		body map[string]any
		want string
	}{
		{"text too long", alice, map[string]any{"roomId": rid, "text": long}, "error-message-size-exceeded"},
		{"text too long in UTF-16", alice, map[string]any{"roomId": rid, "text": longEmoji}, "error-message-size-exceeded"},
		{"attachment text too long", alice, att(map[string]any{"text": long}), "error-message-size-exceeded"},
		{"alias", alice, map[string]any{"roomId": rid, "text": "x", "alias": "Boss"}, "Not enough permission"},
		{"avatar", alice, map[string]any{"roomId": rid, "text": "x", "avatar": "https://example.com/a.png"}, "Not enough permission"},
		{"admin alias", e.Admin, map[string]any{"roomId": rid, "text": "x", "alias": "Boss"}, "Not enough permission"},
		{"field without value", alice, att(map[string]any{"fields": []map[string]any{{"title": "t"}}}), "Invalid attachment field, title and value is required"},
		{"field without title", alice, att(map[string]any{"fields": []map[string]any{{"value": "v"}}}), "Invalid attachment field, title and value is required"},
		{"field with object value", alice, att(map[string]any{"fields": []map[string]any{{"title": "t", "value": map[string]any{}}}}), "Invalid attachment field, title and value is required"},
		{"custom fields off", alice, map[string]any{"roomId": rid, "text": "x", "customFields": map[string]any{"priority": "high"}}, "Custom fields not enabled"},
	}
	for _, k := range []string{"thumb_url", "message_link", "author_link", "author_icon", "title_link", "image_url", "audio_url", "video_url"} {
		cases = append(cases, struct {
			name string
			by   *apitest.Client
			body map[string]any
			want string
		}{"javascript " + k, alice, att(map[string]any{k: "javascript:alert(1)"}), "Invalid href value provided"})
	}
	for _, k := range []string{"url", "image_url"} {
		cases = append(cases, struct {
			name string
			by   *apitest.Client
			body map[string]any
			want string
		}{"javascript action " + k, alice, att(map[string]any{"actions": []map[string]any{{"type": "button", "text": "go", k: " JavaScript:alert(1)"}}}), "Invalid href value provided"})
	}
	before := apitest.Num(alice.RoomInfo(t, rid)["msgs"])
	for _, tc := range cases {
		r := tc.by.Post(t, "chat.postMessage", tc.body)
		if r.Status != 400 || r.JSON(t)["error"] != tc.want {
			t.Errorf("%s: %d %s, want %q", tc.name, r.Status, r.Body, tc.want)
			continue
		}
		r.FailsPlain(t, tc.want)
	}

	// Attachment fields of the wrong type fail Meteor's check.
	for name, a := range map[string]map[string]any{
		"color":          {"color": 5},
		"collapsed":      {"collapsed": "yes"},
		"image_size":     {"image_size": "big"},
		"ts":             {"ts": true},
		"fields":         {"fields": "t=v"},
		"field short":    {"fields": []map[string]any{{"title": "t", "value": "v", "short": "no"}}},
		"actions":        {"actions": map[string]any{}},
		"action type":    {"actions": []map[string]any{{"type": 1}}},
		"action webview": {"actions": []map[string]any{{"is_webview": "yes"}}},
		"image link":     {"image_url": 7},
	} {
		r := alice.Post(t, "chat.postMessage", att(a)).Expect(t, 400)
		body := r.JSON(t)
		if msg, _ := body["error"].(string); !strings.HasPrefix(msg, "Match error") || body["errorType"] != nil {
			t.Errorf("%s: %s, want a Match error without errorType", name, r.Body)
		}
	}
	if got := apitest.Num(alice.RoomInfo(t, rid)["msgs"]); got != before {
		t.Fatalf("refused posts changed msgs %d -> %d", before, got)
	}

	// Exactly at the limit passes.
	alice.PostMessage(t, map[string]any{"roomId": rid, "text": strings.Repeat("a", 5000)})
	// Safe links and well-typed fields pass.
	alice.PostMessage(t, att(map[string]any{
		"color": "#fff", "collapsed": true, "image_size": 3, "ts": "2020-01-01T00:00:00Z", "title_link": "https://example.com/x",
		"image_url": "/file-upload/abc/x.png",
		"fields":    []map[string]any{{"title": "n", "value": 3, "short": true}, {"title": "b", "value": false}},
		"actions":   []map[string]any{{"type": "button", "text": "go", "url": "https://example.com", "is_webview": true}},
	}))

	// emoji alone needs no permission; with impersonation, avatar wins.
	if m := alice.PostMessage(t, map[string]any{"roomId": rid, "text": "x", "emoji": ":smile:"}); m["emoji"] != ":smile:" {
		t.Fatalf("emoji message = %v", m)
	}
	m := robot.PostMessage(t, map[string]any{"roomId": rid, "text": "x", "alias": "Boss", "avatar": "https://example.com/a.png", "emoji": ":smile:"})
	if m["avatar"] != "https://example.com/a.png" || m["alias"] != "Boss" || m["emoji"] != nil {
		t.Fatalf("impersonated message = %v", m)
	}
	if m := robot.PostMessage(t, map[string]any{"roomId": rid, "text": "x", "avatar": "", "emoji": ":smile:"}); m["emoji"] != ":smile:" {
		t.Fatalf("empty avatar dropped the emoji: %v", m)
	}
}

func TestChatPostMessageURLsAndMarkdown(t *testing.T) {
	t.Parallel()
	_, alice, rid := apitest.NewUserRoom(t, "alice", "channels", "plaza")
	const text = "see https://example.com/page and `https://example.com/code`"

	m := alice.PostText(t, rid, text)
	urls, _ := m["urls"].([]any)
	if len(urls) != 1 || urls[0].(map[string]any)["url"] != "https://example.com/page" {
		t.Fatalf("urls = %v", m["urls"])
	}
	if md, _ := m["md"].([]any); len(md) == 0 {
		t.Fatalf("md = %v", m["md"])
	}
	// Attachments turn URL parsing off unless parseUrls says otherwise.
	m = alice.PostMessage(t, map[string]any{"roomId": rid, "text": text, "attachments": []map[string]any{{"text": "a"}}})
	if m["urls"] != nil {
		t.Fatalf("urls with attachments = %v", m["urls"])
	}
	m = alice.PostMessage(t, map[string]any{"roomId": rid, "text": text, "attachments": []map[string]any{{"text": "a"}}, "parseUrls": true})
	if urls, _ := m["urls"].([]any); len(urls) != 1 {
		t.Fatalf("urls with parseUrls = %v", m["urls"])
	}
	m = alice.PostMessage(t, map[string]any{"roomId": rid, "text": text, "parseUrls": false})
	if m["urls"] != nil {
		t.Fatalf("urls with parseUrls false = %v", m["urls"])
	}
	// No text, no md.
	m = alice.PostMessage(t, map[string]any{"roomId": rid, "attachments": []map[string]any{{"text": "only"}}})
	if _, ok := m["md"]; ok || m["msg"] != "" {
		t.Fatalf("attachment-only message = %v", m)
	}
	// The stored copy says the same as the answer.
	if got := alice.GetMessage(t, m["_id"].(string)); got["md"] != nil || got["rid"] != rid {
		t.Fatalf("stored = %v", got)
	}
}

func TestChatPostMessageReadOnly(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "bob")
	alice, bob := e.Users[0], e.Users[1]
	rid := alice.CreateRoom(t, "channels", "news", map[string]any{"readOnly": true}, "bob")

	bob.Post(t, "chat.postMessage", map[string]any{"roomId": rid, "text": "x"}).FailsPlain(t, "You can't send messages because the room is readonly.")
	bob.Post(t, "chat.sendMessage", map[string]any{"message": map[string]any{"rid": rid, "msg": "x"}}).FailsPlain(t, "You can't send messages because the room is readonly.")
	alice.PostText(t, rid, "owner speaks")
	e.Admin.PostText(t, rid, "admin speaks")
	// A moderator holds post-readonly too.
	alice.Post(t, "channels.addModerator", map[string]any{"roomId": rid, "userId": bob.UserID}).OK(t)
	bob.PostText(t, rid, "moderator speaks")
}

func TestChatPostMessageMentions(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "bob", "carol")
	alice, bob, carol := e.Users[0], e.Users[1], e.Users[2]
	rid := alice.CreateRoom(t, "channels", "plaza", nil, "bob")
	// carol's private group is mentionable by anyone who knows its name.
	gid := carol.CreateRoom(t, "groups", "secret", nil)

	m := alice.PostMessage(t, map[string]any{"roomId": rid, "text": "@bob @ghost hi @all and @here, also carol@x and @carol\nsee #plaza #secret #nope"})
	var got struct {
		Mentions []map[string]any
		Channels []map[string]any
	}
	b, _ := json.Marshal(m)
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{
		{"_id": bob.UserID, "username": "bob", "type": "user"},
		{"_id": "all", "username": "all"},
		{"_id": "here", "username": "here"},
		{"_id": carol.UserID, "username": "carol", "type": "user"},
	}
	if len(got.Mentions) != len(want) {
		t.Fatalf("mentions = %v", got.Mentions)
	}
	for i, w := range want {
		for k, v := range w {
			if got.Mentions[i][k] != v {
				t.Fatalf("mention %d = %v, want %v", i, got.Mentions[i], w)
			}
		}
		if w["_id"] == "all" || w["_id"] == "here" {
			if _, ok := got.Mentions[i]["type"]; ok {
				t.Fatalf("group mention has a type: %v", got.Mentions[i])
			}
		}
	}
	if len(got.Channels) != 2 || got.Channels[0]["_id"] != rid || got.Channels[0]["name"] != "plaza" || got.Channels[1]["_id"] != gid {
		t.Fatalf("channels = %v", got.Channels)
	}

	// @all and @here need mention-all and mention-here, and Message_MaxAll
	// caps the room size for them.
	e.SetPermission(t, "mention-all", "admin")
	alice.Post(t, "chat.postMessage", map[string]any{"roomId": rid, "text": "hey @all"}).
		Fails(t, 400, "error-action-not-allowed", "Notify all in this room not allowed [error-action-not-allowed]")
	alice.PostText(t, rid, "hey @here")
	e.SetPermission(t, "mention-here", "admin")
	alice.Post(t, "chat.sendMessage", map[string]any{"message": map[string]any{"rid": rid, "msg": "hey @here"}}).
		Fails(t, 400, "error-action-not-allowed", "Notify here in this room not allowed [error-action-not-allowed]")
	e.Admin.PostText(t, rid, "hey @all")
	e.SetSetting(t, "Message_MaxAll", 1)
	e.Admin.Post(t, "chat.postMessage", map[string]any{"roomId": rid, "text": "hey @all"}).Fails(t, 400, "error-action-not-allowed", "")
	e.SetSetting(t, "Message_MaxAll", 0)

	// An unknown or missing name mentions nobody.
	m = alice.PostMessage(t, map[string]any{"roomId": rid, "text": "mail me at a@b.c, or @ghost"})
	if ms, _ := m["mentions"].([]any); len(ms) != 0 {
		t.Fatalf("mentions = %v", m["mentions"])
	}

	// Mentions inside attachment descriptions count too.
	m = alice.PostMessage(t, map[string]any{"roomId": rid, "attachments": []map[string]any{{"description": "for @bob"}}})
	if ms, _ := m["mentions"].([]any); len(ms) != 1 || ms[0].(map[string]any)["_id"] != bob.UserID {
		t.Fatalf("attachment mentions = %v", m["mentions"])
	}
}

func TestChatPostMessageNotifies(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "bob", "carol")
	alice, bob, carol := e.Users[0], e.Users[1], e.Users[2]
	rid := alice.CreateRoom(t, "channels", "plaza", nil, "bob", "carol")

	type counters struct {
		unread, user, group int
		alert               bool
	}
	read := func(c *apitest.Client) counters {
		s := c.Subscription(t, rid)
		return counters{apitest.Num(s["unread"]), apitest.Num(s["userMentions"]), apitest.Num(s["groupMentions"]), s["alert"] == true}
	}
	if c := read(bob); c.alert || c.unread != 0 {
		t.Fatalf("fresh subscription = %+v", c)
	}
	steps := []struct {
		name        string
		setting     string // Unread_Count, when changed
		text        string
		bob, carol  counters // deltas of unread/user/group; alert as expected after
		aliceUnread int
	}{
		{"plain", "", "hello", counters{0, 0, 0, true}, counters{0, 0, 0, true}, 0},
		{"@bob", "", "hey @bob", counters{1, 1, 0, true}, counters{0, 0, 0, true}, 0},
		{"@all", "", "hey @all", counters{1, 0, 1, true}, counters{1, 0, 1, true}, 0},
		{"@here", "", "hey @here", counters{1, 0, 1, true}, counters{1, 0, 1, true}, 0},
		// A user mention takes precedence over @all for everyone.
		{"@bob @all", "", "@bob @all", counters{1, 1, 0, true}, counters{0, 0, 0, true}, 0},
		{"self mention", "", "me @alice", counters{0, 0, 0, true}, counters{0, 0, 0, true}, 0},
		{"all_messages plain", "all_messages", "hello", counters{1, 0, 0, true}, counters{1, 0, 0, true}, 0},
		{"all_messages @bob", "all_messages", "hey @bob", counters{1, 1, 0, true}, counters{1, 0, 0, true}, 0},
		{"group_mentions_only @bob", "group_mentions_only", "hey @bob", counters{0, 1, 0, true}, counters{0, 0, 0, true}, 0},
		{"user_mentions_only @all", "user_mentions_only", "hey @all", counters{0, 0, 1, true}, counters{0, 0, 1, true}, 0},
	}
	for _, st := range steps {
		if st.setting != "" {
			e.SetSetting(t, "Unread_Count", st.setting)
		}
		// Reading clears alert (and the counters), so each step starts clean.
		bob.Post(t, "subscriptions.read", map[string]any{"rid": rid}).OK(t)
		carol.Post(t, "subscriptions.read", map[string]any{"rid": rid}).OK(t)
		b0, c0 := read(bob), read(carol)
		if b0.alert || c0.alert {
			t.Fatalf("%s: alert survives a read", st.name)
		}
		alice.PostText(t, rid, st.text)
		for _, who := range []struct {
			name   string
			before counters
			after  counters
			want   counters
		}{{"bob", b0, read(bob), st.bob}, {"carol", c0, read(carol), st.carol}} {
			got := counters{who.after.unread - who.before.unread, who.after.user - who.before.user, who.after.group - who.before.group, who.after.alert}
			if got != who.want {
				t.Errorf("%s: %s changed by %+v, want %+v", st.name, who.name, got, who.want)
			}
		}
		if a := read(alice); a.unread != st.aliceUnread {
			t.Errorf("%s: sender's unread = %d", st.name, a.unread)
		}
	}

	// Direct conversations count every message by default (Unread_Count_DM).
	dm := apitest.DMID(alice.UserID, bob.UserID)
	alice.PostMessage(t, map[string]any{"channel": "@bob", "text": "psst"})
	alice.PostText(t, dm, "psst again")
	if s := bob.Subscription(t, dm); apitest.Num(s["unread"]) != 2 || s["alert"] != true || s["open"] != true {
		t.Fatalf("bob's DM subscription = %v", s)
	}
	if s := alice.Subscription(t, dm); apitest.Num(s["unread"]) != 0 {
		t.Fatalf("alice's DM subscription = %v", s)
	}

	// The room counts messages and keeps the last one.
	room := alice.RoomInfo(t, rid)
	m := alice.PostText(t, rid, "last words")
	after := alice.RoomInfo(t, rid)
	if apitest.Num(after["msgs"]) != apitest.Num(room["msgs"])+1 {
		t.Fatalf("msgs %v -> %v", room["msgs"], after["msgs"])
	}
	last, _ := after["lastMessage"].(map[string]any)
	if last["_id"] != m["_id"] || last["msg"] != "last words" || after["lm"] != m["ts"] {
		t.Fatalf("room after post = %v", after)
	}
}

func TestChatPostMessageBadWordsAndCustomFields(t *testing.T) {
	t.Parallel()
	e, alice, rid := apitest.NewUserRoom(t, "alice", "channels", "plaza")

	e.SetSetting(t, "Message_BadWordsFilterList", "darn, heck")
	if m := alice.PostText(t, rid, "oh darn"); m["msg"] != "oh darn" {
		t.Fatalf("filter off: %v", m["msg"])
	}
	e.SetSetting(t, "Message_AllowBadWordsFilter", true)
	if m := alice.PostMessage(t, map[string]any{"roomId": rid, "text": "oh darn it, HECK! darned"}); m["msg"] != "oh **** it, ****! darned" {
		t.Fatalf("filtered = %q", m["msg"])
	}
	if m := alice.SendMessage(t, map[string]any{"rid": rid, "msg": "heck"}); m["msg"] != "****" {
		t.Fatalf("sendMessage filtered = %q", m["msg"])
	}

	cf := func(v map[string]any) map[string]any {
		return map[string]any{"roomId": rid, "text": "x", "customFields": v}
	}
	alice.Post(t, "chat.postMessage", cf(map[string]any{"priority": "high"})).FailsPlain(t, "Custom fields not enabled")
	e.SetSetting(t, "Message_CustomFields_Enabled", true)
	m := alice.PostMessage(t, cf(map[string]any{"priority": "high"}))
	if m["customFields"].(map[string]any)["priority"] != "high" {
		t.Fatalf("customFields = %v", m["customFields"])
	}
	for name, v := range map[string]map[string]any{
		"not in enum":   {"priority": "urgent"},
		"missing":       {},
		"wrong type":    {"priority": 1},
		"undocumented":  {"priority": "low", "color": "red"},
		"null priority": {"priority": nil},
	} {
		r := alice.Post(t, "chat.postMessage", cf(v))
		if r.Status != 400 || r.JSON(t)["error"] != "Invalid custom fields" {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	// sendMessage validates the same way.
	alice.Post(t, "chat.sendMessage", map[string]any{"message": map[string]any{"rid": rid, "msg": "x", "customFields": map[string]any{"priority": "x"}}}).FailsPlain(t, "Invalid custom fields")
	alice.SendMessage(t, map[string]any{"rid": rid, "msg": "x", "customFields": map[string]any{"priority": "low"}})
}

func TestChatSendMessage(t *testing.T) {
	t.Parallel()
	_, alice, rid := apitest.NewUserRoom(t, "alice", "channels", "plaza")
	send := func(msg map[string]any) *apitest.Response {
		return alice.Post(t, "chat.sendMessage", map[string]any{"message": msg})
	}

	// A client-chosen _id is kept; reusing it changes nothing.
	m := alice.SendMessage(t, map[string]any{"_id": "client-chosen-id-1", "rid": rid, "msg": "first"})
	if m["_id"] != "client-chosen-id-1" || m["rid"] != rid || m["msg"] != "first" || m["u"].(map[string]any)["_id"] != alice.UserID {
		t.Fatalf("sent = %v", m)
	}
	msgs := apitest.Num(alice.RoomInfo(t, rid)["msgs"])
	send(map[string]any{"_id": "client-chosen-id-1", "rid": rid, "msg": "second"}).Expect(t, 400)
	if got := alice.GetMessage(t, "client-chosen-id-1"); got["msg"] != "first" {
		t.Fatalf("duplicate overwrote: %v", got)
	}
	if got := apitest.Num(alice.RoomInfo(t, rid)["msgs"]); got != msgs {
		t.Fatalf("duplicate counted: msgs %d -> %d", msgs, got)
	}
	// msg is not trimmed here, and groupable not defaulted, unlike postMessage.
	if m := alice.SendMessage(t, map[string]any{"rid": rid, "msg": " padded "}); m["msg"] != " padded " || m["groupable"] != nil {
		t.Fatalf("sent = %v", m)
	}

	now := time.Now().UnixMilli()
	for _, tc := range []struct {
		name         string
		msg          map[string]any
		errType, err string
	}{
		{"system type", map[string]any{"rid": rid, "msg": "x", "t": "uj"}, "", "Cannot send system messages using 'chat.sendMessage'"},
		{"system type rm", map[string]any{"rid": rid, "msg": "x", "t": "rm"}, "", "Cannot send system messages using 'chat.sendMessage'"},
		{"tshow without tmid", map[string]any{"rid": rid, "msg": "x", "tshow": true}, "invalid-params", "tshow provided but missing tmid [invalid-params]"},
		{"no rid", map[string]any{"msg": "x"}, "", "The 'rid' property on the message object is missing."},
		{"too long", map[string]any{"rid": rid, "msg": strings.Repeat("b", 5001)}, "error-message-size-exceeded", "Message size exceeds Message_MaxAllowedSize [error-message-size-exceeded]"},
		{"ts far past", map[string]any{"rid": rid, "msg": "x", "ts": map[string]any{"$date": now - 120_000}}, "error-message-ts-out-of-sync", "Message timestamp is out of sync [error-message-ts-out-of-sync]"},
		{"ts far future", map[string]any{"rid": rid, "msg": "x", "ts": time.UnixMilli(now + 120_000).UTC().Format(time.RFC3339Nano)}, "error-message-ts-out-of-sync", "Message timestamp is out of sync [error-message-ts-out-of-sync]"},
		{"unknown room", map[string]any{"rid": "nope", "msg": "x"}, "", "error-invalid-room"},
		{"alias", map[string]any{"rid": rid, "msg": "x", "alias": "Boss"}, "", "Not enough permission"},
		{"javascript link", map[string]any{"rid": rid, "msg": "x", "attachments": []map[string]any{{"title_link": "javascript:1"}}}, "", "Invalid href value provided"},
	} {
		r := send(tc.msg)
		if tc.errType == "" {
			r.FailsPlain(t, tc.err)
		} else {
			r.Fails(t, 400, tc.errType, tc.err)
		}
	}
	if d, _ := send(map[string]any{"rid": rid, "msg": "x", "ts": now + 120_000}).JSON(t)["details"].(map[string]any); d["method"] != "sendMessage" {
		t.Fatalf("out-of-sync details = %v", d)
	}
	// The top level is closed, the message object open.
	alice.Post(t, "chat.sendMessage", map[string]any{"message": map[string]any{"rid": rid, "msg": "x"}, "extra": 1}).Fails(t, 400, "invalid-params", "")
	alice.Post(t, "chat.sendMessage", map[string]any{}).Fails(t, 400, "invalid-params", "must have required property 'message' [invalid-params]")
	alice.SendMessage(t, map[string]any{"rid": rid, "msg": "x", "somethingElse": true})

	// A client ts within 10 s is kept (in a room with no newer message);
	// between 10 and 60 s off it is replaced by the server's time.
	fresh := alice.CreateRoom(t, "channels", "fresh", nil)
	want := time.Now().Add(-5 * time.Second).UTC().Truncate(time.Millisecond)
	m = alice.SendMessage(t, map[string]any{"rid": fresh, "msg": "x", "ts": map[string]any{"$date": want.UnixMilli()}})
	if got, _ := time.Parse(time.RFC3339Nano, m["ts"].(string)); !got.Equal(want) {
		t.Fatalf("ts = %v, want %v", m["ts"], want)
	}
	m = alice.SendMessage(t, map[string]any{"rid": fresh, "msg": "x", "ts": time.Now().Add(-30 * time.Second).UTC().Format(time.RFC3339Nano)})
	if got, _ := time.Parse(time.RFC3339Nano, m["ts"].(string)); time.Since(got).Abs() > 5*time.Second {
		t.Fatalf("ts 30 s off kept: %v", m["ts"])
	}

	// previewUrls lists the only links to preview; the server's own are
	// always previewed.
	m = alice.SendMessage(t, map[string]any{"rid": rid, "msg": "https://a.example/x https://b.example/y http://localhost:3000/home"})
	for _, u := range m["urls"].([]any) {
		if u.(map[string]any)["ignoreParse"] != nil {
			t.Fatalf("no previewUrls, yet %v", u)
		}
	}
	res := alice.Post(t, "chat.sendMessage", map[string]any{
		"message":     map[string]any{"rid": rid, "msg": "https://a.example/x https://b.example/y http://localhost:3000/home"},
		"previewUrls": []string{"https://a.example/x"},
	}).OK(t).JSON(t)["message"].(map[string]any)
	ignored := map[string]any{}
	for _, u := range res["urls"].([]any) {
		um := u.(map[string]any)
		ignored[um["url"].(string)] = um["ignoreParse"]
	}
	if len(ignored) != 3 || ignored["https://a.example/x"] != nil || ignored["https://b.example/y"] != true || ignored["http://localhost:3000/home"] != nil {
		t.Fatalf("urls = %v", res["urls"])
	}
	res = alice.Post(t, "chat.sendMessage", map[string]any{
		"message": map[string]any{"rid": rid, "msg": "https://a.example/x"}, "previewUrls": []string{},
	}).OK(t).JSON(t)["message"].(map[string]any)
	if u := res["urls"].([]any)[0].(map[string]any); u["ignoreParse"] != true {
		t.Fatalf("empty previewUrls: %v", u)
	}
	// Unlike postMessage, attachments do not turn URL parsing off.
	m = alice.SendMessage(t, map[string]any{"rid": rid, "msg": "https://a.example/x", "attachments": []map[string]any{{"text": "a"}}})
	if urls, _ := m["urls"].([]any); len(urls) != 1 {
		t.Fatalf("urls with attachments = %v", m["urls"])
	}
}

func TestChatSendMessageThreads(t *testing.T) {
	t.Parallel()
	e, alice, rid := apitest.NewUserRoom(t, "alice", "channels", "plaza")
	other := alice.CreateRoom(t, "channels", "other", nil)

	root := alice.SendMessage(t, map[string]any{"rid": rid, "msg": "root"})
	reply := alice.SendMessage(t, map[string]any{"rid": rid, "msg": "reply", "tmid": root["_id"]})
	if reply["tmid"] != root["_id"] {
		t.Fatalf("reply = %v", reply)
	}
	// Replying to a reply answers the root, in the root's room.
	nested := alice.SendMessage(t, map[string]any{"rid": other, "msg": "nested", "tmid": reply["_id"]})
	if nested["tmid"] != root["_id"] || nested["rid"] != rid {
		t.Fatalf("nested reply = %v", nested)
	}
	// A reply without rid takes the parent's.
	if m := alice.SendMessage(t, map[string]any{"msg": "no rid", "tmid": root["_id"]}); m["rid"] != rid {
		t.Fatalf("rid-less reply = %v", m)
	}
	shown := alice.SendMessage(t, map[string]any{"rid": rid, "msg": "shown", "tmid": root["_id"], "tshow": true})
	if shown["tshow"] != true {
		t.Fatalf("tshow reply = %v", shown)
	}
	// A reply seen only in its thread counts in msgs and is not the room's
	// last message; a reply also shown in the room is.
	room := alice.RoomInfo(t, rid)
	hidden := alice.SendMessage(t, map[string]any{"rid": rid, "msg": "thread only", "tmid": root["_id"]})
	after := alice.RoomInfo(t, rid)
	if apitest.Num(after["msgs"]) != apitest.Num(room["msgs"])+1 || after["lastMessage"].(map[string]any)["_id"] != shown["_id"] || hidden["tshow"] != nil {
		t.Fatalf("room after a thread-only reply = %v", after)
	}
	if apitest.HasID(alice.History(t, "channels", rid), hidden["_id"].(string)) {
		t.Fatal("a thread-only reply shows in the room's history")
	}

	e.SetSetting(t, "Threads_enabled", false)
	r := alice.Post(t, "chat.sendMessage", map[string]any{"message": map[string]any{"rid": rid, "msg": "x", "tmid": root["_id"]}}).
		Fails(t, 400, "error-not-allowed", "not-allowed [error-not-allowed]")
	if d, _ := r.JSON(t)["details"].(map[string]any); d["method"] != "sendMessage" {
		t.Fatalf("details = %v", r.JSON(t)["details"])
	}
	// postMessage does not check the setting.
	alice.PostMessage(t, map[string]any{"roomId": rid, "text": "x", "tmid": root["_id"]})
}

func TestChatMessageTsIncreasing(t *testing.T) {
	t.Parallel()
	_, alice, rid := apitest.NewUserRoom(t, "alice", "channels", "plaza")
	const n = 40
	for i := range n {
		if i%2 == 0 {
			alice.PostText(t, rid, "p")
		} else {
			alice.SendMessage(t, map[string]any{"rid": rid, "msg": "s"})
		}
	}
	// Concurrent senders too. Statuses are checked here, on the test's
	// goroutine, because Response.OK may call t.Fatalf.
	const workers, each = 4, 10
	statuses := make(chan int, workers*each)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				statuses <- alice.Post(t, "chat.sendMessage", map[string]any{"message": map[string]any{"rid": rid, "msg": "c"}}).Status
			}
		})
	}
	wg.Wait()
	close(statuses)
	for st := range statuses {
		if st != 200 {
			t.Fatalf("concurrent send: status %d", st)
		}
	}
	hist := alice.History(t, "channels", rid)
	if len(hist) != n+workers*each {
		t.Fatalf("history has %d messages", len(hist))
	}
	var prev time.Time
	for i := len(hist) - 1; i >= 0; i-- {
		ts, err := time.Parse(time.RFC3339Nano, hist[i]["ts"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if !ts.After(prev) {
			t.Fatalf("ts %v follows %v", ts, prev)
		}
		prev = ts
	}
}

func TestChatGetMessage(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "bob")
	alice, bob := e.Users[0], e.Users[1]
	gid := alice.CreateRoom(t, "groups", "hideout", nil)
	m := alice.PostText(t, gid, "hi @alice")

	got := alice.GetMessage(t, m["_id"].(string))
	for _, k := range []string{"_id", "rid", "msg", "ts", "_updatedAt"} {
		if got[k] != m[k] {
			t.Fatalf("%s = %v, want %v", k, got[k], m[k])
		}
	}
	if got["u"].(map[string]any)["username"] != "alice" {
		t.Fatalf("u = %v", got["u"])
	}

	r := alice.Get(t, "chat.getMessage", apitest.Q("msgId", "nope")).Expect(t, 400)
	if string(r.Body) != `{"success":false}`+"\n" && string(r.Body) != `{"success":false}` {
		t.Fatalf("unknown id body = %s", r.Body)
	}
	alice.Get(t, "chat.getMessage").Fails(t, 400, "invalid-params", "must have required property 'msgId' [invalid-params]")
	alice.Get(t, "chat.getMessage", apitest.Q("msgId", "")).Fails(t, 400, "invalid-params", "")
	alice.Get(t, "chat.getMessage", apitest.Q("msgId", "x", "other", "y")).Fails(t, 400, "invalid-params", "")
	bob.Get(t, "chat.getMessage", apitest.Q("msgId", m["_id"].(string))).Fails(t, 400, "error-not-allowed", "Not allowed [error-not-allowed]")
	e.Anon().Get(t, "chat.getMessage", apitest.Q("msgId", m["_id"].(string))).Expect(t, 401)
}
