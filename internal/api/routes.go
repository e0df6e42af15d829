package api

import (
	"net/http"

	"github.com/parleychat/parley/internal/app"
)

// routes is the whole REST API in one table: method, path under /api/v1/,
// whether a login is needed, and the handler.
func (s *Server) routes() []route {
	const (
		GET  = http.MethodGet
		POST = http.MethodPost
	)
	channels, groups := s.roomsOfType("c"), s.roomsOfType("p")
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

		// Archiving and muting
		{POST, "channels.archive", true, channels.archive(true)},
		{POST, "channels.unarchive", true, channels.archive(false)},
		{POST, "groups.archive", true, groups.archive(true)},
		{POST, "groups.unarchive", true, groups.archive(false)},
		{POST, "rooms.muteUser", true, s.roomsMute(true)},
		{POST, "rooms.unmuteUser", true, s.roomsMute(false)},
		{POST, "channels.mute", true, channels.mute(true)},
		{POST, "channels.unmute", true, channels.mute(false)},
		{POST, "groups.mute", true, groups.mute(true)},
		{POST, "groups.unmute", true, groups.mute(false)},

		// Messages
		{POST, "chat.postMessage", true, s.chatPostMessage},
		{POST, "chat.sendMessage", true, s.chatSendMessage},
		{GET, "chat.getMessage", true, s.chatGetMessage},
		{POST, "chat.update", true, s.chatUpdate},
		{POST, "chat.delete", true, s.chatDelete},
		{POST, "chat.react", true, s.chatReact},
		{POST, "chat.pinMessage", true, s.chatPinMessage},
		{POST, "chat.unPinMessage", true, s.chatUnpinMessage},
		{POST, "chat.starMessage", true, s.chatStar(true)},
		{POST, "chat.unStarMessage", true, s.chatStar(false)},
		{GET, "chat.getPinnedMessages", true, s.roomListing("error-roomId-param-not-provided", func(c *request, rid string, p page) (*app.MessagePage, error) {
			return s.app.PinnedMessages(c.ctx, c.user, rid, p.opts())
		})},
		{GET, "chat.getStarredMessages", true, s.roomListing("error-invalid-params", func(c *request, rid string, p page) (*app.MessagePage, error) {
			return s.app.StarredMessages(c.ctx, c.user, rid, p.opts())
		})},
		{GET, "chat.getMentionedMessages", true, s.roomListing("error-invalid-params", func(c *request, rid string, p page) (*app.MessagePage, error) {
			return s.app.MentionedMessages(c.ctx, c.user, rid, p.opts())
		})},
		{GET, "chat.search", true, s.chatSearch},
		{POST, "chat.reportMessage", true, s.chatReportMessage},
		{GET, "chat.ignoreUser", true, s.chatIgnoreUser},
		{GET, "chat.getDeletedMessages", true, s.chatGetDeletedMessages},
		{GET, "chat.syncMessages", true, s.chatSyncMessages},

		// Settings and permissions
		{GET, "settings.public", false, s.settingsPublic},
		{GET, "settings", true, s.settingsList},
		{GET, "settings/{id}", true, s.settingGet},
		{POST, "settings/{id}", true, s.settingSet},
		{GET, "permissions.listAll", true, s.permissionsList},
		{POST, "permissions.update", true, s.permissionsUpdate},

		// Methods (see internal/methods); the frame in the body names the method
		{POST, "method.call/{method}", true, s.methodCall},
		{POST, "method.callAnon/{method}", false, s.methodCallAnon},
	}
	rts = append(rts, s.roomTypeRoutes("channels", "c")...)
	rts = append(rts, s.roomTypeRoutes("groups", "p")...)
	rts = append(rts, s.threadRoutes()...)
	rts = append(rts, s.directRoutes()...)
	rts = append(rts, s.integrationRoutes()...)
	return rts
}
