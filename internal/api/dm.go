package api

import (
	"context"
	"strings"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// directHandlers is the handler set of the dm.* family, each handler built
// once: the same values serve the older im.* names.
type directHandlers struct {
	create, delete, open, close, setTopic, counters, history     handlerFunc
	list, listEveryone, members, messages, messagesOthers, files handlerFunc
}

func (s *Server) directHandlers() directHandlers {
	return directHandlers{
		create:         s.dmCreate,
		delete:         fromBody(s.dmDelete),
		open:           fromBody(s.dmOpen),
		close:          fromBody(s.dmClose),
		setTopic:       s.dmSetTopic,
		counters:       fromQuery(s.dmCounters),
		history:        s.dmHistory,
		list:           fromQueryPage(s.dmList),
		listEveryone:   fromQueryPage(s.dmListEveryone),
		members:        fromQueryPage(s.dmMembers),
		messages:       fromQueryPage(s.dmMessages),
		messagesOthers: s.dmMessagesOthers,
		files:          fromQueryPage(s.dmFiles),
	}
}

// directRefIn names a conversation by its room id or by the other
// member's username, never both.
type directRefIn struct {
	RoomID   string `json:"roomId" in:"oneOf,exclusive"`
	Username string `json:"username" in:"oneOf,exclusive"`
}

func (d directRefIn) ref() app.DirectRef {
	return app.DirectRef{RoomID: d.RoomID, Username: d.Username}
}

func (s *Server) dmCreate(c *request) (any, error) {
	body, err := readBody(c.r)
	if err != nil {
		return nil, err
	}
	var in struct {
		Usernames   string `json:"usernames" in:"oneOf,exclusive"`
		Username    string `json:"username" in:"oneOf,exclusive"`
		ExcludeSelf bool   `json:"excludeSelf"`
	}
	if err := c.decodeBody(body, &in); err != nil {
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

func (s *Server) dmDelete(c *request, in *directRefIn) (any, error) {
	return nil, s.app.DeleteDirect(c.ctx, c.user, in.ref())
}

// roomIDIn is the body of the routes that take only a roomId.
type roomIDIn struct {
	RoomID string `json:"roomId" in:"required"`
}

func (s *Server) dmOpen(c *request, in *roomIDIn) (any, error) {
	return nil, s.app.OpenDirect(c.ctx, c.user, in.RoomID)
}

// dmCloseIn is the body of dm.close. An administrator may close the
// conversation for one of its members.
type dmCloseIn struct {
	RoomID string `json:"roomId" in:"required"`
	UserID string `json:"userId"`
}

func (s *Server) dmClose(c *request, in *dmCloseIn) (any, error) {
	return nil, s.app.CloseDirectFor(c.ctx, c.user, in.RoomID, in.UserID)
}

func (s *Server) dmSetTopic(c *request) (any, error) {
	body, err := readBody(c.r)
	if err != nil {
		return nil, err
	}
	var in struct {
		RoomID string  `json:"roomId" in:"required"`
		Topic  *string `json:"topic"`
	}
	_, hasTopic := body["topic"]
	if err := c.decodeBody(body, &in); err != nil {
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

// countersIn is the query of dm.counters.
type countersIn struct {
	RoomID string `json:"roomId"`
	UserID string `json:"userId"`
}

func (s *Server) dmCounters(c *request, in *countersIn) (any, error) {
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

func (s *Server) dmHistory(c *request) (any, error) {
	var in struct {
		RoomID string `json:"roomId"`
		historyKeys
	}
	hq, err := c.bindHistory(&in)
	if err != nil {
		return nil, err
	}
	res, err := s.app.DirectHistory(c.ctx, c.user, in.RoomID, hq)
	if err != nil {
		return nil, err
	}
	return historyBody(res), nil
}

// pageKeys are the paging keys of most listings; page reads them.
type pageKeys struct {
	_ int    `key:"offset"`
	_ int    `key:"count"`
	_ string `key:"sort"`
	_ string `key:"fields"`
	_ string `key:"query"`
}

func (s *Server) dmList(c *request, _ *pageKeys, p page) (any, error) {
	return s.dmListRooms(c, p, s.app.ListDirect)
}

func (s *Server) dmListEveryone(c *request, _ *pageKeys, p page) (any, error) {
	return s.dmListRooms(c, p, s.app.ListAllDirect)
}

type roomLister func(ctx context.Context, u *model.User, opts store.ListOptions) ([]*model.Room, int, error)

func (s *Server) dmListRooms(c *request, p page, list roomLister) (any, error) {
	rooms, total, err := list(c.ctx, c.user, p.opts())
	if err != nil {
		return nil, err
	}
	return pageAnswer("ims", rooms, p, total), nil
}

// dmMembersIn is the query of dm.members.
type dmMembersIn struct {
	directRefIn
	Status []string `json:"status"`
	Filter string   `json:"filter"`
	_      pageKeys
}

func (s *Server) dmMembers(c *request, in *dmMembersIn, p page) (any, error) {
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
	return pageAnswer("members", members, p, total), nil
}

// messagesQueryIn are the filters of dm.messages and
// {channels,groups}.messages.
type messagesQueryIn struct {
	MentionIDs string `json:"mentionIds"`
	StarredIDs string `json:"starredIds"`
	Pinned     string `json:"pinned"`
	_          pageKeys
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

// dmMessagesIn is the query of dm.messages.
type dmMessagesIn struct {
	directRefIn
	messagesQueryIn
}

func (s *Server) dmMessages(c *request, in *dmMessagesIn, p page) (any, error) {
	return messagePage(p)(s.app.DirectMessages(c.ctx, c.user, in.ref(), in.query(), p.opts()))
}

// roomMessagesIn is the query of channels.messages and groups.messages.
type roomMessagesIn struct {
	RoomID   string `json:"roomId" in:"oneOf"`
	RoomName string `json:"roomName" in:"oneOf"`
	messagesQueryIn
}

// roomMessages serves channels.messages (t "c") and groups.messages (t "p").
func (s *Server) roomMessages(t string) handlerFunc {
	return fromQueryPage(func(c *request, in *roomMessagesIn, p page) (any, error) {
		ref := app.RoomRef{ID: in.RoomID, Name: in.RoomName}
		return messagePage(p)(s.app.RoomMessages(c.ctx, c.user, ref, t, in.query(), p.opts()))
	})
}

func (s *Server) dmMessagesOthers(c *request) (any, error) {
	roomID := c.r.URL.Query().Get("roomId")
	p, err := c.page()
	if err != nil {
		return nil, err
	}
	return messagePage(p)(s.app.DirectMessagesOthers(c.ctx, c.user, roomID, c.r.URL.Path, p.opts()))
}

// dmFilesIn is the query of dm.files.
type dmFilesIn struct {
	directRefIn
	Name          string `json:"name"`
	TypeGroup     string `json:"typeGroup"`
	OnlyConfirmed bool   `json:"onlyConfirmed"`
	_             pageKeys
}

func (s *Server) dmFiles(c *request, in *dmFilesIn, p page) (any, error) {
	list, total, err := s.app.DirectFiles(c.ctx, c.user, in.ref(), app.FilesQuery{Name: in.Name, TypeGroup: in.TypeGroup, OnlyConfirmed: in.OnlyConfirmed}, p.opts())
	if err != nil {
		return nil, err
	}
	return pageAnswer("files", list, p, total), nil
}
