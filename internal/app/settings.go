package app

import (
	"context"

	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// SettingView is one setting as the settings endpoints show it.
type SettingView struct {
	ID     string `json:"_id"`
	Value  any    `json:"value"`
	Type   string `json:"type,omitempty"`
	Public bool   `json:"public,omitempty"`
	// PackageValue is the default, shown when a listing asks for it
	// (includeDefaults).
	PackageValue any `json:"packageValue,omitempty"`
}

// SettingsFilter narrows a settings listing.
type SettingsFilter struct {
	PublicOnly bool
	// IDs, when not nil, keeps only these settings (settings.public's
	// _id parameter); ids that name no visible setting are skipped.
	IDs []string
	// WithDefaults adds each setting's default as packageValue.
	WithDefaults bool
}

// ListSettings returns public settings, plus private ones for holders of
// view-privileged-setting. Secret settings are never listed.
func (a *App) ListSettings(actor *model.User, f SettingsFilter) []SettingView {
	privileged := !f.PublicOnly && a.HasPermission(actor, "view-privileged-setting")
	var only map[string]bool
	if f.IDs != nil {
		only = make(map[string]bool, len(f.IDs))
		for _, id := range f.IDs {
			only[id] = true
		}
	}
	out := []SettingView{}
	for _, id := range a.Settings.IDs() {
		d, _ := a.Settings.Def(id)
		if d.Secret || (!d.Public && !privileged) || (only != nil && !only[id]) {
			continue
		}
		v := SettingView{ID: id, Value: a.settingValue(id), Type: d.Type, Public: d.Public}
		if f.WithDefaults {
			v.PackageValue = d.Default
		}
		out = append(out, v)
	}
	return out
}

// unknownSetting refuses an id Parley has no setting for. Rocket.Chat
// answers a bare failure; the reason here tells a client using an id from
// Rocket.Chat's wider set of settings why it was refused.
func unknownSetting(id string) error {
	return E("error-setting-not-found", `Setting "`+id+`" does not exist`)
}

// GetSetting is GET settings/:_id (view-privileged-setting).
func (a *App) GetSetting(actor *model.User, id string) (*SettingView, error) {
	if !a.HasPermission(actor, "view-privileged-setting") {
		return nil, ErrPermissionsRequired
	}
	d, ok := a.Settings.Def(id)
	if !ok {
		return nil, unknownSetting(id)
	}
	v := a.settingValue(id)
	if d.Secret {
		v = ""
	}
	return &SettingView{ID: id, Value: v}, nil
}

// settingValue is a setting's value as the settings endpoints show it. An
// empty Site_Url shows the address that stands in for it, so that clients
// building links from it get a usable URL, as from Rocket.Chat's ROOT_URL.
func (a *App) settingValue(id string) any {
	if id == "Site_Url" {
		return a.SiteURL()
	}
	v, _ := a.Settings.Get(id)
	return v
}

// SaveSetting is POST settings/:_id (edit-privileged-setting). The value
// applies at once on this node, and on the others as soon as the bus
// brings them its SettingChanged.
func (a *App) SaveSetting(ctx context.Context, actor *model.User, id string, value any) error {
	if !a.HasPermission(actor, "edit-privileged-setting") {
		return ErrPermissionsRequired
	}
	if _, ok := a.Settings.Def(id); !ok {
		return unknownSetting(id)
	}
	if _, err := a.Settings.Coerce(id, value); err != nil {
		return E("error-invalid-setting-value", err.Error())
	}
	err := a.tx(ctx, func(st store.Store) error {
		if err := a.Settings.Save(ctx, st.Settings(), id, value); err != nil {
			return err
		}
		return st.BumpConfigVersion(ctx)
	})
	if err != nil {
		return err
	}
	if err := a.Settings.Set(id, value); err != nil {
		return err
	}
	// Announced only now: listeners on this node (the realtime streams)
	// read the new value from a.Settings when the event reaches them.
	a.bus.Publish(events.Event{Kind: events.SettingChanged, UserID: actor.ID, ID: id})
	return nil
}

// ApplySettingOverrides stores start-up overrides (OVERWRITE_SETTING_*),
// which win over stored values, as in Rocket.Chat.
func (a *App) ApplySettingOverrides(ctx context.Context, values map[string]any) error {
	if len(values) == 0 {
		return nil
	}
	err := a.tx(ctx, func(st store.Store) error {
		for id, v := range values {
			if err := a.Settings.Save(ctx, st.Settings(), id, v); err != nil {
				return err
			}
			a.emit(st, events.SettingChanged, "", "", id)
		}
		return st.BumpConfigVersion(ctx)
	})
	if err != nil {
		return err
	}
	for id, v := range values {
		if err := a.Settings.Set(id, v); err != nil {
			return err
		}
	}
	return nil
}
