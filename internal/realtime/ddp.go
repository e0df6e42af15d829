package realtime

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"

	"github.com/coder/websocket"

	"github.com/parleychat/parley/internal/methods"
	"github.com/parleychat/parley/internal/model"
)

// localMethod is a method the websocket answers itself, because it acts
// on the connection (login, logout, presence) or on its streams.
type localMethod func(c *conn, params []json.RawMessage) (any, *methods.Error)

var localMethods map[string]localMethod

func init() {
	refuseWrite := func(c *conn, _ []json.RawMessage) (any, *methods.Error) { return nil, nil }
	localMethods = map[string]localMethod{
		"login":                         (*conn).login,
		"logout":                        nil, // handled in handleMethod: it ends the session
		"stream-notify-room":            (*conn).writeRoomActivity,
		"stream-notify-user":            refuseWrite,
		"stream-notify-logged":          refuseWrite,
		"stream-notify-all":             refuseWrite,
		"stream-room-messages":          refuseWrite,
		"UserPresence:online":           (*conn).presenceOnline,
		"UserPresence:away":             (*conn).presenceAway,
		"UserPresence:setDefaultStatus": (*conn).presenceDefault,
		"setUserStatus":                 (*conn).setUserStatus,
	}
}

// handleMethod runs one method frame and answers result, then updated.
func (c *conn) handleMethod(f inFrame) {
	call, err := methods.ParseCall(f.raw)
	if err != nil {
		c.sendError("Malformed method invocation", f.raw)
		return
	}
	if call.Method == "logout" {
		c.logout(call.ID)
		return
	}
	var (
		result any
		merr   *methods.Error
	)
	if m, ok := localMethods[call.Method]; ok {
		result, merr = m(c, call.Params)
	} else {
		result, merr = c.s.methods.Call(c.ctx, methods.Caller{User: c.currentUser(), Connection: c.id}, call.Method, call.Params)
	}
	c.answer(call.ID, result, merr)
}

// answer sends a method's result frame and its updated frame.
func (c *conn) answer(id string, result any, merr *methods.Error) {
	frame, err := methods.ResultFrame(id, result, merr)
	if err != nil {
		c.s.log.Error("encode method result", "err", err)
		frame, _ = methods.ResultFrame(id, nil, &methods.Error{Code: http.StatusInternalServerError, Reason: "Internal server error"})
	}
	c.enqueue(frame)
	c.enqueue(mustJSON(map[string]any{"msg": "updated", "methods": []string{id}}))
}

// handleSub starts a subscription: ready, or nosub with the reason.
func (c *conn) handleSub(f inFrame) {
	var id, name string
	if !strictString(f.keys["id"], &id) || !strictString(f.keys["name"], &name) {
		c.sendError("Malformed subscription", f.raw)
		return
	}
	var params []json.RawMessage
	if raw, ok := f.keys["params"]; ok {
		if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '[' || json.Unmarshal(t, &params) != nil {
			c.sendError("Malformed subscription", f.raw)
			return
		}
	}
	c.mu.Lock()
	_, active := c.subs[id]
	count := len(c.subs)
	c.mu.Unlock()
	if active {
		// Meteor ignores a sub whose id is already active.
		return
	}
	pub, ok := publications[name]
	if !ok {
		c.nosub(id, &methods.Error{Code: http.StatusNotFound, Reason: "Subscription '" + name + "' not found"})
		return
	}
	if count >= c.s.cfg.MaxSubscriptions || (count >= maxAnonymousSubscriptions && c.currentUser() == nil) {
		c.nosub(id, &methods.Error{Code: "too-many-subscriptions", Reason: "Too many subscriptions on this connection"})
		return
	}
	event, useCollection := streamParams(params)
	if event == "" {
		c.nosub(id, &methods.Error{Code: "invalid-event-name", Reason: "Invalid event name"})
		return
	}
	u := c.currentUser()
	allowed, err := pub.allow(c.ctx, c, u, event)
	if err != nil {
		c.s.log.Error("realtime subscription check failed", "stream", name, "err", err)
		c.nosub(id, &methods.Error{Code: http.StatusInternalServerError, Reason: "Internal server error"})
		return
	}
	if !allowed {
		c.nosub(id, errNotAllowed)
		return
	}
	s := &sub{id: id, c: c, stream: name, event: event}
	c.mu.Lock()
	if userID(c.user) != userID(u) {
		// A login or logout ran meanwhile on another path; check again.
		c.mu.Unlock()
		c.nosub(id, errNotAllowed)
		return
	}
	c.subs[id] = s
	c.mu.Unlock()
	c.s.metrics.subscriptions.Inc()
	c.s.hub.add(s)
	if useCollection {
		c.enqueue(mustJSON(map[string]any{"msg": "added", "collection": name, "id": "id", "fields": map[string]any{"eventName": event}}))
	}
	c.enqueue(mustJSON(map[string]any{"msg": "ready", "subs": []string{id}}))
}

