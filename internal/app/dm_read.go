package app

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// DirectCounters is dm.counters' answer; nil fields are unknown to the
// caller and encode as null.
type DirectCounters struct {
	Joined       bool    `json:"joined"`
	Members      *int    `json:"members"`
	Unreads      *int64  `json:"unreads"`
	UnreadsFrom  *string `json:"unreadsFrom"`
	Msgs         *int64  `json:"msgs"`
	Latest       *string `json:"latest"`
	UserMentions *int64  `json:"userMentions"`
}

// Counters is dm.counters for the caller, or for userID when the caller
// holds view-room-administration.
func (a *App) Counters(ctx context.Context, actor *model.User, roomID, userID string) (*DirectCounters, error) {
	if roomID == "" {
		return nil, E("error-room-param-not-provided", `Query param "roomId" is required`)
	}
	admin := a.HasPermission(actor, "view-room-administration")
	target := actor
	if userID != "" {
		if !admin {
			return nil, ErrForbidden
		}
		u, err := a.store.Users().Get(ctx, userID)
		if isNotFound(err) {
			return nil, ErrForbidden
		}
		if err != nil {
			return nil, a.storeErr(err)
		}
		target = u
	}
	r, err := a.directByID(ctx, target, roomID)
	if err != nil {
		return nil, err
	}
	out := &DirectCounters{}
	sub, err := a.store.Subscriptions().Get(ctx, r.ID, target.ID)
	switch {
	case err == nil:
		out.Joined = true
		out.Unreads, out.UserMentions = &sub.Unread, &sub.UserMentions
		if sub.Ls != nil && r.Msgs > 0 {
			s := sub.Ls.String()
			out.UnreadsFrom = &s
		}
	case !isNotFound(err):
		return nil, a.storeErr(err)
	}
	if admin || out.Joined {
		msgs := r.Msgs
		out.Msgs = &msgs
		latest := r.UpdatedAt.String()
		if r.LM != nil {
			latest = r.LM.String()
		}
		out.Latest = &latest
		users, err := a.store.Users().GetMany(ctx, r.UIDs)
		if err != nil {
			return nil, a.storeErr(err)
		}
		n := 0
		for _, u := range users {
			if u.Active {
				n++
			}
		}
		out.Members = &n
	}
	return out, nil
}

// DirectHistory is dm.history: getChannelHistory on the conversation.
func (a *App) DirectHistory(ctx context.Context, actor *model.User, roomID string, q HistoryQuery) (*HistoryResult, error) {
	if roomID == "" {
		return nil, E("error-room-param-not-provided", `Query param "roomId" is required`)
	}
	r, err := a.findDirect(ctx, actor, DirectRef{RoomID: roomID})
	if err != nil {
		return nil, err
	}
	return a.History(ctx, actor, r, q)
}

// MessagesQuery filters a room's messages (dm.messages, channels.messages,
// groups.messages).
type MessagesQuery struct {
	MentionIDs []string // user ids
	StarredIDs []string // user ids
	Pinned     bool
}

// roomMessages lists r's visible messages matching q, newest first unless
// opts sorts.
func (a *App) roomMessages(ctx context.Context, actor *model.User, r *model.Room, q MessagesQuery, opts store.ListOptions) (*MessagePage, error) {
	f := store.MessageFilter{RID: r.ID, ExcludeHidden: true, Pinned: q.Pinned, StarredByAny: q.StarredIDs}
	if len(q.MentionIDs) > 0 {
		users, err := a.store.Users().GetMany(ctx, q.MentionIDs)
		if err != nil {
			return nil, a.storeErr(err)
		}
		f.MentionedAny = []string{}
		for _, u := range users {
			f.MentionedAny = append(f.MentionedAny, u.Username)
		}
		if len(f.MentionedAny) == 0 {
			return &MessagePage{Messages: []*model.Message{}}, nil
		}
	}
	return a.listShaped(ctx, actor, f, opts)
}

// DirectMessages is dm.messages.
func (a *App) DirectMessages(ctx context.Context, actor *model.User, ref DirectRef, q MessagesQuery, opts store.ListOptions) (*MessagePage, error) {
	r, err := a.directForRead(ctx, actor, ref)
	if err != nil {
		return nil, err
	}
	return a.roomMessages(ctx, actor, r, q, opts)
}

