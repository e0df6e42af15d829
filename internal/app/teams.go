package app

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// A team is a channel or private group, its main room, marked teamMain,
// with a teamId of its own; the rooms that belong to the team carry the
// same teamId. The team's members are the main room's members, and their
// team roles are their roles in the main room, so that every way in or out
// of the main room (join, invite, kick, leave) moves team membership too.

// Team types on the wire.
const (
	TeamPublic  = 0
	TeamPrivate = 1
)

// TeamUser names a user in a team's record.
type TeamUser struct {
	ID       string `json:"_id"`
	Username string `json:"username"`
}

// Team is a team's record, as teams.create and teams.info answer it.
type Team struct {
	ID        string     `json:"_id"`
	Name      string     `json:"name"`
	Type      int        `json:"type"`
	RoomID    string     `json:"roomId"`
	CreatedBy TeamUser   `json:"createdBy"`
	CreatedAt model.Time `json:"createdAt"`
	UpdatedAt model.Time `json:"_updatedAt"`
}

// TeamInfo is a team with its counts, as teams.list answers it.
type TeamInfo struct {
	Team
	Rooms         int `json:"rooms"`
	NumberOfUsers int `json:"numberOfUsers"`
}

// UserTeam is one of a user's teams, saying whether the user owns it.
type UserTeam struct {
	Team
	IsOwner bool `json:"isOwner"`
}

// TeamRef names a team by id or by name.
type TeamRef struct {
	ID   string
	Name string
}

// Refusals of the teams.* endpoints, worded as Rocket.Chat words them.
var (
	errTeamMissing       = Plain("team-does-not-exist")
	errTeamNotFound      = Plain("Team not found")
	errInvalidRoom       = Plain("invalid-room")
	errInvalidUser       = Plain("invalid-user")
	errMemberMissing     = Plain("member-does-not-exist")
	errLastTeamOwner     = Plain("last-owner-can-not-be-removed")
	errNotOnPrivateTeam  = Plain("user-not-on-private-team")
	errNoTeamChannelPerm = &Error{Status: 403, Reason: "error-no-permission-team-channel", Plain: true}
)

func teamType(r *model.Room) int {
	if r.T == model.RoomGroup {
		return TeamPrivate
	}
	return TeamPublic
}

func roomTypeOfTeam(t int) string {
	if t == TeamPrivate {
		return model.RoomGroup
	}
	return model.RoomChannel
}

// teamOf is the record of the team whose main room is r.
func teamOf(r *model.Room) Team {
	t := Team{ID: r.TeamID, Name: r.Name, Type: teamType(r), RoomID: r.ID, CreatedAt: r.Ts, UpdatedAt: r.UpdatedAt}
	if r.U != nil {
		t.CreatedBy = TeamUser{ID: r.U.ID, Username: r.U.Username}
	}
	return t
}

// teamMain finds the main room of team ref, or answers missing.
func (a *App) teamMain(ctx context.Context, st store.Store, ref TeamRef, missing error) (*model.Room, error) {
	switch {
	case ref.ID != "":
		list, _, err := st.Rooms().ListTeamRooms(ctx, store.TeamRoomFilter{Mains: true, TeamIDs: []string{ref.ID}}, store.ListOptions{Count: 1})
		if err != nil {
			return nil, a.storeErr(err)
		}
		if len(list) == 0 {
			return nil, missing
		}
		return list[0], nil
	case ref.Name != "":
		r, err := st.Rooms().GetByName(ctx, ref.Name)
		if isNotFound(err) || (err == nil && !r.TeamMain) {
			return nil, missing
		}
		if err != nil {
			return nil, a.storeErr(err)
		}
		return r, nil
	}
	return nil, missing
}

// isTeamMember reports whether uid is a member of the team whose main room
// is main.
func (a *App) isTeamMember(ctx context.Context, st store.Store, main *model.Room, uid string) (bool, error) {
	_, err := st.Subscriptions().Get(ctx, main.ID, uid)
	if isNotFound(err) {
		return false, nil
	}
	return err == nil, a.storeErr(err)
}

