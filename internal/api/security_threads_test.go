package api_test

import (
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

// TestThreadReplyStaysInItsRoom posts replies through a room the caller
// may write to, naming as tmid a message of a room they cannot see or
// write to: a private group, a direct message, a read-only channel, a
// group they were removed from, and another public channel. Every path
// that takes tmid refuses, and the parent's thread counters never move.
func TestThreadReplyStaysInItsRoom(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "tsowner", "tsfriend", "tsmallory")
	owner, mallory := e.Users[0], e.Users[2]

	// The room mallory may write to.
	open := mallory.CreateRoom(t, "channels", "", nil)

	group := owner.CreateRoom(t, "groups", "", nil, "tsfriend")
	dm := owner.PostMessage(t, map[string]any{"channel": "@tsfriend", "text": "hi"})["rid"].(string)
	readOnly := owner.CreateRoom(t, "channels", "", map[string]any{"readOnly": true}, "tsmallory")
	left := owner.CreateRoom(t, "groups", "", nil, "tsmallory")
	other := owner.CreateRoom(t, "channels", "", nil, "tsmallory")

	parents := map[string]string{
		"private group":      owner.PostText(t, group, "group parent")["_id"].(string),
		"direct message":     owner.PostText(t, dm, "dm parent")["_id"].(string),
		"read-only channel":  owner.PostText(t, readOnly, "ro parent")["_id"].(string),
		"group left behind":  owner.PostText(t, left, "left parent")["_id"].(string),
		"other open channel": owner.PostText(t, other, "other parent")["_id"].(string),
	}
	// Mallory was a member of left, and is no more.
	owner.Post(t, "groups.kick", map[string]any{"roomId": left, "userId": mallory.UserID}).OK(t)

	const invalid = "Invalid message [error-invalid-message]"
	for name, pid := range parents {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			mallory.Post(t, "chat.postMessage", map[string]any{"roomId": open, "tmid": pid, "text": "sneaky"}).
				Fails(t, 400, "error-invalid-message", invalid)
			upload(t, mallory, "rooms.upload", open, "a.txt", "text/plain", []byte("x"), map[string]string{"tmid": pid}).
				Fails(t, 400, "error-invalid-message", invalid)
			f := upload(t, mallory, "rooms.media", open, "b.txt", "text/plain", []byte("y"), nil).OK(t).JSON(t)["file"].(map[string]any)
			mallory.Post(t, "rooms.mediaConfirm/"+open+"/"+f["_id"].(string), map[string]any{"tmid": pid, "msg": "sneaky"}).
				Fails(t, 400, "error-invalid-message", invalid)
			// sendMessage moves a reply to its parent's room, where the
			// send checks apply; a member of that room (other) may post
			// there, so only the others are refused.
			r := mallory.Post(t, "chat.sendMessage", map[string]any{"message": map[string]any{"rid": open, "tmid": pid, "msg": "sneaky"}})
			if name != "other open channel" {
				r.Expect(t, 400)
			} else {
				r.OK(t)
				if got := r.JSON(t)["message"].(map[string]any)["rid"]; got != other {
					t.Fatalf("sendMessage reply landed in %v, want the parent's room", got)
				}
			}

			parent := owner.GetMessage(t, pid)
			wantCount := 0
			if name == "other open channel" {
				wantCount = 1
			}
			if apitest.Num(parent["tcount"]) != wantCount {
				t.Fatalf("parent tcount = %v, want %d: %v", parent["tcount"], wantCount, parent)
			}
			if wantCount == 0 && (parent["tlm"] != nil || parent["replies"] != nil) {
				t.Fatalf("parent gained thread fields: %v", parent)
			}
		})
	}

	// A discussion started from a message must start in that message's
	// room (or the room its discussion hangs off), and in a room the
	// caller may post to.
	t.Run("discussion from a hidden message", func(t *testing.T) {
		t.Parallel()
		mallory.Post(t, "rooms.createDiscussion", map[string]any{"prid": open, "pmid": parents["private group"], "t_name": "leak"}).
			Fails(t, 400, "error-invalid-arguments", "")
		mallory.Post(t, "rooms.createDiscussion", map[string]any{"prid": group, "pmid": parents["private group"], "t_name": "leak"}).
			Fails(t, 400, "error-not-allowed", "")
	})

	t.Run("same room still works", func(t *testing.T) {
		t.Parallel()
		root := mallory.PostText(t, open, "a real thread")["_id"].(string)
		reply := mallory.Reply(t, open, root, "reply")
		if reply["tmid"] != root || reply["rid"] != open {
			t.Fatalf("reply = %v", reply)
		}
		m := upload(t, mallory, "rooms.upload", open, "c.txt", "text/plain", []byte("z"), map[string]string{"tmid": root}).OK(t).JSON(t)["message"].(map[string]any)
		if m["tmid"] != root {
			t.Fatalf("upload reply = %v", m)
		}
		if n := apitest.Num(mallory.GetMessage(t, root)["tcount"]); n != 2 {
			t.Fatalf("tcount = %d, want 2", n)
		}
	})

	t.Run("unknown parent", func(t *testing.T) {
		t.Parallel()
		mallory.Post(t, "chat.postMessage", map[string]any{"roomId": open, "tmid": "NoSuchMessage0000", "text": "x"}).
			Fails(t, 400, "error-invalid-message", invalid)
	})
}
