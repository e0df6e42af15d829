package api_test

import (
	"slices"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
	"github.com/parleychat/parley/internal/events"
)

// createTeam makes a team as c and returns its record.
func createTeam(t *testing.T, c *apitest.Client, name string, typ int, extra map[string]any) map[string]any {
	t.Helper()
	body := map[string]any{"name": name, "type": typ}
	for k, v := range extra {
		body[k] = v
	}
	return c.Post(t, "teams.create", body).OK(t).JSON(t)["team"].(map[string]any)
}

// teamMembers lists a team's members as c, by username.
func teamMembers(t *testing.T, c *apitest.Client, q ...string) (map[string]map[string]any, []string) {
	t.Helper()
	res := c.Get(t, "teams.members", apitest.Q(q...)).OK(t).JSON(t)
	byName := map[string]map[string]any{}
	var order []string
	for _, m := range res["members"].([]any) {
		row := m.(map[string]any)
		name := row["user"].(map[string]any)["username"].(string)
		byName[name] = row
		order = append(order, name)
	}
	if apitest.Num(res["total"]) != len(order) && apitest.Num(res["count"]) != len(order) {
		t.Fatalf("teams.members count %v total %v for %d rows", res["count"], res["total"], len(order))
	}
	return byName, order
}

// hasMessage reports whether the room's history holds a message of type
// typ with text msg.
func hasMessage(t *testing.T, c *apitest.Client, prefix, rid, typ, msg string) bool {
	t.Helper()
	for _, m := range c.History(t, prefix, rid) {
		if m["t"] == typ && m["msg"] == msg {
			return true
		}
	}
	return false
}

func TestTeamsCreate(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "tcbob", "tccarol")
	bob := e.Users[0]

	team := createTeam(t, e.Admin, "tc-public", 0, map[string]any{"members": []string{"tcbob", e.Users[1].UserID, "nobody-here"}})
	for _, k := range []string{"_id", "roomId", "createdAt", "_updatedAt"} {
		if team[k] == nil || team[k] == "" {
			t.Fatalf("team lacks %s: %v", k, team)
		}
	}
	if team["name"] != "tc-public" || apitest.Num(team["type"]) != 0 || team["_id"] == team["roomId"] {
		t.Fatalf("team: %v", team)
	}
	if cb := team["createdBy"].(map[string]any); cb["_id"] != e.Admin.UserID || cb["username"] != "admin" {
		t.Fatalf("createdBy: %v", cb)
	}
	// The main room is a channel marked as the team's, with its members.
	room := e.Admin.Get(t, "channels.info", apitest.Q("roomId", team["roomId"].(string))).OK(t).JSON(t)["channel"].(map[string]any)
	if room["teamMain"] != true || room["teamId"] != team["_id"] || apitest.Num(room["usersCount"]) != 3 {
		t.Fatalf("main room: %v", room)
	}
	members, order := teamMembers(t, e.Admin, "teamId", team["_id"].(string))
	if len(order) != 3 || order[0] != "admin" || !slices.Equal(apitest.Strings(members["admin"]["roles"]), []string{"owner"}) {
		t.Fatalf("members %v: %v", order, members)
	}
	if _, ok := members["tcbob"]["roles"]; ok {
		t.Fatalf("a plain member has roles: %v", members["tcbob"])
	}

	// A private team, owned by someone else than its creator, read-only.
	priv := createTeam(t, e.Admin, "tc-private", 1, map[string]any{"owner": bob.UserID, "room": map[string]any{"readOnly": true}})
	group := bob.Get(t, "groups.info", apitest.Q("roomId", priv["roomId"].(string))).OK(t).JSON(t)["group"].(map[string]any)
	if group["t"] != "p" || group["ro"] != true || group["u"].(map[string]any)["username"] != "tcbob" {
		t.Fatalf("private main room: %v", group)
	}
	pm, _ := teamMembers(t, bob, "teamName", "tc-private")
	if !slices.Equal(apitest.Strings(pm["tcbob"]["roles"]), []string{"owner"}) || pm["admin"] != nil {
		t.Fatalf("private team members: %v", pm)
	}

	// The side panel is kept on the main room.
	sp := createTeam(t, e.Admin, "tc-sidepanel", 0, map[string]any{"sidepanel": map[string]any{"items": []string{"channels"}}})
	spRoom := e.Admin.Get(t, "channels.info", apitest.Q("roomId", sp["roomId"].(string))).OK(t).JSON(t)["channel"].(map[string]any)
	if !slices.Equal(apitest.Strings(spRoom["sidepanel"].(map[string]any)["items"]), []string{"channels"}) {
		t.Fatalf("sidepanel: %v", spRoom["sidepanel"])
	}

	e.Admin.CreateRoom(t, "channels", "tc-plain-room", nil)
	for _, tc := range []struct {
		name          string
		body          map[string]any
		status        int
		errType, text string
	}{
		{"taken by a team", map[string]any{"name": "tc-public", "type": 0}, 400, "", "team-name-already-exists"},
		{"taken by a user", map[string]any{"name": "tcbob", "type": 0}, 400, "", "team-name-already-exists"},
		{"taken by a room", map[string]any{"name": "tc-plain-room", "type": 0}, 400, "", "room-name-already-exists"},
		{"invalid room name", map[string]any{"name": "invalid*team*name", "type": 0}, 400, "", "error-team-creation"},
		{"too many side panel items", map[string]any{"name": "tc-sp1", "type": 0, "sidepanel": map[string]any{"items": []string{"channels", "discussions", "other"}}}, 400, "", "error-invalid-sidepanel"},
		{"unknown side panel item", map[string]any{"name": "tc-sp2", "type": 0, "sidepanel": map[string]any{"items": []string{"other"}}}, 400, "", "error-invalid-sidepanel"},
		{"repeated side panel item", map[string]any{"name": "tc-sp3", "type": 0, "sidepanel": map[string]any{"items": []string{"channels", "channels"}}}, 400, "", "error-invalid-sidepanel"},
		{"no name", map[string]any{"type": 0}, 400, "invalid-params", "must have required property 'name' [invalid-params]"},
		{"no type", map[string]any{"name": "tc-x"}, 400, "invalid-params", "must have required property 'type' [invalid-params]"},
		{"unknown type", map[string]any{"name": "tc-x", "type": 2}, 400, "invalid-params", "must be equal to one of the allowed values [invalid-params]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.Admin.Post(t, "teams.create", tc.body).Fails(t, tc.status, tc.errType, tc.text)
		})
	}
	// A failed creation leaves nothing behind.
	e.Admin.Get(t, "teams.info", apitest.Q("teamName", "invalid*team*name")).FailsPlain(t, "Team not found")
	e.Admin.Get(t, "teams.members", apitest.Q("teamName", "invalid*team*name")).FailsPlain(t, "team-does-not-exist")

	// create-team is needed.
	e.SetPermission(t, "create-team", "admin")
	bob.Post(t, "teams.create", map[string]any{"name": "tc-refused", "type": 0}).Fails(t, 403, "", "unauthorized")
	e.Admin.Get(t, "teams.info", apitest.Q("teamName", "tc-refused")).FailsPlain(t, "Team not found")
}

