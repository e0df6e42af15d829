package app

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// MessageInput is a message as a client sends it, before the server adds
// its own fields.
type MessageInput struct {
	ID           string
	RID          string
	Msg          string
	Alias        string
	Emoji        string
	Avatar       string
	Attachments  []map[string]any
	Blocks       []json.RawMessage
	CustomFields map[string]any
	TMID         string
	TShow        bool
	Ts           *model.Time
	// ParseURLs false stores no urls at all.
	ParseURLs *bool
	// PreviewURLs, when set (even empty), lists the only URLs to preview.
	PreviewURLs *[]string
	Groupable   *bool
	// Text, E2E and Content: see model.Message; SendMessage alone takes
	// them.
	Text    string
	E2E     string
	Content json.RawMessage
	// parent is the message TMID names, when the caller has read it
	// already; checkReplyParent then does not read it again.
	parent *model.Message
}

// utf16Len is a string's length as JavaScript counts it, which is what
// Message_MaxAllowedSize limits.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

func (a *App) tooLong(s string) bool {
	limit := a.Settings.Int("Message_MaxAllowedSize")
	return limit > 0 && utf16Len(s) > limit
}

// attachmentTextTooLong checks each attachment's text against the limit.
func (a *App) attachmentTextTooLong(atts []map[string]any) bool {
	for _, at := range atts {
		if s, ok := at["text"].(string); ok && a.tooLong(s) {
			return true
		}
	}
	return false
}

// errRoomArchived refuses new content in an archived room.
var errRoomArchived = Plain("room_is_archived")

// errSendNotAllowed is canSend's refusal of a room the sender cannot see.
var errSendNotAllowed = Plain("error-not-allowed")

// canSend is Rocket.Chat's canSendMessage; its refusals are plain errors.
// Rocket.Chat looks at archived before access; here an outsider learns
// only error-not-allowed, not whether the room is archived.
func (a *App) canSend(ctx context.Context, r *model.Room, u *model.User) error {
	if r == nil {
		return Plain("error-invalid-room")
	}
	if u.Type != "app" {
		if err := a.requireSee(ctx, r, u, errSendNotAllowed); err != nil {
			return err
		}
	}
	if r.Archived {
		return errRoomArchived
	}
	if r.Ro && !a.HasRoomPermission(ctx, u, "post-readonly", r.ID) && !slices.Contains(r.Unmuted, u.Username) {
		return Plain("You can't send messages because the room is readonly.")
	}
	if slices.Contains(r.Muted, u.Username) {
		return Plain("You_have_been_muted")
	}
	return nil
}

// buildMessage turns validated input into a message of u in r, with every
// derived field (mentions, channels, urls, md) filled in.
func (a *App) buildMessage(ctx context.Context, r *model.Room, u *model.User, in MessageInput) (*model.Message, error) {
	m := &model.Message{
		ID: in.ID, RID: r.ID, Msg: in.Msg, U: model.UserRef{ID: u.ID, Username: u.Username, Name: u.Name},
		Alias: in.Alias, Emoji: in.Emoji, Avatar: in.Avatar, Blocks: in.Blocks, CustomFields: in.CustomFields,
		TMID: in.TMID, TShow: in.TShow && in.TMID != "", Groupable: in.Groupable, ParseURLs: in.ParseURLs,
	}
	if m.ID == "" {
		m.ID = model.NewID()
	}
	for _, at := range in.Attachments {
		b, err := json.Marshal(at)
		if err != nil {
			return nil, Plain("Invalid attachment")
		}
		m.Attachments = append(m.Attachments, b)
	}
	if a.Settings.Bool("Message_Read_Receipt_Enabled") {
		m.Unread = true
	}
	if err := a.deriveFields(ctx, m, in.PreviewURLs); err != nil {
		return nil, err
	}
	if err := a.quoteLinkedMessages(ctx, u, m); err != nil {
		return nil, err
	}
	return m, nil
}

// deriveFields computes what the server adds to a message's text, in
// Rocket.Chat's before-save order: mentions and channels, the bad-words
// filter, the md tree, then urls.
func (a *App) deriveFields(ctx context.Context, m *model.Message, previewURLs *[]string) error {
	mentions, err := a.userMentions(ctx, m)
	if err != nil {
		return err
	}
	m.Mentions = mentions
	channels, err := a.channelMentions(ctx, m.Msg)
	if err != nil {
		return err
	}
	m.Channels = channels
	m.Msg = a.filterBadWords(m.Msg)
	m.MD = a.parseMarkdown(m)
	m.URLs = a.extractURLs(m, previewURLs)
	return nil
}

