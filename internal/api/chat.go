package api

import (
	"encoding/json"
	"regexp"
	"strconv"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/model"
)

// typedInvalid renders a validation failure of Rocket.Chat's typed routes
// (pin, unpin, update), which carry no "[invalid-params]" suffix.
func typedInvalid(err error) error {
	if e, ok := app.AsError(err); ok && e.Type == "invalid-params" {
		c := *e
		c.Plain = true
		return &c
	}
	return err
}

// ignorePattern is how chat.ignoreUser reads its ignore flag: any value
// containing "true" or "1" ignores.
var ignorePattern = regexp.MustCompile(`true|1`)

// messageAnswer is the answer of the routes that return one message.
func messageAnswer(m *model.Message, err error) (any, error) { return answerAs("message")(m, err) }

// messagePage answers the page p of a message listing, for a call that
// returns the page and an error.
func messagePage(p page) func(res *app.MessagePage, err error) (any, error) {
	return func(res *app.MessagePage, err error) (any, error) {
		if err != nil {
			return nil, err
		}
		return pageAnswer("messages", res.Messages, p, res.Total), nil
	}
}

// postMessageIn is the body of chat.postMessage.
type postMessageIn struct {
	RoomID  any    `json:"roomId" in:"stringOrArray"`
	Channel any    `json:"channel" in:"stringOrArray"`
	Text    string `json:"text"`
	// Msg is the text under the name older clients send it by.
	Msg          string           `json:"msg"`
	Alias        string           `json:"alias"`
	Emoji        string           `json:"emoji"`
	Avatar       string           `json:"avatar"`
	Attachments  []map[string]any `json:"attachments"`
	TMID         string           `json:"tmid"`
	CustomFields map[string]any   `json:"customFields"`
	ParseURLs    *bool            `json:"parseUrls"`
}

func (s *Server) chatPostMessage(c *request) (any, error) {
	body, err := readBody(c.r)
	if err != nil {
		return nil, err
	}
	_, hasRoom := body["roomId"]
	_, hasChannel := body["channel"]
	_, hasTmid := body["tmid"]
	switch {
	case hasRoom && hasChannel:
		return nil, errNotExactlyOne
	case hasChannel && hasTmid:
		return nil, app.Invalid("must have required property 'roomId'\n must NOT have additional properties\n must match exactly one schema in oneOf")
	}
	var in postMessageIn
	// With neither roomId nor channel the rest of the body is still
	// checked, and then the answer is Rocket.Chat's "[invalid-channel]".
	if err := c.decodeBody(body, &in); err != nil {
		return nil, err
	}
	target := in.RoomID
	if hasChannel {
		target = in.Channel
	}
	targets := stringList(target)
	if len(targets) == 0 {
		return nil, app.E("invalid-channel", "")
	}
	text := in.Text
	if text == "" {
		text = in.Msg
	}
	m, err := s.app.PostMessage(c.ctx, c.user, app.PostInput{
		Targets: targets, ByRoomID: hasRoom,
		Message: app.MessageInput{
			Msg: text, Alias: in.Alias, Emoji: in.Emoji, Avatar: in.Avatar, Attachments: in.Attachments,
			TMID: in.TMID, CustomFields: in.CustomFields, ParseURLs: in.ParseURLs,
		},
	})
	if err != nil {
		return nil, err
	}
	return M{"ts": s.app.Now().UnixMilli(), "channel": targets[0], "message": m}, nil
}

// stringList reads a string-or-array-of-strings parameter.
func stringList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// sendMessageIn is the body of chat.sendMessage.
type sendMessageIn struct {
	Message     map[string]any `json:"message" in:"required"`
	PreviewURLs *[]string      `json:"previewUrls"`
}

