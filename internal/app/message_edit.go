package app

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// UpdateInput is chat.update's body.
type UpdateInput struct {
	RoomID       string
	MsgID        string
	Text         string
	PreviewURLs  *[]string
	CustomFields map[string]any
}

// UpdateMessage is chat.update.
func (a *App) UpdateMessage(ctx context.Context, u *model.User, in UpdateInput) (*model.Message, error) {
	notFound := Plain(`No message found with the id of "` + in.MsgID + `".`)
	m, r, err := a.loadMessage(ctx, in.MsgID)
	if isNotFound(err) {
		return nil, notFound
	}
	if err != nil {
		return nil, err
	}
	if in.RoomID != m.RID {
		return nil, Plain("The room id provided does not match where the message is from.")
	}
	if err := a.checkEditBounds(m, in); err != nil {
		return nil, err
	}
	description, isFile := firstAttachmentDescription(m)
	current := m.Msg
	if isFile {
		current = description
	}
	if in.Text == current && in.PreviewURLs == nil && in.CustomFields == nil {
		// Rocket.Chat answers a no-op edit before any check; Parley first
		// makes sure the caller can see the room, so that the message is
		// never shown to an outsider who guessed its text.
		if err := a.requireSee(ctx, r, u, E("error-action-not-allowed", "Message editing not allowed").With(map[string]any{"method": "updateMessage", "action": "Message_editing"})); err != nil {
			return nil, err
		}
		return a.normalize(ctx, u, m)
	}
	can, err := a.roomPermissions(ctx, u, m.RID)
	if err != nil {
		return nil, err
	}
	if !can("edit-message") && !(a.Settings.Bool("Message_AllowEditing") && m.U.ID == u.ID) {
		return nil, E("error-action-not-allowed", "Message editing not allowed").With(map[string]any{"method": "updateMessage", "action": "Message_editing"})
	}
	if limit := a.Settings.Int("Message_AllowEditing_BlockEditInMinutes"); limit != 0 && !can("bypass-time-limit-edit-and-delete") {
		if int64(a.now()-m.Ts)/60_000 >= int64(limit) {
			return nil, E("error-message-editing-blocked", "Message editing is blocked")
		}
	}
	if err := a.canSend(ctx, r, u); err != nil {
		return nil, err
	}
	saved, err := a.rewriteMessage(ctx, r, m.ID, notFound, func(st store.Store, cur *model.Message) (bool, error) {
		if a.Settings.Bool("Message_KeepHistory") {
			if err := a.keepHistory(ctx, st, cur, u); err != nil {
				return false, err
			}
		}
		if in.CustomFields != nil {
			if err := a.validateCustomFields(in.CustomFields); err != nil {
				return false, err
			}
			cur.CustomFields = in.CustomFields
		}
		if isFile {
			setFirstAttachmentDescription(cur, in.Text)
		} else {
			cur.Msg = in.Text
		}
		now := a.now()
		cur.EditedAt, cur.EditedBy = &now, &model.UserRef{ID: u.ID, Username: u.Username}
		// Quotes come from the links of the text: the old text's go, and
		// the new text's are made again, as when a message is sent.
		cur.Attachments = dropQuotes(cur.Attachments)
		if err := a.deriveFields(ctx, cur, in.PreviewURLs); err != nil {
			return false, err
		}
		return true, a.quoteLinkedMessages(ctx, u, cur)
	})
	if err != nil {
		return nil, err
	}
	a.afterCommit(saved, true)
	return a.normalize(ctx, u, saved)
}

// firstAttachmentDescription is the description of a file message, which
// edits change instead of msg.
func firstAttachmentDescription(m *model.Message) (string, bool) {
	if len(m.Attachments) == 0 {
		return "", false
	}
	var at map[string]any
	if json.Unmarshal(m.Attachments[0], &at) != nil {
		return "", false
	}
	d, ok := at["description"].(string)
	return d, ok
}

func setFirstAttachmentDescription(m *model.Message, text string) {
	var at map[string]any
	if json.Unmarshal(m.Attachments[0], &at) != nil {
		return
	}
	at["description"] = text
	if b, err := json.Marshal(at); err == nil {
		m.Attachments[0] = b
	}
}

// DeleteResult is what chat.delete reports.
type DeleteResult struct {
	ID      string
	Ts      model.Time
	Message *model.Message
}

