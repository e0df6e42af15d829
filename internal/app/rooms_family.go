package app

import (
	"cmp"
	"context"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// RoomNameExists is rooms.nameExists: whether a room is called name.
func (a *App) RoomNameExists(ctx context.Context, name string) (bool, error) {
	_, err := a.store.Rooms().GetByName(ctx, name)
	if isNotFound(err) {
		return false, nil
	}
	return err == nil, a.storeErr(err)
}

// EraseRoom is rooms.delete: it removes a room of any type, for holders of
// delete-<type> in it. A room of a team is announced as deleted in the
// team's main room.
func (a *App) EraseRoom(ctx context.Context, actor *model.User, rid string) error {
	r, err := a.store.Rooms().Get(ctx, rid)
	if isNotFound(err) {
		return E("error-invalid-room", "Invalid room").With(map[string]any{"method": "eraseRoom"})
	}
	if err != nil {
		return a.storeErr(err)
	}
	if !a.HasRoomPermission(ctx, actor, "delete-"+r.T, r.ID) {
		return ErrNotAllowed.With(map[string]any{"method": "eraseRoom"})
	}
	return a.tx(ctx, func(st store.Store) error {
		if err := a.eraseRoom(ctx, st, actor.ID, r.ID); err != nil {
			return err
		}
		if r.TeamID == "" || r.TeamMain {
			return nil
		}
		main, err := a.teamMain(ctx, st, TeamRef{ID: r.TeamID}, nil)
		if err != nil || main == nil {
			return err
		}
		_, err = a.systemMessage(ctx, st, main, actor, "user-deleted-room-from-team", r.Name, nil)
		return err
	})
}

// LeaveRoom is rooms.leave: leaving a room of any type named by id or
// name (an archived one cannot be left).
func (a *App) LeaveRoom(ctx context.Context, actor *model.User, ref RoomRef) error {
	r, err := a.roomByRef(ctx, ref)
	if err != nil {
		return err
	}
	return a.leave(ctx, actor, r)
}

// errRoomsNotAllowed is how rooms.info and rooms.getDiscussions refuse a
// room the caller cannot access: Rocket.Chat swaps the error and its type.
var errRoomsNotAllowed = &Error{Status: 400, Type: "Not Allowed", Reason: "not-allowed", Plain: true}

// RoomDiscussions is rooms.getDiscussions: the discussions started in a
// room the caller can access, sorted by fname unless opts says otherwise.
func (a *App) RoomDiscussions(ctx context.Context, actor *model.User, ref RoomRef, opts store.ListOptions) ([]*model.Room, int, error) {
	r, err := a.roomByRef(ctx, ref)
	if err != nil {
		return nil, 0, err
	}
	if err := a.requireSee(ctx, r, actor, errRoomsNotAllowed); err != nil {
		return nil, 0, err
	}
	if len(opts.Sort) > 0 {
		list, total, err := a.store.Rooms().List(ctx, store.RoomFilter{Prid: r.ID}, opts)
		return list, total, a.storeErr(err)
	}
	// The store cannot order by fname; a room's discussions are few, so
	// they are sorted and paged here.
	all, total, err := a.store.Rooms().List(ctx, store.RoomFilter{Prid: r.ID}, store.ListOptions{})
	if err != nil {
		return nil, 0, a.storeErr(err)
	}
	slices.SortStableFunc(all, func(x, y *model.Room) int {
		return cmp.Or(strings.Compare(x.FName, y.FName), strings.Compare(x.ID, y.ID))
	})
	return pageOf(all, opts.Offset, opts.Count), total, nil
}

// RoomInfo is rooms.info's answer: the room, the team it belongs to (for
// a team's rooms and its main room) and its parent: for a discussion the
// room it was started in, for another room of a team the team's main room.
type RoomInfo struct {
	Room   *model.Room
	Team   *TeamBrief
	Parent *ParentRoom
}

// TeamBrief is the little of a team rooms.info tells.
type TeamBrief struct {
	ID     string `json:"_id"`
	Name   string `json:"name"`
	RoomID string `json:"roomId"`
	Type   int    `json:"type"`
}

// ParentRoom is the little of a parent room rooms.info tells.
type ParentRoom struct {
	ID        string           `json:"_id"`
	Name      string           `json:"name,omitempty"`
	FName     string           `json:"fname,omitempty"`
	T         string           `json:"t"`
	Prid      string           `json:"prid,omitempty"`
	U         *model.UserRef   `json:"u,omitempty"`
	Sidepanel *model.Sidepanel `json:"sidepanel,omitempty"`
}

func parentOf(r *model.Room, withOwner bool) *ParentRoom {
	p := &ParentRoom{ID: r.ID, Name: r.Name, FName: r.FName, T: r.T, Sidepanel: r.Sidepanel}
	if withOwner {
		p.Prid, p.U = r.Prid, r.U
	}
	return p
}

func (a *App) roomInfo(ctx context.Context, r *model.Room) (*RoomInfo, error) {
	info := &RoomInfo{Room: r}
	if r.Prid != "" {
		pr, err := a.store.Rooms().Get(ctx, r.Prid)
		if err != nil && !isNotFound(err) {
			return nil, a.storeErr(err)
		}
		if err == nil {
			info.Parent = parentOf(pr, true)
		}
	}
	if r.TeamID == "" {
		return info, nil
	}
	main, err := a.teamMain(ctx, a.store, TeamRef{ID: r.TeamID}, nil)
	if err != nil || main == nil {
		return info, err
	}
	t := teamOf(main)
	info.Team = &TeamBrief{ID: t.ID, Name: t.Name, RoomID: t.RoomID, Type: t.Type}
	if !r.TeamMain && info.Parent == nil {
		info.Parent = parentOf(main, false)
	}
	return info, nil
}

// notificationPrefOf names the user preference that "default" falls back
// to for each of the three notification levels a subscription keeps.
var notificationPrefOf = map[string]string{
	"desktopNotifications":    "desktopNotifications",
	"mobilePushNotifications": "pushNotifications",
	"emailNotifications":      "emailNotificationMode",
}

// notificationFields are the subscription fields rooms.saveNotification
// may set.
var notificationFields = []string{
	"desktopNotifications", "mobilePushNotifications", "emailNotifications", "unreadAlert",
	"disableNotifications", "hideUnreadStatus", "hideMentionStatus", "muteGroupMentions", "audioNotificationValue",
}

// SaveNotifications is rooms.saveNotification: it sets the actor's
// notification preferences for room rid, field by field, as Rocket.Chat's
// saveNotificationSettings does. Every field is checked before any is
// written, so a bad one changes nothing.
func (a *App) SaveNotifications(ctx context.Context, actor *model.User, rid string, values map[string]any) error {
	method := map[string]any{"method": "saveNotificationSettings"}
	strs := make(map[string]string, len(values))
	for _, field := range slices.Sorted(maps.Keys(values)) {
		v, ok := values[field].(string)
		if !ok {
			return Plain("Match error: Expected string, got " + jsType(values[field]))
		}
		if !slices.Contains(notificationFields, field) {
			return E("error-invalid-settings", "Invalid settings field").With(method)
		}
		if _, level := notificationPrefOf[field]; level && !slices.Contains([]string{"all", "mentions", "nothing", "default"}, v) {
			return E("error-invalid-settings", "Invalid settings value").With(method)
		}
		strs[field] = v
	}
	prefs := preferencesOf(actor)
	missing := E("error-invalid-subscription", "Invalid subscription").With(method)
	_, err := a.changeSubscription(ctx, rid, actor.ID, missing, func(s *model.Subscription) (bool, error) {
		before := *s
		for field, v := range strs {
			setNotification(s, field, v, prefs)
		}
		return !reflect.DeepEqual(before, *s), nil
	})
	return err
}

// setNotification sets one notification field of s. For the three levels
// "default" means the user's own preference (origin "user"), or nothing
// when they have none, so that the server default applies.
func setNotification(s *model.Subscription, field, v string, prefs map[string]any) {
	flag := func(dst **bool) { b := v == "1"; *dst = &b }
	switch field {
	case "desktopNotifications", "mobilePushNotifications", "emailNotifications":
		value, origin := notificationLevel(s, field)
		*value, *origin = v, "subscription"
		if v == "default" {
			*value, *origin = "", ""
			if p, ok := prefs[notificationPrefOf[field]].(string); ok {
				*value, *origin = p, "user"
			}
		}
	case "unreadAlert":
		s.UnreadAlert = v
	case "disableNotifications":
		flag(&s.DisableNotifications)
	case "hideUnreadStatus":
		flag(&s.HideUnreadStatus)
	case "hideMentionStatus":
		flag(&s.HideMentionStatus)
	case "muteGroupMentions":
		flag(&s.MuteGroupMentions)
	case "audioNotificationValue":
		s.AudioNotificationValue = v
		if v == "default" {
			s.AudioNotificationValue = ""
		}
	}
}

func notificationLevel(s *model.Subscription, field string) (value, origin *string) {
	switch field {
	case "desktopNotifications":
		return &s.DesktopNotifications, &s.DesktopPrefOrigin
	case "mobilePushNotifications":
		return &s.MobilePushNotifications, &s.MobilePrefOrigin
	}
	return &s.EmailNotifications, &s.EmailPrefOrigin
}