// checkGroupMentions refuses @all/@here from users without mention-all or
// mention-here, and in rooms bigger than Message_MaxAll.
func (a *App) checkGroupMentions(ctx context.Context, r *model.Room, u *model.User, m *model.Message) error {
	for _, mn := range m.Mentions {
		if mn.ID != "all" && mn.ID != "here" {
			continue
		}
		if max := a.Settings.Int("Message_MaxAll"); max > 0 && r.UsersCount > int64(max) {
			return E("error-action-not-allowed", "Group mentions are disabled in rooms with more than "+strconv.Itoa(max)+" members")
		}
		if !a.HasRoomPermission(ctx, u, "mention-"+mn.ID, r.ID) {
			word := "all"
			if mn.ID == "here" {
				word = "here"
			}
			return E("error-action-not-allowed", "Notify "+word+" in this room not allowed")
		}
	}
	return nil
}

var errDuplicateMessage = E("error-duplicate-message-id", "A message with this _id already exists")

// saveMessage stores a new message of r and applies its side effects on the
// room and the members' subscriptions, in one transaction. The message's
// ts is handed out by the room so that it is strictly increasing.
func (a *App) saveMessage(ctx context.Context, st store.Store, r *model.Room, m *model.Message, want model.Time) error {
	if want == 0 {
		want = a.now()
	}
	ts, err := st.Rooms().NextTs(ctx, r.ID, want)
	if err != nil {
		return err
	}
	m.Ts, m.UpdatedAt = ts, ts
	if err := st.Messages().Insert(ctx, m); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return errDuplicateMessage
		}
		return err
	}
	a.emit(st, events.MessageSaved, r.ID, m.U.ID, m.ID)
	return a.afterSave(ctx, st, r, m)
}

// afterSave updates the room's counters and the other members'
// subscriptions for a new message, as Rocket.Chat's notifyUsersOnMessage.
func (a *App) afterSave(ctx context.Context, st store.Store, r *model.Room, m *model.Message) error {
	now := a.now()
	// A reply seen only in its thread, or an imported message far from
	// now, counts in msgs and changes nothing else.
	if err := a.threadAfterSave(ctx, st, r, m); err != nil {
		return err
	}
	// Every saved message moves the room's msgs, so the room changed.
	a.emit(st, events.RoomChanged, r.ID, m.U.ID, r.ID)
	threadOnly := m.TMID != "" && !m.TShow
	imported := m.Ts < now-60_000 || m.Ts > now+60_000
	if threadOnly || imported {
		return st.Rooms().AddMessages(ctx, r.ID, 1, nil)
	}
	var last *model.Message
	if a.Settings.Bool("Store_Last_Message") {
		last = m
	}
	if err := st.Rooms().AddMessages(ctx, r.ID, 1, last); err != nil {
		return err
	}
	// One event stands for every member's subscription: listeners load
	// the ones they serve.
	a.emit(st, events.SubscriptionChanged, r.ID, "", "")
	return st.Subscriptions().NotifyMessage(ctx, r.ID, a.notice(r, m, now))
}

// notice works out the subscription changes of a new message from its
// mentions and the Unread_Count settings.
func (a *App) notice(r *model.Room, m *model.Message, now model.Time) store.MessageNotice {
	mode := a.Settings.String("Unread_Count")
	if r.T == model.RoomDirect {
		mode = a.Settings.String("Unread_Count_DM")
		if mode == "mentions_only" {
			mode = "user_and_group_mentions_only"
		}
	}
	n := store.MessageNotice{Sender: m.U.ID, Now: now}
	group := false
	for _, mn := range m.Mentions {
		switch {
		case mn.ID == "all" || mn.ID == "here":
			group = true
		case mn.Type == "" || mn.Type == "user":
			if mn.ID != m.U.ID && !slices.Contains(n.Mentioned, mn.ID) {
				n.Mentioned = append(n.Mentioned, mn.ID)
			}
		}
	}
	if slices.Contains([]string{"all_messages", "user_mentions_only", "user_and_group_mentions_only"}, mode) {
		n.UnreadMentioned = 1
	}
	// User mentions take priority: with any, @all/@here adds nothing.
	if len(n.Mentioned) == 0 && group {
		n.Group = true
		if slices.Contains([]string{"all_messages", "group_mentions_only", "user_and_group_mentions_only"}, mode) {
			n.UnreadGroup = 1
		}
	}
	if !group && mode == "all_messages" {
		n.UnreadOthers = 1
	}
	return n
}