// DeleteMessage is chat.delete.
func (a *App) DeleteMessage(ctx context.Context, u *model.User, roomID, msgID string, asUser bool) (*DeleteResult, error) {
	m, r, err := a.loadMessageOr(ctx, msgID, Plain(`No message found with the id of "`+msgID+`".`))
	if err != nil {
		return nil, err
	}
	if roomID != m.RID {
		return nil, Plain("The room id provided does not match where the message is from.")
	}
	if asUser && m.U.ID != u.ID && !a.HasRoomPermission(ctx, u, "force-delete-message", m.RID) {
		return nil, Plain(`Unauthorized. You must have the permission "force-delete-message" to delete other's message as them.`)
	}
	deleter := u
	if asUser {
		deleter, err = a.store.Users().Get(ctx, m.U.ID)
		if isNotFound(err) {
			return nil, Plain("User not found")
		}
		if err != nil {
			return nil, a.storeErr(err)
		}
	}
	if err := a.canDelete(ctx, deleter, r, m); err != nil {
		return nil, err
	}
	now := a.now()
	err = a.tx(ctx, func(st store.Store) error {
		cur, err := lockMessage(ctx, st, r.ID, m.ID)
		if err != nil {
			return err
		}
		return a.eraseMessage(ctx, st, r, cur, deleter, now)
	})
	if isNotFound(err) {
		return nil, Plain(`No message found with the id of "` + msgID + `".`)
	}
	if err != nil {
		return nil, err
	}
	return &DeleteResult{ID: m.ID, Ts: now, Message: &model.Message{ID: m.ID, RID: m.RID, U: m.U}}, nil
}

// canDelete is Rocket.Chat's canDeleteMessage for deleter.
func (a *App) canDelete(ctx context.Context, deleter *model.User, r *model.Room, m *model.Message) error {
	denied := E("error-action-not-allowed", "Not allowed")
	ok, err := a.canSee(ctx, r, deleter)
	if err != nil {
		return err
	}
	if !ok {
		return denied
	}
	can, err := a.roomPermissions(ctx, deleter, r.ID)
	if err != nil {
		return err
	}
	if can("force-delete-message") {
		return nil
	}
	if m.Ts == 0 || !a.Settings.Bool("Message_AllowDeleting") {
		return denied
	}
	if !can("delete-message") && !(m.U.ID == deleter.ID && can("delete-own-message")) {
		return denied
	}
	if limit := a.Settings.Int("Message_AllowDeleting_BlockDeleteInMinutes"); limit > 0 && !can("bypass-time-limit-edit-and-delete") {
		// Minutes are rounded to the nearest, and within the limit the
		// read-only rule below is not consulted.
		elapsed := (int64(a.now()-m.Ts) + 30_000) / 60_000
		if elapsed > int64(limit) {
			return denied
		}
		return nil
	}
	if r.Ro && !can("post-readonly") && !slices.Contains(r.Unmuted, deleter.Username) {
		return Plain("You can't delete messages because the room is readonly.")
	}
	return nil
}

// eraseMessage applies Message_KeepHistory and Message_ShowDeletedStatus
// to a deletion, and fixes the room's counters.
func (a *App) eraseMessage(ctx context.Context, st store.Store, r *model.Room, m *model.Message, by *model.User, now model.Time) error {
	if err := a.dropMessageFiles(ctx, st, m); err != nil {
		return err
	}
	if err := a.threadAfterDelete(ctx, st, r, m); err != nil {
		return err
	}
	keep, show := a.Settings.Bool("Message_KeepHistory"), a.Settings.Bool("Message_ShowDeletedStatus")
	if m.TCount > 0 {
		// A thread parent with replies stays as a placeholder.
		keep, show = true, true
	}
	switch {
	case !keep && !show:
		c := *m
		c.DeletedAt = &now
		if err := st.Messages().Trash(ctx, &c); err != nil {
			return err
		}
		if err := st.Messages().Delete(ctx, m.ID); err != nil {
			return err
		}
	case keep && !show:
		m.Hidden, m.UpdatedAt = true, now
		if err := st.Messages().Update(ctx, m); err != nil {
			return err
		}
	default:
		if keep {
			if err := a.keepHistory(ctx, st, m, by); err != nil {
				return err
			}
		}
		m.Msg, m.T, m.URLs, m.Mentions, m.Attachments, m.Reactions = "", "rm", nil, nil, nil, nil
		m.MD, m.Blocks, m.TShow = nil, nil, false
		m.EditedAt, m.EditedBy, m.UpdatedAt = &now, &model.UserRef{ID: by.ID, Username: by.Username}, now
		if err := st.Messages().Update(ctx, m); err != nil {
			return err
		}
	}
	// A message shown as deleted is a changed message; otherwise it
	// leaves its room's history, hidden or gone.
	if show {
		a.emit(st, events.MessageUpdated, r.ID, by.ID, m.ID)
	} else {
		a.emit(st, events.MessageDeleted, r.ID, by.ID, m.ID)
	}
	a.emit(st, events.RoomChanged, r.ID, by.ID, r.ID)
	if err := st.Rooms().AddMessages(ctx, r.ID, -1, nil); err != nil {
		return err
	}
	if !a.Settings.Bool("Store_Last_Message") || (len(r.LastMessage) > 0 && !isRoomLastMessage(r, m)) {
		return nil
	}
	last, err := st.Messages().List(ctx, store.MessageFilter{RID: r.ID, ExcludeHidden: true, UserMessages: true, RoomVisible: true}, store.ListOptions{Count: 1})
	if err != nil {
		return err
	}
	var newest *model.Message
	if len(last) > 0 {
		newest = last[0]
	}
	return st.Rooms().SetLastMessage(ctx, r.ID, newest)
}