// NewTeam is what teams.create takes.
type NewTeam struct {
	Name      string
	Type      int
	Members   []string // user ids or usernames
	Owner     string   // user id; the caller when empty
	ReadOnly  bool
	ExtraData map[string]any
	Sidepanel []string // nil when not given
}

// sidepanelItems are the choices a team's side panel offers.
var sidepanelItems = []string{"channels", "discussions"}

func checkSidepanel(items []string) error {
	if len(items) > len(sidepanelItems) {
		return Plain("error-invalid-sidepanel")
	}
	for i, it := range items {
		if !slices.Contains(sidepanelItems, it) || slices.Contains(items[:i], it) {
			return Plain("error-invalid-sidepanel")
		}
	}
	return nil
}

// CreateTeam is teams.create: a new main room, owned by the caller (or by
// in.Owner), with the members named.
func (a *App) CreateTeam(ctx context.Context, actor *model.User, in NewTeam) (*Team, error) {
	if !a.HasPermission(actor, "create-team") {
		return nil, ErrForbidden
	}
	if in.Sidepanel != nil {
		if err := checkSidepanel(in.Sidepanel); err != nil {
			return nil, err
		}
	}
	name := strings.TrimSpace(in.Name)
	if err := a.checkTeamName(ctx, a.store, name, ""); err != nil {
		return nil, err
	}
	owner := actor
	if in.Owner != "" {
		u, err := a.store.Users().Get(ctx, in.Owner)
		if isNotFound(err) {
			return nil, errInvalidUser
		}
		if err != nil {
			return nil, a.storeErr(err)
		}
		owner = u
	}
	members, err := a.resolveTeamMembers(ctx, in.Members)
	if err != nil {
		return nil, err
	}
	// Rocket.Chat answers any failure to make the main room (a name the
	// room-name pattern refuses, a field too long) with one error.
	topic, _ := in.ExtraData["topic"].(string)
	description, _ := in.ExtraData["description"].(string)
	if name == "" || checkRoomBounds("createRoom", &name, &topic, &description, nil) != nil ||
		!namePattern(a.Settings.String("UTF8_Channel_Names_Validation")).MatchString(name) {
		return nil, Plain("error-team-creation")
	}
	now := a.now()
	sysMes := true
	ref := owner.Ref()
	r := &model.Room{
		ID: model.NewID(), T: roomTypeOfTeam(in.Type), Name: name, FName: name, Ts: now, UpdatedAt: now,
		U: &ref, Ro: in.ReadOnly, SysMes: &sysMes, Topic: topic, Description: description,
		TeamID: model.NewID(), TeamMain: true,
	}
	r.Broadcast, _ = in.ExtraData["broadcast"].(bool)
	var asked *bool
	if enc, ok := in.ExtraData["encrypted"].(bool); ok {
		asked = &enc
	}
	r.Encrypted = a.encryptedByDefault(r.T, asked)
	if in.Sidepanel != nil {
		r.Sidepanel = &model.Sidepanel{Items: in.Sidepanel}
	}
	err = a.tx(ctx, func(st store.Store) error {
		if err := a.checkTeamName(ctx, st, name, ""); err != nil {
			return err
		}
		if err := st.Rooms().Create(ctx, r); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return Plain("room-name-already-exists")
			}
			return err
		}
		if _, err := a.addMember(ctx, st, r, owner, nil, true); err != nil {
			return err
		}
		for _, m := range members {
			if m.ID == owner.ID {
				continue
			}
			if _, err := a.addMember(ctx, st, r, m, actor, false); err != nil {
				return err
			}
		}
		fresh, err := st.Rooms().Get(ctx, r.ID)
		if err != nil {
			return err
		}
		r = fresh
		a.emit(st, events.RoomChanged, r.ID, actor.ID, r.ID)
		return nil
	})
	if err != nil {
		return nil, err
	}
	t := teamOf(r)
	return &t, nil
}

