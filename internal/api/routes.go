package api

import (
	"net/http"

	"github.com/parleychat/parley/internal/app"
)

// routes is the whole REST API in one table: method, path under /api/v1/,
// whether a login is needed, and the handler. Every path is written out,
// so that a search for an endpoint's name finds it here. fromBody and its
// kin (request.go) say where a handler's input is bound from; the
// channels.* and groups.* families, and dm.* with its im.* names, share
// one handler set each (roomsOfType, directHandlers).
func (s *Server) routes() []route {
	const (
		GET  = http.MethodGet
		POST = http.MethodPost
	)
	channels, groups, dm := s.roomsOfType("c"), s.roomsOfType("p"), s.directHandlers()
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
		{POST, "channels.create", true, channels.create},
		{GET, "channels.info", true, channels.info},
		{POST, "channels.invite", true, channels.invite},
		{POST, "channels.leave", true, channels.leave},
		{POST, "channels.kick", true, channels.kick},
		{POST, "channels.delete", true, channels.delete},
		{GET, "channels.list", true, channels.list},
		{GET, "channels.members", true, channels.members},
		{GET, "channels.history", true, channels.history},
		{POST, "channels.join", true, channels.join},
		{GET, "channels.list.joined", true, channels.listJoined},
		{GET, "channels.messages", true, channels.messages},
		{POST, "channels.addOwner", true, channels.addOwner},
		{POST, "channels.removeOwner", true, channels.removeOwner},
		{POST, "channels.addModerator", true, channels.addModerator},
		{POST, "channels.removeModerator", true, channels.removeModerator},
		{POST, "channels.addLeader", true, channels.addLeader},
		{POST, "channels.removeLeader", true, channels.removeLeader},
		{POST, "channels.archive", true, channels.archive},
		{POST, "channels.unarchive", true, channels.unarchive},
		{POST, "channels.mute", true, channels.mute},
		{POST, "channels.unmute", true, channels.unmute},

		// Private groups
		{POST, "groups.create", true, groups.create},
		{GET, "groups.info", true, groups.info},
		{POST, "groups.invite", true, groups.invite},
		{POST, "groups.leave", true, groups.leave},
		{POST, "groups.kick", true, groups.kick},
		{POST, "groups.delete", true, groups.delete},
		{GET, "groups.list", true, groups.list},
		{GET, "groups.members", true, groups.members},
		{GET, "groups.history", true, groups.history},
		{GET, "groups.messages", true, groups.messages},
		{POST, "groups.addOwner", true, groups.addOwner},
		{POST, "groups.removeOwner", true, groups.removeOwner},
		{POST, "groups.addModerator", true, groups.addModerator},
		{POST, "groups.removeModerator", true, groups.removeModerator},
		{POST, "groups.addLeader", true, groups.addLeader},
		{POST, "groups.removeLeader", true, groups.removeLeader},
		{POST, "groups.archive", true, groups.archive},
		{POST, "groups.unarchive", true, groups.unarchive},
		{POST, "groups.mute", true, groups.mute},
		{POST, "groups.unmute", true, groups.unmute},

		// Direct messages, as dm.*
		{POST, "dm.create", true, dm.create},
		{POST, "dm.delete", true, dm.delete},
		{POST, "dm.open", true, dm.open},
		{POST, "dm.close", true, dm.close},
		{POST, "dm.setTopic", true, dm.setTopic},
		{GET, "dm.counters", true, dm.counters},
		{GET, "dm.history", true, dm.history},
		{GET, "dm.list", true, dm.list},
		{GET, "dm.list.everyone", true, dm.listEveryone},
		{GET, "dm.members", true, dm.members},
		{GET, "dm.messages", true, dm.messages},
		{GET, "dm.messages.others", true, dm.messagesOthers},
		{GET, "dm.files", true, dm.files},

		// Direct messages, as im.* (the older name clients still use)
		{POST, "im.create", true, dm.create},
		{POST, "im.delete", true, dm.delete},
		{POST, "im.open", true, dm.open},
		{POST, "im.close", true, dm.close},
		{POST, "im.setTopic", true, dm.setTopic},
		{GET, "im.counters", true, dm.counters},
		{GET, "im.history", true, dm.history},
		{GET, "im.list", true, dm.list},
		{GET, "im.list.everyone", true, dm.listEveryone},
		{GET, "im.members", true, dm.members},
		{GET, "im.messages", true, dm.messages},
		{GET, "im.messages.others", true, dm.messagesOthers},
		{GET, "im.files", true, dm.files},

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

		// Teams
		{POST, "teams.create", true, fromBody(s.teamsCreate)},
		{GET, "teams.info", true, fromQuery(s.teamsInfo)},
		{GET, "teams.list", true, fromQueryPage(s.teamsList)},
		{GET, "teams.listAll", true, fromQueryPage(s.teamsListAll)},
		{POST, "teams.delete", true, fromBody(s.teamsDelete)},
		{POST, "teams.update", true, fromBody(s.teamsUpdate)},
		{POST, "teams.addMembers", true, fromBody(s.teamsAddMembers)},
		{POST, "teams.removeMember", true, fromBody(s.teamsRemoveMember)},
		{POST, "teams.updateMember", true, fromBody(s.teamsUpdateMember)},
		{GET, "teams.members", true, fromQueryPage(s.teamsMembers)},
		{POST, "teams.leave", true, fromBody(s.teamsLeave)},
		{POST, "teams.addRooms", true, fromBody(s.teamsAddRooms)},
		{POST, "teams.removeRoom", true, fromBody(s.teamsRemoveRoom)},
		{POST, "teams.updateRoom", true, fromBody(s.teamsUpdateRoom)},
		{GET, "teams.listRooms", true, fromQueryPage(s.teamsListRooms)},
		{GET, "teams.listRoomsOfUser", true, fromQueryPage(s.teamsListRoomsOfUser)},
		{GET, "teams.autocomplete", true, fromQuery(s.teamsAutocomplete)},
		{POST, "teams.convertToChannel", true, fromBody(s.teamsConvertToChannel)},
		{POST, "channels.convertToTeam", true, s.convertToTeam("c")},
		{POST, "groups.convertToTeam", true, s.convertToTeam("p")},
	}
}
