package auth

// Roles that exist in a fresh workspace, as Rocket.Chat defines them (its
// descriptions included: a Users role with a description is "public", see
// roles.getUsersInPublicRoles). Scope "Subscriptions" roles are held per
// room on the subscription; "Users" roles are global. All are protected:
// none can be deleted, and Parley, like Rocket.Chat's community edition,
// has no custom roles.
var Roles = []Role{
	{ID: "admin", Scope: "Users", Description: "Admin"},
	{ID: "moderator", Scope: "Subscriptions", Description: "Moderator"},
	{ID: "leader", Scope: "Subscriptions", Description: "Leader"},
	{ID: "owner", Scope: "Subscriptions", Description: "Owner"},
	{ID: "user", Scope: "Users"},
	{ID: "federated-external", Scope: "Users"},
	{ID: "bot", Scope: "Users"},
	{ID: "app", Scope: "Users"},
	{ID: "guest", Scope: "Users"},
	{ID: "anonymous", Scope: "Users"},
	{ID: "livechat-agent", Scope: "Users", Description: "Livechat Agent"},
	{ID: "livechat-manager", Scope: "Users", Description: "Livechat Manager"},
}

// Role is a role definition. A default role's id is also its name.
type Role struct {
	ID          string
	Scope       string
	Description string
}

// FindRole returns the role whose id or name is ref.
func FindRole(ref string) (Role, bool) {
	for _, r := range Roles {
		if r.ID == ref {
			return r, true
		}
	}
	return Role{}, false
}

// IsRole reports whether id names a known role.
func IsRole(id string) bool {
	for _, r := range Roles {
		if r.ID == id {
			return true
		}
	}
	return false
}

// DefaultPermissions is Rocket.Chat's default role table for every
// permission Parley checks. docs/configuration.md lists it.
// AllPermissions adds the rest of Rocket.Chat's permissions.
var DefaultPermissions = map[string][]string{
	"access-permissions":                {"admin"},
	"add-all-to-room":                   {"admin"},
	"add-team-member":                   {"admin", "owner", "moderator"},
	"add-team-channel":                  {"admin", "owner", "moderator"},
	"add-user-to-any-c-room":            {"admin"},
	"add-user-to-any-p-room":            {},
	"add-user-to-joined-room":           {"admin", "owner", "moderator"},
	"api-bypass-rate-limit":             {"admin", "bot", "app"},
	"archive-room":                      {"admin", "owner"},
	"assign-admin-role":                 {"admin"},
	"auto-translate":                    {"admin"},
	"ban-user":                          {"admin", "owner", "moderator"},
	"bypass-time-limit-edit-and-delete": {"bot", "app"},
	"clean-channel-history":             {"admin"},
	"convert-team":                      {"admin", "owner"},
	"create-c":                          {"admin", "user", "bot", "app"},
	"create-invite-links":               {"admin", "owner", "moderator"},
	"create-d":                          {"admin", "user", "bot", "app", "federated-external"},
	"create-p":                          {"admin", "user", "bot", "app"},
	"create-personal-access-tokens":     {"admin", "user"},
	"create-team":                       {"admin", "user"},
	"create-user":                       {"admin"},
	"delete-c":                          {"admin", "owner"},
	"delete-d":                          {"admin"},
	"delete-message":                    {"admin", "owner", "moderator"},
	"delete-own-message":                {"admin", "user", "federated-external"},
	"delete-p":                          {"admin", "owner"},
	"delete-team":                       {"admin", "owner"},
	"delete-user":                       {"admin"},
	"edit-message":                      {"admin", "owner", "moderator"},
	"edit-other-user-active-status":     {"admin"},
	"edit-other-user-info":              {"admin"},
	"edit-other-user-password":          {"admin"},
	"edit-privileged-setting":           {"admin"},
	"edit-room":                         {"admin", "owner", "moderator"},
	"edit-team":                         {"admin", "owner"},
	"edit-team-channel":                 {"admin", "owner", "moderator"},
	"edit-team-member":                  {"admin", "owner", "moderator"},
	"force-delete-message":              {"admin", "owner"},
	"join-without-join-code":            {"admin", "bot", "app"},
	"leave-c":                           {"admin", "user", "bot", "anonymous", "app"},
	"leave-p":                           {"admin", "user", "bot", "anonymous", "app"},
	"mail-messages":                     {"admin"},
	"mention-all":                       {"admin", "owner", "moderator", "user", "federated-external"},
	"mention-here":                      {"admin", "owner", "moderator", "user", "federated-external"},
	"message-impersonate":               {"bot", "app"},
	"move-room-to-team":                 {"admin", "owner", "moderator"},
	"mute-user":                         {"admin", "owner", "moderator"},
	"pin-message":                       {"owner", "moderator", "admin"},
	"post-readonly":                     {"admin", "owner", "moderator"},
	"preview-c-room":                    {"admin", "user", "federated-external", "anonymous"},
	"remove-team-channel":               {"admin", "owner", "moderator"},
	"remove-user":                       {"admin", "owner", "moderator"},
	"send-many-messages":                {"admin", "bot", "app"},
	"set-leader":                        {"admin", "owner"},
	"set-moderator":                     {"admin", "owner"},
	"set-owner":                         {"admin", "owner"},
	"set-react-when-readonly":           {"admin", "owner"},
	"start-discussion":                  {"admin", "user", "federated-external", "guest", "app"},
	"start-discussion-other-user":       {"admin", "user", "federated-external", "owner", "app"},
	"toggle-room-e2e-encryption":        {"owner"},
	"unarchive-room":                    {"admin", "owner"},
	"view-all-team-channels":            {"admin", "owner"},
	"view-all-teams":                    {"admin"},
	"view-broadcast-member-list":        {"admin", "owner", "moderator"},
	"view-c-room":                       {"admin", "user", "federated-external", "bot", "app", "anonymous"},
	"view-d-room":                       {"admin", "user", "federated-external", "bot", "app", "guest"},
	"view-full-other-user-info":         {"admin"},
	"view-history":                      {"admin", "user", "anonymous"},
	"view-joined-room":                  {"guest", "bot", "app", "anonymous"},
	"view-other-user-channels":          {"admin"},
	"view-p-room":                       {"admin", "user", "federated-external", "anonymous", "guest"},
	"view-privileged-setting":           {"admin"},
	"view-room-administration":          {"admin"},
	"view-user-administration":          {"admin"},

	// Users API
	"edit-other-user-avatar":     {"admin"},
	"logout-other-user":          {"admin"},
	"manage-moderation-actions":  {"admin"},
	"user-generate-access-token": {"admin"},
	"view-outside-room":          {"admin", "owner", "moderator", "user", "federated-external"},
}

// AllPermissions is every permission a fresh server stores with its
// default roles: the ones Parley checks and the rest of Rocket.Chat's.
func AllPermissions() map[string][]string {
	out := make(map[string][]string, len(rocketChatPermissions)+len(DefaultPermissions))
	for id, roles := range rocketChatPermissions {
		out[id] = roles
	}
	for id, roles := range DefaultPermissions {
		out[id] = roles
	}
	return out
}