// checkTeamName refuses a name a user or another team has, or that
// another room (not keep) has.
func (a *App) checkTeamName(ctx context.Context, st store.Store, name, keep string) error {
	if name == "" {
		return nil
	}
	if _, err := st.Users().GetByUsername(ctx, name); err == nil {
		return Plain("team-name-already-exists")
	} else if !isNotFound(err) {
		return a.storeErr(err)
	}
	r, err := st.Rooms().GetByName(ctx, name)
	switch {
	case isNotFound(err):
		return nil
	case err != nil:
		return a.storeErr(err)
	case r.TeamMain:
		return Plain("team-name-already-exists")
	case r.ID != keep:
		return Plain("room-name-already-exists")
	}
	return nil
}

// resolveTeamMembers finds the active users named by id or username;
// names that match nobody are left out, as Rocket.Chat does.
func (a *App) resolveTeamMembers(ctx context.Context, names []string) ([]*model.User, error) {
	var out []*model.User
	seen := map[string]bool{}
	for _, n := range names {
		n = strings.TrimPrefix(strings.TrimSpace(n), "@")
		if n == "" {
			continue
		}
		u, err := a.store.Users().Get(ctx, n)
		if isNotFound(err) {
			u, err = a.store.Users().GetByUsername(ctx, n)
		}
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, a.storeErr(err)
		}
		if u.Active && !seen[u.ID] {
			seen[u.ID] = true
			out = append(out, u)
		}
	}
	return out, nil
}

// TeamInfo is teams.info: members of the main room, and holders of
// view-all-teams, see any team; others see the public ones.
func (a *App) TeamInfo(ctx context.Context, actor *model.User, ref TeamRef) (*Team, error) {
	main, err := a.teamMain(ctx, a.store, ref, errTeamNotFound)
	if err != nil {
		return nil, err
	}
	ok, err := a.CanAccessRoom(ctx, main, actor)
	if err != nil {
		return nil, a.storeErr(err)
	}
	if !ok && !a.HasPermission(actor, "view-all-teams") {
		return nil, ErrForbidden
	}
	t := teamOf(main)
	return &t, nil
}

// teamInfos adds the counts to a page of main rooms.
func (a *App) teamInfos(ctx context.Context, mains []*model.Room) ([]TeamInfo, error) {
	out := make([]TeamInfo, 0, len(mains))
	for _, m := range mains {
		_, rooms, err := a.store.Rooms().ListTeamRooms(ctx, store.TeamRoomFilter{TeamID: m.TeamID}, store.ListOptions{Count: 1})
		if err != nil {
			return nil, a.storeErr(err)
		}
		out = append(out, TeamInfo{Team: teamOf(m), Rooms: rooms, NumberOfUsers: int(m.UsersCount)})
	}
	return out, nil
}

// byCreation orders teams oldest first unless the caller sorts.
func byCreation(opts store.ListOptions) store.ListOptions {
	if len(opts.Sort) == 0 {
		opts.Sort = []store.SortField{{Field: "ts"}}
	}
	return opts
}

// ListTeams is teams.list: the caller's teams.
func (a *App) ListTeams(ctx context.Context, actor *model.User, opts store.ListOptions) ([]TeamInfo, int, error) {
	ids, err := a.teamJoinedRooms(ctx, actor.ID)
	if err != nil {
		return nil, 0, err
	}
	mains, total, err := a.store.Rooms().ListTeamRooms(ctx, store.TeamRoomFilter{Mains: true, IDs: ids}, byCreation(opts))
	if err != nil {
		return nil, 0, a.storeErr(err)
	}
	infos, err := a.teamInfos(ctx, mains)
	return infos, total, err
}

// ListAllTeams is teams.listAll, for holders of view-all-teams.
func (a *App) ListAllTeams(ctx context.Context, actor *model.User, opts store.ListOptions) ([]TeamInfo, int, error) {
	if !a.HasPermission(actor, "view-all-teams") {
		return nil, 0, ErrForbidden
	}
	mains, total, err := a.store.Rooms().ListTeamRooms(ctx, store.TeamRoomFilter{Mains: true}, byCreation(opts))
	if err != nil {
		return nil, 0, a.storeErr(err)
	}
	infos, err := a.teamInfos(ctx, mains)
	return infos, total, err
}

