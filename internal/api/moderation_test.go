package api_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
	"github.com/parleychat/parley/internal/events"
)

// messageExists reports whether c can still read message id.
func messageExists(t *testing.T, c *apitest.Client, id string) bool {
	t.Helper()
	return c.Get(t, "chat.getMessage", apitest.Q("msgId", id)).Status == http.StatusOK
}

func TestRoomsBanUser(t *testing.T) {
	t.Parallel()
	for _, f := range families {
		t.Run(f.prefix, func(t *testing.T) {
			t.Parallel()
			e := apitest.NewScene(t, "bnowner", "bnbob", "bncarol", "bndave")
			owner, bob, carol, dave := e.Users[0], e.Users[1], e.Users[2], e.Users[3]
			rid := owner.CreateRoom(t, f.prefix, e.Unique("bnroom"), nil, "bnbob", "bncarol")
			ban := func(c *apitest.Client, body map[string]any) *apitest.Response {
				return c.Post(t, "rooms.banUser", body)
			}

			// Refusals: the shape, the permission, the room, the target.
			ban(owner, map[string]any{"userId": bob.UserID}).Fails(t, 400, "invalid-params", "")
			ban(owner, map[string]any{"roomId": rid}).Fails(t, 400, "invalid-params", "")
			ban(owner, map[string]any{"roomId": rid, "username": "nobody"}).
				Fails(t, 400, "error-invalid-user", `The required "userId" or "username" param provided does not match any users [error-invalid-user]`)
			ban(bob, map[string]any{"roomId": rid, "username": "bncarol"}).FailsPlain(t, "Not allowed")
			ban(owner, map[string]any{"roomId": "nope", "username": "bncarol"}).FailsPlain(t, "Not allowed")
			ban(owner, map[string]any{"roomId": rid, "username": "bndave"}).FailsPlain(t, "User is not in this room")
			dm := owner.CreateDM(t, "dm", map[string]any{"username": "bnbob"})["_id"].(string)
			ban(e.Admin, map[string]any{"roomId": dm, "username": "bnbob"}).FailsPlain(t, "Not allowed")
			ban(owner, map[string]any{"roomId": rid, "username": "bnowner"}).
				FailsPlain(t, "You are the last owner. Please set new owner before banning the user.")

			users := apitest.Num(owner.RoomInfo(t, rid)["usersCount"])
			ban(owner, map[string]any{"roomId": rid, "username": "bnbob"}).OK(t)
			if bob.Subscription(t, rid) != nil {
				t.Fatal("the banned user is still a member")
			}
			if n := apitest.Num(owner.RoomInfo(t, rid)["usersCount"]); n != users-1 {
				t.Fatalf("usersCount %d after a ban, was %d", n, users)
			}
			if m := lastOfType(t, owner, f.prefix, rid, "user-banned"); m["msg"] != "bnbob" || m["u"].(map[string]any)["username"] != "bnowner" {
				t.Fatalf("user-banned message: %v", m)
			}
			ban(owner, map[string]any{"roomId": rid, "userId": bob.UserID}).FailsPlain(t, "User is already banned from this room")

			// Nobody brings a banned user back: not joining, not inviting.
			if f.prefix == "channels" {
				bob.Post(t, "channels.join", map[string]any{"roomId": rid}).Expect(t, 400)
			}
			owner.Post(t, f.prefix+".invite", map[string]any{"roomId": rid, "userId": bob.UserID}).Expect(t, 400)
			if bob.Subscription(t, rid) != nil {
				t.Fatal("the banned user was let back in")
			}

			// The list: whoever sees the room reads it.
			var list struct {
				BannedUsers []map[string]any `json:"bannedUsers"`
				Count       int              `json:"count"`
				Offset      int              `json:"offset"`
				Total       int              `json:"total"`
			}
			carol.Get(t, "rooms.bannedUsers", apitest.Q("roomId", rid)).OK(t).Decode(t, &list)
			if list.Total != 1 || list.Count != 1 || len(list.BannedUsers) != 1 ||
				list.BannedUsers[0]["_id"] != bob.UserID || list.BannedUsers[0]["username"] != "bnbob" {
				t.Fatalf("bannedUsers: %+v", list)
			}
			owner.Get(t, "rooms.bannedUsers", apitest.Q("roomId", rid, "offset", "1")).OK(t).Decode(t, &list)
			if list.Total != 1 || len(list.BannedUsers) != 0 || list.Offset != 1 {
				t.Fatalf("bannedUsers past the end: %+v", list)
			}
			bob.Get(t, "rooms.bannedUsers", apitest.Q("roomId", rid)).Fails(t, 403, "", "unauthorized")
			owner.Get(t, "rooms.bannedUsers", apitest.Q("roomId", "nope")).Fails(t, 403, "", "unauthorized")
			owner.Get(t, "rooms.bannedUsers", nil).Fails(t, 400, "invalid-params", "")
			if f.prefix == "groups" {
				dave.Get(t, "rooms.bannedUsers", apitest.Q("roomId", rid)).Fails(t, 403, "", "unauthorized")
			}

			// Unbanning lifts the ban and nothing more.
			owner.Post(t, "rooms.unbanUser", map[string]any{"roomId": rid, "username": "bncarol"}).FailsPlain(t, "error-user-not-banned")
			if f.prefix == "groups" {
				// The admin may ban, but cannot see a group it is not in.
				e.Admin.Post(t, "rooms.unbanUser", map[string]any{"roomId": rid, "username": "bnbob"}).
					FailsPlain(t, `The required "roomId" or "roomName" param provided does not match any group`)
			}
			carol.Post(t, "rooms.unbanUser", map[string]any{"roomId": rid, "userId": bob.UserID}).FailsPlain(t, "Not allowed")
			owner.Post(t, "rooms.unbanUser", map[string]any{"roomId": rid, "userId": bob.UserID}).OK(t)
			if m := lastOfType(t, owner, f.prefix, rid, "user-unbanned"); m["msg"] != "bnbob" {
				t.Fatalf("user-unbanned message: %v", m)
			}
			if bob.Subscription(t, rid) != nil {
				t.Fatal("unbanning made the user a member")
			}
			owner.Post(t, "rooms.unbanUser", map[string]any{"roomId": rid, "userId": bob.UserID}).FailsPlain(t, "error-user-not-banned")
			owner.Get(t, "rooms.bannedUsers", apitest.Q("roomId", rid)).OK(t).Decode(t, &list)
			if list.Total != 0 || len(list.BannedUsers) != 0 {
				t.Fatalf("bannedUsers after the unban: %+v", list)
			}
			owner.Post(t, f.prefix+".invite", map[string]any{"roomId": rid, "userId": bob.UserID}).OK(t)
			if bob.Subscription(t, rid) == nil {
				t.Fatal("an unbanned user could not be added")
			}
		})
	}
}

