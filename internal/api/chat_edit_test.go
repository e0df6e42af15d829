package api_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/api/apitest"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// insertAged stores a message of c's written age ago, straight into the
// store: the API only accepts a client ts within 10 s of now, and the time
// limits on editing and deleting count in minutes. It also lets a message
// exist in a read-only room under an author who could not post there.
func insertAged(t *testing.T, e *apitest.Env, rid string, c *apitest.Client, text string, age time.Duration) string {
	t.Helper()
	ts := model.Time(time.Now().Add(-age).UnixMilli())
	m := &model.Message{ID: model.NewID(), RID: rid, Msg: text, Ts: ts, UpdatedAt: ts, U: model.UserRef{ID: c.UserID, Username: c.Username}}
	if err := e.Store.Messages().Insert(context.Background(), m); err != nil {
		t.Fatalf("insert: %v", err)
	}
	return m.ID
}

// historyCopies are the hidden copies Message_KeepHistory keeps of id;
// no endpoint lists them.
func historyCopies(t *testing.T, e *apitest.Env, rid, id string) []*model.Message {
	t.Helper()
	all, err := e.Store.Messages().List(context.Background(), store.MessageFilter{RID: rid}, store.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []*model.Message
	for _, m := range all {
		if m.Parent == id {
			out = append(out, m)
		}
	}
	return out
}

func TestChatUpdate(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "bob", "carol", "dave")
	alice, bob, carol, dave := e.Users[0], e.Users[1], e.Users[2], e.Users[3]
	robot := e.NewUser(t, "robot", map[string]any{"roles": []string{"bot"}})
	rid := alice.CreateRoom(t, "channels", "plaza", nil, "bob", "carol", "dave", "robot")
	alice.Post(t, "channels.addModerator", map[string]any{"roomId": rid, "userId": dave.UserID}).OK(t)

	// The author edits: text, editor, mentions, channels and md follow.
	m := carol.PostText(t, rid, "hello @bob #plaza")
	id := m["_id"].(string)
	up := carol.UpdateMessage(t, rid, id, "bye @alice").OK(t).JSON(t)["message"].(map[string]any)
	if up["msg"] != "bye @alice" || up["_id"] != id || up["u"].(map[string]any)["_id"] != carol.UserID {
		t.Fatalf("updated = %v", up)
	}
	if _, err := time.Parse(time.RFC3339Nano, up["editedAt"].(string)); err != nil {
		t.Fatalf("editedAt = %v", up["editedAt"])
	}
	if eb := up["editedBy"].(map[string]any); eb["_id"] != carol.UserID || eb["username"] != "carol" {
		t.Fatalf("editedBy = %v", eb)
	}
	ms, _ := up["mentions"].([]any)
	if len(ms) != 1 || ms[0].(map[string]any)["_id"] != alice.UserID {
		t.Fatalf("mentions = %v", up["mentions"])
	}
	if cs, _ := up["channels"].([]any); len(cs) != 0 {
		t.Fatalf("channels = %v", up["channels"])
	}
	if md, _ := json.Marshal(up["md"]); !strings.Contains(string(md), "bye") || strings.Contains(string(md), "hello") {
		t.Fatalf("md = %s", md)
	}
	stored := bob.GetMessage(t, id)
	if stored["msg"] != "bye @alice" || stored["editedAt"] != up["editedAt"] {
		t.Fatalf("stored = %v", stored)
	}
	// The edited message was the room's last; the room shows the edit.
	if last := alice.RoomInfo(t, rid)["lastMessage"].(map[string]any); last["msg"] != "bye @alice" {
		t.Fatalf("lastMessage = %v", last)
	}

	// The same text changes nothing.
	same := carol.PostText(t, rid, "same")
	r := carol.UpdateMessage(t, rid, same["_id"].(string), "same").OK(t).JSON(t)["message"].(map[string]any)
	if r["editedAt"] != nil || carol.GetMessage(t, same["_id"].(string))["editedAt"] != nil {
		t.Fatalf("no-op edit set editedAt: %v", r)
	}
	// ... even when the caller could not edit at all.
	bob.UpdateMessage(t, rid, same["_id"].(string), "same").OK(t)
	// With previewUrls it is an edit.
	r = carol.Post(t, "chat.update", map[string]any{"roomId": rid, "msgId": same["_id"], "text": "same", "previewUrls": []string{}}).OK(t).JSON(t)["message"].(map[string]any)
	if r["editedAt"] == nil {
		t.Fatalf("edit with previewUrls = %v", r)
	}

	// The text cannot be emptied.
	empty := carol.PostText(t, rid, "not to be emptied")
	carol.UpdateMessage(t, rid, empty["_id"].(string), "").Fails(t, 400, "invalid-params", "must NOT have fewer than 1 characters")
	if r := carol.GetMessage(t, empty["_id"].(string)); r["msg"] != "not to be emptied" || r["editedAt"] != nil {
		t.Fatalf("after an empty edit = %v", r)
	}

	// A file message's text is its first attachment's description.
	file := carol.PostMessage(t, map[string]any{"roomId": rid, "attachments": []map[string]any{{"description": "old", "title": "f.txt"}}})
	fid := file["_id"].(string)
	if r := carol.UpdateMessage(t, rid, fid, "old").OK(t).JSON(t)["message"].(map[string]any); r["editedAt"] != nil {
		t.Fatalf("description no-op edited: %v", r)
	}
	r = carol.UpdateMessage(t, rid, fid, "new @bob").OK(t).JSON(t)["message"].(map[string]any)
	at := r["attachments"].([]any)[0].(map[string]any)
	if at["description"] != "new @bob" || at["title"] != "f.txt" || r["msg"] != "" {
		t.Fatalf("file message after edit = %v", r)
	}
	if ms, _ := r["mentions"].([]any); len(ms) != 1 {
		t.Fatalf("description mentions = %v", r["mentions"])
	}

	// Who may edit someone else's message.
	other := carol.PostText(t, rid, "carol's")
	oid := other["_id"].(string)
	res := bob.UpdateMessage(t, rid, oid, "bob was here").Fails(t, 400, "error-action-not-allowed", "Message editing not allowed [error-action-not-allowed]")
	if d, _ := res.JSON(t)["details"].(map[string]any); d["method"] != "updateMessage" || d["action"] != "Message_editing" {
		t.Fatalf("details = %v", res.JSON(t)["details"])
	}
	for _, who := range []*apitest.Client{alice, dave, e.Admin} {
		r := who.UpdateMessage(t, rid, oid, "edited by "+who.Username).OK(t).JSON(t)["message"].(map[string]any)
		if r["editedBy"].(map[string]any)["_id"] != who.UserID || r["u"].(map[string]any)["_id"] != carol.UserID {
			t.Fatalf("%s's edit = %v", who.Username, r)
		}
	}

	// Message_AllowEditing binds authors, not edit-message holders.
	e.SetSetting(t, "Message_AllowEditing", false)
	carol.UpdateMessage(t, rid, oid, "carol again").Fails(t, 400, "error-action-not-allowed", "Message editing not allowed [error-action-not-allowed]")
	alice.UpdateMessage(t, rid, oid, "owner again").OK(t)
	dave.UpdateMessage(t, rid, oid, "moderator again").OK(t)
	e.SetSetting(t, "Message_AllowEditing", true)

	// Message_AllowEditing_BlockEditInMinutes counts whole minutes (floored);
	// admins are bound too, bots bypass it.
	e.SetSetting(t, "Message_AllowEditing_BlockEditInMinutes", 1)
	young := insertAged(t, e.Env, rid, carol, "young", 30*time.Second)
	old := insertAged(t, e.Env, rid, carol, "old", 90*time.Second)
	carol.UpdateMessage(t, rid, young, "young edited").OK(t)
	for _, who := range []*apitest.Client{carol, alice, e.Admin} {
		who.UpdateMessage(t, rid, old, "too late").Fails(t, 400, "error-message-editing-blocked", "Message editing is blocked [error-message-editing-blocked]")
	}
	botOld := insertAged(t, e.Env, rid, robot, "bot old", 10*time.Minute)
	robot.UpdateMessage(t, rid, botOld, "bot edited").OK(t)
	e.SetSetting(t, "Message_AllowEditing_BlockEditInMinutes", 0)
	carol.UpdateMessage(t, rid, old, "late but allowed").OK(t)

	// Lookups.
	carol.UpdateMessage(t, rid, "nope", "x").FailsPlain(t, `No message found with the id of "nope".`)
	carol.UpdateMessage(t, "GENERAL", oid, "x").FailsPlain(t, "The room id provided does not match where the message is from.")

	// A typed route: validation failures carry no "[invalid-params]".
	for _, tc := range []struct {
		body map[string]any
		want string
	}{
		{map[string]any{"roomId": rid, "msgId": oid}, "must have required property 'text'"},
		{map[string]any{"msgId": oid, "text": "x"}, "must have required property 'roomId'"},
		{map[string]any{"roomId": rid, "msgId": oid, "text": "x", "bogus": 1}, "must NOT have additional properties"},
		{map[string]any{"roomId": rid, "msgId": oid, "text": "x", "previewUrls": 3}, "must be array"},
		{map[string]any{"roomId": rid, "msgId": oid, "text": "x", "customFields": "x"}, "must be object"},
	} {
		carol.Post(t, "chat.update", tc.body).Fails(t, 400, "invalid-params", tc.want)
	}
	e.Anon().Post(t, "chat.update", map[string]any{"roomId": rid}).Expect(t, 401)

	// customFields on edit.
	cf := func(v map[string]any) map[string]any {
		return map[string]any{"roomId": rid, "msgId": oid, "text": "cf", "customFields": v}
	}
	carol.Post(t, "chat.update", cf(map[string]any{"priority": "low"})).FailsPlain(t, "Custom fields not enabled")
	e.SetSetting(t, "Message_CustomFields_Enabled", true)
	carol.Post(t, "chat.update", cf(map[string]any{"priority": "none"})).FailsPlain(t, "Invalid custom fields")
	if r := carol.Post(t, "chat.update", cf(map[string]any{"priority": "low"})).OK(t).JSON(t)["message"].(map[string]any); r["customFields"].(map[string]any)["priority"] != "low" {
		t.Fatalf("customFields after edit = %v", r["customFields"])
	}

	// Message_KeepHistory keeps a hidden copy of the text before the edit.
	e.SetSetting(t, "Message_KeepHistory", true)
	kept := carol.PostText(t, rid, "first version")
	kid := kept["_id"].(string)
	before := len(alice.History(t, "channels", rid))
	carol.UpdateMessage(t, rid, kid, "second version").OK(t)
	copies := historyCopies(t, e.Env, rid, kid)
	if len(copies) != 1 || copies[0].Msg != "first version" || !copies[0].Hidden || copies[0].ID == kid ||
		copies[0].EditedBy == nil || copies[0].EditedBy.ID != carol.UserID {
		t.Fatalf("history copies = %+v", copies)
	}
	hist := alice.History(t, "channels", rid)
	if len(hist) != before || apitest.HasID(hist, copies[0].ID) {
		t.Fatalf("history shows the hidden copy: %v", apitest.IDs(hist))
	}
	if hist[0]["_id"] != kid || hist[0]["msg"] != "second version" {
		t.Fatalf("newest = %v", hist[0])
	}
	e.SetSetting(t, "Message_KeepHistory", false)

	// Editing checks the room as sending does.
	ro := alice.CreateRoom(t, "channels", "news", map[string]any{"readOnly": true}, "bob")
	bobs := insertAged(t, e.Env, ro, bob, "written before the room went read-only", 0)
	bob.UpdateMessage(t, ro, bobs, "x").FailsPlain(t, "You can't send messages because the room is readonly.")
	alice.UpdateMessage(t, ro, bobs, "owner edits").OK(t)
}

