package api_test

import (
	"slices"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

func TestChatReact(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "reactowner", "alice", "bob")
	owner, alice, bob := e.Users[0], e.Users[1], e.Users[2]
	rid := owner.CreateRoom(t, "channels", "", nil, "alice", "bob")
	roRID := owner.CreateRoom(t, "channels", "", map[string]any{"readOnly": true}, "alice")

	type call struct {
		by   *apitest.Client
		body map[string]any // messageId is filled in
	}
	for _, tc := range []struct {
		name  string
		calls []call
		// want is the reactions field after the calls; nil = absent.
		want map[string][]string
	}{
		{"emoji without colons", []call{{alice, map[string]any{"emoji": "smile"}}}, map[string][]string{":smile:": {"alice"}}},
		{"emoji with colons", []call{{alice, map[string]any{"emoji": ":smile:"}}}, map[string][]string{":smile:": {"alice"}}},
		{"reaction key", []call{{alice, map[string]any{"reaction": "thumbsup"}}}, map[string][]string{":thumbsup:": {"alice"}}},
		{"should react twice is idempotent", []call{
			{alice, map[string]any{"emoji": "smile", "shouldReact": true}},
			{alice, map[string]any{"emoji": "smile", "shouldReact": true}},
		}, map[string][]string{":smile:": {"alice"}}},
		{"unreact when not reacted is a no-op", []call{{alice, map[string]any{"emoji": "smile", "shouldReact": false}}}, nil},
		{"null shouldReact toggles", []call{{alice, map[string]any{"emoji": "smile", "shouldReact": nil}}}, map[string][]string{":smile:": {"alice"}}},
		{"toggle twice removes the field", []call{
			{alice, map[string]any{"emoji": "smile"}},
			{alice, map[string]any{"emoji": ":smile:"}},
		}, nil},
		{"two users, one leaves", []call{
			{alice, map[string]any{"emoji": "smile"}},
			{bob, map[string]any{"emoji": "smile"}},
			{alice, map[string]any{"emoji": "smile", "shouldReact": false}},
		}, map[string][]string{":smile:": {"bob"}}},
		{"usernames keep their order", []call{
			{bob, map[string]any{"emoji": "smile"}},
			{alice, map[string]any{"emoji": "smile"}},
		}, map[string][]string{":smile:": {"bob", "alice"}}},
		{"empty entry is removed, others stay", []call{
			{alice, map[string]any{"emoji": "smile"}},
			{alice, map[string]any{"emoji": "tada"}},
			{alice, map[string]any{"emoji": "smile"}},
		}, map[string][]string{":tada:": {"alice"}}},
		{"non-member of a public channel may react", []call{{e.Admin, map[string]any{"emoji": "smile"}}}, map[string][]string{":smile:": {"admin"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			id := owner.PostText(t, rid, "react to "+tc.name)["_id"].(string)
			for _, c := range tc.calls {
				body := map[string]any{"messageId": id}
				for k, v := range c.body {
					body[k] = v
				}
				if r := c.by.Post(t, "chat.react", body).OK(t); string(r.Body) != `{"success":true}`+"\n" {
					t.Fatalf("react body = %s", r.Body)
				}
			}
			got, present := owner.GetMessage(t, id)["reactions"]
			if tc.want == nil {
				if present {
					t.Fatalf("reactions = %v, want the field absent", got)
				}
				return
			}
			want := map[string]any{}
			for k, names := range tc.want {
				us := make([]any, len(names))
				for i, n := range names {
					us[i] = n
				}
				want[k] = map[string]any{"usernames": us}
			}
			if apitest.JSON(got) != apitest.JSON(want) {
				t.Fatalf("reactions = %s, want %s", apitest.JSON(got), apitest.JSON(want))
			}
		})
	}

	id := owner.PostText(t, rid, "react errors")["_id"].(string)
	roID := owner.PostText(t, roRID, "read only")["_id"].(string)
	for _, tc := range []struct {
		name      string
		by        *apitest.Client
		body      map[string]any
		errorType string
		errorText string
		plain     bool
	}{
		{"both keys", alice, map[string]any{"messageId": id, "emoji": "smile", "reaction": "smile"}, "invalid-params", "", false},
		{"neither key", alice, map[string]any{"messageId": id}, "invalid-params", "", false},
		{"no messageId", alice, map[string]any{"emoji": "smile"}, "invalid-params", "", false},
		{"empty messageId", alice, map[string]any{"messageId": "", "emoji": "smile"}, "invalid-params", "", false},
		{"unknown key", alice, map[string]any{"messageId": id, "emoji": "smile", "x": 1}, "invalid-params", "", false},
		{"unknown emoji", alice, map[string]any{"messageId": id, "emoji": "no_such_emoji_here"}, "error-not-allowed", "Invalid emoji provided. [error-not-allowed]", false},
		{"empty emoji", alice, map[string]any{"messageId": id, "emoji": ""}, "error-emoji-param-not-provided", `The required "emoji" param is missing. [error-emoji-param-not-provided]`, false},
		{"only colons", alice, map[string]any{"messageId": id, "reaction": "::"}, "error-emoji-param-not-provided", "", false},
		{"unknown message", alice, map[string]any{"messageId": "nope", "emoji": "smile"}, "error-message-not-found", `The provided "messageId" does not match any existing message. [error-message-not-found]`, false},
		{"read-only room", alice, map[string]any{"messageId": roID, "emoji": "smile"}, "", "You can't send messages because the room is readonly.", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := tc.by.Post(t, "chat.react", tc.body)
			if tc.plain {
				r.FailsPlain(t, tc.errorText)
				return
			}
			m := r.Fails(t, 400, tc.errorType, tc.errorText).JSON(t)
			if tc.errorType == "error-not-allowed" && apitest.JSON(m["details"]) != `{"method":"setReaction"}` {
				t.Fatalf("details = %v", m["details"])
			}
		})
	}

	t.Run("read-only room", func(t *testing.T) {
		t.Parallel()
		id := owner.PostText(t, roRID, "owners may react")["_id"].(string)
		// The owner holds post-readonly; a refused reaction changes nothing,
		// and taking back a reaction one never gave is no change either.
		owner.Post(t, "chat.react", map[string]any{"messageId": id, "emoji": "smile"}).OK(t)
		alice.Post(t, "chat.react", map[string]any{"messageId": id, "emoji": "smile", "shouldReact": false}).OK(t)
		alice.Post(t, "chat.react", map[string]any{"messageId": id, "emoji": "smile"}).FailsPlain(t, "You can't send messages because the room is readonly.")
		if got := apitest.JSON(owner.GetMessage(t, id)["reactions"]); got != `{":smile:":{"usernames":["reactowner"]}}` {
			t.Fatalf("reactions = %s", got)
		}
	})
}