// pruneScene is a room whose messages a pruning test removes: a1 and a2
// by the admin, b1 and the thread reply tr by bob, p1 pinned, t1 the
// thread's parent and d1 the message that started a discussion (drid).
type pruneScene struct {
	rid, drid string
	ids       map[string]string
	// oldest and latest are the ts of a1 and a2.
	oldest, latest string
}

func newPruneScene(t *testing.T, e *apitest.Scene, prefix string) pruneScene {
	t.Helper()
	admin, bob := e.Admin, e.Users[0]
	s := pruneScene{ids: map[string]string{}}
	s.rid = admin.CreateRoom(t, prefix, e.Unique("prune"), nil, bob.Username)
	post := func(c *apitest.Client, key, text string) map[string]any {
		m := c.PostText(t, s.rid, text)
		s.ids[key] = m["_id"].(string)
		return m
	}
	s.oldest = post(admin, "a1", "one")["ts"].(string)
	post(bob, "b1", "two")
	post(admin, "p1", "three")
	post(admin, "t1", "four")
	s.ids["tr"] = bob.Reply(t, s.rid, s.ids["t1"], "five")["_id"].(string)
	d := newDiscussion(t, admin, map[string]any{"prid": s.rid, "t_name": "side"})
	s.drid = d["_id"].(string)
	for _, m := range admin.History(t, prefix, s.rid) {
		if m["drid"] == s.drid {
			s.ids["d1"] = m["_id"].(string)
		}
	}
	if s.ids["d1"] == "" {
		t.Fatal("no message started the discussion")
	}
	s.latest = post(admin, "a2", "six")["ts"].(string)
	// Pinned last, so that the pin's own notice falls after the range.
	admin.Post(t, "chat.pinMessage", map[string]any{"messageId": s.ids["p1"]}).OK(t)
	return s
}