func TestTeamsInfo(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "tibob")
	bob := e.Users[0]
	pub := createTeam(t, e.Admin, "ti-public", 0, nil)
	createTeam(t, e.Admin, "ti-private", 1, nil)

	for _, q := range [][]string{{"teamId", pub["_id"].(string)}, {"teamName", "ti-public"}} {
		info := bob.Get(t, "teams.info", apitest.Q(q...)).OK(t).JSON(t)["teamInfo"].(map[string]any)
		if info["_id"] != pub["_id"] || info["name"] != "ti-public" || info["roomId"] != pub["roomId"] {
			t.Fatalf("teams.info %v: %v", q, info)
		}
	}
	bob.Get(t, "teams.info", apitest.Q("teamName", "")).FailsPlain(t, "Team not found")
	bob.Get(t, "teams.info", apitest.Q("teamId", "nope")).FailsPlain(t, "Team not found")
	bob.Get(t, "teams.info").Fails(t, 400, "invalid-params", "must have required property 'teamId' [invalid-params]")
	// A private team is hidden from outsiders, not from view-all-teams.
	bob.Get(t, "teams.info", apitest.Q("teamName", "ti-private")).Fails(t, 403, "", "unauthorized")
	e.SetPermission(t, "view-all-teams", "admin", "user")
	bob.Get(t, "teams.info", apitest.Q("teamName", "ti-private")).OK(t)
}

func TestTeamsListAndListAll(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "tlbob")
	bob := e.Users[0]
	own := createTeam(t, bob, "tl-bob", 0, nil)
	createTeam(t, e.Admin, "tl-admin", 1, nil)
	rid := bob.CreateRoom(t, "channels", "tl-room", nil)
	bob.Post(t, "teams.addRooms", map[string]any{"teamId": own["_id"], "rooms": []string{rid}}).OK(t)

	res := bob.Get(t, "teams.list").OK(t).JSON(t)
	teams := res["teams"].([]any)
	if len(teams) != 1 || apitest.Num(res["total"]) != 1 || apitest.Num(res["offset"]) != 0 {
		t.Fatalf("bob's teams: %v", res)
	}
	mine := teams[0].(map[string]any)
	if mine["_id"] != own["_id"] || apitest.Num(mine["rooms"]) != 1 || apitest.Num(mine["numberOfUsers"]) != 1 ||
		mine["createdBy"].(map[string]any)["_id"] != bob.UserID {
		t.Fatalf("bob's team: %v", mine)
	}
	// A query cannot widen the list beyond the caller's teams.
	res = bob.Get(t, "teams.list", apitest.Q("query", `{"_id":{"$regex":".*"}}`)).OK(t).JSON(t)
	if len(res["teams"].([]any)) != 1 {
		t.Fatalf("teams.list with query: %v", res)
	}

	all := e.Admin.Get(t, "teams.listAll").OK(t).JSON(t)
	if apitest.Num(all["total"]) != 2 || len(all["teams"].([]any)) != 2 {
		t.Fatalf("teams.listAll: %v", all)
	}
	// Two teams made in the same millisecond are ordered by name, so the
	// second page is whatever the whole list has second.
	page := e.Admin.Get(t, "teams.listAll", apitest.Q("count", "1", "offset", "1")).OK(t).JSON(t)
	if apitest.Num(page["total"]) != 2 || apitest.Num(page["count"]) != 1 || page["teams"].([]any)[0].(map[string]any)["_id"] != all["teams"].([]any)[1].(map[string]any)["_id"] {
		t.Fatalf("teams.listAll page 2: %v", page)
	}
	bob.Get(t, "teams.listAll").Fails(t, 403, "", "unauthorized")
}