func (s *Server) chatSendMessage(c *request, in *sendMessageIn) (any, error) {
	// The message object is open: keys it does not declare pass.
	var msg struct {
		_            openKeys
		ID           string            `json:"_id"`
		RID          string            `json:"rid"`
		TMID         string            `json:"tmid"`
		Msg          string            `json:"msg"`
		Alias        string            `json:"alias"`
		Emoji        string            `json:"emoji"`
		Avatar       string            `json:"avatar"`
		TShow        bool              `json:"tshow"`
		Attachments  []map[string]any  `json:"attachments"`
		Blocks       []json.RawMessage `json:"blocks"`
		CustomFields map[string]any    `json:"customFields"`
		T            any               `json:"t"`
		Ts           any               `json:"ts"`
		Text         string            `json:"text"`
		E2E          string            `json:"e2e"`
		Content      map[string]any    `json:"content"`
	}
	if err := decode(in.Message, &msg); err != nil {
		return nil, err
	}
	mi := app.MessageInput{
		ID: msg.ID, RID: msg.RID, TMID: msg.TMID, Msg: msg.Msg, Alias: msg.Alias, Emoji: msg.Emoji, Avatar: msg.Avatar,
		TShow: msg.TShow, Attachments: msg.Attachments, Blocks: msg.Blocks, CustomFields: msg.CustomFields,
		PreviewURLs: in.PreviewURLs,
	}
	if msg.Ts != nil {
		ts, ok := clientTime(msg.Ts)
		if !ok {
			return nil, app.Plain("Match error: Expected Date in field ts")
		}
		mi.Ts = &ts
	}
	t, _ := msg.T.(string)
	mi.Text = msg.Text
	if t == "e2e" {
		mi.E2E = msg.E2E
		if msg.Content != nil {
			mi.Content, _ = json.Marshal(msg.Content)
		}
	}
	return messageAnswer(s.app.SendMessage(c.ctx, c.user, app.SendInput{Message: mi, T: t}))
}

// clientTime reads a client-supplied ts: an ISO string, epoch
// milliseconds, or {"$date": ms}.
func clientTime(v any) (model.Time, bool) {
	switch x := v.(type) {
	case float64:
		return model.Time(int64(x)), true
	case string:
		if t, err := model.ParseTime(x); err == nil {
			return t, true
		}
	case map[string]any:
		if d, ok := x["$date"]; ok {
			return clientTime(d)
		}
	}
	return 0, false
}

// getMessageIn is the query of chat.getMessage.
type getMessageIn struct {
	MsgID string `json:"msgId" in:"required,nonempty"`
}

func (s *Server) chatGetMessage(c *request, in *getMessageIn) (any, error) {
	return messageAnswer(s.app.GetMessage(c.ctx, c.user, in.MsgID))
}

func (s *Server) chatUpdate(c *request) (any, error) {
	var in struct {
		RoomID string `json:"roomId" in:"required"`
		MsgID  string `json:"msgId" in:"required"`
		// An empty text would blank the message: Rocket.Chat refuses it.
		Text         string         `json:"text" in:"required,nonempty"`
		PreviewURLs  *[]string      `json:"previewUrls"`
		CustomFields map[string]any `json:"customFields"`
	}
	if err := c.bindBody(&in); err != nil {
		return nil, typedInvalid(err)
	}
	return messageAnswer(s.app.UpdateMessage(c.ctx, c.user, app.UpdateInput{
		RoomID: in.RoomID, MsgID: in.MsgID, Text: in.Text, PreviewURLs: in.PreviewURLs, CustomFields: in.CustomFields,
	}))
}

// deleteIn is the body of chat.delete.
type deleteIn struct {
	MsgID  string `json:"msgId" in:"required"`
	RoomID string `json:"roomId" in:"required"`
	AsUser bool   `json:"asUser"`
}

func (s *Server) chatDelete(c *request, in *deleteIn) (any, error) {
	res, err := s.app.DeleteMessage(c.ctx, c.user, in.RoomID, in.MsgID, in.AsUser)
	if err != nil {
		return nil, err
	}
	return M{"_id": res.ID, "ts": strconv.FormatInt(int64(res.Ts), 10), "message": M{"_id": res.Message.ID, "rid": res.Message.RID, "u": res.Message.U}}, nil
}

