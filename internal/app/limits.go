package app

import (
	"encoding/json"
	"fmt"

	"github.com/parleychat/parley/internal/model"
)

// Bounds of the stored fields that no setting limits. Without them the
// request body limit (10 MiB) was the only bound, and one user could make
// every reader of a room, a profile or a history page carry megabytes.
// Where Rocket.Chat has a limit Parley uses it (bio 260, nickname 120,
// status text 120); the others leave room for any honest use. Lengths
// are counted in UTF-16 units, as Rocket.Chat counts them.
const (
	maxBio        = 260 // Rocket.Chat's MAX_BIO_LENGTH
	maxNickname   = 120 // Rocket.Chat's MAX_NICKNAME_LENGTH
	maxStatusText = 120 // Rocket.Chat truncates status texts to this
	// maxName bounds names: usernames, real names, room names, aliases,
	// emoji, a discussion's name, languages.
	maxName = 256
	// maxEmail is the longest address SMTP can carry (RFC 5321).
	maxEmail = 254
	// maxURL bounds a message's avatar link.
	maxURL = 2048
	// maxTopic bounds a room's topic, and maxDescription its description
	// and announcement.
	maxTopic       = 1024
	maxDescription = 8192
	// maxMessageExtras bounds the JSON of one message's attachments,
	// blocks and customFields together.
	maxMessageExtras = 32 << 10
	// maxAttachments is the most attachments (and blocks) one message has.
	maxAttachments = 100
	// maxCustomFields bounds the JSON of a user's or a room's customFields.
	maxCustomFields = 16 << 10
	// maxPreferences bounds the JSON of a user's preferences, and
	// maxPreferenceKeys how many there are.
	maxPreferences    = 32 << 10
	maxPreferenceKeys = 200
	// maxReportDescription bounds the text of chat.reportMessage.
	maxReportDescription = 5000
)

// sizeExceeded is the refusal of a field over its bound, in the shape of
// Rocket.Chat's error-bio-size-exceeded.
func sizeExceeded(field, what string, limit int, unit, method string) error {
	return E("error-"+field+"-size-exceeded", fmt.Sprintf("%s size exceeds %d %s", what, limit, unit)).With(map[string]any{"method": method})
}

// fieldBound is one string field and its bound in characters.
type fieldBound struct {
	value *string
	field string // errorType stem: error-<field>-size-exceeded
	what  string // in the reason: "<what> size exceeds N characters"
	limit int
}

func checkBounds(method string, bounds ...fieldBound) error {
	for _, b := range bounds {
		if b.value != nil && len(*b.value) > b.limit && utf16Len(*b.value) > b.limit {
			return sizeExceeded(b.field, b.what, b.limit, "characters", method)
		}
	}
	return nil
}

// jsonSize is the length of v's JSON encoding; a value that cannot be
// encoded counts as too big.
func jsonSize(v any) int {
	b, err := json.Marshal(v)
	if err != nil {
		return int(^uint(0) >> 1)
	}
	return len(b)
}

// checkObjectBound refuses an object (customFields, preferences) whose JSON
// exceeds limit bytes.
func checkObjectBound(v map[string]any, field, what string, limit int, method string) error {
	if v != nil && jsonSize(v) > limit {
		return sizeExceeded(field, what, limit, "bytes", method)
	}
	return nil
}

