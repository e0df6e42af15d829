package app

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/parleychat/parley/internal/auth"
	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// TeamMemberUser is the user part of a teams.members row.
type TeamMemberUser struct {
	ID       string              `json:"_id"`
	Username string              `json:"username"`
	Name     string              `json:"name"`
	Status   string              `json:"status"`
	Settings *model.UserSettings `json:"settings,omitempty"`
}

// TeamMember is one row of teams.members. CreatedAt is when the member
// joined; CreatedBy is the team's creator, since Parley does not record
// who added each member.
type TeamMember struct {
	User      TeamMemberUser `json:"user"`
	Roles     []string       `json:"roles,omitempty"`
	CreatedBy TeamUser       `json:"createdBy"`
	CreatedAt model.Time     `json:"createdAt"`
}

// TeamMemberFilter narrows teams.members.
type TeamMemberFilter struct {
	Status   []string
	Username string // substring, case insensitive
	Name     string // substring, case insensitive
}

// TeamMemberRoles is one entry of teams.addMembers and teams.updateMember.
type TeamMemberRoles struct {
	UserID string
	Roles  []string
}

// teamRoleAllowed reports whether a team member may be given role: the
// team's own "member" label and the room-scoped roles. Global roles such
// as admin are refused, since a room role counts in the permission checks
// of the team's main room.
func teamRoleAllowed(role string) bool {
	if role == "member" {
		return true
	}
	for _, r := range auth.Roles {
		if r.ID == role {
			return r.Scope == "Subscriptions"
		}
	}
	return false
}

func checkTeamRoles(roles []string) error {
	for _, r := range roles {
		if !teamRoleAllowed(r) {
			return Invalid("Invalid role: " + r)
		}
	}
	return nil
}

// TeamMembers is teams.members: members of the team, or holders of
// view-all-teams, see the list; others get an empty one.
func (a *App) TeamMembers(ctx context.Context, actor *model.User, ref TeamRef, f TeamMemberFilter, opts store.ListOptions) ([]TeamMember, int, error) {
	main, err := a.teamMain(ctx, a.store, ref, errTeamMissing)
	if err != nil {
		return nil, 0, err
	}
	in, err := a.isTeamMember(ctx, a.store, main, actor.ID)
	if err != nil {
		return nil, 0, err
	}
	if !in && !a.HasRoomPermission(ctx, actor, "view-all-teams", main.ID) {
		return []TeamMember{}, 0, nil
	}
	subs, _, err := a.store.Subscriptions().ListByRoom(ctx, main.ID, store.ListOptions{})
	if err != nil {
		return nil, 0, a.storeErr(err)
	}
	// Oldest first; of members who joined in the same millisecond, the
	// owners first, as the creator comes before those added with them.
	sort.SliceStable(subs, func(i, j int) bool {
		if subs[i].Ts != subs[j].Ts {
			return subs[i].Ts < subs[j].Ts
		}
		if oi, oj := subs[i].HasRole("owner"), subs[j].HasRole("owner"); oi != oj {
			return oi
		}
		return subs[i].ID < subs[j].ID
	})
	ids := make([]string, 0, len(subs))
	for _, s := range subs {
		ids = append(ids, s.U.ID)
	}
	users, err := a.store.Users().GetMany(ctx, ids)
	if err != nil {
		return nil, 0, a.storeErr(err)
	}
	byID := make(map[string]*model.User, len(users))
	for _, u := range users {
		byID[u.ID] = u
	}
	var creator TeamUser
	if main.U != nil {
		creator = TeamUser{ID: main.U.ID, Username: main.U.Username}
	}
	var all []TeamMember
	for _, s := range subs {
		u := byID[s.U.ID]
		if u == nil || !u.Active || !matchMember(u, f) {
			continue
		}
		all = append(all, TeamMember{
			User:  TeamMemberUser{ID: u.ID, Username: u.Username, Name: u.Name, Status: u.Status, Settings: u.Settings},
			Roles: s.Roles, CreatedBy: creator, CreatedAt: s.Ts,
		})
	}
	return pageOf(all, opts.Offset, opts.Count), len(all), nil
}

func matchMember(u *model.User, f TeamMemberFilter) bool {
	if len(f.Status) > 0 && !slices.Contains(f.Status, u.Status) {
		return false
	}
	if f.Username != "" && !strings.Contains(strings.ToLower(u.Username), strings.ToLower(f.Username)) {
		return false
	}
	if f.Name != "" && !strings.Contains(strings.ToLower(u.Name), strings.ToLower(f.Name)) {
		return false
	}
	return true
}

