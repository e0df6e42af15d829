package model

// Ban keeps a user out of a room (rooms.banUser) until rooms.unbanUser.
type Ban struct {
	RID      string  `json:"rid"`
	User     UserRef `json:"u"`
	BannedAt Time    `json:"bannedAt"`
	BannedBy UserRef `json:"bannedBy"`
}

// Invite is an invite link to a room (Rocket.Chat's rocketchat_invites
// document). Token is what a link carries; new invites use their ID, as
// Rocket.Chat does. URL is filled in for answers and never stored.
type Invite struct {
	ID        string `json:"_id"`
	Token     string `json:"inviteToken,omitempty"`
	RID       string `json:"rid"`
	UserID    string `json:"userId"`
	Days      int    `json:"days"`
	MaxUses   int    `json:"maxUses"`
	Uses      int    `json:"uses"`
	CreatedAt Time   `json:"createdAt"`
	// Expires is nil for an invite that never expires (days 0).
	Expires   *Time  `json:"expires"`
	UpdatedAt Time   `json:"_updatedAt"`
	URL       string `json:"url,omitempty"`
}

// RoomExport is an archive of a room's messages built by rooms.export for
// the user who asked; its bytes are kept in the file storage under ID.
type RoomExport struct {
	ID        string `json:"_id"`
	RID       string `json:"rid"`
	UserID    string `json:"userId"`
	Name      string `json:"name"`
	Format    string `json:"format"`
	Size      int64  `json:"size"`
	CreatedAt Time   `json:"createdAt"`
	// URL is where the archive is downloaded; filled in for answers.
	URL string `json:"url,omitempty"`
}