func (s *Server) chatReact(c *request) (any, error) {
	body, err := readBody(c.r)
	if err != nil {
		return nil, err
	}
	_, hasReaction := body["reaction"]
	var in struct {
		Emoji       string `json:"emoji" in:"oneOf,exclusive"`
		Reaction    string `json:"reaction" in:"oneOf,exclusive"`
		MessageID   string `json:"messageId" in:"required,nonempty"`
		ShouldReact *bool  `json:"shouldReact"`
	}
	// A null shouldReact means "toggle", as an absent one does.
	if v, ok := body["shouldReact"]; ok && v == nil {
		delete(body, "shouldReact")
	}
	if err := c.decodeBody(body, &in); err != nil {
		return nil, err
	}
	e := in.Emoji
	if hasReaction {
		e = in.Reaction
	}
	return nil, s.app.React(c.ctx, c.user, in.MessageID, e, in.ShouldReact)
}

// messageIDIn is the body of the routes that act on one message.
type messageIDIn struct {
	MessageID string `json:"messageId" in:"required,nonempty"`
}

func (s *Server) chatPinMessage(c *request) (any, error) {
	var in messageIDIn
	if err := c.bindBody(&in); err != nil {
		return nil, typedInvalid(err)
	}
	return messageAnswer(s.app.PinMessage(c.ctx, c.user, in.MessageID))
}

func (s *Server) chatUnpinMessage(c *request) (any, error) {
	var in messageIDIn
	if err := c.bindBody(&in); err != nil {
		return nil, typedInvalid(err)
	}
	return nil, s.app.UnpinMessage(c.ctx, c.user, in.MessageID)
}

// starIn is the body of chat.starMessage and chat.unStarMessage.
type starIn struct {
	MessageID string `json:"messageId" in:"required"`
}

func (s *Server) chatStar(star bool) handlerFunc {
	return fromBody(func(c *request, in *starIn) (any, error) {
		return nil, s.app.StarMessage(c.ctx, c.user, in.MessageID, star)
	})
}

// reportIn is the body of chat.reportMessage.
type reportIn struct {
	MessageID   string `json:"messageId" in:"required"`
	Description string `json:"description" in:"required"`
}

func (s *Server) chatReportMessage(c *request, in *reportIn) (any, error) {
	if in.MessageID == "" {
		return nil, app.Plain(`The required "messageId" param is missing.`)
	}
	if in.Description == "" {
		return nil, app.Plain(`The required "description" param is missing.`)
	}
	return nil, s.app.ReportMessage(c.ctx, c.user, in.MessageID, in.Description)
}

// ignoreUserIn is the query of chat.ignoreUser.
type ignoreUserIn struct {
	RID    string `json:"rid" in:"required,nonempty"`
	UserID string `json:"userId" in:"required,nonempty"`
	Ignore string `json:"ignore" in:"required,nonempty"`
}

func (s *Server) chatIgnoreUser(c *request, in *ignoreUserIn) (any, error) {
	ignore := ignorePattern.MatchString(in.Ignore)
	return nil, s.app.IgnoreUser(c.ctx, c.user, in.RID, in.UserID, ignore)
}

// countOffset are the number-typed paging keys of the chat.* listings;
// page reads them.
type countOffset struct {
	_ float64 `key:"count"`
	_ float64 `key:"offset"`
}

// countOffsetSort adds the sort key to countOffset.
type countOffsetSort struct {
	//lint:ignore U1000 its keys are read by reflection (shape.go)
	countOffset
	_ string `key:"sort"`
}

// roomIDMissingText is the text of a listing asked without roomId; each
// listing pairs it with its own errorType.
const roomIDMissingText = `The required "roomId" query param is missing.`

// roomListingIn is the query of the listings roomListing serves. A
// missing roomId is each endpoint's own error, not a schema failure.
type roomListingIn struct {
	RoomID string `json:"roomId"`
	//lint:ignore U1000 its keys are read by reflection (shape.go)
	countOffsetSort
}

