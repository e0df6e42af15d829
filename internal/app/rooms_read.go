package app

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// readRoom loads a channel or private group for the read endpoints of the
// channels.* and groups.* families. A private group the actor cannot
// access is reported as missing; checkArchived refuses an archived room,
// as Rocket.Chat's lookups for these endpoints do.
func (a *App) readRoom(ctx context.Context, actor *model.User, ref RoomRef, t string, checkArchived bool) (*model.Room, error) {
	r, err := a.findRoom(ctx, actor, ref, t)
	if err != nil {
		return nil, err
	}
	if checkArchived && r.Archived {
		return nil, errArchived(r)
	}
	return r, nil
}

// errArchived is the refusal of an archived room, worded per type.
func errArchived(r *model.Room) error {
	if r.T == model.RoomGroup {
		name := r.Name
		if r.Prid != "" && r.FName != "" {
			name = r.FName
		}
		return E("error-room-archived", "The private group, "+name+", is archived")
	}
	return E("error-room-archived", "The channel, "+r.Name+", is archived")
}

// ChannelRoles is channels.roles / groups.roles: getRoomRoles on a
// channel or group named as these families name rooms.
func (a *App) ChannelRoles(ctx context.Context, actor *model.User, ref RoomRef, t string) ([]RoomRole, error) {
	r, err := a.readRoom(ctx, actor, ref, t, true)
	if err != nil {
		return nil, err
	}
	return a.RoomRoles(ctx, actor, r.ID)
}

// RoomModerators is channels.moderators / groups.moderators.
func (a *App) RoomModerators(ctx context.Context, actor *model.User, ref RoomRef, t string) ([]model.UserRef, error) {
	r, err := a.readRoom(ctx, actor, ref, t, true)
	if err != nil {
		return nil, err
	}
	subs, _, err := a.store.Subscriptions().ListByRoom(ctx, r.ID, store.ListOptions{})
	if err != nil {
		return nil, a.storeErr(err)
	}
	out := []model.UserRef{}
	for _, s := range subs {
		if s.HasRole("moderator") {
			out = append(out, s.U)
		}
	}
	return out, nil
}

// OnlineUser is one entry of channels.online.
type OnlineUser struct {
	ID       string `json:"_id"`
	Username string `json:"username"`
}

