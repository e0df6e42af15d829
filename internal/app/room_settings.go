package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"html"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// RoomSettings is what rooms.saveRoomSettings (Rocket.Chat's
// saveRoomSettings) changes; a nil field is left as it is. The channels.*
// and groups.* setters change one field each through it.
type RoomSettings struct {
	Name, Topic, Announcement, Description, Type, JoinCode *string

	ReadOnly, ReactWhenReadOnly, Default, Featured, Encrypted *bool

	// CustomFields replaces the room's custom fields when SetCustomFields.
	CustomFields    map[string]any
	SetCustomFields bool
	// SystemMessages is the room's sysMes: an on/off switch, or the list
	// of system message types to hide.
	SystemMessages *SystemMessages
	Favorite       *FavoriteSetting
	// Sidepanel is a team main room's side panel; a non-nil value with
	// no items (JSON null) removes it.
	Sidepanel *SidepanelSetting
	// Avatar is a data: URI of the room's new avatar image; "" removes it.
	Avatar *string
	// avatar is Avatar decoded by checkRoomSettings, and avatarETag the
	// key its bytes were stored under before the room changes.
	avatar     []byte
	avatarETag string
	// Unknown names the settings of the request Parley does not serve;
	// any makes the whole request fail, as an unknown setting does in
	// Rocket.Chat.
	Unknown []string
}

// SystemMessages is the value of the systemMessages setting.
type SystemMessages struct {
	On     *bool
	Hidden []string
}

// FavoriteSetting is the value of the favorite setting: a default room
// that is also a favourite is added to joiners' favourites.
type FavoriteSetting struct {
	Favorite, DefaultValue bool
}

// SidepanelSetting is the value of the sidepanel setting: null, or an
// object whose items are checked by checkRoomSettings.
type SidepanelSetting struct {
	Null  bool
	Items []string
	// Valid is false for an object that is not {items: [strings]}.
	Valid bool
}

// hideableSystemMessages are the system message types a room may hide,
// as Rocket.Chat's MessageTypesValues lists them.
var hideableSystemMessages = []string{
	"uj", "ujt", "ul", "ult", "ru", "au", "mute_unmute", "r", "ut", "wm", "rm",
	"subscription-role-added", "subscription-role-removed", "room-archived", "room-unarchived",
	"room_changed_privacy", "room_changed_avatar", "room_changed_topic", "room_changed_announcement",
	"room_changed_description", "room_e2e_enabled", "room_e2e_disabled", "user-muted", "user-unmuted",
	"room-removed-read-only", "room-set-read-only", "room-allowed-reacting", "room-disallowed-reacting",
	"command", "message_pinned", "discussion-created", "new-moderator", "moderator-removed",
	"new-owner", "owner-removed", "new-leader", "leader-removed",
}

const saveMethod = "saveRoomSettings"

var (
	errInvalidSettings = E("error-invalid-settings", "Invalid settings provided").With(map[string]any{"method": saveMethod})
	// errSettingsRoom is the refusal of a room that does not exist, worded
	// as the spec's example words it.
	errSettingsRoom = E("error-room-not-found", `The required "roomId" or "roomName" param provided does not match any group`)
)

func actionNotAllowed(reason, action string) *Error {
	return E("error-action-not-allowed", reason).With(map[string]any{"method": saveMethod, "action": action})
}