func TestTeamsMembers(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "tmbob", "tmcarol", "tmdave")
	bob, carol, dave := e.Users[0], e.Users[1], e.Users[2]
	team := createTeam(t, e.Admin, "tm-team", 0, nil)
	id := team["_id"].(string)

	e.Admin.Post(t, "teams.addMembers", map[string]any{"teamName": "tm-team", "members": []map[string]any{
		{"userId": bob.UserID, "roles": []string{"member"}},
		{"userId": carol.UserID, "roles": []string{"member", "moderator"}},
	}}).OK(t)
	members, order := teamMembers(t, e.Admin, "teamId", id)
	if len(order) != 3 || order[0] != "admin" {
		t.Fatalf("members: %v", order)
	}
	if !slices.Equal(apitest.Strings(members["tmcarol"]["roles"]), []string{"member", "moderator"}) {
		t.Fatalf("carol: %v", members["tmcarol"])
	}
	row := members["tmbob"]
	for _, k := range []string{"createdAt", "createdBy"} {
		if row[k] == nil {
			t.Fatalf("member row lacks %s: %v", k, row)
		}
	}
	if u := row["user"].(map[string]any); u["_id"] != bob.UserID || u["name"] != "Tmbob" || u["status"] == nil {
		t.Fatalf("member user: %v", u)
	}
	if !hasMessage(t, e.Admin, "channels", team["roomId"].(string), "added-user-to-team", "tmbob") {
		t.Fatal("no added-user-to-team message")
	}

	// Filters and paging.
	if _, got := teamMembers(t, bob, "teamId", id, "username", "CAR"); !slices.Equal(got, []string{"tmcarol"}) {
		t.Fatalf("username filter: %v", got)
	}
	if _, got := teamMembers(t, bob, "teamId", id, "name", "tmb"); !slices.Equal(got, []string{"tmbob"}) {
		t.Fatalf("name filter: %v", got)
	}
	if _, got := teamMembers(t, bob, "teamId", id, "status[]", "busy"); len(got) != 0 {
		t.Fatalf("status filter: %v", got)
	}
	pg := bob.Get(t, "teams.members", apitest.Q("teamId", id, "count", "1", "offset", "1")).OK(t).JSON(t)
	if apitest.Num(pg["total"]) != 3 || apitest.Num(pg["count"]) != 1 {
		t.Fatalf("members page: %v", pg)
	}
	// Outsiders see no one, unless they hold view-all-teams.
	if _, got := teamMembers(t, dave, "teamId", id); len(got) != 0 {
		t.Fatalf("outsider sees %v", got)
	}
	bob.Get(t, "teams.members", apitest.Q("teamId", "nope")).FailsPlain(t, "team-does-not-exist")

	// Adding needs add-team-member or edit-team-member in the team.
	dave.Post(t, "teams.addMembers", map[string]any{"teamId": id, "members": []map[string]any{{"userId": dave.UserID}}}).
		Fails(t, 403, "", "unauthorized")
	for _, tc := range []struct {
		name string
		body map[string]any
		text string
	}{
		{"no members", map[string]any{"teamId": id, "members": []any{}}, "must NOT have fewer than 1 items [invalid-params]"},
		{"no user id", map[string]any{"teamId": id, "members": []map[string]any{{"roles": []string{"member"}}}}, "must have required property 'userId' [invalid-params]"},
		{"global role", map[string]any{"teamId": id, "members": []map[string]any{{"userId": dave.UserID, "roles": []string{"admin"}}}}, "Invalid role: admin [invalid-params]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.Admin.Post(t, "teams.addMembers", tc.body).Fails(t, 400, "invalid-params", tc.text)
		})
	}
	e.Admin.Post(t, "teams.addMembers", map[string]any{"teamId": id, "members": []map[string]any{{"userId": "nobody"}}}).FailsPlain(t, "invalid-user")
	if _, got := teamMembers(t, e.Admin, "teamId", id); len(got) != 3 {
		t.Fatalf("refused additions changed the team: %v", got)
	}
}

func TestTeamsUpdateMember(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "tubob", "tucarol")
	bob, carol := e.Users[0], e.Users[1]
	team := createTeam(t, e.Admin, "tu-team", 0, map[string]any{"members": []string{"tubob", "tucarol"}})
	id := team["_id"].(string)

	e.Admin.Post(t, "teams.updateMember", map[string]any{"teamId": id, "member": map[string]any{"userId": bob.UserID, "roles": []string{"member", "owner"}}}).OK(t)
	members, _ := teamMembers(t, e.Admin, "teamId", id)
	if !slices.Equal(apitest.Strings(members["tubob"]["roles"]), []string{"member", "owner"}) {
		t.Fatalf("bob's roles: %v", members["tubob"])
	}
	// The team role is a room role in the main room: bob now owns it.
	if sub := bob.Subscription(t, team["roomId"].(string)); !slices.Contains(apitest.Strings(sub["roles"]), "owner") {
		t.Fatalf("bob's subscription: %v", sub)
	}
	// As an owner, bob may edit members; carol may not.
	carol.Post(t, "teams.updateMember", map[string]any{"teamId": id, "member": map[string]any{"userId": carol.UserID, "roles": []string{"owner"}}}).
		Fails(t, 403, "", "unauthorized")
	bob.Post(t, "teams.updateMember", map[string]any{"teamId": id, "member": map[string]any{"userId": e.Admin.UserID}}).OK(t)
	bob.Post(t, "teams.updateMember", map[string]any{"teamId": id, "member": map[string]any{"userId": bob.UserID, "roles": []string{"member"}}}).
		FailsPlain(t, "last-owner-can-not-be-removed")
	bob.Post(t, "teams.updateMember", map[string]any{"teamId": id, "member": map[string]any{"userId": "nobody"}}).FailsPlain(t, "member-does-not-exist")
	bob.Post(t, "teams.updateMember", map[string]any{"teamId": id, "member": map[string]any{}}).
		Fails(t, 400, "invalid-params", "must have required property 'userId' [invalid-params]")
	bob.Post(t, "teams.updateMember", map[string]any{"teamId": id}).
		Fails(t, 400, "invalid-params", "must have required property 'member' [invalid-params]")
	members, _ = teamMembers(t, e.Admin, "teamId", id)
	if _, ok := members["admin"]["roles"]; ok {
		t.Fatalf("admin kept roles: %v", members["admin"])
	}
}

