package api_test

import (
	"bytes"
	"image"
	"image/png"
	"slices"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

// roomFamilies are the two families that share the read endpoints.
var roomFamilies = []struct{ prefix, word string }{{"channels", "channel"}, {"groups", "group"}}

func TestRoomRolesAndModerators(t *testing.T) {
	t.Parallel()
	for _, tc := range roomFamilies {
		t.Run(tc.prefix, func(t *testing.T) {
			t.Parallel()
			e := apitest.NewScene(t, "owner", "mod", "plain", "outsider")
			owner, mod, outsider := e.Users[0], e.Users[1], e.Users[3]
			rid := owner.CreateRoom(t, tc.prefix, "", nil, "mod", "plain")
			owner.Post(t, tc.prefix+".addModerator", map[string]any{"roomId": rid, "userId": mod.UserID}).OK(t)

			var roles struct {
				Roles []struct {
					RID string `json:"rid"`
					U   struct {
						ID       string `json:"_id"`
						Username string `json:"username"`
					} `json:"u"`
					Roles []string `json:"roles"`
				} `json:"roles"`
			}
			mod.Get(t, tc.prefix+".roles", apitest.Q("roomId", rid)).OK(t).Decode(t, &roles)
			got := map[string][]string{}
			for _, r := range roles.Roles {
				if r.RID != rid {
					t.Fatalf("role entry of another room: %+v", r)
				}
				got[r.U.Username] = r.Roles
			}
			if len(got) != 2 || !slices.Equal(got["owner"], []string{"owner"}) || !slices.Equal(got["mod"], []string{"moderator"}) {
				t.Fatalf("%s.roles = %v", tc.prefix, got)
			}

			var mods struct {
				Moderators []map[string]any `json:"moderators"`
			}
			owner.Get(t, tc.prefix+".moderators", apitest.Q("roomId", rid)).OK(t).Decode(t, &mods)
			if len(mods.Moderators) != 1 || mods.Moderators[0]["_id"] != mod.UserID || mods.Moderators[0]["username"] != "mod" {
				t.Fatalf("%s.moderators = %v", tc.prefix, mods.Moderators)
			}

			owner.Get(t, tc.prefix+".roles").Fails(t, 400, "error-roomid-param-not-provided", "")
			owner.Get(t, tc.prefix+".roles", apitest.Q("roomId", "nope")).Fails(t, 400, "error-room-not-found", "")
			owner.Get(t, tc.prefix+".moderators", apitest.Q("roomId", rid, "bogus", "1")).Fails(t, 400, "invalid-params", "")
			if tc.prefix == "groups" {
				// A private group does not exist for a non-member.
				outsider.Get(t, "groups.roles", apitest.Q("roomId", rid)).Fails(t, 400, "error-room-not-found", "")
				outsider.Get(t, "groups.moderators", apitest.Q("roomId", rid)).Fails(t, 400, "error-room-not-found", "")
			} else {
				outsider.Get(t, "channels.roles", apitest.Q("roomName", e.Users[0].Username)).Fails(t, 400, "error-room-not-found", "")
			}

			// rooms.roles answers the same for any room type.
			var byRID struct {
				Roles []map[string]any `json:"roles"`
			}
			owner.Get(t, "rooms.roles", apitest.Q("rid", rid)).OK(t).Decode(t, &byRID)
			if len(byRID.Roles) != 2 {
				t.Fatalf("rooms.roles = %v", byRID.Roles)
			}
			owner.Get(t, "rooms.roles").Fails(t, 400, "invalid-params", "must have required property 'rid' [invalid-params]")

			// An archived room answers Rocket.Chat's archived refusal.
			owner.Post(t, tc.prefix+".archive", map[string]any{"roomId": rid}).OK(t)
			owner.Get(t, tc.prefix+".roles", apitest.Q("roomId", rid)).Fails(t, 400, "error-room-archived", "")
			owner.Get(t, tc.prefix+".moderators", apitest.Q("roomId", rid)).Fails(t, 400, "error-room-archived", "")
		})
	}
}

func TestRoomOnline(t *testing.T) {
	t.Parallel()
	for _, tc := range roomFamilies {
		t.Run(tc.prefix, func(t *testing.T) {
			t.Parallel()
			e := apitest.NewScene(t, "owner", "present", "absent", "stranger")
			owner, present, stranger := e.Users[0], e.Users[1], e.Users[3]
			rid := owner.CreateRoom(t, tc.prefix, "", nil, "present", "absent")
			for _, c := range []*apitest.Client{owner, present, stranger} {
				c.Post(t, "users.setStatus", map[string]any{"status": "online"}).OK(t)
			}

			var out struct {
				Online []map[string]any `json:"online"`
			}
			owner.Get(t, tc.prefix+".online", apitest.Q("_id", rid)).OK(t).Decode(t, &out)
			var names []string
			for _, u := range out.Online {
				names = append(names, u["username"].(string))
			}
			// Only members count, and only those not offline.
			if !slices.Equal(names, []string{"owner", "present"}) {
				t.Fatalf("%s.online = %v", tc.prefix, out.Online)
			}
			// Older clients name the room inside a query object.
			owner.Get(t, tc.prefix+".online", apitest.Q("query", `{"_id":"`+rid+`"}`)).OK(t)

			owner.Get(t, tc.prefix+".online").Fails(t, 400, "", "Invalid query")
			missing := "Channel does not exists"
			if tc.prefix == "groups" {
				missing = "Group does not exists"
			}
			owner.Get(t, tc.prefix+".online", apitest.Q("_id", "nope")).Fails(t, 400, "", missing)
			if tc.prefix == "groups" {
				stranger.Get(t, "groups.online", apitest.Q("_id", rid)).Fails(t, 400, "error-not-allowed", "")
			}
		})
	}
}

func TestRoomCounters(t *testing.T) {
	t.Parallel()
	for _, tc := range roomFamilies {
		t.Run(tc.prefix, func(t *testing.T) {
			t.Parallel()
			e := apitest.NewScene(t, "owner", "reader", "outsider")
			owner, reader, outsider := e.Users[0], e.Users[1], e.Users[2]
			rid := owner.CreateRoom(t, tc.prefix, "", nil, "reader")
			reader.Post(t, "subscriptions.read", map[string]any{"rid": rid}).OK(t)
			owner.PostText(t, rid, "one")
			owner.PostText(t, rid, "two")

			c := reader.Get(t, tc.prefix+".counters", apitest.Q("roomId", rid)).OK(t).JSON(t)
			if c["joined"] != true || apitest.Num(c["unreads"]) != 2 || apitest.Num(c["members"]) != 2 ||
				apitest.Num(c["msgs"]) < 2 || c["latest"] == nil || c["unreadsFrom"] == nil || c["userMentions"] != 0.0 {
				t.Fatalf("%s.counters = %v", tc.prefix, c)
			}

			// Someone else's counters take view-room-administration.
			reader.Get(t, tc.prefix+".counters", apitest.Q("roomId", rid, "userId", owner.UserID)).Fails(t, 403, "", "unauthorized")
			a := e.Admin.Get(t, tc.prefix+".counters", apitest.Q("roomId", rid, "userId", reader.UserID)).OK(t).JSON(t)
			if a["joined"] != true || apitest.Num(a["unreads"]) != 2 {
				t.Fatalf("admin's view of reader's counters = %v", a)
			}
			// The admin, not a member, still sees the room's totals.
			self := e.Admin.Get(t, tc.prefix+".counters", apitest.Q("roomId", rid)).OK(t).JSON(t)
			if self["joined"] != false || self["unreads"] != nil || apitest.Num(self["members"]) != 2 {
				t.Fatalf("admin's own counters = %v", self)
			}
			if tc.prefix == "channels" {
				// A non-member learns nothing but that they have not joined.
				o := outsider.Get(t, "channels.counters", apitest.Q("roomId", rid)).OK(t).JSON(t)
				if o["joined"] != false || o["members"] != nil || o["msgs"] != nil {
					t.Fatalf("outsider's counters = %v", o)
				}
			}
			owner.Get(t, tc.prefix+".counters").Fails(t, 400, "error-room-param-not-provided", "")
			owner.Get(t, tc.prefix+".counters", apitest.Q("roomId", "nope")).Fails(t, 400, "error-room-not-found", "")
		})
	}
}

func TestRoomFilesAndImages(t *testing.T) {
	t.Parallel()
	for _, tc := range roomFamilies {
		t.Run(tc.prefix, func(t *testing.T) {
			t.Parallel()
			e := apitest.NewScene(t, "owner", "outsider")
			owner, outsider := e.Users[0], e.Users[1]
			rid := owner.CreateRoom(t, tc.prefix, "", nil)
			uploadFile(t, owner, rid, "notes.txt", "text/plain", []byte("hello"))
			img := uploadFile(t, owner, rid, "pic.png", "image/png", tinyPNG(t))

			var files struct {
				Files []map[string]any `json:"files"`
				Total int              `json:"total"`
			}
			owner.Get(t, tc.prefix+".files", apitest.Q("roomId", rid)).OK(t).Decode(t, &files)
			if files.Total != 2 || len(files.Files) != 2 || files.Files[0]["name"] != "notes.txt" {
				t.Fatalf("%s.files = %v", tc.prefix, files.Files)
			}
			if u, _ := files.Files[0]["user"].(map[string]any); u["username"] != "owner" {
				t.Fatalf("file without its uploader: %v", files.Files[0])
			}
			owner.Get(t, tc.prefix+".files", apitest.Q("roomId", rid, "typeGroup", "image")).OK(t).Decode(t, &files)
			if files.Total != 1 || files.Files[0]["_id"] != img {
				t.Fatalf("%s.files by typeGroup = %v", tc.prefix, files.Files)
			}
			owner.Get(t, tc.prefix+".files", apitest.Q("roomId", rid, "name", "NOTES")).OK(t).Decode(t, &files)
			if files.Total != 1 || files.Files[0]["name"] != "notes.txt" {
				t.Fatalf("%s.files by name = %v", tc.prefix, files.Files)
			}
			if tc.prefix == "groups" {
				outsider.Get(t, "groups.files", apitest.Q("roomId", rid)).Fails(t, 400, "error-room-not-found", "")
			}

			var images struct {
				Files []map[string]any `json:"files"`
				Total int              `json:"total"`
			}
			owner.Get(t, "rooms.images", apitest.Q("roomId", rid)).OK(t).Decode(t, &images)
			if images.Total != 1 || len(images.Files) != 1 || images.Files[0]["_id"] != img {
				t.Fatalf("rooms.images = %v", images.Files)
			}
			owner.Get(t, "rooms.images", apitest.Q("roomId", rid, "startingFromId", img)).OK(t).Decode(t, &images)
			if len(images.Files) != 1 || images.Files[0]["_id"] != img {
				t.Fatalf("rooms.images from %s = %v", img, images.Files)
			}
			owner.Get(t, "rooms.images").Fails(t, 400, "invalid-params", "must have required property 'roomId' [invalid-params]")
			if tc.prefix == "groups" {
				outsider.Get(t, "rooms.images", apitest.Q("roomId", rid)).Fails(t, 403, "", "unauthorized")
			}
		})
	}
}

func TestRoomsIsMember(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "owner", "member", "outsider")
	owner, member, outsider := e.Users[0], e.Users[1], e.Users[2]
	group := owner.CreateRoom(t, "groups", "", nil, "member")
	channel := owner.CreateRoom(t, "channels", "", nil)

	for _, tc := range []struct {
		name   string
		q      []string
		member bool
	}{
		{"by id", []string{"roomId", group, "userId", member.UserID}, true},
		{"by username", []string{"roomId", group, "username", "member"}, true},
		{"not a member", []string{"roomId", group, "username", "outsider"}, false},
		{"public channel", []string{"roomId", channel, "username", "member"}, false},
	} {
		got := owner.Get(t, "rooms.isMember", apitest.Q(tc.q...)).OK(t).JSON(t)["isMember"]
		if got != tc.member {
			t.Fatalf("%s: isMember = %v, want %v", tc.name, got, tc.member)
		}
	}
	owner.Get(t, "rooms.isMember", apitest.Q("roomId", group, "username", "ghost")).Fails(t, 400, "", "error-user-not-found")
	owner.Get(t, "rooms.isMember", apitest.Q("roomId", group)).Fails(t, 400, "invalid-params",
		"must have required property 'userId'\n must have required property 'username'\n must match exactly one schema in oneOf [invalid-params]")
	owner.Get(t, "rooms.isMember", apitest.Q("userId", member.UserID)).Fails(t, 400, "invalid-params", "")
	// Who is in a private group is not told to outsiders.
	outsider.Get(t, "rooms.isMember", apitest.Q("roomId", group, "userId", member.UserID)).Fails(t, 403, "", "unauthorized")
}