// SaveRoomSettings is rooms.saveRoomSettings: it checks every setting
// first, so that a refused one changes nothing, then writes them all in
// one transaction, each with the system message Rocket.Chat writes for it.
func (a *App) SaveRoomSettings(ctx context.Context, actor *model.User, rid string, s RoomSettings) (*model.Room, error) {
	if len(s.Unknown) > 0 {
		return nil, errInvalidSettings
	}
	if rid == "" {
		return nil, errSettingsRoom
	}
	r, err := a.store.Rooms().Get(ctx, rid)
	if isNotFound(err) {
		return nil, errSettingsRoom
	}
	if err != nil {
		return nil, a.storeErr(err)
	}
	can, err := a.roomPermissions(ctx, actor, r.ID)
	if err != nil {
		return nil, err
	}
	if !can("edit-room") {
		// A member of a conversation may switch its encryption alone.
		if s.Encrypted == nil || r.T != model.RoomDirect {
			return nil, actionNotAllowed("Editing room is not allowed", "Editing_room")
		}
		s = RoomSettings{Encrypted: s.Encrypted}
	}
	if err := a.checkRoomSettings(ctx, actor, r, &s, can); err != nil {
		return nil, err
	}
	if s.avatar != nil {
		if a.files == nil {
			return nil, E("error-file-storage", "No file storage is configured")
		}
		s.avatarETag = model.NewID()
		if _, _, _, err := a.files.Put(ctx, avatarKey(s.avatarETag), bytes.NewReader(s.avatar), -1); err != nil {
			return nil, err
		}
	}
	var out *model.Room
	oldAvatar := ""
	err = a.tx(ctx, func(st store.Store) error {
		cur, err := lockRoom(ctx, st, r.ID)
		if err != nil {
			return err
		}
		oldAvatar = cur.AvatarETag
		out, err = a.applyRoomSettings(ctx, st, actor, cur, s)
		return err
	})
	if err != nil {
		if s.avatarETag != "" {
			a.dropBlob(avatarKey(s.avatarETag))
		}
		return nil, err
	}
	if s.Avatar != nil && oldAvatar != "" {
		a.dropBlob(avatarKey(oldAvatar))
	}
	return out, nil
}

// parseImageDataURI decodes "data:image/…;base64,…" whose bytes are an
// image of a type avatars may have.
func parseImageDataURI(uri string) ([]byte, bool) {
	head, payload, ok := strings.Cut(uri, ",")
	if !ok || !strings.HasPrefix(head, "data:") || !strings.HasSuffix(head, ";base64") {
		return nil, false
	}
	data, err := base64.StdEncoding.DecodeString(payload)
	if err != nil || !avatarTypes[http.DetectContentType(data)] {
		return nil, false
	}
	return data, true
}