func TestTeamsRemoveMemberAndLeave(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "trbob", "trcarol")
	bob, carol := e.Users[0], e.Users[1]
	team := createTeam(t, e.Admin, "tr-team", 0, nil)
	id, main := team["_id"].(string), team["roomId"].(string)
	rid := e.Admin.CreateRoom(t, "groups", "tr-group", nil, "trbob", "trcarol")
	e.Admin.Post(t, "teams.addRooms", map[string]any{"teamId": id, "rooms": []string{rid}}).OK(t)
	e.Admin.Post(t, "teams.addMembers", map[string]any{"teamId": id, "members": []map[string]any{
		{"userId": bob.UserID}, {"userId": carol.UserID},
	}}).OK(t)

	e.Admin.Post(t, "teams.removeMember", map[string]any{"teamId": id, "userId": e.Admin.UserID}).FailsPlain(t, "last-owner-can-not-be-removed")
	e.Admin.Post(t, "teams.removeMember", map[string]any{"teamId": id, "userId": bob.UserID, "rooms": []string{}}).
		Fails(t, 400, "invalid-params", "must NOT have fewer than 1 items [invalid-params]")
	carol.Post(t, "teams.removeMember", map[string]any{"teamId": id, "userId": bob.UserID}).Fails(t, 403, "", "unauthorized")
	e.Admin.Post(t, "teams.removeMember", map[string]any{"teamId": id, "userId": "nobody"}).FailsPlain(t, "invalid-user")

	// Removing bob from the team and from its group.
	e.Admin.Post(t, "teams.removeMember", map[string]any{"teamId": id, "userId": bob.UserID, "rooms": []string{rid}}).OK(t)
	if _, got := teamMembers(t, e.Admin, "teamId", id); len(got) != 2 || slices.Contains(got, "trbob") {
		t.Fatalf("members after removal: %v", got)
	}
	bob.Get(t, "subscriptions.getOne", apitest.Q("roomId", rid)).OK(t)
	if !hasMessage(t, e.Admin, "channels", main, "removed-user-from-team", "trbob") || !hasMessage(t, e.Admin, "groups", rid, "ru", "trbob") {
		t.Fatal("removal messages missing")
	}
	e.Admin.Post(t, "teams.removeMember", map[string]any{"teamId": id, "userId": bob.UserID}).FailsPlain(t, "member-does-not-exist")

	// Leaving needs no permission; the last owner may not leave.
	e.Admin.Post(t, "teams.leave", map[string]any{"teamName": "tr-team"}).FailsPlain(t, "last-owner-can-not-be-removed")
	carol.Post(t, "teams.leave", map[string]any{"teamName": "tr-team", "rooms": []string{}}).
		Fails(t, 400, "invalid-params", "must NOT have fewer than 1 items [invalid-params]")
	carol.Post(t, "teams.leave", map[string]any{"teamName": "tr-team", "rooms": []string{rid}}).OK(t)
	if !hasMessage(t, e.Admin, "channels", main, "ult", "trcarol") || !hasMessage(t, e.Admin, "groups", rid, "ul", "trcarol") {
		t.Fatal("leave messages missing")
	}
	carol.Post(t, "teams.leave", map[string]any{"teamName": "tr-team"}).FailsPlain(t, "member-does-not-exist")
	carol.Post(t, "teams.leave", map[string]any{"teamName": "nope"}).FailsPlain(t, "team-does-not-exist")
	if info := e.Admin.RoomInfo(t, main); apitest.Num(info["usersCount"]) != 1 {
		t.Fatalf("main room after leaving: %v", info)
	}
}

