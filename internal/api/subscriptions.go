package api

import (
	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/model"
)

func (s *Server) subscriptionsGet(c *request) (any, error) {
	since, err := c.updatedSince()
	if err != nil {
		return nil, err
	}
	subs, err := s.app.Subscriptions(c.ctx, c.user, since)
	if err != nil {
		return nil, err
	}
	if subs == nil {
		subs = []*model.Subscription{}
	}
	return M{"update": subs, "remove": []any{}}, nil
}

func (s *Server) subscriptionsGetOne(c *request) (any, error) {
	var in struct {
		RoomID string `json:"roomId" in:"required"`
	}
	if err := c.bindQuery(&in); err != nil {
		return nil, err
	}
	sub, err := s.app.Subscription(c.ctx, c.user, in.RoomID)
	if err != nil {
		return nil, err
	}
	return M{"subscription": sub}, nil
}

func (s *Server) subscriptionsRead(c *request) (any, error) {
	var in struct {
		RID         string `json:"rid" in:"oneOf"`
		RoomID      string `json:"roomId" in:"oneOf"`
		ReadThreads bool   `json:"readThreads"`
	}
	if err := c.bindBody(&in); err != nil {
		return nil, err
	}
	rid := in.RID
	if rid == "" {
		rid = in.RoomID
	}
	if rid == "" {
		return nil, app.Invalid("must NOT have fewer than 1 characters")
	}
	return nil, s.app.MarkRead(c.ctx, c.user, rid, in.ReadThreads)
}
