package api

import (
	"github.com/parleychat/parley/internal/app"
)

// updateOwnBasicInfoIn is the body of users.updateOwnBasicInfo.
type updateOwnBasicInfoIn struct {
	Data struct {
		Email           *string `json:"email"`
		Name            *string `json:"name"`
		Username        *string `json:"username"`
		Nickname        *string `json:"nickname"`
		Bio             *string `json:"bio"`
		StatusText      *string `json:"statusText"`
		StatusType      *string `json:"statusType"`
		NewPassword     *string `json:"newPassword"`
		CurrentPassword string  `json:"currentPassword"`
		RealName        *string `json:"realname"`
	} `json:"data" in:"required"`
	CustomFields map[string]any `json:"customFields"`
}

func (s *Server) usersUpdateOwnBasicInfo(c *request, in *updateOwnBasicInfoIn) (any, error) {
	d := in.Data
	if d.Name == nil {
		d.Name = d.RealName
	}
	current := d.CurrentPassword
	if current == "" {
		current = c.passwordConfirmation()
	}
	return s.userAnswer(nil)(s.app.UpdateOwnBasicInfo(c.ctx, c.user, app.OwnInfo{
		Email: d.Email, Name: d.Name, Username: d.Username, Nickname: d.Nickname, Bio: d.Bio,
		StatusText: d.StatusText, StatusType: d.StatusType, NewPassword: d.NewPassword,
		CurrentPassword: current, CustomFields: in.CustomFields, KeepToken: c.token,
	}))
}

// setActiveStatusIn is the body of users.setActiveStatus.
type setActiveStatusIn struct {
	UserID            string `json:"userId" in:"required,nonempty"`
	ActiveStatus      *bool  `json:"activeStatus" in:"required"`
	ConfirmRelinquish bool   `json:"confirmRelinquish"`
}

func (s *Server) usersSetActiveStatus(c *request, in *setActiveStatusIn) (any, error) {
	u, err := s.app.SetActiveStatus(c.ctx, c.user, in.UserID, *in.ActiveStatus, in.ConfirmRelinquish)
	if err != nil {
		return nil, err
	}
	return M{"user": M{"_id": u.ID, "active": u.Active}}, nil
}

// deleteOwnAccountIn is the body of users.deleteOwnAccount.
type deleteOwnAccountIn struct {
	Password          string `json:"password"`
	ConfirmRelinquish bool   `json:"confirmRelinquish"`
}

func (s *Server) usersDeleteOwnAccount(c *request, in *deleteOwnAccountIn) (any, error) {
	if in.Password == "" {
		return nil, app.Plain(`Body parameter "password" is required.`)
	}
	return nil, s.app.DeleteOwnAccount(c.ctx, c.user, in.Password, in.ConfirmRelinquish)
}

// checkUsernameIn is the query of users.checkUsernameAvailability.
type checkUsernameIn struct {
	Username string `json:"username" in:"required"`
}

func (s *Server) usersCheckUsernameAvailability(c *request, in *checkUsernameIn) (any, error) {
	return answerAs("result")(s.app.CheckUsernameAvailability(c.ctx, c.user, in.Username))
}

func (s *Server) usersGetUsernameSuggestion(c *request) (any, error) {
	return answerAs("result")(s.app.UsernameSuggestion(c.ctx, c.user))
}

// deactivateIdleIn is the body of users.deactivateIdle.
type deactivateIdleIn struct {
	DaysIdle *int   `json:"daysIdle" in:"required"`
	Role     string `json:"role"`
}

func (s *Server) usersDeactivateIdle(c *request, in *deactivateIdleIn) (any, error) {
	if *in.DaysIdle < 0 {
		return nil, app.Invalid("must be >= 0")
	}
	return answerAs("count")(s.app.DeactivateIdle(c.ctx, c.user, *in.DaysIdle, in.Role))
}

// usersGetAvatarSuggestion is users.getAvatarSuggestion. Rocket.Chat
// suggests the avatars of the user's linked login services; Parley links
// none, so there is nothing to suggest.
func (s *Server) usersGetAvatarSuggestion(c *request) (any, error) {
	return M{"suggestions": M{}}, nil
}
