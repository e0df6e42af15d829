package api_test

import (
	"slices"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

// TestRoomInviteByName covers the ways channels.invite and groups.invite
// name the users to add: by id or username, alone or in lists.
func TestRoomInviteByName(t *testing.T) {
	t.Parallel()
	for _, prefix := range []string{"channels", "groups"} {
		t.Run(prefix, func(t *testing.T) {
			t.Parallel()
			e := apitest.NewScene(t, "owner", "ann", "bob", "cat", "dan")
			owner := e.Users[0]
			key := map[string]string{"channels": "channel", "groups": "group"}[prefix]
			rid := owner.Post(t, prefix+".create", map[string]any{"name": "invites"}).OK(t).JSON(t)[key].(map[string]any)["_id"].(string)

			members := func() []string {
				var out struct{ Members []map[string]any }
				owner.Get(t, prefix+".members", apitest.Q("roomId", rid)).OK(t).Decode(t, &out)
				var names []string
				for _, m := range out.Members {
					names = append(names, m["username"].(string))
				}
				slices.Sort(names)
				return names
			}

			// A username, matched in any case; unknown keys pass, as the
			// route has no schema.
			owner.Post(t, prefix+".invite", map[string]any{"roomId": rid, "username": "ANN", "extra": 1}).OK(t)
			// A list of usernames, unknown ones left out.
			owner.Post(t, prefix+".invite", map[string]any{"roomId": rid, "usernames": []string{"bob", "ghost"}}).OK(t)
			// A list of ids plus a single id.
			owner.Post(t, prefix+".invite", map[string]any{"roomId": rid, "userIds": []string{e.Users[3].UserID}, "userId": e.Users[4].UserID}).OK(t)
			if got, want := members(), []string{"ann", "bob", "cat", "dan", "owner"}; !slices.Equal(got, want) {
				t.Fatalf("members = %v, want %v", got, want)
			}

			owner.Post(t, prefix+".invite", map[string]any{"roomId": rid}).
				Fails(t, 400, "error-users-params-not-provided", `Please provide "userId" or "username" or "userIds" or "usernames" as param [error-users-params-not-provided]`)
			owner.Post(t, prefix+".invite", map[string]any{"roomId": rid, "usernames": []string{}}).Fails(t, 400, "error-users-params-not-provided", "")
		})
	}
}

// TestChannelListsTakeAnyQuery checks that the channel lists, which have
// no schema, ignore query keys they do not read.
func TestChannelListsTakeAnyQuery(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "owner")
	owner := e.Users[0]
	rid := owner.Post(t, "channels.create", map[string]any{"name": "listed"}).OK(t).JSON(t)["channel"].(map[string]any)["_id"].(string)
	for _, path := range []string{"channels.list", "channels.list.joined", "groups.list"} {
		body := owner.Get(t, path, apitest.Q("roomId", rid)).OK(t).JSON(t)
		if _, ok := body["total"]; !ok {
			t.Fatalf("%s = %v", path, body)
		}
	}
	joined := owner.Get(t, "channels.list.joined", apitest.Q("roomId", rid)).OK(t).JSON(t)
	if apitest.Num(joined["total"]) != 2 { // GENERAL and the new channel
		t.Fatalf("channels.list.joined = %v", joined)
	}
}
