package api

import (
	"context"
	"strings"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// exactlyOne refuses params that name the room both ways, as the oneOf
// schemas of Rocket.Chat do.
func exactlyOne(params map[string]any, a, b string) error {
	_, hasA := params[a]
	_, hasB := params[b]
	if hasA && hasB {
		return app.Invalid("must NOT have additional properties\n must NOT have additional properties\n must match exactly one schema in oneOf")
	}
	return nil
}

// bindQueryOne is bindQuery for schemas naming the room by a or b.
func (c *request) bindQueryOne(sc schema, a, b string, dst any) error {
	q := valuesToMap(c.r.URL.Query())
	if err := exactlyOne(q, a, b); err != nil {
		return err
	}
	return c.bindQuery(sc, dst)
}

type directRefIn struct {
	RoomID   string `json:"roomId"`
	Username string `json:"username"`
}

func (d directRefIn) ref() app.DirectRef {
	return app.DirectRef{RoomID: d.RoomID, Username: d.Username}
}

var dmCreateSchema = schema{
	props: map[string]kind{"username": kString, "usernames": kString, "excludeSelf": kBool},
	oneOf: [][]string{{"usernames"}, {"username"}},
}

func (s *Server) dmCreate(c *request) (any, error) {
	body, err := readBody(c.r)
	if err != nil {
		return nil, err
	}
	if err := exactlyOne(body, "username", "usernames"); err != nil {
		return nil, err
	}
	var in struct {
		Username    string `json:"username"`
		Usernames   string `json:"usernames"`
		ExcludeSelf bool   `json:"excludeSelf"`
	}
	if err := c.decodeBody(body, dmCreateSchema, &in); err != nil {
		return nil, err
	}
	names := []string{in.Username}
	if _, ok := body["usernames"]; ok {
		names = strings.Split(in.Usernames, ",")
	}
	r, err := s.app.CreateDirect(c.ctx, c.user, app.DirectInput{Usernames: names, ExcludeSelf: in.ExcludeSelf})
	if err != nil {
		return nil, err
	}
	usernames := r.Usernames
	if usernames == nil {
		usernames = []string{}
	}
	return M{"room": M{"_id": r.ID, "rid": r.ID, "t": r.T, "usernames": usernames}}, nil
}

var dmRefSchema = schema{props: map[string]kind{"roomId": kString, "username": kString}, oneOf: [][]string{{"roomId"}, {"username"}}}

func (s *Server) dmDelete(c *request) (any, error) {
	body, err := readBody(c.r)
	if err != nil {
		return nil, err
	}
	if err := exactlyOne(body, "roomId", "username"); err != nil {
		return nil, err
	}
	var in directRefIn
	if err := c.decodeBody(body, dmRefSchema, &in); err != nil {
		return nil, err
	}
	return nil, s.app.DeleteDirect(c.ctx, c.user, in.ref())
}

var dmRoomIDSchema = schema{props: map[string]kind{"roomId": kString}, required: []string{"roomId"}}

func (s *Server) dmOpen(c *request) (any, error) {
	var in directRefIn
	if err := c.bindBody(dmRoomIDSchema, &in); err != nil {
		return nil, err
	}
	return nil, s.app.OpenDirect(c.ctx, c.user, in.RoomID)
}

// dmCloseSchema takes an optional userId: an administrator may close the
// conversation for one of its members.
var dmCloseSchema = schema{props: map[string]kind{"roomId": kString, "userId": kString}, required: []string{"roomId"}}

func (s *Server) dmClose(c *request) (any, error) {
	var in struct {
		RoomID string `json:"roomId"`
		UserID string `json:"userId"`
	}
	if err := c.bindBody(dmCloseSchema, &in); err != nil {
		return nil, err
	}
	return nil, s.app.CloseDirectFor(c.ctx, c.user, in.RoomID, in.UserID)
}

var dmSetTopicSchema = schema{props: map[string]kind{"roomId": kString, "topic": kString}, required: []string{"roomId"}}

func (s *Server) dmSetTopic(c *request) (any, error) {
	body, err := readBody(c.r)
	if err != nil {
		return nil, err
	}
	var in struct {
		RoomID string  `json:"roomId"`
		Topic  *string `json:"topic"`
	}
	_, hasTopic := body["topic"]
	if err := c.decodeBody(body, dmSetTopicSchema, &in); err != nil {
		return nil, err
	}
	topic := ""
	if in.Topic != nil {
		topic = *in.Topic
	}
	if err := s.app.SetDirectTopic(c.ctx, c.user, in.RoomID, topic); err != nil {
		return nil, err
	}
	if !hasTopic {
		return M{}, nil
	}
	return M{"topic": topic}, nil
}

var dmCountersSchema = schema{props: map[string]kind{"roomId": kString, "userId": kString}}

func (s *Server) dmCounters(c *request) (any, error) {
	var in struct {
		RoomID string `json:"roomId"`
		UserID string `json:"userId"`
	}
	if err := c.bindQuery(dmCountersSchema, &in); err != nil {
		return nil, err
	}
	out, err := s.app.Counters(c.ctx, c.user, in.RoomID, in.UserID)
	if err != nil {
		return nil, err
	}
	// Every key is always present, as Rocket.Chat's clients expect; what
	// the caller may not know (or what does not exist yet, such as
	// unreadsFrom before the first read) is null.
	return M{"joined": out.Joined, "members": out.Members, "unreads": out.Unreads, "unreadsFrom": out.UnreadsFrom,
		"msgs": out.Msgs, "latest": out.Latest, "userMentions": out.UserMentions}, nil
}

var dmHistorySchema = schema{props: withKeys(historyProps, "roomId")}

func (s *Server) dmHistory(c *request) (any, error) {
	var in directRefIn
	hq, err := c.bindHistory(dmHistorySchema, &in)
	if err != nil {
		return nil, err
	}
	res, err := s.app.DirectHistory(c.ctx, c.user, in.RoomID, hq)
	if err != nil {
		return nil, err
	}
	return historyBody(res), nil
}

var dmListSchema = schema{props: map[string]kind{"offset": kInteger, "count": kInteger, "sort": kString, "fields": kString, "query": kString}}

func (s *Server) dmList(c *request) (any, error) { return s.dmListRooms(c, s.app.ListDirect) }

func (s *Server) dmListEveryone(c *request) (any, error) {
	return s.dmListRooms(c, s.app.ListAllDirect)
}

type roomLister func(ctx context.Context, u *model.User, opts store.ListOptions) ([]*model.Room, int, error)

func (s *Server) dmListRooms(c *request, list roomLister) (any, error) {
	if err := c.bindQuery(dmListSchema, &struct{}{}); err != nil {
		return nil, err
	}
	p, err := c.page()
	if err != nil {
		return nil, err
	}
	rooms, total, err := list(c.ctx, c.user, p.opts())
	if err != nil {
		return nil, err
	}
	return M{"ims": rooms, "count": len(rooms), "offset": p.Offset, "total": total}, nil
}

var dmMembersSchema = schema{
	props: map[string]kind{
		"roomId": kString, "username": kString, "status": kStringArray, "filter": kString,
		"offset": kInteger, "count": kInteger, "sort": kString, "fields": kString, "query": kString,
	},
	oneOf: [][]string{{"roomId"}, {"username"}},
}

func (s *Server) dmMembers(c *request) (any, error) {
	var in struct {
		directRefIn
		Status []string `json:"status"`
		Filter string   `json:"filter"`
	}
	if err := c.bindQueryOne(dmMembersSchema, "roomId", "username", &in); err != nil {
		return nil, err
	}
	p, err := c.page()
	if err != nil {
		return nil, err
	}
	q := app.MembersQuery{Status: in.Status, Filter: in.Filter}
	for _, f := range p.Sort {
		if f.Field == "username" {
			q.UsernameDesc = f.Desc
		}
	}
	members, total, err := s.app.DirectMembers(c.ctx, c.user, in.ref(), q, p.Offset, p.Count)
	if err != nil {
		return nil, err
	}
	return M{"members": members, "count": len(members), "offset": p.Offset, "total": total}, nil
}

// messagesQueryProps are the filters of dm.messages and {channels,groups}.messages.
var messagesQueryProps = map[string]kind{
	"mentionIds": kString, "starredIds": kString, "pinned": kString,
	"offset": kInteger, "count": kInteger, "sort": kString, "fields": kString, "query": kString,
}

type messagesQueryIn struct {
	MentionIDs string `json:"mentionIds"`
	StarredIDs string `json:"starredIds"`
	Pinned     string `json:"pinned"`
}

func (in messagesQueryIn) query() app.MessagesQuery {
	split := func(s string) []string {
		var out []string
		for _, x := range strings.Split(s, ",") {
			if x = strings.TrimSpace(x); x != "" {
				out = append(out, x)
			}
		}
		return out
	}
	return app.MessagesQuery{MentionIDs: split(in.MentionIDs), StarredIDs: split(in.StarredIDs), Pinned: strings.EqualFold(in.Pinned, "true")}
}

// withProps is base with extra's keys added (or replaced).
func withProps(base map[string]kind, extra map[string]kind) map[string]kind {
	out := make(map[string]kind, len(base)+len(extra))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

var dmMessagesSchema = schema{
	props: withProps(messagesQueryProps, map[string]kind{"roomId": kString, "username": kString}),
	oneOf: [][]string{{"roomId"}, {"username"}},
}

func (s *Server) dmMessages(c *request) (any, error) {
	var in struct {
		directRefIn
		messagesQueryIn
	}
	if err := c.bindQueryOne(dmMessagesSchema, "roomId", "username", &in); err != nil {
		return nil, err
	}
	p, err := c.page()
	if err != nil {
		return nil, err
	}
	res, err := s.app.DirectMessages(c.ctx, c.user, in.ref(), in.query(), p.opts())
	if err != nil {
		return nil, err
	}
	return paged(res.Messages, p.Offset, res.Total), nil
}

// roomMessages serves channels.messages (t "c") and groups.messages (t "p").
func (s *Server) roomMessages(t string) handlerFunc {
	sc := schema{
		props: withProps(messagesQueryProps, map[string]kind{"roomId": kString, "roomName": kString}),
		oneOf: [][]string{{"roomId"}, {"roomName"}},
	}
	return func(c *request) (any, error) {
		var in struct {
			roomRefIn
			messagesQueryIn
		}
		if err := c.bindQuery(sc, &in); err != nil {
			return nil, err
		}
		p, err := c.page()
		if err != nil {
			return nil, err
		}
		res, err := s.app.RoomMessages(c.ctx, c.user, in.ref(), t, in.query(), p.opts())
		if err != nil {
			return nil, err
		}
		return paged(res.Messages, p.Offset, res.Total), nil
	}
}

func (s *Server) dmMessagesOthers(c *request) (any, error) {
	roomID := c.r.URL.Query().Get("roomId")
	p, err := c.page()
	if err != nil {
		return nil, err
	}
	res, err := s.app.DirectMessagesOthers(c.ctx, c.user, roomID, c.r.URL.Path, p.opts())
	if err != nil {
		return nil, err
	}
	return paged(res.Messages, p.Offset, res.Total), nil
}

var dmFilesSchema = schema{
	props: map[string]kind{
		"roomId": kString, "username": kString, "name": kString, "typeGroup": kString, "onlyConfirmed": kBool,
		"offset": kInteger, "count": kInteger, "sort": kString, "fields": kString, "query": kString,
	},
	oneOf: [][]string{{"roomId"}, {"username"}},
}

func (s *Server) dmFiles(c *request) (any, error) {
	var in struct {
		directRefIn
		Name          string `json:"name"`
		TypeGroup     string `json:"typeGroup"`
		OnlyConfirmed bool   `json:"onlyConfirmed"`
	}
	if err := c.bindQueryOne(dmFilesSchema, "roomId", "username", &in); err != nil {
		return nil, err
	}
	p, err := c.page()
	if err != nil {
		return nil, err
	}
	list, total, err := s.app.DirectFiles(c.ctx, c.user, in.ref(), app.FilesQuery{Name: in.Name, TypeGroup: in.TypeGroup, OnlyConfirmed: in.OnlyConfirmed}, p.opts())
	if err != nil {
		return nil, err
	}
	return M{"files": list, "count": len(list), "offset": p.Offset, "total": total}, nil
}
