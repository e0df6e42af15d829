package app

import (
	"context"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// SetE2EKeys is e2e.setUserPublicAndPrivateKeys: the caller's key pair,
// stored as the client sends it. A pair already set is kept unless force.
func (a *App) SetE2EKeys(ctx context.Context, actor *model.User, keys model.UserE2EKeys, force bool) error {
	return a.changeUser(ctx, actor.ID, func(_ store.Store, u *model.User) error {
		if !force && u.E2E != nil && u.E2E.PublicKey != "" && u.E2E.PrivateKey != "" {
			return E("error-keys-already-set", "Keys already set").With(map[string]any{"method": "e2e.setUserPublicAndPrivateKeys"})
		}
		u.E2E = &keys
		return nil
	})
}

// E2EKeys is e2e.fetchMyKeys: the caller's key pair, empty when none is
// set.
func (a *App) E2EKeys(ctx context.Context, actor *model.User) (model.UserE2EKeys, error) {
	u, err := a.store.Users().Get(ctx, actor.ID)
	if err != nil {
		return model.UserE2EKeys{}, a.notFoundUser(a.storeErr(err))
	}
	if u.E2E == nil {
		return model.UserE2EKeys{}, nil
	}
	return *u.E2E, nil
}

// OwnTokens lists the caller's login tokens and personal access tokens,
// for the services block users.info shows a user about themself.
func (a *App) OwnTokens(ctx context.Context, u *model.User) (login, personal []*model.Token, err error) {
	if login, err = a.store.Tokens().ListByUser(ctx, u.ID, model.TokenLogin); err != nil {
		return nil, nil, a.storeErr(err)
	}
	if personal, err = a.store.Tokens().ListByUser(ctx, u.ID, model.TokenPersonal); err != nil {
		return nil, nil, a.storeErr(err)
	}
	return login, personal, nil
}