func TestChannelsAnonymousRead(t *testing.T) {
	t.Parallel()
	e, owner, rid := apitest.NewUserRoom(t, "owner", "channels", "")
	owner.PostText(t, rid, "hello world")
	anon := e.Anon()

	anon.Get(t, "channels.anonymousread", apitest.Q("roomId", rid)).
		Fails(t, 400, "error-not-allowed", `Enable "Allow Anonymous Read" [error-not-allowed]`)
	e.SetSetting(t, "Accounts_AllowAnonymousRead", true)
	var page struct {
		Messages []map[string]any `json:"messages"`
		Total    int              `json:"total"`
	}
	anon.Get(t, "channels.anonymousread", apitest.Q("roomId", rid)).OK(t).Decode(t, &page)
	if page.Total < 1 || page.Messages[0]["msg"] != "hello world" {
		t.Fatalf("anonymousread = %+v", page)
	}
	// A private group is never read anonymously.
	group := owner.CreateRoom(t, "groups", "", nil)
	anon.Get(t, "channels.anonymousread", apitest.Q("roomId", group)).Fails(t, 400, "error-room-not-found", "")
	anon.Get(t, "channels.anonymousread").Fails(t, 400, "error-roomid-param-not-provided", "")
}

func TestChannelMembersFiltersAndSort(t *testing.T) {
	t.Parallel()
	for _, tc := range roomFamilies {
		t.Run(tc.prefix, func(t *testing.T) {
			t.Parallel()
			e := apitest.NewScene(t, "owner", "alice", "bob", "carol")
			owner := e.Users[0]
			rid := owner.CreateRoom(t, tc.prefix, "", nil, "alice", "bob", "carol")
			e.Users[1].Post(t, "users.setStatus", map[string]any{"status": "online"}).OK(t)
			e.Users[2].Post(t, "users.setStatus", map[string]any{"status": "away"}).OK(t)

			names := func(q ...string) []string {
				var out struct {
					Members []map[string]any `json:"members"`
					Total   int              `json:"total"`
				}
				owner.Get(t, tc.prefix+".members", apitest.Q(append([]string{"roomId", rid}, q...)...)).OK(t).Decode(t, &out)
				var got []string
				for _, m := range out.Members {
					got = append(got, m["username"].(string))
				}
				return got
			}
			for _, c := range []struct {
				q    []string
				want []string
			}{
				{nil, []string{"alice", "bob", "carol", "owner"}},
				{[]string{"sort", `{"username":-1}`}, []string{"owner", "carol", "bob", "alice"}},
				{[]string{"filter", "AL"}, []string{"alice"}},
				{[]string{"status", "online", "status", "away"}, []string{"alice", "bob"}},
				{[]string{"count", "2", "offset", "1"}, []string{"bob", "carol"}},
			} {
				if got := names(c.q...); !slices.Equal(got, c.want) {
					t.Fatalf("members %v = %v, want %v", c.q, got, c.want)
				}
			}
			// A broadcast room's members are for those who may see them.
			b := owner.CreateRoom(t, tc.prefix, "", map[string]any{"extraData": map[string]any{"broadcast": true}}, "alice")
			owner.Get(t, tc.prefix+".members", apitest.Q("roomId", b)).OK(t)
			e.Users[1].Get(t, tc.prefix+".members", apitest.Q("roomId", b)).Fails(t, 403, "", "unauthorized")
		})
	}
}