func TestChatDelete(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "bob", "carol", "dave")
	alice, bob, carol, dave := e.Users[0], e.Users[1], e.Users[2], e.Users[3]
	rid := alice.CreateRoom(t, "channels", "plaza", nil, "bob", "carol", "dave")
	alice.Post(t, "channels.addModerator", map[string]any{"roomId": rid, "userId": dave.UserID}).OK(t)
	del := func(c *apitest.Client, id string) *apitest.Response {
		return c.Post(t, "chat.delete", map[string]any{"roomId": rid, "msgId": id})
	}
	post := func(c *apitest.Client, text string) string {
		return c.PostText(t, rid, text)["_id"].(string)
	}

	// The author deletes their last message: it goes to the trash, the
	// room counts one less and falls back to the previous message.
	since := time.Now().Add(-time.Second).UTC().Format(time.RFC3339Nano)
	first := post(carol, "first")
	second := post(carol, "second")
	room := alice.RoomInfo(t, rid)
	res := del(carol, second).OK(t).JSON(t)
	if res["_id"] != second {
		t.Fatalf("delete answer = %v", res)
	}
	if ts, _ := res["ts"].(string); !regexp.MustCompile(`^\d{13}$`).MatchString(ts) {
		t.Fatalf("ts = %#v, want epoch ms as a string", res["ts"])
	}
	msg := res["message"].(map[string]any)
	if len(msg) != 3 || msg["_id"] != second || msg["rid"] != rid || msg["u"].(map[string]any)["_id"] != carol.UserID || msg["u"].(map[string]any)["username"] != "carol" {
		t.Fatalf("message = %v", msg)
	}
	if r := carol.Get(t, "chat.getMessage", apitest.Q("msgId", second)).Expect(t, 400); strings.TrimSpace(string(r.Body)) != `{"success":false}` {
		t.Fatalf("deleted message still found: %s", r.Body)
	}
	after := alice.RoomInfo(t, rid)
	if apitest.Num(after["msgs"]) != apitest.Num(room["msgs"])-1 {
		t.Fatalf("msgs %v -> %v", room["msgs"], after["msgs"])
	}
	if last, _ := after["lastMessage"].(map[string]any); last["_id"] != first {
		t.Fatalf("lastMessage = %v, want %s", after["lastMessage"], first)
	}
	var deleted struct {
		Messages []map[string]any
		Total    int
	}
	carol.Get(t, "chat.getDeletedMessages", apitest.Q("roomId", rid, "since", since)).OK(t).Decode(t, &deleted)
	if deleted.Total != 1 || len(deleted.Messages) != 1 || deleted.Messages[0]["_id"] != second {
		t.Fatalf("getDeletedMessages = %+v", deleted)
	}
	var sync struct {
		Result struct{ Updated, Deleted []map[string]any }
	}
	carol.Get(t, "chat.syncMessages", apitest.Q("roomId", rid, "lastUpdate", since)).OK(t).Decode(t, &sync)
	if !apitest.HasID(sync.Result.Deleted, second) || apitest.HasID(sync.Result.Updated, second) || !apitest.HasID(sync.Result.Updated, first) {
		t.Fatalf("syncMessages = %+v", sync.Result)
	}
	trashed := func(id string) bool {
		var d struct{ Messages []map[string]any }
		carol.Get(t, "chat.getDeletedMessages", apitest.Q("roomId", rid, "since", since, "count", "0")).OK(t).Decode(t, &d)
		return apitest.HasID(d.Messages, id)
	}
	// Deleting an older message leaves lastMessage alone.
	newest := post(carol, "newest")
	del(carol, first).OK(t)
	if !trashed(first) || !trashed(second) {
		t.Fatal("deleted messages missing from getDeletedMessages")
	}
	if last := alice.RoomInfo(t, rid)["lastMessage"].(map[string]any); last["_id"] != newest {
		t.Fatalf("lastMessage = %v", last)
	}
	// Once gone, it is not found.
	del(carol, first).FailsPlain(t, `No message found with the id of "`+first+`".`)
	carol.Post(t, "chat.delete", map[string]any{"roomId": "GENERAL", "msgId": newest}).FailsPlain(t, "The room id provided does not match where the message is from.")
	carol.Post(t, "chat.delete", map[string]any{"msgId": newest}).Fails(t, 400, "invalid-params", "must have required property 'roomId' [invalid-params]")
	carol.Post(t, "chat.delete", map[string]any{"roomId": rid, "msgId": newest, "x": 1}).Fails(t, 400, "invalid-params", "")

	// Someone else's message: owners, moderators and admins only.
	victim := post(carol, "victim")
	del(bob, victim).Fails(t, 400, "error-action-not-allowed", "Not allowed [error-action-not-allowed]")
	for _, who := range []*apitest.Client{alice, dave, e.Admin} {
		del(who, post(carol, "for "+who.Username)).OK(t)
	}
	del(bob, victim).Fails(t, 400, "error-action-not-allowed", "")
	// Nor can anyone delete in a room they cannot see.
	gid := carol.CreateRoom(t, "groups", "hideout", nil)
	secret := carol.PostText(t, gid, "secret")["_id"].(string)
	bob.Post(t, "chat.delete", map[string]any{"roomId": gid, "msgId": secret}).Fails(t, 400, "error-action-not-allowed", "Not allowed [error-action-not-allowed]")

	// asUser deletes as the author, which needs force-delete-message for
	// another's message; the author's own rights then decide.
	asUser := func(c *apitest.Client, id string) *apitest.Response {
		return c.Post(t, "chat.delete", map[string]any{"roomId": rid, "msgId": id, "asUser": true})
	}
	asUser(bob, victim).FailsPlain(t, `Unauthorized. You must have the permission "force-delete-message" to delete other's message as them.`)
	asUser(dave, victim).FailsPlain(t, `Unauthorized. You must have the permission "force-delete-message" to delete other's message as them.`)
	asUser(carol, post(carol, "mine")).OK(t)
	if r := asUser(alice, post(carol, "as carol")).OK(t).JSON(t); r["message"].(map[string]any)["u"].(map[string]any)["_id"] != carol.UserID {
		t.Fatalf("asUser answer = %v", r)
	}

	// Message_AllowDeleting binds everyone but force-delete-message holders;
	// with asUser the author's rights count, so the owner is refused too.
	e.SetSetting(t, "Message_AllowDeleting", false)
	del(carol, victim).Fails(t, 400, "error-action-not-allowed", "Not allowed [error-action-not-allowed]")
	del(dave, victim).Fails(t, 400, "error-action-not-allowed", "")
	asUser(alice, victim).Fails(t, 400, "error-action-not-allowed", "")
	del(alice, victim).OK(t)
	del(e.Admin, post(carol, "admin")).OK(t)
	e.SetSetting(t, "Message_AllowDeleting", true)

	// Message_AllowDeleting_BlockDeleteInMinutes rounds to the nearest minute.
	e.SetSetting(t, "Message_AllowDeleting_BlockDeleteInMinutes", 5)
	del(carol, insertAged(t, e.Env, rid, carol, "4 min", 4*time.Minute)).OK(t)
	del(carol, insertAged(t, e.Env, rid, carol, "5 min 20 s", 5*time.Minute+20*time.Second)).OK(t)
	del(carol, insertAged(t, e.Env, rid, carol, "5 min 45 s", 5*time.Minute+45*time.Second)).Fails(t, 400, "error-action-not-allowed", "")
	del(alice, insertAged(t, e.Env, rid, carol, "10 min", 10*time.Minute)).OK(t) // force-delete-message
	e.SetSetting(t, "Message_AllowDeleting_BlockDeleteInMinutes", 0)

	// Message_ShowDeletedStatus leaves an "rm" placeholder, not trash.
	e.SetSetting(t, "Message_ShowDeletedStatus", true)
	rm := post(carol, "to be removed @bob https://example.com")
	del(carol, rm).OK(t)
	got := carol.GetMessage(t, rm)
	if got["t"] != "rm" || got["msg"] != "" || got["md"] != nil || got["mentions"] != nil && len(got["mentions"].([]any)) != 0 ||
		got["urls"] != nil && len(got["urls"].([]any)) != 0 || got["editedBy"].(map[string]any)["_id"] != carol.UserID {
		t.Fatalf("placeholder = %v", got)
	}
	if trashed(rm) {
		t.Fatal("rm placeholder in the trash")
	}
	if !apitest.HasID(alice.History(t, "channels", rid), rm) {
		t.Fatal("rm placeholder missing from history")
	}

	// With Message_KeepHistory as well, a hidden copy keeps the text.
	e.SetSetting(t, "Message_KeepHistory", true)
	both := post(carol, "keep and show")
	del(carol, both).OK(t)
	if c := historyCopies(t, e.Env, rid, both); len(c) != 1 || c[0].Msg != "keep and show" || !c[0].Hidden {
		t.Fatalf("copies = %+v", c)
	}
	if got := carol.GetMessage(t, both); got["t"] != "rm" {
		t.Fatalf("kept and shown = %v", got)
	}

	// Message_KeepHistory alone hides the message.
	e.SetSetting(t, "Message_ShowDeletedStatus", false)
	msgs := apitest.Num(alice.RoomInfo(t, rid)["msgs"])
	hidden := post(carol, "hidden")
	del(carol, hidden).OK(t)
	if got := carol.GetMessage(t, hidden); got["_hidden"] != true || got["msg"] != "hidden" {
		t.Fatalf("hidden = %v", got)
	}
	if apitest.HasID(alice.History(t, "channels", rid), hidden) {
		t.Fatal("hidden message in history")
	}
	if trashed(hidden) {
		t.Fatal("hidden message in the trash")
	}
	if got := apitest.Num(alice.RoomInfo(t, rid)["msgs"]); got != msgs {
		t.Fatalf("msgs %d -> %d after post+delete", msgs, got)
	}
	e.SetSetting(t, "Message_KeepHistory", false)

	// A read-only room: only post-readonly holders (or the unmuted) may
	// delete, unless a time limit applies, which decides alone.
	ro := alice.CreateRoom(t, "channels", "news", map[string]any{"readOnly": true}, "bob")
	roDel := func(c *apitest.Client, id string) *apitest.Response {
		return c.Post(t, "chat.delete", map[string]any{"roomId": ro, "msgId": id})
	}
	bobs := insertAged(t, e.Env, ro, bob, "bob's", 0)
	roDel(bob, bobs).FailsPlain(t, "You can't delete messages because the room is readonly.")
	e.SetSetting(t, "Message_AllowDeleting_BlockDeleteInMinutes", 5)
	roDel(bob, bobs).OK(t)
	e.SetSetting(t, "Message_AllowDeleting_BlockDeleteInMinutes", 0)
	roDel(alice, insertAged(t, e.Env, ro, bob, "bob's again", 0)).OK(t)
}