// checkMessageBounds bounds what a message carries besides its text, which
// Message_MaxAllowedSize bounds.
func (a *App) checkMessageBounds(in MessageInput) error {
	const method = "sendMessage"
	if err := checkBounds(method,
		fieldBound{&in.Alias, "alias", "Alias", maxName},
		fieldBound{&in.Emoji, "emoji", "Emoji", maxName},
		fieldBound{&in.Avatar, "avatar", "Avatar", maxURL},
	); err != nil {
		return err
	}
	if len(in.Attachments) > maxAttachments {
		return E("error-message-size-exceeded", fmt.Sprintf("A message has at most %d attachments", maxAttachments)).With(map[string]any{"method": method})
	}
	if len(in.Blocks) > maxAttachments {
		return E("error-message-size-exceeded", fmt.Sprintf("A message has at most %d blocks", maxAttachments)).With(map[string]any{"method": method})
	}
	for _, at := range in.Attachments {
		for _, k := range []string{"text", "description"} {
			if s, ok := at[k].(string); ok && a.tooLong(s) {
				return E("error-message-size-exceeded", "Message size exceeds Message_MaxAllowedSize").With(map[string]any{"method": method})
			}
		}
	}
	size := 0
	if len(in.Attachments) > 0 {
		size += jsonSize(in.Attachments)
	}
	for _, b := range in.Blocks {
		size += len(b)
	}
	if in.CustomFields != nil {
		size += jsonSize(in.CustomFields)
	}
	if size > maxMessageExtras {
		return E("error-message-size-exceeded", fmt.Sprintf("Message attachments, blocks and custom fields exceed %d bytes", maxMessageExtras)).With(map[string]any{"method": method})
	}
	return nil
}

// checkUserBounds bounds the profile fields of a new or changed user; nil
// fields are not being set. A status text is truncated instead, as
// Rocket.Chat does.
func checkUserBounds(username, email, name, bio, nickname *string, customFields map[string]any) error {
	const method = "saveUserProfile"
	if err := checkBounds(method,
		fieldBound{username, "username", "Username", maxName},
		fieldBound{email, "email", "Email", maxEmail},
		fieldBound{name, "name", "Name", maxName},
		fieldBound{bio, "bio", "Bio", maxBio},
		fieldBound{nickname, "nickname", "Nickname", maxNickname},
	); err != nil {
		return err
	}
	return checkObjectBound(customFields, "customFields", "Custom fields", maxCustomFields, method)
}

// truncateStatusText cuts a status text to Rocket.Chat's 120 characters.
func truncateStatusText(s string) string {
	if len(s) <= maxStatusText {
		return s
	}
	n := 0
	for i, r := range s {
		w := 1
		if r > 0xFFFF {
			w = 2
		}
		if n+w > maxStatusText {
			return s[:i]
		}
		n += w
	}
	return s
}

// checkRoomBounds bounds the free-text fields of a room.
func checkRoomBounds(method string, name, topic, description *string, customFields map[string]any) error {
	if err := checkBounds(method,
		fieldBound{name, "name", "Name", maxName},
		fieldBound{topic, "topic", "Topic", maxTopic},
		fieldBound{description, "description", "Description", maxDescription},
	); err != nil {
		return err
	}
	return checkObjectBound(customFields, "customFields", "Custom fields", maxCustomFields, method)
}

// checkEditBounds holds chat.update to the bounds of a new message: the
// text to Message_MaxAllowedSize, and new customFields with the message's
// attachments and blocks to maxMessageExtras.
func (a *App) checkEditBounds(m *model.Message, in UpdateInput) error {
	if a.tooLong(in.Text) {
		return E("error-message-size-exceeded", "Message size exceeds Message_MaxAllowedSize").With(map[string]any{"method": "updateMessage"})
	}
	if in.CustomFields == nil {
		return nil
	}
	size := jsonSize(in.CustomFields)
	for _, at := range m.Attachments {
		size += len(at)
	}
	for _, b := range m.Blocks {
		size += len(b)
	}
	if size > maxMessageExtras {
		return E("error-message-size-exceeded", fmt.Sprintf("Message attachments, blocks and custom fields exceed %d bytes", maxMessageExtras)).With(map[string]any{"method": "updateMessage"})
	}
	return nil
}

// checkPreferenceBounds bounds a user's preferences after a change.
func checkPreferenceBounds(prefs map[string]any) error {
	const method = "saveUserPreferences"
	if len(prefs) > maxPreferenceKeys {
		return E("error-preferences-size-exceeded", fmt.Sprintf("Preferences have more than %d keys", maxPreferenceKeys)).With(map[string]any{"method": method})
	}
	if lang, ok := prefs["language"].(string); ok {
		if err := checkBounds(method, fieldBound{&lang, "language", "Language", maxName}); err != nil {
			return err
		}
	}
	return checkObjectBound(prefs, "preferences", "Preferences", maxPreferences, method)
}
