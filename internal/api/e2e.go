package api

import "github.com/parleychat/parley/internal/model"

// e2eKeysIn is the body of e2e.setUserPublicAndPrivateKeys.
type e2eKeysIn struct {
	PublicKey  string `json:"public_key" in:"required"`
	PrivateKey string `json:"private_key" in:"required"`
	Force      bool   `json:"force"`
}

func (s *Server) e2eSetUserKeys(c *request, in *e2eKeysIn) (any, error) {
	return nil, s.app.SetE2EKeys(c.ctx, c.user, model.UserE2EKeys{PublicKey: in.PublicKey, PrivateKey: in.PrivateKey}, in.Force)
}

// e2eFetchMyKeys answers the caller's keys at the top level, and nothing
// besides success when none are set.
func (s *Server) e2eFetchMyKeys(c *request) (any, error) {
	keys, err := s.app.E2EKeys(c.ctx, c.user)
	if err != nil {
		return nil, err
	}
	m := M{}
	if keys.PublicKey != "" {
		m["public_key"] = keys.PublicKey
	}
	if keys.PrivateKey != "" {
		m["private_key"] = keys.PrivateKey
	}
	return m, nil
}