// systemMessage stores a message of type t in r, written by u.
func (a *App) systemMessage(ctx context.Context, st store.Store, r *model.Room, u *model.User, t, msg string, extra func(*model.Message)) (*model.Message, error) {
	no := false
	m := &model.Message{
		ID: model.NewID(), RID: r.ID, T: t, Msg: msg, Groupable: &no,
		U: model.UserRef{ID: u.ID, Username: u.Username, Name: u.Name},
	}
	if a.Settings.Bool("Message_Read_Receipt_Enabled") {
		m.Unread = true
	}
	if extra != nil {
		extra(m)
	}
	if err := a.saveMessage(ctx, st, r, m, 0); err != nil {
		return nil, err
	}
	return m, nil
}

// quietSystemMessage is systemMessage for the notices Rocket.Chat saves
// without notifying anyone (a pin): the message only counts in the room's
// msgs, and the room's lastMessage and the members' unread counts stay.
func (a *App) quietSystemMessage(ctx context.Context, st store.Store, r *model.Room, u *model.User, t string, extra func(*model.Message)) (*model.Message, error) {
	no := false
	m := &model.Message{
		ID: model.NewID(), RID: r.ID, T: t, Groupable: &no,
		U: model.UserRef{ID: u.ID, Username: u.Username, Name: u.Name},
	}
	if a.Settings.Bool("Message_Read_Receipt_Enabled") {
		m.Unread = true
	}
	if extra != nil {
		extra(m)
	}
	ts, err := st.Rooms().NextTs(ctx, r.ID, a.now())
	if err != nil {
		return nil, err
	}
	m.Ts, m.UpdatedAt = ts, ts
	if err := st.Messages().Insert(ctx, m); err != nil {
		return nil, err
	}
	a.emit(st, events.MessageSaved, r.ID, m.U.ID, m.ID)
	a.emit(st, events.RoomChanged, r.ID, m.U.ID, r.ID)
	return m, st.Rooms().AddMessages(ctx, r.ID, 1, nil)
}

// prepareMessage validates in for u in r and builds the message to store,
// with every derived field. It reads but never writes, so it runs before
// the transaction: only the writes queue for the database's writer.
func (a *App) prepareMessage(ctx context.Context, r *model.Room, u *model.User, in MessageInput) (*model.Message, model.Time, error) {
	if err := a.validateMessage(ctx, r, u, in); err != nil {
		return nil, 0, err
	}
	m, err := a.buildMessage(ctx, r, u, in)
	if err != nil {
		return nil, 0, err
	}
	if err := a.checkGroupMentions(ctx, r, u, m); err != nil {
		return nil, 0, err
	}
	var want model.Time
	if in.Ts != nil {
		want = *in.Ts
	}
	return m, want, nil
}

// sendChecked validates in for u in r and stores it inside the caller's
// transaction.
func (a *App) sendChecked(ctx context.Context, st store.Store, r *model.Room, u *model.User, in MessageInput) (*model.Message, error) {
	m, want, err := a.prepareMessage(ctx, r, u, in)
	if err != nil {
		return nil, err
	}
	if err := a.saveMessage(ctx, st, r, m, want); err != nil {
		return nil, err
	}
	return m, nil
}

// PostInput is chat.postMessage's body.
type PostInput struct {
	// Targets are room ids, "#name"s or "@username"s.
	Targets []string
	// ByRoomID says the targets came as roomId (they did not as channel).
	ByRoomID bool
	Message  MessageInput
}

// PostMessage is chat.postMessage: the message goes to every target in
// turn, and the first one sent is returned. A public channel's target joins
// the sender to it.
func (a *App) PostMessage(ctx context.Context, u *model.User, in PostInput) (*model.Message, error) {
	if a.tooLong(in.Message.Msg) || a.attachmentTextTooLong(in.Message.Attachments) {
		return nil, Plain("error-message-size-exceeded")
	}
	msg := in.Message
	msg.Msg = strings.TrimSpace(msg.Msg)
	for _, at := range msg.Attachments {
		// The old name of an attachment's text is msg.
		if v, ok := at["msg"]; ok {
			if s, ok := v.(string); ok {
				at["text"] = strings.TrimSpace(s)
			}
			delete(at, "msg")
		}
	}
	if msg.ParseURLs == nil {
		parse := len(msg.Attachments) == 0
		msg.ParseURLs = &parse
	}
	if msg.Avatar != "" {
		msg.Emoji = ""
	}
	if msg.Groupable == nil {
		no := false
		msg.Groupable = &no
	}
	var first *model.Message
	seen := map[string]bool{}
	for _, target := range in.Targets {
		if seen[target] {
			continue
		}
		seen[target] = true
		var (
			sent *model.Message
			err  error
		)
		for attempt := 1; ; attempt++ {
			sent, err = a.postToTarget(attemptCtx(ctx, attempt), u, target, msg)
			if !errors.Is(err, store.ErrChanged) {
				break
			}
			if attempt == maxPostAttempts {
				return nil, errPostChanged
			}
			if ctx, u, err = a.freshSession(ctx, u); err != nil {
				return nil, err
			}
		}
		if err != nil {
			return nil, err
		}
		a.afterCommit(sent, false)
		if first == nil {
			first = sent
		}
	}
	if first == nil {
		return nil, Plain("unknown-error")
	}
	return a.normalize(ctx, u, first)
}