// AddTeamMembers is teams.addMembers: each user joins the main room (with
// an "added-user-to-team" message) and the team's default rooms, and gets
// the roles listed, in addition to those held.
func (a *App) AddTeamMembers(ctx context.Context, actor *model.User, ref TeamRef, members []TeamMemberRoles) error {
	main, err := a.teamMain(ctx, a.store, ref, errTeamMissing)
	if err != nil {
		return err
	}
	if !a.HasRoomPermission(ctx, actor, "add-team-member", main.ID) && !a.HasRoomPermission(ctx, actor, "edit-team-member", main.ID) {
		return ErrForbidden
	}
	for _, m := range members {
		if err := checkTeamRoles(m.Roles); err != nil {
			return err
		}
	}
	return a.tx(ctx, func(st store.Store) error {
		for _, m := range members {
			u, err := st.Users().Get(ctx, m.UserID)
			if isNotFound(err) {
				return errInvalidUser
			}
			if err != nil {
				return err
			}
			if err := a.joinTeam(ctx, st, main, u, actor); err != nil {
				return err
			}
			if len(m.Roles) == 0 {
				continue
			}
			sub, err := st.Subscriptions().GetForUpdate(ctx, main.ID, u.ID)
			if err != nil {
				return err
			}
			changed := false
			for _, r := range m.Roles {
				if !sub.HasRole(r) {
					sub.Roles = append(sub.Roles, r)
					changed = true
				}
			}
			if changed {
				sub.UpdatedAt = a.now()
				if err := st.Subscriptions().Update(ctx, sub); err != nil {
					return err
				}
				a.emit(st, events.SubscriptionChanged, main.ID, u.ID, sub.ID)
			}
		}
		return nil
	})
}

// joinTeam makes u a member of the team whose main room is main, on
// inviter's behalf (nil when u joins alone), and of the team's default
// rooms. A member already is left as is.
func (a *App) joinTeam(ctx context.Context, st store.Store, main *model.Room, u, inviter *model.User) error {
	if in, err := a.isTeamMember(ctx, st, main, u.ID); err != nil || in {
		return err
	}
	if _, err := a.addMember(ctx, st, main, u, inviter, false); err != nil {
		return err
	}
	var err error
	if inviter != nil && inviter.ID != u.ID {
		_, err = a.systemMessage(ctx, st, main, inviter, "added-user-to-team", u.Username, nil)
	} else {
		_, err = a.systemMessage(ctx, st, main, u, "ujt", u.Username, nil)
	}
	if err != nil {
		return err
	}
	return a.joinTeamDefaults(ctx, st, main, u, inviter)
}

// joinTeamDefaults adds u to the default (auto-join) rooms of the team
// whose main room is main.
func (a *App) joinTeamDefaults(ctx context.Context, st store.Store, main *model.Room, u, inviter *model.User) error {
	defaults, _, err := st.Rooms().ListTeamRooms(ctx, store.TeamRoomFilter{TeamID: main.TeamID, DefaultOnly: true}, store.ListOptions{})
	if err != nil {
		return err
	}
	for _, r := range defaults {
		if err := a.teamJoinRoom(ctx, st, r, u, inviter); err != nil {
			return err
		}
	}
	return nil
}

// teamJoinRoom adds u to one of a team's rooms with the "au" (or "uj")
// message; a member already is left alone.
func (a *App) teamJoinRoom(ctx context.Context, st store.Store, r *model.Room, u, inviter *model.User) error {
	if _, err := st.Subscriptions().Get(ctx, r.ID, u.ID); err == nil {
		return nil
	} else if !isNotFound(err) {
		return err
	}
	if _, err := a.addMember(ctx, st, r, u, inviter, false); err != nil {
		return err
	}
	var err error
	if inviter != nil && inviter.ID != u.ID {
		_, err = a.systemMessage(ctx, st, r, inviter, "au", u.Username, nil)
	} else {
		_, err = a.systemMessage(ctx, st, r, u, "uj", u.Username, nil)
	}
	return err
}

