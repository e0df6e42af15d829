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
