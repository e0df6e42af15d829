package app

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/jobs"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/translate"
)

var errAutoTranslateDisabled = Plain("AutoTranslate is disabled.")

// languagesTimeout bounds a language-list lookup made for a request; the
// provider's own timeout is longer because translations run in the
// background.
const languagesTimeout = 10 * time.Second

// translateSettings is the registry's view of the AutoTranslate_* settings,
// read on every use so that changes apply at once.
func (a *App) translateSettings() translate.Settings {
	s := a.Settings
	return translate.Settings{
		Enabled:              s.Bool("AutoTranslate_Enabled"),
		Provider:             s.String("AutoTranslate_ServiceProvider"),
		GoogleAPIKey:         s.String("AutoTranslate_GoogleAPIKey"),
		GoogleAPIURL:         s.String("AutoTranslate_GoogleAPIURL"),
		DeepLAPIKey:          s.String("AutoTranslate_DeepLAPIKey"),
		DeepLAPIURL:          s.String("AutoTranslate_DeepLAPIURL"),
		MicrosoftAPIKey:      s.String("AutoTranslate_MicrosoftAPIKey"),
		MicrosoftAPIURL:      s.String("AutoTranslate_MicrosoftAPIURL"),
		LibreTranslateAPIURL: s.String("AutoTranslate_LibreTranslateAPIURL"),
		LibreTranslateAPIKey: s.String("AutoTranslate_LibreTranslateAPIKey"),
	}
}

// faultKind names a provider failure for the faults counter.
func faultKind(err error) string {
	var ae *translate.APIError
	switch {
	case errors.Is(err, translate.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, translate.ErrMalformed):
		return "malformed"
	case errors.Is(err, translate.ErrNotConfigured):
		return "not_configured"
	case errors.As(err, &ae) && ae.StatusCode == http.StatusTooManyRequests:
		return "rate_limited"
	case errors.As(err, &ae) && ae.StatusCode >= 500:
		return "http_5xx"
	case errors.As(err, &ae):
		return "http_4xx"
	}
	return "error"
}

// GetSupportedLanguages is autotranslate.getSupportedLanguages. A provider
// failure answers an empty list, as Rocket.Chat's Google and LibreTranslate
// providers do, and is not cached: the next call asks again.
func (a *App) GetSupportedLanguages(ctx context.Context, u *model.User, target string) ([]translate.Language, error) {
	if !a.Settings.Bool("AutoTranslate_Enabled") {
		return nil, errAutoTranslateDisabled
	}
	if !a.HasPermission(u, "auto-translate") {
		return nil, E("error-action-not-allowed", "Auto-Translate is not allowed").With(map[string]any{"method": "autoTranslate.getSupportedLanguages"})
	}
	p := a.translators.Active()
	if p == nil {
		return []translate.Language{}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, languagesTimeout)
	defer cancel()
	langs, err := p.SupportedLanguages(ctx, target)
	if err != nil {
		a.fault("autotranslate", faultKind(err), "autotranslate language list failed", "provider", p.Name(), "err", err)
		return []translate.Language{}, nil
	}
	return langs, nil
}

// TranslationProviders is autotranslate.getProviderUiMetadata: every known
// provider by name.
func (a *App) TranslationProviders() map[string]translate.ProviderInfo {
	out := map[string]translate.ProviderInfo{}
	for _, p := range translate.Providers() {
		out[p.Name] = p
	}
	return out
}

// AutoTranslateSettingsInput is the body of autotranslate.saveSettings
// after its shape was checked; Value is a bool or a string.
type AutoTranslateSettingsInput struct {
	RoomID          string
	Field           string // autoTranslate | autoTranslateLanguage
	Value           any
	DefaultLanguage string
}

// looksNumeric reports whether JavaScript's parseInt would find a number at
// the start of s, which is how Rocket.Chat refuses a language such as "12"
// or "3x".
func looksNumeric(s string) bool {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		return len(s) > 2 && strings.ContainsRune("0123456789abcdefABCDEF", rune(s[2]))
	}
	return s != "" && s[0] >= '0' && s[0] <= '9'
}