// checkRoomSettings validates s against r before anything is written.
func (a *App) checkRoomSettings(ctx context.Context, actor *model.User, r *model.Room, s *RoomSettings, can func(string) bool) error {
	if r.Broadcast && ((s.ReadOnly != nil && *s.ReadOnly) || (s.ReactWhenReadOnly != nil && *s.ReactWhenReadOnly)) {
		return actionNotAllowed("Editing readOnly/reactWhenReadOnly are not allowed for broadcast rooms", "Editing_room")
	}
	if (s.Default != nil || s.Featured != nil) && !a.HasPermission(actor, "view-room-administration") {
		return actionNotAllowed("Viewing room administration is not allowed", "Viewing_room_administration")
	}
	if s.Type != nil && *s.Type != r.T {
		switch {
		case r.T == model.RoomDirect:
			return E("error-direct-room", "Can't change type of direct rooms").With(map[string]any{"function": "RocketChat.saveRoomType"})
		case *s.Type != model.RoomChannel && *s.Type != model.RoomGroup:
			return E("error-invalid-room-type", "error-invalid-room-type").With(map[string]any{"function": "RocketChat.saveRoomType", "type": *s.Type})
		case *s.Type == model.RoomChannel && !a.HasPermission(actor, "create-c"):
			return actionNotAllowed("Changing a private group to a public channel is not allowed", "Change_Room_Type")
		case *s.Type == model.RoomGroup && !a.HasPermission(actor, "create-p"):
			return actionNotAllowed("Changing a public channel to a private room is not allowed", "Change_Room_Type")
		}
	}
	if s.Encrypted != nil && (r.Encrypted == nil || *s.Encrypted != *r.Encrypted) {
		if r.T != model.RoomGroup && r.T != model.RoomDirect {
			return actionNotAllowed("Only groups or direct channels can enable encryption", "Change_Room_Encrypted")
		}
		if r.T != model.RoomDirect && !can("toggle-room-e2e-encryption") {
			return actionNotAllowed("You do not have permission to toggle E2E encryption", "Change_Room_Encrypted")
		}
	}
	if sp := s.Sidepanel; sp != nil {
		if !r.TeamMain {
			return E("error-action-not-allowed", "Invalid room").With(map[string]any{"method": saveMethod})
		}
		if !can("edit-team") {
			return E("error-action-not-allowed", "You do not have permission to change sidepanel items").With(map[string]any{"method": saveMethod})
		}
		if !sp.Null && (!sp.Valid || len(sp.Items) == 0 || checkSidepanel(sp.Items) != nil) {
			return E("error-invalid-sidepanel", "")
		}
	}
	if s.Avatar != nil {
		if !can("edit-room-avatar") {
			return actionNotAllowed("Editing a room avatar is not allowed", "Editing_room")
		}
		if *s.Avatar != "" {
			data, ok := parseImageDataURI(*s.Avatar)
			if !ok {
				return errInvalidSettings
			}
			s.avatar = data
		}
	}
	if s.SystemMessages != nil {
		for _, t := range s.SystemMessages.Hidden {
			if !slices.Contains(hideableSystemMessages, t) {
				return errInvalidSettings
			}
		}
	}
	if err := checkBounds(saveMethod,
		fieldBound{s.Topic, "topic", "Topic", maxTopic},
		fieldBound{s.Description, "description", "Description", maxDescription},
		fieldBound{s.Announcement, "announcement", "Announcement", maxDescription},
	); err != nil {
		return err
	}
	if s.SetCustomFields {
		if err := checkObjectBound(s.CustomFields, "customFields", "Custom fields", maxCustomFields, saveMethod); err != nil {
			return err
		}
	}
	if s.Name != nil {
		return a.checkRoomRename(ctx, r, s)
	}
	return nil
}

// checkRoomRename validates a new name (saveRoomName): a blank one or the
// current one changes nothing; a discussion takes any display name; other
// rooms take a valid, unused name. Direct conversations are not renamed.
func (a *App) checkRoomRename(ctx context.Context, r *model.Room, s *RoomSettings) error {
	name := *s.Name
	if r.T == model.RoomDirect {
		return E("error-not-allowed", "Not allowed").With(map[string]any{"function": "RocketChat.saveRoomdisplayName"})
	}
	if name == r.Name || strings.TrimSpace(name) == "" {
		s.Name = nil
		return nil
	}
	if r.Prid != "" {
		return checkBounds(saveMethod, fieldBound{&name, "name", "Name", maxName})
	}
	if err := checkBounds(saveMethod, fieldBound{&name, "name", "Name", maxName}); err != nil {
		return err
	}
	if !namePattern(a.Settings.String("UTF8_Channel_Names_Validation")).MatchString(name) || a.blockedRoomName(name) {
		return E("error-invalid-room-name", html.EscapeString(name)+" is not a valid room name").
			With(map[string]any{"function": "RocketChat.getValidRoomName", "channel_name": html.EscapeString(name)})
	}
	other, err := a.store.Rooms().GetByName(ctx, name)
	switch {
	case err == nil && other.ID != r.ID:
		return errDuplicateName(other, name)
	case err != nil && !isNotFound(err):
		return a.storeErr(err)
	}
	return nil
}

// blockedRoomName reports a name Accounts_SystemBlockedUsernameList
// reserves, which Rocket.Chat's validateName keeps from rooms too.
func (a *App) blockedRoomName(name string) bool {
	for _, b := range strings.Split(a.Settings.String("Accounts_SystemBlockedUsernameList"), ",") {
		if b = strings.TrimSpace(b); b != "" && b == strings.ToLower(name) {
			return true
		}
	}
	return false
}

