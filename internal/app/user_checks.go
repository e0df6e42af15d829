package app

import (
	"context"
	"html"
	"strings"

	"github.com/parleychat/parley/internal/auth"
	"github.com/parleychat/parley/internal/model"
)

// mentionKeywords are never usernames: @all and @here must keep meaning
// everyone.
var mentionKeywords = []string{"all", "here"}

func isMentionKeyword(name string) bool {
	for _, k := range mentionKeywords {
		if strings.EqualFold(k, strings.TrimSpace(name)) {
			return true
		}
	}
	return false
}

// checkUsernameAllowed refuses the usernames Rocket.Chat reserves: the
// mention keywords, Accounts_BlockedUsernameList and
// Accounts_SystemBlockedUsernameList, compared without regard to case.
func (a *App) checkUsernameAllowed(name string) error {
	name = strings.TrimSpace(name)
	blocked := func(list []string) bool {
		for _, b := range list {
			if b = strings.TrimSpace(b); b != "" && strings.EqualFold(b, name) {
				return true
			}
		}
		return false
	}
	if isMentionKeyword(name) ||
		blocked(strings.Split(a.Settings.String("Accounts_BlockedUsernameList"), ",")) ||
		blocked(strings.Split(a.Settings.String("Accounts_SystemBlockedUsernameList"), ",")) {
		return E("error-blocked-username", html.EscapeString(name)+" is blocked and can't be used!").
			With(map[string]any{"method": "checkUsernameAvailability", "field": name})
	}
	return nil
}

// checkUserEditing applies the Accounts_* settings to an edit of cur, the
// way Rocket.Chat's validateUserEditing does: they bind users editing
// themselves, admins included, and everyone without edit-other-user-info.
// Only holders of edit-other-user-info may vouch for their own email or
// lift their own requirePasswordChange.
func (a *App) checkUserEditing(actor, cur *model.User, up UserUpdate) error {
	self := actor.ID == cur.ID
	otherInfo := a.HasPermission(actor, "edit-other-user-info")
	otherPassword := a.HasPermission(actor, "edit-other-user-password")
	refuse := func(reason string) error {
		return E("error-action-not-allowed", reason).With(map[string]any{"method": "insertOrUpdateUser", "action": "Update_user"})
	}
	if !a.Settings.Bool("Accounts_AllowUserProfileChange") && !otherInfo && !otherPassword {
		return refuse("Edit user profile is not allowed")
	}
	bound := !otherInfo || self
	changes := func(v *string, was string) bool { return v != nil && *v != was }
	if bound && changes(up.Username, cur.Username) && !a.Settings.Bool("Accounts_AllowUsernameChange") {
		return refuse("Edit username is not allowed")
	}
	if bound && changes(up.StatusText, cur.StatusText) && !a.Settings.Bool("Accounts_AllowUserStatusMessageChange") {
		return refuse("Edit user status is not allowed")
	}
	if bound && changes(up.Name, cur.Name) && !a.Settings.Bool("Accounts_AllowRealNameChange") {
		return refuse("Edit user real name is not allowed")
	}
	if bound && up.Email != nil && !sameEmail(cur, strings.TrimSpace(*up.Email)) && !a.Settings.Bool("Accounts_AllowEmailChange") {
		return refuse("Edit user email is not allowed")
	}
	if up.Password != nil && (!otherPassword || self) && !a.Settings.Bool("Accounts_AllowPasswordChange") {
		return refuse("Edit user password is not allowed")
	}
	if self && !otherInfo {
		if up.Verified != nil && *up.Verified {
			return E("error-action-not-allowed", "Editing email verification is not allowed").
				With(map[string]any{"method": "insertOrUpdateUser", "action": "Editing_user"})
		}
		if up.RequirePasswordChange != nil && !*up.RequirePasswordChange && cur.RequirePasswordChange {
			return E("error-action-not-allowed", "Editing user is not allowed").
				With(map[string]any{"method": "insertOrUpdateUser", "action": "Editing_user"})
		}
	}
	return nil
}

// sameEmail reports whether email is u's current address.
func sameEmail(u *model.User, email string) bool {
	return len(u.Emails) > 0 && strings.EqualFold(u.Emails[0].Address, email)
}

// passwordDetails are the details of Rocket.Chat's two-factor refusals
// when the password is the second factor.
func passwordDetails() map[string]any {
	return map[string]any{"method": "password", "codeGenerated": false, "availableMethods": []string{}}
}

// confirmPassword is Rocket.Chat's password fallback of two-factor checks:
// actions that could take an account over need its password again, as the
// hex SHA-256 digest clients send. An account without a password has
// nothing to confirm with, as in Rocket.Chat. Wrong passwords count as
// failed logins of the user, so that a stolen session cannot guess the
// password here faster than at the login; while the username is blocked
// the answer is Rocket.Chat's totp-max-attempts. As in Rocket.Chat, an
// administrator who turns two-factor checks or their password fallback off
// turns this off.
func (a *App) confirmPassword(ctx context.Context, u *model.User, digest string) error {
	if u.PasswordHash == "" || !a.Settings.Bool("Accounts_TwoFactorAuthentication_Enabled") ||
		!a.Settings.Bool("Accounts_TwoFactorAuthentication_Enforce_Password_Fallback") {
		return nil
	}
	if digest == "" {
		return E("totp-required", "TOTP Required").With(passwordDetails())
	}
	key := strings.ToLower(u.Username)
	if err := a.loginAllowed(ctx, "", key); err != nil {
		if e, ok := AsError(err); ok && e == errLoginBlockedForUser {
			return E("totp-max-attempts", "TOTP Maximun Failed Attempts Reached").With(passwordDetails())
		}
		return err
	}
	if !auth.CheckDigest(u.PasswordHash, digest) {
		_ = a.loginFailed(ctx, "", key)
		return E("totp-invalid", "TOTP Invalid").With(passwordDetails())
	}
	return nil
}