// postToTarget is PostMessage's post of msg to one target. It answers
// store.ErrChanged when the sender's membership changed while it was being
// checked.
func (a *App) postToTarget(ctx context.Context, u *model.User, target string, msg MessageInput) (*model.Message, error) {
	ctx, r, err := a.resolveTarget(ctx, u, target)
	if err != nil {
		return nil, err
	}
	joining := false
	if r.T == model.RoomChannel {
		var member bool
		ctx, member, err = a.memberHint(ctx, r.ID, u.ID)
		if err != nil {
			return nil, err
		}
		joining = !member
	}
	if err := a.canSend(ctx, r, u); err != nil {
		return nil, err
	}
	msg.ID = ""
	sent, want, err := a.prepareMessage(ctx, r, u, msg)
	if err != nil {
		return nil, err
	}
	if !joining {
		return sent, a.postNew(ctx, r, sent, want)
	}
	if err := a.requireSession(ctx); err != nil {
		return nil, err
	}
	hinted, _ := ctx.Value(hintedRoom{r.ID}).(bool)
	err = a.tx(ctx, func(st store.Store) error {
		if hinted {
			if err := st.Rooms().Unchanged(ctx, r.ID); err != nil {
				return err
			}
		}
		if err := a.autoJoin(ctx, st, r, u); err != nil {
			return err
		}
		return a.saveMessage(ctx, st, r, sent, want)
	})
	return sent, err
}

var errInvalidChannel = E("invalid-channel", "")

// resolveTarget finds the room of a postMessage target: "#name", "@user"
// (whose direct conversation is opened if needed), or a room id or name,
// falling back to a user id.
func (a *App) resolveTarget(ctx context.Context, u *model.User, target string) (context.Context, *model.Room, error) {
	rooms := a.store.Rooms()
	byIDOrName := func(s string) (*model.Room, error) {
		var r *model.Room
		var err error
		ctx, r, err = a.roomForPost(ctx, s)
		if isNotFound(err) {
			r, err = rooms.GetByName(ctx, s)
		}
		return r, err
	}
	switch {
	case strings.HasPrefix(target, "#"):
		r, err := byIDOrName(target[1:])
		if isNotFound(err) {
			return ctx, nil, errInvalidChannel
		}
		return ctx, r, a.storeErr(err)
	case strings.HasPrefix(target, "@"):
		other, err := a.store.Users().Get(ctx, target[1:])
		if isNotFound(err) {
			other, err = a.store.Users().GetByUsername(ctx, target[1:])
		}
		if isNotFound(err) {
			return ctx, nil, errInvalidChannel
		}
		if err != nil {
			return ctx, nil, a.storeErr(err)
		}
		if err := a.requireSession(ctx); err != nil {
			return ctx, nil, err
		}
		r, err := a.openDirect(ctx, u, other)
		return ctx, r, err
	}
	r, err := byIDOrName(target)
	if err == nil {
		return ctx, r, nil
	}
	if !isNotFound(err) {
		return ctx, nil, a.storeErr(err)
	}
	other, err := a.store.Users().Get(ctx, target)
	if isNotFound(err) {
		return ctx, nil, errInvalidChannel
	}
	if err != nil {
		return ctx, nil, a.storeErr(err)
	}
	if err := a.requireSession(ctx); err != nil {
		return ctx, nil, err
	}
	r, err = a.openDirect(ctx, u, other)
	return ctx, r, err
}