// UserTeams lists the teams userID is a member of, saying which the user
// owns. With a caller (not nil) the private teams the caller is not in
// are left out.
func (a *App) UserTeams(ctx context.Context, caller *model.User, userID string) ([]UserTeam, error) {
	subs, err := a.store.Subscriptions().ListByUser(ctx, userID, 0)
	if err != nil {
		return nil, a.storeErr(err)
	}
	ids := make([]string, 0, len(subs))
	owned := map[string]bool{}
	for _, s := range subs {
		ids = append(ids, s.RID)
		owned[s.RID] = s.HasRole("owner")
	}
	mains, _, err := a.store.Rooms().ListTeamRooms(ctx, store.TeamRoomFilter{Mains: true, IDs: ids}, byCreation(store.ListOptions{}))
	if err != nil {
		return nil, a.storeErr(err)
	}
	out := []UserTeam{}
	for _, m := range mains {
		if caller != nil && caller.ID != userID && m.T == model.RoomGroup {
			in, err := a.isTeamMember(ctx, a.store, m, caller.ID)
			if err != nil {
				return nil, err
			}
			if !in {
				continue
			}
		}
		out = append(out, UserTeam{Team: teamOf(m), IsOwner: owned[m.ID]})
	}
	return out, nil
}

// TeamAutocomplete is teams.autocomplete: up to ten teams whose name
// starts with name, among the public ones and the caller's.
func (a *App) TeamAutocomplete(ctx context.Context, actor *model.User, name string) ([]map[string]any, error) {
	mine, err := a.teamJoinedRooms(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	mains, _, err := a.store.Rooms().ListTeamRooms(ctx, store.TeamRoomFilter{
		Mains: true, VisibleTo: mine, Name: strings.TrimSpace(name), NamePrefix: true,
	}, store.ListOptions{Count: 10})
	if err != nil {
		return nil, a.storeErr(err)
	}
	out := make([]map[string]any, 0, len(mains))
	for _, m := range mains {
		out = append(out, map[string]any{"_id": m.ID, "fname": m.FName, "name": m.Name, "t": m.T, "teamId": m.TeamID})
	}
	return out, nil
}

// DeleteTeam is teams.delete: the rooms listed in roomsToRemove that
// belong to the team are erased, the others go back to the workspace, and
// the main room is erased.
func (a *App) DeleteTeam(ctx context.Context, actor *model.User, ref TeamRef, roomsToRemove []string) error {
	main, err := a.teamMain(ctx, a.store, ref, errTeamMissing)
	if err != nil {
		return err
	}
	if !a.HasRoomPermission(ctx, actor, "delete-team", main.ID) {
		return ErrForbidden
	}
	if err := a.checkMayErase(ctx, actor, main, roomsToRemove); err != nil {
		return err
	}
	return a.tx(ctx, func(st store.Store) error {
		if err := a.dissolveTeam(ctx, st, actor, main, roomsToRemove, false); err != nil {
			return err
		}
		return a.eraseRoom(ctx, st, actor.ID, main.ID)
	})
}

// ConvertTeamToChannel is teams.convertToChannel: as teams.delete, but the
// main room stays, as a plain room.
func (a *App) ConvertTeamToChannel(ctx context.Context, actor *model.User, ref TeamRef, roomsToRemove []string) error {
	main, err := a.teamMain(ctx, a.store, ref, errTeamMissing)
	if err != nil {
		return err
	}
	if !a.HasRoomPermission(ctx, actor, "convert-team", main.ID) {
		return ErrForbidden
	}
	if err := a.checkMayErase(ctx, actor, main, roomsToRemove); err != nil {
		return err
	}
	return a.tx(ctx, func(st store.Store) error {
		if err := a.dissolveTeam(ctx, st, actor, main, roomsToRemove, true); err != nil {
			return err
		}
		r, err := st.Rooms().Get(ctx, main.ID)
		if err != nil {
			return err
		}
		r.TeamID, r.TeamMain, r.TeamDefault, r.Sidepanel = "", false, false, nil
		r.UpdatedAt = a.now()
		if err := st.Rooms().Update(ctx, r); err != nil {
			return err
		}
		a.emit(st, events.RoomChanged, r.ID, actor.ID, r.ID)
		return nil
	})
}

// checkMayErase refuses to erase, with the team, a room of it the caller
// could not delete by itself (delete-c or delete-p in that room).
func (a *App) checkMayErase(ctx context.Context, actor *model.User, main *model.Room, remove []string) error {
	if len(remove) == 0 {
		return nil
	}
	rooms, _, err := a.store.Rooms().ListTeamRooms(ctx, store.TeamRoomFilter{TeamID: main.TeamID, IDs: remove}, store.ListOptions{})
	if err != nil {
		return a.storeErr(err)
	}
	for _, r := range rooms {
		if !a.HasRoomPermission(ctx, actor, "delete-"+r.T, r.ID) {
			return ErrForbidden
		}
	}
	return nil
}

// dissolveTeam erases the team's rooms named in remove and frees the
// others, announcing it in the main room when it stays (announce).
func (a *App) dissolveTeam(ctx context.Context, st store.Store, actor *model.User, main *model.Room, remove []string, announce bool) error {
	rooms, _, err := st.Rooms().ListTeamRooms(ctx, store.TeamRoomFilter{TeamID: main.TeamID}, store.ListOptions{})
	if err != nil {
		return err
	}
	for _, r := range rooms {
		if slices.Contains(remove, r.ID) {
			if err := a.eraseRoom(ctx, st, actor.ID, r.ID); err != nil {
				return err
			}
			continue
		}
		if err := a.detachFromTeam(ctx, st, actor.ID, r); err != nil {
			return err
		}
	}
	if announce {
		_, err := a.systemMessage(ctx, st, main, actor, "user-converted-to-channel", main.Name, nil)
		return err
	}
	return nil
}

// detachFromTeam takes room r out of its team.
func (a *App) detachFromTeam(ctx context.Context, st store.Store, actorID string, r *model.Room) error {
	r.TeamID, r.TeamDefault = "", false
	r.UpdatedAt = a.now()
	if err := st.Rooms().Update(ctx, r); err != nil {
		return err
	}
	a.emit(st, events.RoomChanged, r.ID, actorID, r.ID)
	return nil
}

// TeamUpdate is what teams.update changes; nil leaves a field alone.
type TeamUpdate struct {
	Name *string
	Type *int
}

// UpdateTeam is teams.update: renames the team and its main room, or
// changes its type, with the system messages a room rename and a privacy
// change write.
func (a *App) UpdateTeam(ctx context.Context, actor *model.User, ref TeamRef, in TeamUpdate) error {
	main, err := a.teamMain(ctx, a.store, ref, errTeamMissing)
	if err != nil {
		return err
	}
	if !a.HasRoomPermission(ctx, actor, "edit-team", main.ID) {
		return ErrForbidden
	}
	var name string
	if in.Name != nil {
		name = strings.TrimSpace(*in.Name)
		if err := checkRoomBounds("saveRoomSettings", &name, nil, nil, nil); err != nil {
			return err
		}
		if name == "" || !namePattern(a.Settings.String("UTF8_Channel_Names_Validation")).MatchString(name) {
			return E("error-invalid-room-name", name+" is not a valid room name").With(map[string]any{"function": "RocketChat.saveRoomName", "room_name": name})
		}
	}
	return a.tx(ctx, func(st store.Store) error {
		r, err := lockRoom(ctx, st, main.ID)
		if err != nil {
			return err
		}
		renamed := in.Name != nil && name != r.Name
		retyped := in.Type != nil && roomTypeOfTeam(*in.Type) != r.T
		if !renamed && !retyped {
			return nil
		}
		if renamed {
			if err := a.checkTeamName(ctx, st, name, r.ID); err != nil {
				if e, ok := AsError(err); ok && e.Reason == "room-name-already-exists" {
					return E("error-duplicate-channel-name", "A channel with name '"+name+"' exists").With(map[string]any{"function": "RocketChat.saveRoomName", "channel_name": name})
				}
				return err
			}
			r.Name, r.FName = name, name
		}
		if retyped {
			r.T = roomTypeOfTeam(*in.Type)
		}
		r.UpdatedAt = a.now()
		if err := st.Rooms().Update(ctx, r); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return E("error-duplicate-channel-name", "A channel with name '"+name+"' exists")
			}
			return err
		}
		subs, _, err := st.Subscriptions().ListByRoom(ctx, r.ID, store.ListOptions{})
		if err != nil {
			return err
		}
		for _, s := range subs {
			s.Name, s.FName, s.T = r.Name, r.FName, r.T
			s.UpdatedAt = r.UpdatedAt
			if err := st.Subscriptions().Update(ctx, s); err != nil {
				return err
			}
			a.emit(st, events.SubscriptionChanged, r.ID, s.U.ID, s.ID)
		}
		a.emit(st, events.RoomChanged, r.ID, actor.ID, r.ID)
		if renamed {
			if _, err := a.systemMessage(ctx, st, r, actor, "r", name, nil); err != nil {
				return err
			}
		}
		if retyped {
			word := "Channel"
			if r.T == model.RoomGroup {
				word = "Private Group"
			}
			if _, err := a.systemMessage(ctx, st, r, actor, "room_changed_privacy", word, nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// ConvertRoomToTeam is channels.convertToTeam and groups.convertToTeam:
// the room becomes a team's main room, its members the team's members.
func (a *App) ConvertRoomToTeam(ctx context.Context, actor *model.User, ref RoomRef, t string) (*Team, error) {
	if !a.HasPermission(actor, "create-team") {
		return nil, ErrPermissionsRequired
	}
	r, err := a.findRoom(ctx, actor, ref, t)
	if err != nil {
		return nil, err
	}
	if !a.HasRoomPermission(ctx, actor, "edit-room", r.ID) {
		return nil, ErrForbidden
	}
	if r.TeamMain {
		return nil, Plain("team-name-already-exists")
	}
	if r.TeamID != "" {
		return nil, Plain("room-already-on-team")
	}
	err = a.tx(ctx, func(st store.Store) error {
		fresh, err := lockRoom(ctx, st, r.ID)
		if err != nil {
			return err
		}
		if err := a.checkTeamName(ctx, st, fresh.Name, fresh.ID); err != nil {
			return err
		}
		fresh.TeamID, fresh.TeamMain = model.NewID(), true
		fresh.UpdatedAt = a.now()
		if err := st.Rooms().Update(ctx, fresh); err != nil {
			return err
		}
		r = fresh
		a.emit(st, events.RoomChanged, r.ID, actor.ID, r.ID)
		_, err = a.systemMessage(ctx, st, r, actor, "user-converted-to-team", r.Name, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	team := teamOf(r)
	team.CreatedBy = TeamUser{ID: actor.ID, Username: actor.Username}
	team.CreatedAt = r.UpdatedAt
	return &team, nil
}

// teamJoinedRooms lists the ids of the rooms user uid is in: the rooms of
// teams that the listings show that user, among others.
func (a *App) teamJoinedRooms(ctx context.Context, uid string) ([]string, error) {
	subs, err := a.store.Subscriptions().ListByUser(ctx, uid, 0)
	if err != nil {
		return nil, a.storeErr(err)
	}
	ids := make([]string, 0, len(subs))
	for _, s := range subs {
		ids = append(ids, s.RID)
	}
	return ids, nil
}

// eraseTeamOf frees the rooms of the team whose main room rid is about to
// be erased, however it is erased, so that no room is left in a team that
// is gone.
func (a *App) eraseTeamOf(ctx context.Context, st store.Store, actorID, rid string) error {
	r, err := st.Rooms().Get(ctx, rid)
	if isNotFound(err) || (err == nil && !r.TeamMain) {
		return nil
	}
	if err != nil {
		return err
	}
	rooms, _, err := st.Rooms().ListTeamRooms(ctx, store.TeamRoomFilter{TeamID: r.TeamID}, store.ListOptions{})
	if err != nil {
		return err
	}
	for _, tr := range rooms {
		if err := a.detachFromTeam(ctx, st, actorID, tr); err != nil {
			return err
		}
	}
	return nil
}