func TestRoomsMembersOrderedByRole(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "zed", "amy", "mod", "outsider")
	zed, mod, outsider := e.Users[0], e.Users[2], e.Users[3]
	rid := zed.CreateRoom(t, "groups", "", nil, "amy", "mod")
	zed.Post(t, "groups.addModerator", map[string]any{"roomId": rid, "userId": mod.UserID}).OK(t)

	var out struct {
		Members []map[string]any `json:"members"`
		Total   int              `json:"total"`
	}
	zed.Get(t, "rooms.membersOrderedByRole", apitest.Q("roomId", rid)).OK(t).Decode(t, &out)
	var got []string
	for _, m := range out.Members {
		got = append(got, m["username"].(string))
	}
	// Owners first, then moderators, then everyone else by username.
	if !slices.Equal(got, []string{"zed", "mod", "amy"}) || out.Total != 3 {
		t.Fatalf("membersOrderedByRole = %v (total %d)", got, out.Total)
	}
	if roles := apitest.Strings(out.Members[0]["roles"]); !slices.Equal(roles, []string{"owner"}) {
		t.Fatalf("owner's roles = %v", out.Members[0]["roles"])
	}
	zed.Get(t, "rooms.membersOrderedByRole", apitest.Q("roomId", rid, "filter", "am")).OK(t).Decode(t, &out)
	if out.Total != 1 || out.Members[0]["username"] != "amy" {
		t.Fatalf("filtered = %v", out.Members)
	}
	outsider.Get(t, "rooms.membersOrderedByRole", apitest.Q("roomId", rid)).
		Fails(t, 404, "", `The required "roomId" or "roomName" param provided does not match any room`)
	zed.Get(t, "rooms.membersOrderedByRole").Fails(t, 400, "error-roomid-param-not-provided", "")
	dm := zed.CreateDM(t, "dm", map[string]any{"username": "amy"})["_id"].(string)
	zed.Get(t, "rooms.membersOrderedByRole", apitest.Q("roomId", dm)).Fails(t, 400, "", "error-room-type-not-supported")
}

