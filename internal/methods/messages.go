package methods

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/model"
)

// sendMessageKeys are the only keys sendMessage accepts in its message,
// each with its JSON type ("date" is an EJSON date), as Rocket.Chat's
// strict check(message, {...}) has them. A key outside the list (alias,
// attachments, ...) fails the check.
var sendMessageKeys = map[string]string{
	"_id": "string", "rid": "string", "msg": "string", "tmid": "string", "tshow": "boolean", "ts": "date",
	"t": "string", "otrAck": "string", "bot": "object", "content": "object", "e2e": "string",
	"e2eMentions": "object", "customFields": "object", "federation": "object", "groupable": "boolean",
	"sentByEmail": "boolean",
}

// checkKeys applies a strict Meteor pattern: every key of obj must be in
// kinds and hold its type (or null, Match.Maybe).
func checkKeys(obj map[string]json.RawMessage, kinds map[string]string) error {
	for k, v := range obj {
		want, ok := kinds[k]
		if !ok {
			return ErrMatch
		}
		if absent(v) {
			continue
		}
		if want == "date" {
			if _, ok := date(v); !ok {
				return ErrMatch
			}
			continue
		}
		if jsonKind(v) != want {
			return ErrMatch
		}
	}
	return nil
}

// previewURLs reads the optional previewUrls parameter: a list of strings.
func previewURLs(v json.RawMessage) (*[]string, error) {
	if absent(v) {
		return nil, nil
	}
	list, ok := stringList(v)
	if !ok {
		return nil, ErrMatch
	}
	return &list, nil
}

// sendMessage [message, previewUrls?] posts message, keeping a client's
// _id, and returns the saved message. As in Rocket.Chat, only a refusal
// to let the caller post (error-not-allowed) comes back as an error;
// every other failure (no such room, muted, too long, a ts out of sync)
// answers no result and no error.
func (r *Registry) sendMessage(ctx context.Context, u *model.User, params []json.RawMessage) (any, error) {
	obj, err := object(param(params, 0))
	if err != nil {
		return nil, err
	}
	if err := checkKeys(obj, sendMessageKeys); err != nil {
		return nil, err
	}
	urls, err := previewURLs(param(params, 1))
	if err != nil {
		return nil, err
	}
	var in struct {
		ID           string         `json:"_id"`
		RID          string         `json:"rid"`
		Msg          string         `json:"msg"`
		TMID         string         `json:"tmid"`
		TShow        bool           `json:"tshow"`
		T            string         `json:"t"`
		CustomFields map[string]any `json:"customFields"`
		Groupable    *bool          `json:"groupable"`
	}
	if err := json.Unmarshal(param(params, 0), &in); err != nil {
		return nil, ErrMatch
	}
	if in.T != "" && in.T != "e2e" {
		// Rocket.Chat throws a plain Error for a system type, which
		// Meteor hides as an internal error.
		return nil, errInternal
	}
	mi := app.MessageInput{
		ID: in.ID, RID: in.RID, Msg: in.Msg, TMID: in.TMID, TShow: in.TShow, CustomFields: in.CustomFields,
		Groupable: in.Groupable, PreviewURLs: urls,
	}
	if ts, ok := date(obj["ts"]); ok {
		mi.Ts = &ts
	}
	m, err := r.app.SendMessage(ctx, u, app.SendInput{Message: mi, T: in.T})
	if err == nil {
		return m, nil
	}
	ae, ok := app.AsError(err)
	if !ok {
		r.log.Error("sendMessage failed", "err", err)
		return nil, nil
	}
	details := map[string]any{"method": "sendMessage"}
	switch {
	case ae.Type == "error-not-allowed" && !ae.Plain:
		return nil, &Error{Code: "error-not-allowed", Reason: ae.Reason, Details: details}
	case ae.Reason == "error-not-allowed":
		// A thrown Error("error-not-allowed") carries no reason.
		return nil, &Error{Code: "error-not-allowed", Details: details}
	case !silentSendFailures[ae.Type]:
		// The room's and the save's refusals (no access, muted, read-only,
		// archived...) reach the sender as a notice only they see.
		r.app.TellUser(u.ID, in.RID, cmp.Or(ae.Reason, ae.Type))
	}
	return nil, nil
}

// silentSendFailures are the checks sendMessage makes before it looks at
// the room; Rocket.Chat drops those messages without any notice.
var silentSendFailures = map[string]bool{
	"error-message-size-exceeded":  true,
	"error-message-ts-out-of-sync": true,
	"invalid-params":               true,
}

// editableKeys are the keys updateMessage may change; any other key of
// the message must hold the stored value.
var editableKeys = map[string]bool{"tshow": true, "alias": true, "attachments": true, "avatar": true, "emoji": true, "msg": true}

var errEditNotAllowed = &Error{Code: "error-action-not-allowed", Reason: "Message editing not allowed",
	Details: map[string]any{"method": "updateMessage", "action": "Message_editing"}}

// updateMessage [message, previewUrls?] changes a message's text. A
// message that does not exist, or whose text is unchanged, is left alone
// without an error. No result.
func (r *Registry) updateMessage(ctx context.Context, u *model.User, params []json.RawMessage) (any, error) {
	obj, id, err := objectWithID(param(params, 0))
	if err != nil {
		return nil, err
	}
	urls, err := previewURLs(param(params, 1))
	if err != nil {
		return nil, err
	}
	m, err := r.app.VisibleMessage(ctx, u, id, errEditNotAllowed)
	if err != nil || m == nil {
		return nil, err
	}
	stored, err := messageFields(m)
	if err != nil {
		return nil, err
	}
	for k, v := range obj {
		if editableKeys[k] || samePrimitive(v, stored[k]) {
			continue
		}
		return nil, &Error{Code: "error-invalid-update-key", Reason: "Cannot update the message " + k, Details: map[string]any{"method": "updateMessage"}}
	}
	text, ok := str(obj["msg"])
	if !ok {
		return nil, ErrMatch
	}
	if text == m.Msg {
		return nil, nil
	}
	_, err = r.app.UpdateMessage(ctx, u, app.UpdateInput{RoomID: m.RID, MsgID: m.ID, Text: text, PreviewURLs: urls})
	return nil, err
}

