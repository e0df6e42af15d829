package app

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/parleychat/parley/internal/auth"
	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// NewUser is what users.create, users.register and the first-run admin
// provide.
type NewUser struct {
	Username                  string
	Email                     string
	Name                      string
	Password                  string
	Roles                     []string
	Active                    *bool
	Verified                  bool
	JoinDefaultChannels       *bool
	RequirePasswordChange     bool
	Bio, Nickname, StatusText string
	CustomFields              map[string]any
	Type                      string // "user" (default) or "bot"

	// allowReserved lets the first-run administrator be called admin,
	// which users.create and users.register refuse.
	allowReserved bool
}

var (
	patternMu    sync.Mutex
	patternCache = map[string]*regexp.Regexp{}
)

// namePattern compiles ^(setting)$ once per distinct setting value; a broken
// setting falls back to Rocket.Chat's default pattern.
func namePattern(src string) *regexp.Regexp {
	patternMu.Lock()
	defer patternMu.Unlock()
	if re, ok := patternCache[src]; ok {
		return re
	}
	re, err := regexp.Compile("^(?:" + src + ")$")
	if err != nil {
		re = regexp.MustCompile(`^[0-9a-zA-Z-_.]+$`)
	}
	patternCache[src] = re
	return re
}

// ValidUsername checks a username against UTF8_User_Names_Validation.
func (a *App) ValidUsername(name string) bool {
	return name != "" && namePattern(a.Settings.String("UTF8_User_Names_Validation")).MatchString(name)
}

// CheckRegistrationNames is users.register's first check of the names it
// is given, before anything about the registration form: a display name
// with markup characters, then a username the UTF8_User_Names_Validation
// pattern refuses.
func (a *App) CheckRegistrationNames(name, username string) error {
	if name != "" && !validNameChars(name) {
		return Plain("Name contains invalid characters")
	}
	if !a.ValidUsername(username) {
		return Plain("The username provided is not valid")
	}
	return nil
}

