package api_test

import (
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

func TestRoomsFavorite(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "owner", "outsider")
	owner, outsider := e.Users[0], e.Users[1]
	rid := owner.CreateRoom(t, "channels", "fav", nil)

	owner.Post(t, "rooms.favorite", map[string]any{"roomId": rid, "favorite": true}).OK(t)
	if sub := owner.Subscription(t, rid); sub["f"] != true {
		t.Fatalf("favourite subscription = %v", sub)
	}
	owner.Post(t, "rooms.favorite", map[string]any{"roomName": "fav", "favorite": false}).OK(t)
	if sub := owner.Subscription(t, rid); sub["f"] == true {
		t.Fatalf("unfavourited subscription = %v", sub)
	}
	owner.Post(t, "rooms.favorite", map[string]any{"roomId": rid}).Fails(t, 400, "invalid-params", "must have required property 'favorite' [invalid-params]")
	owner.Post(t, "rooms.favorite", map[string]any{"favorite": true}).Fails(t, 400, "invalid-params", "")
	owner.Post(t, "rooms.favorite", map[string]any{"roomId": "nope", "favorite": true}).Fails(t, 400, "error-room-not-found", "")
	outsider.Post(t, "rooms.favorite", map[string]any{"roomId": rid, "favorite": true}).
		Fails(t, 400, "error-invalid-subscription", "You must be part of a room to favorite it [error-invalid-subscription]")
}

func TestRoomsHide(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "owner", "member", "outsider")
	owner, member, outsider := e.Users[0], e.Users[1], e.Users[2]
	rid := owner.CreateRoom(t, "groups", "", nil, "member")

	member.Post(t, "rooms.hide", map[string]any{"roomId": rid}).OK(t)
	if sub := member.Subscription(t, rid); sub["open"] != false || sub["alert"] != false {
		t.Fatalf("hidden subscription = %v", sub)
	}
	member.Post(t, "rooms.hide", map[string]any{"roomId": rid}).Fails(t, 400, "", "error-room-already-hidden")
	// A new message brings the room back into the list.
	owner.PostText(t, rid, "are you there?")
	if sub := member.Subscription(t, rid); sub["open"] != true {
		t.Fatalf("subscription after a new message = %v", sub)
	}
	member.Post(t, "rooms.hide", map[string]any{"roomId": rid}).OK(t)

	member.Post(t, "rooms.hide", map[string]any{}).Fails(t, 400, "invalid-params", "must have required property 'roomId' [invalid-params]")
	outsider.Post(t, "rooms.hide", map[string]any{"roomId": rid}).Fails(t, 403, "", "unauthorized")
	outsider.Post(t, "rooms.hide", map[string]any{"roomId": "nope"}).Fails(t, 403, "", "unauthorized")
}

func TestRoomsSaveDraft(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "owner", "outsider")
	owner, outsider := e.Users[0], e.Users[1]
	rid := owner.CreateRoom(t, "channels", "", nil)
	root := owner.PostText(t, rid, "thread root")["_id"].(string)

	owner.Post(t, "rooms.saveDraft", map[string]any{"rid": rid, "draft": "half a thought"}).OK(t)
	if sub := owner.Subscription(t, rid); sub["draft"] != "half a thought" {
		t.Fatalf("subscription with draft = %v", sub)
	}
	owner.Post(t, "rooms.saveDraft", map[string]any{"rid": rid, "draft": "in the thread", "tmid": root}).OK(t)
	sub := owner.Subscription(t, rid)
	if drafts, _ := sub["threadDrafts"].(map[string]any); drafts[root] != "in the thread" || sub["draft"] != "half a thought" {
		t.Fatalf("subscription with a thread draft = %v", sub)
	}
	owner.Post(t, "rooms.saveDraft", map[string]any{"rid": rid, "draft": ""}).OK(t)
	owner.Post(t, "rooms.saveDraft", map[string]any{"rid": rid, "draft": "", "tmid": root}).OK(t)
	if sub := owner.Subscription(t, rid); sub["draft"] != nil || sub["threadDrafts"] != nil {
		t.Fatalf("subscription after clearing drafts = %v", sub)
	}

	for _, tc := range []struct {
		body map[string]any
		text string
	}{
		{map[string]any{"draft": "x"}, "must have required property 'rid' [invalid-params]"},
		{map[string]any{"rid": rid}, "must have required property 'draft' [invalid-params]"},
		{map[string]any{"rid": rid, "draft": "x", "extra": 1}, "must NOT have additional properties [invalid-params]"},
	} {
		owner.Post(t, "rooms.saveDraft", tc.body).Fails(t, 400, "invalid-params", tc.text)
	}
	owner.Post(t, "rooms.saveDraft", map[string]any{"rid": rid, "draft": strings.Repeat("x", 5001)}).Fails(t, 400, "", "error-message-size-exceeded")
	outsider.Post(t, "rooms.saveDraft", map[string]any{"rid": rid, "draft": "x"}).
		Fails(t, 400, "error-invalid-subscription", "Invalid subscription [error-invalid-subscription]")
}

func TestSubscriptionsUnread(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "owner", "reader")
	owner, reader := e.Users[0], e.Users[1]
	rid := owner.CreateRoom(t, "channels", "", nil, "reader")
	empty := owner.CreateRoom(t, "channels", "", nil)

	owner.Post(t, "subscriptions.unread", map[string]any{"roomId": empty}).
		Fails(t, 400, "error-no-message-for-unread", "There are no messages to mark unread [error-no-message-for-unread]")
	first := owner.PostText(t, rid, "first")
	owner.PostText(t, rid, "second")
	reader.Post(t, "subscriptions.read", map[string]any{"rid": rid}).OK(t)
	reader.Post(t, "rooms.hide", map[string]any{"roomId": rid}).OK(t)

	// From a message: last seen moves back to it, and the room comes back.
	reader.Post(t, "subscriptions.unread", map[string]any{"firstUnreadMessage": map[string]any{"_id": first["_id"]}}).OK(t)
	sub := reader.Subscription(t, rid)
	if sub["ls"] != first["ts"] || sub["open"] != true || sub["alert"] != true {
		t.Fatalf("subscription unread from a message = %v (message ts %v)", sub, first["ts"])
	}
	// One's own message cannot be the first unread one.
	owner.Post(t, "subscriptions.unread", map[string]any{"firstUnreadMessage": map[string]any{"_id": first["_id"]}}).
		Fails(t, 400, "error-action-not-allowed", "")
	reader.Post(t, "subscriptions.unread", map[string]any{"firstUnreadMessage": map[string]any{"_id": "nope"}}).
		Fails(t, 400, "error-action-not-allowed", "")
	reader.Post(t, "subscriptions.unread", map[string]any{"roomId": rid}).OK(t)

	reader.Post(t, "subscriptions.unread", map[string]any{"roomId": 12345}).Fails(t, 400, "", "")
	reader.Post(t, "subscriptions.unread", map[string]any{}).Fails(t, 400, "invalid-params", "")
}
