package api

import (
	"github.com/parleychat/parley/internal/app"
)

func (s *Server) subscriptionsGet(c *request) (any, error) {
	since, err := c.updatedSince()
	if err != nil {
		return nil, err
	}
	return updatesAnswer(s.app.Subscriptions(c.ctx, c.user, since))
}

func (s *Server) subscriptionsGetOne(c *request, in *roomIDIn) (any, error) {
	return answerAs("subscription")(s.app.Subscription(c.ctx, c.user, in.RoomID))
}

// readIn is the body of subscriptions.read, which names the room as rid
// or as roomId.
type readIn struct {
	RID         *string `json:"rid" in:"oneOf"`
	RoomID      *string `json:"roomId" in:"oneOf"`
	ReadThreads bool    `json:"readThreads"`
}

// errReadBothIDs is ajv's answer to a body that names the room both ways,
// which neither branch of subscriptions.read's anyOf accepts.
var errReadBothIDs = app.Invalid("must NOT have additional properties\n must NOT have additional properties\n must match a schema in anyOf")

func (s *Server) subscriptionsRead(c *request, in *readIn) (any, error) {
	if in.RID != nil && in.RoomID != nil {
		return nil, errReadBothIDs
	}
	var rid string
	for _, id := range []*string{in.RID, in.RoomID} {
		if id != nil {
			rid = *id
		}
	}
	if rid == "" {
		return nil, app.Invalid("must NOT have fewer than 1 characters")
	}
	return nil, s.app.MarkRead(c.ctx, c.user, rid, in.ReadThreads)
}