// maxAnonymousSubscriptions caps what a connection holds before login:
// only stream-notify-all is open to it, and a handful of its events is
// all a client needs.
const maxAnonymousSubscriptions = 10

var errNotAllowed = &methods.Error{Code: "not-allowed", Reason: "Not allowed"}

// streamParams reads [eventName, options], options being the legacy
// boolean useCollection or {useCollection, args}.
func streamParams(params []json.RawMessage) (event string, useCollection bool) {
	if len(params) == 0 || json.Unmarshal(params[0], &event) != nil {
		return "", false
	}
	if len(params) > 1 {
		var b bool
		if json.Unmarshal(params[1], &b) == nil {
			return event, b
		}
		var o struct {
			UseCollection bool `json:"useCollection"`
		}
		if json.Unmarshal(params[1], &o) == nil {
			return event, o.UseCollection
		}
	}
	return event, false
}

// handleUnsub ends a subscription; Meteor answers nosub even for an id it
// does not know.
func (c *conn) handleUnsub(f inFrame) {
	var id string
	if !strictString(f.keys["id"], &id) {
		c.sendError("Malformed subscription", f.raw)
		return
	}
	c.removeSub(id)
	c.enqueue(mustJSON(map[string]any{"msg": "nosub", "id": id}))
}

func (c *conn) removeSub(id string) {
	c.mu.Lock()
	s, ok := c.subs[id]
	delete(c.subs, id)
	c.mu.Unlock()
	if ok {
		c.s.hub.remove(s)
		c.s.metrics.subscriptions.Dec()
	}
}

func (c *conn) nosub(id string, err *methods.Error) {
	f := map[string]any{"msg": "nosub", "id": id}
	if err != nil {
		f["error"] = err.Wire()
	}
	c.enqueue(mustJSON(f))
}

// endSession ends every subscription with nosub and closes the socket
// once they are written: the user's login is gone.
func (c *conn) endSession(reason string) {
	c.mu.Lock()
	subs := c.subs
	c.subs = map[string]*sub{}
	c.mu.Unlock()
	for id, s := range subs {
		c.s.hub.remove(s)
		c.s.metrics.subscriptions.Dec()
		c.nosub(id, nil)
	}
	c.closeAfterQueued(websocket.StatusNormalClosure, reason)
}

// recheckSubs runs every active subscription's read rule again for user
// u, as Meteor re-runs publications when the connection's user changes;
// those now refused end with nosub.
func (c *conn) recheckSubs(ctx context.Context, u *model.User) {
	c.mu.Lock()
	subs := make([]*sub, 0, len(c.subs))
	for _, s := range c.subs {
		subs = append(subs, s)
	}
	c.mu.Unlock()
	for _, s := range subs {
		ok, err := publications[s.stream].allow(ctx, c, u, s.event)
		if err != nil || !ok {
			c.removeSub(s.id)
			c.nosub(s.id, errNotAllowed)
		}
	}
}

// strictString decodes a JSON string, refusing absence, null and other
// types.
func strictString(v json.RawMessage, dst *string) bool {
	t := bytes.TrimSpace(v)
	if len(t) == 0 || t[0] != '"' {
		return false
	}
	return json.Unmarshal(t, dst) == nil
}

// userID is u's id, or "" for nobody. The hub swaps a connection's user
// for a fresh copy when it changes, so users are compared by id.
func userID(u *model.User) string {
	if u == nil {
		return ""
	}
	return u.ID
}