func TestChatPin(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "pinowner", "pinmember")
	owner, member := e.Users[0], e.Users[1]
	rid := owner.CreateRoom(t, "channels", "", nil, "pinmember")
	gid := owner.CreateRoom(t, "groups", "", nil, "pinmember")

	t.Run("plain user lacks pin-message", func(t *testing.T) {
		t.Parallel()
		id := member.PostText(t, rid, "member text")["_id"].(string)
		m := member.Post(t, "chat.pinMessage", map[string]any{"messageId": id}).Fails(t, 400, "not-authorized", "Not Authorized [not-authorized]").JSON(t)
		if apitest.JSON(m["details"]) != `{"method":"pinMessage"}` {
			t.Fatalf("details = %v", m["details"])
		}
		if _, ok := member.GetMessage(t, id)["pinned"]; ok {
			t.Fatal("refused pin pinned the message")
		}
	})

	t.Run("owner pins", func(t *testing.T) {
		t.Parallel()
		orig := member.PostText(t, gid, "pin me please")
		id := orig["_id"].(string)
		sys := owner.Post(t, "chat.pinMessage", map[string]any{"messageId": id}).OK(t).JSON(t)["message"].(map[string]any)
		if sys["t"] != "message_pinned" || sys["msg"] != "" || sys["rid"] != gid || sys["_id"] == id || sys["groupable"] != false {
			t.Fatalf("system message = %v", sys)
		}
		if u := sys["u"].(map[string]any); u["username"] != "pinowner" {
			t.Fatalf("system message author = %v", u)
		}
		atts, _ := sys["attachments"].([]any)
		if len(atts) != 1 {
			t.Fatalf("attachments = %v", sys["attachments"])
		}
		at := atts[0].(map[string]any)
		if at["text"] != "pin me please" || at["author_name"] != "pinmember" || at["ts"] != orig["ts"] || at["author_icon"] == nil {
			t.Fatalf("quote = %v", at)
		}

		pinned := member.GetMessage(t, id)
		if pinned["pinned"] != true || pinned["pinnedAt"] == nil || apitest.JSON(pinned["pinnedBy"]) != apitest.JSON(map[string]any{"_id": owner.UserID, "username": "pinowner"}) {
			t.Fatalf("pinned message = %v", pinned)
		}

		// Pinning again answers with the message itself and adds no
		// second system message.
		again := owner.Post(t, "chat.pinMessage", map[string]any{"messageId": id}).OK(t).JSON(t)["message"].(map[string]any)
		if again["_id"] != id || again["msg"] != "pin me please" || again["pinned"] != true {
			t.Fatalf("second pin = %v", again)
		}
		h := owner.ListMessages(t, "groups.history", apitest.Q("roomId", gid))
		n := 0
		for _, m := range h.Messages {
			if m["t"] == "message_pinned" {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d message_pinned messages, want 1", n)
		}
	})

	t.Run("admin pins without a subscription", func(t *testing.T) {
		t.Parallel()
		id := member.PostText(t, rid, "admin pins this")["_id"].(string)
		sys := e.Admin.Post(t, "chat.pinMessage", map[string]any{"messageId": id}).OK(t).JSON(t)["message"].(map[string]any)
		if sys["t"] != "message_pinned" {
			t.Fatalf("system message = %v", sys)
		}
		// Unpinning needs a subscription, which the admin lacks.
		m := e.Admin.Post(t, "chat.unPinMessage", map[string]any{"messageId": id}).
			Fails(t, 400, "error-invalid-message", "Message you are unpinning was not found [error-invalid-message]").JSON(t)
		if apitest.JSON(m["details"]) != `{"action":"Message_pinning","method":"unpinMessage"}` {
			t.Fatalf("details = %v", m["details"])
		}
		if owner.GetMessage(t, id)["pinned"] != true {
			t.Fatal("refused unpin unpinned")
		}
	})

	t.Run("unpin", func(t *testing.T) {
		t.Parallel()
		id := member.PostText(t, rid, "unpin me")["_id"].(string)
		e.Admin.Post(t, "chat.pinMessage", map[string]any{"messageId": id}).OK(t)
		member.Post(t, "chat.unPinMessage", map[string]any{"messageId": id}).Fails(t, 400, "not-authorized", "Not Authorized [not-authorized]")
		r := owner.Post(t, "chat.unPinMessage", map[string]any{"messageId": id}).OK(t)
		if string(r.Body) != `{"success":true}`+"\n" {
			t.Fatalf("unpin body = %s", r.Body)
		}
		m := owner.GetMessage(t, id)
		if m["pinned"] == true || m["pinnedAt"] == nil || apitest.JSON(m["pinnedBy"]) != apitest.JSON(map[string]any{"_id": owner.UserID, "username": "pinowner"}) {
			t.Fatalf("unpinned message = %v", m)
		}
		// Not checked for idempotence.
		owner.Post(t, "chat.unPinMessage", map[string]any{"messageId": id}).OK(t)
	})

	t.Run("validation", func(t *testing.T) {
		t.Parallel()
		for _, path := range []string{"chat.pinMessage", "chat.unPinMessage"} {
			// Typed routes: no "[invalid-params]" suffix.
			owner.Post(t, path, map[string]any{}).Fails(t, 400, "invalid-params", "must have required property 'messageId'")
			owner.Post(t, path, map[string]any{"messageId": ""}).Fails(t, 400, "invalid-params", "must NOT have fewer than 1 characters")
			owner.Post(t, path, map[string]any{"messageId": "nope"}).
				Fails(t, 400, "error-message-not-found", `The provided "messageId" does not match any existing message. [error-message-not-found]`)
		}
	})

	t.Run("getPinnedMessages", func(t *testing.T) {
		t.Parallel()
		room := owner.CreateRoom(t, "groups", "", nil, "pinmember")
		var ids []string
		for _, text := range []string{"p1", "p2", "p3", "not pinned"} {
			ids = append(ids, member.PostText(t, room, text)["_id"].(string))
		}
		for _, id := range ids[:3] {
			owner.Post(t, "chat.pinMessage", map[string]any{"messageId": id}).OK(t)
		}
		l := member.ListMessages(t, "chat.getPinnedMessages", apitest.Q("roomId", room))
		if got := apitest.IDs(l.Messages); !slices.Equal(got, []string{ids[2], ids[1], ids[0]}) || l.Count != 3 || l.Total != 3 || l.Offset != 0 {
			t.Fatalf("pinned = %v %+v", got, l)
		}
		for _, m := range l.Messages {
			if m["pinned"] != true {
				t.Fatalf("listed message not pinned: %v", m)
			}
		}
		l = member.ListMessages(t, "chat.getPinnedMessages", apitest.Q("roomId", room, "count", "2"))
		if got := apitest.IDs(l.Messages); !slices.Equal(got, []string{ids[2], ids[1]}) || l.Count != 2 || l.Total != 3 || l.Offset != 0 {
			t.Fatalf("first page = %v %+v", got, l)
		}
		l = member.ListMessages(t, "chat.getPinnedMessages", apitest.Q("roomId", room, "count", "2", "offset", "2"))
		if got := apitest.IDs(l.Messages); !slices.Equal(got, []string{ids[0]}) || l.Count != 1 || l.Total != 3 || l.Offset != 2 {
			t.Fatalf("second page = %v %+v", got, l)
		}
		owner.Post(t, "chat.unPinMessage", map[string]any{"messageId": ids[1]}).OK(t)
		l = member.ListMessages(t, "chat.getPinnedMessages", apitest.Q("roomId", room, "sort", `{"ts":1}`))
		if got := apitest.IDs(l.Messages); !slices.Equal(got, []string{ids[0], ids[2]}) || l.Total != 2 {
			t.Fatalf("after unpin = %v %+v", got, l)
		}
		member.Get(t, "chat.getPinnedMessages").Fails(t, 400, "error-roomId-param-not-provided", `The required "roomId" query param is missing. [error-roomId-param-not-provided]`)
		member.Get(t, "chat.getPinnedMessages", apitest.Q("roomId", "")).Fails(t, 400, "error-roomId-param-not-provided", "")
		member.Get(t, "chat.getPinnedMessages", apitest.Q("roomId", "nope")).Fails(t, 400, "error-not-allowed", "Not allowed [error-not-allowed]")
	})
}

