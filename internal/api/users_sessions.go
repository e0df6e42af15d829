package api

import (
	"github.com/parleychat/parley/internal/app"
)

// usersLogoutIn is the body of users.logout.
type usersLogoutIn struct {
	UserID string `json:"userId"`
}

func (s *Server) usersLogout(c *request, in *usersLogoutIn) (any, error) {
	id, err := s.app.LogoutUser(c.ctx, c.user, in.UserID)
	if err != nil {
		return nil, err
	}
	return M{"message": "User " + id + " has been logged out!"}, nil
}

func (s *Server) usersLogoutOtherClients(c *request) (any, error) {
	expires, err := s.app.LogoutOtherClients(c.ctx, c.user, c.token)
	if err != nil {
		return nil, err
	}
	return M{"token": c.token, "tokenExpires": expires}, nil
}

func (s *Server) usersRemoveOtherTokens(c *request) (any, error) {
	return nil, s.app.RemoveOtherTokens(c.ctx, c.user, c.token)
}

func (s *Server) usersRegenerateToken(c *request, in *removeTokenIn) (any, error) {
	return answerAs("token")(s.app.RegeneratePersonalToken(c.ctx, c.user, in.TokenName, c.passwordConfirmation()))
}

// createTokenIn is the body of users.createToken.
type createTokenIn struct {
	UserID   string `json:"userId"`
	Username string `json:"username"`
}

func (s *Server) usersCreateToken(c *request, in *createTokenIn) (any, error) {
	id, token, err := s.app.CreateToken(c.ctx, c.user, app.UserRef{ID: in.UserID, Username: in.Username})
	if err != nil {
		return nil, err
	}
	return M{"data": M{"userId": id, "authToken": token}}, nil
}
