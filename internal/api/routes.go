package api

import "net/http"

// routes is the whole REST API in one table: method, path under /api/v1/,
// whether a login is needed, and the handler.
func (s *Server) routes() []route {
	const (
		GET  = http.MethodGet
		POST = http.MethodPost
	)
	rts := []route{
		// Authentication
		{POST, "login", false, s.login},
		{POST, "logout", true, s.logout},
		{GET, "logout", true, s.logout},
		{GET, "me", true, s.me},

		// Users
		{POST, "users.create", true, s.usersCreate},
		{POST, "users.register", false, s.usersRegister},
		{GET, "users.info", true, s.usersInfo},
		{GET, "users.list", true, s.usersList},
		{POST, "users.update", true, s.usersUpdate},
		{POST, "users.delete", true, s.usersDelete},
		{POST, "users.setStatus", true, s.usersSetStatus},
		{GET, "users.getStatus", true, s.usersGetStatus},
		{POST, "users.setPreferences", true, s.usersSetPreferences},
		{GET, "users.getPreferences", true, s.usersGetPreferences},
		{POST, "users.generatePersonalAccessToken", true, s.usersGenerateToken},
		{GET, "users.getPersonalAccessTokens", true, s.usersListTokens},
		{POST, "users.removePersonalAccessToken", true, s.usersRemoveToken},

		// Rooms and subscriptions
		{GET, "rooms.get", true, s.roomsGet},
		{GET, "rooms.info", true, s.roomsInfo},
		{GET, "subscriptions.get", true, s.subscriptionsGet},
		{GET, "subscriptions.getOne", true, s.subscriptionsGetOne},
		{POST, "subscriptions.read", true, s.subscriptionsRead},

		// Settings and permissions
		{GET, "settings.public", false, s.settingsPublic},
		{GET, "settings", true, s.settingsList},
		{GET, "settings/{id}", true, s.settingGet},
		{POST, "settings/{id}", true, s.settingSet},
		{GET, "permissions.listAll", true, s.permissionsList},
		{POST, "permissions.update", true, s.permissionsUpdate},
	}
	rts = append(rts, s.roomTypeRoutes("channels", "c")...)
	rts = append(rts, s.roomTypeRoutes("groups", "p")...)
	return rts
}