// TestChatMarkingDisabled gives each case a server of its own:
// Message_AllowPinning and Message_AllowStarring are global.
func TestChatMarkingDisabled(t *testing.T) {
	t.Parallel()
	// A call is its path and the method its refusal's details name.
	type call struct{ path, method string }
	for _, tc := range []struct {
		name, setting, refusal, action, list string
		mark, unmark                         call
	}{
		{"pin", "Message_AllowPinning", "Message pinning not allowed", "Message_pinning", "chat.getPinnedMessages",
			call{"chat.pinMessage", "pinMessage"}, call{"chat.unPinMessage", "unpinMessage"}},
		{"star", "Message_AllowStarring", "Message starring not allowed", "Message_starring", "chat.getStarredMessages",
			call{"chat.starMessage", "starMessage"}, call{"chat.unStarMessage", "starMessage"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := apitest.New(t)
			owner := e.NewUser(t, tc.name+"off")
			rid := owner.CreateRoom(t, "channels", "", nil)
			marked := owner.PostText(t, rid, "marked before")["_id"].(string)
			other := owner.PostText(t, rid, "never marked")["_id"].(string)
			owner.Post(t, tc.mark.path, map[string]any{"messageId": marked}).OK(t)
			e.SetSetting(t, tc.setting, false)
			// Both ways are refused, whether or not the message is marked.
			for _, c := range []call{tc.mark, tc.unmark} {
				for _, id := range []string{marked, other} {
					m := owner.Post(t, c.path, map[string]any{"messageId": id}).
						Fails(t, 400, "error-action-not-allowed", tc.refusal+" [error-action-not-allowed]").JSON(t)
					if apitest.JSON(m["details"]) != `{"action":"`+tc.action+`","method":"`+c.method+`"}` {
						t.Fatalf("%s details = %v", c.path, m["details"])
					}
				}
			}
			// The listing does not consult the setting.
			if l := owner.ListMessages(t, tc.list, apitest.Q("roomId", rid)); !slices.Equal(apitest.IDs(l.Messages), []string{marked}) {
				t.Fatalf("%s = %v", tc.list, apitest.IDs(l.Messages))
			}
		})
	}
}