func TestRoomsAdminRooms(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "owner")
	owner := e.Users[0]
	group := owner.CreateRoom(t, "groups", "alpha-group", map[string]any{"customFields": map[string]any{"team": "core"}})
	owner.CreateRoom(t, "channels", "alpha-channel", nil)
	owner.Post(t, "rooms.createDiscussion", map[string]any{"prid": group, "t_name": "alpha-talk"}).OK(t)

	names := func(q ...string) []string {
		var out struct {
			Rooms []map[string]any `json:"rooms"`
			Total int              `json:"total"`
			Count int              `json:"count"`
		}
		e.Admin.Get(t, "rooms.adminRooms", apitest.Q(q...)).OK(t).Decode(t, &out)
		var got []string
		for _, r := range out.Rooms {
			// A discussion's name is an id; people know it by its fname.
			n, _ := r["fname"].(string)
			if n == "" {
				n, _ = r["name"].(string)
			}
			got = append(got, n)
		}
		if out.Count != len(out.Rooms) {
			t.Fatalf("count %d for %d rooms", out.Count, len(out.Rooms))
		}
		return got
	}
	// A discussion sorts by its name, a random id, so a list holding one
	// is compared in any order.
	for _, c := range []struct {
		q    []string
		want []string
	}{
		{[]string{"filter", "alpha"}, []string{"alpha-channel", "alpha-group"}},
		{[]string{"filter", "alpha", "types", "c", "types", "p", "types", "discussions"}, []string{"alpha-channel", "alpha-group", "alpha-talk"}},
		{[]string{"filter", "ALPHA", "types", "p"}, []string{"alpha-group"}},
		{[]string{"filter", "alpha", "types", "c"}, []string{"alpha-channel"}},
		{[]string{"filter", "alpha", "types", "discussions"}, []string{"alpha-talk"}},
		{[]string{"filter", "alpha", "types", "c", "types", "p", "sort", `{"name":-1}`}, []string{"alpha-group", "alpha-channel"}},
		{[]string{"filter", "nothing-like-it"}, nil},
	} {
		got := names(c.q...)
		if slices.Contains(c.want, "alpha-talk") {
			slices.Sort(got)
		}
		if !slices.Equal(got, c.want) {
			t.Fatalf("adminRooms %v = %v, want %v", c.q, got, c.want)
		}
	}
	owner.Get(t, "rooms.adminRooms").Fails(t, 400, "", "error-not-authorized")

	// getRoom shows any room, private ones included, to administrators.
	r := e.Admin.Get(t, "rooms.adminRooms.getRoom", apitest.Q("rid", group)).OK(t).JSON(t)
	if r["_id"] != group || r["t"] != "p" || r["customFields"].(map[string]any)["team"] != "core" {
		t.Fatalf("getRoom = %v", r)
	}
	e.Admin.Get(t, "rooms.adminRooms.getRoom", apitest.Q("rid", "nope")).Fails(t, 400, "not-allowed", "Not Allowed [not-allowed]")
	owner.Get(t, "rooms.adminRooms.getRoom", apitest.Q("rid", group)).Fails(t, 400, "", "error-not-authorized")
	// The permission is what counts, not the admin role.
	e.SetPermission(t, "view-room-administration", "admin", "user")
	owner.Get(t, "rooms.adminRooms.getRoom", apitest.Q("rid", group)).OK(t)
}

