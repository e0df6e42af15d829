package methods

import (
	"context"
	"encoding/json"

	"github.com/parleychat/parley/internal/model"
)

// translateMessage [{_id}, targetLanguage?] translates a message the
// caller can see, as the REST autotranslate.translateMessage does, and
// returns it. The id must be a string: anything else (a query object
// such as {"$gt": ""} included) fails Meteor's check.
func (r *Registry) translateMessage(ctx context.Context, u *model.User, params []json.RawMessage) (any, error) {
	msg, err := object(param(params, 0))
	if err != nil {
		return nil, err
	}
	id, ok := str(msg["_id"])
	if !ok {
		return nil, ErrMatch
	}
	var target string
	if t := param(params, 1); jsonKind(t) != "" {
		if target, ok = str(t); !ok {
			return nil, ErrMatch
		}
	}
	return r.app.TranslateMessageMethod(ctx, u, id, target)
}