func TestTeamsRooms(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "tobob", "tocarol")
	bob, carol := e.Users[0], e.Users[1]
	team := createTeam(t, bob, "to-team", 0, nil)
	id, main := team["_id"].(string), team["roomId"].(string)
	pub := bob.CreateRoom(t, "channels", "to-public", nil)
	grp := e.Admin.CreateRoom(t, "groups", "to-group", nil)
	carolsGroup := carol.CreateRoom(t, "groups", "to-carols", nil)
	notOwned := e.Admin.CreateRoom(t, "channels", "to-admins", nil, "tobob")

	// Adding rooms.
	bob.Post(t, "teams.addRooms", map[string]any{"teamId": id, "rooms": []string{carolsGroup}}).FailsPlain(t, "invalid-room")
	bob.Post(t, "teams.addRooms", map[string]any{"teamId": id, "rooms": []string{"nope"}}).FailsPlain(t, "invalid-room")
	bob.Post(t, "teams.addRooms", map[string]any{"teamId": id, "rooms": []string{notOwned}}).FailsPlain(t, "error-no-owner-channel")
	bob.Post(t, "teams.addRooms", map[string]any{"teamId": "nope", "rooms": []string{pub}}).FailsPlain(t, "team-does-not-exist")
	carol.Post(t, "teams.addRooms", map[string]any{"teamId": id, "rooms": []string{carolsGroup}}).Fails(t, 403, "", "error-no-permission-team-channel")
	added := bob.Post(t, "teams.addRooms", map[string]any{"teamId": id, "rooms": []string{pub}}).OK(t).JSON(t)["rooms"].([]any)
	if r := added[0].(map[string]any); len(added) != 1 || r["teamId"] != id || r["teamDefault"] != nil {
		t.Fatalf("added rooms: %v", added)
	}
	if !hasMessage(t, bob, "channels", main, "user-added-room-to-team", "to-public") {
		t.Fatal("no user-added-room-to-team message")
	}
	bob.Post(t, "teams.addRooms", map[string]any{"teamId": id, "rooms": []string{pub}}).FailsPlain(t, "room-already-on-team")
	e.Admin.Post(t, "teams.addRooms", map[string]any{"teamId": id, "rooms": []string{grp}}).OK(t)
	// The room listings show the team.
	if info := bob.RoomInfo(t, pub); info["teamId"] != id {
		t.Fatalf("rooms.info: %v", info)
	}

	// Listing: bob (the team's owner) holds view-all-team-channels; carol,
	// an outsider of this public team, sees the public rooms only.
	list := bob.Get(t, "teams.listRooms", apitest.Q("teamId", id)).OK(t).JSON(t)
	if apitest.Num(list["total"]) != 2 {
		t.Fatalf("bob's listRooms: %v", list)
	}
	list = carol.Get(t, "teams.listRooms", apitest.Q("teamId", id)).OK(t).JSON(t)
	if got := apitest.IDs(toMaps(list["rooms"])); !slices.Equal(got, []string{pub}) {
		t.Fatalf("carol's listRooms: %v", got)
	}
	list = bob.Get(t, "teams.listRooms", apitest.Q("teamId", id, "filter", "grou")).OK(t).JSON(t)
	if got := apitest.IDs(toMaps(list["rooms"])); !slices.Equal(got, []string{grp}) {
		t.Fatalf("filtered listRooms: %v", got)
	}

	// Auto-join rooms.
	carol.Post(t, "teams.updateRoom", map[string]any{"roomId": pub, "isDefault": true}).Fails(t, 403, "", "unauthorized")
	bob.Post(t, "teams.updateRoom", map[string]any{"roomId": carolsGroup, "isDefault": true}).FailsPlain(t, "room-not-on-team")
	bob.Post(t, "teams.updateRoom", map[string]any{"roomId": pub}).
		Fails(t, 400, "invalid-params", "must have required property 'isDefault' [invalid-params]")
	bob.Post(t, "teams.addMembers", map[string]any{"teamId": id, "members": []map[string]any{{"userId": e.Admin.UserID}}}).OK(t)
	room := bob.Post(t, "teams.updateRoom", map[string]any{"roomId": pub, "isDefault": true}).OK(t).JSON(t)["room"].(map[string]any)
	if room["teamDefault"] != true || apitest.Num(room["usersCount"]) != 2 {
		t.Fatalf("default room: %v", room)
	}
	if !hasMessage(t, bob, "channels", pub, "au", "admin") {
		t.Fatal("no au message for the auto-joined member")
	}
	// A new member joins the default rooms with the team.
	bob.Post(t, "teams.addMembers", map[string]any{"teamId": id, "members": []map[string]any{{"userId": carol.UserID}}}).OK(t)
	carol.Get(t, "subscriptions.getOne", apitest.Q("roomId", pub)).OK(t)
	if s := carol.Get(t, "subscriptions.getOne", apitest.Q("roomId", pub)).OK(t).JSON(t)["subscription"]; s == nil {
		t.Fatal("carol did not join the default room")
	}
	auto := bob.Get(t, "teams.listRooms", apitest.Q("teamId", id, "type", "autoJoin")).OK(t).JSON(t)
	if got := apitest.IDs(toMaps(auto["rooms"])); !slices.Equal(got, []string{pub}) {
		t.Fatalf("autoJoin rooms: %v", got)
	}

	// Rooms of a user.
	ofCarol := carol.Get(t, "teams.listRoomsOfUser", apitest.Q("teamId", id, "userId", carol.UserID)).OK(t).JSON(t)
	if got := apitest.IDs(toMaps(ofCarol["rooms"])); !slices.Equal(got, []string{pub}) || toMaps(ofCarol["rooms"])[0]["isLastOwner"] != false {
		t.Fatalf("carol's team rooms: %v", ofCarol)
	}
	ofBob := bob.Get(t, "teams.listRoomsOfUser", apitest.Q("teamId", id, "userId", bob.UserID, "canUserDelete", "true")).OK(t).JSON(t)
	if rooms := toMaps(ofBob["rooms"]); len(rooms) != 1 || rooms[0]["_id"] != pub || rooms[0]["isLastOwner"] != true {
		t.Fatalf("bob's deletable team rooms: %v", ofBob)
	}
	carol.Get(t, "teams.listRoomsOfUser", apitest.Q("teamId", id, "userId", bob.UserID)).Fails(t, 403, "", "unauthorized")
	carol.Get(t, "teams.listRoomsOfUser", apitest.Q("teamId", id)).
		Fails(t, 400, "invalid-params", "must have required property 'userId' [invalid-params]")

	// Removing a room.
	carol.Post(t, "teams.removeRoom", map[string]any{"teamId": id, "roomId": pub}).Fails(t, 403, "", "unauthorized")
	bob.Post(t, "teams.removeRoom", map[string]any{"teamId": id, "roomId": main}).FailsPlain(t, "room-not-on-that-team")
	bob.Post(t, "teams.removeRoom", map[string]any{"teamId": id, "roomId": carolsGroup}).FailsPlain(t, "room-not-on-that-team")
	removed := bob.Post(t, "teams.removeRoom", map[string]any{"teamId": id, "roomId": pub}).OK(t).JSON(t)["room"].(map[string]any)
	if removed["teamId"] != nil || removed["teamDefault"] != nil {
		t.Fatalf("removed room: %v", removed)
	}
	if !hasMessage(t, bob, "channels", main, "user-removed-room-from-team", "to-public") {
		t.Fatal("no user-removed-room-from-team message")
	}
}