// SaveAutoTranslateSettings is autotranslate.saveSettings, with
// Rocket.Chat's order of checks: enabled, the value's type, permission,
// subscription, encryption.
func (a *App) SaveAutoTranslateSettings(ctx context.Context, u *model.User, in AutoTranslateSettingsInput) error {
	if !a.Settings.Bool("AutoTranslate_Enabled") {
		return errAutoTranslateDisabled
	}
	var on bool
	var lang string
	switch in.Field {
	case "autoTranslate":
		switch in.Value {
		case true, "true":
			on = true
		case false, "false":
		default:
			return Plain(`The bodyParam "autoTranslate" must be a boolean.`)
		}
	case "autoTranslateLanguage":
		s, ok := in.Value.(string)
		if !ok || looksNumeric(s) {
			return Plain(`The bodyParam "autoTranslateLanguage" must be a string.`)
		}
		lang = s
	}
	if !a.HasPermission(u, "auto-translate") {
		return E("error-action-not-allowed", "Auto-Translate is not allowed").With(map[string]any{"method": "autoTranslate.saveSettings"})
	}
	if in.Field != "autoTranslate" && in.Field != "autoTranslateLanguage" {
		return E("error-invalid-settings", "Invalid settings field").With(map[string]any{"method": "saveAutoTranslateSettings"})
	}
	changed := false
	err := a.tx(ctx, func(st store.Store) error {
		sub, err := st.Subscriptions().GetForUpdate(ctx, in.RoomID, u.ID)
		if isNotFound(err) {
			return E("error-invalid-subscription", "Invalid subscription").With(map[string]any{"method": "saveAutoTranslateSettings"})
		}
		if err != nil {
			return err
		}
		before := *sub
		switch in.Field {
		case "autoTranslate":
			if on {
				r, err := st.Rooms().Get(ctx, in.RoomID)
				if err != nil && !isNotFound(err) {
					return err
				}
				if r != nil && r.IsEncrypted() {
					return E("error-e2e-enabled", "Enabling auto-translation in E2E encrypted rooms is not allowed").With(map[string]any{"method": "saveAutoTranslateSettings"})
				}
			}
			// Opting out is stored as false, not removed, so that
			// AutoEnableOnJoinRoom can tell it from "never chosen".
			sub.AutoTranslate = &on
			if sub.AutoTranslateLanguage == "" && in.DefaultLanguage != "" {
				sub.AutoTranslateLanguage = in.DefaultLanguage
			}
		case "autoTranslateLanguage":
			sub.AutoTranslateLanguage = lang
		}
		changed = sub.AutoTranslateLanguage != before.AutoTranslateLanguage ||
			(sub.AutoTranslate == nil) != (before.AutoTranslate == nil) ||
			(sub.AutoTranslate != nil && before.AutoTranslate != nil && *sub.AutoTranslate != *before.AutoTranslate)
		if !changed {
			return nil
		}
		sub.UpdatedAt = a.now()
		a.emit(st, events.SubscriptionChanged, in.RoomID, u.ID, "")
		return st.Subscriptions().Update(ctx, sub)
	})
	return err
}

// TranslateMessage is autotranslate.translateMessage. It queues the
// translation and returns the message as stored now, as Rocket.Chat does;
// the translation lands on the message moments later.
func (a *App) TranslateMessage(ctx context.Context, u *model.User, messageID, target string) (*model.Message, error) {
	if !a.Settings.Bool("AutoTranslate_Enabled") {
		return nil, errAutoTranslateDisabled
	}
	if messageID == "" {
		return nil, Plain(`The bodyParam "messageId" is required.`)
	}
	m, r, err := a.loadMessageOr(ctx, messageID, Plain("Message not found."))
	if err != nil {
		return nil, err
	}
	if err := a.requireSee(ctx, r, u, ErrForbidden); err != nil {
		return nil, err
	}
	if a.translators.Active() == nil {
		return nil, Plain("Failed to translate message.")
	}
	var targets []string
	if target = strings.TrimSpace(target); target != "" {
		targets = []string{target}
	}
	a.submitTranslation(m, targets, false)
	return a.normalize(ctx, u, m)
}

// scheduleAutoTranslation queues the translation of a saved message into
// its room's subscriber languages. System messages carry no user text
// (and encrypted ones none the server can read), so they are skipped.
func (a *App) scheduleAutoTranslation(m *model.Message, edited bool) {
	if m.T != "" || a.translators.Active() == nil {
		return
	}
	if m.Msg == "" && len(m.Attachments) == 0 && !(edited && len(m.Translations) > 0) {
		return
	}
	a.submitTranslation(m, nil, edited)
}

// submitTranslation queues one translation job. targets nil means the
// languages of the room's subscribers who turned translation on, except
// the author. With replace, the stored translations are replaced rather
// than merged, because an edit made them translations of another text.
func (a *App) submitTranslation(m *model.Message, targets []string, replace bool) {
	id, rid := m.ID, m.RID
	job := translate.Job{
		Name: "message " + id,
		Run: func(ctx context.Context) error {
			return a.translateStored(ctx, rid, id, targets, replace)
		},
	}
	queued := a.translateJobs.Submit(jobs.Job{
		Name:    job.Name,
		Run:     func(ctx context.Context) { a.translations.Run(ctx, job) },
		Abandon: func() { a.translations.Abandoned(job) },
	})
	if !queued {
		a.translations.Dropped(job)
		a.faults.WithLabelValues("autotranslate", "queue_full").Inc()
	}
}

