package api_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

func TestCompatPostMessageMsgField(t *testing.T) {
	t.Parallel()
	e, alice, rid := apitest.NewUserRoom(t, "alice", "channels", "")

	m := alice.PostMessage(t, map[string]any{"roomId": rid, "msg": "sent as msg"})
	if m["msg"] != "sent as msg" || alice.GetMessage(t, m["_id"].(string))["msg"] != "sent as msg" {
		t.Fatalf("msg = %v", m["msg"])
	}
	// text wins when both are given.
	if m := alice.PostMessage(t, map[string]any{"roomId": rid, "text": "the text", "msg": "the msg"}); m["msg"] != "the text" {
		t.Fatalf("text and msg: msg = %v", m["msg"])
	}
	form := url.Values{"roomId": {rid}, "msg": {"form msg"}}.Encode()
	if m := alice.Do(t, "POST", "/api/v1/chat.postMessage", []byte(form), "application/x-www-form-urlencoded").OK(t).JSON(t)["message"].(map[string]any); m["msg"] != "form msg" {
		t.Fatalf("form msg = %v", m["msg"])
	}
	alice.Post(t, "chat.postMessage", map[string]any{"roomId": rid, "msg": 3, "bogus": true}).
		Fails(t, 400, "invalid-params", "must NOT have additional properties [invalid-params]")

	// Custom fields are checked as with text.
	withFields := func(v any) map[string]any {
		return map[string]any{"roomId": rid, "msg": "with fields", "customFields": v}
	}
	alice.Post(t, "chat.postMessage", withFields(map[string]any{"priority": "low"})).FailsPlain(t, "Custom fields not enabled")
	e.SetSetting(t, "Message_CustomFields_Enabled", true)
	alice.Post(t, "chat.postMessage", withFields(map[string]any{"priority": "none"})).FailsPlain(t, "Invalid custom fields")
	m = alice.PostMessage(t, withFields(map[string]any{"priority": "low"}))
	if m["msg"] != "with fields" || m["customFields"].(map[string]any)["priority"] != "low" {
		t.Fatalf("msg with customFields = %v", m)
	}
}

func TestCompatUpdateEmptyText(t *testing.T) {
	t.Parallel()
	_, alice, rid := apitest.NewUserRoom(t, "alice", "channels", "")
	id := alice.PostText(t, rid, "keep me")["_id"].(string)

	for _, body := range []map[string]any{
		{"roomId": rid, "msgId": id, "text": ""},
		{"roomId": rid, "msgId": id, "text": "", "previewUrls": []string{}},
	} {
		alice.Post(t, "chat.update", body).Fails(t, 400, "invalid-params", "must NOT have fewer than 1 characters")
	}
	m := alice.GetMessage(t, id)
	if m["msg"] != "keep me" || m["editedAt"] != nil || m["editedBy"] != nil {
		t.Fatalf("message after empty edits = %v", m)
	}
}

// quotesOf returns the message_link of each quote attachment of m.
func quotesOf(m map[string]any) []string {
	var out []string
	atts, _ := m["attachments"].([]any)
	for _, a := range atts {
		if l, ok := a.(map[string]any)["message_link"].(string); ok {
			out = append(out, l)
		}
	}
	return out
}

