package model

import "encoding/json"

// Message is a chat message. Fields that queries filter on (rid, ts,
// _updatedAt, tmid, u._id, t) and counters (tcount, dcount) live in their own
// columns; the rest is kept as a JSON document so that Rocket.Chat's many
// optional nested fields round-trip unchanged.
type Message struct {
	ID  string  `json:"_id"`
	RID string  `json:"rid"`
	Msg string  `json:"msg"`
	Ts  Time    `json:"ts"`
	U   UserRef `json:"u"`
	T   string  `json:"t,omitempty"`
	// Text is a client's own copy of the message's text, which
	// chat.sendMessage takes beside msg and keeps as sent.
	Text string `json:"text,omitempty"`
	// E2E and Content belong to end-to-end encrypted messages (t "e2e"):
	// the client's state of the encryption and the ciphertext, kept as
	// sent.
	E2E                 string               `json:"e2e,omitempty"`
	Content             json.RawMessage      `json:"content,omitempty"`
	Alias               string               `json:"alias,omitempty"`
	Emoji               string               `json:"emoji,omitempty"`
	Avatar              string               `json:"avatar,omitempty"`
	Groupable           *bool                `json:"groupable,omitempty"`
	ParseURLs           *bool                `json:"parseUrls,omitempty"`
	Mentions            []Mention            `json:"mentions,omitempty"`
	Channels            []ChannelMention     `json:"channels,omitempty"`
	URLs                []URL                `json:"urls,omitempty"`
	MD                  json.RawMessage      `json:"md,omitempty"`
	Attachments         []json.RawMessage    `json:"attachments,omitempty"`
	Blocks              []json.RawMessage    `json:"blocks,omitempty"`
	CustomFields        map[string]any       `json:"customFields,omitempty"`
	Reactions           map[string]*Reaction `json:"reactions,omitempty"`
	Starred             []IDRef              `json:"starred,omitempty"`
	Pinned              bool                 `json:"pinned,omitempty"`
	PinnedAt            *Time                `json:"pinnedAt,omitempty"`
	PinnedBy            *UserRef             `json:"pinnedBy,omitempty"`
	EditedAt            *Time                `json:"editedAt,omitempty"`
	EditedBy            *UserRef             `json:"editedBy,omitempty"`
	TMID                string               `json:"tmid,omitempty"`
	TShow               bool                 `json:"tshow,omitempty"`
	TCount              int64                `json:"tcount,omitempty"`
	TLM                 *Time                `json:"tlm,omitempty"`
	Replies             []string             `json:"replies,omitempty"`
	DRID                string               `json:"drid,omitempty"`
	DCount              int64                `json:"dcount,omitempty"`
	DLM                 *Time                `json:"dlm,omitempty"`
	File                json.RawMessage      `json:"file,omitempty"`
	Files               []json.RawMessage    `json:"files,omitempty"`
	Unread              bool                 `json:"unread,omitempty"`
	Hidden              bool                 `json:"_hidden,omitempty"`
	Parent              string               `json:"parent,omitempty"`
	Translations        map[string]string    `json:"translations,omitempty"`
	TranslationProvider string               `json:"translationProvider,omitempty"`
	UpdatedAt           Time                 `json:"_updatedAt"`
	// DeletedAt is set on trashed copies of hard-deleted messages.
	DeletedAt *Time `json:"_deletedAt,omitempty"`
	// Score is the full-text relevance of a search result; never stored.
	Score *float64 `json:"score,omitempty"`
}

// Report is a moderation report about a message.
type Report struct {
	ID          string         `json:"_id"`
	Message     *Message       `json:"message"`
	Description string         `json:"description"`
	Room        map[string]any `json:"room"`
	ReportedBy  map[string]any `json:"reportedBy"`
	Ts          Time           `json:"ts"`
	UpdatedAt   Time           `json:"_updatedAt"`
}

// Mention is an entry of a message's mentions.
type Mention struct {
	ID       string `json:"_id"`
	Username string `json:"username,omitempty"`
	Name     string `json:"name,omitempty"`
	Type     string `json:"type,omitempty"`
}

// ChannelMention is an entry of a message's channels.
type ChannelMention struct {
	ID    string `json:"_id"`
	Name  string `json:"name"`
	FName string `json:"fname,omitempty"`
}

// URL is a link found in a message, with its preview once fetched. Meta
// is always written, as {} until a preview fills it: Rocket.Chat's clients
// read it on every entry, previewed or not.
type URL struct {
	URL         string            `json:"url"`
	Meta        map[string]string `json:"meta"`
	Headers     map[string]string `json:"headers,omitempty"`
	IgnoreParse bool              `json:"ignoreParse,omitempty"`
}

// MarshalJSON writes a nil Meta as {}.
func (u URL) MarshalJSON() ([]byte, error) {
	type plain URL
	p := plain(u)
	if p.Meta == nil {
		p.Meta = map[string]string{}
	}
	return json.Marshal(p)
}

// UnmarshalJSON reads an empty meta as nil, so that "nothing fetched" has
// one value in memory whichever way it was stored.
func (u *URL) UnmarshalJSON(b []byte) error {
	type plain URL
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	if len(p.Meta) == 0 {
		p.Meta = nil
	}
	*u = URL(p)
	return nil
}

// Reaction lists who reacted with one emoji.
type Reaction struct {
	Usernames []string `json:"usernames"`
	Names     []string `json:"names,omitempty"`
}

// IDRef is an object holding only an id, as in starred: [{_id}].
type IDRef struct {
	ID string `json:"_id"`
}
