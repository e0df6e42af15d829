package app

import (
	"context"
	"slices"

	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// notifyPrefs pairs each notification preference of a user with the
// subscription fields it fills: the value and its origin.
var notifyPrefs = []struct {
	pref string
	get  func(*model.Subscription) (value, origin *string)
}{
	{"desktopNotifications", func(s *model.Subscription) (*string, *string) { return &s.DesktopNotifications, &s.DesktopPrefOrigin }},
	{"pushNotifications", func(s *model.Subscription) (*string, *string) { return &s.MobilePushNotifications, &s.MobilePrefOrigin }},
	{"emailNotificationMode", func(s *model.Subscription) (*string, *string) { return &s.EmailNotifications, &s.EmailPrefOrigin }},
}

// SaveUserPreferences is Rocket.Chat's saveUserPreferences: it stores
// prefs as SetPreferences does, and then carries the notification
// preferences (desktopNotifications, pushNotifications,
// emailNotificationMode) and highlights over to the user's subscriptions.
// A subscription whose preference was set for its room alone keeps it;
// "default" removes the values that came from the user. userID names the
// user whose preferences change ("" for the actor); another user's need
// edit-other-user-info.
func (a *App) SaveUserPreferences(ctx context.Context, actor *model.User, userID string, prefs map[string]any) error {
	if userID == "" {
		userID = actor.ID
	}
	if userID != actor.ID && !a.HasPermission(actor, "edit-other-user-info") {
		return E("error-action-not-allowed", "Editing user is not allowed")
	}
	// The values Rocket.Chat's older clients send for the e-mail mode.
	switch prefs["emailNotificationMode"] {
	case "all":
		prefs["emailNotificationMode"] = "mentions"
	case "disabled":
		prefs["emailNotificationMode"] = "nothing"
	}
	before, err := a.store.Users().Get(ctx, userID)
	if isNotFound(err) {
		return E("error-invalid-user", `The optional "userId" param provided does not match any users`)
	}
	if err != nil {
		return a.storeErr(err)
	}
	old := preferencesOf(before)
	if _, err := a.SetPreferences(ctx, actor, userID, prefs); err != nil {
		return err
	}
	changed := map[int]string{}
	for i, p := range notifyPrefs {
		v, _ := prefs[p.pref].(string)
		if was, _ := old[p.pref].(string); v != "" && v != was {
			changed[i] = v
		}
	}
	highlights, setHighlights := stringsOf(prefs["highlights"])
	if len(changed) == 0 && !setHighlights {
		return nil
	}
	var touched []string
	err = a.tx(ctx, func(st store.Store) error {
		touched = touched[:0]
		subs, err := st.Subscriptions().ListByUser(ctx, userID, 0)
		if err != nil {
			return err
		}
		for _, listed := range subs {
			s, err := st.Subscriptions().GetForUpdate(ctx, listed.RID, userID)
			if isNotFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			if !applyUserNotifyPrefs(s, changed, highlights, setHighlights) {
				continue
			}
			s.UpdatedAt = a.now()
			if err := st.Subscriptions().Update(ctx, s); err != nil {
				return err
			}
			a.emit(st, events.SubscriptionChanged, s.RID, userID, s.ID)
		}
		return nil
	})
	return err
}

// applyUserNotifyPrefs changes s for the user's changed preferences
// (indexes into notifyPrefs) and reports whether anything changed.
func applyUserNotifyPrefs(s *model.Subscription, changed map[int]string, highlights []string, setHighlights bool) bool {
	dirty := false
	for i, v := range changed {
		value, origin := notifyPrefs[i].get(s)
		switch {
		case v == "default":
			if *origin == "user" {
				*value, *origin = "", ""
				dirty = true
			}
		case *origin != "subscription" && (*value != v || *origin != "user"):
			*value, *origin = v, "user"
			dirty = true
		}
	}
	if setHighlights && !slices.Equal(s.UserHighlights, highlights) {
		s.UserHighlights = highlights
		dirty = true
	}
	return dirty
}

// userNotifyDefaults gives a new subscription of u the notification
// preferences u has chosen, as Rocket.Chat does when it creates one.
func userNotifyDefaults(s *model.Subscription, u *model.User) {
	prefs := preferencesOf(u)
	for _, p := range notifyPrefs {
		if v, _ := prefs[p.pref].(string); v != "" && v != "default" {
			value, origin := p.get(s)
			*value, *origin = v, "user"
		}
	}
	if h, ok := stringsOf(prefs["highlights"]); ok && len(h) > 0 {
		s.UserHighlights = h
	}
}

func preferencesOf(u *model.User) map[string]any {
	if u == nil || u.Settings == nil {
		return nil
	}
	return u.Settings.Preferences
}

// stringsOf reads a decoded JSON list of strings.
func stringsOf(v any) ([]string, bool) {
	switch x := v.(type) {
	case []string:
		return x, true
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}