func TestTeamsPrivateRoomsListing(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "tpbob")
	bob := e.Users[0]
	team := createTeam(t, e.Admin, "tp-team", 1, nil)
	pub := e.Admin.CreateRoom(t, "channels", "tp-public", nil)
	e.Admin.Post(t, "teams.addRooms", map[string]any{"teamId": team["_id"], "rooms": []string{pub}}).OK(t)

	bob.Get(t, "teams.listRooms", apitest.Q("teamId", team["_id"].(string))).FailsPlain(t, "user-not-on-private-team")
	e.SetPermission(t, "view-all-teams", "admin", "user")
	list := bob.Get(t, "teams.listRooms", apitest.Q("teamId", team["_id"].(string))).OK(t).JSON(t)
	if got := apitest.IDs(toMaps(list["rooms"])); !slices.Equal(got, []string{pub}) {
		t.Fatalf("listRooms with view-all-teams: %v", got)
	}
}

func TestTeamsUpdate(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "tdbob")
	bob := e.Users[0]
	team := createTeam(t, e.Admin, "td-team", 0, map[string]any{"members": []string{"tdbob"}})
	id, main := team["_id"].(string), team["roomId"].(string)
	e.Admin.CreateRoom(t, "channels", "td-taken", nil)

	e.Admin.Post(t, "teams.update", map[string]any{"teamId": id, "data": map[string]any{"name": "td-renamed"}}).OK(t)
	info := e.Admin.Get(t, "teams.info", apitest.Q("teamId", id)).OK(t).JSON(t)["teamInfo"].(map[string]any)
	if info["name"] != "td-renamed" {
		t.Fatalf("renamed team: %v", info)
	}
	if sub := bob.Subscription(t, main); sub["name"] != "td-renamed" {
		t.Fatalf("bob's subscription after rename: %v", sub)
	}
	if !hasMessage(t, e.Admin, "channels", main, "r", "td-renamed") {
		t.Fatal("no r message")
	}
	e.Admin.Post(t, "teams.update", map[string]any{"teamName": "td-renamed", "data": map[string]any{"type": 1}}).OK(t)
	info = e.Admin.Get(t, "teams.info", apitest.Q("teamId", id)).OK(t).JSON(t)["teamInfo"].(map[string]any)
	if apitest.Num(info["type"]) != 1 {
		t.Fatalf("retyped team: %v", info)
	}
	if g := bob.Get(t, "groups.info", apitest.Q("roomId", main)).OK(t).JSON(t)["group"].(map[string]any); g["t"] != "p" {
		t.Fatalf("main room after type change: %v", g)
	}
	if !hasMessage(t, e.Admin, "groups", main, "room_changed_privacy", "Private Group") {
		t.Fatal("no room_changed_privacy message")
	}
	for _, tc := range []struct {
		name          string
		body          map[string]any
		errType, text string
	}{
		{"taken name", map[string]any{"teamId": id, "data": map[string]any{"name": "td-taken"}}, "error-duplicate-channel-name", "A channel with name 'td-taken' exists [error-duplicate-channel-name]"},
		{"invalid name", map[string]any{"teamId": id, "data": map[string]any{"name": "bad*name"}}, "error-invalid-room-name", "bad*name is not a valid room name [error-invalid-room-name]"},
		{"unknown type", map[string]any{"teamId": id, "data": map[string]any{"type": 5}}, "invalid-params", "must be equal to one of the allowed values [invalid-params]"},
		{"no data", map[string]any{"teamId": id}, "invalid-params", "must have required property 'data' [invalid-params]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.Admin.Post(t, "teams.update", tc.body).Fails(t, 400, tc.errType, tc.text)
		})
	}
	e.Admin.Post(t, "teams.update", map[string]any{"teamId": "nope", "data": map[string]any{"name": "x"}}).FailsPlain(t, "team-does-not-exist")
	bob.Post(t, "teams.update", map[string]any{"teamId": id, "data": map[string]any{"name": "td-bobs"}}).Fails(t, 403, "", "unauthorized")
}

