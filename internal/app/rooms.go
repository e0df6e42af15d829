package app

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// NewRoom is what channels.create and groups.create take.
type NewRoom struct {
	Type         string // model.RoomChannel or model.RoomGroup
	Name         string
	Members      []string // usernames
	ReadOnly     bool
	Topic        string
	Description  string
	Broadcast    bool
	Encrypted    *bool // nil: as E2E_Enabled_Default_PrivateRooms says
	ExcludeSelf  bool
	CustomFields map[string]any
	// TeamID, when it names a team, makes the room one of the team's.
	TeamID string
}

// roomWord names a room type in Rocket.Chat's not-found messages.
func roomWord(t string) string {
	if t == model.RoomGroup {
		return "group"
	}
	return "channel"
}

// CreateRoom creates a channel or private group owned by actor.
func (a *App) CreateRoom(ctx context.Context, actor *model.User, in NewRoom) (*model.Room, error) {
	perm := "create-c"
	if in.Type == model.RoomGroup {
		perm = "create-p"
	}
	if !a.HasPermission(actor, perm) {
		return nil, ErrForbidden
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		return nil, Plain(`Param "name" is required`)
	}
	if err := checkRoomBounds("createRoom", &name, &in.Topic, &in.Description, in.CustomFields); err != nil {
		return nil, err
	}
	name, fname, nameErr := a.ValidateRoomName(name, "createRoom")
	if nameErr != nil {
		return nil, nameErr
	}
	if err := a.CheckUserLimit(len(in.Members), "createRoom"); err != nil {
		return nil, err
	}
	var teamMain *model.Room
	if in.TeamID != "" {
		// An unknown team is ignored, as Rocket.Chat ignores it; a known
		// one takes the right teams.addRooms asks for.
		m, err := a.teamMain(ctx, a.store, TeamRef{ID: in.TeamID}, nil)
		if err != nil {
			return nil, err
		}
		if m != nil && !a.HasRoomPermission(ctx, actor, "move-room-to-team", m.ID) {
			return nil, errNoTeamChannelPerm
		}
		teamMain = m
	}
	now := a.now()
	sysMes := true
	// A channel or group always carries its customFields, {} when none
	// were given, as Rocket.Chat's createChannel and createPrivateGroup do.
	if in.CustomFields == nil {
		in.CustomFields = map[string]any{}
	}
	r := &model.Room{
		ID: model.NewID(), T: in.Type, Name: name, FName: fname, Ts: now, UpdatedAt: now,
		Ro: in.ReadOnly, SysMes: &sysMes, Topic: in.Topic, Description: in.Description,
		Broadcast: in.Broadcast, Encrypted: a.encryptedByDefault(in.Type, in.Encrypted), CustomFields: in.CustomFields,
	}
	owner := actor.Ref()
	r.U = &owner
	if teamMain != nil {
		r.TeamID = teamMain.TeamID
	}
	err := a.tx(ctx, func(st store.Store) error {
		if _, err := st.Rooms().GetByName(ctx, name); err == nil {
			return E("error-duplicate-channel-name", "A channel with name '"+name+"' exists").With(map[string]any{"method": "createRoom", "channel_name": name})
		} else if !isNotFound(err) {
			return err
		}
		if err := st.Rooms().Create(ctx, r); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return E("error-duplicate-channel-name", "A channel with name '"+name+"' exists").With(map[string]any{"method": "createRoom", "channel_name": name})
			}
			return err
		}
		if !in.ExcludeSelf {
			if _, err := a.addMember(ctx, st, r, actor, nil, true); err != nil {
				return err
			}
		}
		if err := a.inviteByName(ctx, st, r, actor, in.Members); err != nil {
			return err
		}
		if teamMain != nil && r.T == model.RoomChannel {
			if _, err := a.systemMessage(ctx, st, teamMain, actor, "user-added-room-to-team", r.Name, nil); err != nil {
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
	return r, nil
}

// inviteByName subscribes the users named (with or without "@") to r as
// inviter's guests. Rocket.Chat skips names that match nobody, repeats,
// and the inviter, who joins on other terms.
func (a *App) inviteByName(ctx context.Context, st store.Store, r *model.Room, inviter *model.User, names []string) error {
	seen := map[string]bool{inviter.Username: true}
	for _, name := range names {
		name = strings.TrimPrefix(strings.TrimSpace(name), "@")
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		m, err := st.Users().GetByUsername(ctx, name)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		if _, err := a.addMember(ctx, st, r, m, inviter, false); err != nil {
			return err
		}
	}
	return nil
}

// addMember subscribes u to r (if not yet) and bumps usersCount. The owner
// flag makes u the room's owner, as the creator is.
func (a *App) addMember(ctx context.Context, st store.Store, r *model.Room, u *model.User, inviter *model.User, owner bool) (*model.Subscription, error) {
	if existing, err := st.Subscriptions().Get(ctx, r.ID, u.ID); err == nil {
		return existing, nil
	} else if !isNotFound(err) {
		return nil, err
	}
	if banned, err := st.Bans().Exists(ctx, r.ID, u.ID); err != nil {
		return nil, err
	} else if banned {
		return nil, errUserBanned
	}
	now := a.now()
	s := &model.Subscription{
		ID: model.NewID(), RID: r.ID, U: model.UserRef{ID: u.ID, Username: u.Username, Name: u.Name},
		T: r.T, Name: r.Name, FName: r.FName, Ts: now, UpdatedAt: now, Open: true, Prid: r.Prid,
	}
	if owner {
		s.Roles = []string{"owner"}
		s.Ls = &now
	}
	userNotifyDefaults(s, u)
	if lang, ok := a.autoTranslateOnJoin(u); ok && r.T != model.RoomDirect {
		on := true
		s.AutoTranslate = &on
		s.AutoTranslateLanguage = lang
	}
	if err := st.Subscriptions().Create(ctx, s); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return st.Subscriptions().Get(ctx, r.ID, u.ID)
		}
		return nil, err
	}
	if err := st.Rooms().AddUsersCount(ctx, r.ID, 1); err != nil {
		return nil, err
	}
	a.emit(st, events.SubscriptionChanged, r.ID, u.ID, s.ID)
	a.emit(st, events.RoomChanged, r.ID, u.ID, r.ID)
	return s, nil
}