// validNameChars refuses <, >, / and \ in a display name, also when
// percent-encoded; an encoded slash stays encoded, as the browser's
// decodeURI leaves it, and a malformed encoding is refused.
func validNameChars(name string) bool {
	if strings.ContainsAny(name, `<>\/`) {
		return false
	}
	decoded, err := url.PathUnescape(name)
	return err == nil && !strings.ContainsAny(decoded, `<>\`)
}

// validEmail accepts what Rocket.Chat's basic check accepts: one @ with
// text on both sides. Addresses that mail parsers refuse, such as a local
// part ending in a dot or a domain without a dot, are in use and accepted;
// whitespace is not.
func validEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && domain != "" && !strings.Contains(domain, "@") && !strings.ContainsFunc(s, unicode.IsSpace)
}

// checkNewUser validates the fields of a new account and checks that
// username and email are free.
func (a *App) checkNewUser(ctx context.Context, st store.Store, in *NewUser) error {
	in.Username = strings.TrimSpace(in.Username)
	in.Email = strings.TrimSpace(in.Email)
	if err := checkUserBounds(&in.Username, &in.Email, &in.Name, &in.Bio, &in.Nickname, in.CustomFields); err != nil {
		return err
	}
	in.StatusText = truncateStatusText(in.StatusText)
	if err := a.ValidateUsername(in.Username); err != nil {
		return err
	}
	if !in.allowReserved {
		if err := a.checkUsernameAllowed(in.Username); err != nil {
			return err
		}
	}
	if in.Email != "" && !validEmail(in.Email) {
		return E("error-invalid-email", "Invalid email "+in.Email).With(map[string]any{"method": "insertOrUpdateUser", "email": in.Email})
	}
	if _, err := st.Users().GetByUsername(ctx, in.Username); err == nil {
		return E("error-field-unavailable", in.Username+" is already in use :(").With(map[string]any{"method": "insertOrUpdateUser", "field": in.Username})
	} else if !isNotFound(err) {
		return err
	}
	if in.Email != "" {
		if _, err := st.Users().GetByEmail(ctx, in.Email); err == nil {
			return E("error-field-unavailable", in.Email+" is already in use :(").With(map[string]any{"method": "insertOrUpdateUser", "field": in.Email})
		} else if !isNotFound(err) {
			return err
		}
	}
	for _, r := range in.Roles {
		if r == "" {
			return E("error-invalid-role", "Invalid role")
		}
	}
	return nil
}

// insertUser creates the account and, unless told otherwise, joins it to
// the default channels. It runs inside st's transaction.
func (a *App) insertUser(ctx context.Context, st store.Store, in NewUser) (*model.User, error) {
	if err := a.checkNewUser(ctx, st, &in); err != nil {
		return nil, err
	}
	hash := ""
	if in.Password != "" {
		h, err := a.hasher.Hash(in.Password)
		if err != nil {
			return nil, err
		}
		hash = h
	}
	now := a.now()
	roles := in.Roles
	if len(roles) == 0 {
		roles = a.defaultRoles()
	}
	typ := in.Type
	if typ == "" {
		typ = "user"
		for _, r := range roles {
			if r == "bot" {
				typ = "bot"
			}
		}
	}
	active := in.Active == nil || *in.Active
	u := &model.User{
		ID: model.NewID(), CreatedAt: now, UpdatedAt: now,
		Username: in.Username, Name: in.Name, Type: typ,
		Status: "offline", StatusConnection: "offline", StatusDefault: "online",
		Active: active, Roles: roles, Bio: in.Bio, Nickname: in.Nickname, StatusText: in.StatusText,
		RequirePasswordChange: in.RequirePasswordChange, CustomFields: in.CustomFields,
		PasswordHash: hash,
		Settings:     &model.UserSettings{Preferences: map[string]any{}},
	}
	if u.Name == "" {
		u.Name = in.Username
	}
	if in.Email != "" {
		u.Emails = []model.Email{{Address: in.Email, Verified: in.Verified}}
	}
	if err := st.Users().Create(ctx, u); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, E("error-field-unavailable", in.Username+" is already in use :(")
		}
		return nil, err
	}
	if slices.Contains(roles, "admin") {
		if err := a.completeSetup(ctx, st); err != nil {
			return nil, err
		}
	}
	if in.JoinDefaultChannels == nil || *in.JoinDefaultChannels {
		rooms, err := st.Rooms().ListDefault(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range rooms {
			if _, err := a.addMember(ctx, st, r, u, nil, false); err != nil {
				return nil, err
			}
			// Joining a default team joins its auto-join rooms too.
			if r.TeamMain {
				if err := a.joinTeamDefaults(ctx, st, r, u, nil); err != nil {
					return nil, err
				}
			}
		}
	}
	return u, nil
}

// defaultRoles are the roles of a new account that names none:
// Accounts_Registration_Users_Default_Roles, "user" when it lists none.
func (a *App) defaultRoles() []string {
	var roles []string
	for _, r := range strings.Split(a.Settings.String("Accounts_Registration_Users_Default_Roles"), ",") {
		if r = strings.TrimSpace(r); r != "" && !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	if len(roles) == 0 {
		return []string{"user"}
	}
	return roles
}

// checkNewUserInput applies the password policy and, when customFields
// are given (or required, as on registration), their definition to an
// account about to be made by a person rather than by the server.
func (a *App) checkNewUserInput(in *NewUser, checkFields bool) error {
	if err := a.CheckPasswordPolicy(in.Password); err != nil {
		return err
	}
	if !checkFields {
		return nil
	}
	fields := in.CustomFields
	if fields == nil {
		fields = map[string]any{}
	}
	kept, err := a.CheckCustomFields(fields)
	if err != nil {
		return err
	}
	if in.CustomFields != nil || len(kept) > 0 {
		in.CustomFields = kept
	}
	return nil
}

// CreateUser is users.create.
func (a *App) CreateUser(ctx context.Context, actor *model.User, in NewUser) (*model.User, error) {
	if !a.HasPermission(actor, "create-user") {
		return nil, E("error-action-not-allowed", "Adding user is not allowed").With(map[string]any{"method": "insertOrUpdateUser", "action": "Adding_user"})
	}
	if err := a.checkAssignAdmin(actor, in.Roles); err != nil {
		return nil, err
	}
	if err := a.checkNewUserInput(&in, in.CustomFields != nil); err != nil {
		return nil, err
	}
	return a.addUser(ctx, in)
}

// addUser stores a new user in a transaction of its own and announces it.
func (a *App) addUser(ctx context.Context, in NewUser) (*model.User, error) {
	var u *model.User
	err := a.tx(ctx, func(st store.Store) error {
		var err error
		if u, err = a.insertUser(ctx, st, in); err != nil {
			return err
		}
		a.emit(st, events.UserChanged, "", u.ID, u.ID)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// Register is users.register, for visitors who are not logged in.
func (a *App) Register(ctx context.Context, in NewUser, secret string) (*model.User, error) {
	switch a.Settings.String("Accounts_RegistrationForm") {
	case "Disabled":
		return nil, E("error-user-registration-disabled", "User registration is disabled").With(map[string]any{"method": "registerUser"})
	case "Secret URL":
		want := a.Settings.String("Accounts_RegistrationForm_SecretURL")
		if want == "" || secret != want {
			return nil, E("error-user-registration-secret", "User registration is only allowed via Secret URL").With(map[string]any{"method": "registerUser"})
		}
	}
	if in.Email == "" {
		return nil, Invalid("must have required property 'email'")
	}
	if err := a.checkUsernameAllowed(in.Username); err != nil {
		return nil, err
	}
	if _, err := a.store.Users().GetByUsername(ctx, in.Username); err == nil {
		return nil, Plain("Username is already in use")
	}
	if err := a.checkNewUserInput(&in, true); err != nil {
		return nil, err
	}
	in.Roles = nil // Accounts_Registration_Users_Default_Roles
	in.Type = "user"
	if a.Settings.Bool("Accounts_ManuallyApproveNewUsers") {
		inactive := false
		in.Active = &inactive
	}
	var u *model.User
	err := a.tx(ctx, func(st store.Store) error {
		var err error
		u, err = a.insertUser(ctx, st, in)
		return err
	})
	return u, err
}

// userByIDOrName reads the user a request names by id or, failing that,
// by username; errors are the store's.
func (a *App) userByIDOrName(ctx context.Context, id, username string) (*model.User, error) {
	if id != "" {
		return a.store.Users().Get(ctx, id)
	}
	return a.store.Users().GetByUsername(ctx, username)
}

// GetUser finds a user by id or username, for users.info.
func (a *App) GetUser(ctx context.Context, id, username string) (*model.User, error) {
	if id == "" && username == "" {
		return nil, Plain("Invalid search query.")
	}
	u, err := a.userByIDOrName(ctx, id, username)
	if isNotFound(err) {
		return nil, Plain("User not found.")
	}
	return u, a.storeErr(err)
}

// ListUsers is users.list; it needs view-user-administration... except that
// Rocket.Chat lets every user list users (view-d-room holders), so Parley
// does the same and hides private fields in the API layer.
func (a *App) ListUsers(ctx context.Context, filter string, opts store.ListOptions) ([]*model.User, int, error) {
	list, total, err := a.store.Users().List(ctx, filter, opts)
	return list, total, a.storeErr(err)
}

// UserUpdate is the data of users.update; nil fields are left alone.
type UserUpdate struct {
	Username, Email, Name, Password, Bio, Nickname, StatusText *string
	Active, Verified, RequirePasswordChange                    *bool
	Roles                                                      *[]string
	CustomFields                                               map[string]any

	// CurrentPassword is the caller's password as its hex SHA-256, which
	// users need to give to change their own password or email.
	CurrentPassword string
	// KeepToken is the login token of the request: a password change logs
	// out every other session of the user, but not this one.
	KeepToken string
	// ConfirmRelinquish lets a deactivation hand the rooms the user is the
	// last owner of to other members (see relinquishRooms).
	ConfirmRelinquish bool
}

// UpdateUser is users.update: admins (edit-other-user-info) may change
// anyone; others only themselves, as far as the Accounts_* settings allow.
func (a *App) UpdateUser(ctx context.Context, actor *model.User, userID string, up UserUpdate) (*model.User, error) {
	defer a.authUsers.clear() // the user may change below
	self := actor.ID == userID
	admin := a.HasPermission(actor, "edit-other-user-info")
	if !self && !admin {
		return nil, E("error-action-not-allowed", "Editing user is not allowed").With(map[string]any{"method": "insertOrUpdateUser", "action": "Editing_user"})
	}
	if err := checkUserBounds(up.Username, up.Email, up.Name, up.Bio, up.Nickname, up.CustomFields); err != nil {
		return nil, err
	}
	if up.Roles != nil && !a.HasPermission(actor, "edit-other-user-info") {
		return nil, E("error-action-not-allowed", "Assigning roles is not allowed").With(map[string]any{"method": "insertOrUpdateUser", "action": "Assign_role"})
	}
	if up.Roles != nil {
		if err := a.checkAssignAdmin(actor, *up.Roles); err != nil {
			return nil, err
		}
	}
	if up.Active != nil && !a.HasPermission(actor, "edit-other-user-active-status") {
		return nil, E("error-action-not-allowed", "Editing user is not allowed").With(map[string]any{"method": "insertOrUpdateUser", "action": "Edit_user"})
	}
	if up.Password != nil && !self && !a.HasPermission(actor, "edit-other-user-password") {
		return nil, E("error-action-not-allowed", "Editing user is not allowed").With(map[string]any{"method": "insertOrUpdateUser", "action": "Edit_user"})
	}
	// The user as stored now: the edit rules compare with it, and the
	// password confirmation checks against it.
	cur, err := a.store.Users().Get(ctx, userID)
	if isNotFound(err) {
		return nil, E("error-invalid-user", "Invalid user").With(map[string]any{"method": "insertOrUpdateUser"})
	}
	if err != nil {
		return nil, a.storeErr(err)
	}
	if err := a.checkUserEditing(actor, cur, up); err != nil {
		return nil, err
	}
	if up.Password != nil && strings.TrimSpace(*up.Password) != "" {
		if err := a.CheckPasswordPolicy(*up.Password); err != nil {
			return nil, err
		}
	}
	if up.CustomFields != nil {
		if up.CustomFields, err = a.CheckCustomFields(up.CustomFields); err != nil {
			return nil, err
		}
	}
	emailChange := up.Email != nil && !sameEmail(cur, strings.TrimSpace(*up.Email))
	if self && (up.Password != nil || emailChange) {
		// A stolen session must not be enough to take the account over.
		if err := a.confirmPassword(ctx, cur, up.CurrentPassword); err != nil {
			return nil, err
		}
	}
	var (
		u *model.User
	)
	err = a.tx(ctx, func(st store.Store) error {
		var err error
		u, err = st.Users().Get(ctx, userID)
		if isNotFound(err) {
			return E("error-invalid-user", "Invalid user").With(map[string]any{"method": "insertOrUpdateUser"})
		}
		if err != nil {
			return err
		}
		prev := *u
		if up.Username != nil && *up.Username != u.Username {
			if err := a.ValidateUsername(*up.Username); err != nil {
				return err
			}
			if err := a.checkUsernameAllowed(*up.Username); err != nil {
				// Rocket.Chat's _setUsername refuses a reserved name
				// on an existing account with this error.
				return E("error-could-not-save-identity", "Could not save user identity").With(map[string]any{"method": "saveUser"})
			}
			if other, err := st.Users().GetByUsername(ctx, *up.Username); err == nil && other.ID != u.ID {
				return E("error-field-unavailable", *up.Username+" is already in use :(").With(map[string]any{"method": "insertOrUpdateUser", "field": *up.Username})
			}
			u.Username = *up.Username
		}
		if up.Email != nil {
			email := strings.TrimSpace(*up.Email)
			if !validEmail(email) {
				return E("error-invalid-email", "Invalid email "+email).With(map[string]any{"method": "insertOrUpdateUser", "email": email})
			}
			if other, err := st.Users().GetByEmail(ctx, email); err == nil && other.ID != u.ID {
				return E("error-field-unavailable", email+" is already in use :(").With(map[string]any{"method": "insertOrUpdateUser", "field": email})
			}
			verified := false
			if up.Verified != nil {
				verified = *up.Verified
			}
			u.Emails = []model.Email{{Address: email, Verified: verified}}
		} else if up.Verified != nil && len(u.Emails) > 0 {
			u.Emails[0].Verified = *up.Verified
		}
		setIf(&u.Name, up.Name)
		setIf(&u.Bio, up.Bio)
		setIf(&u.Nickname, up.Nickname)
		if up.StatusText != nil {
			u.StatusText = truncateStatusText(*up.StatusText)
		}
		setIf(&u.Active, up.Active)
		setIf(&u.RequirePasswordChange, up.RequirePasswordChange)
		setIf(&u.Roles, up.Roles)
		if up.CustomFields != nil {
			// Rocket.Chat sets each given field and keeps the others.
			merged := make(map[string]any, len(u.CustomFields)+len(up.CustomFields))
			for k, v := range u.CustomFields {
				merged[k] = v
			}
			for k, v := range up.CustomFields {
				merged[k] = v
			}
			if err := checkObjectBound(merged, "customFields", "Custom fields", maxCustomFields, "saveUserProfile"); err != nil {
				return err
			}
			u.CustomFields = merged
		}
		if up.Password != nil {
			h, err := a.hasher.Hash(*up.Password)
			if err != nil {
				return err
			}
			u.PasswordHash = h
			if self {
				// Choosing a new password is what the flag asks for.
				u.RequirePasswordChange = false
			}
		}
		u.UpdatedAt = a.now()
		if err := st.Users().Update(ctx, u); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return E("error-field-unavailable", "Username or email is already in use :(")
			}
			return err
		}
		a.emit(st, events.UserChanged, "", u.ID, u.ID)
		if err := a.renameInDirects(ctx, st, &prev, u); err != nil {
			return err
		}
		switch {
		case up.Active != nil && !*up.Active:
			if prev.Active {
				if err := a.relinquishRooms(ctx, st, u.ID, up.ConfirmRelinquish); err != nil {
					return err
				}
			}
			a.emit(st, events.LoggedOut, "", u.ID, "")
			return st.Tokens().DeleteByUser(ctx, u.ID)
		case up.Password != nil:
			// Every other session ends, as a stolen one must; personal
			// access tokens stay, as in Rocket.Chat.
			keep := ""
			if self && up.KeepToken != "" {
				keep = auth.HashToken(up.KeepToken)
			}
			a.emit(st, events.LoggedOut, "", u.ID, "")
			return st.Tokens().DeleteLoginExcept(ctx, u.ID, keep)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// setIf applies one field of a partial update: *v when the update sets
// it, nothing when v is nil.
func setIf[T any](dst, v *T) {
	if v != nil {
		*dst = *v
	}
}

// DeleteUser is users.delete: the account, its tokens and its memberships
// go. The last owner of a room is refused unless confirmRelinquish hands
// the room over (see relinquishRooms).
func (a *App) DeleteUser(ctx context.Context, actor *model.User, userID string, confirmRelinquish bool) error {
	if !a.HasPermission(actor, "delete-user") {
		return ErrForbidden
	}
	return a.removeUser(ctx, userID, confirmRelinquish)
}

// removeUser deletes an account in one transaction.
func (a *App) removeUser(ctx context.Context, userID string, confirmRelinquish bool) error {
	defer a.authUsers.clear() // the user may change below
	avatar := ""
	err := a.tx(ctx, func(st store.Store) error {
		u, err := st.Users().Get(ctx, userID)
		if isNotFound(err) {
			return E("error-invalid-user", "Invalid user").With(map[string]any{"method": "deleteUser"})
		}
		if err != nil {
			return err
		}
		avatar = u.AvatarETag
		if err := a.relinquishRooms(ctx, st, userID, confirmRelinquish); err != nil {
			return err
		}
		subs, err := st.Subscriptions().ListByUser(ctx, userID, 0)
		if err != nil {
			return err
		}
		for _, s := range subs {
			if err := st.Rooms().AddUsersCount(ctx, s.RID, -1); err != nil && !isNotFound(err) {
				return err
			}
			a.emit(st, events.SubscriptionRemoved, s.RID, userID, s.ID)
			a.emit(st, events.RoomChanged, s.RID, userID, s.RID)
		}
		if err := st.Subscriptions().DeleteByUser(ctx, userID); err != nil {
			return err
		}
		if err := st.Tokens().DeleteByUser(ctx, userID); err != nil {
			return err
		}
		a.emit(st, events.LoggedOut, "", userID, "")
		a.emit(st, events.UserChanged, "", userID, userID)
		return st.Users().Delete(ctx, userID)
	})
	if err == nil && avatar != "" {
		a.dropBlob(avatarKey(avatar))
	}
	return err
}

// validStatuses are the presence values users.setStatus accepts.
var validStatuses = map[string]bool{"online": true, "away": true, "busy": true, "offline": true}

// SetStatus is users.setStatus.
func (a *App) SetStatus(ctx context.Context, actor *model.User, userID string, status, message *string) error {
	defer a.authUsers.clear() // the user may change below
	if userID == "" {
		userID = actor.ID
	}
	if userID != actor.ID && !a.HasPermission(actor, "edit-other-user-info") {
		return ErrForbidden
	}
	if message != nil && !a.Settings.Bool("Accounts_AllowUserStatusMessageChange") {
		return E("error-not-allowed", "Change status is not allowed").With(map[string]any{"method": "users.setStatus"})
	}
	if status != nil && !validStatuses[*status] {
		return E("error-invalid-status", "Valid status types include online, away, offline, and busy.").With(map[string]any{"method": "users.setStatus"})
	}
	if status != nil && *status == "offline" && !a.Settings.Bool("Accounts_AllowInvisibleStatusOption") {
		return E("error-status-not-allowed", "Invisible status is disabled").With(map[string]any{"method": "users.setStatus"})
	}
	return a.tx(ctx, func(st store.Store) error {
		u, err := st.Users().Get(ctx, userID)
		if isNotFound(err) {
			return E("error-invalid-user", "Invalid user")
		}
		if err != nil {
			return err
		}
		if status != nil {
			u.Status = *status
			u.StatusDefault = *status
		}
		if message != nil {
			u.StatusText = truncateStatusText(*message)
		}
		u.UpdatedAt = a.now()
		a.emit(st, events.UserChanged, "", u.ID, u.ID)
		return st.Users().Update(ctx, u)
	})
}

// SetPreferences merges data into a user's preferences.
func (a *App) SetPreferences(ctx context.Context, actor *model.User, userID string, data map[string]any) (*model.User, error) {
	defer a.authUsers.clear() // the user may change below
	if userID == "" {
		userID = actor.ID
	}
	if userID != actor.ID && !a.HasPermission(actor, "edit-other-user-info") {
		return nil, E("error-action-not-allowed", "Editing user is not allowed")
	}
	var u *model.User
	err := a.tx(ctx, func(st store.Store) error {
		var err error
		u, err = st.Users().Get(ctx, userID)
		if isNotFound(err) {
			return E("error-invalid-user", "Invalid user")
		}
		if err != nil {
			return err
		}
		if u.Settings == nil {
			u.Settings = &model.UserSettings{}
		}
		if u.Settings.Preferences == nil {
			u.Settings.Preferences = map[string]any{}
		}
		oldLang := userLanguage(u)
		for k, v := range data {
			u.Settings.Preferences[k] = v
		}
		if err := checkPreferenceBounds(u.Settings.Preferences); err != nil {
			return err
		}
		if lang, ok := data["language"].(string); ok {
			u.Language = lang
		}
		u.UpdatedAt = a.now()
		if err := st.Users().Update(ctx, u); err != nil {
			return err
		}
		a.emit(st, events.UserChanged, "", u.ID, u.ID)
		if lang, ok := data["language"].(string); ok {
			return a.followLanguage(ctx, st, u, oldLang, lang)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}