func TestTeamsDeleteAndConvert(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "tebob")
	bob := e.Users[0]

	// Deleting a team erases the rooms asked for and frees the others.
	team := createTeam(t, e.Admin, "te-team", 0, map[string]any{"members": []string{"tebob"}})
	keep := e.Admin.CreateRoom(t, "channels", "te-keep", nil)
	drop := e.Admin.CreateRoom(t, "channels", "te-drop", nil)
	e.Admin.Post(t, "teams.addRooms", map[string]any{"teamId": team["_id"], "rooms": []string{keep, drop}}).OK(t)
	bob.Post(t, "teams.delete", map[string]any{"teamName": "te-team"}).Fails(t, 403, "", "unauthorized")
	e.Admin.Post(t, "teams.delete", map[string]any{}).Fails(t, 400, "invalid-params", "must have required property 'teamId' [invalid-params]")
	e.Admin.Post(t, "teams.delete", map[string]any{"teamName": "te-team", "roomsToRemove": []string{drop}}).OK(t)
	e.Admin.Get(t, "teams.info", apitest.Q("teamName", "te-team")).FailsPlain(t, "Team not found")
	e.Admin.Get(t, "channels.info", apitest.Q("roomId", team["roomId"].(string))).Fails(t, 400, "error-room-not-found", "")
	e.Admin.Get(t, "channels.info", apitest.Q("roomId", drop)).Fails(t, 400, "error-room-not-found", "")
	if r := e.Admin.RoomInfo(t, keep); r["teamId"] != nil {
		t.Fatalf("kept room still on the team: %v", r)
	}
	e.Admin.Post(t, "teams.delete", map[string]any{"teamName": "te-team"}).FailsPlain(t, "team-does-not-exist")

	// Deleting the main room as a room dissolves the team as well.
	other := createTeam(t, e.Admin, "te-other", 0, nil)
	orphan := e.Admin.CreateRoom(t, "channels", "te-orphan", nil)
	e.Admin.Post(t, "teams.addRooms", map[string]any{"teamId": other["_id"], "rooms": []string{orphan}}).OK(t)
	e.Admin.Post(t, "channels.delete", map[string]any{"roomId": other["roomId"]}).OK(t)
	e.Admin.Get(t, "teams.info", apitest.Q("teamId", other["_id"].(string))).FailsPlain(t, "Team not found")
	if r := e.Admin.RoomInfo(t, orphan); r["teamId"] != nil {
		t.Fatalf("room of a deleted main room still on the team: %v", r)
	}

	// A channel becomes a team, and back.
	rid := bob.CreateRoom(t, "channels", "te-conv", nil)
	e.Admin.Post(t, "channels.convertToTeam", map[string]any{}).
		Fails(t, 400, "invalid-params", "must have required property 'channelId' [invalid-params]")
	bob.Post(t, "channels.convertToTeam", map[string]any{"channelId": rid, "channelName": "te-conv"}).
		Fails(t, 400, "invalid-params", "must NOT have additional properties\n must NOT have additional properties\n must match exactly one schema in oneOf [invalid-params]")
	conv := bob.Post(t, "channels.convertToTeam", map[string]any{"channelId": rid}).OK(t).JSON(t)["team"].(map[string]any)
	if conv["roomId"] != rid || conv["name"] != "te-conv" || apitest.Num(conv["type"]) != 0 {
		t.Fatalf("converted team: %v", conv)
	}
	if !hasMessage(t, bob, "channels", rid, "user-converted-to-team", "te-conv") {
		t.Fatal("no user-converted-to-team message")
	}
	bob.Post(t, "channels.convertToTeam", map[string]any{"channelName": "te-conv"}).FailsPlain(t, "team-name-already-exists")
	if got := e.Admin.Get(t, "teams.autocomplete", apitest.Q("name", "te-c")).OK(t).JSON(t)["teams"].([]any); len(got) != 1 ||
		got[0].(map[string]any)["teamId"] != conv["_id"] {
		t.Fatalf("autocomplete: %v", got)
	}
	inner := bob.CreateRoom(t, "channels", "te-inner", nil)
	bob.Post(t, "teams.addRooms", map[string]any{"teamId": conv["_id"], "rooms": []string{inner}}).OK(t)
	// Only rooms the caller could delete are erased with the team.
	admins := e.Admin.CreateRoom(t, "channels", "te-admins", nil)
	e.Admin.Post(t, "teams.addRooms", map[string]any{"teamId": conv["_id"], "rooms": []string{admins}}).OK(t)
	bob.Post(t, "teams.convertToChannel", map[string]any{"teamId": conv["_id"], "roomsToRemove": []string{admins}}).Fails(t, 403, "", "unauthorized")
	bob.Post(t, "teams.convertToChannel", map[string]any{"teamId": conv["_id"], "roomsToRemove": []string{inner}}).OK(t)
	if r := e.Admin.RoomInfo(t, admins); r["teamId"] != nil {
		t.Fatalf("room left on a dissolved team: %v", r)
	}
	ch := bob.RoomInfo(t, rid)
	if ch["teamId"] != nil || ch["teamMain"] != nil {
		t.Fatalf("room after convertToChannel: %v", ch)
	}
	bob.Get(t, "channels.info", apitest.Q("roomId", inner)).Fails(t, 400, "error-room-not-found", "")
	if !hasMessage(t, bob, "channels", rid, "user-converted-to-channel", "te-conv") {
		t.Fatal("no user-converted-to-channel message")
	}

	// A private group likewise; others than its owners may not convert it.
	gid := e.Admin.CreateRoom(t, "groups", "te-group", nil, "tebob")
	bob.Post(t, "groups.convertToTeam", map[string]any{"roomId": gid}).Fails(t, 403, "", "unauthorized")
	e.SetPermission(t, "create-team", "admin")
	bob.Post(t, "channels.convertToTeam", map[string]any{"channelId": bob.CreateRoom(t, "channels", "te-nocreate", nil)}).
		Fails(t, 403, "", "User does not have the permissions required for this action [error-unauthorized]")
	g := e.Admin.Post(t, "groups.convertToTeam", map[string]any{"roomName": "te-group"}).OK(t).JSON(t)["team"].(map[string]any)
	if apitest.Num(g["type"]) != 1 {
		t.Fatalf("converted group: %v", g)
	}
	if _, got := teamMembers(t, bob, "teamId", g["_id"].(string)); len(got) != 2 {
		t.Fatalf("converted group's members: %v", got)
	}
	// Autocomplete hides private teams from outsiders.
	eve := e.NewUser(t, "teeve")
	if got := eve.Get(t, "teams.autocomplete", apitest.Q("name", "te-g")).OK(t).JSON(t)["teams"].([]any); len(got) != 0 {
		t.Fatalf("outsider autocomplete: %v", got)
	}
	eve.Get(t, "teams.autocomplete").Fails(t, 400, "invalid-params", "must have required property 'name' [invalid-params]")
	bob.Post(t, "teams.convertToChannel", map[string]any{"teamId": g["_id"]}).Fails(t, 403, "", "unauthorized")
}