func TestRoomsAutocomplete(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "owner", "member")
	owner, member := e.Users[0], e.Users[1]
	group := owner.CreateRoom(t, "groups", "proj-secret", nil)
	owner.CreateRoom(t, "channels", "proj-open", nil, "member")
	owner.CreateRoom(t, "channels", "other", nil)
	owner.Post(t, "rooms.createDiscussion", map[string]any{"prid": group, "t_name": "proj-talk"}).OK(t)

	items := func(c *apitest.Client, path string, q ...string) []string {
		var out struct {
			Items []map[string]any `json:"items"`
		}
		c.Get(t, path, apitest.Q(q...)).OK(t).Decode(t, &out)
		var got []string
		for _, it := range out.Items {
			n, _ := it["fname"].(string)
			if n == "" {
				n, _ = it["name"].(string)
			}
			got = append(got, n)
		}
		return got
	}
	// Only the caller's own rooms, never discussions.
	if got := items(owner, "rooms.autocomplete.channelAndPrivate", "selector", `{"name":"proj"}`); !slices.Equal(got, []string{"proj-open", "proj-secret"}) {
		t.Fatalf("channelAndPrivate = %v", got)
	}
	if got := items(member, "rooms.autocomplete.channelAndPrivate", "selector", `{}`); slices.Contains(got, "proj-secret") || !slices.Contains(got, "proj-open") {
		t.Fatalf("member's channelAndPrivate = %v", got)
	}
	paged := owner.Get(t, "rooms.autocomplete.channelAndPrivate.withPagination", apitest.Q("selector", `{"name":"proj"}`, "count", "1")).OK(t).JSON(t)
	if len(paged["items"].([]any)) != 1 || apitest.Num(paged["total"]) != 2 {
		t.Fatalf("withPagination = %v", paged)
	}
	for _, path := range []string{"rooms.autocomplete.channelAndPrivate", "rooms.autocomplete.channelAndPrivate.withPagination", "rooms.autocomplete.adminRooms"} {
		owner.Get(t, path).FailsPlain(t, "The 'selector' param is required")
		owner.Get(t, path, apitest.Q("selector", "")).FailsPlain(t, "The 'selector' param is required")
	}

	// The administrators' autocomplete sees every room, discussions too.
	got := items(e.Admin, "rooms.autocomplete.adminRooms", "selector", `{"name":"proj"}`)
	slices.Sort(got)
	if !slices.Equal(got, []string{"proj-open", "proj-secret", "proj-talk"}) {
		t.Fatalf("adminRooms autocomplete = %v", got)
	}
	owner.Get(t, "rooms.autocomplete.adminRooms", apitest.Q("selector", "{}")).Fails(t, 400, "", "error-not-authorized")

	// Rooms available for a team are those the caller owns.
	if got := items(owner, "rooms.autocomplete.availableForTeams", "name", "proj"); !slices.Equal(got, []string{"proj-open", "proj-secret"}) {
		t.Fatalf("availableForTeams = %v", got)
	}
	if got := items(member, "rooms.autocomplete.availableForTeams"); len(got) != 0 {
		t.Fatalf("member's availableForTeams = %v", got)
	}
	// A team, and a room already in one, are not available.
	team := owner.Post(t, "teams.create", map[string]any{"name": "proj-team", "type": 0}).OK(t).JSON(t)["team"].(map[string]any)
	var open map[string]any
	owner.Get(t, "channels.info", apitest.Q("roomName", "proj-open")).OK(t).Decode(t, &struct {
		Channel *map[string]any `json:"channel"`
	}{&open})
	owner.Post(t, "teams.addRooms", map[string]any{"teamId": team["_id"], "rooms": []any{open["_id"]}}).OK(t)
	if got := items(owner, "rooms.autocomplete.availableForTeams", "name", "proj"); !slices.Equal(got, []string{"proj-secret"}) {
		t.Fatalf("availableForTeams with a team = %v", got)
	}
}

