package app

import (
	"context"

	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// AddTeamRooms is teams.addRooms: rooms the caller can see and owns move
// into the team. Every room is checked before any moves; each public
// channel is announced in the main room ("user-added-room-to-team").
func (a *App) AddTeamRooms(ctx context.Context, actor *model.User, ref TeamRef, rids []string) ([]*model.Room, error) {
	main, err := a.teamMain(ctx, a.store, ref, errTeamMissing)
	if err != nil {
		return nil, err
	}
	// add-team-channel is move-room-to-team's older name; the two are
	// kept alike (see permissionAliases).
	if !a.HasRoomPermission(ctx, actor, "move-room-to-team", main.ID) {
		return nil, errNoTeamChannelPerm
	}
	var out []*model.Room
	err = a.tx(ctx, func(st store.Store) error {
		out = out[:0]
		var rooms []*model.Room
		for _, rid := range rids {
			r, err := st.Rooms().Get(ctx, rid)
			if isNotFound(err) {
				return errInvalidRoom
			}
			if err != nil {
				return err
			}
			ok, err := a.CanAccessRoom(ctx, r, actor)
			if err != nil {
				return err
			}
			if !ok {
				return errInvalidRoom
			}
			rooms = append(rooms, r)
		}
		for _, r := range rooms {
			if r.TeamID != "" {
				return Plain("room-already-on-team")
			}
			sub, err := st.Subscriptions().Get(ctx, r.ID, actor.ID)
			if err != nil && !isNotFound(err) {
				return err
			}
			if !sub.HasRole("owner") {
				return Plain("error-no-owner-channel")
			}
		}
		for _, r := range rooms {
			fresh, err := lockRoom(ctx, st, r.ID)
			if err != nil {
				return err
			}
			fresh.TeamID = main.TeamID
			fresh.UpdatedAt = a.now()
			if err := st.Rooms().Update(ctx, fresh); err != nil {
				return err
			}
			a.emit(st, events.RoomChanged, fresh.ID, actor.ID, fresh.ID)
			if fresh.T == model.RoomChannel {
				if _, err := a.systemMessage(ctx, st, main, actor, "user-added-room-to-team", fresh.Name, nil); err != nil {
					return err
				}
			}
			out = append(out, fresh)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RemoveTeamRoom is teams.removeRoom: the room goes back to the
// workspace. Without view-all-team-channels the caller must see the room.
func (a *App) RemoveTeamRoom(ctx context.Context, actor *model.User, ref TeamRef, rid string) (*model.Room, error) {
	main, err := a.teamMain(ctx, a.store, ref, errTeamMissing)
	if err != nil {
		return nil, err
	}
	if !a.HasRoomPermission(ctx, actor, "remove-team-channel", main.ID) {
		return nil, ErrForbidden
	}
	r, err := a.visibleTeamRoom(ctx, actor, main, rid)
	if err != nil {
		return nil, err
	}
	if r.TeamID != main.TeamID || r.TeamMain {
		return nil, Plain("room-not-on-that-team")
	}
	err = a.tx(ctx, func(st store.Store) error {
		fresh, err := lockRoom(ctx, st, r.ID)
		if err != nil {
			return err
		}
		if err := a.detachFromTeam(ctx, st, actor.ID, fresh); err != nil {
			return err
		}
		r = fresh
		if r.T == model.RoomChannel {
			_, err = a.systemMessage(ctx, st, main, actor, "user-removed-room-from-team", r.Name, nil)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// visibleTeamRoom loads room rid for an action on the team whose main room
// is main: holders of view-all-team-channels reach any room, others only
// those they can see.
func (a *App) visibleTeamRoom(ctx context.Context, actor *model.User, main *model.Room, rid string) (*model.Room, error) {
	r, err := a.store.Rooms().Get(ctx, rid)
	if isNotFound(err) {
		return nil, errInvalidRoom
	}
	if err != nil {
		return nil, a.storeErr(err)
	}
	if a.HasRoomPermission(ctx, actor, "view-all-team-channels", main.ID) {
		return r, nil
	}
	ok, err := a.CanAccessRoom(ctx, r, actor)
	if err != nil {
		return nil, a.storeErr(err)
	}
	if !ok {
		return nil, errInvalidRoom
	}
	return r, nil
}

// UpdateTeamRoom is teams.updateRoom: marks a team's room as one its
// members join (isDefault), and adds the team's members to it, up to
// API_User_Limit of them, each with an "au" message.
func (a *App) UpdateTeamRoom(ctx context.Context, actor *model.User, rid string, isDefault bool) (*model.Room, error) {
	r, err := a.store.Rooms().Get(ctx, rid)
	if isNotFound(err) {
		return nil, errInvalidRoom
	}
	if err != nil {
		return nil, a.storeErr(err)
	}
	if r.TeamID == "" {
		return nil, Plain("room-not-on-team")
	}
	main, err := a.teamMain(ctx, a.store, TeamRef{ID: r.TeamID}, errTeamMissing)
	if err != nil {
		return nil, err
	}
	if !a.HasRoomPermission(ctx, actor, "edit-team-channel", main.ID) {
		return nil, ErrForbidden
	}
	if r, err = a.visibleTeamRoom(ctx, actor, main, rid); err != nil {
		return nil, err
	}
	limit := a.Settings.Int("API_User_Limit")
	if limit <= 0 {
		limit = 500
	}
	err = a.tx(ctx, func(st store.Store) error {
		fresh, err := lockRoom(ctx, st, r.ID)
		if err != nil {
			return err
		}
		fresh.TeamDefault = isDefault
		fresh.UpdatedAt = a.now()
		if err := st.Rooms().Update(ctx, fresh); err != nil {
			return err
		}
		a.emit(st, events.RoomChanged, fresh.ID, actor.ID, fresh.ID)
		if isDefault {
			subs, _, err := st.Subscriptions().ListByRoom(ctx, main.ID, store.ListOptions{})
			if err != nil {
				return err
			}
			added := 0
			for _, s := range subs {
				if added >= limit {
					break
				}
				// The room's owner is a member already.
				if fresh.U != nil && s.U.ID == fresh.U.ID {
					continue
				}
				added++
				u, err := st.Users().Get(ctx, s.U.ID)
				if isNotFound(err) {
					continue
				}
				if err != nil {
					return err
				}
				if err := a.teamJoinRoom(ctx, st, fresh, u, actor); err != nil {
					return err
				}
			}
		}
		r, err = st.Rooms().Get(ctx, fresh.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// TeamRoomsFilter narrows teams.listRooms.
type TeamRoomsFilter struct {
	Name        string
	DefaultOnly bool
}

// checkTeamVisible refuses a private team to whoever is neither a member
// nor a holder of view-all-teams.
func (a *App) checkTeamVisible(ctx context.Context, actor *model.User, main *model.Room) error {
	if main.T != model.RoomGroup || a.HasRoomPermission(ctx, actor, "view-all-teams", main.ID) {
		return nil
	}
	in, err := a.isTeamMember(ctx, a.store, main, actor.ID)
	if err != nil {
		return err
	}
	if !in {
		return errNotOnPrivateTeam
	}
	return nil
}

// ListTeamRooms is teams.listRooms: the team's rooms (not its main room);
// holders of view-all-team-channels see all, others the public ones and
// those they are in.
func (a *App) ListTeamRooms(ctx context.Context, actor *model.User, ref TeamRef, f TeamRoomsFilter, opts store.ListOptions) ([]*model.Room, int, error) {
	main, err := a.teamMain(ctx, a.store, ref, errTeamMissing)
	if err != nil {
		return nil, 0, err
	}
	if err := a.checkTeamVisible(ctx, actor, main); err != nil {
		return nil, 0, err
	}
	filter := store.TeamRoomFilter{TeamID: main.TeamID, Name: f.Name, DefaultOnly: f.DefaultOnly}
	if !a.HasRoomPermission(ctx, actor, "view-all-team-channels", main.ID) {
		if filter.VisibleTo, err = a.teamJoinedRooms(ctx, actor.ID); err != nil {
			return nil, 0, err
		}
	}
	list, total, err := a.store.Rooms().ListTeamRooms(ctx, filter, opts)
	return list, total, a.storeErr(err)
}

// TeamRoomOfUser is a room in teams.listRoomsOfUser, saying whether the
// user is its only owner.
type TeamRoomOfUser struct {
	*model.Room
	IsLastOwner bool `json:"isLastOwner"`
}

// ListTeamRoomsOfUser is teams.listRoomsOfUser: the team's rooms userID
// is in (only those the user may delete, with canDelete), for the user
// or a holder of view-all-team-channels.
func (a *App) ListTeamRoomsOfUser(ctx context.Context, actor *model.User, ref TeamRef, userID string, canDelete bool, opts store.ListOptions) ([]TeamRoomOfUser, int, error) {
	main, err := a.teamMain(ctx, a.store, ref, errTeamMissing)
	if err != nil {
		return nil, 0, err
	}
	if actor.ID != userID && !a.HasRoomPermission(ctx, actor, "view-all-team-channels", main.ID) {
		return nil, 0, ErrForbidden
	}
	if err := a.checkTeamVisible(ctx, actor, main); err != nil {
		return nil, 0, err
	}
	mine, err := a.teamJoinedRooms(ctx, userID)
	if err != nil {
		return nil, 0, err
	}
	rooms, _, err := a.store.Rooms().ListTeamRooms(ctx, store.TeamRoomFilter{TeamID: main.TeamID, IDs: mine}, store.ListOptions{})
	if err != nil {
		return nil, 0, a.storeErr(err)
	}
	var user *model.User
	if canDelete {
		if user, err = a.store.Users().Get(ctx, userID); isNotFound(err) {
			return nil, 0, errInvalidUser
		} else if err != nil {
			return nil, 0, a.storeErr(err)
		}
	}
	var all []TeamRoomOfUser
	for _, r := range rooms {
		if r.T != model.RoomChannel && r.T != model.RoomGroup {
			continue
		}
		if canDelete && !a.HasRoomPermission(ctx, user, "delete-"+r.T, r.ID) {
			continue
		}
		sub, err := a.store.Subscriptions().Get(ctx, r.ID, userID)
		if err != nil {
			return nil, 0, a.storeErr(err)
		}
		last := false
		if sub.HasRole("owner") {
			n, err := a.countRole(ctx, a.store, r.ID, "owner")
			if err != nil {
				return nil, 0, a.storeErr(err)
			}
			last = n == 1
		}
		all = append(all, TeamRoomOfUser{Room: r, IsLastOwner: last})
	}
	return pageOf(all, opts.Offset, opts.Count), len(all), nil
}

// TeamChildrenRef names a team by id, by name or by its main room.
type TeamChildrenRef struct {
	TeamRef
	RoomID string
}

// errTeamChildrenMissing is teams.listChildren's answer for a team that
// cannot be found: a bare 404, not the 400 of the other teams.* routes.
var errTeamChildrenMissing = &Error{Status: 404, Reason: "Resource not found", Plain: true}

// ListTeamChildren is teams.listChildren: what a team's side panel lists,
// its rooms (main room included) and its main room's discussions, to a
// member of the team. kind "channels" or "discussions" keeps one of the
// two; public channels and the rooms the caller is in are listed, oldest
// first unless opts sorts otherwise.
func (a *App) ListTeamChildren(ctx context.Context, actor *model.User, ref TeamChildrenRef, name, kind string, opts store.ListOptions) ([]*model.Room, int, error) {
	var main *model.Room
	if ref.ID == "" && ref.Name == "" {
		if ref.RoomID == "" {
			return nil, 0, errTeamChildrenMissing
		}
		r, err := a.store.Rooms().Get(ctx, ref.RoomID)
		if isNotFound(err) || (err == nil && !r.TeamMain) {
			return nil, 0, errTeamChildrenMissing
		}
		if err != nil {
			return nil, 0, a.storeErr(err)
		}
		main = r
	} else {
		r, err := a.teamMain(ctx, a.store, ref.TeamRef, errTeamChildrenMissing)
		if err != nil {
			return nil, 0, err
		}
		main = r
	}
	in, err := a.isTeamMember(ctx, a.store, main, actor.ID)
	if err != nil {
		return nil, 0, err
	}
	if !in {
		return nil, 0, Plain("error-invalid-team-not-a-member")
	}
	f := store.TeamRoomFilter{TeamID: main.TeamID, ChildrenOf: main.ID, ChildKind: kind, ChildrenFor: actor.ID, Name: name}
	list, total, err := a.store.Rooms().ListTeamRooms(ctx, f, opts)
	return list, total, a.storeErr(err)
}
