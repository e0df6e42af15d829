package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"

	"github.com/coder/websocket"

	"github.com/parleychat/parley/internal/ejson"
	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// sub is one active stream subscription of a connection.
type sub struct {
	id     string
	c      *conn
	stream string
	event  string
}

type subKey struct{ stream, event string }

// hub routes bus events to the subscriptions of this node. One goroutine
// (run) reads the bus and delivers; each event's data is loaded once and
// each frame encoded once, then queued on every subscriber's connection.
type hub struct {
	s *Server

	busMu   sync.Mutex
	busSub  *events.Subscription
	stopped bool

	mu    sync.RWMutex
	index map[subKey]map[*sub]struct{}
	// users holds the logged-in connections by user id.
	users map[string]map[*conn]struct{}
	// userEvents counts stream-notify-user subscriptions by event suffix
	// (subscriptions-changed, rooms-changed...) and user, so that an event
	// for "every member of a room" is worked out only for those who
	// listen.
	userEvents map[string]map[string]int

	// Owned by run's goroutine.
	access map[string]map[string]accessEntry // user id → room id
	heads  map[string]roomHead               // room id → what access depends on
	snaps  map[string]userSnap               // user id → last status and names seen
}

// accessEntry is a cached answer of the access rule: whether the user may
// see the room, and whether they are a member of it.
type accessEntry struct{ see, member bool }

// roomHead is the part of a room that access depends on.
type roomHead struct{ t, prid string }

// userSnap is what the stream-notify-logged events report of a user.
type userSnap struct{ status, statusText, username, name string }

// maxAccessEntries bounds the access cache; past it the cache starts over.
const maxAccessEntries = 200_000

func newHub(s *Server) *hub {
	h := &hub{
		s: s, index: map[subKey]map[*sub]struct{}{}, users: map[string]map[*conn]struct{}{},
		userEvents: map[string]map[string]int{}, access: map[string]map[string]accessEntry{},
		heads: map[string]roomHead{}, snaps: map[string]userSnap{},
	}
	h.busSub = s.app.Bus().Subscribe(s.cfg.BusBuffer)
	return h
}

func (h *hub) run(ctx context.Context) {
	for {
		h.busMu.Lock()
		bs := h.busSub
		h.busMu.Unlock()
		for e := range bs.C {
			h.handle(ctx, e)
		}
		h.busMu.Lock()
		stopped := h.stopped
		if !stopped && errors.Is(bs.Err(), events.ErrDropped) {
			// Events were lost: start listening again, then resync.
			h.busSub = h.s.app.Bus().Subscribe(h.s.cfg.BusBuffer)
			h.busMu.Unlock()
			h.resync("realtime fell behind the event bus; clients are told to resynchronise")
			continue
		}
		h.busMu.Unlock()
		return
	}
}

// resync forgets what was cached from events and makes every client
// reconnect and resynchronise from the store (loadMissedMessages,
// subscriptions/get and rooms/get with a date), since events were lost.
func (h *hub) resync(why string) {
	h.s.metrics.drops.WithLabelValues("bus").Inc()
	h.s.log.Warn(why)
	h.access = map[string]map[string]accessEntry{}
	h.heads = map[string]roomHead{}
	h.snaps = map[string]userSnap{}
	h.s.closeAll(websocket.StatusServiceRestart, "resync")
}

func (h *hub) stop() {
	h.busMu.Lock()
	h.stopped = true
	bs := h.busSub
	h.busMu.Unlock()
	bs.Close()
}

// add and remove keep the subscription index.
func (h *hub) add(s *sub) {
	k := subKey{s.stream, s.event}
	h.mu.Lock()
	set := h.index[k]
	if set == nil {
		set = map[*sub]struct{}{}
		h.index[k] = set
	}
	set[s] = struct{}{}
	if s.stream == streamNotifyUser {
		uid, suffix, _ := strings.Cut(s.event, "/")
		m := h.userEvents[suffix]
		if m == nil {
			m = map[string]int{}
			h.userEvents[suffix] = m
		}
		m[uid]++
	}
	h.mu.Unlock()
}

