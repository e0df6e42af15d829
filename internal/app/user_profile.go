package app

import (
	"context"
	"strconv"
	"strings"
	"unicode"

	"github.com/parleychat/parley/internal/auth"
	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// OwnInfo is the data of users.updateOwnBasicInfo; nil fields stay.
type OwnInfo struct {
	Email, Name, Username, Nickname, Bio, StatusText, StatusType *string
	NewPassword                                                  *string
	// CurrentPassword is the hex SHA-256 of the password, which an email
	// or password change needs.
	CurrentPassword string
	CustomFields    map[string]any
	// KeepToken is the request's login token, which a password change
	// leaves logged in.
	KeepToken string
}

// UpdateOwnBasicInfo is users.updateOwnBasicInfo: users edit their own
// profile, under the same Accounts_* settings as users.update applies to
// them.
func (a *App) UpdateOwnBasicInfo(ctx context.Context, actor *model.User, in OwnInfo) (*model.User, error) {
	if in.Name != nil && strings.TrimSpace(*in.Name) == "" {
		return nil, E("error-invalid-name", "Name cannot be empty").With(map[string]any{"method": "saveUserProfile"})
	}
	if in.StatusType != nil && !validStatuses[*in.StatusType] {
		return nil, E("error-invalid-status", "Valid status types include online, away, offline, and busy.").With(map[string]any{"method": "saveUserProfile"})
	}
	if in.StatusType != nil && *in.StatusType == "offline" && !a.Settings.Bool("Accounts_AllowInvisibleStatusOption") {
		return nil, E("error-status-not-allowed", "Invisible status is disabled").With(map[string]any{"method": "saveUserProfile"})
	}
	var custom map[string]any
	if in.CustomFields != nil {
		custom = in.CustomFields
	}
	u, err := a.UpdateUser(ctx, actor, actor.ID, UserUpdate{
		Email: in.Email, Name: in.Name, Username: in.Username, Nickname: in.Nickname, Bio: in.Bio,
		StatusText: in.StatusText, Password: in.NewPassword, CustomFields: custom,
		CurrentPassword: in.CurrentPassword, KeepToken: in.KeepToken,
	})
	if err != nil || in.StatusType == nil || *in.StatusType == u.Status {
		return u, err
	}
	if err := a.SetStatus(ctx, actor, actor.ID, in.StatusType, nil); err != nil {
		return nil, err
	}
	return a.GetUser(ctx, actor.ID, "")
}

// SetActiveStatus is users.setActiveStatus. Deactivating ends every
// session of the user and refuses the last owner of a room unless
// confirmRelinquish hands the room over.
func (a *App) SetActiveStatus(ctx context.Context, actor *model.User, userID string, active, confirmRelinquish bool) (*model.User, error) {
	if !a.HasPermission(actor, "edit-other-user-active-status") && !a.HasPermission(actor, "manage-moderation-actions") {
		return nil, ErrPermissionsRequired
	}
	var out *model.User
	err := a.changeUser(ctx, userID, func(st store.Store, u *model.User) error {
		if !active && u.Active {
			if err := a.relinquishRooms(ctx, st, u.ID, confirmRelinquish); err != nil {
				return err
			}
			a.emit(st, events.LoggedOut, "", u.ID, "")
			if err := st.Tokens().DeleteByUser(ctx, u.ID); err != nil {
				return err
			}
		}
		u.Active = active
		out = u
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteOwnAccount is users.deleteOwnAccount: with
// Accounts_AllowDeleteOwnAccount on, users delete themselves by giving
// their password's hex SHA-256 (in either case).
func (a *App) DeleteOwnAccount(ctx context.Context, actor *model.User, digest string, confirmRelinquish bool) error {
	if !a.Settings.Bool("Accounts_AllowDeleteOwnAccount") {
		return ErrNotAllowed
	}
	u, err := a.store.Users().Get(ctx, actor.ID)
	if err != nil {
		return a.notFoundUser(a.storeErr(err))
	}
	digest = strings.ToLower(strings.TrimSpace(digest))
	if u.PasswordHash != "" {
		key := strings.ToLower(u.Username)
		if err := a.loginAllowed(ctx, "", key); err != nil {
			return err
		}
		if !auth.CheckDigest(u.PasswordHash, digest) {
			_ = a.loginFailed(ctx, "", key)
			return E("error-invalid-password", "Invalid password").With(map[string]any{"method": "deleteUserOwnAccount"})
		}
	} else if digest != strings.ToLower(auth.Digest(u.Username)) && digest != strings.ToLower(u.Username) {
		// An account without a password confirms with its username.
		return E("error-invalid-username", "Invalid username").With(map[string]any{"method": "deleteUserOwnAccount"})
	}
	return a.removeUser(ctx, u.ID, confirmRelinquish)
}

// relinquishRooms finds the channels and groups of which userID is the
// only owner. Without confirm, that is Rocket.Chat's user-last-owner
// refusal; with it, each goes to its longest-standing other member.
func (a *App) relinquishRooms(ctx context.Context, st store.Store, userID string, confirm bool) error {
	subs, err := st.Subscriptions().ListByUser(ctx, userID, 0)
	if err != nil {
		return err
	}
	for _, s := range subs {
		if s.T == "d" || !s.HasRole("owner") {
			continue
		}
		members, _, err := st.Subscriptions().ListByRoom(ctx, s.RID, store.ListOptions{})
		if err != nil {
			return err
		}
		var heir *model.Subscription
		owners := 0
		for _, m := range members {
			if m.HasRole("owner") {
				owners++
			}
			if m.U.ID != userID && (heir == nil || m.Ts < heir.Ts) {
				heir = m
			}
		}
		if owners > 1 {
			continue
		}
		if !confirm {
			return E("user-last-owner", "")
		}
		if heir == nil {
			continue
		}
		heir.Roles = append(heir.Roles, "owner")
		if err := st.Subscriptions().Update(ctx, heir); err != nil {
			return err
		}
		a.emit(st, events.SubscriptionChanged, s.RID, heir.U.ID, heir.ID)
	}
	return nil
}

// CheckUsernameAvailability is users.checkUsernameAvailability: whether
// actor may take username. The own username is always available.
func (a *App) CheckUsernameAvailability(ctx context.Context, actor *model.User, username string) (bool, error) {
	username = strings.TrimSpace(username)
	if username == "" {
		return false, E("error-invalid-username", "Invalid username").With(map[string]any{"method": "checkUsernameAvailability"})
	}
	if username == actor.Username {
		return true, nil
	}
	if !a.Settings.Bool("Accounts_AllowUsernameChange") {
		return false, ErrNotAllowed.With(map[string]any{"method": "checkUsernameAvailability"})
	}
	return a.usernameFree(ctx, username)
}

// usernameFree reports whether username is valid, not reserved and not
// taken (in any case).
func (a *App) usernameFree(ctx context.Context, username string) (bool, error) {
	if !a.ValidUsername(username) || a.checkUsernameAllowed(username) != nil {
		return false, nil
	}
	_, err := a.store.Users().GetByUsername(ctx, username)
	if isNotFound(err) {
		return true, nil
	}
	return false, a.storeErr(err)
}

// UsernameSuggestion is users.getUsernameSuggestion: a free username made
// from the caller's name, then email, then username, with a number added
// when the plain form is taken.
func (a *App) UsernameSuggestion(ctx context.Context, actor *model.User) (string, error) {
	var bases []string
	if n := slugUsername(actor.Name); n != "" {
		bases = append(bases, n)
	}
	if e := actor.PrimaryEmail(); e != "" {
		if n := slugUsername(e[:strings.IndexByte(e+"@", '@')]); n != "" {
			bases = append(bases, n)
		}
	}
	bases = append(bases, slugUsername(actor.Username), "user")
	for _, b := range bases {
		if b == "" {
			continue
		}
		if ok, err := a.usernameFree(ctx, b); err != nil || ok {
			return b, err
		}
	}
	base := bases[0]
	for i := 1; i < 1000; i++ {
		cand := base + strconv.Itoa(i)
		if ok, err := a.usernameFree(ctx, cand); err != nil || ok {
			return cand, err
		}
	}
	return base + model.NewID()[:6], nil
}

// slugUsername turns a name into username characters: letters and digits
// kept (lower-cased), runs of anything else become one dot.
func slugUsername(s string) string {
	var b strings.Builder
	dot := false
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_') {
			if dot && b.Len() > 0 {
				b.WriteByte('.')
			}
			dot = false
			b.WriteRune(r)
			continue
		}
		dot = true
	}
	out := b.String()
	if len(out) > 64 {
		out = strings.TrimRight(out[:64], ".")
	}
	return out
}