// uploadFile uploads and confirms a file in rid and returns its id.
func uploadFile(t *testing.T, c *apitest.Client, rid, name, typ string, content []byte) string {
	t.Helper()
	m := uploadMedia(t, c, rid, name, typ, content, map[string]any{})
	return m["file"].(map[string]any)["_id"].(string)
}

// tinyPNG is a 2x2 PNG image.
func tinyPNG(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Team main rooms are listed to administrators only when types asks for
// teams; direct conversations match the filter by their usernames.
func TestRoomsAdminRoomsTeamsAndDirect(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "artemis")
	artemis := e.Users[0]
	artemis.Post(t, "teams.create", map[string]any{"name": "artemis-team", "type": 0}).OK(t)
	artemis.Post(t, "dm.create", map[string]any{"username": "admin"}).OK(t)
	names := func(q ...string) []string {
		var out struct {
			Rooms []map[string]any `json:"rooms"`
		}
		e.Admin.Get(t, "rooms.adminRooms", apitest.Q(q...)).OK(t).Decode(t, &out)
		var got []string
		for _, r := range out.Rooms {
			n, _ := r["name"].(string)
			if r["t"] == "d" {
				n = "dm"
			}
			got = append(got, n)
		}
		slices.Sort(got)
		return got
	}
	for _, c := range []struct {
		q    []string
		want []string
	}{
		{[]string{"filter", "artemis"}, []string{"dm"}},
		{[]string{"filter", "artemis", "types", "teams"}, []string{"artemis-team"}},
		{[]string{"filter", "artemis", "types", "d", "types", "teams"}, []string{"artemis-team", "dm"}},
	} {
		if got := names(c.q...); !slices.Equal(got, c.want) {
			t.Errorf("adminRooms %v = %v, want %v", c.q, got, c.want)
		}
	}
}