func TestRoomsCleanHistory(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "prbob", "prdave")
	admin, bob, dave := e.Admin, e.Users[0], e.Users[1]
	all := []string{"a1", "b1", "p1", "t1", "tr", "d1", "a2"}
	cases := []struct {
		name    string
		opts    map[string]any
		removed []string
	}{
		{"everything", nil, all},
		{"bounds left out", map[string]any{"inclusive": false}, []string{"b1", "p1", "t1", "tr", "d1"}},
		{"pinned kept", map[string]any{"excludePinned": true}, []string{"a1", "b1", "t1", "tr", "d1", "a2"}},
		{"one user", map[string]any{"users": []string{"prbob"}}, []string{"b1", "tr"}},
		{"unknown user", map[string]any{"users": []string{"nobody"}}, nil},
		{"threads kept", map[string]any{"ignoreThreads": true}, []string{"a1", "b1", "p1", "d1", "a2"}},
		{"discussion kept", map[string]any{"ignoreDiscussion": true}, []string{"a1", "b1", "p1", "t1", "tr", "a2"}},
		{"oldest first up to the limit", map[string]any{"limit": 2}, []string{"a1", "b1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newPruneScene(t, e, "groups")
			body := map[string]any{"roomId": s.rid, "oldest": s.oldest, "latest": s.latest, "inclusive": true}
			for k, v := range tc.opts {
				body[k] = v
			}
			var res map[string]any
			evs := roomEvents(t, e.Env, s.rid, func() {
				res = admin.Post(t, "rooms.cleanHistory", body).OK(t).JSON(t)
			})
			if res["_id"] != s.rid || apitest.Num(res["count"]) != len(tc.removed) {
				t.Fatalf("answer %v, want count %d", res, len(tc.removed))
			}
			gone := map[string]bool{}
			for _, k := range tc.removed {
				gone[k] = true
			}
			for _, k := range all {
				if messageExists(t, admin, s.ids[k]) == gone[k] {
					t.Errorf("message %s: removed %v, want %v", k, !gone[k], gone[k])
				}
			}
			discussionLeft := admin.Get(t, "rooms.info", apitest.Q("roomId", s.drid)).Status == http.StatusOK
			if discussionLeft == gone["d1"] {
				t.Errorf("discussion left %v with its message removed %v", discussionLeft, gone["d1"])
			}
			if hasEvent(evs, events.MessagesBulkDeleted, "") != (len(tc.removed) > 0) {
				t.Errorf("bulk delete event: %v", evs)
			}
		})
	}

	t.Run("refusals", func(t *testing.T) {
		s := newPruneScene(t, e, "groups")
		ok := map[string]any{"roomId": s.rid, "oldest": s.oldest, "latest": s.latest}
		with := func(k string, v any) map[string]any {
			b := map[string]any{}
			for key, val := range ok {
				b[key] = val
			}
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
			return b
		}
		bad := []struct {
			name string
			body map[string]any
		}{
			{"no latest", with("latest", nil)},
			{"no roomId", with("roomId", nil)},
			{"latest not a date", with("latest", "yesterday")},
			{"oldest not a date", with("oldest", "soon")},
			{"limit below 0", with("limit", -1)},
			{"limit not whole", with("limit", 1.5)},
			{"users not a list", with("users", "prbob")},
			{"unknown key", with("everything", true)},
		}
		for _, b := range bad {
			admin.Post(t, "rooms.cleanHistory", b.body).Fails(t, 400, "invalid-params", "")
		}
		admin.Post(t, "rooms.cleanHistory", with("roomId", "nope")).
			Fails(t, 400, "error-room-not-found", `The required "roomId" or "roomName" param provided does not match any channel [error-room-not-found]`)
		admin.Post(t, "rooms.cleanHistory", with("roomId", "")).Fails(t, 400, "error-roomid-param-not-provided", "")
		bob.Post(t, "rooms.cleanHistory", ok).Fails(t, 400, "error-not-allowed", "Not allowed [error-not-allowed]")
		dave.Post(t, "rooms.cleanHistory", ok).Fails(t, 400, "error-not-allowed", "User does not have access to the room [error-not-allowed]")
		for _, k := range []string{"a1", "b1", "a2"} {
			if !messageExists(t, admin, s.ids[k]) {
				t.Fatalf("a refused pruning removed %s", k)
			}
		}
		// The permission, once held, is enough.
		e.SetPermission(t, "clean-channel-history", "admin", "user")
		bob.Post(t, "rooms.cleanHistory", ok).OK(t)
		e.SetPermission(t, "clean-channel-history", "admin")
	})

	t.Run("files only", func(t *testing.T) {
		s := newPruneScene(t, e, "channels")
		m := uploadMedia(t, bob, s.rid, "notes.txt", "text/plain", []byte("hello"), map[string]any{"msg": "my notes"})
		url := m["attachments"].([]any)[0].(map[string]any)["title_link"].(string)
		download(t, bob, url).Expect(t, 200)
		res := admin.Post(t, "rooms.cleanHistory", map[string]any{
			"roomId": s.rid, "oldest": s.oldest, "latest": apitest.Latest(), "filesOnly": true,
		}).OK(t).JSON(t)
		if apitest.Num(res["count"]) != 1 {
			t.Fatalf("files only answer: %v", res)
		}
		download(t, bob, url).Expect(t, 404)
		got := bob.GetMessage(t, m["_id"].(string))
		if got["msg"] != "my notes" || got["file"] != nil || !strings.Contains(apitest.JSON(got["attachments"]), "File removed by prune") {
			t.Fatalf("message after its file went: %v", got)
		}
		for _, k := range []string{"a1", "b1", "a2"} {
			if !messageExists(t, admin, s.ids[k]) {
				t.Fatalf("files only removed message %s", k)
			}
		}
	})
}