func (h *hub) remove(s *sub) {
	k := subKey{s.stream, s.event}
	h.mu.Lock()
	if set := h.index[k]; set != nil {
		if _, ok := set[s]; ok {
			delete(set, s)
			if len(set) == 0 {
				delete(h.index, k)
			}
			if s.stream == streamNotifyUser {
				uid, suffix, _ := strings.Cut(s.event, "/")
				if m := h.userEvents[suffix]; m != nil {
					if m[uid]--; m[uid] <= 0 {
						delete(m, uid)
					}
					if len(m) == 0 {
						delete(h.userEvents, suffix)
					}
				}
			}
		}
	}
	h.mu.Unlock()
}

// setSession moves c from user prev's connections to u's (either nil).
func (h *hub) setSession(c *conn, prev, u *model.User) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if prev != nil {
		if set := h.users[prev.ID]; set != nil {
			delete(set, c)
			if len(set) == 0 {
				delete(h.users, prev.ID)
			}
		}
	}
	if u != nil {
		set := h.users[u.ID]
		if set == nil {
			set = map[*conn]struct{}{}
			h.users[u.ID] = set
		}
		set[c] = struct{}{}
	}
}

func (h *hub) subscribers(stream, event string) []*sub {
	h.mu.RLock()
	defer h.mu.RUnlock()
	set := h.index[subKey{stream, event}]
	if len(set) == 0 {
		return nil
	}
	out := make([]*sub, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	return out
}

func (h *hub) sessions(uid string) []*conn {
	h.mu.RLock()
	defer h.mu.RUnlock()
	set := h.users[uid]
	out := make([]*conn, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	return out
}

func (h *hub) listening(suffix string) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.userEvents[suffix]) > 0
}

// listeners returns the users listening to <uid>/<suffix> on this node.
func (h *hub) listeners(suffix string) []string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	m := h.userEvents[suffix]
	out := make([]string, 0, len(m))
	for uid := range m {
		out = append(out, uid)
	}
	return out
}

// fewListeners is the number of listening users up to which the members
// of a room among them are read one by one rather than by listing the
// whole room.
const fewListeners = 16