// teamLeaveRoom takes u out of room r with the message Rocket.Chat's
// removeUserFromRoom writes: removed by someone else ("ru", or
// "removed-user-from-team" in a main room) or leaving ("ul", "ult").
func (a *App) teamLeaveRoom(ctx context.Context, st store.Store, r *model.Room, u, by *model.User) error {
	if _, err := st.Subscriptions().Get(ctx, r.ID, u.ID); isNotFound(err) {
		return nil
	} else if err != nil {
		return err
	}
	var err error
	switch {
	case by != nil && by.ID != u.ID && r.TeamMain:
		_, err = a.systemMessage(ctx, st, r, by, "removed-user-from-team", u.Username, nil)
	case by != nil && by.ID != u.ID:
		_, err = a.systemMessage(ctx, st, r, by, "ru", u.Username, nil)
	case r.TeamMain:
		_, err = a.systemMessage(ctx, st, r, u, "ult", u.Username, nil)
	default:
		_, err = a.systemMessage(ctx, st, r, u, "ul", u.Username, nil)
	}
	if err != nil {
		return err
	}
	return a.removeMember(ctx, st, r.ID, u.ID)
}

// RemoveTeamMember is teams.removeMember, for holders of
// edit-team-member: the user leaves the main room and the team's rooms
// listed in rooms. The team's last owner may not go.
func (a *App) RemoveTeamMember(ctx context.Context, actor *model.User, ref TeamRef, userID string, rooms []string) error {
	main, err := a.teamMain(ctx, a.store, ref, errTeamMissing)
	if err != nil {
		return err
	}
	if !a.HasRoomPermission(ctx, actor, "edit-team-member", main.ID) {
		return ErrForbidden
	}
	return a.removeFromTeam(ctx, actor, main, userID, rooms)
}

// LeaveTeam is teams.leave: the caller leaves the team, and the team's
// rooms listed in rooms.
func (a *App) LeaveTeam(ctx context.Context, actor *model.User, ref TeamRef, rooms []string) error {
	main, err := a.teamMain(ctx, a.store, ref, errTeamMissing)
	if err != nil {
		return err
	}
	return a.removeFromTeam(ctx, actor, main, actor.ID, rooms)
}

func (a *App) removeFromTeam(ctx context.Context, actor *model.User, main *model.Room, userID string, rooms []string) error {
	u, err := a.store.Users().Get(ctx, userID)
	if isNotFound(err) || (err == nil && !u.Active) {
		return errInvalidUser
	}
	if err != nil {
		return a.storeErr(err)
	}
	return a.tx(ctx, func(st store.Store) error {
		sub, err := st.Subscriptions().Get(ctx, main.ID, u.ID)
		if isNotFound(err) {
			return errMemberMissing
		}
		if err != nil {
			return err
		}
		if sub.HasRole("owner") {
			n, err := a.countRole(ctx, st, main.ID, "owner")
			if err != nil {
				return err
			}
			if n <= 1 {
				return errLastTeamOwner
			}
		}
		if err := a.teamLeaveRoom(ctx, st, main, u, actor); err != nil {
			return err
		}
		if len(rooms) == 0 {
			return nil
		}
		list, _, err := st.Rooms().ListTeamRooms(ctx, store.TeamRoomFilter{TeamID: main.TeamID, IDs: rooms}, store.ListOptions{})
		if err != nil {
			return err
		}
		for _, r := range list {
			if err := a.teamLeaveRoom(ctx, st, r, u, actor); err != nil {
				return err
			}
		}
		return nil
	})
}

// UpdateTeamMember is teams.updateMember: the member's team roles become
// roles (none when empty). The team keeps at least one owner.
func (a *App) UpdateTeamMember(ctx context.Context, actor *model.User, ref TeamRef, m TeamMemberRoles) error {
	main, err := a.teamMain(ctx, a.store, ref, errTeamMissing)
	if err != nil {
		return err
	}
	if !a.HasRoomPermission(ctx, actor, "edit-team-member", main.ID) {
		return ErrForbidden
	}
	if err := checkTeamRoles(m.Roles); err != nil {
		return err
	}
	return a.tx(ctx, func(st store.Store) error {
		sub, err := st.Subscriptions().GetForUpdate(ctx, main.ID, m.UserID)
		if isNotFound(err) {
			return errMemberMissing
		}
		if err != nil {
			return err
		}
		if sub.HasRole("owner") && !slices.Contains(m.Roles, "owner") {
			n, err := a.countRole(ctx, st, main.ID, "owner")
			if err != nil {
				return err
			}
			if n <= 1 {
				return errLastTeamOwner
			}
		}
		roles := []string{}
		for _, r := range m.Roles {
			if !slices.Contains(roles, r) {
				roles = append(roles, r)
			}
		}
		sub.Roles = roles
		sub.UpdatedAt = a.now()
		if err := st.Subscriptions().Update(ctx, sub); err != nil {
			return err
		}
		a.emit(st, events.SubscriptionChanged, main.ID, m.UserID, sub.ID)
		return nil
	})
}
