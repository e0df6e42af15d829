package app

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/parleychat/parley/internal/emoji"
	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

var errMessageNotFound = E("error-message-not-found", `The provided "messageId" does not match any existing message.`)

// lockMessage locks room rid and then message id in st, and returns the
// message as it is now. Every writer of a message takes the two in this
// order, the order a reply takes them in (room, message, then
// subscriptions), so that two writers never wait for each other.
func lockMessage(ctx context.Context, st store.Store, rid, id string) (*model.Message, error) {
	if err := st.Rooms().Lock(ctx, rid); err != nil {
		return nil, err
	}
	return st.Messages().GetForUpdate(ctx, id)
}

// loadMessage reads a message and its room; a missing room is nil.
func (a *App) loadMessage(ctx context.Context, id string) (*model.Message, *model.Room, error) {
	m, err := a.store.Messages().Get(ctx, id)
	if err != nil {
		return nil, nil, a.storeErr(err)
	}
	r, err := a.store.Rooms().Get(ctx, m.RID)
	if isNotFound(err) {
		return m, nil, nil
	}
	return m, r, a.storeErr(err)
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// loadMessageOr is loadMessage answering notFound for a missing message.
func (a *App) loadMessageOr(ctx context.Context, id string, notFound error) (*model.Message, *model.Room, error) {
	m, r, err := a.loadMessage(ctx, id)
	if isNotFound(err) {
		return nil, nil, notFound
	}
	return m, r, err
}

// GetMessage is chat.getMessage.
func (a *App) GetMessage(ctx context.Context, u *model.User, id string) (*model.Message, error) {
	m, r, err := a.loadMessageOr(ctx, id, Plain(""))
	if err != nil {
		return nil, err
	}
	if err := a.requireSee(ctx, r, u, ErrNotAllowed.With(map[string]any{"method": "getSingleMessage"})); err != nil {
		return nil, err
	}
	return a.normalize(ctx, u, m)
}

// isRoomLastMessage reports whether m is what r keeps as its last message.
func isRoomLastMessage(r *model.Room, m *model.Message) bool {
	if r == nil || len(r.LastMessage) == 0 {
		return false
	}
	var last struct {
		ID string `json:"_id"`
	}
	return json.Unmarshal(r.LastMessage, &last) == nil && last.ID == m.ID
}

// refreshLastMessage mirrors a changed message into its room's
// lastMessage when it is that message.
func (a *App) refreshLastMessage(ctx context.Context, st store.Store, r *model.Room, m *model.Message) error {
	if !isRoomLastMessage(r, m) || !a.Settings.Bool("Store_Last_Message") {
		return nil
	}
	return st.Rooms().SetLastMessage(ctx, r.ID, m)
}

// keepHistory stores a hidden copy of m's current state, as
// Message_KeepHistory asks before an edit, unpin or deletion.
func (a *App) keepHistory(ctx context.Context, st store.Store, m *model.Message, by *model.User) error {
	c := *m
	now := a.now()
	c.ID, c.Hidden, c.Parent = model.NewID(), true, m.ID
	c.EditedAt, c.EditedBy = &now, &model.UserRef{ID: by.ID, Username: by.Username}
	return st.Messages().Insert(ctx, &c)
}

// rewriteMessage changes message id of room r under a row lock, in one
// transaction: change edits the locked message (and may write more through
// st) and reports whether anything changed; a changed message gets a new
// _updatedAt, is stored, and refreshes the room's lastMessage. A message
// deleted since the caller read it gives notFound.
func (a *App) rewriteMessage(ctx context.Context, r *model.Room, id string, notFound error, change func(st store.Store, cur *model.Message) (bool, error)) (*model.Message, error) {
	var saved *model.Message
	err := a.tx(ctx, func(st store.Store) error {
		cur, err := lockMessage(ctx, st, r.ID, id)
		if err != nil {
			return err
		}
		changed, err := change(st, cur)
		if err != nil || !changed {
			return err
		}
		cur.UpdatedAt = a.now()
		if err := st.Messages().Update(ctx, cur); err != nil {
			return err
		}
		saved = cur
		a.emit(st, events.MessageUpdated, r.ID, "", cur.ID)
		return a.refreshLastMessage(ctx, st, r, cur)
	})
	if isNotFound(err) {
		return nil, notFound
	}
	return saved, err
}

// React is chat.react.
func (a *App) React(ctx context.Context, u *model.User, msgID, rawEmoji string, shouldReact *bool) error {
	m, r, err := a.loadMessageOr(ctx, msgID, errMessageNotFound)
	if err != nil {
		return err
	}
	name := emoji.Normalize(rawEmoji)
	if name == "" {
		return E("error-emoji-param-not-provided", `The required "emoji" param is missing.`)
	}
	if !emoji.Known(name) {
		return E("error-not-allowed", "Invalid emoji provided.").With(map[string]any{"method": "setReaction"})
	}
	key := ":" + name + ":"
	reacted := m.Reactions[key] != nil && slices.Contains(m.Reactions[key].Usernames, u.Username)
	want := !reacted
	if shouldReact != nil {
		want = *shouldReact
	}
	if want == reacted {
		return nil
	}
	if r == nil {
		return ErrNotAllowed
	}
	if err := a.requireSee(ctx, r, u, E("not-authorized", "Not Authorized")); err != nil {
		return err
	}
	if r.Archived {
		return errRoomArchived
	}
	if slices.Contains(r.Muted, u.Username) {
		return E("error-not-allowed", "You have been muted and cannot speak in this room").With(map[string]any{"rid": r.ID})
	}
	if r.Ro && !r.ReactWhenReadOnly && !a.HasRoomPermission(ctx, u, "post-readonly", r.ID) && !slices.Contains(r.Unmuted, u.Username) {
		return Plain("You can't send messages because the room is readonly.")
	}
	_, err = a.rewriteMessage(ctx, r, m.ID, errMessageNotFound, func(_ store.Store, cur *model.Message) (bool, error) {
		if cur.Reactions == nil {
			cur.Reactions = map[string]*model.Reaction{}
		}
		entry := cur.Reactions[key]
		if entry == nil {
			entry = &model.Reaction{Usernames: []string{}}
		}
		has := slices.Contains(entry.Usernames, u.Username)
		switch {
		case want && !has:
			entry.Usernames = append(entry.Usernames, u.Username)
			cur.Reactions[key] = entry
		case !want && has:
			entry.Usernames = slices.DeleteFunc(entry.Usernames, func(s string) bool { return s == u.Username })
			if len(entry.Usernames) == 0 {
				delete(cur.Reactions, key)
			}
		default:
			return false, nil
		}
		if len(cur.Reactions) == 0 {
			cur.Reactions = nil
		}
		return true, nil
	})
	return err
}

func pinError(method string) map[string]any {
	return map[string]any{"method": method, "action": "Message_pinning"}
}

// PinMessage is chat.pinMessage. It answers with the message_pinned system
// message, or with the message itself when it was pinned already.
func (a *App) PinMessage(ctx context.Context, u *model.User, msgID string) (*model.Message, error) {
	m, r, err := a.loadMessageOr(ctx, msgID, errMessageNotFound)
	if err != nil {
		return nil, err
	}
	if !a.Settings.Bool("Message_AllowPinning") {
		return nil, E("error-action-not-allowed", "Message pinning not allowed").With(pinError("pinMessage"))
	}
	notAuthorized := E("not-authorized", "Not Authorized").With(map[string]any{"method": "pinMessage"})
	if !a.HasRoomPermission(ctx, u, "pin-message", m.RID) {
		return nil, notAuthorized
	}
	if err := a.requireSee(ctx, r, u, notAuthorized); err != nil {
		return nil, err
	}
	if m.Pinned {
		return a.normalize(ctx, u, m)
	}
	var sys *model.Message
	err = a.tx(ctx, func(st store.Store) error {
		cur, err := lockMessage(ctx, st, r.ID, m.ID)
		if err != nil {
			return err
		}
		now := a.now()
		cur.Pinned, cur.PinnedAt, cur.PinnedBy, cur.UpdatedAt = true, &now, &model.UserRef{ID: u.ID, Username: u.Username}, now
		if err := st.Messages().Update(ctx, cur); err != nil {
			return err
		}
		a.emit(st, events.MessageUpdated, r.ID, u.ID, cur.ID)
		if err := a.refreshLastMessage(ctx, st, r, cur); err != nil {
			return err
		}
		t := "message_pinned"
		if cur.T == "e2e" {
			t = "message_pinned_e2e"
		}
		quote, err := json.Marshal(a.quoteAttachment(cur))
		if err != nil {
			return err
		}
		sys, err = a.quietSystemMessage(ctx, st, r, u, t, func(s *model.Message) {
			s.Attachments = []json.RawMessage{quote}
		})
		return err
	})
	if isNotFound(err) {
		return nil, errMessageNotFound
	}
	if err != nil {
		return nil, err
	}
	return a.normalize(ctx, u, sys)
}

// quoteAttachment is the attachment that quotes m in a message_pinned
// message, with nested quotes cut at Message_QuoteChainLimit.
func (a *App) quoteAttachment(m *model.Message) map[string]any {
	q := map[string]any{
		"text":        m.Msg,
		"author_name": m.U.Username,
		"author_icon": "/avatar/" + m.U.Username,
		"ts":          m.Ts,
	}
	if len(m.Attachments) > 0 {
		var atts []any
		for _, raw := range m.Attachments {
			var at any
			if json.Unmarshal(raw, &at) == nil {
				atts = append(atts, at)
			}
		}
		q["attachments"] = cutQuoteChain(atts, a.Settings.Int("Message_QuoteChainLimit"))
	}
	return q
}

// cutQuoteChain drops attachments nested deeper than depth.
func cutQuoteChain(atts []any, depth int) []any {
	out := make([]any, 0, len(atts))
	for _, at := range atts {
		m, ok := at.(map[string]any)
		if !ok {
			continue
		}
		c := make(map[string]any, len(m))
		for k, v := range m {
			c[k] = v
		}
		if nested, ok := c["attachments"].([]any); ok {
			if depth <= 1 {
				delete(c, "attachments")
			} else {
				c["attachments"] = cutQuoteChain(nested, depth-1)
			}
		}
		out = append(out, c)
	}
	return out
}

// UnpinMessage is chat.unPinMessage.
func (a *App) UnpinMessage(ctx context.Context, u *model.User, msgID string) error {
	m, r, err := a.loadMessageOr(ctx, msgID, errMessageNotFound)
	if err != nil {
		return err
	}
	if !a.Settings.Bool("Message_AllowPinning") {
		return E("error-action-not-allowed", "Message pinning not allowed").With(pinError("unpinMessage"))
	}
	if _, err := a.store.Subscriptions().Get(ctx, m.RID, u.ID); isNotFound(err) {
		return E("error-invalid-message", "Message you are unpinning was not found").With(pinError("unpinMessage"))
	} else if err != nil {
		return a.storeErr(err)
	}
	if !a.HasRoomPermission(ctx, u, "pin-message", m.RID) {
		return E("not-authorized", "Not Authorized")
	}
	if err := a.requireSee(ctx, r, u, E("not-authorized", "Not Authorized")); err != nil {
		return err
	}
	_, err = a.rewriteMessage(ctx, r, m.ID, errMessageNotFound, func(st store.Store, cur *model.Message) (bool, error) {
		if a.Settings.Bool("Message_KeepHistory") {
			if err := a.keepHistory(ctx, st, cur, u); err != nil {
				return false, err
			}
		}
		now := a.now()
		cur.Pinned, cur.PinnedAt, cur.PinnedBy = false, &now, &model.UserRef{ID: u.ID, Username: u.Username}
		return true, nil
	})
	return err
}

// StarMessage is chat.starMessage (star true) and chat.unStarMessage.
func (a *App) StarMessage(ctx context.Context, u *model.User, msgID string, star bool) error {
	m, r, err := a.loadMessageOr(ctx, msgID, errMessageNotFound)
	if err != nil {
		return err
	}
	if !a.Settings.Bool("Message_AllowStarring") {
		return E("error-action-not-allowed", "Message starring not allowed").With(map[string]any{"method": "starMessage", "action": "Message_starring"})
	}
	if _, err := a.store.Subscriptions().Get(ctx, m.RID, u.ID); isNotFound(err) {
		// Not a member: nothing to star, and nothing said about it.
		return nil
	} else if err != nil {
		return a.storeErr(err)
	}
	if r == nil {
		return ErrNotAllowed
	}
	if err := a.requireSee(ctx, r, u, E("not-authorized", "Not Authorized")); err != nil {
		return err
	}
	_, err = a.rewriteMessage(ctx, r, m.ID, errMessageNotFound, func(_ store.Store, cur *model.Message) (bool, error) {
		has := slices.ContainsFunc(cur.Starred, func(s model.IDRef) bool { return s.ID == u.ID })
		switch {
		case star && !has:
			cur.Starred = append(cur.Starred, model.IDRef{ID: u.ID})
		case !star && has:
			cur.Starred = slices.DeleteFunc(cur.Starred, func(s model.IDRef) bool { return s.ID == u.ID })
		default:
			return false, nil
		}
		return true, nil
	})
	return err
}

// ReportMessage is chat.reportMessage: a moderation report about a
// message the reporter can see.
func (a *App) ReportMessage(ctx context.Context, u *model.User, msgID, description string) error {
	if strings.TrimSpace(description) == "" {
		return Plain("error-invalid-description")
	}
	if err := checkBounds("reportMessage", fieldBound{&description, "description", "Description", maxReportDescription}); err != nil {
		return err
	}
	m, r, err := a.loadMessageOr(ctx, msgID, Plain("error-invalid-message_id"))
	if err != nil {
		return err
	}
	if err := a.requireSee(ctx, r, u, Plain("error-invalid-message_id")); err != nil {
		return err
	}
	now := a.now()
	rep := &model.Report{
		ID: model.NewID(), Message: m, Description: description, Ts: now, UpdatedAt: now,
		Room:       map[string]any{"_id": r.ID, "name": r.Name, "t": r.T, "fname": r.FName},
		ReportedBy: map[string]any{"_id": u.ID, "username": u.Username, "name": u.Name, "createdAt": u.CreatedAt},
	}
	return a.storeErr(a.store.Messages().Report(ctx, rep))
}

// IgnoreUser is chat.ignoreUser: it adds or removes userID on the
// caller's ignored list of room rid.
func (a *App) IgnoreUser(ctx context.Context, u *model.User, rid, userID string, ignore bool) error {
	if strings.TrimSpace(rid) == "" {
		return E("error-room-id-param-not-provided", `The required "rid" param is missing.`)
	}
	if strings.TrimSpace(userID) == "" {
		return E("error-user-id-param-not-provided", `The required "userId" param is missing.`)
	}
	invalid := E("error-invalid-subscription", "Invalid subscription").With(map[string]any{"method": "ignoreUser"})
	return a.tx(ctx, func(st store.Store) error {
		sub, err := st.Subscriptions().GetForUpdate(ctx, rid, u.ID)
		if isNotFound(err) {
			return invalid
		}
		if err != nil {
			return err
		}
		if _, err := st.Subscriptions().Get(ctx, rid, userID); isNotFound(err) {
			return invalid
		} else if err != nil {
			return err
		}
		has := slices.Contains(sub.Ignored, userID)
		switch {
		case ignore && !has:
			sub.Ignored = append(sub.Ignored, userID)
		case !ignore && has:
			sub.Ignored = slices.DeleteFunc(sub.Ignored, func(s string) bool { return s == userID })
		default:
			return nil
		}
		sub.UpdatedAt = a.now()
		a.emit(st, events.SubscriptionChanged, rid, u.ID, sub.ID)
		return st.Subscriptions().Update(ctx, sub)
	})
}
