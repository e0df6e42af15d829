package model

import "encoding/json"

// Room types.
const (
	RoomChannel = "c"
	RoomGroup   = "p"
	RoomDirect  = "d"
)

// GeneralRoomID is the id of the default public channel.
const GeneralRoomID = "GENERAL"

// Room is a channel, private group or direct conversation. Msgs, UsersCount
// and LM are counters kept in their own columns so that concurrent writers on
// several nodes update them atomically.
type Room struct {
	ID       string   `json:"_id"`
	T        string   `json:"t"`
	Name     string   `json:"name,omitempty"`
	FName    string   `json:"fname,omitempty"`
	U        *UserRef `json:"u,omitempty"`
	Ts       Time     `json:"ts"`
	Ro       bool     `json:"ro"`
	SysMes   *bool    `json:"sysMes,omitempty"`
	Default  bool     `json:"default"`
	Featured bool     `json:"featured,omitempty"`
	Archived bool     `json:"archived,omitempty"`
	// Encrypted is absent until a room is created encrypted or its
	// encryption is switched, on or off; see IsEncrypted.
	Encrypted         *bool           `json:"encrypted,omitempty"`
	Broadcast         bool            `json:"broadcast,omitempty"`
	Topic             string          `json:"topic,omitempty"`
	Description       string          `json:"description,omitempty"`
	Announcement      string          `json:"announcement,omitempty"`
	Msgs              int64           `json:"msgs"`
	UsersCount        int64           `json:"usersCount"`
	LM                *Time           `json:"lm,omitempty"`
	LastMessage       json.RawMessage `json:"lastMessage,omitempty"`
	UIDs              []string        `json:"uids,omitempty"`
	Usernames         []string        `json:"usernames,omitempty"`
	Prid              string          `json:"prid,omitempty"`
	CustomFields      map[string]any  `json:"customFields,omitzero"` // {} kept: channels and groups have one from birth
	Muted             []string        `json:"muted,omitempty"`
	Unmuted           []string        `json:"unmuted,omitempty"`
	ReactWhenReadOnly bool            `json:"reactWhenReadOnly,omitempty"`
	// JoinCodeRequired says channels.join wants JoinCode. The code itself
	// is a secret: it never goes out in an answer, and only the store
	// reads and writes it (as the room document's joinCode).
	JoinCodeRequired bool   `json:"joinCodeRequired,omitempty"`
	JoinCode         string `json:"-"`
	// Favorite marks a default room as a favourite of those who join it.
	Favorite bool `json:"favorite,omitempty"`
	// SysMesHidden lists the system message types the room's settings
	// hide; SysMes stays the room's on/off switch.
	SysMesHidden []string `json:"sysMesHidden,omitempty"`
	// A team is a room with TeamMain set; TeamID names the team, on its
	// main room and on every room that belongs to it. TeamDefault marks
	// the team's rooms its new members join.
	TeamID      string `json:"teamId,omitempty"`
	TeamMain    bool   `json:"teamMain,omitempty"`
	TeamDefault bool   `json:"teamDefault,omitempty"`
	// Sidepanel lists what a team's side panel shows ("channels",
	// "discussions").
	Sidepanel *Sidepanel `json:"sidepanel,omitempty"`
	// AvatarETag names the room's uploaded avatar; empty, the room is drawn
	// as initials.
	AvatarETag string `json:"avatarETag,omitempty"`
	UpdatedAt  Time   `json:"_updatedAt"`
}

// Sidepanel is a team main room's side panel choice.
type Sidepanel struct {
	Items []string `json:"items"`
}

// Subscription is one user's membership of a room, with per-user state.
// The thread-unread lists are absent until a thread first lands in them and
// stay as [] once emptied, as Rocket.Chat's $pull leaves them: nil and empty
// differ, hence omitzero.
type Subscription struct {
	ID                    string   `json:"_id"`
	RID                   string   `json:"rid"`
	U                     UserRef  `json:"u"`
	T                     string   `json:"t"`
	Name                  string   `json:"name"`
	FName                 string   `json:"fname,omitempty"`
	Ts                    Time     `json:"ts"`
	Ls                    *Time    `json:"ls,omitempty"`
	Open                  bool     `json:"open"`
	Alert                 bool     `json:"alert"`
	Unread                int64    `json:"unread"`
	UserMentions          int64    `json:"userMentions"`
	GroupMentions         int64    `json:"groupMentions"`
	Roles                 []string `json:"roles,omitempty"`
	Ignored               []string `json:"ignored,omitempty"`
	AutoTranslate         *bool    `json:"autoTranslate,omitempty"`
	AutoTranslateLanguage string   `json:"autoTranslateLanguage,omitempty"`
	Tunread               []string `json:"tunread,omitzero"`
	TunreadUser           []string `json:"tunreadUser,omitzero"`
	TunreadGroup          []string `json:"tunreadGroup,omitzero"`
	Archived              bool     `json:"archived,omitempty"`
	Prid                  string   `json:"prid,omitempty"`
	// Notification preferences. Origin "user" marks a value copied from
	// the user's own preferences, which follows them when they change;
	// "subscription" marks one set for this room alone, which does not.
	DesktopNotifications    string   `json:"desktopNotifications,omitempty"`
	DesktopPrefOrigin       string   `json:"desktopPrefOrigin,omitempty"`
	MobilePushNotifications string   `json:"mobilePushNotifications,omitempty"`
	MobilePrefOrigin        string   `json:"mobilePrefOrigin,omitempty"`
	EmailNotifications      string   `json:"emailNotifications,omitempty"`
	EmailPrefOrigin         string   `json:"emailPrefOrigin,omitempty"`
	UserHighlights          []string `json:"userHighlights,omitempty"`
	// Per-room notification switches (rooms.saveNotification); absent
	// until first set, after which false stays written.
	UnreadAlert            string `json:"unreadAlert,omitempty"`
	DisableNotifications   *bool  `json:"disableNotifications,omitempty"`
	HideUnreadStatus       *bool  `json:"hideUnreadStatus,omitempty"`
	HideMentionStatus      *bool  `json:"hideMentionStatus,omitempty"`
	MuteGroupMentions      *bool  `json:"muteGroupMentions,omitempty"`
	AudioNotificationValue string `json:"audioNotificationValue,omitempty"`
	// F marks a favourite room; Draft is the unsent text the user left in
	// the composer, kept here so that it follows them to other devices.
	F     bool   `json:"f,omitempty"`
	Draft string `json:"draft,omitempty"`
	// ThreadDrafts holds the drafts left in thread composers, by thread id.
	ThreadDrafts map[string]string `json:"threadDrafts,omitempty"`
	UpdatedAt    Time              `json:"_updatedAt"`
}

// HasRole reports whether the subscription carries a room-scoped role.
func (s *Subscription) HasRole(role string) bool {
	if s == nil {
		return false
	}
	for _, r := range s.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// IsEncrypted reports whether the room is end-to-end encrypted.
func (r *Room) IsEncrypted() bool { return r.Encrypted != nil && *r.Encrypted }
