package methods

import (
	"context"
	"encoding/json"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/model"
)

// translateMessage [{_id}, targetLanguage?] translates a message the
// caller can see, as the REST autotranslate.translateMessage does, and
// returns it. The id must be a string: anything else (a query object
// such as {"$gt": ""} included) fails Meteor's check.
func (r *Registry) translateMessage(ctx context.Context, u *model.User, params []json.RawMessage) (any, error) {
	_, id, err := objectWithID(param(params, 0))
	if err != nil {
		return nil, err
	}
	var target string
	if t := param(params, 1); jsonKind(t) != "" {
		var ok bool
		if target, ok = str(t); !ok {
			return nil, ErrMatch
		}
	}
	return r.app.TranslateMessageMethod(ctx, u, id, target)
}

// getSupportedLanguages [targetLanguage?] lists the languages the
// translation provider offers, named in targetLanguage.
func (r *Registry) getSupportedLanguages(ctx context.Context, u *model.User, params []json.RawMessage) (any, error) {
	target, err := optionalString(param(params, 0))
	if err != nil {
		return nil, err
	}
	return r.app.GetSupportedLanguages(ctx, u, target)
}

// saveAutoTranslateSettings [rid, field, value, {defaultLanguage}?] sets
// the caller's auto-translation of a room (field autoTranslate, a
// boolean) or its language (field autoTranslateLanguage); the result is
// true.
func (r *Registry) saveAutoTranslateSettings(ctx context.Context, u *model.User, params []json.RawMessage) (any, error) {
	rid, ok1 := str(param(params, 0))
	field, ok2 := str(param(params, 1))
	if !ok1 || !ok2 {
		return nil, ErrMatch
	}
	var value any
	raw := param(params, 2)
	switch jsonKind(raw) {
	case "boolean", "string":
		if json.Unmarshal(raw, &value) != nil {
			return nil, ErrMatch
		}
	default:
		return nil, ErrMatch
	}
	var lang string
	if p := param(params, 3); !absent(p) {
		opts, err := object(p)
		if err != nil {
			return nil, err
		}
		if lang, err = optionalString(opts["defaultLanguage"]); err != nil {
			return nil, err
		}
	}
	err := r.app.SaveAutoTranslateSettings(ctx, u, app.AutoTranslateSettingsInput{RoomID: rid, Field: field, Value: value, DefaultLanguage: lang})
	if err != nil {
		return nil, err
	}
	return true, nil
}
