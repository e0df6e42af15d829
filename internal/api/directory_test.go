package api_test

import (
	"slices"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

func TestDirectory(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "zoe", "yann", "outsider")
	zoe, yann, outsider := e.Users[0], e.Users[1], e.Users[2]
	zoe.CreateRoom(t, "channels", "dir-open", nil)
	zoe.CreateRoom(t, "groups", "dir-secret", nil, "yann")
	zoe.CreateRoom(t, "channels", "elsewhere", nil)

	search := func(c *apitest.Client, q ...string) ([]map[string]any, int) {
		var out struct {
			Result []map[string]any `json:"result"`
			Count  int              `json:"count"`
			Total  int              `json:"total"`
		}
		c.Get(t, "directory", apitest.Q(q...)).OK(t).Decode(t, &out)
		if out.Count != len(out.Result) {
			t.Fatalf("count %d for %d results", out.Count, len(out.Result))
		}
		return out.Result, out.Total
	}
	names := func(list []map[string]any, key string) []string {
		var out []string
		for _, r := range list {
			out = append(out, r[key].(string))
		}
		return out
	}

	// Channels: public ones for everyone, private ones for their members.
	for _, tc := range []struct {
		c    *apitest.Client
		q    []string
		want []string
	}{
		{yann, []string{"text", "dir", "sort", `{"name":1}`}, []string{"dir-open", "dir-secret"}},
		{outsider, []string{"text", "dir", "sort", `{"name":1}`}, []string{"dir-open"}},
		{yann, []string{"text", "DIR"}, []string{"dir-secret", "dir-open"}},
		{yann, []string{"query", `{"text":"dir","type":"channels"}`, "sort", `{"name":1}`}, []string{"dir-open", "dir-secret"}},
	} {
		list, total := search(tc.c, tc.q...)
		if got := names(list, "name"); !slices.Equal(got, tc.want) || total != len(tc.want) {
			t.Fatalf("directory %v = %v (total %d), want %v", tc.q, got, total, tc.want)
		}
	}

	// Users: active users whose searched fields match.
	list, _ := search(outsider, "type", "users", "text", "ya", "sort", `{"username":1}`)
	if got := names(list, "username"); !slices.Equal(got, []string{"yann"}) {
		t.Fatalf("users matching ya = %v", got)
	}
	if _, ok := list[0]["emails"]; ok {
		t.Fatalf("a user saw another's email: %v", list[0])
	}
	list, _ = search(e.Admin, "type", "users", "text", "yann")
	if _, ok := list[0]["emails"]; !ok {
		t.Fatalf("an administrator does not see emails: %v", list[0])
	}
	list, total := search(outsider, "type", "users", "sort", `{"username":-1}`, "count", "2")
	if got := names(list, "username"); len(got) != 2 || got[0] != "zoe" || total < 4 {
		t.Fatalf("users page = %v (total %d)", got, total)
	}
	// Teams: public teams for everyone, private ones for their members,
	// each with how many rooms it holds.
	team := zoe.Post(t, "teams.create", map[string]any{"name": "dir-team", "type": 0}).OK(t).JSON(t)["team"].(map[string]any)
	zoe.Post(t, "teams.create", map[string]any{"name": "dir-hidden-team", "type": 1, "members": []string{yann.UserID}}).OK(t)
	inTeam := zoe.CreateRoom(t, "channels", "dir-in-team", nil)
	zoe.Post(t, "teams.addRooms", map[string]any{"teamId": team["_id"], "rooms": []string{inTeam}}).OK(t)
	for _, tc := range []struct {
		c    *apitest.Client
		want []string
	}{
		{yann, []string{"dir-hidden-team", "dir-team"}},
		{outsider, []string{"dir-team"}},
	} {
		list, total := search(tc.c, "type", "teams", "text", "dir", "sort", `{"name":1}`)
		if got := names(list, "name"); !slices.Equal(got, tc.want) || total != len(tc.want) {
			t.Fatalf("teams directory = %v (total %d), want %v", got, total, tc.want)
		}
		last := list[len(list)-1]
		if last["teamMain"] != true || last["teamId"] != team["_id"] || apitest.Num(last["roomsCount"]) != 1 {
			t.Fatalf("team entry: %v", last)
		}
	}

	// Without view-outside-room the user directory is closed.
	e.SetPermission(t, "view-outside-room", "admin")
	outsider.Get(t, "directory", apitest.Q("type", "users")).Fails(t, 400, "", "Please verify the parameters")

	outsider.Get(t, "directory", apitest.Q("type", "planets")).Fails(t, 400, "", "Please verify the parameters")
	outsider.Get(t, "directory", apitest.Q("sort", `{"ts":1}`)).Fails(t, 400, "", "Please verify the parameters")
	outsider.Get(t, "directory", apitest.Q("sort", `{"name":1,"usersCount":1}`)).Fails(t, 400, "", `This method support only one "sort" parameter`)
	outsider.Get(t, "directory", apitest.Q("bogus", "1")).Fails(t, 400, "invalid-params", "")
}