func errDuplicateName(other *model.Room, name string) error {
	details := map[string]any{"function": "RocketChat.getValidRoomName", "channel_name": html.EscapeString(name)}
	if other.Archived {
		return E("error-archived-duplicate-name", "There's an archived channel with name "+html.EscapeString(name)).With(details)
	}
	return E("error-duplicate-channel-name", "A channel with name '"+html.EscapeString(name)+"' exists").With(details)
}

// pendingMessage is a system message a settings change writes once the
// room is saved.
type pendingMessage struct{ t, msg string }

// applyRoomSettings writes s to cur (locked), its members'
// subscriptions where they carry the changed fields, and the system
// messages. It runs in the caller's transaction.
func (a *App) applyRoomSettings(ctx context.Context, st store.Store, actor *model.User, cur *model.Room, s RoomSettings) (*model.Room, error) {
	var msgs []pendingMessage
	subsChange := func(*model.Subscription) bool { return false }
	if s.Name != nil && *s.Name != cur.Name {
		name := *s.Name
		if cur.Prid != "" {
			cur.FName = name
			subsChange = chain(subsChange, func(sub *model.Subscription) bool {
				changed := sub.FName != name
				sub.FName = name
				return changed
			})
		} else {
			cur.Name, cur.FName = name, name
			subsChange = chain(subsChange, func(sub *model.Subscription) bool {
				changed := sub.Name != name || sub.FName != name
				sub.Name, sub.FName = name, name
				return changed
			})
		}
		msgs = append(msgs, pendingMessage{"r", name})
	}
	textSetting := func(v *string, field *string, t string) {
		if v == nil || (*v == "" && *field == "") || *v == *field {
			return
		}
		*field = *v
		msgs = append(msgs, pendingMessage{t, *v})
	}
	textSetting(s.Topic, &cur.Topic, "room_changed_topic")
	textSetting(s.Announcement, &cur.Announcement, "room_changed_announcement")
	if s.SetCustomFields {
		cur.CustomFields = maps.Clone(s.CustomFields)
	}
	textSetting(s.Description, &cur.Description, "room_changed_description")
	if s.Type != nil && *s.Type != cur.T {
		t := *s.Type
		cur.T = t
		subsChange = chain(subsChange, func(sub *model.Subscription) bool {
			changed := sub.T != t
			sub.T = t
			return changed
		})
		word := "private"
		if t == model.RoomChannel {
			word = "public"
		}
		msgs = append(msgs, pendingMessage{"room_changed_privacy", word})
	}
	if s.ReadOnly != nil && *s.ReadOnly != cur.Ro {
		cur.Ro = *s.ReadOnly
		t := "room-removed-read-only"
		if cur.Ro {
			t = "room-set-read-only"
		}
		msgs = append(msgs, pendingMessage{t, actor.Username})
	}
	if s.ReactWhenReadOnly != nil && *s.ReactWhenReadOnly != cur.ReactWhenReadOnly {
		cur.ReactWhenReadOnly = *s.ReactWhenReadOnly
		t := "room-disallowed-reacting"
		if cur.ReactWhenReadOnly {
			t = "room-allowed-reacting"
		}
		msgs = append(msgs, pendingMessage{t, ""})
	}
	if sm := s.SystemMessages; sm != nil {
		if sm.On != nil {
			on := *sm.On
			cur.SysMes, cur.SysMesHidden = &on, nil
		} else {
			on := true
			cur.SysMes, cur.SysMesHidden = &on, emptyToNil(slices.Clone(sm.Hidden))
		}
	}
	if s.Default != nil {
		cur.Default = *s.Default
	}
	if s.JoinCode != nil {
		cur.JoinCode = *s.JoinCode
		cur.JoinCodeRequired = cur.JoinCode != ""
	}
	if s.Featured != nil {
		cur.Featured = *s.Featured
	}
	// Switching encryption off records it, even on a room never encrypted,
	// so that the room says encrypted: false from then on.
	if s.Encrypted != nil && (cur.Encrypted == nil || *s.Encrypted != *cur.Encrypted) {
		cur.Encrypted = s.Encrypted
		t := "room_e2e_disabled"
		if *s.Encrypted {
			t = "room_e2e_enabled"
		}
		msgs = append(msgs, pendingMessage{t, actor.Username})
	}
	if f := s.Favorite; f != nil {
		cur.Favorite = f.Favorite && f.DefaultValue
	}
	if s.Avatar != nil {
		cur.AvatarETag = s.avatarETag
		msgs = append(msgs, pendingMessage{"room_changed_avatar", ""})
	}
	if sp := s.Sidepanel; sp != nil {
		cur.Sidepanel = nil
		if !sp.Null {
			cur.Sidepanel = &model.Sidepanel{Items: slices.Clone(sp.Items)}
		}
	}
	cur.UpdatedAt = max(cur.UpdatedAt, a.now())
	if err := st.Rooms().Update(ctx, cur); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, errDuplicateName(&model.Room{}, cur.Name)
		}
		return nil, err
	}
	a.emit(st, events.RoomChanged, cur.ID, actor.ID, cur.ID)
	if err := a.updateMemberSubs(ctx, st, cur.ID, subsChange); err != nil {
		return nil, err
	}
	// The messages follow the room's own change, so that they carry its
	// new type and name; writing them opens and alerts the members.
	for _, m := range msgs {
		if _, err := a.systemMessage(ctx, st, cur, actor, m.t, m.msg, nil); err != nil {
			return nil, err
		}
	}
	return st.Rooms().Get(ctx, cur.ID)
}