// RoomMessages is channels.messages / groups.messages.
func (a *App) RoomMessages(ctx context.Context, actor *model.User, ref RoomRef, t string, q MessagesQuery, opts store.ListOptions) (*MessagePage, error) {
	r, err := a.findRoom(ctx, actor, ref, t)
	if err != nil {
		return nil, err
	}
	if err := a.requireSee(ctx, r, actor, ErrForbidden); err != nil {
		return nil, err
	}
	return a.roomMessages(ctx, actor, r, q, opts)
}

// DirectMessagesOthers is dm.messages.others: any conversation's messages,
// hidden ones included, for administrators, when the endpoint is enabled.
// route names the endpoint in the refusal's details.
func (a *App) DirectMessagesOthers(ctx context.Context, actor *model.User, roomID, route string, opts store.ListOptions) (*MessagePage, error) {
	if !a.HasPermission(actor, "view-room-administration") {
		return nil, ErrPermissionsRequired
	}
	if !a.Settings.Bool("API_Enable_Direct_Message_History_EndPoint") {
		return nil, E("error-endpoint-disabled", "This endpoint is disabled").With(map[string]any{"route": route})
	}
	if roomID == "" {
		return nil, E("error-roomid-param-not-provided", `The parameter "roomId" is required`)
	}
	r, err := a.store.Rooms().Get(ctx, roomID)
	if isNotFound(err) || (err == nil && r.T != model.RoomDirect) {
		return nil, E("error-room-not-found", "No direct message room found by the id of: "+roomID)
	}
	if err != nil {
		return nil, a.storeErr(err)
	}
	return a.listShaped(ctx, actor, store.MessageFilter{RID: r.ID}, opts)
}

// ListDirect is dm.list: every conversation the caller has, closed ones
// too.
func (a *App) ListDirect(ctx context.Context, actor *model.User, opts store.ListOptions) ([]*model.Room, int, error) {
	subs, err := a.store.Subscriptions().ListByUser(ctx, actor.ID, 0)
	if err != nil {
		return nil, 0, a.storeErr(err)
	}
	ids := []string{}
	for _, s := range subs {
		if s.T == model.RoomDirect {
			ids = append(ids, s.RID)
		}
	}
	return a.listDirectRooms(ctx, store.RoomFilter{Types: []string{model.RoomDirect}, IDs: ids}, opts)
}

// ListAllDirect is dm.list.everyone, for view-room-administration holders.
func (a *App) ListAllDirect(ctx context.Context, actor *model.User, opts store.ListOptions) ([]*model.Room, int, error) {
	if !a.HasPermission(actor, "view-room-administration") {
		return nil, 0, ErrPermissionsRequired
	}
	return a.listDirectRooms(ctx, store.RoomFilter{Types: []string{model.RoomDirect}}, opts)
}

func (a *App) listDirectRooms(ctx context.Context, f store.RoomFilter, opts store.ListOptions) ([]*model.Room, int, error) {
	if len(opts.Sort) == 0 {
		opts.Sort = []store.SortField{{Field: "name"}}
	}
	rooms, total, err := a.store.Rooms().List(ctx, f, opts)
	if err != nil {
		return nil, 0, a.storeErr(err)
	}
	if rooms == nil {
		rooms = []*model.Room{}
	}
	for _, r := range rooms {
		// Conversations opened before sysMes was stored show system
		// messages all the same.
		if r.SysMes == nil {
			on := true
			r.SysMes = &on
		}
	}
	return rooms, total, nil
}

// MembersQuery filters dm.members.
type MembersQuery struct {
	Status []string
	// Filter matches Accounts_SearchFields case-insensitively.
	Filter string
	// UsernameDesc reverses the secondary order by username.
	UsernameDesc bool
}

// Member is one entry of dm.members.
type Member struct {
	ID           string         `json:"_id"`
	Username     string         `json:"username"`
	Name         string         `json:"name,omitempty"`
	Status       string         `json:"status,omitempty"`
	StatusText   string         `json:"statusText,omitempty"`
	UTCOffset    int            `json:"utcOffset"`
	Subscription map[string]any `json:"subscription"`
	updatedAt    model.Time
}

