package methods

import (
	"context"
	"encoding/json"

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
