package settings

// compatDefaults are Rocket.Chat's settings for the areas Parley serves
// (accounts, the REST API, the user interface, messages, uploads), beyond
// the ones listed in Defaults, with Rocket.Chat's ids, types, defaults and
// visibility. Clients and administration tools read and set them; the
// descriptions say what each does in Parley, "Stored only" where the
// server does nothing with it (docs/configuration.md lists them so).
func compatDefaults() []Def {
	b := func(id string, def bool, public bool, group, desc string) Def {
		return Def{ID: id, Type: TypeBool, Default: def, Public: public, Group: group, Description: desc}
	}
	i := func(id string, def int, public bool, group, desc string) Def {
		return Def{ID: id, Type: TypeInt, Default: def, Public: public, Group: group, Description: desc}
	}
	s := func(id string, def string, public bool, group, desc string) Def {
		return Def{ID: id, Type: TypeString, Default: def, Public: public, Group: group, Description: desc}
	}
	sel := func(id, def string, values []string, public bool, group, desc string) Def {
		return Def{ID: id, Type: TypeSelect, Default: def, Values: values, Public: public, Group: group, Description: desc}
	}
	const (
		stored       = "Stored only."
		forClients   = "Stored only; clients read it."
		noMail       = "Stored only: Parley sends no mail."
		notEnforced  = "Stored only: Parley does not enforce two-factor authentication."
		notifyPrefs  = "Stored only; clients read it as the default of the user preference of the same name."
		policyEffect = "Part of the password policy, checked while Accounts_Password_Policy_Enabled is on."
	)
	pref := func(name string, def any, values ...string) Def {
		id := "Accounts_Default_User_Preferences_" + name
		switch v := def.(type) {
		case bool:
			return b(id, v, true, "Accounts", notifyPrefs)
		case int:
			return i(id, v, true, "Accounts", notifyPrefs)
		default:
			if len(values) > 0 {
				return sel(id, v.(string), values, true, "Accounts", notifyPrefs)
			}
			return s(id, v.(string), true, "Accounts", notifyPrefs)
		}
	}
	// volume is a sound volume preference: 0 to 100.
	volume := func(name string) Def {
		return Def{ID: "Accounts_Default_User_Preferences_" + name, Type: TypeRange, Default: 100, Public: true, Group: "Accounts", Description: notifyPrefs + " From 0 to 100."}
	}
	return []Def{
		// Accounts
		b("Accounts_AllowAnonymousRead", false, true, "Accounts", "Visitors who are not logged in may read public channels where an endpoint allows it (channels.anonymousread)."),
		b("Accounts_AllowAnonymousWrite", false, true, "Accounts", forClients),
		b("Accounts_AllowUserAvatarChange", true, true, "Accounts", "Users may change their own avatar."),
		b("Accounts_AllowPasswordChangeForOAuthUsers", true, true, "Accounts", "Stored only: Parley has no OAuth logins."),
		b("Accounts_AllowEmailNotifications", true, true, "Accounts", noMail),
		b("Accounts_AllowFeaturePreview", false, true, "Accounts", forClients),
		b("Accounts_AllowInvisibleStatusOption", true, true, "Accounts", "Users may set their status to offline (invisible)."),
		s("Accounts_CustomFieldsToShowInUserInfo", "", true, "Accounts", forClients),
		i("Accounts_LoginExpiration", 90, true, "Accounts", "Stored only: login tokens last until logout."),
		s("Accounts_EmailOrUsernamePlaceholder", "", true, "Accounts", forClients),
		s("Accounts_PasswordPlaceholder", "", true, "Accounts", forClients),
		s("Accounts_ConfirmPasswordPlaceholder", "", true, "Accounts", forClients),
		b("Accounts_ForgetUserSessionOnWindowClose", false, true, "Accounts", forClients),
		sel("Accounts_Directory_DefaultView", "channels", []string{"channels", "users"}, true, "Accounts", forClients),
		b("Accounts_ShowFormLogin", true, true, "Accounts", forClients),
		b("Accounts_TwoFactorAuthentication_By_TOTP_Enabled", true, true, "Accounts", notEnforced),
		b("Accounts_TwoFactorAuthentication_By_Email_Enabled", true, true, "Accounts", notEnforced),
		b("Accounts_TwoFactorAuthentication_Enforce_Password_Fallback", true, true, "Accounts", "With Accounts_TwoFactorAuthentication_Enabled, sensitive actions of users with a password ask for it again."),
		i("Accounts_TwoFactorAuthentication_MaxDelta", 1, false, "Accounts", notEnforced),
		i("Accounts_TwoFactorAuthentication_RememberFor", 1800, false, "Accounts", notEnforced),
		b("Accounts_Send_Email_When_Activating", true, false, "Accounts", noMail),
		b("Accounts_Send_Email_When_Deactivating", true, false, "Accounts", noMail),
		s("Accounts_DefaultUsernamePrefixSuggestion", "user", false, "Accounts", "Prefix of suggested usernames when nothing better is known."),
		b("Accounts_RequireNameForSignUp", true, true, "Accounts", forClients),
		b("Accounts_RequirePasswordConfirmation", true, true, "Accounts", forClients),
		b("Accounts_EmailVerification", false, true, "Accounts", noMail),
		b("Accounts_Verify_Email_For_External_Accounts", true, false, "Accounts", stored),
		b("Accounts_ManuallyApproveNewUsers", false, true, "Accounts", "Accounts made by users.register start deactivated until an administrator activates them."),
		s("Accounts_AllowedDomainsList", "", true, "Accounts", stored),
		s("Accounts_BlockedDomainsList", "", false, "Accounts", stored),
		b("Accounts_UseDefaultBlockedDomainsList", true, false, "Accounts", stored),
		b("Accounts_UseDNSDomainCheck", false, false, "Accounts", stored),
		sel("Accounts_Registration_InviteUrlType", "proxy", []string{"direct", "proxy"}, false, "Accounts", stored),
		s("Accounts_RegistrationForm_LinkReplacementText", "New user registration is currently disabled", true, "Accounts", forClients),
		b("Accounts_Registration_AuthenticationServices_Enabled", true, true, "Accounts", "Stored only: Parley has no OAuth logins."),
		s("Accounts_Registration_AuthenticationServices_Default_Roles", "user", false, "Accounts", "Stored only: Parley has no OAuth logins."),
		s("Accounts_Registration_Users_Default_Roles", "user", true, "Accounts", "Roles, comma separated, of accounts made by users.register, and by users.create when it names none."),
		b("Accounts_PasswordReset", true, true, "Accounts", noMail),
		Def{ID: "Accounts_CustomFields", Type: TypeCode, Default: "", Public: true, Group: "Accounts", Validate: ValidateCustomFieldsDefinition,
			Description: "JSON object that defines the custom fields of user accounts (see below); empty = any customFields are taken as given."},
		b("Accounts_AvatarResize", true, false, "Accounts", stored),
		i("Accounts_AvatarSize", 200, false, "Accounts", stored),
		s("Accounts_AvatarExternalProviderUrl", "", true, "Accounts", forClients),
		s("Accounts_RoomAvatarExternalProviderUrl", "", true, "Accounts", forClients),
		i("Accounts_AvatarCacheTime", 3600, false, "Accounts", "Seconds that browsers may cache an avatar (Cache-Control max-age)."),
		b("Accounts_AvatarBlockUnauthenticatedAccess", false, true, "Accounts", "Avatars need a logged-in caller (rc_uid and rc_token cookies or query parameters)."),
		b("Accounts_SetDefaultAvatar", true, false, "Accounts", stored),

		// Password policy
		b("Accounts_Password_Policy_Enabled", false, true, "Accounts", "New passwords (users.create, users.update, users.register, users.updateOwnBasicInfo) must meet the policy below."),
		i("Accounts_Password_Policy_MinLength", 7, true, "Accounts", policyEffect+" Fewest characters (below 1 = no minimum)."),
		i("Accounts_Password_Policy_MaxLength", -1, true, "Accounts", policyEffect+" Most characters (below 1 = no maximum)."),
		b("Accounts_Password_Policy_ForbidRepeatingCharacters", true, true, "Accounts", policyEffect+" Refuse runs of one repeated character."),
		i("Accounts_Password_Policy_ForbidRepeatingCharactersCount", 3, true, "Accounts", policyEffect+" A character may repeat this many times in a row; one more is refused."),
		b("Accounts_Password_Policy_AtLeastOneLowercase", true, true, "Accounts", policyEffect+" Needs a lowercase letter a-z."),
		b("Accounts_Password_Policy_AtLeastOneUppercase", true, true, "Accounts", policyEffect+" Needs an uppercase letter A-Z."),
		b("Accounts_Password_Policy_AtLeastOneNumber", true, true, "Accounts", policyEffect+" Needs a digit 0-9."),
		b("Accounts_Password_Policy_AtLeastOneSpecialCharacter", true, true, "Accounts", policyEffect+" Needs a character other than a-z, A-Z, 0-9 and space."),
		b("Accounts_Password_History_Enabled", false, false, "Accounts", stored),
		i("Accounts_Password_History_Amount", 5, false, "Accounts", stored),

		// Default user preferences, as Rocket.Chat's clients read them.
		pref("enableAutoAway", true),
		pref("idleTimeLimit", 300),
		pref("desktopNotificationRequireInteraction", false),
		pref("desktopNotifications", "all", "all", "mentions", "nothing"),
		pref("pushNotifications", "all", "all", "mentions", "nothing"),
		pref("unreadAlert", true),
		pref("useEmojis", true),
		pref("convertAsciiEmoji", true),
		pref("autoImageLoad", true),
		pref("saveMobileBandwidth", true),
		pref("collapseMediaByDefault", false),
		pref("hideUsernames", false),
		pref("hideRoles", false),
		pref("hideFlexTab", false),
		pref("displayAvatars", true),
		pref("sidebarGroupByType", true),
		pref("themeAppearence", "auto", "auto", "light", "dark"),
		pref("sidebarViewMode", "medium", "extended", "medium", "condensed"),
		pref("sidebarDisplayAvatar", true),
		pref("sidebarShowUnread", false),
		pref("sidebarSortby", "activity", "activity", "alphabetical"),
		pref("showThreadsInMainChannel", false),
		pref("alsoSendThreadToChannel", "default", "default", "always", "never"),
		pref("sidebarShowFavorites", true),
		pref("sendOnEnter", "normal", "normal", "alternative", "desktop"),
		pref("emailNotificationMode", "mentions", "nothing", "mentions"),
		pref("newRoomNotification", "door", "none", "door"),
		pref("newMessageNotification", "chime", "none", "chime"),
		pref("muteFocusedConversations", true),
		volume("notificationsSoundVolume"),
		volume("masterVolume"),
		volume("voipRingerVolume"),
		pref("notifyCalendarEvents", true),
		pref("enableMobileRinging", true),
		pref("featuresPreview", "[]"),

		// Login services Parley does not have
		b("LDAP_Enable", false, true, "LDAP", "Stored only: Parley has no LDAP logins."),

		// General and REST API
		i("API_User_Limit", 500, true, "General", "Most users one call may add to a room: channels.addAll and groups.addAll refuse when more users exist, and an invite naming more users is refused (error-user-limit-exceeded)."),
		b("API_Enable_Shields", true, false, "General", "Stored only: Parley serves no shields."),
		s("API_Shield_Types", "*", false, "General", "Stored only: Parley serves no shields."),
		b("API_Shield_user_require_auth", false, false, "General", "Stored only: Parley serves no shields."),
		b("API_Enable_CORS", false, false, "General", stored),
		s("API_CORS_Origin", "*", false, "General", stored),
		b("API_Apply_permission_view-outside-room_on_users-list", false, true, "General", "users.list needs view-outside-room as well as view-d-room."),
		s("API_Embed_UserAgent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/41.0.2227.0 Safari/537.36", true, "Message", "Stored only: previews identify themselves as Parley."),
		i("API_EmbedTimeout", 10, false, "Message", "Stored only: previews have their own deadline."),
		sel("Show_Setup_Wizard", "pending", []string{"pending", "in_progress", "completed"}, true, "General", forClients),
		s("Document_Domain", "", true, "General", forClients),
		b("Favorite_Rooms", true, true, "General", "Stored only: rooms may always be favourited."),
		s("First_Channel_After_Login", "", true, "General", forClients),
		b("Force_SSL", false, true, "General", "Stored only: terminate TLS in front of Parley."),
		s("DeepLink_Url", "https://go.rocket.chat", true, "General", forClients),
		s("CDN_PREFIX", "", true, "General", forClients),
		b("UTF8_Names_Slugify", true, true, "General", stored),
		i("Notifications_Max_Room_Members", 100, true, "General", "Stored only: Parley sends no push or desktop notifications."),
		b("Presence_broadcast_disabled", false, true, "General", "users.presence answers an empty list: nobody's presence is shared."),
		b("VoIP_Enabled", false, true, "Call_Center", "Stored only: Parley has no telephony."),

		// User interface
		b("UI_DisplayRoles", true, true, "Layout", forClients),
		b("UI_Group_Channels_By_Type", true, false, "Layout", forClients),
		b("UI_Use_Name_Avatar", false, true, "Layout", "Generated avatars show up to three initials of the real name instead of the username's first letter."),
		b("UI_Click_Direct_Message", false, true, "Layout", forClients),
		i("Number_of_users_autocomplete_suggestions", 5, true, "Layout", forClients),
		sel("UI_Unread_Counter_Style", "Different_Style_For_User_Mentions", []string{"Same_Style_For_Mentions", "Different_Style_For_User_Mentions"}, true, "Layout", forClients),
		b("UI_Allow_room_names_with_special_chars", false, true, "Layout", "Room names may hold any characters: the name given becomes the room's fname, and its slug (case kept, without accents, Greek and Cyrillic spelled in Latin letters, runs of other characters as one '-') its name, which must then match UTF8_Channel_Names_Validation."),
		b("UI_Show_top_navbar_embedded_layout", false, true, "Layout", forClients),

		// Messages
		b("Message_Attachments_Thumbnails_Enabled", true, true, "Message", "Image file messages get a thumbnail upload."),
		i("Message_Attachments_Thumbnails_Width", 480, true, "Message", "Width of the box thumbnails fit in."),
		i("Message_Attachments_Thumbnails_Height", 360, true, "Message", "Height of the box thumbnails fit in."),
		b("Message_Attachments_Strip_Exif", true, true, "Message", "Stored only: uploads are kept as sent."),
		b("Message_AudioRecorderEnabled", true, true, "Message", forClients),
		i("Message_Audio_bitRate", 32, true, "Message", forClients),
		b("Message_VideoRecorderEnabled", true, true, "Message", forClients),
		b("Message_AllowUnrecognizedSlashCommand", false, true, "Message", forClients),
		b("Message_AllowConvertLongMessagesToAttachment", true, true, "Message", forClients),
		i("Message_GroupingPeriod", 300, true, "Message", forClients),
		s("Message_TimeFormat", "LT", true, "Message", forClients),
		s("Message_DateFormat", "LL", true, "Message", forClients),
		s("Message_TimeAndDateFormat", "LLL", true, "Message", forClients),
		sel("Message_ErasureType", "Delete", []string{"Keep", "Delete", "Unlink"}, true, "Message", stored),
		s("Message_Code_highlight", "javascript,css,markdown,dockerfile,json,go,rust,clean,bash,plaintext,powershell,scss,shell,yaml,vim", true, "Message", forClients),
		b("MapView_Enabled", false, true, "Message", forClients),

		// Files
		b("FileUpload_Restrict_to_room_members", true, false, "FileUpload", "With FileUpload_ProtectFiles, a room's files only for its members."),
		b("FileUpload_Restrict_to_users_who_can_access_room", false, false, "FileUpload", "With FileUpload_ProtectFiles, a room's files only for who can access it."),
		b("FileUpload_RotateImages", true, true, "FileUpload", "Stored only: uploads are kept as sent."),
		b("FileUpload_Enable_json_web_token_for_files", true, false, "FileUpload", stored),
		sel("FileUpload_Storage_Type", "GridFS", []string{"GridFS", "AmazonS3", "FileSystem"}, true, "FileUpload", "Where new uploads and avatars are stored: GridFS (the database), AmazonS3 or FileSystem (the data directory). Until set, FileSystem on SQLite and GridFS on PostgreSQL. Applies to new files at once; existing files stay where they are (see files.md)."),
		s("FileUpload_S3_Bucket", "", false, "FileUpload", "The bucket of the AmazonS3 storage; the storage is off while it is empty."),
		s("FileUpload_S3_Acl", "", false, "FileUpload", "A canned ACL (e.g. private) given to each new object of the AmazonS3 storage; empty leaves the bucket's default."),
		{ID: "FileUpload_S3_AWSAccessKeyId", Type: TypeString, Default: "", Secret: true, Group: "FileUpload", Description: "The access key of the AmazonS3 storage; with the secret key empty too, the AWS_* environment variables or the machine's IAM role are used."},
		{ID: "FileUpload_S3_AWSSecretAccessKey", Type: TypeString, Default: "", Secret: true, Group: "FileUpload", Description: "The secret key of the AmazonS3 storage."},
		s("FileUpload_S3_Region", "", false, "FileUpload", "The region of the bucket; empty lets the storage ask the bucket."),
		{ID: "FileUpload_S3_BucketURL", Type: TypeString, Default: "", Secret: true, Group: "FileUpload", Description: "The endpoint of an S3-compatible service (http:// or https://, host and port, no path); empty means Amazon S3."},
		b("FileUpload_S3_ForcePathStyle", false, false, "FileUpload", "Name the bucket in the path of each request rather than in the host name; most self-hosted services need it."),
		i("FileUpload_S3_URLExpiryTimeSpan", 120, false, "FileUpload", "Seconds a download link into the bucket stays valid (at least 5), when downloads are not proxied."),
		b("FileUpload_S3_Proxy_Uploads", false, false, "FileUpload", "Serve files in the AmazonS3 storage through Parley; when off, a download is answered, after its access check, with a redirect to a short-lived link into the bucket."),
		b("FileUpload_S3_Proxy_Avatars", false, false, "FileUpload", "Serve avatars in the AmazonS3 storage through Parley; when off, an avatar request is redirected to a short-lived link into the bucket."),
	}
}
