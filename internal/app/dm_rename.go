package app

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// renameInDirects carries a user's new username or name, prev being the
// user before the change, into what is named after them, as Rocket.Chat
// does:
//   - the user's own subscriptions carry their username and name in u;
//   - a conversation's subscriptions are named after its other members
//     (name their usernames, fname their display names), so the other
//     members' subscriptions follow the change;
//   - a conversation lists its members' usernames.
//
// It runs in the transaction of the change.
func (a *App) renameInDirects(ctx context.Context, st store.Store, prev, u *model.User) error {
	if prev.Username == u.Username && prev.Name == u.Name {
		return nil
	}
	subs, err := st.Subscriptions().ListByUser(ctx, u.ID, 0)
	if err != nil {
		return err
	}
	now := a.now()
	for _, own := range subs {
		if own.T == model.RoomDirect {
			if err := a.renameInDirect(ctx, st, own.RID, prev, u, now); err != nil {
				return err
			}
			continue
		}
		if own.U.Username == u.Username && own.U.Name == u.Name {
			continue
		}
		own.U.Username, own.U.Name, own.UpdatedAt = u.Username, u.Name, now
		if err := st.Subscriptions().Update(ctx, own); err != nil {
			return err
		}
		a.emit(st, events.SubscriptionChanged, own.RID, u.ID, own.ID)
	}
	return nil
}

// renameInDirect applies renameInDirects to conversation rid.
func (a *App) renameInDirect(ctx context.Context, st store.Store, rid string, prev, u *model.User, now model.Time) error {
	r, err := st.Rooms().Get(ctx, rid)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if prev.Username != u.Username {
		if i := slices.Index(r.Usernames, prev.Username); i >= 0 {
			r.Usernames[i] = u.Username
			r.UpdatedAt = now
			if err := st.Rooms().Update(ctx, r); err != nil {
				return err
			}
			a.emit(st, events.RoomChanged, r.ID, u.ID, r.ID)
		}
	}
	members, err := st.Users().GetMany(ctx, r.UIDs)
	if err != nil {
		return err
	}
	// With a member's account gone the names cannot be rebuilt whole; they
	// keep what they said.
	complete := len(members) == len(r.UIDs)
	// Named in display-name order, as Rocket.Chat renames them.
	sort.SliceStable(members, func(i, j int) bool {
		return strings.ToLower(cmpOr(members[i].Name, members[i].Username)) < strings.ToLower(cmpOr(members[j].Name, members[j].Username))
	})
	subs, _, err := st.Subscriptions().ListByRoom(ctx, r.ID, store.ListOptions{})
	if err != nil {
		return err
	}
	for _, s := range subs {
		changed := false
		if s.U.ID == u.ID && (s.U.Username != u.Username || s.U.Name != u.Name) {
			s.U.Username, s.U.Name = u.Username, u.Name
			changed = true
		}
		if i := slices.IndexFunc(members, func(m *model.User) bool { return m.ID == s.U.ID }); complete && i >= 0 {
			name, fname := directNames(members, members[i])
			if len(r.UIDs) > 2 {
				// Rocket.Chat renames a group conversation's subscriptions
				// with the usernames joined by a bare comma, although it
				// creates them with ", ".
				name = strings.ReplaceAll(name, ", ", ",")
			}
			if s.Name != name || s.FName != fname {
				s.Name, s.FName = name, fname
				changed = true
			}
		}
		if !changed {
			continue
		}
		s.UpdatedAt = now
		if err := st.Subscriptions().Update(ctx, s); err != nil {
			return err
		}
		a.emit(st, events.SubscriptionChanged, r.ID, s.U.ID, s.ID)
	}
	return nil
}