// messageFields is m as the client received it, key by key.
func messageFields(m *model.Message) (map[string]json.RawMessage, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	var out map[string]json.RawMessage
	return out, json.Unmarshal(b, &out)
}

// samePrimitive is JavaScript's === between a sent value and a stored
// one: equal strings, numbers, booleans or nulls. Objects and arrays are
// never identical to what is stored, and a value is never identical to a
// field that is not there.
func samePrimitive(sent, stored json.RawMessage) bool {
	k := jsonKind(sent)
	if k == "" || k == "object" || k == "array" || k != jsonKind(stored) {
		return false
	}
	if k == "number" {
		a, _ := number(sent)
		b, _ := number(stored)
		return a == b
	}
	var a, b any
	if json.Unmarshal(sent, &a) != nil || json.Unmarshal(stored, &b) != nil {
		return bytes.Equal(bytes.TrimSpace(sent), bytes.TrimSpace(stored))
	}
	return a == b
}

var errDeleteNotAllowed = &Error{Code: "error-action-not-allowed", Reason: "Not allowed",
	Details: map[string]any{"method": "deleteMessage", "action": "Delete_message"}}

// deleteMessage [{_id}] deletes a message as chat.delete does. A message
// that is missing or hidden from the caller is refused as one the caller
// may not delete. No result.
func (r *Registry) deleteMessage(ctx context.Context, u *model.User, params []json.RawMessage) (any, error) {
	_, id, err := objectWithID(param(params, 0))
	if err != nil {
		return nil, err
	}
	m, err := r.app.VisibleMessage(ctx, u, id, errDeleteNotAllowed)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errDeleteNotAllowed
	}
	_, err = r.app.DeleteMessage(ctx, u, m.RID, m.ID, false)
	return nil, err
}

// mutedReaction is the reason app.React gives a muted user; the method
// answers it with false instead of an error, as Rocket.Chat does.
const mutedReaction = "You have been muted and cannot speak in this room"

// setReaction [reaction, messageId, shouldReact?] adds or removes the
// caller's reaction (toggles it when shouldReact is left out). No result;
// false when the caller is muted.
func (r *Registry) setReaction(ctx context.Context, u *model.User, params []json.RawMessage) (any, error) {
	reaction, ok := str(param(params, 0))
	if !ok {
		return nil, ErrMatch
	}
	id, ok := str(param(params, 1))
	if !ok {
		return nil, ErrMatch
	}
	var should *bool
	if p := param(params, 2); !absent(p) {
		b, ok := boolean(p)
		if !ok {
			return nil, ErrMatch
		}
		should = &b
	}
	if reaction == "" {
		return nil, &Error{Code: "error-not-allowed", Reason: "Invalid emoji provided.", Details: map[string]any{"method": "setReaction"}}
	}
	err := r.app.React(ctx, u, id, reaction, should)
	if ae, ok := app.AsError(err); ok {
		switch {
		case ae.Type == "error-message-not-found":
			return nil, &Error{Code: "error-not-allowed", Reason: "Not allowed", Details: map[string]any{"method": "setReaction"}}
		case ae.Type == "error-not-allowed" && ae.Reason == mutedReaction:
			return false, nil
		}
	}
	return nil, err
}

// pinMessage [message] pins a message and returns the message_pinned
// system message (the message itself when it was pinned already).
func (r *Registry) pinMessage(ctx context.Context, u *model.User, params []json.RawMessage) (any, error) {
	_, id, err := objectWithID(param(params, 0))
	if err != nil {
		return nil, err
	}
	m, err := r.app.PinMessage(ctx, u, id)
	if err != nil {
		return nil, pinNotFound(err, "pinMessage", "Message you are pinning was not found")
	}
	return m, nil
}

// unpinMessage [message] unpins a message; the result is true.
func (r *Registry) unpinMessage(ctx context.Context, u *model.User, params []json.RawMessage) (any, error) {
	_, id, err := objectWithID(param(params, 0))
	if err != nil {
		return nil, err
	}
	if err := r.app.UnpinMessage(ctx, u, id); err != nil {
		return nil, pinNotFound(err, "unpinMessage", "Message you are unpinning was not found")
	}
	return true, nil
}

// pinNotFound gives a missing message the methods' own refusal.
func pinNotFound(err error, method, reason string) error {
	var ae *app.Error
	if errors.As(err, &ae) && ae.Type == "error-message-not-found" {
		return &Error{Code: "error-invalid-message", Reason: reason, Details: map[string]any{"method": method, "action": "Message_pinning"}}
	}
	return err
}

// starMessage [{_id, rid, starred}] stars or unstars a message of room
// rid for the caller. The result is true, or false when the caller is no
// member of rid or the message is not in it.
func (r *Registry) starMessage(ctx context.Context, u *model.User, params []json.RawMessage) (any, error) {
	obj, id, err := objectWithID(param(params, 0))
	if err != nil {
		return nil, err
	}
	rid, ok := str(obj["rid"])
	if !ok {
		return nil, ErrMatch
	}
	starred, err := optionalBool(obj["starred"], false)
	if err != nil {
		return nil, err
	}
	return r.app.StarInRoom(ctx, u, rid, id, starred)
}
