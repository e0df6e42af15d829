package app

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// renamed lists what renameInDirects changed, to announce after commit.
type renamed struct {
	subs  [][2]string // room id, user id
	rooms []string
}

func (r *renamed) publish(a *App, actor string) {
	for _, s := range r.subs {
		a.publish("subscription.changed", s[0], s[1], "")
	}
	for _, rid := range r.rooms {
		a.publish("room.changed", rid, actor, rid)
	}
}

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
func (a *App) renameInDirects(ctx context.Context, st store.Store, prev, u *model.User) (*renamed, error) {
	out := &renamed{}
	if prev.Username == u.Username && prev.Name == u.Name {
		return out, nil
	}
	subs, err := st.Subscriptions().ListByUser(ctx, u.ID, 0)
	if err != nil {
		return nil, err
	}
	now := a.now()
	for _, own := range subs {
		if own.T == model.RoomDirect {
			if err := a.renameInDirect(ctx, st, own.RID, prev, u, now, out); err != nil {
				return nil, err
			}
			continue
		}
		if own.U.Username == u.Username && own.U.Name == u.Name {
			continue
		}
		own.U.Username, own.U.Name, own.UpdatedAt = u.Username, u.Name, now
		if err := st.Subscriptions().Update(ctx, own); err != nil {
			return nil, err
		}
		out.subs = append(out.subs, [2]string{own.RID, u.ID})
	}
	return out, nil
}

// renameInDirect applies renameInDirects to conversation rid.
func (a *App) renameInDirect(ctx context.Context, st store.Store, rid string, prev, u *model.User, now model.Time, out *renamed) error {
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
			out.rooms = append(out.rooms, r.ID)
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
		out.subs = append(out.subs, [2]string{r.ID, s.U.ID})
	}
	return nil
}