// subscriberLanguages lists the distinct languages that members of rid
// other than author read it in.
func (a *App) subscriberLanguages(ctx context.Context, rid, author string) ([]string, error) {
	subs, _, err := a.store.Subscriptions().ListByRoom(ctx, rid, store.ListOptions{})
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, s := range subs {
		if s.AutoTranslate == nil || !*s.AutoTranslate || s.U.ID == author || s.AutoTranslateLanguage == "" {
			continue
		}
		if !seen[s.AutoTranslateLanguage] {
			seen[s.AutoTranslateLanguage] = true
			out = append(out, s.AutoTranslateLanguage)
		}
	}
	return out, nil
}

// attachmentTexts returns each attachment's description and text.
func attachmentTexts(raw json.RawMessage) (desc, text string) {
	var at struct {
		Description string `json:"description"`
		Text        string `json:"text"`
	}
	_ = json.Unmarshal(raw, &at)
	return at.Description, at.Text
}

// translateStored is one translation job: it translates the message as
// stored now and writes the results under a row lock. It is idempotent, so
// the pool may run it again after a 429 or 5xx. Results for a text that
// was edited meanwhile are dropped; the edit queued its own job.
func (a *App) translateStored(ctx context.Context, rid, id string, targets []string, replace bool) error {
	p := a.translators.Active()
	if p == nil {
		return nil
	}
	m, err := a.store.Messages().Get(ctx, id)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if targets == nil {
		if targets, err = a.subscriberLanguages(ctx, rid, m.U.ID); err != nil {
			return err
		}
	}
	if len(targets) == 0 && !replace {
		return nil
	}

	var errs []error
	var body map[string]string
	if m.Msg != "" && len(targets) > 0 {
		body, err = p.Translate(ctx, m.Msg, targets)
		if err != nil {
			errs = append(errs, err)
		}
	}
	type attResult struct {
		desc, text string
		tr         map[string]string
	}
	atts := map[int]attResult{}
	for i, raw := range m.Attachments {
		if len(targets) == 0 {
			break
		}
		desc, text := attachmentTexts(raw)
		tr, err := p.TranslateAttachment(ctx, desc, text, targets)
		if err != nil {
			errs = append(errs, err)
		}
		if len(tr) > 0 {
			atts[i] = attResult{desc, text, tr}
		}
	}
	joined := errors.Join(errs...)
	for _, e := range errs {
		a.faults.WithLabelValues("autotranslate", faultKind(e)).Inc()
	}

	r, err := a.store.Rooms().Get(ctx, rid)
	if err != nil {
		if isNotFound(err) {
			return nil
		}
		return err
	}
	text := m.Msg
	saved, err := a.rewriteMessage(ctx, r, id, errMessageNotFound, func(_ store.Store, cur *model.Message) (bool, error) {
		changed := false
		if cur.Msg == text && (len(body) > 0 || replace) {
			if replace || cur.Translations == nil {
				changed = changed || len(cur.Translations) > 0 || len(body) > 0
				cur.Translations = map[string]string{}
			}
			for lang, tr := range body {
				if cur.Translations[lang] != tr {
					cur.Translations[lang] = tr
					changed = true
				}
			}
			if len(cur.Translations) == 0 {
				cur.Translations = nil
			}
			if len(body) > 0 && cur.TranslationProvider != p.Name() {
				cur.TranslationProvider = p.Name()
				changed = true
			}
		}
		for i, res := range atts {
			if i >= len(cur.Attachments) {
				continue
			}
			if d, t := attachmentTexts(cur.Attachments[i]); d != res.desc || t != res.text {
				continue
			}
			updated, ok := withAttachmentTranslations(cur.Attachments[i], res.tr, replace)
			if ok {
				cur.Attachments[i] = updated
				changed = true
			}
		}
		return changed, nil
	})
	switch {
	case errors.Is(err, errMessageNotFound):
		return nil
	case err != nil:
		return err
	case saved != nil:
		a.emit(a.store, events.MessageUpdated, rid, "", id)
	}
	return joined
}

// withAttachmentTranslations sets attachments[i].translations, keeping
// every other field of the attachment as the client sent it.
func withAttachmentTranslations(raw json.RawMessage, tr map[string]string, replace bool) (json.RawMessage, bool) {
	var at map[string]any
	if json.Unmarshal(raw, &at) != nil || at == nil {
		return raw, false
	}
	cur, _ := at["translations"].(map[string]any)
	if cur == nil || replace {
		cur = map[string]any{}
	}
	for k, v := range tr {
		cur[k] = v
	}
	at["translations"] = cur
	out, err := json.Marshal(at)
	if err != nil {
		return raw, false
	}
	return out, true
}