func userLanguage(u *model.User) string {
	if u.Language != "" {
		return u.Language
	}
	if u.Settings != nil {
		if l, ok := u.Settings.Preferences["language"].(string); ok {
			return l
		}
	}
	return ""
}

// RoomRef names a room by id or by name, as the channels.* and groups.*
// endpoints accept.
type RoomRef struct {
	ID   string
	Name string
}

// errRoomNotFound is the refusal for a room of type t that is missing or
// hidden from the caller.
func errRoomNotFound(t string) error {
	return E("error-room-not-found", `The required "roomId" or "roomName" param provided does not match any `+roomWord(t))
}

// findRoom loads a room of type t by id or name for actor. A room the actor
// cannot see is reported as missing, so that nothing about it leaks.
func (a *App) findRoom(ctx context.Context, actor *model.User, ref RoomRef, t string) (*model.Room, error) {
	r, err := a.lookupRoom(ctx, ref, t)
	if err != nil {
		return nil, err
	}
	if t == model.RoomGroup {
		if err := a.requireSee(ctx, r, actor, errRoomNotFound(t)); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// roomByIDOrName reads the room a request names by id or, failing that,
// by name (a leading '#' allowed); errors are the store's.
func (a *App) roomByIDOrName(ctx context.Context, ref RoomRef) (*model.Room, error) {
	if ref.ID != "" {
		return a.store.Rooms().Get(ctx, ref.ID)
	}
	return a.store.Rooms().GetByName(ctx, strings.TrimPrefix(ref.Name, "#"))
}

// lookupRoom is findRoom without the caller's access check, for callers
// that check access their own way.
func (a *App) lookupRoom(ctx context.Context, ref RoomRef, t string) (*model.Room, error) {
	if ref.ID == "" && ref.Name == "" {
		return nil, E("error-roomid-param-not-provided", `The parameter "roomId" or "roomName" is required`)
	}
	notFound := errRoomNotFound(t)
	r, err := a.roomByIDOrName(ctx, ref)
	if isNotFound(err) || (err == nil && r.T != t) {
		return nil, notFound
	}
	if err != nil {
		return nil, a.storeErr(err)
	}
	return r, nil
}

// RoomInfo is channels.info / groups.info.
func (a *App) RoomInfo(ctx context.Context, actor *model.User, ref RoomRef, t string) (*model.Room, error) {
	r, err := a.findRoom(ctx, actor, ref, t)
	if err != nil {
		return nil, err
	}
	if err := a.requireSee(ctx, r, actor, ErrNotAllowed); err != nil {
		return nil, err
	}
	return r, nil
}

// GetRoomInfo is rooms.info, for any room type: the room, with its team
// and its parent when it has them.
func (a *App) GetRoomInfo(ctx context.Context, actor *model.User, id, name string) (*RoomInfo, error) {
	if id == "" && name == "" {
		return nil, E("error-roomid-param-not-provided", `The parameter "roomId" or "roomName" is required`)
	}
	var (
		r   *model.Room
		err error
	)
	if id != "" {
		r, err = a.store.Rooms().Get(ctx, id)
	} else {
		r, err = a.store.Rooms().GetByName(ctx, name)
	}
	if isNotFound(err) {
		return nil, E("error-room-not-found", "The required \"roomId\" or \"roomName\" param provided does not match any room")
	}
	if err != nil {
		return nil, a.storeErr(err)
	}
	if err := a.requireSee(ctx, r, actor, errRoomsNotAllowed); err != nil {
		return nil, err
	}
	return a.roomInfo(ctx, r)
}

// Invitees names the users to invite the ways a client may: one by id or
// by username (User is an older name for Username), or a list of either.
type Invitees struct {
	UserID, Username, User string
	UserIDs, Usernames     []string
}

// resolve finds the users the invitees name. Lists win over the single
// names, which are added to them; ids win over usernames. Users that do
// not exist are left out, so the result may be empty.
func (in Invitees) resolve(ctx context.Context, users store.Users) ([]string, error) {
	sole := cmp.Or(in.UserID, in.Username, in.User)
	list := in.UserIDs
	if list == nil {
		list = in.Usernames
	}
	seen := map[string]bool{}
	var names []string
	for _, n := range append(slices.Clone(list), sole) {
		if n != "" && !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil, E("error-users-params-not-provided", `Please provide "userId" or "username" or "userIds" or "usernames" as param`)
	}
	var (
		found []*model.User
		err   error
	)
	if in.UserIDs != nil || in.UserID != "" {
		found, err = users.GetMany(ctx, names)
	} else {
		found, err = users.GetManyByUsername(ctx, names)
	}
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(found))
	for _, u := range found {
		ids = append(ids, u.ID)
	}
	return ids, nil
}

// errNoInvitees is channels.invite's and groups.invite's answer when none
// of the named users exists; channels.invite words it with its error and
// errorType the other way round.
func errNoInvitees(t string) *Error {
	if t == model.RoomGroup {
		return E("error-empty-invite-list", "Cannot invite if no valid users are provided")
	}
	return &Error{Status: http.StatusBadRequest, Type: "Cannot invite if no users are provided", Reason: "invalid-user-invite-list", Plain: true}
}

// Invite adds users to a room (channels.invite / groups.invite), each
// announced with an "au" message, as addUsersToRoom does.
func (a *App) Invite(ctx context.Context, actor *model.User, ref RoomRef, t string, inv Invitees) (*model.Room, error) {
	r, err := a.findRoom(ctx, actor, ref, t)
	if err != nil {
		return nil, err
	}
	userIDs, err := inv.resolve(ctx, a.store.Users())
	if err != nil {
		return nil, a.storeErr(err)
	}
	if len(userIDs) == 0 {
		return nil, errNoInvitees(t)
	}
	if err := a.CheckUserLimit(len(userIDs), "addUsersToRoom"); err != nil {
		return nil, err
	}
	sub, err := a.store.Subscriptions().Get(ctx, r.ID, actor.ID)
	if err != nil && !isNotFound(err) {
		return nil, a.storeErr(err)
	}
	joined := err == nil
	anyPerm := "add-user-to-any-" + t + "-room"
	allowed := a.hasSubPermission(actor, sub, anyPerm) || (joined && a.hasSubPermission(actor, sub, "add-user-to-joined-room"))
	if !allowed {
		return nil, ErrNotAllowed.With(map[string]any{"method": "addUsersToRoom"})
	}
	if r.Archived {
		return nil, E("error-room-archived", "The "+roomWord(t)+", "+r.Name+", is archived")
	}
	err = a.tx(ctx, func(st store.Store) error {
		for _, id := range userIDs {
			u, err := st.Users().Get(ctx, id)
			if isNotFound(err) {
				return E("error-invalid-user", "Invalid user").With(map[string]any{"method": "addUsersToRoom"})
			}
			if err != nil {
				return err
			}
			if err := a.addInvited(ctx, st, r, u, actor); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a.reloadRoom(ctx, r.ID)
}

func (a *App) reloadRoom(ctx context.Context, id string) (*model.Room, error) {
	r, err := a.store.Rooms().Get(ctx, id)
	return r, a.storeErr(err)
}

// Join is channels.join without a join code.
func (a *App) Join(ctx context.Context, actor *model.User, ref RoomRef) (*model.Room, error) {
	return a.JoinWithCode(ctx, actor, ref, "")
}

// Leave is channels.leave / groups.leave.
func (a *App) Leave(ctx context.Context, actor *model.User, ref RoomRef, t string) (*model.Room, error) {
	r, err := a.findRoom(ctx, actor, ref, t)
	if err != nil {
		return nil, err
	}
	if err := a.leave(ctx, actor, r); err != nil {
		return nil, err
	}
	return a.reloadRoom(ctx, r.ID)
}

// leave takes actor out of room r, as Rocket.Chat's leaveRoom method does:
// a direct conversation cannot be left, and leave-c / leave-p say who may
// leave channels and groups.
func (a *App) leave(ctx context.Context, actor *model.User, r *model.Room) error {
	notAllowed := E("error-not-allowed", "Not allowed").With(map[string]any{"method": "leaveRoom"})
	if r.T == model.RoomDirect {
		return notAllowed
	}
	if (r.T == model.RoomChannel || r.T == model.RoomGroup) && !a.HasPermission(actor, "leave-"+r.T) {
		return notAllowed
	}
	return a.tx(ctx, func(st store.Store) error {
		if err := a.takeOut(ctx, st, r.ID, actor.ID, "You are not in this room", "leaveRoom"); err != nil {
			return err
		}
		_, err := a.systemMessage(ctx, st, r, actor, "ul", actor.Username, nil)
		return err
	})
}

// takeOut removes member uid from room rid, for leaving and kicking alike:
// notIn is the refusal when uid is not a member (worded for the caller),
// and the room's only owner may not go.
func (a *App) takeOut(ctx context.Context, st store.Store, rid, uid, notIn, method string) error {
	sub, err := st.Subscriptions().Get(ctx, rid, uid)
	if isNotFound(err) {
		return E("error-user-not-in-room", notIn).With(map[string]any{"method": method})
	}
	if err != nil {
		return err
	}
	if err := a.checkNotLastOwner(ctx, st, rid, sub, method); err != nil {
		return err
	}
	return a.removeMember(ctx, st, rid, uid)
}

// checkNotLastOwner refuses to remove the room's only owner.
func (a *App) checkNotLastOwner(ctx context.Context, st store.Store, rid string, sub *model.Subscription, method string) error {
	if !sub.HasRole("owner") {
		return nil
	}
	owners, err := a.countRole(ctx, st, rid, "owner")
	if err != nil {
		return err
	}
	if owners <= 1 {
		return E("error-you-are-last-owner", "You are the last owner. Please set new owner before leaving the room.").With(map[string]any{"method": method})
	}
	return nil
}

func (a *App) countRole(ctx context.Context, st store.Store, rid, role string) (int, error) {
	subs, _, err := st.Subscriptions().ListByRoom(ctx, rid, store.ListOptions{})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range subs {
		if s.HasRole(role) {
			n++
		}
	}
	return n, nil
}

func (a *App) removeMember(ctx context.Context, st store.Store, rid, uid string) error {
	if err := st.Subscriptions().Delete(ctx, rid, uid); err != nil {
		return err
	}
	if err := st.Rooms().AddUsersCount(ctx, rid, -1); err != nil {
		return err
	}
	a.emit(st, events.SubscriptionRemoved, rid, uid, "")
	a.emit(st, events.RoomChanged, rid, uid, rid)
	return nil
}

// Kick is channels.kick / groups.kick. A holder of
// kick-user-from-any-c-room (channels) or kick-user-from-any-p-room
// (groups) may kick from rooms they cannot see, and kicking a non-member
// then succeeds without doing anything.
func (a *App) Kick(ctx context.Context, actor *model.User, ref RoomRef, t, userID, username string) (*model.Room, error) {
	r, err := a.lookupRoom(ctx, ref, t)
	if err != nil {
		return nil, err
	}
	if !a.HasRoomPermission(ctx, actor, "remove-user", r.ID) {
		return nil, ErrNotAllowed.With(map[string]any{"method": "removeUserFromRoom"})
	}
	kickAny := a.HasPermission(actor, "kick-user-from-any-"+t+"-room")
	if !kickAny {
		if err := a.requireSee(ctx, r, actor, errRoomNotFound(model.RoomGroup)); err != nil {
			return nil, err
		}
	}
	target, err := a.userByIDOrName(ctx, userID, username)
	if isNotFound(err) {
		return nil, E("error-invalid-user", "Invalid user").With(map[string]any{"method": "removeUserFromRoom"})
	}
	if err != nil {
		return nil, a.storeErr(err)
	}
	err = a.tx(ctx, func(st store.Store) error {
		if kickAny {
			if _, err := st.Subscriptions().Get(ctx, r.ID, target.ID); isNotFound(err) {
				return nil
			}
		}
		if err := a.takeOut(ctx, st, r.ID, target.ID, "User is not in this room", "removeUserFromRoom"); err != nil {
			return err
		}
		_, err := a.systemMessage(ctx, st, r, actor, "ru", target.Username, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	return a.reloadRoom(ctx, r.ID)
}

// DeleteRoom is channels.delete / groups.delete: the room and every
// membership go.
func (a *App) DeleteRoom(ctx context.Context, actor *model.User, ref RoomRef, t string) error {
	r, err := a.findRoom(ctx, actor, ref, t)
	if err != nil {
		return err
	}
	if !a.HasRoomPermission(ctx, actor, "delete-"+t, r.ID) {
		return ErrNotAllowed.With(map[string]any{"method": "eraseRoom"})
	}
	return a.tx(ctx, func(st store.Store) error {
		return a.eraseRoom(ctx, st, actor.ID, r.ID)
	})
}

// eraseRoom removes a room and everything that hangs off it.
func (a *App) eraseRoom(ctx context.Context, st store.Store, actorID, rid string) error {
	if err := a.eraseTeamOf(ctx, st, actorID, rid); err != nil {
		return err
	}
	if err := a.dropRoomFiles(ctx, st, rid); err != nil {
		return err
	}
	if err := st.Messages().DeleteByRoom(ctx, rid); err != nil {
		return err
	}
	// The members are named before their subscriptions go, so that each
	// hears that the room left their list.
	members, _, err := st.Subscriptions().ListByRoom(ctx, rid, store.ListOptions{})
	if err != nil {
		return err
	}
	for _, s := range members {
		a.emit(st, events.SubscriptionRemoved, rid, s.U.ID, s.ID)
	}
	if err := st.Subscriptions().DeleteByRoom(ctx, rid); err != nil {
		return err
	}
	if err := a.dropRoomModeration(ctx, st, rid); err != nil {
		return err
	}
	a.emit(st, events.RoomDeleted, rid, actorID, rid)
	r, err := st.Rooms().Get(ctx, rid)
	if err != nil {
		return err
	}
	if r.AvatarETag != "" {
		a.onCommit(st, func() { a.dropBlob(avatarKey(r.AvatarETag)) })
	}
	return st.Rooms().Delete(ctx, rid)
}

// SetRoomRole adds or removes a room-scoped role (owner, moderator, leader)
// on a member's subscription.
func (a *App) SetRoomRole(ctx context.Context, actor *model.User, ref RoomRef, t, userID, role string, add bool) error {
	r, err := a.findRoom(ctx, actor, ref, t)
	if err != nil {
		return err
	}
	if !a.HasRoomPermission(ctx, actor, "set-"+role, r.ID) {
		return ErrNotAllowed.With(map[string]any{"method": "addRoom" + strings.ToUpper(role[:1]) + role[1:]})
	}
	return a.tx(ctx, func(st store.Store) error {
		sub, err := st.Subscriptions().GetForUpdate(ctx, r.ID, userID)
		if isNotFound(err) {
			return E("error-user-not-in-room", "User is not in this room")
		}
		if err != nil {
			return err
		}
		has := sub.HasRole(role)
		switch {
		case add && has:
			return E("error-user-already-"+role, "User is already "+a.roleArticle(role))
		case !add && !has:
			return E("error-user-not-"+role, "User is not "+a.roleArticle(role))
		case add:
			sub.Roles = append(sub.Roles, role)
		default:
			if role == "owner" {
				n, err := a.countRole(ctx, st, r.ID, "owner")
				if err != nil {
					return err
				}
				if n <= 1 {
					return E("error-remove-last-owner", "This is the last owner. Please set a new owner before removing this one.")
				}
			}
			kept := sub.Roles[:0]
			for _, x := range sub.Roles {
				if x != role {
					kept = append(kept, x)
				}
			}
			sub.Roles = kept
		}
		sub.UpdatedAt = a.now()
		a.emit(st, events.SubscriptionChanged, r.ID, userID, sub.ID)
		return st.Subscriptions().Update(ctx, sub)
	})
}

func (a *App) roleArticle(role string) string {
	if role == "owner" {
		return "an owner"
	}
	return "a " + role
}

// ListRooms lists rooms of the given types; with joinedBy set only those
// that user is subscribed to. Otherwise, when viewer is not nil, the rooms
// of teams are listed only when the viewer is in them, as Rocket.Chat's
// channels.list does.
func (a *App) ListRooms(ctx context.Context, viewer *model.User, types []string, joinedBy string, nameFilter string, opts store.ListOptions) ([]*model.Room, int, error) {
	f := store.RoomFilter{Types: types, Name: nameFilter}
	if joinedBy != "" {
		subs, err := a.store.Subscriptions().ListByUser(ctx, joinedBy, 0)
		if err != nil {
			return nil, 0, a.storeErr(err)
		}
		f.IDs = []string{}
		for _, s := range subs {
			f.IDs = append(f.IDs, s.RID)
		}
	} else if viewer != nil {
		ids, err := a.teamJoinedRooms(ctx, viewer.ID)
		if err != nil {
			return nil, 0, err
		}
		f.TeamRoomsAmong = ids
	}
	list, total, err := a.store.Rooms().List(ctx, f, opts)
	return list, total, a.storeErr(err)
}

// SubscribedRooms is rooms.get: the actor's rooms changed after since.
func (a *App) SubscribedRooms(ctx context.Context, actor *model.User, since model.Time) ([]*model.Room, error) {
	subs, err := a.store.Subscriptions().ListByUser(ctx, actor.ID, 0)
	if err != nil {
		return nil, a.storeErr(err)
	}
	ids := make([]string, 0, len(subs))
	for _, s := range subs {
		ids = append(ids, s.RID)
	}
	rooms, _, err := a.store.Rooms().List(ctx, store.RoomFilter{IDs: ids}, store.ListOptions{})
	if err != nil {
		return nil, a.storeErr(err)
	}
	out := rooms[:0]
	for _, r := range rooms {
		if since == 0 || r.UpdatedAt > since {
			out = append(out, r)
		}
	}
	return out, nil
}

// RoomMembers lists the users subscribed to r.
func (a *App) RoomMembers(ctx context.Context, r *model.Room, opts store.ListOptions) ([]*model.User, int, error) {
	subs, total, err := a.store.Subscriptions().ListByRoom(ctx, r.ID, opts)
	if err != nil {
		return nil, 0, a.storeErr(err)
	}
	ids := make([]string, 0, len(subs))
	for _, s := range subs {
		ids = append(ids, s.U.ID)
	}
	users, err := a.store.Users().GetMany(ctx, ids)
	return users, total, a.storeErr(err)
}

// encryptedByDefault is whether a new room of type t is encrypted: as
// asked, or else as the E2E_Enabled_Default_* setting of its type says
// while E2E_Enable is on. nil leaves the room without the field, as
// Rocket.Chat leaves it.
func (a *App) encryptedByDefault(t string, asked *bool) *bool {
	if asked != nil || !a.Settings.Bool("E2E_Enable") {
		return asked
	}
	if (t == model.RoomGroup && a.Settings.Bool("E2E_Enabled_Default_PrivateRooms")) ||
		(t == model.RoomDirect && a.Settings.Bool("E2E_Enabled_Default_DirectRooms")) {
		return new(true)
	}
	return nil
}