func TestChatStar(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "starowner", "starmember", "staroutsider")
	owner, member, outsider := e.Users[0], e.Users[1], e.Users[2]
	rid := owner.CreateRoom(t, "channels", "", nil, "starmember")

	t.Run("stars are per caller", func(t *testing.T) {
		t.Parallel()
		room := owner.CreateRoom(t, "channels", "", nil, "starmember")
		a := owner.PostText(t, room, "star a")["_id"].(string)
		b := owner.PostText(t, room, "star b")["_id"].(string)
		owner.PostText(t, room, "star c")
		for _, c := range []struct {
			by *apitest.Client
			id string
		}{{member, a}, {member, b}, {owner, a}, {member, a}} {
			r := c.by.Post(t, "chat.starMessage", map[string]any{"messageId": c.id}).OK(t)
			if string(r.Body) != `{"success":true}`+"\n" {
				t.Fatalf("star body = %s", r.Body)
			}
		}
		l := member.ListMessages(t, "chat.getStarredMessages", apitest.Q("roomId", room))
		if !slices.Equal(apitest.IDs(l.Messages), []string{b, a}) || l.Total != 2 || l.Count != 2 {
			t.Fatalf("member's stars = %v %+v", apitest.IDs(l.Messages), l)
		}
		for _, m := range l.Messages {
			if got := apitest.JSON(m["starred"]); got != `[{"_id":"`+member.UserID+`"}]` {
				t.Fatalf("starred = %s, want only the caller's entry", got)
			}
		}
		l = owner.ListMessages(t, "chat.getStarredMessages", apitest.Q("roomId", room))
		if !slices.Equal(apitest.IDs(l.Messages), []string{a}) || apitest.JSON(l.Messages[0]["starred"]) != `[{"_id":"`+owner.UserID+`"}]` {
			t.Fatalf("owner's stars = %v", l.Messages)
		}
		if got := apitest.JSON(member.GetMessage(t, a)["starred"]); got != `[{"_id":"`+member.UserID+`"}]` {
			t.Fatalf("getMessage starred = %s", got)
		}
		l = member.ListMessages(t, "chat.getStarredMessages", apitest.Q("roomId", room, "count", "1", "offset", "1"))
		if !slices.Equal(apitest.IDs(l.Messages), []string{a}) || l.Total != 2 || l.Count != 1 || l.Offset != 1 {
			t.Fatalf("page = %v %+v", apitest.IDs(l.Messages), l)
		}

		member.Post(t, "chat.unStarMessage", map[string]any{"messageId": a}).OK(t)
		member.Post(t, "chat.unStarMessage", map[string]any{"messageId": a}).OK(t)
		l = member.ListMessages(t, "chat.getStarredMessages", apitest.Q("roomId", room))
		if !slices.Equal(apitest.IDs(l.Messages), []string{b}) || l.Total != 1 {
			t.Fatalf("after unstar = %v", apitest.IDs(l.Messages))
		}
		if _, ok := member.GetMessage(t, a)["starred"]; ok {
			t.Fatal("the caller still sees a star on the unstarred message")
		}
		l = owner.ListMessages(t, "chat.getStarredMessages", apitest.Q("roomId", room))
		if !slices.Equal(apitest.IDs(l.Messages), []string{a}) {
			t.Fatalf("another's unstar removed the owner's star: %v", apitest.IDs(l.Messages))
		}
	})

	t.Run("non-member star is a silent no-op", func(t *testing.T) {
		t.Parallel()
		id := owner.PostText(t, rid, "outsider stars")["_id"].(string)
		r := outsider.Post(t, "chat.starMessage", map[string]any{"messageId": id}).OK(t)
		if string(r.Body) != `{"success":true}`+"\n" {
			t.Fatalf("star body = %s", r.Body)
		}
		l := outsider.ListMessages(t, "chat.getStarredMessages", apitest.Q("roomId", rid))
		if len(l.Messages) != 0 || l.Total != 0 {
			t.Fatalf("outsider's stars = %v", l.Messages)
		}
		e.Admin.Get(t, "chat.getStarredMessages", apitest.Q("roomId", rid)).OK(t)
		if _, ok := e.Admin.GetMessage(t, id)["starred"]; ok {
			t.Fatal("non-member star was stored")
		}
	})

	t.Run("errors", func(t *testing.T) {
		t.Parallel()
		for _, path := range []string{"chat.starMessage", "chat.unStarMessage"} {
			member.Post(t, path, map[string]any{}).Fails(t, 400, "invalid-params", "must have required property 'messageId' [invalid-params]")
			member.Post(t, path, map[string]any{"messageId": "nope"}).
				Fails(t, 400, "error-message-not-found", `The provided "messageId" does not match any existing message. [error-message-not-found]`)
		}
		member.Get(t, "chat.getStarredMessages").Fails(t, 400, "error-invalid-params", `The required "roomId" query param is missing. [error-invalid-params]`)
		member.Get(t, "chat.getStarredMessages", apitest.Q("roomId", "nope")).FailsPlain(t, "error-not-allowed")
	})
}