// autoJoin subscribes u to the public channel r before posting, with the
// "uj" system message, as posting to a channel one has not joined does.
func (a *App) autoJoin(ctx context.Context, st store.Store, r *model.Room, u *model.User) error {
	if _, err := st.Subscriptions().Get(ctx, r.ID, u.ID); err == nil {
		return nil
	} else if !isNotFound(err) {
		return err
	}
	if ok, err := a.CanAccessRoom(ctx, r, u); err != nil || !ok {
		return err // canSend refuses the post next
	}
	if r.Archived {
		return E("error-room-archived", "The channel, "+r.Name+", is archived")
	}
	if _, err := a.addMember(ctx, st, r, u, nil, false); err != nil {
		return err
	}
	_, err := a.systemMessage(ctx, st, r, u, "uj", u.Username, nil)
	return err
}

// SendInput is chat.sendMessage's body.
type SendInput struct {
	Message MessageInput
	// T is the client's message type; system types are refused.
	T string
}

// SendMessage is chat.sendMessage: one message into the room named by its
// rid, with an optional client-chosen _id and ts.
func (a *App) SendMessage(ctx context.Context, u *model.User, in SendInput) (*model.Message, error) {
	return a.sendMessage(ctx, u, in, 1)
}

// sendMessage is SendMessage's attempt number attempt.
func (a *App) sendMessage(ctx context.Context, u *model.User, in SendInput, attempt int) (*model.Message, error) {
	msg := in.Message
	if in.T != "" && in.T != "e2e" {
		return nil, Plain("Cannot send system messages using 'chat.sendMessage'")
	}
	if msg.TShow && msg.TMID == "" {
		return nil, E("invalid-params", "tshow provided but missing tmid").With(map[string]any{"method": "sendMessage"})
	}
	if msg.TMID != "" && !a.Settings.Bool("Threads_enabled") {
		return nil, E("error-not-allowed", "not-allowed").With(map[string]any{"method": "sendMessage"})
	}
	now := a.now()
	if msg.Ts != nil {
		d := int64(*msg.Ts - now)
		if d < 0 {
			d = -d
		}
		if d > 60_000 {
			return nil, E("error-message-ts-out-of-sync", "Message timestamp is out of sync").With(map[string]any{
				"method": "sendMessage", "message_ts": *msg.Ts, "server_ts": now,
			})
		}
		if d > 10_000 {
			msg.Ts = nil
		}
	}
	if a.tooLong(msg.Msg) || a.attachmentTextTooLong(msg.Attachments) {
		return nil, E("error-message-size-exceeded", "Message size exceeds Message_MaxAllowedSize")
	}
	if u.Username == "" {
		return nil, E("error-invalid-user", "Invalid user")
	}
	if msg.TMID != "" {
		// Replies go to the parent's room, and threads do not nest.
		parent, err := a.store.Messages().Get(ctx, msg.TMID)
		switch {
		case err == nil:
			msg.RID = parent.RID
			if parent.TMID != "" {
				msg.TMID = parent.TMID
			} else {
				msg.parent = parent
			}
		case !isNotFound(err):
			return nil, a.storeErr(err)
		}
	}
	if msg.RID == "" {
		return nil, Plain("The 'rid' property on the message object is missing.")
	}
	ctx, r, err := a.roomForPost(attemptCtx(ctx, attempt), msg.RID)
	if isNotFound(err) {
		r, err = nil, nil
	}
	if err != nil {
		return nil, a.storeErr(err)
	}
	if r != nil {
		if ctx, _, err = a.memberHint(ctx, r.ID, u.ID); err != nil {
			return nil, err
		}
	}
	if err := a.canSend(ctx, r, u); err != nil {
		return nil, err
	}
	// The server cannot read an encrypted room's messages; it refuses
	// the ones clients did not encrypt, unless told to let them in.
	if r.IsEncrypted() && in.T != "e2e" && a.Settings.Bool("E2E_Enable") && !a.Settings.Bool("E2E_Allow_Unencrypted_Messages") {
		return nil, E("error-not-allowed", "Not allowed to send un-encrypted messages in an encrypted room").With(map[string]any{"method": "sendMessage"})
	}
	sent, want, err := a.prepareMessage(ctx, r, u, msg)
	if err != nil {
		return nil, err
	}
	sent.Text = msg.Text
	if in.T == "e2e" {
		sent.T, sent.E2E, sent.Content = in.T, msg.E2E, msg.Content
	}
	if err := a.postNew(ctx, r, sent, want); err != nil {
		if errors.Is(err, store.ErrChanged) {
			// Checked again without the hint that misled this attempt.
			if attempt == maxPostAttempts {
				return nil, errPostChanged
			}
			if ctx, u, err = a.freshSession(ctx, u); err != nil {
				return nil, err
			}
			return a.sendMessage(ctx, u, in, attempt+1)
		}
		return nil, err
	}
	a.afterCommit(sent, false)
	return a.normalize(ctx, u, sent)
}