// chain runs both changes on a subscription and reports whether either
// changed it.
func chain(f, g func(*model.Subscription) bool) func(*model.Subscription) bool {
	return func(s *model.Subscription) bool {
		a := f(s)
		return g(s) || a
	}
}

// updateMemberSubs applies change to every member's subscription of rid
// and saves those it changed.
func (a *App) updateMemberSubs(ctx context.Context, st store.Store, rid string, change func(*model.Subscription) bool) error {
	subs, _, err := st.Subscriptions().ListByRoom(ctx, rid, store.ListOptions{})
	if err != nil {
		return err
	}
	now := a.now()
	for _, s := range subs {
		if !change(s) {
			continue
		}
		s.UpdatedAt = max(s.UpdatedAt, now)
		if err := st.Subscriptions().Update(ctx, s); err != nil {
			return err
		}
		a.emit(st, events.SubscriptionChanged, rid, s.U.ID, s.ID)
	}
	return nil
}

// FindRoomToChange finds the channel or private group a channels.* or
// groups.* setter acts on: as those endpoints find rooms, and refused
// when archived.
func (a *App) FindRoomToChange(ctx context.Context, actor *model.User, ref RoomRef, t string) (*model.Room, error) {
	r, err := a.findRoomOfFamily(ctx, actor, ref, t)
	if err != nil {
		return nil, err
	}
	if r.Archived {
		return nil, E("error-room-archived", "The "+roomLabel(t)+", "+r.Name+", is archived")
	}
	return r, nil
}

// findRoomOfFamily is findRoom with the wording each family uses for a
// request that names no room: the channels.* endpoints look it up
// anyway and find nothing; the groups.* ones ask for the parameter.
func (a *App) findRoomOfFamily(ctx context.Context, actor *model.User, ref RoomRef, t string) (*model.Room, error) {
	if ref.ID == "" && ref.Name == "" {
		if t == model.RoomGroup {
			return nil, E("error-room-param-not-provided", `The parameter "roomId" or "roomName" is required`)
		}
		return nil, errRoomNotFound(t)
	}
	return a.findRoom(ctx, actor, ref, t)
}
