package model

// Email is one of a user's addresses.
type Email struct {
	Address  string `json:"address"`
	Verified bool   `json:"verified"`
}

// UserRef is the short user object embedded in rooms, messages and
// subscriptions.
type UserRef struct {
	ID       string `json:"_id"`
	Username string `json:"username,omitempty"`
	Name     string `json:"name,omitempty"`
}

// User is an account. PasswordHash never leaves the server: it has no JSON
// name on purpose.
type User struct {
	ID                    string         `json:"_id"`
	CreatedAt             Time           `json:"createdAt"`
	Username              string         `json:"username"`
	Name                  string         `json:"name,omitempty"`
	Emails                []Email        `json:"emails,omitempty"`
	Type                  string         `json:"type"`
	Status                string         `json:"status"`
	StatusText            string         `json:"statusText,omitempty"`
	StatusDefault         string         `json:"statusDefault,omitempty"`
	StatusConnection      string         `json:"statusConnection,omitempty"`
	UTCOffset             int            `json:"utcOffset"`
	Active                bool           `json:"active"`
	Roles                 []string       `json:"roles"`
	Bio                   string         `json:"bio,omitempty"`
	Nickname              string         `json:"nickname,omitempty"`
	Language              string         `json:"language,omitempty"`
	RequirePasswordChange bool           `json:"requirePasswordChange,omitempty"`
	CustomFields          map[string]any `json:"customFields,omitempty"`
	Settings              *UserSettings  `json:"settings,omitempty"`
	LastLogin             *Time          `json:"lastLogin,omitempty"`
	// AvatarOrigin says where the avatar came from ("upload" or "url");
	// empty means the generated initials. AvatarETag changes with each
	// new avatar, for clients' caches.
	AvatarOrigin string `json:"avatarOrigin,omitempty"`
	AvatarETag   string `json:"avatarETag,omitempty"`
	AvatarType   string `json:"avatarType,omitempty"`
	UpdatedAt    Time   `json:"_updatedAt"`
	// E2E holds the user's end-to-end encryption keys as the client made
	// them (the private one encrypted by the client). Only e2e.fetchMyKeys
	// shows them, to the user.
	E2E *UserE2EKeys `json:"e2e,omitempty"`

	PasswordHash string `json:"-"`
}

// UserE2EKeys is a user's end-to-end encryption key pair.
type UserE2EKeys struct {
	PublicKey  string `json:"public_key,omitempty"`
	PrivateKey string `json:"private_key,omitempty"`
}

// UserSettings holds a user's preferences.
type UserSettings struct {
	Preferences map[string]any `json:"preferences"`
}

// Ref returns the short form of u.
func (u *User) Ref() UserRef { return UserRef{ID: u.ID, Username: u.Username, Name: u.Name} }

// HasRole reports whether u holds the global role.
func (u *User) HasRole(role string) bool {
	for _, r := range u.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// PrimaryEmail returns the first address, or "".
func (u *User) PrimaryEmail() string {
	if len(u.Emails) == 0 {
		return ""
	}
	return u.Emails[0].Address
}

// Token kinds.
const (
	TokenLogin    = "login"
	TokenPersonal = "personalAccessToken"
)

// Token is a login or personal access token. Only the hash is stored.
type Token struct {
	HashedToken     string `json:"hashedToken"`
	UserID          string `json:"-"`
	Type            string `json:"type,omitempty"`
	Name            string `json:"name,omitempty"`
	CreatedAt       Time   `json:"createdAt"`
	LastTokenPart   string `json:"lastTokenPart,omitempty"`
	BypassTwoFactor bool   `json:"bypassTwoFactor,omitempty"`
}
