package auth

// Roles that exist in a fresh workspace. Scope "Subscriptions" roles are held
// per room on the subscription; "Users" roles are global.
var Roles = []Role{
	{ID: "admin", Scope: "Users", Description: "Administrator"},
	{ID: "user", Scope: "Users", Description: "Normal user"},
	{ID: "bot", Scope: "Users", Description: "Bot"},
	{ID: "app", Scope: "Users", Description: "App"},
	{ID: "guest", Scope: "Users", Description: "Guest"},
	{ID: "anonymous", Scope: "Users", Description: "Anonymous"},
	{ID: "federated-external", Scope: "Users", Description: "Federated external user"},
	{ID: "owner", Scope: "Subscriptions", Description: "Room owner"},
	{ID: "moderator", Scope: "Subscriptions", Description: "Room moderator"},
	{ID: "leader", Scope: "Subscriptions", Description: "Room leader"},
}

// Role is a role definition.
type Role struct {
	ID          string
	Scope       string
	Description string
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
var DefaultPermissions = map[string][]string{
	"access-permissions":                {"admin"},
	"add-team-channel":                  {"admin", "owner", "moderator"},
	"add-team-member":                   {"admin", "owner", "moderator"},
	"add-user-to-any-c-room":            {"admin"},
	"add-user-to-any-p-room":            {},
	"add-user-to-joined-room":           {"admin", "owner", "moderator"},
	"api-bypass-rate-limit":             {"admin", "bot", "app"},
	"archive-room":                      {"admin", "owner"},
	"auto-translate":                    {"admin"},
	"bypass-time-limit-edit-and-delete": {"bot", "app"},
	"convert-team":                      {"admin", "owner"},
	"create-c":                          {"admin", "user", "bot", "app"},
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
	"mention-all":                       {"admin", "owner", "moderator", "user", "federated-external"},
	"mention-here":                      {"admin", "owner", "moderator", "user", "federated-external"},
	"message-impersonate":               {"bot", "app"},
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
	"unarchive-room":                    {"admin", "owner"},
	"view-all-team-channels":            {"admin", "owner"},
	"view-all-teams":                    {"admin"},
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
}
