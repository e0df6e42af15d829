package app

import (
	"context"

	"github.com/parleychat/parley/internal/model"
)

// TranslateMessageMethod is the autoTranslate.translateMessage method:
// the translation TranslateMessage does, with the method's own refusals
// for a missing message and for a caller who cannot see its room.
func (a *App) TranslateMessageMethod(ctx context.Context, u *model.User, messageID, target string) (*model.Message, error) {
	_, r, err := a.loadMessageOr(ctx, messageID, E("error-message-not-found", "Message not found"))
	if err != nil {
		return nil, a.storeErr(err)
	}
	if err := a.requireSee(ctx, r, u, E("error-not-allowed", "Not allowed")); err != nil {
		return nil, err
	}
	return a.TranslateMessage(ctx, u, messageID, target)
}