// zipEntry reads the one document of an export archive.
func zipEntry(t *testing.T, b []byte) (string, []byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil || len(zr.File) != 1 {
		t.Fatalf("archive: %v, %d entries", err, len(zr.File))
	}
	f, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return zr.File[0].Name, doc
}

func TestRoomsExport(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "exbob", "exeve")
	admin, bob, eve := e.Admin, e.Users[0], e.Users[1]
	rid := admin.CreateRoom(t, "groups", e.Unique("export"), nil, "exbob")
	first := admin.PostText(t, rid, "hello <world>")
	bob.PostText(t, rid, "second line")

	for _, format := range []string{"json", "html"} {
		t.Run(format, func(t *testing.T) {
			res := admin.Post(t, "rooms.export", map[string]any{"rid": rid, "type": "file", "format": format, "dateFrom": "2000-01-01"}).OK(t).JSON(t)
			ex := res["export"].(map[string]any)
			url, _ := ex["url"].(string)
			if !strings.HasPrefix(url, "/data-export/") || ex["format"] != format || ex["rid"] != rid || !strings.HasSuffix(ex["name"].(string), ".zip") {
				t.Fatalf("export answer: %v", res)
			}
			r := download(t, admin, url).Expect(t, 200)
			if r.Header.Get("Content-Type") != "application/zip" || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment") {
				t.Fatalf("download headers: %v", r.Header)
			}
			name, doc := zipEntry(t, r.Body)
			if name != "messages."+format {
				t.Fatalf("entry %q", name)
			}
			if format == "json" {
				var msgs []map[string]any
				if err := json.Unmarshal(doc, &msgs); err != nil {
					t.Fatalf("json export: %v: %s", err, doc)
				}
				var texts []string
				for _, m := range msgs {
					if m["t"] == nil {
						texts = append(texts, m["msg"].(string))
					}
				}
				if len(texts) != 2 || texts[0] != "hello <world>" || texts[1] != "second line" {
					t.Fatalf("json export messages: %v", texts)
				}
			} else if !strings.Contains(string(doc), "hello &lt;world&gt;") || !strings.Contains(string(doc), "exbob") {
				t.Fatalf("html export: %s", doc)
			}
			// The archive is its maker's alone.
			download(t, bob, url).Fails(t, 404, "", "File not found")
			download(t, e.Anon(), url).Expect(t, 401)
			viaCookie := e.Anon()
			viaCookie.Header.Set("Cookie", "rc_uid="+admin.UserID+"; rc_token="+admin.Token)
			download(t, viaCookie, url).Expect(t, 200)
		})
	}

	t.Run("range", func(t *testing.T) {
		// A range that ends before the room began holds no message.
		ex := admin.Post(t, "rooms.export", map[string]any{"rid": rid, "type": "file", "format": "json", "dateTo": "2001-01-01"}).OK(t).JSON(t)["export"].(map[string]any)
		_, doc := zipEntry(t, download(t, admin, ex["url"].(string)).Expect(t, 200).Body)
		var msgs []any
		if err := json.Unmarshal(doc, &msgs); err != nil || len(msgs) != 0 {
			t.Fatalf("empty range: %v %s", err, doc)
		}
		admin.Post(t, "rooms.export", map[string]any{"rid": rid, "type": "file", "format": "json", "dateFrom": "2030-01-03", "dateTo": "2030-01-01"}).
			Fails(t, 400, "error-invalid-dates", "From date cannot be after To date [error-invalid-dates]")
	})

	t.Run("refusals", func(t *testing.T) {
		bad := []struct {
			body      map[string]any
			errorType string
		}{
			{map[string]any{"type": "file", "format": "json"}, "error-invalid-params"},
			{map[string]any{"rid": rid, "format": "json"}, "error-invalid-params"},
			{map[string]any{"rid": rid, "type": "fax"}, "error-invalid-params"},
			{map[string]any{"rid": rid, "type": "file"}, "error-invalid-format"},
			{map[string]any{"rid": rid, "type": "file", "format": "pdf"}, "error-invalid-format"},
			{map[string]any{"rid": rid, "type": "file", "format": "json", "dateFrom": "someday"}, "error-invalid-params"},
			{map[string]any{"rid": rid, "type": "file", "format": "json", "dateTo": 5}, "error-invalid-params"},
			{map[string]any{"rid": rid, "type": "email", "toUsers": []string{"exbob"}}, "error-invalid-params"},
			{map[string]any{"rid": rid, "type": "email", "toUsers": []string{"exbob"}, "messages": []string{}}, "error-invalid-params"},
			{map[string]any{"rid": rid, "type": "email", "toEmails": "a@b.c", "messages": []string{first["_id"].(string)}}, "error-invalid-params"},
		}
		for _, b := range bad {
			admin.Post(t, "rooms.export", b.body).Fails(t, 400, b.errorType, "["+b.errorType+"]")
		}
		file := map[string]any{"rid": rid, "type": "file", "format": "json"}
		bob.Post(t, "rooms.export", file).Fails(t, 400, "error-action-not-allowed", "Mailing is not allowed [error-action-not-allowed]")
		admin.Post(t, "rooms.export", map[string]any{"rid": "nope", "type": "file", "format": "json"}).Fails(t, 400, "error-invalid-room", "[error-invalid-room]")
		e.SetPermission(t, "mail-messages", "admin", "user")
		eve.Post(t, "rooms.export", file).Fails(t, 400, "error-not-allowed", "Not Allowed [error-not-allowed]")
		bob.Post(t, "rooms.export", file).OK(t)
		e.SetPermission(t, "mail-messages", "admin")
	})

	t.Run("email", func(t *testing.T) {
		msgs := []string{first["_id"].(string)}
		admin.Post(t, "rooms.export", map[string]any{"rid": rid, "type": "email", "messages": msgs}).
			Fails(t, 400, "error-invalid-recipient", "[error-invalid-recipient]")
		admin.Post(t, "rooms.export", map[string]any{"rid": rid, "type": "email", "toUsers": []string{"exbob"}, "subject": "log", "messages": msgs}).
			Fails(t, 400, "error-email-send-failed", "SMTP is not configured [error-email-send-failed]")
	})
}