// toMaps turns a decoded JSON array of objects into maps.
func toMaps(v any) []map[string]any {
	var out []map[string]any
	for _, x := range v.([]any) {
		out = append(out, x.(map[string]any))
	}
	return out
}

func TestTeamsEventsAndListings(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "tvbob")
	bob := e.Users[0]
	team := createTeam(t, e.Admin, "tv-team", 0, nil)
	main := team["roomId"].(string)
	inner := e.Admin.CreateRoom(t, "channels", "tv-inner", nil)
	plain := e.Admin.CreateRoom(t, "channels", "tv-plain", nil)

	// Moving a room into the team announces the room's change and the
	// message in the main room.
	rec := e.App.Bus().Subscribe(64)
	e.Admin.Post(t, "teams.addRooms", map[string]any{"teamId": team["_id"], "rooms": []string{inner}}).OK(t)
	got := drainEvents(rec)
	rec.Close()
	var roomChanged, saved bool
	for _, ev := range got {
		roomChanged = roomChanged || (ev.Kind == events.RoomChanged && ev.RoomID == inner)
		saved = saved || (ev.Kind == events.MessageSaved && ev.RoomID == main)
	}
	if !roomChanged || !saved {
		t.Fatalf("teams.addRooms events: %v", got)
	}
	// A refused change announces nothing.
	rec = e.App.Bus().Subscribe(64)
	bob.Post(t, "teams.removeRoom", map[string]any{"teamId": team["_id"], "roomId": inner}).Fails(t, 403, "", "unauthorized")
	if got := drainEvents(rec); len(got) != 0 {
		t.Fatalf("a refused change emitted %v", got)
	}
	rec.Close()

	// channels.list shows a team's rooms only to those in them.
	listed := func(c *apitest.Client) []string {
		return apitest.IDs(toMaps(c.Get(t, "channels.list", apitest.Q("name", "tv-")).OK(t).JSON(t)["channels"]))
	}
	if got := listed(bob); !slices.Equal(got, []string{plain}) {
		t.Fatalf("outsider's channels.list: %v", got)
	}
	if got := listed(e.Admin); len(got) != 3 {
		t.Fatalf("member's channels.list: %v", got)
	}
	e.Admin.Post(t, "teams.addMembers", map[string]any{"teamId": team["_id"], "members": []map[string]any{{"userId": bob.UserID}}}).OK(t)
	if got := listed(bob); len(got) != 2 || !slices.Contains(got, main) {
		t.Fatalf("new member's channels.list: %v", got)
	}
	// rooms.get carries the team fields.
	for _, r := range toMaps(bob.Get(t, "rooms.get").OK(t).JSON(t)["update"]) {
		if r["_id"] == main && (r["teamMain"] != true || r["teamId"] != team["_id"]) {
			t.Fatalf("rooms.get main room: %v", r)
		}
	}
}

// teams.addRooms needs move-room-to-team, whose older name
// add-team-channel changes it too: taking either away revokes it, giving
// either grants it.
func TestTeamsAddRoomsEitherPermissionRevokes(t *testing.T) {
	t.Parallel()
	for _, perm := range []string{"move-room-to-team", "add-team-channel"} {
		t.Run(perm, func(t *testing.T) {
			t.Parallel()
			e := apitest.NewScene(t, "rvbob")
			bob := e.Users[0]
			team := createTeam(t, bob, "rv-team", 0, nil)
			rid := bob.CreateRoom(t, "channels", "rv-room", nil)
			e.SetPermission(t, perm, "admin")
			bob.Post(t, "teams.addRooms", map[string]any{"teamId": team["_id"], "rooms": []string{rid}}).Fails(t, 403, "", "error-no-permission-team-channel")
			e.SetPermission(t, perm, "admin", "owner")
			bob.Post(t, "teams.addRooms", map[string]any{"teamId": team["_id"], "rooms": []string{rid}}).OK(t)
		})
		t.Run(perm+" grants", func(t *testing.T) {
			t.Parallel()
			e := apitest.NewScene(t, "rvbob", "rvcarol")
			bob, carol := e.Users[0], e.Users[1]
			team := createTeam(t, bob, "rv-team", 0, map[string]any{"members": []string{"rvcarol"}})
			rid := carol.CreateRoom(t, "channels", "rv-room", nil)
			carol.Post(t, "teams.addRooms", map[string]any{"teamId": team["_id"], "rooms": []string{rid}}).Fails(t, 403, "", "error-no-permission-team-channel")
			e.SetPermission(t, perm, "admin", "user")
			carol.Post(t, "teams.addRooms", map[string]any{"teamId": team["_id"], "rooms": []string{rid}}).OK(t)
			// Taking the role away through one name takes it from both.
			e.Admin.Post(t, "permissions.removeRole", map[string]any{"permissionId": perm, "role": "user"}).OK(t)
			for _, p := range toMaps(e.Admin.Get(t, "permissions.listAll").OK(t).JSON(t)["update"]) {
				if (p["_id"] == "add-team-channel" || p["_id"] == "move-room-to-team") && slices.Contains(apitest.Strings(p["roles"]), "user") {
					t.Fatalf("%s still granted: %v", p["_id"], p)
				}
			}
		})
	}
}
