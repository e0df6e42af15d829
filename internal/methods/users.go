package methods

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/model"
)

// preferenceKinds are the preferences whose JSON type saveUserPreferences
// checks, as Rocket.Chat's check(settings, Match.ObjectIncluding(...))
// does; other keys are stored as given.
var preferenceKinds = map[string]string{
	"language": "string", "newRoomNotification": "string", "newMessageNotification": "string",
	"clockMode": "number", "useEmojis": "boolean", "convertAsciiEmoji": "boolean",
	"saveMobileBandwidth": "boolean", "collapseMediaByDefault": "boolean", "autoImageLoad": "boolean",
	"emailNotificationMode": "string", "unreadAlert": "boolean", "notificationsSoundVolume": "number",
	"desktopNotifications": "string", "pushNotifications": "string", "enableAutoAway": "boolean",
	"highlights": "[string]", "hideUsernames": "boolean", "hideRoles": "boolean",
	"displayAvatars": "boolean", "hideFlexTab": "boolean", "sendOnEnter": "string",
	"idleTimeLimitH": "number", "idleTimeLimitM": "number", "idleTimeLimitS": "number",
	"idleTimeLimit": "number", "sidebarShowFavorites": "boolean", "sidebarShowUnread": "boolean",
	"sidebarSortby": "string", "sidebarViewMode": "string", "sidebarDisplayAvatar": "boolean",
	"sidebarGroupByType": "boolean", "muteFocusedConversations": "boolean", "themeAppearence": "string",
	"fontSize": "string", "omnichannelTranscriptEmail": "boolean", "omnichannelTranscriptPDF": "boolean",
	"omnichannelHideConversationAfterClosing": "boolean", "notifyCalendarEvents": "boolean",
	"enableMobileRinging": "boolean", "mentionsWithSymbol": "boolean",
}

// saveUserPreferences [{preference: value, ...}] stores the caller's
// preferences; the result is true.
func (r *Registry) saveUserPreferences(ctx context.Context, u *model.User, params []json.RawMessage) (any, error) {
	raw, err := object(param(params, 0))
	if err != nil {
		return nil, err
	}
	for k, v := range raw {
		want, checked := preferenceKinds[k]
		if !checked {
			continue
		}
		if want == "[string]" {
			if _, ok := stringList(v); !ok {
				return nil, ErrMatch
			}
		} else if jsonKind(v) != want {
			return nil, ErrMatch
		}
	}
	var prefs map[string]any
	if err := json.Unmarshal(param(params, 0), &prefs); err != nil {
		return nil, ErrMatch
	}
	if err := r.app.SaveUserPreferences(ctx, u, "", prefs); err != nil {
		return nil, err
	}
	return true, nil
}

// getUserRoles [] lists the users holding a global role beyond "user"
// (admins, bots, ...), by username: [{_id, username, roles}].
func (r *Registry) getUserRoles(ctx context.Context, _ *model.User, _ []json.RawMessage) (any, error) {
	return r.app.UsersWithRoles(ctx)
}

// registerUser [{email, pass, name, username?, secretURL?, reason?}]
// creates an account as users.register does and returns its id. Anyone
// may call it; the registration settings decide.
func (r *Registry) registerUser(ctx context.Context, _ *model.User, params []json.RawMessage) (any, error) {
	form, err := object(param(params, 0))
	if err != nil {
		return nil, err
	}
	email, ok1 := str(form["email"])
	pass, ok2 := str(form["pass"])
	name, ok3 := str(form["name"])
	if !ok1 || !ok2 || !ok3 {
		return nil, ErrMatch
	}
	var username, secret string
	if username, err = optionalString(form["username"]); err != nil {
		return nil, err
	}
	if secret, err = optionalString(form["secretURL"]); err != nil {
		return nil, err
	}
	if _, err = optionalString(form["reason"]); err != nil {
		return nil, err
	}
	u, err := r.app.RegisterByForm(ctx, app.NewUser{Username: username, Email: email, Password: pass, Name: name}, secret)
	if err != nil {
		return nil, err
	}
	return u.ID, nil
}

// setUsername [username] changes the caller's username, as users.update
// does, and returns it.
func (r *Registry) setUsername(ctx context.Context, u *model.User, params []json.RawMessage) (any, error) {
	name, ok := str(param(params, 0))
	if !ok {
		return nil, ErrMatch
	}
	if strings.EqualFold(name, u.Username) {
		return u.Username, nil
	}
	if _, err := r.app.UpdateUser(ctx, u, u.ID, app.UserUpdate{Username: &name}); err != nil {
		return nil, err
	}
	return name, nil
}