func TestInvites(t *testing.T) {
	t.Parallel()
	clock := apitest.NewRunningClock()
	e := apitest.New(t, apitest.WithClock(clock))
	owner, bob, carol, dave := e.NewUser(t, "ivowner"), e.NewUser(t, "ivbob"), e.NewUser(t, "ivcarol"), e.NewUser(t, "ivdave")
	rid := owner.CreateRoom(t, "groups", e.Unique("invited"), nil, "ivbob")
	tokenOf := func(inv map[string]any) string {
		url := inv["url"].(string)
		return url[strings.LastIndex(url, "/")+1:]
	}
	create := func(c *apitest.Client, days, uses int) map[string]any {
		return c.Post(t, "findOrCreateInvite", map[string]any{"rid": rid, "days": days, "maxUses": uses}).OK(t).JSON(t)
	}

	inv := create(owner, 1, 1)
	token := tokenOf(inv)
	if inv["rid"] != rid || inv["userId"] != owner.UserID || apitest.Num(inv["days"]) != 1 || apitest.Num(inv["maxUses"]) != 1 ||
		apitest.Num(inv["uses"]) != 0 || inv["expires"] == nil || !strings.HasPrefix(inv["url"].(string), "http://localhost:3000/invite/") {
		t.Fatalf("invite: %v", inv)
	}
	if token != inv["_id"] {
		t.Fatalf("the link's token %q is not the invite's id: %v", token, inv)
	}
	if again := create(owner, 1, 1); again["_id"] != inv["_id"] {
		t.Fatalf("the same request made a second invite: %v", again)
	}
	forever := create(owner, 0, 0)
	if forever["_id"] == inv["_id"] || forever["expires"] != nil {
		t.Fatalf("never-expiring invite: %v", forever)
	}

	// Refusals of findOrCreateInvite.
	for _, b := range []map[string]any{
		{"days": 1, "maxUses": 1},
		{"rid": rid, "maxUses": 1},
		{"rid": rid, "days": 1},
		{"rid": rid, "days": 1.5, "maxUses": 1},
	} {
		owner.Post(t, "findOrCreateInvite", b).Fails(t, 400, "invalid-params", "")
	}
	owner.Post(t, "findOrCreateInvite", map[string]any{"rid": rid, "days": 10, "maxUses": 0}).
		Fails(t, 400, "invalid-number-of-days", "Invite should expire in 1, 7, 15 or 30 days, or send 0 to never expire. [invalid-number-of-days]")
	owner.Post(t, "findOrCreateInvite", map[string]any{"rid": rid, "days": 1, "maxUses": 2}).
		Fails(t, 400, "invalid-number-of-uses", "")
	owner.Post(t, "findOrCreateInvite", map[string]any{"rid": "", "days": 1, "maxUses": 1}).
		Fails(t, 400, "error-the-field-is-required", "The field rid is required [error-the-field-is-required]")
	bob.Post(t, "findOrCreateInvite", map[string]any{"rid": rid, "days": 1, "maxUses": 1}).Fails(t, 400, "not_authorized", "[not_authorized]")
	e.Admin.Post(t, "findOrCreateInvite", map[string]any{"rid": rid, "days": 1, "maxUses": 1}).
		Fails(t, 400, "error-invalid-room", "The rid field is invalid [error-invalid-room]")
	dm := owner.CreateDM(t, "dm", map[string]any{"username": "ivbob"})["_id"].(string)
	e.Admin.CreateDM(t, "dm", map[string]any{"username": "ivowner"})
	owner.Post(t, "findOrCreateInvite", map[string]any{"rid": dm, "days": 1, "maxUses": 1}).Fails(t, 400, "not_authorized", "")

	// Validation needs no login.
	validate := func(tok string) bool {
		return e.Anon().Post(t, "validateInviteToken", map[string]any{"token": tok}).OK(t).JSON(t)["valid"] == true
	}
	if !validate(token) || validate("nope") || validate("") {
		t.Fatal("validateInviteToken")
	}
	e.Anon().Post(t, "validateInviteToken", map[string]any{}).Fails(t, 400, "invalid-params", "")

	// Using an invite joins the room; a member's use is not counted.
	use := func(c *apitest.Client, tok string) *apitest.Response {
		return c.Post(t, "useInviteToken", map[string]any{"token": tok})
	}
	use(bob, token).OK(t)
	room := use(carol, token).OK(t).JSON(t)["room"].(map[string]any)
	if room["rid"] != rid || room["t"] != "p" || carol.Subscription(t, rid) == nil {
		t.Fatalf("useInviteToken: %v", room)
	}
	if m := lastOfType(t, owner, "groups", rid, "uj"); m["msg"] != "ivcarol" {
		t.Fatalf("uj message: %v", m)
	}
	use(dave, "nope").Fails(t, 400, "error-invalid-token", "The invite token is invalid. [error-invalid-token]")
	use(dave, "").Fails(t, 400, "error-the-field-is-required", "The field token is required [error-the-field-is-required]")
	use(dave, tokenOf(forever)).OK(t)

	// A banned user cannot come back through an invite.
	owner.Post(t, "rooms.banUser", map[string]any{"roomId": rid, "username": "ivdave"}).OK(t)
	use(dave, tokenOf(forever)).Fails(t, 400, "error-user-is-banned", "User is banned from this room [error-user-is-banned]")
	owner.Post(t, "rooms.unbanUser", map[string]any{"roomId": rid, "username": "ivdave"}).OK(t)

	// Used up: carol's use was its one.
	fay := e.NewUser(t, "ivfay")
	use(fay, token).Fails(t, 400, "error-invite-expired", "The invite token has expired. [error-invite-expired]")
	if validate(token) {
		t.Fatal("a used-up invite is valid")
	}
	if fay.Subscription(t, rid) != nil {
		t.Fatal("a used-up invite let a user in")
	}

	// Listing shows every invite without its token; removing one ends it.
	// Both need the permission globally: a room owner holds it in the
	// room only.
	var list []map[string]any
	owner.Get(t, "listInvites").Fails(t, 400, "not_authorized", "[not_authorized]")
	admin := e.Admin
	admin.Get(t, "listInvites").Expect(t, 200).Decode(t, &list)
	byID := map[string]map[string]any{}
	for _, i := range list {
		byID[i["_id"].(string)] = i
		if _, leaked := i["inviteToken"]; leaked {
			t.Fatalf("listInvites shows a token: %v", i)
		}
	}
	if len(list) != 2 || apitest.Num(byID[inv["_id"].(string)]["uses"]) != 1 || apitest.Num(byID[forever["_id"].(string)]["uses"]) != 1 {
		t.Fatalf("listInvites: %v", list)
	}
	carol.Get(t, "listInvites").Fails(t, 400, "not_authorized", "[not_authorized]")
	remove := func(c *apitest.Client, id string) *apitest.Response {
		return c.Do(t, http.MethodDelete, "/api/v1/removeInvite/"+id, nil, "")
	}
	remove(carol, forever["_id"].(string)).Fails(t, 400, "not_authorized", "")
	remove(owner, forever["_id"].(string)).Fails(t, 400, "not_authorized", "")
	remove(admin, "nope").Fails(t, 400, "invalid-invitation-id", "Invalid Invitation _id [invalid-invitation-id]")
	remove(admin, forever["_id"].(string)).OK(t)
	if validate(tokenOf(forever)) {
		t.Fatal("a removed invite is valid")
	}
	use(fay, tokenOf(forever)).Fails(t, 400, "error-invalid-token", "")
	remove(admin, forever["_id"].(string)).Fails(t, 400, "invalid-invitation-id", "")

	// Expired: a day-long invite a day later.
	day := create(owner, 1, 0)
	if !validate(tokenOf(day)) {
		t.Fatal("a fresh invite is not valid")
	}
	clock.Advance(25 * 60 * 60 * 1e9)
	if validate(tokenOf(day)) {
		t.Fatal("an expired invite is valid")
	}
	use(fay, tokenOf(day)).Fails(t, 400, "error-invite-expired", "The invite token has expired. [error-invite-expired]")
	if again := create(owner, 1, 0); again["_id"] == day["_id"] {
		t.Fatal("an expired invite was handed out again")
	}
}
