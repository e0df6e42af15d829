package api

import (
	"net/http"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/model"
)

// routes is the whole REST API in one table: method, path under /api/v1/,
// whether a login is needed, and the handler. Every path is written out,
// so that a search for an endpoint's name finds it here.
func (s *Server) routes() []route {
	const (
		GET  = http.MethodGet
		POST = http.MethodPost
	)
	channels, groups := s.roomsOfType("c"), s.roomsOfType("p")
	return []route{
		// Authentication
		{POST, "login", false, s.login},
		{POST, "logout", true, s.logout},
		{GET, "logout", true, s.logout},
		{GET, "me", true, s.me},

		// Users
		{POST, "users.create", true, fromBody(s.usersCreate)},
		{POST, "users.register", false, s.usersRegister},
		{GET, "users.info", true, fromQuery(s.usersInfo)},
		{GET, "users.list", true, fromQueryPage(s.usersList)},
		{POST, "users.update", true, fromBody(s.usersUpdate)},
		{POST, "users.delete", true, fromBody(s.usersDelete)},
		{POST, "users.setStatus", true, fromBody(s.usersSetStatus)},
		{GET, "users.getStatus", true, fromQuery(s.usersGetStatus)},
		{POST, "users.setPreferences", true, fromBody(s.usersSetPreferences)},
		{GET, "users.getPreferences", true, s.usersGetPreferences},
		{POST, "users.generatePersonalAccessToken", true, fromBody(s.usersGenerateToken)},
		{GET, "users.getPersonalAccessTokens", true, s.usersListTokens},
		{POST, "users.removePersonalAccessToken", true, fromBody(s.usersRemoveToken)},

		// Rooms and subscriptions
		{GET, "rooms.get", true, s.roomsGet},
		{GET, "rooms.info", true, fromQuery(s.roomsInfo)},
		{GET, "subscriptions.get", true, s.subscriptionsGet},
		{GET, "subscriptions.getOne", true, fromQuery(s.subscriptionsGetOne)},
		{POST, "subscriptions.read", true, fromBody(s.subscriptionsRead)},

		// Messages
		{POST, "chat.postMessage", true, s.chatPostMessage},
		{POST, "chat.sendMessage", true, fromBody(s.chatSendMessage)},
		{GET, "chat.getMessage", true, fromClosedQuery(s.chatGetMessage)},
		{POST, "chat.update", true, s.chatUpdate},
		{POST, "chat.delete", true, fromBody(s.chatDelete)},
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
		{GET, "chat.search", true, fromClosedQueryPage(s.chatSearch)},
		{POST, "chat.reportMessage", true, fromBody(s.chatReportMessage)},
		{GET, "chat.ignoreUser", true, fromClosedQuery(s.chatIgnoreUser)},
		{GET, "chat.getDeletedMessages", true, fromClosedQuery(s.chatGetDeletedMessages)},
		{GET, "chat.syncMessages", true, fromClosedQuery(s.chatSyncMessages)},

		// Settings and permissions
		{GET, "settings.public", false, s.settingsPublic},
		{GET, "settings", true, s.settingsList},
		{GET, "settings/{id}", true, s.settingGet},
		{POST, "settings/{id}", true, s.settingSet},
		{GET, "permissions.listAll", true, s.permissionsList},
		{POST, "permissions.update", true, s.permissionsUpdate},

		// Methods (see internal/methods); the frame in the body names the
		// method. Names may hold a slash (subscriptions/get).
		{POST, "method.call/{method...}", true, s.methodCall},
		{POST, "method.callAnon/{method...}", false, s.methodCallAnon},

		// Channels
		{POST, "channels.create", true, fromBody(channels.create)},
		{GET, "channels.info", true, fromQuery(channels.info)},
		{POST, "channels.invite", true, fromBody(channels.invite)},
		{POST, "channels.leave", true, fromBody(channels.leave)},
		{POST, "channels.kick", true, fromBody(channels.kick)},
		{POST, "channels.delete", true, fromBody(channels.delete)},
		{GET, "channels.list", true, fromQueryPage(channels.list)},
		{GET, "channels.members", true, fromQueryPage(channels.members)},
		{GET, "channels.history", true, channels.history},
		{POST, "channels.join", true, fromBody(channels.join)},
		{GET, "channels.list.joined", true, fromQueryPage(channels.listJoined)},
		{GET, "channels.messages", true, s.roomMessages(model.RoomChannel)},
		{POST, "channels.addOwner", true, channels.setRole("owner", true)},
		{POST, "channels.removeOwner", true, channels.setRole("owner", false)},
		{POST, "channels.addModerator", true, channels.setRole("moderator", true)},
		{POST, "channels.removeModerator", true, channels.setRole("moderator", false)},
		{POST, "channels.addLeader", true, channels.setRole("leader", true)},
		{POST, "channels.removeLeader", true, channels.setRole("leader", false)},
		{POST, "channels.archive", true, channels.archive(true)},
		{POST, "channels.unarchive", true, channels.archive(false)},
		{POST, "channels.mute", true, channels.mute(true)},
		{POST, "channels.unmute", true, channels.mute(false)},

		// Private groups
		{POST, "groups.create", true, fromBody(groups.create)},
		{GET, "groups.info", true, fromQuery(groups.info)},
		{POST, "groups.invite", true, fromBody(groups.invite)},
		{POST, "groups.leave", true, fromBody(groups.leave)},
		{POST, "groups.kick", true, fromBody(groups.kick)},
		{POST, "groups.delete", true, fromBody(groups.delete)},
		{GET, "groups.list", true, fromQueryPage(groups.list)},
		{GET, "groups.members", true, fromQueryPage(groups.members)},
		{GET, "groups.history", true, groups.history},
		{GET, "groups.messages", true, s.roomMessages(model.RoomGroup)},
		{POST, "groups.addOwner", true, groups.setRole("owner", true)},
		{POST, "groups.removeOwner", true, groups.setRole("owner", false)},
		{POST, "groups.addModerator", true, groups.setRole("moderator", true)},
		{POST, "groups.removeModerator", true, groups.setRole("moderator", false)},
		{POST, "groups.addLeader", true, groups.setRole("leader", true)},
		{POST, "groups.removeLeader", true, groups.setRole("leader", false)},
		{POST, "groups.archive", true, groups.archive(true)},
		{POST, "groups.unarchive", true, groups.archive(false)},
		{POST, "groups.mute", true, groups.mute(true)},
		{POST, "groups.unmute", true, groups.mute(false)},

		// Direct messages, as dm.*
		{POST, "dm.create", true, s.dmCreate},
		{POST, "dm.delete", true, fromBody(s.dmDelete)},
		{POST, "dm.open", true, fromBody(s.dmOpen)},
		{POST, "dm.close", true, fromBody(s.dmClose)},
		{POST, "dm.setTopic", true, s.dmSetTopic},
		{GET, "dm.counters", true, fromQuery(s.dmCounters)},
		{GET, "dm.history", true, s.dmHistory},
		{GET, "dm.list", true, fromQueryPage(s.dmList)},
		{GET, "dm.list.everyone", true, fromQueryPage(s.dmListEveryone)},
		{GET, "dm.members", true, fromQueryPage(s.dmMembers)},
		{GET, "dm.messages", true, fromQueryPage(s.dmMessages)},
		{GET, "dm.messages.others", true, s.dmMessagesOthers},
		{GET, "dm.files", true, fromQueryPage(s.dmFiles)},

		// Direct messages, as im.* (the older name clients still use)
		{POST, "im.create", true, s.dmCreate},
		{POST, "im.delete", true, fromBody(s.dmDelete)},
		{POST, "im.open", true, fromBody(s.dmOpen)},
		{POST, "im.close", true, fromBody(s.dmClose)},
		{POST, "im.setTopic", true, s.dmSetTopic},
		{GET, "im.counters", true, fromQuery(s.dmCounters)},
		{GET, "im.history", true, s.dmHistory},
		{GET, "im.list", true, fromQueryPage(s.dmList)},
		{GET, "im.list.everyone", true, fromQueryPage(s.dmListEveryone)},
		{GET, "im.members", true, fromQueryPage(s.dmMembers)},
		{GET, "im.messages", true, fromQueryPage(s.dmMessages)},
		{GET, "im.messages.others", true, s.dmMessagesOthers},
		{GET, "im.files", true, fromQueryPage(s.dmFiles)},

		// Rooms: moderation, uploads
		{POST, "rooms.muteUser", true, s.roomsMute(true)},
		{POST, "rooms.unmuteUser", true, s.roomsMute(false)},
		{POST, "rooms.media/{rid}", true, s.roomsMedia},
		{POST, "rooms.mediaConfirm/{rid}/{fileId}", true, s.roomsMediaConfirm},
		{POST, "rooms.upload/{rid}", true, s.roomsUpload},

		// Threads, discussions, read receipts
		{POST, "chat.followMessage", true, s.chatFollow(true)},
		{POST, "chat.unfollowMessage", true, s.chatFollow(false)},
		{GET, "chat.getThreadsList", true, fromClosedQuery(s.chatGetThreadsList)},
		{GET, "chat.getThreadMessages", true, fromClosedQueryPage(s.chatGetThreadMessages)},
		{GET, "chat.syncThreadsList", true, s.needThreads(fromClosedQuery(s.chatSyncThreadsList))},
		{GET, "chat.syncThreadMessages", true, s.needThreads(fromClosedQuery(s.chatSyncThreadMessages))},
		{GET, "chat.getDiscussions", true, fromClosedQuery(s.chatGetDiscussions)},
		{GET, "chat.getMessageReadReceipts", true, s.chatGetMessageReadReceipts},
		{POST, "rooms.createDiscussion", true, s.roomsCreateDiscussion},

		// URL previews and auto-translation
		{GET, "chat.getURLPreview", true, fromQuery(s.chatGetURLPreview)},
		{GET, "autotranslate.getSupportedLanguages", true, fromQuery(s.autotranslateGetSupportedLanguages)},
		{POST, "autotranslate.saveSettings", true, fromBody(s.autotranslateSaveSettings)},
		{POST, "autotranslate.translateMessage", true, fromBody(s.autotranslateTranslateMessage)},
		{GET, "autotranslate.getProviderUiMetadata", true, s.autotranslateGetProviderUIMetadata},
	}
}
