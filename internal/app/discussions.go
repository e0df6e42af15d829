package app

import (
	"context"
	"encoding/json"

	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// DiscussionInput is rooms.createDiscussion's body.
type DiscussionInput struct {
	Prid      string
	Pmid      string
	Name      string // t_name
	Reply     string
	Users     []string // usernames
	Encrypted *bool
	Topic     string
}

func discussionRefused() error {
	return E("error-action-not-allowed", "You are not allowed to create a discussion").With(map[string]any{"method": "createDiscussion"})
}

func creationError(typ, reason string) error {
	return E(typ, reason).With(map[string]any{"method": "DiscussionCreation"})
}

// CreateDiscussion is rooms.createDiscussion: a sub-room of prid (private
// unless the parent is a public channel) with the caller as owner, the
// invited users and, when it starts from a message, that message's
// author; the parent gets a discussion-created message carrying drid.
func (a *App) CreateDiscussion(ctx context.Context, u *model.User, in DiscussionInput) (*model.Room, error) {
	if !a.Settings.Bool("Discussion_enabled") {
		return nil, discussionRefused()
	}
	if err := checkRoomBounds("createDiscussion", &in.Name, &in.Topic, nil, nil); err != nil {
		return nil, err
	}
	if a.tooLong(in.Reply) {
		return nil, E("error-message-size-exceeded", "Message size exceeds Message_MaxAllowedSize").With(map[string]any{"method": "createDiscussion"})
	}
	if !a.HasRoomPermission(ctx, u, "start-discussion", in.Prid) && !a.HasRoomPermission(ctx, u, "start-discussion-other-user", in.Prid) {
		return nil, discussionRefused()
	}
	var quoted *model.Message
	if in.Pmid != "" {
		m, err := a.store.Messages().Get(ctx, in.Pmid)
		if isNotFound(err) {
			return nil, creationError("error-invalid-message", "Invalid message")
		}
		if err != nil {
			return nil, a.storeErr(err)
		}
		root := m.RID
		if mr, err := a.store.Rooms().Get(ctx, m.RID); err == nil && mr.Prid != "" {
			root = mr.Prid
		} else if err != nil && !isNotFound(err) {
			return nil, a.storeErr(err)
		}
		if root != in.Prid {
			return nil, creationError("error-invalid-arguments", "Root message room ID does not match parent room ID ")
		}
		quoted = m
	}
	parent, err := a.store.Rooms().Get(ctx, in.Prid)
	if isNotFound(err) {
		parent, err = nil, nil
	}
	if err != nil {
		return nil, a.storeErr(err)
	}
	if err := a.canSend(ctx, parent, u); err != nil {
		// Rocket.Chat rethrows the send check's message as an error type.
		if e, ok := AsError(err); ok && e.Plain {
			return nil, E(e.Reason, "")
		}
		return nil, err
	}
	if parent.Prid != "" {
		return nil, creationError("error-nested-discussion", "Cannot create nested discussions")
	}
	encrypted := parent.IsEncrypted()
	if in.Encrypted != nil {
		encrypted = *in.Encrypted
	}
	if encrypted && in.Reply != "" {
		return nil, creationError("error-invalid-arguments", "Encrypted discussions must not receive an initial reply.")
	}
	t, err := a.discussionType(ctx, parent)
	if err != nil {
		return nil, err
	}
	now := a.now()
	sysMes := true
	owner := u.Ref()
	d := &model.Room{
		ID: model.NewID(), T: t, FName: in.Name, U: &owner, Ts: now, UpdatedAt: now, SysMes: &sysMes,
		Prid: parent.ID, Encrypted: &encrypted, Topic: in.Topic,
	}
	d.Name = d.ID // never shown: discussions are known by fname
	if d.Topic == "" {
		d.Topic = parent.Name
	}
	if quoted != nil && !parent.IsEncrypted() {
		d.Description = quoted.Msg
	}
	invited := in.Users
	if quoted != nil {
		invited = append([]string{quoted.U.Username}, invited...)
	}
	err = a.tx(ctx, func(st store.Store) error {
		if err := st.Rooms().Create(ctx, d); err != nil {
			return err
		}
		if _, err := a.addMember(ctx, st, d, u, nil, true); err != nil {
			return err
		}
		if err := a.inviteByName(ctx, st, d, u, invited); err != nil {
			return err
		}
		home := parent
		var quote []json.RawMessage
		if quoted != nil {
			q := quoted
			if parent.IsEncrypted() {
				c := *quoted
				c.Msg = "Encrypted message"
				q = &c
			}
			b, err := json.Marshal(a.quoteAttachment(q))
			if err != nil {
				return err
			}
			quote = []json.RawMessage{b}
			if quoted.RID != parent.ID {
				if home, err = st.Rooms().Get(ctx, quoted.RID); err != nil {
					return err
				}
			}
			if err := a.quoteInDiscussion(ctx, st, d, u, quote); err != nil {
				return err
			}
		}
		if _, err := a.systemMessage(ctx, st, home, u, "discussion-created", in.Name, func(m *model.Message) {
			m.DRID, m.Attachments = d.ID, quote
		}); err != nil {
			return err
		}
		if in.Reply != "" {
			if _, err := a.sendChecked(ctx, st, d, u, MessageInput{Msg: in.Reply}); err != nil {
				return err
			}
		}
		fresh, err := st.Rooms().Get(ctx, d.ID)
		if err != nil {
			return err
		}
		d = fresh
		a.emit(st, events.RoomChanged, d.ID, u.ID, d.ID)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// quoteInDiscussion opens a discussion started from a message with a
// quote of it. Like Rocket.Chat it is stored as is: not counted in msgs,
// notifying nobody.
func (a *App) quoteInDiscussion(ctx context.Context, st store.Store, d *model.Room, u *model.User, quote []json.RawMessage) error {
	ts, err := st.Rooms().NextTs(ctx, d.ID, a.now())
	if err != nil {
		return err
	}
	return st.Messages().Insert(ctx, &model.Message{
		ID: model.NewID(), RID: d.ID, U: u.Ref(), Ts: ts, UpdatedAt: ts, Attachments: quote,
	})
}

// Discussions is chat.getDiscussions: the discussion-created messages of a
// room, the newest first. Like Rocket.Chat it does not consult
// Discussion_enabled.
func (a *App) Discussions(ctx context.Context, u *model.User, rid, text string, opts store.ListOptions) (*MessagePage, error) {
	if _, err := a.roomForRead(ctx, u, rid, Plain("error-not-allowed")); err != nil {
		return nil, err
	}
	opts.Sort = nil
	return a.listMessages(ctx, store.MessageFilter{RID: rid, Discussions: true, TextContains: text}, opts)
}

// discussionType is the type of a discussion started in parent: public
// only in a public channel that is not in a private team.
func (a *App) discussionType(ctx context.Context, parent *model.Room) (string, error) {
	if parent.T != model.RoomChannel {
		return model.RoomGroup, nil
	}
	if parent.TeamID == "" {
		return model.RoomChannel, nil
	}
	main, err := a.teamMain(ctx, a.store, TeamRef{ID: parent.TeamID}, nil)
	if err != nil {
		return "", err
	}
	if main != nil && main.T == model.RoomGroup {
		return model.RoomGroup, nil
	}
	return model.RoomChannel, nil
}