// RoomOnline is channels.online / groups.online: the members of the room
// whose status is not offline. The room is named by id or by name.
func (a *App) RoomOnline(ctx context.Context, actor *model.User, id, name, t string) ([]OnlineUser, error) {
	if id == "" && name == "" {
		return nil, Plain("Invalid query")
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
	missing := "Channel does not exists"
	if t == model.RoomGroup {
		missing = "Group does not exists"
	}
	if isNotFound(err) || (err == nil && (r.T != t || (id != "" && name != "" && !strings.EqualFold(r.Name, name)))) {
		return nil, Plain(missing)
	}
	if err != nil {
		return nil, a.storeErr(err)
	}
	if err := a.requireSee(ctx, r, actor, E("error-not-allowed", "Not Allowed")); err != nil {
		return nil, err
	}
	members, err := a.roomUsers(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	out := []OnlineUser{}
	for _, u := range members {
		if u.Status != "" && u.Status != "offline" {
			out = append(out, OnlineUser{ID: u.ID, Username: u.Username})
		}
	}
	return out, nil
}

// roomUsers loads every member of room rid, ordered by username.
func (a *App) roomUsers(ctx context.Context, rid string) ([]*model.User, error) {
	subs, _, err := a.store.Subscriptions().ListByRoom(ctx, rid, store.ListOptions{})
	if err != nil {
		return nil, a.storeErr(err)
	}
	ids := make([]string, 0, len(subs))
	for _, s := range subs {
		ids = append(ids, s.U.ID)
	}
	users, err := a.store.Users().GetMany(ctx, ids)
	if err != nil {
		return nil, a.storeErr(err)
	}
	sort.Slice(users, func(i, j int) bool { return users[i].Username < users[j].Username })
	return users, nil
}

// RoomCounters is channels.counters / groups.counters for the caller, or
// for userID when the caller holds view-room-administration. What the
// caller may not know stays nil.
func (a *App) RoomCounters(ctx context.Context, actor *model.User, ref RoomRef, t, userID string) (*DirectCounters, error) {
	admin := a.HasPermission(actor, "view-room-administration")
	if userID != "" && !admin {
		return nil, ErrForbidden
	}
	if ref.ID == "" && ref.Name == "" {
		return nil, E("error-room-param-not-provided", `The parameter "roomId" or "roomName" is required`)
	}
	r, err := a.lookupRoom(ctx, ref, t)
	if err != nil {
		return nil, err
	}
	if r.Archived {
		return nil, errArchived(r)
	}
	target := actor.ID
	if userID != "" {
		target = userID
	}
	out := &DirectCounters{}
	sub, err := a.store.Subscriptions().Get(ctx, r.ID, target)
	if err != nil && !isNotFound(err) {
		return nil, a.storeErr(err)
	}
	latest := r.UpdatedAt
	if r.LM != nil {
		latest = *r.LM
	}
	if err == nil && sub.Open {
		out.Joined = true
		from := sub.Ts
		if sub.Ls != nil {
			from = *sub.Ls
		}
		n, err := a.store.Messages().Count(ctx, store.MessageFilter{RID: r.ID, ExcludeHidden: true,
			TsAfter: from, TsBefore: latest, TsInclusive: true})
		if err != nil {
			return nil, a.storeErr(err)
		}
		unreads, mentions, fromS := int64(n), sub.UserMentions, from.String()
		out.Unreads, out.UserMentions, out.UnreadsFrom = &unreads, &mentions, &fromS
	}
	if admin || out.Joined {
		msgs, members, latestS := r.Msgs, int(r.UsersCount), latest.String()
		out.Msgs, out.Members, out.Latest = &msgs, &members, &latestS
	}
	return out, nil
}

// RoomFiles is channels.files / groups.files: the room's uploads, for
// callers who may access the room.
func (a *App) RoomFiles(ctx context.Context, actor *model.User, ref RoomRef, t string, q FilesQuery, opts store.ListOptions) ([]*model.File, int, error) {
	r, err := a.readRoom(ctx, actor, ref, t, false)
	if err != nil {
		return nil, 0, err
	}
	if err := a.requireSee(ctx, r, actor, ErrForbidden); err != nil {
		return nil, 0, err
	}
	return a.roomFiles(ctx, r, q, opts)
}

// RoomImages is rooms.images: the room's image uploads, newest first,
// optionally starting from one upload (which leads the page even when it
// falls outside it).
func (a *App) RoomImages(ctx context.Context, actor *model.User, rid, startingFromID string, offset, count int) ([]*model.File, int, error) {
	r, err := a.store.Rooms().Get(ctx, rid)
	if err != nil && !isNotFound(err) {
		return nil, 0, a.storeErr(err)
	}
	if isNotFound(err) {
		return nil, 0, ErrForbidden
	}
	if err := a.requireSee(ctx, r, actor, ErrForbidden); err != nil {
		return nil, 0, err
	}
	all, _, err := a.store.Files().List(ctx, store.FileFilter{RID: r.ID, TypeGroup: "image", OnlyConfirmed: true},
		store.ListOptions{Sort: []store.SortField{{Field: "uploadedAt", Desc: true}}})
	if err != nil {
		return nil, 0, a.storeErr(err)
	}
	var start *model.File
	if startingFromID != "" {
		f, err := a.store.Files().Get(ctx, startingFromID)
		switch {
		case err == nil && f.RID == r.ID:
			start = f
		case err != nil && !isNotFound(err):
			return nil, 0, a.storeErr(err)
		}
	}
	if start != nil {
		kept := all[:0]
		for _, f := range all {
			if f.UploadedAt <= start.UploadedAt {
				kept = append(kept, f)
			}
		}
		all = kept
	}
	total := len(all)
	page := pageOf(all, offset, count)
	if start != nil && !slices.ContainsFunc(page, func(f *model.File) bool { return f.ID == start.ID }) {
		page = append([]*model.File{start}, page...)
	}
	return page, total, nil
}

// pageOf cuts one page out of list, as a copy that is never nil; count 0
// means the rest.
func pageOf[T any](list []T, offset, count int) []T {
	offset = min(max(offset, 0), len(list))
	list = list[offset:]
	if count > 0 && count < len(list) {
		list = list[:count]
	}
	out := make([]T, len(list))
	copy(out, list)
	return out
}

// RoomIsMember is rooms.isMember: whether the user named by id or username
// is subscribed to rid, for callers who may access the room.
func (a *App) RoomIsMember(ctx context.Context, actor *model.User, rid, userID, username string) (bool, error) {
	r, err := a.store.Rooms().Get(ctx, rid)
	if isNotFound(err) {
		return false, E("error-room-not-found", `The required "roomId" or "roomName" param provided does not match any channel`)
	}
	if err != nil {
		return false, a.storeErr(err)
	}
	u, err := a.userByIDOrName(ctx, userID, username)
	if isNotFound(err) {
		return false, Plain("error-user-not-found")
	}
	if err != nil {
		return false, a.storeErr(err)
	}
	if err := a.requireSee(ctx, r, actor, ErrForbidden); err != nil {
		return false, err
	}
	ok, err := a.store.Subscriptions().Exists(ctx, r.ID, u.ID)
	return ok, a.storeErr(err)
}

// AnonymousRead is channels.anonymousread: a public channel's messages,
// newest first, for anyone, when Accounts_AllowAnonymousRead is on.
func (a *App) AnonymousRead(ctx context.Context, actor *model.User, ref RoomRef, opts store.ListOptions) (*MessagePage, error) {
	r, err := a.lookupRoom(ctx, ref, model.RoomChannel)
	if err != nil {
		return nil, err
	}
	if !a.Settings.Bool("Accounts_AllowAnonymousRead") {
		return nil, E("error-not-allowed", `Enable "Allow Anonymous Read"`).With(map[string]any{"method": "channels.anonymousread"})
	}
	return a.listShaped(ctx, actor, store.MessageFilter{RID: r.ID, ExcludeHidden: true}, opts)
}

// RoomMembersQuery filters and orders a room's member list.
type RoomMembersQuery struct {
	Status []string
	// Filter matches Accounts_SearchFields case-insensitively.
	Filter string
	// Sort orders by username or name (others are ignored).
	Sort []store.SortField
}

// RoomMember is one entry of channels.members and its kin.
type RoomMember struct {
	ID         string   `json:"_id"`
	Username   string   `json:"username"`
	Name       string   `json:"name,omitempty"`
	Status     string   `json:"status,omitempty"`
	StatusText string   `json:"statusText,omitempty"`
	UTCOffset  int      `json:"utcOffset"`
	Roles      []string `json:"roles,omitempty"`
}

// ChannelMembers is channels.members / groups.members: the room's active
// members matching q. A broadcast room's list is shown only to holders of
// view-broadcast-member-list.
func (a *App) ChannelMembers(ctx context.Context, actor *model.User, ref RoomRef, t string, q RoomMembersQuery, offset, count int) ([]RoomMember, int, error) {
	r, err := a.RoomInfo(ctx, actor, ref, t)
	if err != nil {
		return nil, 0, err
	}
	if r.Broadcast && !a.HasRoomPermission(ctx, actor, "view-broadcast-member-list", r.ID) {
		return nil, 0, ErrForbidden
	}
	members, err := a.matchingMembers(ctx, r, q)
	if err != nil {
		return nil, 0, err
	}
	a.sortMembers(members, q.Sort)
	out := make([]RoomMember, 0, len(members))
	for _, m := range pageOf(members, offset, count) {
		out = append(out, memberView(m.user, nil))
	}
	return out, len(members), nil
}

// member is a room member with their subscription.
type member struct {
	user *model.User
	sub  *model.Subscription
}

// matchingMembers returns r's active members passing q's status and text
// filters.
func (a *App) matchingMembers(ctx context.Context, r *model.Room, q RoomMembersQuery) ([]member, error) {
	subs, _, err := a.store.Subscriptions().ListByRoom(ctx, r.ID, store.ListOptions{})
	if err != nil {
		return nil, a.storeErr(err)
	}
	bySub := make(map[string]*model.Subscription, len(subs))
	ids := make([]string, 0, len(subs))
	for _, s := range subs {
		bySub[s.U.ID] = s
		ids = append(ids, s.U.ID)
	}
	users, err := a.store.Users().GetMany(ctx, ids)
	if err != nil {
		return nil, a.storeErr(err)
	}
	filter := strings.ToLower(strings.TrimSpace(q.Filter))
	fields := strings.Split(a.Settings.String("Accounts_SearchFields"), ",")
	out := []member{}
	for _, u := range users {
		if !u.Active || u.Username == "" {
			continue
		}
		if len(q.Status) > 0 && !slices.Contains(q.Status, u.Status) {
			continue
		}
		if filter != "" && !userMatches(u, fields, filter) {
			continue
		}
		out = append(out, member{user: u, sub: bySub[u.ID]})
	}
	return out, nil
}

// sortMembers orders members by the requested username or name order;
// without one, by name when real names are shown, then by username.
func (a *App) sortMembers(list []member, by []store.SortField) {
	keys := []store.SortField{}
	for _, f := range by {
		if f.Field == "username" || f.Field == "name" {
			keys = append(keys, f)
		}
	}
	if len(keys) == 0 {
		if a.Settings.Bool("UI_Use_Real_Name") {
			keys = append(keys, store.SortField{Field: "name"})
		}
		keys = append(keys, store.SortField{Field: "username"})
	}
	sort.SliceStable(list, func(i, j int) bool { return lessMember(list[i].user, list[j].user, keys) })
}

func lessMember(x, y *model.User, keys []store.SortField) bool {
	for _, k := range keys {
		a, b := x.Username, y.Username
		if k.Field == "name" {
			a, b = strings.ToLower(x.Name), strings.ToLower(y.Name)
		}
		if a != b {
			return (a < b) != k.Desc
		}
	}
	return x.ID < y.ID
}

func memberView(u *model.User, roles []string) RoomMember {
	return RoomMember{ID: u.ID, Username: u.Username, Name: u.Name, Status: u.Status, StatusText: u.StatusText,
		UTCOffset: u.UTCOffset, Roles: roles}
}

// roleRank orders room roles as Rocket.Chat lists members by role: owners,
// then moderators, then everyone else.
func roleRank(s *model.Subscription) int {
	switch {
	case s.HasRole("owner"):
		return 0
	case s.HasRole("moderator"):
		return 1
	default:
		return 2
	}
}

// MembersOrderedByRole is rooms.membersOrderedByRole: a channel's or
// group's members, owners first, then moderators, then the rest, each
// with their room roles.
func (a *App) MembersOrderedByRole(ctx context.Context, actor *model.User, ref RoomRef, q RoomMembersQuery, offset, count int) ([]RoomMember, int, error) {
	if ref.ID == "" && ref.Name == "" {
		return nil, 0, E("error-roomid-param-not-provided", `The parameter "roomId" or "roomName" is required`)
	}
	r, err := a.roomByIDOrName(ctx, ref)
	if isNotFound(err) {
		return nil, 0, E("error-room-not-found", `The required "roomId" or "roomName" param provided does not match any channel`)
	}
	if err != nil {
		return nil, 0, a.storeErr(err)
	}
	notFound := &Error{Status: 404, Reason: `The required "roomId" or "roomName" param provided does not match any room`, Plain: true}
	if err := a.requireSee(ctx, r, actor, notFound); err != nil {
		return nil, 0, err
	}
	if r.T != model.RoomChannel && r.T != model.RoomGroup {
		return nil, 0, Plain("error-room-type-not-supported")
	}
	if r.Broadcast && !a.HasRoomPermission(ctx, actor, "view-broadcast-member-list", r.ID) {
		return nil, 0, ErrForbidden
	}
	members, err := a.matchingMembers(ctx, r, q)
	if err != nil {
		return nil, 0, err
	}
	a.sortMembers(members, q.Sort)
	sort.SliceStable(members, func(i, j int) bool {
		var ri, rj = 2, 2
		if members[i].sub != nil {
			ri = roleRank(members[i].sub)
		}
		if members[j].sub != nil {
			rj = roleRank(members[j].sub)
		}
		return ri < rj
	})
	out := make([]RoomMember, 0, len(members))
	for _, m := range pageOf(members, offset, count) {
		var roles []string
		if m.sub != nil {
			roles = m.sub.Roles
		}
		out = append(out, memberView(m.user, roles))
	}
	return out, len(members), nil
}
