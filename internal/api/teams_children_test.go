package api_test

import (
	"slices"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

func TestTeamsListChildren(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "lcbob", "lccarol")
	bob, carol := e.Users[0], e.Users[1]
	team := createTeam(t, e.Admin, "lc-team", 0, map[string]any{"members": []string{"lcbob"}})
	id, main := team["_id"].(string), team["roomId"].(string)
	e.Admin.Post(t, "teams.updateMember", map[string]any{"teamId": id, "member": map[string]any{"userId": bob.UserID, "roles": []string{"member", "owner"}}}).OK(t)

	grp := e.Admin.CreateRoom(t, "groups", "lc-group", nil)
	bobsGrp := bob.CreateRoom(t, "groups", "lc-bobs-group", nil)
	pub := e.Admin.CreateRoom(t, "channels", "lc-public", nil)
	e.Admin.Post(t, "teams.addRooms", map[string]any{"teamId": id, "rooms": []string{grp, pub}}).OK(t)
	bob.Post(t, "teams.addRooms", map[string]any{"teamId": id, "rooms": []string{bobsGrp}}).OK(t)
	discussion := func(prid string) string {
		return e.Admin.Post(t, "rooms.createDiscussion", map[string]any{"prid": prid, "t_name": e.Unique("lc-talk")}).OK(t).JSON(t)["discussion"].(map[string]any)["_id"].(string)
	}
	onMain, onGroup := discussion(main), discussion(grp)

	children := func(c *apitest.Client, q ...string) (ids []string, total int) {
		t.Helper()
		res := c.Get(t, "teams.listChildren", apitest.Q(q...)).OK(t).JSON(t)
		return apitest.IDs(toMaps(res["data"])), apitest.Num(res["total"])
	}
	same := func(got, want []string) bool {
		got, want = slices.Clone(got), slices.Clone(want)
		slices.Sort(got)
		slices.Sort(want)
		return slices.Equal(got, want)
	}

	// Each member sees the team's rooms, main room included, that are
	// public or theirs, and the main room's discussions, never those of
	// other rooms; the team may be named by id, name or main room.
	for _, tc := range []struct {
		who  *apitest.Client
		q    []string
		want []string
	}{
		{e.Admin, []string{"teamId", id}, []string{main, grp, pub, onMain}},
		{bob, []string{"teamName", "lc-team"}, []string{main, bobsGrp, pub, onMain}},
		{bob, []string{"roomId", main}, []string{main, bobsGrp, pub, onMain}},
		{e.Admin, []string{"teamId", id, "type", "channels"}, []string{main, grp, pub}},
		{e.Admin, []string{"teamId", id, "type", "discussions"}, []string{onMain}},
		{e.Admin, []string{"teamId", id, "filter", "LC-GRO"}, []string{grp}},
	} {
		if got, total := children(tc.who, tc.q...); !same(got, tc.want) || total != len(tc.want) {
			t.Errorf("%v: got %v (total %d), want %v", tc.q, got, total, tc.want)
		}
	}
	if got, _ := children(e.Admin, "teamId", id); slices.Contains(got, onGroup) {
		t.Errorf("a sub-room's discussion is listed: %v", got)
	}
	res := e.Admin.Get(t, "teams.listChildren", apitest.Q("teamId", id, "offset", "1", "count", "2")).OK(t).JSON(t)
	if len(toMaps(res["data"])) != 2 || apitest.Num(res["total"]) != 4 || apitest.Num(res["offset"]) != 1 || apitest.Num(res["count"]) != 2 {
		t.Errorf("page: %v", res)
	}

	// Refusals.
	e.Anon().Get(t, "teams.listChildren", apitest.Q("teamId", id)).Expect(t, 401)
	e.Admin.Get(t, "teams.listChildren").Fails(t, 400, "invalid-params",
		"must have required property 'teamId'\n must have required property 'teamName'\n must have required property 'roomId'\n must match exactly one schema in oneOf [invalid-params]")
	e.Admin.Get(t, "teams.listChildren", apitest.Q("teamId", id, "teamName", "lc-team")).Expect(t, 400)
	e.Admin.Get(t, "teams.listChildren", apitest.Q("teamId", id, "type", "other")).
		Fails(t, 400, "invalid-params", "must be equal to one of the allowed values [invalid-params]")
	for _, q := range [][]string{{"teamId", "nope"}, {"teamId", ""}, {"teamName", "nope"}, {"roomId", ""}, {"roomId", pub}} {
		e.Admin.Get(t, "teams.listChildren", apitest.Q(q...)).Fails(t, 404, "", "Resource not found")
	}
	carol.Get(t, "teams.listChildren", apitest.Q("teamId", id)).FailsPlain(t, "error-invalid-team-not-a-member")
}

// A room may be created straight into a team (extraData.teamId) by whoever
// may add rooms to it; its members then join the team's auto-join rooms.
func TestCreateRoomInTeam(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "ctbob")
	bob := e.Users[0]
	team := createTeam(t, e.Admin, "ct-team", 0, nil)
	id, main := team["_id"].(string), team["roomId"].(string)

	g := e.Admin.Post(t, "groups.create", map[string]any{"name": "ct-group", "extraData": map[string]any{"teamId": id, "broadcast": false, "encrypted": false, "topic": ""}}).OK(t).JSON(t)["group"].(map[string]any)
	if g["teamId"] != id {
		t.Fatalf("group: %v", g)
	}
	c := e.Admin.Post(t, "channels.create", map[string]any{"name": "ct-channel", "extraData": map[string]any{"teamId": id}}).OK(t).JSON(t)["channel"].(map[string]any)
	if c["teamId"] != id || !hasMessage(t, e.Admin, "channels", main, "user-added-room-to-team", "ct-channel") {
		t.Fatalf("channel: %v", c)
	}
	if got, _ := children(t, e.Admin, "teamId", id); !slices.Contains(got, g["_id"].(string)) || !slices.Contains(got, c["_id"].(string)) {
		t.Fatalf("team children: %v", got)
	}
	// Outsiders of the team may not; an unknown team is ignored.
	bob.Post(t, "channels.create", map[string]any{"name": "ct-bobs", "extraData": map[string]any{"teamId": id}}).Fails(t, 403, "", "error-no-permission-team-channel")
	if r := bob.Post(t, "channels.create", map[string]any{"name": "ct-bobs", "extraData": map[string]any{"teamId": "nope"}}).OK(t).JSON(t)["channel"].(map[string]any); r["teamId"] != nil {
		t.Fatalf("room of an unknown team: %v", r)
	}

	// A new user joins a default team, and with it its auto-join rooms.
	e.Admin.Post(t, "teams.updateRoom", map[string]any{"roomId": g["_id"], "isDefault": true}).OK(t)
	e.Admin.Post(t, "channels.setDefault", map[string]any{"roomId": main, "default": true}).OK(t)
	e.Admin.Post(t, "users.create", map[string]any{"username": "ctnew", "email": "ctnew@example.com", "name": "N", "password": "pw", "joinDefaultChannels": true}).OK(t)
	if s := e.Login(t, "ctnew", "pw").Get(t, "subscriptions.getOne", apitest.Q("roomId", g["_id"].(string))).OK(t).JSON(t)["subscription"]; s == nil {
		t.Fatal("the new user did not join the team's auto-join room")
	}
}

func children(t *testing.T, c *apitest.Client, q ...string) ([]string, int) {
	t.Helper()
	res := c.Get(t, "teams.listChildren", apitest.Q(q...)).OK(t).JSON(t)
	return apitest.IDs(toMaps(res["data"])), apitest.Num(res["total"])
}
