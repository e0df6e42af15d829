package settings

// Defaults lists every setting Parley consults, with Rocket.Chat's default
// value. docs/configuration.md documents them; keep the two in step.
func Defaults() []Def {
	b := func(id string, def bool, public bool, group, desc string) Def {
		return Def{ID: id, Type: TypeBool, Default: def, Public: public, Group: group, Description: desc}
	}
	i := func(id string, def int, public bool, group, desc string) Def {
		return Def{ID: id, Type: TypeInt, Default: def, Public: public, Group: group, Description: desc}
	}
	s := func(id string, def string, public bool, group, desc string) Def {
		return Def{ID: id, Type: TypeString, Default: def, Public: public, Group: group, Description: desc}
	}
	secret := func(id, group, desc string) Def {
		return Def{ID: id, Type: TypeString, Default: "", Secret: true, Group: group, Description: desc}
	}
	sel := func(id, def string, values []string, public bool, group, desc string) Def {
		return Def{ID: id, Type: TypeSelect, Default: def, Values: values, Public: public, Group: group, Description: desc}
	}
	defs := []Def{
		// General
		s("Site_Url", "", true, "General", "Public URL of the server; links starting with it are internal. When empty, --site-url, or else the listen address (http://localhost:3000 by default), stands in for it and is what the settings endpoints show."),
		s("Site_Name", "Parley", true, "General", "Name of the workspace."),
		s("Language", "", true, "General", "Default language of the workspace."),
		b("UI_Use_Real_Name", false, true, "General", "Show users' real names instead of usernames."),
		s("UTF8_User_Names_Validation", "[0-9a-zA-Z-_.]+", true, "General", "Regular expression that a whole username must match, on users.create, users.update, users.register and every other rename; an invalid expression falls back to the default."),
		s("UTF8_Channel_Names_Validation", "[0-9a-zA-Z-_.]+", true, "General", "Regular expression that a whole room name must match, on channels.create, groups.create and renames (the slug, when UI_Allow_room_names_with_special_chars is on); an invalid expression falls back to the default."),
		b("Initial_Channel_Created", false, false, "General", "Set once the default channel has been created."),

		// Accounts
		sel("Accounts_RegistrationForm", "Public", []string{"Public", "Disabled", "Secret URL"}, true, "Accounts", "Who may register through users.register."),
		s("Accounts_RegistrationForm_SecretURL", "", false, "Accounts", "Secret that users.register needs when registration is by secret URL."),
		b("Accounts_AllowUserProfileChange", true, true, "Accounts", "Users may change their own profile."),
		b("Accounts_AllowUsernameChange", true, true, "Accounts", "Users may change their username."),
		b("Accounts_AllowRealNameChange", true, true, "Accounts", "Users may change their name."),
		b("Accounts_AllowEmailChange", true, true, "Accounts", "Users may change their email address."),
		b("Accounts_AllowPasswordChange", true, true, "Accounts", "Users may change their password."),
		b("Accounts_AllowDeleteOwnAccount", false, true, "Accounts", "Users may delete their own account."),
		b("Accounts_AllowUserStatusMessageChange", true, true, "Accounts", "Users may set a status message."),
		b("Accounts_TwoFactorAuthentication_Enabled", true, true, "Accounts", "Two-factor checks of sensitive actions; Parley's only second factor is the password (see Accounts_TwoFactorAuthentication_Enforce_Password_Fallback)."),
		s("Accounts_Default_User_Preferences_language", "", false, "Accounts", "Default language preference of new users."),
		s("Accounts_BlockedUsernameList", "", false, "Accounts", "Usernames nobody may register or be given, comma separated, besides all and here."),
		s("Accounts_SystemBlockedUsernameList", "admin,administrator,system,user", false, "Accounts", "Usernames reserved for the system, comma separated; the first-run administrator may still be called admin."),

		// Failed logins
		b("Block_Multiple_Failed_Logins_Enabled", true, false, "Accounts", "Block logins after repeated failures."),
		b("Block_Multiple_Failed_Logins_By_User", true, false, "Accounts", "Count failed logins per username."),
		i("Block_Multiple_Failed_Logins_Attempts_Until_Block_by_User", 10, false, "Accounts", "Failed logins of one username that block it (0 = never)."),
		i("Block_Multiple_Failed_Logins_Time_To_Unblock_By_User_In_Minutes", 5, false, "Accounts", "Minutes over which failures of a username are counted, and that a blocked username waits after its last failure."),
		b("Block_Multiple_Failed_Logins_By_Ip", true, false, "Accounts", "Count failed logins per client address."),
		i("Block_Multiple_Failed_Logins_Attempts_Until_Block_By_Ip", 50, false, "Accounts", "Failed logins from one address that block it (0 = never)."),
		i("Block_Multiple_Failed_Logins_Time_To_Unblock_By_Ip_In_Minutes", 5, false, "Accounts", "Minutes over which failures from an address are counted, and that a blocked address waits after its last failure."),
		s("Block_Multiple_Failed_Logins_Ip_Whitelist", "", false, "Accounts", "Client addresses never blocked, comma separated."),
		b("Block_Multiple_Failed_Logins_Notify_Failed", false, false, "Accounts", "Post a notice when a username or address gets blocked."),
		s("Block_Multiple_Failed_Logins_Notify_Failed_Channel", "", false, "Accounts", "Name of the room the notice is posted to, by rocket.cat."),

		// Rooms and messages
		b("Store_Last_Message", true, true, "Message", "Keep the last message on the room document."),
		b("Message_AllowEditing", true, true, "Message", "Messages may be edited."),
		i("Message_AllowEditing_BlockEditInMinutes", 0, true, "Message", "Minutes after which a message can no longer be edited (0 = never)."),
		b("Message_AllowDeleting", true, true, "Message", "Messages may be deleted."),
		i("Message_AllowDeleting_BlockDeleteInMinutes", 0, true, "Message", "Minutes after which a message can no longer be deleted (0 = never)."),
		b("Message_KeepHistory", false, true, "Message", "Keep a hidden copy of edited and deleted messages."),
		b("Message_ShowDeletedStatus", false, true, "Message", "Leave a 'message removed' placeholder for deleted messages."),
		b("Message_AllowPinning", true, true, "Message", "Messages may be pinned."),
		b("Message_AllowStarring", true, true, "Message", "Messages may be starred."),
		i("Message_MaxAllowedSize", 5000, true, "Message", "Maximum length of a message text and of each attachment text."),
		i("Message_MaxAll", 0, true, "Message", "Largest room in which @all/@here may be used (0 = no limit)."),
		i("Message_QuoteChainLimit", 2, true, "Message", "How deep quoted messages nest."),
		b("Message_AlwaysSearchRegExp", false, true, "Message", "Treat every search as a regular expression."),
		b("Message_Read_Receipt_Enabled", false, true, "Message", "Record read receipts."),
		b("Message_Read_Receipt_Store_Users", false, true, "Message", "Store which users read each message."),
		b("Message_CustomFields_Enabled", false, true, "Message", "Allow customFields on messages."),
		Def{ID: "Message_CustomFields", Type: TypeCode, Default: defaultCustomFieldsSchema, Public: true, Group: "Message", Description: "JSON schema that message customFields must satisfy."},
		s("Message_CustomDomain_AutoLink", "", true, "Message", "Extra domain suffixes that are linked automatically, comma separated."),
		b("Message_AllowBadWordsFilter", false, true, "Message", "Mask bad words in messages."),
		s("Message_BadWordsFilterList", "", false, "Message", "Comma-separated list of words to mask."),
		s("Message_BadWordsWhitelist", "", false, "Message", "Comma-separated list of words never masked."),
		b("Message_AllowDirectMessagesToYourself", true, true, "Message", "A user may open a direct conversation with themself."),
		b("Threads_enabled", true, true, "Threads", "Threads are enabled."),
		b("Discussion_enabled", true, true, "Discussion", "Discussions are enabled."),
		i("DirectMesssage_maxUsers", 8, true, "Message", "Most members a group direct conversation may have."),
		sel("Unread_Count", "user_and_group_mentions_only", []string{"all_messages", "user_mentions_only", "group_mentions_only", "user_and_group_mentions_only"}, true, "General", "Which messages count as unread in channels and groups."),
		sel("Unread_Count_DM", "all_messages", []string{"all_messages", "mentions_only"}, true, "General", "Which messages count as unread in direct conversations."),
		Def{ID: "Hide_System_Messages", Type: TypeCode, Default: "[]", Public: true, Group: "Message", Description: "JSON list of system message types hidden from history."},
		s("Accounts_SearchFields", "username, name, bio, nickname", false, "Accounts", "User fields searched by member filters."),

		// Markdown
		b("HexColorPreview_Enabled", true, true, "Message", "Render color:#rrggbb as a color preview."),
		b("Katex_Enabled", true, true, "Message", "Parse KaTeX math."),
		b("Katex_Parenthesis_Syntax", true, true, "Message", "KaTeX with \\( \\) and \\[ \\]."),
		b("Katex_Dollar_Syntax", false, true, "Message", "KaTeX with $ and $$."),

		// REST API
		i("API_Default_Count", 50, true, "API", "Page size when count is not given."),
		i("API_Upper_Count_Limit", 100, true, "API", "Largest page size."),
		b("API_Allow_Infinite_Count", true, true, "API", "count=0 returns every item."),
		b("API_Enable_Rate_Limiter", true, false, "API", "Limit calls per client IP, route and method."),
		b("API_Enable_Rate_Limiter_Dev", true, false, "API", "Apply the limiter in development mode too."),
		i("API_Enable_Rate_Limiter_Limit_Calls_Default", 10, false, "API", "Calls allowed per window."),
		i("API_Enable_Rate_Limiter_Limit_Time_Default", 60000, false, "API", "Rate-limit window in milliseconds."),
		b("API_Enable_Direct_Message_History_EndPoint", false, true, "API", "Enable dm.messages.others."),
		b("API_Embed", true, true, "API", "Fetch previews of links in messages."),
		s("API_EmbedIgnoredHosts", "", false, "API", "Hosts, IPs or CIDR ranges that previews never fetch, comma separated. Private addresses are refused anyway."),
		s("API_EmbedAllowedPrivateHosts", "", false, "API", "Hosts, IPs or CIDR ranges that previews may fetch although they are private or loopback, comma separated."),
		s("API_EmbedSafePorts", "80, 443", false, "API", "Ports that previews may fetch from, comma separated."),
		i("API_EmbedCacheExpirationDays", 30, false, "API", "Days a fetched preview is cached."),
		i("Rate_Limiter_Limit_RegisterUser", 1, false, "API", "users.register calls allowed per IP per window."),
		b("DDP_Rate_Limit_User_By_Method_Enabled", true, false, "Rate Limiter", "Limit how often one user calls one method."),
		i("DDP_Rate_Limit_User_By_Method_Requests_Allowed", 20, false, "Rate Limiter", "Calls of one method allowed per user per window."),
		i("DDP_Rate_Limit_User_By_Method_Interval_Time", 10000, false, "Rate Limiter", "Method rate-limit window in milliseconds."),
		i("DDP_Rate_Limit_Send_Message_Requests_Allowed", 5, false, "Rate Limiter", "sendMessage calls allowed per user per window, for users without send-many-messages (0 = no limit)."),
		i("DDP_Rate_Limit_Send_Message_Interval_Time", 1000, false, "Rate Limiter", "sendMessage rate-limit window in milliseconds."),

		// Files
		b("FileUpload_Enabled", true, true, "FileUpload", "Uploads are allowed."),
		i("FileUpload_MaxFileSize", 104857600, true, "FileUpload", "Largest upload in bytes (-1 = no limit)."),
		s("FileUpload_MediaTypeWhiteList", "", true, "FileUpload", "Allowed media types, comma separated (empty = all); wildcards like image/* work."),
		s("FileUpload_MediaTypeBlackList", "image/svg+xml", true, "FileUpload", "Refused media types, comma separated."),
		b("FileUpload_Enabled_Direct", true, true, "FileUpload", "Uploads are allowed in direct conversations."),
		b("FileUpload_ProtectFiles", true, true, "FileUpload", "Downloads need a logged-in user; which users FileUpload_Restrict_* decide."),

		// Auto-translate
		b("AutoTranslate_Enabled", false, true, "AutoTranslate", "Auto-translation is enabled."),
		sel("AutoTranslate_ServiceProvider", "google-translate", []string{"google-translate", "deepl-translate", "microsoft-translate", "libre-translate"}, true, "AutoTranslate", "Translation provider."),
		b("AutoTranslate_AutoEnableOnJoinRoom", false, true, "AutoTranslate", "Turn auto-translation on for users joining a room whose language differs from the workspace's."),
		secret("AutoTranslate_GoogleAPIKey", "AutoTranslate", "Google Cloud Translation API key."),
		secret("AutoTranslate_DeepLAPIKey", "AutoTranslate", "DeepL API key (keys ending in :fx use the free API)."),
		secret("AutoTranslate_MicrosoftAPIKey", "AutoTranslate", "Microsoft Translator subscription key."),
		secret("AutoTranslate_LibreTranslateAPIKey", "AutoTranslate", "LibreTranslate API key, if the server needs one."),
		s("AutoTranslate_LibreTranslateAPIURL", "", false, "AutoTranslate", "Base URL of a LibreTranslate server."),
		s("AutoTranslate_GoogleAPIURL", "https://translation.googleapis.com/language/translate/v2", false, "AutoTranslate", "Base URL of the Google Translate v2 API."),
		s("AutoTranslate_DeepLAPIURL", "", false, "AutoTranslate", "Base URL of the DeepL API (empty = chosen from the key)."),
		s("AutoTranslate_MicrosoftAPIURL", "https://api.cognitive.microsofttranslator.com", false, "AutoTranslate", "Base URL of the Microsoft Translator v3 API."),

		// End-to-end encryption: clients encrypt; the server decides which
		// rooms start encrypted and what it accepts in them.
		b("E2E_Enable", false, true, "End-to-end_encryption", "Rocket.Chat's end-to-end encryption switch; clients encrypt. While on, the defaults below apply and encrypted rooms refuse plain messages."),
		b("E2E_Allow_Unencrypted_Messages", false, true, "End-to-end_encryption", "Lets chat.sendMessage put plain (not t: e2e) messages into encrypted rooms."),
		b("E2E_Enabled_Default_DirectRooms", false, true, "End-to-end_encryption", "New direct conversations are encrypted unless the request says otherwise (with E2E_Enable)."),
		b("E2E_Enabled_Default_PrivateRooms", false, true, "End-to-end_encryption", "New private groups and private teams are encrypted unless the request says otherwise (with E2E_Enable)."),
		b("E2E_Enable_Encrypt_Files", true, true, "End-to-end_encryption", "Uploads that carry an encryption payload are accepted (as application/octet-stream)."),
		b("E2E_Enabled_Mentions", true, true, "End-to-end_encryption", "Stored only: Parley does not encrypt."),
	}
	return append(defs, compatDefaults()...)
}

const defaultCustomFieldsSchema = `{
  "type": "object",
  "properties": {
    "priority": {
      "type": "string",
      "nullable": false,
      "enum": ["low", "medium", "high"]
    }
  },
  "required": ["priority"]
}`