// listeningMembers returns the subscriptions to rid of the users listening
// to <uid>/<suffix> here.
func (h *hub) listeningMembers(ctx context.Context, rid, suffix string) ([]*model.Subscription, error) {
	uids := h.listeners(suffix)
	if len(uids) == 0 {
		return nil, nil
	}
	if len(uids) > fewListeners {
		return h.s.app.RoomSubscriptions(ctx, rid)
	}
	var out []*model.Subscription
	for _, uid := range uids {
		s, err := h.s.app.MemberSubscription(ctx, rid, uid)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// changedFrame is a stream event: Rocket.Chat reuses DDP's changed frame,
// always with the document id "id".
func changedFrame(stream, event string, args []byte) []byte {
	st, _ := json.Marshal(stream)
	ev, _ := json.Marshal(event)
	b := make([]byte, 0, 80+len(st)+len(ev)+len(args))
	b = append(b, `{"msg":"changed","collection":`...)
	b = append(b, st...)
	b = append(b, `,"id":"id","fields":{"eventName":`...)
	b = append(b, ev...)
	b = append(b, `,"args":`...)
	b = append(b, args...)
	return append(b, "}}"...)
}

// argsOf encodes a stream event's argument list as EJSON.
func argsOf(args ...any) ([]byte, error) { return ejson.Marshal(args) }

// sendTo encodes the event once and queues it for every subscriber that
// passes keep (nil: all).
func (h *hub) sendTo(subs []*sub, stream, event string, keep func(*sub) bool, args ...any) {
	if len(subs) == 0 {
		return
	}
	a, err := argsOf(args...)
	if err != nil {
		h.s.log.Error("realtime encode event", "stream", stream, "err", err)
		return
	}
	var frame []byte
	for _, s := range subs {
		if keep != nil && !keep(s) {
			continue
		}
		if frame == nil {
			frame = changedFrame(stream, event, a)
		}
		s.c.enqueue(frame)
	}
}

// handle routes one event.
func (h *hub) handle(ctx context.Context, e events.Event) {
	var err error
	switch e.Kind {
	case events.MessageSaved, events.MessageUpdated:
		err = h.message(ctx, e)
	case events.MessageDeleted:
		h.messageDeleted(ctx, e)
	case events.MessagesBulkDeleted:
		h.messagesBulkDeleted(ctx, e)
	case events.Activity:
		h.activity(ctx, e)
	case events.Ephemeral:
		h.ephemeral(e)
	case events.SubscriptionChanged:
		err = h.subscriptionChanged(ctx, e)
	case events.SubscriptionRemoved:
		h.subscriptionRemoved(e)
	case events.RoomChanged:
		err = h.roomChanged(ctx, e)
	case events.RoomDeleted:
		h.forgetRoom(e.RoomID)
		delete(h.heads, e.RoomID)
	case events.UserChanged, events.PresenceChanged:
		err = h.userChanged(ctx, e)
	case events.PermissionChanged:
		h.access = map[string]map[string]accessEntry{}
	case events.SettingChanged:
		h.settingChanged(e)
	case events.LoggedOut:
		h.loggedOut(ctx, e)
	case events.BusReconnected:
		// Other nodes' events were lost meanwhile: as after a drop.
		h.resync("realtime missed events while the bus was reconnecting; clients are told to resynchronise")
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) && ctx.Err() == nil {
		h.s.log.Warn("realtime event not delivered", "kind", e.Kind, "err", err)
	}
}

// allowed reports whether the user of s's connection may see room rid,
// from the cache when it has the answer.
func (h *hub) allowed(ctx context.Context, s *sub, rid string) bool {
	a, ok := h.accessOf(ctx, s.c.currentUser(), rid)
	return ok && a.see
}

func (h *hub) accessOf(ctx context.Context, u *model.User, rid string) (accessEntry, bool) {
	if u == nil {
		return accessEntry{}, false
	}
	if a, ok := h.access[u.ID][rid]; ok {
		return a, true
	}
	see, err := h.s.canSeeRoom(ctx, u, rid)
	if err != nil {
		return accessEntry{}, false
	}
	member, err := h.s.app.IsMember(ctx, rid, u.ID)
	if err != nil {
		return accessEntry{}, false
	}
	a := accessEntry{see: see, member: member}
	m := h.access[u.ID]
	if m == nil {
		if len(h.access) >= maxAccessEntries {
			h.access = map[string]map[string]accessEntry{}
		}
		m = map[string]accessEntry{}
		h.access[u.ID] = m
	}
	m[rid] = a
	return a, true
}

// forgetRoom drops every cached answer about room rid.
func (h *hub) forgetRoom(rid string) {
	for _, m := range h.access {
		delete(m, rid)
	}
}

// message delivers a new or changed message on stream-room-messages (to
// the room's subscribers and to __my_messages__) and, for a new one, the
// desktop notifications of mentions and direct messages.
func (h *hub) message(ctx context.Context, e events.Event) error {
	roomSubs := h.subscribers(streamRoomMessages, e.RoomID)
	mine := h.subscribers(streamRoomMessages, myMessages)
	notify := e.Kind == events.MessageSaved && h.listening("notification")
	if len(roomSubs) == 0 && len(mine) == 0 && !notify {
		return nil
	}
	m, err := h.s.app.StreamMessage(ctx, e.ID)
	if err != nil {
		return err
	}
	if m.Hidden || m.DeletedAt != nil || h.s.app.SystemMessageHidden(m.T) {
		return nil
	}
	body, err := ejson.Marshal(m)
	if err != nil {
		return err
	}
	if len(roomSubs) > 0 {
		frame := changedFrame(streamRoomMessages, m.RID, jsonArray([]json.RawMessage{body}))
		for _, s := range roomSubs {
			if h.allowed(ctx, s, m.RID) {
				s.c.enqueue(frame)
			}
		}
	}
	if len(mine) == 0 && !notify {
		return nil
	}
	r, err := h.s.app.StreamRoom(ctx, m.RID, false)
	if err != nil {
		return err
	}
	if len(mine) > 0 {
		// Two variants at most: members and non-members who may see it.
		var frames [2][]byte
		for _, s := range mine {
			a, ok := h.accessOf(ctx, s.c.currentUser(), m.RID)
			if !ok || !a.see {
				continue
			}
			i := 0
			if a.member {
				i = 1
			}
			if frames[i] == nil {
				extra := map[string]any{"roomParticipant": a.member, "roomType": r.T}
				if r.Name != "" {
					extra["roomName"] = r.Name
				}
				x, _ := json.Marshal(extra)
				frames[i] = changedFrame(streamRoomMessages, myMessages, jsonArray([]json.RawMessage{body, x}))
			}
			s.c.enqueue(frames[i])
		}
	}
	if notify {
		return h.notifications(ctx, m, r)
	}
	return nil
}

// notifications sends <uid>/notification to the users a new message is
// meant for: the other members of a direct conversation, and the users it
// mentions (every member for @all and @here).
func (h *hub) notifications(ctx context.Context, m *model.Message, r *model.Room) error {
	if m.T != "" {
		return nil
	}
	var recipients []string
	everyone := r.T == model.RoomDirect
	for _, mn := range m.Mentions {
		if mn.ID == "all" || mn.ID == "here" {
			everyone = true
		} else {
			recipients = append(recipients, mn.ID)
		}
	}
	if everyone {
		if r.T == model.RoomDirect && len(r.UIDs) > 0 {
			recipients = append(recipients, r.UIDs...)
		} else {
			subs, err := h.s.app.RoomSubscriptions(ctx, r.ID)
			if err != nil {
				return err
			}
			for _, s := range subs {
				recipients = append(recipients, s.U.ID)
			}
		}
	}
	realName := h.s.app.Settings.Bool("UI_Use_Real_Name")
	sender := m.U.Username
	if realName && m.U.Name != "" {
		sender = m.U.Name
	}
	roomName := r.FName
	if roomName == "" {
		roomName = r.Name
	}
	title, text := roomName, sender+": "+m.Msg
	if r.T == model.RoomDirect {
		title, text = sender, m.Msg
	}
	payload := map[string]any{
		"_id": m.ID, "rid": m.RID, "type": r.T, "name": r.Name,
		"sender":  map[string]any{"_id": m.U.ID, "username": m.U.Username, "name": m.U.Name},
		"message": map[string]any{"msg": m.Msg},
	}
	if m.TMID != "" {
		payload["tmid"] = m.TMID
	}
	note := map[string]any{"title": title, "text": text, "duration": 0, "payload": payload}
	seen := map[string]bool{m.U.ID: true}
	for _, uid := range recipients {
		if seen[uid] {
			continue
		}
		seen[uid] = true
		subs := h.subscribers(streamNotifyUser, uid+"/notification")
		if len(subs) == 0 {
			continue
		}
		ms, err := h.s.app.MemberSubscription(ctx, r.ID, uid)
		if err != nil || ms.DesktopNotifications == "nothing" {
			continue
		}
		h.sendTo(subs, streamNotifyUser, uid+"/notification", func(s *sub) bool { return h.allowed(ctx, s, r.ID) }, note)
	}
	return nil
}

func (h *hub) messageDeleted(ctx context.Context, e events.Event) {
	event := e.RoomID + "/deleteMessage"
	subs := h.subscribers(streamNotifyRoom, event)
	h.sendTo(subs, streamNotifyRoom, event, func(s *sub) bool { return h.allowed(ctx, s, e.RoomID) }, map[string]string{"_id": e.ID})
}

// messagesBulkDeleted relays a pruning to <rid>/deleteMessageBulk with the
// query that chose the messages, so that clients drop them all at once.
func (h *hub) messagesBulkDeleted(ctx context.Context, e events.Event) {
	event := e.RoomID + "/deleteMessageBulk"
	subs := h.subscribers(streamNotifyRoom, event)
	if len(subs) == 0 || len(e.Data) == 0 || e.Data[0] != '{' || !json.Valid(e.Data) {
		return
	}
	frame := changedFrame(streamNotifyRoom, event, append(append([]byte{'['}, e.Data...), ']'))
	for _, s := range subs {
		if h.allowed(ctx, s, e.RoomID) {
			s.c.enqueue(frame)
		}
	}
}

// ephemeral hands a notice to its user's <uid>/message listeners; only the
// user may subscribe to that event, so nobody else is checked.
func (h *hub) ephemeral(e events.Event) {
	event := e.UserID + "/message"
	subs := h.subscribers(streamNotifyUser, event)
	if len(subs) == 0 || len(e.Data) == 0 || e.Data[0] != '[' || !json.Valid(e.Data) {
		return
	}
	frame := changedFrame(streamNotifyUser, event, e.Data)
	for _, s := range subs {
		s.c.enqueue(frame)
	}
}

// activity relays typing notices, to everyone in the room but the user
// who typed.
func (h *hub) activity(ctx context.Context, e events.Event) {
	event := e.RoomID + "/" + e.ID
	subs := h.subscribers(streamNotifyRoom, event)
	if len(subs) == 0 || len(e.Data) == 0 || e.Data[0] != '[' || !json.Valid(e.Data) {
		return
	}
	frame := changedFrame(streamNotifyRoom, event, e.Data)
	for _, s := range subs {
		u := s.c.currentUser()
		if u == nil || u.ID == e.UserID || !h.allowed(ctx, s, e.RoomID) {
			continue
		}
		s.c.enqueue(frame)
	}
}

// subscriptionChanged re-reads access and tells the listening users of
// the changed subscription (a new one also brings its room).
func (h *hub) subscriptionChanged(ctx context.Context, e events.Event) error {
	if e.UserID != "" {
		if m := h.access[e.UserID]; m != nil {
			delete(m, e.RoomID)
		}
		subsEv, roomsEv := e.UserID+"/subscriptions-changed", e.UserID+"/rooms-changed"
		subs, rooms := h.subscribers(streamNotifyUser, subsEv), h.subscribers(streamNotifyUser, roomsEv)
		if len(subs) == 0 && len(rooms) == 0 {
			return nil
		}
		s, err := h.s.app.MemberSubscription(ctx, e.RoomID, e.UserID)
		if err != nil {
			return err
		}
		action := "updated"
		if s.Ts == s.UpdatedAt {
			action = "inserted"
		}
		h.sendTo(subs, streamNotifyUser, subsEv, nil, action, s)
		if action == "inserted" && len(rooms) > 0 {
			r, err := h.s.app.StreamRoom(ctx, e.RoomID, true)
			if err != nil {
				return err
			}
			h.sendTo(rooms, streamNotifyUser, roomsEv, nil, "inserted", r)
		}
		return nil
	}
	// Every member's subscription changed (unread counters after a
	// post). Membership did not: joins and leaves name their user, so the
	// access answers stand.
	all, err := h.listeningMembers(ctx, e.RoomID, "subscriptions-changed")
	if err != nil {
		return err
	}
	for _, s := range all {
		ev := s.U.ID + "/subscriptions-changed"
		h.sendTo(h.subscribers(streamNotifyUser, ev), streamNotifyUser, ev, nil, "updated", s)
	}
	return nil
}

func (h *hub) subscriptionRemoved(e events.Event) {
	if m := h.access[e.UserID]; m != nil {
		delete(m, e.RoomID)
	}
	if e.UserID == "" {
		h.forgetRoom(e.RoomID)
		return
	}
	subsEv, roomsEv := e.UserID+"/subscriptions-changed", e.UserID+"/rooms-changed"
	removed := map[string]any{"rid": e.RoomID, "u": map[string]string{"_id": e.UserID}}
	if e.ID != "" {
		removed["_id"] = e.ID
	}
	h.sendTo(h.subscribers(streamNotifyUser, subsEv), streamNotifyUser, subsEv, nil, "removed", removed)
	h.sendTo(h.subscribers(streamNotifyUser, roomsEv), streamNotifyUser, roomsEv, nil, "removed", map[string]string{"_id": e.RoomID})
}

// roomChanged re-reads access when what it depends on changed, and sends
// the room to its listening members.
func (h *hub) roomChanged(ctx context.Context, e events.Event) error {
	if len(h.access) == 0 && !h.listening("rooms-changed") {
		// Nobody on this node holds an answer the room could change, or
		// listens for it: every post announces its room, and reading the
		// room for nobody would cost each post a query.
		delete(h.heads, e.RoomID)
		return nil
	}
	t, prid, err := h.s.app.RoomKind(ctx, e.RoomID)
	if errors.Is(err, store.ErrNotFound) {
		h.forgetRoom(e.RoomID)
		delete(h.heads, e.RoomID)
		return nil
	}
	if err != nil {
		h.forgetRoom(e.RoomID)
		return err
	}
	now := roomHead{t: t, prid: prid}
	if prev, ok := h.heads[e.RoomID]; !ok || prev != now {
		h.forgetRoom(e.RoomID)
		if len(h.heads) >= maxAccessEntries {
			h.heads = map[string]roomHead{}
		}
		h.heads[e.RoomID] = now
	}
	members, err := h.listeningMembers(ctx, e.RoomID, "rooms-changed")
	if err != nil || len(members) == 0 {
		return err
	}
	var a []byte
	for _, s := range members {
		ev := s.U.ID + "/rooms-changed"
		subs := h.subscribers(streamNotifyUser, ev)
		if len(subs) == 0 {
			continue
		}
		if a == nil {
			r, err := h.s.app.StreamRoom(ctx, e.RoomID, true)
			if err != nil {
				return err
			}
			if a, err = argsOf("updated", r); err != nil {
				return err
			}
		}
		frame := changedFrame(streamNotifyUser, ev, a)
		for _, s := range subs {
			s.c.enqueue(frame)
		}
	}
	return nil
}

// userChanged refreshes the user of its connections here (roles decide
// access), and tells logged-in listeners of status and name changes.
func (h *hub) userChanged(ctx context.Context, e events.Event) error {
	delete(h.access, e.UserID)
	conns := h.sessions(e.UserID)
	status := h.subscribers(streamNotifyLogged, "user-status")
	names := h.subscribers(streamNotifyLogged, "Users:NameChanged")
	if len(conns) == 0 && len(status) == 0 && len(names) == 0 {
		delete(h.snaps, e.UserID)
		return nil
	}
	u, err := h.s.app.StreamUser(ctx, e.UserID)
	if err != nil {
		return err
	}
	for _, c := range conns {
		c.mu.Lock()
		if c.user != nil && c.user.ID == u.ID {
			c.user = u
		}
		c.mu.Unlock()
	}
	now := userSnap{status: u.Status, statusText: u.StatusText, username: u.Username, name: u.Name}
	prev, known := h.snaps[u.ID]
	h.snaps[u.ID] = now
	loggedIn := func(s *sub) bool { return s.c.currentUser() != nil }
	if !known || prev.status != now.status || prev.statusText != now.statusText {
		roles := u.Roles
		if roles == nil {
			roles = []string{}
		}
		h.sendTo(status, streamNotifyLogged, "user-status", loggedIn,
			[]any{u.ID, u.Username, statusCode(u.Status), u.StatusText, u.Name, roles})
	}
	if !known || prev.username != now.username || prev.name != now.name {
		h.sendTo(names, streamNotifyLogged, "Users:NameChanged", loggedIn,
			map[string]string{"_id": u.ID, "name": u.Name, "username": u.Username})
	}
	return nil
}

// statusCode is the number user-status carries for a status.
func statusCode(s string) int {
	switch s {
	case "online":
		return 1
	case "away":
		return 2
	case "busy":
		return 3
	}
	return 0
}

func (h *hub) settingChanged(e events.Event) {
	subs := h.subscribers(streamNotifyAll, "public-settings-changed")
	if len(subs) == 0 {
		return
	}
	def, ok := h.s.app.Settings.Def(e.ID)
	if !ok || !def.Public {
		return
	}
	v, _ := h.s.app.Settings.Get(e.ID)
	h.sendTo(subs, streamNotifyAll, "public-settings-changed", nil, "updated", map[string]any{"_id": e.ID, "value": v})
}

// loggedOut ends the sessions whose token went: the one named, or, when
// the event names none, each session whose token no longer checks out.
func (h *hub) loggedOut(ctx context.Context, e events.Event) {
	for _, c := range h.sessions(e.UserID) {
		c.mu.Lock()
		u, hashed := c.user, c.hashed
		c.mu.Unlock()
		if u == nil {
			continue
		}
		end := e.ID != "" && hashed == e.ID
		if e.ID == "" {
			ok, err := h.s.app.SessionValid(ctx, e.UserID, hashed)
			end = err == nil && !ok
		}
		if !end {
			continue
		}
		c.mu.Lock()
		mine := userID(c.user) == u.ID
		if mine {
			c.user, c.hashed = nil, ""
		}
		c.mu.Unlock()
		if !mine {
			continue
		}
		h.setSession(c, u, nil)
		h.s.pres.disconnected(u.ID)
		c.endSession("logged out")
	}
}