func TestChatReportMessage(t *testing.T) {
	t.Parallel()
	_, owner, rid := apitest.NewUserRoom(t, "reporter", "channels", "")
	id := owner.PostText(t, rid, "report me")["_id"].(string)
	for _, tc := range []struct {
		name      string
		body      map[string]any
		errorType string
		text      string // for plain failures
	}{
		{"happy path", map[string]any{"messageId": id, "description": "spam"}, "", ""},
		{"missing description", map[string]any{"messageId": id}, "invalid-params", ""},
		{"unknown key", map[string]any{"messageId": id, "description": "x", "reason": "x"}, "invalid-params", ""},
		{"empty messageId", map[string]any{"messageId": "", "description": "spam"}, "", `The required "messageId" param is missing.`},
		{"empty description", map[string]any{"messageId": id, "description": ""}, "", `The required "description" param is missing.`},
		{"blank description", map[string]any{"messageId": id, "description": " \t "}, "", "error-invalid-description"},
		{"blank description before unknown message", map[string]any{"messageId": "nope", "description": "  "}, "", "error-invalid-description"},
		{"unknown message", map[string]any{"messageId": "nope", "description": "spam"}, "", "error-invalid-message_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := owner.Post(t, "chat.reportMessage", tc.body)
			switch {
			case tc.errorType != "":
				r.Fails(t, 400, tc.errorType, "")
			case tc.text != "":
				r.FailsPlain(t, tc.text)
			default:
				if r.OK(t); string(r.Body) != `{"success":true}`+"\n" {
					t.Fatalf("body = %s", r.Body)
				}
			}
		})
	}
}

