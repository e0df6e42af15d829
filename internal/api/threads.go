package api

import (
	"encoding/json"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/model"
)

// followIn is the body of chat.followMessage and chat.unfollowMessage.
type followIn struct {
	MID string `json:"mid" in:"required,nonempty"`
}

func (s *Server) chatFollow(follow bool) handlerFunc {
	return fromBody(func(c *request, in *followIn) (any, error) {
		return nil, s.app.FollowMessage(c.ctx, c.user, in.MID, follow)
	})
}

// threadsListIn is the query of chat.getThreadsList.
type threadsListIn struct {
	RID  string `json:"rid" in:"required"`
	Type string `json:"type"`
	Text string `json:"text"`
	//lint:ignore U1000 its keys are read by reflection (shape.go)
	countOffsetSort
	_ string `key:"query"`
	_ string `key:"fields"`
}

func (s *Server) chatGetThreadsList(c *request, in *threadsListIn) (any, error) {
	if in.Type != "" && in.Type != "following" && in.Type != "unread" {
		return nil, app.Invalid("must be equal to one of the allowed values")
	}
	p, err := c.page()
	if err != nil {
		return nil, err
	}
	res, err := s.app.ThreadsList(c.ctx, c.user, app.ThreadsQuery{RID: in.RID, Type: in.Type, Text: in.Text}, p.opts())
	if err != nil {
		return nil, err
	}
	return pageAnswer("threads", res.Messages, p, res.Total), nil
}

// threadMessagesIn is the query of chat.getThreadMessages. A missing tmid
// is the app's error, after the Threads_enabled check.
type threadMessagesIn struct {
	TMID string `json:"tmid"`
	//lint:ignore U1000 its keys are read by reflection (shape.go)
	countOffsetSort
}

func (s *Server) chatGetThreadMessages(c *request, in *threadMessagesIn, p page) (any, error) {
	return messagePage(p)(s.app.ThreadMessages(c.ctx, c.user, in.TMID, p.opts()))
}

// needThreads answers the Threads_enabled check before h binds anything:
// the sync routes report a missing or bad parameter only when threads are
// on.
func (s *Server) needThreads(h handlerFunc) handlerFunc {
	return func(c *request) (any, error) {
		if err := s.app.RequireThreads(); err != nil {
			return nil, err
		}
		return h(c)
	}
}

// syncThreadsListIn is the query of chat.syncThreadsList. Missing and
// unparsable values are the app's errors, which come after the
// Threads_enabled check.
type syncThreadsListIn struct {
	RID          string `json:"rid"`
	UpdatedSince string `json:"updatedSince"`
}

func (s *Server) chatSyncThreadsList(c *request, in *syncThreadsListIn) (any, error) {
	return answerAs("threads")(s.app.SyncThreadsList(c.ctx, c.user, in.RID, in.UpdatedSince))
}

// syncThreadMessagesIn is the query of chat.syncThreadMessages.
type syncThreadMessagesIn struct {
	TMID         string `json:"tmid"`
	UpdatedSince string `json:"updatedSince"`
	//lint:ignore U1000 its keys are read by reflection (shape.go)
	countOffsetSort
}

func (s *Server) chatSyncThreadMessages(c *request, in *syncThreadMessagesIn) (any, error) {
	return answerAs("messages")(s.app.SyncThreadMessages(c.ctx, c.user, in.TMID, in.UpdatedSince))
}

// discussionsIn is the query of chat.getDiscussions.
type discussionsIn struct {
	RoomID string `json:"roomId"`
	Text   string `json:"text"`
	//lint:ignore U1000 its keys are read by reflection (shape.go)
	countOffset
}

func (s *Server) chatGetDiscussions(c *request, in *discussionsIn) (any, error) {
	if in.RoomID == "" {
		return nil, app.E("error-invalid-params", roomIDMissingText)
	}
	p, err := c.page()
	if err != nil {
		return nil, err
	}
	return messagePage(p)(s.app.Discussions(c.ctx, c.user, in.RoomID, in.Text, p.opts()))
}

// queryInvalid renders a query validation failure of Rocket.Chat's typed
// routes: errorType error-invalid-params and no "[…]" suffix.
func queryInvalid(err error) error {
	if e, ok := app.AsError(err); ok && e.Type == "invalid-params" {
		c := *e
		c.Type, c.Plain = "error-invalid-params", true
		return &c
	}
	return err
}

func (s *Server) chatGetMessageReadReceipts(c *request) (any, error) {
	var in struct {
		MessageID string `json:"messageId" in:"required"`
		countOffset
	}
	if err := c.bindClosedQuery(&in); err != nil {
		return nil, queryInvalid(err)
	}
	var opts page
	if q := c.r.URL.Query(); q.Has("offset") || q.Has("count") {
		p, err := c.page()
		if err != nil {
			return nil, err
		}
		opts = p
	}
	return answerAs("receipts")(s.app.ReadReceipts(c.ctx, c.user, in.MessageID, opts.opts()))
}

func (s *Server) roomsCreateDiscussion(c *request) (any, error) {
	body, err := readBody(c.r)
	if err != nil {
		return nil, err
	}
	str := func(k string) string {
		v, _ := body[k].(string)
		return v
	}
	// Rocket.Chat checks this body by hand (its schema is commented out),
	// so these are its messages, with no errorType.
	if str("prid") == "" {
		return nil, app.Plain(`Body parameter "prid" is required.`)
	}
	if str("t_name") == "" {
		return nil, app.Plain(`Body parameter "t_name" is required.`)
	}
	var users []string
	if v, ok := body["users"]; ok && v != nil {
		arr, ok := v.([]any)
		if !ok {
			return nil, app.Plain(`Body parameter "users" must be an array.`)
		}
		for _, e := range arr {
			if s, ok := e.(string); ok && s != "" {
				users = append(users, s)
			}
		}
	}
	var encrypted *bool
	if v, ok := body["encrypted"]; ok {
		b, ok := v.(bool)
		if !ok {
			return nil, app.Plain(`Body parameter "encrypted" must be a boolean when included.`)
		}
		encrypted = &b
	}
	d, err := s.app.CreateDiscussion(c.ctx, c.user, app.DiscussionInput{
		Prid: str("prid"), Pmid: str("pmid"), Name: str("t_name"), Reply: str("reply"),
		Users: users, Encrypted: encrypted, Topic: str("topic"),
	})
	if err != nil {
		return nil, err
	}
	return M{"discussion": withRID(d)}, nil
}

// withRID is a room as createDiscussion answers it: its fields plus rid,
// which repeats _id.
func withRID(r *model.Room) map[string]any {
	b, _ := json.Marshal(r)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	if m == nil {
		m = map[string]any{}
	}
	m["rid"] = r.ID
	return m
}