// DirectMembers is dm.members: the conversation's active members, most
// recently updated first, each with a little of their subscription.
func (a *App) DirectMembers(ctx context.Context, actor *model.User, ref DirectRef, q MembersQuery, offset, count int) ([]Member, int, error) {
	r, err := a.directForRead(ctx, actor, ref)
	if err != nil {
		return nil, 0, err
	}
	users, err := a.store.Users().GetMany(ctx, r.UIDs)
	if err != nil {
		return nil, 0, a.storeErr(err)
	}
	subs, _, err := a.store.Subscriptions().ListByRoom(ctx, r.ID, store.ListOptions{})
	if err != nil {
		return nil, 0, a.storeErr(err)
	}
	bySub := map[string]*model.Subscription{}
	for _, s := range subs {
		bySub[s.U.ID] = s
	}
	filter := strings.ToLower(q.Filter)
	fields := strings.Split(a.Settings.String("Accounts_SearchFields"), ",")
	var all []Member
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
		m := Member{ID: u.ID, Username: u.Username, Name: u.Name, Status: u.Status, StatusText: u.StatusText,
			UTCOffset: u.UTCOffset, Subscription: map[string]any{}, updatedAt: u.UpdatedAt}
		if s := bySub[u.ID]; s != nil {
			m.Subscription = map[string]any{"_id": s.ID, "ts": s.Ts}
			if len(s.Roles) > 0 {
				m.Subscription["roles"] = s.Roles
			}
		}
		all = append(all, m)
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].updatedAt != all[j].updatedAt {
			return all[i].updatedAt > all[j].updatedAt
		}
		if q.UsernameDesc {
			return all[i].Username > all[j].Username
		}
		return all[i].Username < all[j].Username
	})
	total := len(all)
	if offset > len(all) {
		offset = len(all)
	}
	all = all[offset:]
	if count > 0 && count < len(all) {
		all = all[:count]
	}
	if all == nil {
		all = []Member{}
	}
	return all, total, nil
}

// userMatches applies a members filter to the search fields.
func userMatches(u *model.User, fields []string, filter string) bool {
	for _, f := range fields {
		var v string
		switch strings.TrimSpace(f) {
		case "username":
			v = u.Username
		case "name":
			v = u.Name
		case "bio":
			v = u.Bio
		case "nickname":
			v = u.Nickname
		case "emails.address":
			v = u.PrimaryEmail()
		}
		if v != "" && strings.Contains(strings.ToLower(v), filter) {
			return true
		}
	}
	return false
}

// FilesQuery filters dm.files.
type FilesQuery struct {
	Name          string
	TypeGroup     string
	OnlyConfirmed bool
}

// DirectFiles is dm.files.
func (a *App) DirectFiles(ctx context.Context, actor *model.User, ref DirectRef, q FilesQuery, opts store.ListOptions) ([]*model.File, int, error) {
	r, err := a.directForRead(ctx, actor, ref)
	if err != nil {
		return nil, 0, err
	}
	return a.roomFiles(ctx, r, q, opts)
}

// roomFiles lists r's uploads with their uploader.
func (a *App) roomFiles(ctx context.Context, r *model.Room, q FilesQuery, opts store.ListOptions) ([]*model.File, int, error) {
	list, total, err := a.store.Files().List(ctx, store.FileFilter{RID: r.ID, Name: q.Name, TypeGroup: q.TypeGroup, NotTypeGroup: "thumb", OnlyConfirmed: q.OnlyConfirmed}, opts)
	if err != nil {
		return nil, 0, a.storeErr(err)
	}
	var ids []string
	for _, f := range list {
		if !slices.Contains(ids, f.UserID) {
			ids = append(ids, f.UserID)
		}
	}
	users, err := a.store.Users().GetMany(ctx, ids)
	if err != nil {
		return nil, 0, a.storeErr(err)
	}
	for _, f := range list {
		for _, u := range users {
			if u.ID == f.UserID {
				ref := model.UserRef{ID: u.ID, Username: u.Username, Name: u.Name}
				f.User = &ref
			}
		}
	}
	if list == nil {
		list = []*model.File{}
	}
	return list, total, nil
}
