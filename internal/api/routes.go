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
	chg, gchg := s.roomChanges("c"), s.roomChanges("p")
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

		// Users: profiles, avatars, lists, sessions and tokens
		{POST, "users.updateOwnBasicInfo", true, fromBody(s.usersUpdateOwnBasicInfo)},
		{POST, "users.setAvatar", true, s.usersSetAvatar},
		{POST, "users.resetAvatar", true, fromBody(s.usersResetAvatar)},
		{GET, "users.getAvatar", false, fromQuery(s.usersGetAvatar)},
		{POST, "users.setActiveStatus", true, fromBody(s.usersSetActiveStatus)},
		{POST, "users.deleteOwnAccount", true, fromBody(s.usersDeleteOwnAccount)},
		{GET, "users.checkUsernameAvailability", true, fromQuery(s.usersCheckUsernameAvailability)},
		{GET, "users.getUsernameSuggestion", true, s.usersGetUsernameSuggestion},
		{GET, "users.autocomplete", true, fromQuery(s.usersAutocomplete)},
		{GET, "users.listByStatus", true, fromQueryPage(s.usersListByStatus)},
		{GET, "users.presence", true, fromQuery(s.usersPresence)},
		{GET, "users.getPresence", true, fromQuery(s.usersGetPresence)},
		{GET, "users.listTeams", true, fromQuery(s.usersListTeams)},
		{POST, "users.logout", true, fromBody(s.usersLogout)},
		{POST, "users.logoutOtherClients", true, s.usersLogoutOtherClients},
		{POST, "users.removeOtherTokens", true, s.usersRemoveOtherTokens},
		{POST, "users.regeneratePersonalAccessToken", true, fromBody(s.usersRegenerateToken)},
		{POST, "users.createToken", true, fromBody(s.usersCreateToken)},
		{POST, "users.deactivateIdle", true, fromBody(s.usersDeactivateIdle)},
		{GET, "users.getAvatarSuggestion", true, s.usersGetAvatarSuggestion},
		{POST, "e2e.setUserPublicAndPrivateKeys", true, fromBody(s.e2eSetUserKeys)},
		{GET, "e2e.fetchMyKeys", true, s.e2eFetchMyKeys},

		// Rooms and subscriptions
		{GET, "rooms.get", true, s.roomsGet},
		{GET, "rooms.info", true, fromQuery(s.roomsInfo)},
		{GET, "rooms.nameExists", true, fromQuery(s.roomsNameExists)},
		{POST, "rooms.delete", true, fromBody(s.roomsDelete)},
		{POST, "rooms.leave", true, fromBody(s.roomsLeave)},
		{GET, "rooms.getDiscussions", true, fromQueryPage(s.roomsGetDiscussions)},
		{POST, "rooms.saveNotification", true, fromBody(s.roomsSaveNotification)},
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
		// password policy and login services
		{GET, "pw.getPolicy", true, s.pwGetPolicy},
		{GET, "settings.oauth", false, s.settingsOAuth},
		{GET, "service.configurations", false, s.serviceConfigurations},
		{GET, "permissions.listAll", true, s.permissionsList},
		{POST, "permissions.update", true, s.permissionsUpdate},

		// Roles (roles.go), and one role of a permission (settings.go);
		// custom roles are an enterprise feature
		{GET, "roles.list", true, s.rolesList},
		{GET, "roles.sync", true, s.rolesSync},
		{POST, "roles.create", false, s.rolesEnterprise},
		{POST, "roles.update", false, s.rolesEnterprise},
		{POST, "roles.delete", true, s.needPermission("access-permissions", fromBody(s.rolesDelete))},
		{POST, "roles.addUserToRole", true, fromBody(s.rolesAddUser)},
		{POST, "roles.removeUserFromRole", true, s.needPermission("access-permissions", fromBody(s.rolesRemoveUser))},
		{GET, "roles.getUsersInRole", true, s.needPermission("access-permissions", fromQueryPage(s.rolesUsers))},
		{GET, "roles.getUsersInPublicRoles", true, s.rolesPublicUsers},
		{POST, "permissions.addRole", true, s.needPermission("access-permissions", fromBody(s.permissionsAddRole))},
		{POST, "permissions.removeRole", true, s.needPermission("access-permissions", fromBody(s.permissionsRemoveRole))},

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
		{GET, "channels.getAllUserMentionsByChannel", true, fromQueryPage(s.channelsUserMentions)},
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
		{GET, "groups.listAll", true, fromQueryPage(s.groupsListAll)},
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

		// Rooms: lifecycle and settings
		{POST, "channels.setJoinCode", true, chg.setJoinCode},
		{POST, "channels.addAll", true, chg.addAll},
		{POST, "channels.close", true, chg.close},
		{POST, "channels.open", true, chg.open},
		{POST, "channels.rename", true, chg.rename},
		{POST, "channels.setType", true, chg.setType},
		{POST, "channels.setReadOnly", true, chg.setReadOnly},
		{POST, "channels.setTopic", true, chg.setTopic},
		{POST, "channels.setDescription", true, chg.setDescription},
		{POST, "channels.setPurpose", true, chg.setPurpose},
		{POST, "channels.setAnnouncement", true, chg.setAnnouncement},
		{POST, "channels.setCustomFields", true, chg.setCustomFields},
		{POST, "channels.setDefault", true, chg.setDefault},
		{POST, "groups.addAll", true, gchg.addAll},
		{POST, "groups.close", true, gchg.close},
		{POST, "groups.open", true, gchg.open},
		{POST, "groups.rename", true, gchg.rename},
		{POST, "groups.setType", true, gchg.setType},
		{POST, "groups.setReadOnly", true, gchg.setReadOnly},
		{POST, "groups.setTopic", true, gchg.setTopic},
		{POST, "groups.setDescription", true, gchg.setDescription},
		{POST, "groups.setPurpose", true, gchg.setPurpose},
		{POST, "groups.setAnnouncement", true, gchg.setAnnouncement},
		{POST, "groups.setCustomFields", true, gchg.setCustomFields},
		{POST, "groups.setEncrypted", true, gchg.setEncrypted},
		{POST, "rooms.saveRoomSettings", true, s.roomsSaveRoomSettings},

		// Reading rooms, and each user's own view of them
		{GET, "channels.roles", true, s.roomReads("c").roles},
		{GET, "groups.roles", true, s.roomReads("p").roles},
		{GET, "rooms.roles", true, fromQuery(s.roomsRoles)},
		{GET, "channels.moderators", true, s.roomReads("c").moderators},
		{GET, "groups.moderators", true, s.roomReads("p").moderators},
		{GET, "channels.online", true, s.roomReads("c").online},
		{GET, "groups.online", true, s.roomReads("p").online},
		{GET, "channels.counters", true, s.roomReads("c").counters},
		{GET, "groups.counters", true, s.roomReads("p").counters},
		{GET, "channels.files", true, s.roomReads("c").files},
		{GET, "groups.files", true, s.roomReads("p").files},
		{GET, "channels.anonymousread", false, fromQueryPage(s.channelsAnonymousRead)},
		{GET, "rooms.images", true, fromQueryPage(s.roomsImages)},
		{GET, "rooms.isMember", true, fromQuery(s.roomsIsMember)},
		{GET, "rooms.membersOrderedByRole", true, fromQueryPage(s.roomsMembersOrderedByRole)},
		{GET, "rooms.adminRooms", true, fromQueryPage(s.roomsAdminRooms)},
		{GET, "rooms.adminRooms.getRoom", true, fromQuery(s.roomsAdminRoom)},
		{GET, "rooms.autocomplete.channelAndPrivate", true, fromQueryPage(s.roomsAutocompleteChannelAndPrivate)},
		{GET, "rooms.autocomplete.channelAndPrivate.withPagination", true, fromQueryPage(s.roomsAutocompleteChannelAndPrivatePaged)},
		{GET, "rooms.autocomplete.adminRooms", true, fromQueryPage(s.roomsAutocompleteAdminRooms)},
		{GET, "rooms.autocomplete.availableForTeams", true, fromQuery(s.roomsAutocompleteForTeams)},
		{GET, "directory", true, fromQueryPage(s.directory)},
		{POST, "rooms.favorite", true, fromBody(s.roomsFavorite)},
		{POST, "rooms.hide", true, fromBody(s.roomsHide)},
		{POST, "rooms.saveDraft", true, fromBody(s.roomsSaveDraft)},
		{POST, "subscriptions.unread", true, fromBody(s.subscriptionsUnread)},

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
		{GET, "teams.listChildren", true, fromQueryPage(s.teamsListChildren)},
		{GET, "teams.autocomplete", true, fromQuery(s.teamsAutocomplete)},
		{POST, "teams.convertToChannel", true, fromBody(s.teamsConvertToChannel)},
		{POST, "channels.convertToTeam", true, s.convertToTeam("c")},
		{POST, "groups.convertToTeam", true, s.convertToTeam("p")},

		// Moderation, history pruning, export and invite links
		// (moderation.go); rooms.export's archives download from
		// /data-export/{id}
		{POST, "rooms.banUser", true, fromBody(s.roomsBanUser)},
		{POST, "rooms.unbanUser", true, fromBody(s.roomsUnbanUser)},
		{GET, "rooms.bannedUsers", true, fromQueryPage(s.roomsBannedUsers)},
		{POST, "rooms.cleanHistory", true, fromBody(s.roomsCleanHistory)},
		{POST, "rooms.export", true, s.roomsExport},
		{POST, "findOrCreateInvite", true, fromBody(s.findOrCreateInvite)},
		{GET, "listInvites", true, s.listInvites},
		{http.MethodDelete, "removeInvite/{_id}", true, s.removeInvite},
		{POST, "useInviteToken", true, fromBody(s.useInviteToken)},
		{POST, "validateInviteToken", false, fromBody(s.validateInviteToken)},
	}
}