func TestChatIgnoreUser(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "ignorer", "bore", "stranger")
	me, bore, stranger := e.Users[0], e.Users[1], e.Users[2]
	rid := me.CreateRoom(t, "groups", "", nil, "bore")
	ignored := func() []any {
		sub := me.Get(t, "subscriptions.getOne", apitest.Q("roomId", rid)).OK(t).JSON(t)["subscription"].(map[string]any)
		list, _ := sub["ignored"].([]any)
		return list
	}
	ignore := func(v string) *apitest.Response {
		return me.Get(t, "chat.ignoreUser", apitest.Q("rid", rid, "userId", bore.UserID, "ignore", v))
	}

	ignore("true").OK(t)
	if got := ignored(); apitest.JSON(got) != `["`+bore.UserID+`"]` {
		t.Fatalf("ignored = %v", got)
	}
	ignore("1").OK(t)
	if got := ignored(); len(got) != 1 {
		t.Fatalf("ignoring twice: ignored = %v", got)
	}
	// The other side's subscription is not touched.
	sub := bore.Get(t, "subscriptions.getOne", apitest.Q("roomId", rid)).OK(t).JSON(t)["subscription"].(map[string]any)
	if l, _ := sub["ignored"].([]any); len(l) != 0 {
		t.Fatalf("target's ignored = %v", l)
	}
	// Anything not containing "true" or "1" means false.
	ignore("yes").OK(t)
	if got := ignored(); len(got) != 0 {
		t.Fatalf("after ignore=yes: ignored = %v", got)
	}
	ignore("true").OK(t)
	ignore("false").OK(t)
	if got := ignored(); len(got) != 0 {
		t.Fatalf("after ignore=false: ignored = %v", got)
	}
	ignore("false").OK(t)

	for _, tc := range []struct {
		name       string
		by         *apitest.Client
		q          []string
		errorType  string
		errorText  string
		wantDetail bool
	}{
		{"target not in room", me, []string{"rid", rid, "userId", stranger.UserID, "ignore", "true"}, "error-invalid-subscription", "Invalid subscription [error-invalid-subscription]", true},
		{"unknown target", me, []string{"rid", rid, "userId", "nope", "ignore", "true"}, "error-invalid-subscription", "", true},
		{"caller not in room", stranger, []string{"rid", rid, "userId", bore.UserID, "ignore", "true"}, "error-invalid-subscription", "", true},
		{"unknown room", me, []string{"rid", "nope", "userId", bore.UserID, "ignore", "true"}, "error-invalid-subscription", "", true},
		{"missing ignore", me, []string{"rid", rid, "userId", bore.UserID}, "invalid-params", "must have required property 'ignore' [invalid-params]", false},
		{"missing userId", me, []string{"rid", rid, "ignore", "true"}, "invalid-params", "", false},
		{"missing rid", me, []string{"userId", bore.UserID, "ignore", "true"}, "invalid-params", "", false},
		{"empty ignore", me, []string{"rid", rid, "userId", bore.UserID, "ignore", ""}, "invalid-params", "", false},
		{"blank rid", me, []string{"rid", "  ", "userId", bore.UserID, "ignore", "true"}, "error-room-id-param-not-provided", `The required "rid" param is missing. [error-room-id-param-not-provided]`, false},
		{"blank userId", me, []string{"rid", rid, "userId", " ", "ignore", "true"}, "error-user-id-param-not-provided", `The required "userId" param is missing. [error-user-id-param-not-provided]`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := tc.by.Get(t, "chat.ignoreUser", apitest.Q(tc.q...)).Fails(t, 400, tc.errorType, tc.errorText).JSON(t)
			if tc.wantDetail && apitest.JSON(m["details"]) != `{"method":"ignoreUser"}` {
				t.Fatalf("details = %v", m["details"])
			}
		})
	}
}