// roomListing serves chat.getPinnedMessages, getStarredMessages and
// getMentionedMessages, which differ only in the app call and in the
// errorType of a missing roomId.
func (s *Server) roomListing(missingType string, list func(c *request, rid string, p page) (*app.MessagePage, error)) handlerFunc {
	return fromClosedQuery(func(c *request, in *roomListingIn) (any, error) {
		if in.RoomID == "" {
			return nil, app.E(missingType, roomIDMissingText)
		}
		p, err := c.page()
		if err != nil {
			return nil, err
		}
		return messagePage(p)(list(c, in.RoomID, p))
	})
}

// mentionsByChannelIn is the query of channels.getAllUserMentionsByChannel.
type mentionsByChannelIn struct {
	RoomID string `json:"roomId" in:"required"`
	_      int    `key:"offset"`
	_      int    `key:"count"`
	_      string `key:"sort"`
	_      string `key:"query"`
}

func (s *Server) channelsUserMentions(c *request, in *mentionsByChannelIn, p page) (any, error) {
	res, err := s.app.UserMentionsInRoom(c.ctx, c.user, in.RoomID, p.opts())
	if err != nil {
		return nil, err
	}
	return pageAnswer("mentions", res.Messages, p, res.Total), nil
}

// searchIn is the query of chat.search.
type searchIn struct {
	RoomID     string `json:"roomId" in:"required"`
	SearchText string `json:"searchText" in:"required"`
	//lint:ignore U1000 its keys are read by reflection (shape.go)
	countOffset
}

func (s *Server) chatSearch(c *request, in *searchIn, p page) (any, error) {
	if in.RoomID == "" {
		return nil, app.E("error-roomId-param-not-provided", `The required "roomId" query param is missing.`)
	}
	if in.SearchText == "" {
		return nil, app.E("error-searchText-param-not-provided", `The required "searchText" query param is missing.`)
	}
	return answerAs("messages")(s.app.SearchMessages(c.ctx, c.user, in.RoomID, in.SearchText, p.opts()))
}

// deletedMessagesIn is the query of chat.getDeletedMessages.
type deletedMessagesIn struct {
	RoomID string `json:"roomId"`
	Since  string `json:"since"`
	//lint:ignore U1000 its keys are read by reflection (shape.go)
	countOffsetSort
}

func (s *Server) chatGetDeletedMessages(c *request, in *deletedMessagesIn) (any, error) {
	// Rocket.Chat throws these with the text as the error code, so the
	// text is the errorType too.
	if in.RoomID == "" {
		return nil, app.E(`The required "roomId" query param is missing.`, "")
	}
	if in.Since == "" {
		return nil, app.E(`The required "since" query param is missing.`, "")
	}
	since, ok := app.ParseJSDate(in.Since)
	if !ok {
		return nil, app.E(`The "since" query parameter must be a valid date.`, "")
	}
	p, err := c.page()
	if err != nil {
		return nil, err
	}
	list, total, err := s.app.DeletedMessages(c.ctx, c.user, in.RoomID, since, p.opts())
	if err != nil {
		return nil, err
	}
	return pageAnswer("messages", list, p, total), nil
}

// syncMessagesIn is the query of chat.syncMessages.
type syncMessagesIn struct {
	RoomID     string  `json:"roomId" in:"required"`
	LastUpdate string  `json:"lastUpdate"`
	Count      float64 `json:"count"`
	Next       string  `json:"next"`
	Previous   string  `json:"previous"`
	Type       string  `json:"type"`
}

func (s *Server) chatSyncMessages(c *request, in *syncMessagesIn) (any, error) {
	if in.Type != "" && in.Type != "UPDATED" && in.Type != "DELETED" {
		return nil, app.Invalid("must be equal to one of the allowed values")
	}
	return answerAs("result")(s.app.SyncMessages(c.ctx, c.user, app.SyncQuery{
		RoomID: in.RoomID, LastUpdate: in.LastUpdate, Type: in.Type, Next: in.Next, Previous: in.Previous, Count: int(in.Count),
	}))
}
