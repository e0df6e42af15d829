package app

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// directRoomID is a 1:1 conversation's id: the two user ids sorted and
// joined; a conversation with oneself has the user's own id.
func directRoomID(a, b string) string {
	if a == b {
		return a
	}
	return model.DirectRoomID(a, b)
}

// openDirect returns the direct conversation of actor and other (actor
// alone when other is actor), creating the room and any missing
// subscription of its members.
func (a *App) openDirect(ctx context.Context, actor, other *model.User) (*model.Room, error) {
	return a.createDirect(ctx, actor, []*model.User{other}, false)
}

// DirectInput is dm.create's body.
type DirectInput struct {
	// Usernames are the other members (the caller may be among them).
	Usernames []string
	// ExcludeSelf leaves the caller out; it needs view-room-administration
	// and is ignored without it.
	ExcludeSelf bool
}

var errInvalidDirectUser = E("error-invalid-user", "Invalid user").With(map[string]any{"method": "createDirectMessage"})

// CreateDirect is dm.create: the conversation of the caller (unless
// excluded) and the named users, found or created.
func (a *App) CreateDirect(ctx context.Context, actor *model.User, in DirectInput) (*model.Room, error) {
	if actor.Username == "" {
		return nil, errInvalidDirectUser
	}
	exclude := in.ExcludeSelf && a.HasPermission(actor, "view-room-administration")
	var names []string
	for _, n := range in.Usernames {
		n = strings.TrimPrefix(strings.TrimSpace(n), "@")
		if n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	if len(names) == 1 && strings.EqualFold(names[0], actor.Username) && !a.Settings.Bool("Message_AllowDirectMessagesToYourself") {
		return nil, errInvalidDirectUser
	}
	var targets []*model.User
	for _, n := range names {
		if strings.EqualFold(n, actor.Username) {
			continue
		}
		u, err := a.store.Users().GetByUsername(ctx, n)
		if isNotFound(err) {
			return nil, errInvalidDirectUser
		}
		if err != nil {
			return nil, a.storeErr(err)
		}
		if !slices.ContainsFunc(targets, func(x *model.User) bool { return x.ID == u.ID }) {
			targets = append(targets, u)
		}
	}
	if len(targets) == 0 && (exclude || len(names) == 0) {
		return nil, errInvalidDirectUser
	}
	if len(targets) == 0 {
		// Only the caller was named: the conversation with oneself.
		targets = []*model.User{actor}
	}
	return a.createDirect(ctx, actor, targets, exclude)
}

// createDirect finds or creates the direct room of actor (unless exclude)
// and targets, and subscribes the members who lack a subscription. As
// Rocket.Chat does, the creator's subscription is opened on every call,
// the others' only start open in a group conversation: in a 1:1 one the
// recipient sees it when the first message arrives.
func (a *App) createDirect(ctx context.Context, actor *model.User, targets []*model.User, exclude bool) (*model.Room, error) {
	var members []*model.User
	if !exclude {
		members = append(members, actor)
	}
	for _, t := range targets {
		if !slices.ContainsFunc(members, func(x *model.User) bool { return x.ID == t.ID }) {
			members = append(members, t)
		}
	}
	if limit := max(a.Settings.Int("DirectMesssage_maxUsers"), 1); len(members) > limit {
		return nil, E("error-direct-message-max-user-exceeded", "You cannot add more than "+strconv.Itoa(limit)+" users, including yourself to a direct message").
			With(map[string]any{"method": "createDirectRoom"})
	}
	existing, err := a.findDirectByMembers(ctx, members)
	if err != nil {
		return nil, err
	}
	if existing == nil && !a.HasPermission(actor, "create-d") {
		return nil, ErrNotAllowed.With(map[string]any{"method": "createDirectMessage"})
	}
	if existing == nil && len(members) == 1 && members[0].ID == actor.ID && !a.Settings.Bool("Message_AllowDirectMessagesToYourself") {
		return nil, errInvalidDirectUser
	}
	if existing != nil && !a.HasPermission(actor, "create-d") && !a.HasPermission(actor, "view-d-room") {
		return nil, ErrNotAllowed.With(map[string]any{"method": "createDirectMessage"})
	}
	r := existing
	if r == nil {
		r = a.newDirectRoom(members)
	}
	var changed []string
	err = a.tx(ctx, func(st store.Store) error {
		changed = changed[:0]
		if existing == nil {
			if err := st.Rooms().Create(ctx, r); err != nil {
				return err
			}
			a.emit(st, events.RoomChanged, r.ID, actor.ID, r.ID)
		}
		for _, m := range members {
			sub, err := st.Subscriptions().Get(ctx, r.ID, m.ID)
			switch {
			case err == nil:
				if m.ID == actor.ID && !sub.Open {
					sub.Open, sub.UpdatedAt = true, a.now()
					if err := st.Subscriptions().Update(ctx, sub); err != nil {
						return err
					}
					a.emit(st, events.SubscriptionChanged, r.ID, m.ID, sub.ID)
				}
				continue
			case !isNotFound(err):
				return err
			}
			name, fname := directNames(members, m)
			now := a.now()
			s := &model.Subscription{
				ID: model.NewID(), RID: r.ID, T: model.RoomDirect, Ts: now, UpdatedAt: now,
				Open: m.ID == actor.ID || len(members) > 2,
				U:    model.UserRef{ID: m.ID, Username: m.Username, Name: m.Name},
				Name: name, FName: fname,
			}
			userNotifyDefaults(s, m)
			if err := st.Subscriptions().Create(ctx, s); err != nil {
				return err
			}
			if err := st.Rooms().AddUsersCount(ctx, r.ID, 1); err != nil {
				return err
			}
			a.emit(st, events.SubscriptionChanged, r.ID, m.ID, s.ID)
		}
		return nil
	})
	if errors.Is(err, store.ErrConflict) && existing == nil {
		// Opened concurrently by someone else: use theirs.
		return a.createDirect(ctx, actor, targets, exclude)
	}
	if err != nil {
		return nil, err
	}
	return a.reloadRoom(ctx, r.ID)
}

// newDirectRoom builds the room document of a new conversation: a 1:1
// room's id is the two ids joined, a self-conversation's the user's own
// id, a group conversation's a random one.
func (a *App) newDirectRoom(members []*model.User) *model.Room {
	now := a.now()
	var id string
	switch len(members) {
	case 1:
		id = members[0].ID
	case 2:
		id = directRoomID(members[0].ID, members[1].ID)
	default:
		id = model.NewID()
	}
	// A conversation always shows its system messages; Rocket.Chat's
	// clients read sysMes on every room.
	sysMes := true
	r := &model.Room{ID: id, T: model.RoomDirect, Ts: now, UpdatedAt: now, SysMes: &sysMes, Encrypted: a.encryptedByDefault(model.RoomDirect, nil)}
	for _, m := range members {
		r.UIDs = append(r.UIDs, m.ID)
	}
	sort.Strings(r.UIDs)
	r.Usernames = directUsernames(members)
	return r
}

// directUsernames orders members by display name, as Rocket.Chat lists
// them.
func directUsernames(members []*model.User) []string {
	sorted := slices.Clone(members)
	display := func(u *model.User) string {
		if u.Name != "" {
			return strings.ToLower(u.Name)
		}
		return strings.ToLower(u.Username)
	}
	sort.SliceStable(sorted, func(i, j int) bool { return display(sorted[i]) < display(sorted[j]) })
	out := make([]string, len(sorted))
	for i, u := range sorted {
		out[i] = u.Username
	}
	return out
}

// directNames is what m's subscription is called: the other members'
// usernames and display names; oneself for a self-conversation.
func directNames(members []*model.User, m *model.User) (name, fname string) {
	var names, fnames []string
	for _, o := range members {
		if o.ID == m.ID {
			continue
		}
		names = append(names, o.Username)
		fnames = append(fnames, cmpOr(o.Name, o.Username))
	}
	if len(names) == 0 {
		return m.Username, cmpOr(m.Name, m.Username)
	}
	return strings.Join(names, ", "), strings.Join(fnames, ", ")
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// findDirectByMembers returns the direct room whose members are exactly
// members, or nil.
func (a *App) findDirectByMembers(ctx context.Context, members []*model.User) (*model.Room, error) {
	if len(members) <= 2 {
		var id string
		if len(members) == 1 {
			id = members[0].ID
		} else {
			id = directRoomID(members[0].ID, members[1].ID)
		}
		r, err := a.store.Rooms().Get(ctx, id)
		switch {
		case isNotFound(err):
			return nil, nil
		case err != nil:
			return nil, a.storeErr(err)
		case r.T != model.RoomDirect:
			return nil, errInvalidChannel
		}
		return r, nil
	}
	want := make([]string, len(members))
	for i, m := range members {
		want[i] = m.ID
	}
	sort.Strings(want)
	// A group conversation has a random id: look through the direct rooms
	// of one member, which are few.
	subs, err := a.store.Subscriptions().ListByUser(ctx, members[0].ID, 0)
	if err != nil {
		return nil, a.storeErr(err)
	}
	for _, s := range subs {
		if s.T != model.RoomDirect {
			continue
		}
		r, err := a.store.Rooms().Get(ctx, s.RID)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, a.storeErr(err)
		}
		uids := slices.Clone(r.UIDs)
		sort.Strings(uids)
		if slices.Equal(uids, want) {
			return r, nil
		}
	}
	return nil, nil
}
