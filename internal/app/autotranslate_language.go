package app

import (
	"context"

	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// effectiveLanguage is the language a user's language preference stands
// for: no preference, or 'default', is the workspace's Language, never a
// language of its own.
func (a *App) effectiveLanguage(pref string) string {
	if pref == "" || pref == "default" {
		return a.Settings.String("Language")
	}
	return pref
}

// autoTranslateOnJoin is the auto-translation a new channel or group
// subscription of u starts with under AutoTranslate_AutoEnableOnJoinRoom:
// u's language, when that differs from the workspace's.
func (a *App) autoTranslateOnJoin(u *model.User) (string, bool) {
	if !a.Settings.Bool("AutoTranslate_AutoEnableOnJoinRoom") {
		return "", false
	}
	lang := a.effectiveLanguage(userLanguage(u))
	if lang == "" || lang == a.Settings.String("Language") {
		return "", false
	}
	return lang, true
}

// followLanguage re-evaluates auto-translation on u's subscriptions after
// their language preference went from old to pref, as
// AutoTranslate_AutoEnableOnJoinRoom would have set them up had the new
// language applied when they joined:
//   - moving from the workspace's language to another turns auto-translation
//     on, into that language, in the channels and groups where the user never
//     chose (a subscription turned off by hand stays off);
//   - subscriptions already translating follow the new language;
//   - moving back to the workspace's language (or to 'default') turns it off
//     in channels and groups, and forgets the language.
//
// Direct conversations are never turned on or off by it, as joining one
// never turns auto-translation on.
func (a *App) followLanguage(ctx context.Context, st store.Store, u *model.User, old, pref string) error {
	if !a.Settings.Bool("AutoTranslate_AutoEnableOnJoinRoom") {
		return nil
	}
	workspace := a.Settings.String("Language")
	from, to := a.effectiveLanguage(old), a.effectiveLanguage(pref)
	if from == to {
		return nil
	}
	subs, err := st.Subscriptions().ListByUser(ctx, u.ID, 0)
	if err != nil {
		return err
	}
	now := a.now()
	for _, s := range subs {
		on := s.AutoTranslate != nil && *s.AutoTranslate
		joinable := s.T != model.RoomDirect
		switch {
		case to == workspace:
			if !on || !joinable {
				continue
			}
			s.AutoTranslate, s.AutoTranslateLanguage = nil, ""
		case on:
			if s.AutoTranslateLanguage == to {
				continue
			}
			s.AutoTranslateLanguage = to
		case s.AutoTranslate == nil && joinable && from == workspace:
			yes := true
			s.AutoTranslate, s.AutoTranslateLanguage = &yes, to
		default:
			continue
		}
		s.UpdatedAt = now
		if err := st.Subscriptions().Update(ctx, s); err != nil {
			return err
		}
		a.emit(st, events.SubscriptionChanged, s.RID, u.ID, s.ID)
	}
	return nil
}