func TestCompatQuoteAttachments(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	e.SetSetting(t, "API_Embed", false)
	alice, bob := e.NewUser(t, "alice"), e.NewUser(t, "bob")
	robot := e.NewUser(t, "robot", map[string]any{"roles": []string{"bot"}})
	name := e.Unique("quotes")
	rid := alice.CreateRoom(t, "channels", name, nil, "bob", "robot")
	secret := alice.CreateRoom(t, "groups", e.Unique("secret"), nil)

	first := alice.PostText(t, rid, "first words")
	// An alias stands for the author's name in quotes.
	second := robot.PostMessage(t, map[string]any{"roomId": rid, "text": "second words", "alias": "Robert"})
	hidden := alice.PostText(t, secret, "not for bob")
	link := func(m map[string]any) string {
		return fmt.Sprintf("http://localhost:3000/channel/%s?msg=%s", name, m["_id"])
	}

	// Posting a permalink quotes the message it points at.
	quoting := bob.PostText(t, rid, "see "+link(first))
	qid := quoting["_id"].(string)
	if got := quotesOf(quoting); len(got) != 1 || got[0] != link(first) {
		t.Fatalf("quotes on post = %v", quoting["attachments"])
	}
	q := quoting["attachments"].([]any)[0].(map[string]any)
	if q["text"] != "first words" || q["author_name"] != alice.Username {
		t.Fatalf("quote = %v", q)
	}
	if u := quoting["urls"].([]any)[0].(map[string]any); u["ignoreParse"] != true {
		t.Fatalf("quoted link is previewed: %v", u)
	}

	// An edit drops the old quotes and quotes the links of the new text.
	edited := bob.UpdateMessage(t, rid, qid, "now see "+link(second)).OK(t).JSON(t)["message"].(map[string]any)
	if got := quotesOf(edited); len(got) != 1 || got[0] != link(second) {
		t.Fatalf("quotes after edit = %v", edited["attachments"])
	}
	if q := edited["attachments"].([]any)[0].(map[string]any); q["text"] != "second words" || q["author_name"] != "Robert" {
		t.Fatalf("quote after edit = %v", q)
	}
	edited = bob.UpdateMessage(t, rid, qid, "no links any more").OK(t).JSON(t)["message"].(map[string]any)
	if got := quotesOf(edited); len(got) != 0 {
		t.Fatalf("quotes after an edit without links = %v", edited["attachments"])
	}
	if got := quotesOf(bob.GetMessage(t, qid)); len(got) != 0 {
		t.Fatalf("stored quotes after an edit without links = %v", got)
	}
	both := "both " + link(first) + " and " + link(second)
	edited = bob.UpdateMessage(t, rid, qid, both).OK(t).JSON(t)["message"].(map[string]any)
	if got := quotesOf(edited); len(got) != 2 || got[0] != link(first) || got[1] != link(second) {
		t.Fatalf("quotes of two links = %v", edited["attachments"])
	}

	// A message in a room the sender cannot see is not quoted; the link is
	// kept as a link.
	outside := fmt.Sprintf("http://localhost:3000/group/x?msg=%s", hidden["_id"])
	m := bob.PostText(t, rid, "peek "+outside)
	if got := quotesOf(m); len(got) != 0 {
		t.Fatalf("quoted a message bob cannot see: %v", m["attachments"])
	}
	edited = bob.UpdateMessage(t, rid, m["_id"].(string), "peek again "+outside).OK(t).JSON(t)["message"].(map[string]any)
	if got := quotesOf(edited); len(got) != 0 {
		t.Fatalf("edit quoted a message bob cannot see: %v", edited["attachments"])
	}
	// Links elsewhere, and to unknown messages, are no quotes either.
	m = bob.PostText(t, rid, "https://elsewhere.invalid/x?msg="+first["_id"].(string)+" http://localhost:3000/channel/x?msg=nope")
	if got := quotesOf(m); len(got) != 0 {
		t.Fatalf("quotes of foreign or unknown links = %v", m["attachments"])
	}

	// A file message keeps its file through an edit that drops its quotes.
	sent := bob.SendMessage(t, map[string]any{"rid": rid, "msg": "quote " + link(first),
		"attachments": []map[string]any{{"text": "kept", "title": "own attachment"}}})
	if atts := sent["attachments"].([]any); len(atts) != 2 || len(quotesOf(sent)) != 1 {
		t.Fatalf("attachments on send = %v", sent["attachments"])
	}
	edited = bob.UpdateMessage(t, rid, sent["_id"].(string), "no quote").OK(t).JSON(t)["message"].(map[string]any)
	atts, _ := edited["attachments"].([]any)
	if len(atts) != 1 || atts[0].(map[string]any)["title"] != "own attachment" {
		t.Fatalf("attachments after edit = %v", edited["attachments"])
	}
}

func TestCompatURLMetaAlwaysPresent(t *testing.T) {
	t.Parallel()
	e, alice, rid := apitest.NewUserRoom(t, "alice", "channels", "")
	// No fetch is made: every entry must carry meta all the same.
	e.SetSetting(t, "API_Embed", false)

	check := func(name string, m map[string]any, want int) {
		t.Helper()
		for _, msg := range []map[string]any{m, alice.GetMessage(t, m["_id"].(string))} {
			urls, _ := msg["urls"].([]any)
			if len(urls) != want {
				t.Fatalf("%s: %d urls, want %d: %v", name, len(urls), want, msg["urls"])
			}
			for _, u := range urls {
				meta, ok := u.(map[string]any)["meta"].(map[string]any)
				if !ok || len(meta) != 0 {
					t.Fatalf("%s: entry %v has no empty meta", name, u)
				}
			}
		}
	}
	links := make([]string, 7)
	for i := range links {
		links[i] = fmt.Sprintf("https://site%d.invalid/page", i)
	}
	check("one link", alice.PostText(t, rid, links[0]), 1)
	check("empty previewUrls", alice.Post(t, "chat.sendMessage", map[string]any{
		"message": map[string]any{"rid": rid, "msg": links[0] + " " + links[1]}, "previewUrls": []string{},
	}).OK(t).JSON(t)["message"].(map[string]any), 2)
	check("more than five links", alice.PostMessage(t, map[string]any{"roomId": rid, "text": strings.Join(links, " ")}), 7)
	m := alice.PostText(t, rid, "plain")
	edited := alice.Post(t, "chat.update", map[string]any{"roomId": rid, "msgId": m["_id"], "text": links[2], "previewUrls": []string{}}).
		OK(t).JSON(t)["message"].(map[string]any)
	check("edit with empty previewUrls", edited, 1)
}

func TestCompatTypedJSONBodies(t *testing.T) {
	t.Parallel()
	e, alice, rid := apitest.NewUserRoom(t, "alice", "channels", "")
	e.SetSetting(t, "API_Embed", false)
	before := len(alice.History(t, "channels", rid))

	// A string is not an array in JSON: nothing is sent...
	alice.Post(t, "chat.sendMessage", map[string]any{
		"message": map[string]any{"rid": rid, "msg": "https://a.invalid/x"}, "previewUrls": "https://a.invalid/x",
	}).Fails(t, 400, "invalid-params", "must be array [invalid-params]")
	if after := len(alice.History(t, "channels", rid)); after != before {
		t.Fatalf("history grew from %d to %d", before, after)
	}
	// ... and nothing is changed.
	id := alice.PostText(t, rid, "original")["_id"].(string)
	alice.Post(t, "chat.update", map[string]any{"roomId": rid, "msgId": id, "text": "changed", "previewUrls": "https://a.invalid/x"}).
		Fails(t, 400, "invalid-params", "must be array")
	if m := alice.GetMessage(t, id); m["msg"] != "original" || m["editedAt"] != nil {
		t.Fatalf("message after refused edit = %v", m)
	}

	// A form body cannot say "a list of one", so there one value is one.
	form := url.Values{"roomId": {rid}, "msgId": {id}, "text": {"https://a.invalid/x https://b.invalid/y"}, "previewUrls": {"https://a.invalid/x"}}.Encode()
	m := alice.Do(t, "POST", "/api/v1/chat.update", []byte(form), "application/x-www-form-urlencoded").OK(t).JSON(t)["message"].(map[string]any)
	ignored := map[string]any{}
	for _, u := range m["urls"].([]any) {
		ignored[u.(map[string]any)["url"].(string)] = u.(map[string]any)["ignoreParse"]
	}
	if len(ignored) != 2 || ignored["https://a.invalid/x"] != nil || ignored["https://b.invalid/y"] != true {
		t.Fatalf("urls after form edit = %v", m["urls"])
	}
	// A JSON array of one is of course fine.
	alice.Post(t, "chat.sendMessage", map[string]any{
		"message": map[string]any{"rid": rid, "msg": "https://a.invalid/x"}, "previewUrls": []string{"https://a.invalid/x"},
	}).OK(t)
}
