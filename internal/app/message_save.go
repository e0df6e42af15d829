package app

import (
	"context"
	"errors"

	"github.com/parleychat/parley/internal/events"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// knownMember is a membership a request has read already, kept in its
// context so that its checks do not read it again.
type knownMember struct{ rid, uid string }

// memberHint reads whether uid is a member of rid from the store's hints.
// A yes is remembered in the returned context for bannedOutsider; the
// write that follows must require the membership again (postNew's member).
func (a *App) memberHint(ctx context.Context, rid, uid string) (context.Context, bool, error) {
	ok, err := a.store.Subscriptions().MemberHint(ctx, rid, uid)
	if err != nil || !ok {
		return ctx, false, a.storeErr(err)
	}
	return context.WithValue(ctx, knownMember{rid, uid}, true), true, nil
}

// hintedRoom marks a request whose room may have come from
// Rooms.GetHint, so that its write requires the room unchanged.
type hintedRoom struct{ rid string }

func withHintedRoom(ctx context.Context, rid string) context.Context {
	return context.WithValue(ctx, hintedRoom{rid}, true)
}

// unhinted marks a post's last attempt: it reads its room from the
// database and writes without requiring the room's print. A print is kept
// only while no other change moved the cache's generation during its
// read, so on a busy node every attempt could otherwise find none and
// refuse a valid post.
type unhinted struct{}

// roomForPost reads the room a post checks: the node's hint, marked so
// that the write requires it unchanged, except on the last attempt.
func (a *App) roomForPost(ctx context.Context, id string) (context.Context, *model.Room, error) {
	rooms := a.store.Rooms()
	if fresh, _ := ctx.Value(unhinted{}).(bool); fresh {
		r, err := rooms.Get(ctx, id)
		return ctx, r, err
	}
	r, err := rooms.GetHint(ctx, id)
	if err == nil {
		ctx = withHintedRoom(ctx, r.ID)
	}
	return ctx, r, err
}

// attemptCtx is the context of a post's attempt number attempt.
func attemptCtx(ctx context.Context, attempt int) context.Context {
	if attempt == maxPostAttempts {
		return context.WithValue(ctx, unhinted{}, true)
	}
	return ctx
}

// isKnownMember says ctx remembers uid as a member of rid.
func isKnownMember(ctx context.Context, rid, uid string) bool {
	ok, _ := ctx.Value(knownMember{rid, uid}).(bool)
	return ok
}

// maxPostAttempts bounds how often a post is checked again after the
// membership or room it was checked on changed under it.
const maxPostAttempts = 3

// errPostChanged refuses a post whose room or membership kept changing
// while it was being checked.
var errPostChanged = Plain("error-not-allowed")

// postNew saves m, a new message in r, as the only write of its request,
// and publishes its events. When the checks read the sender's membership
// (memberHint) or the room (withHintedRoom) from the store's hints, the
// write requires them unchanged, and store.ErrChanged says the checks
// must be made again. The plain
// message (no thread, discussion, read receipt or import) is one store
// call, which PostgreSQL writes in one statement; the others go through
// saveMessage in a transaction.
func (a *App) postNew(ctx context.Context, r *model.Room, m *model.Message, want model.Time) error {
	var member string
	if isKnownMember(ctx, r.ID, m.U.ID) {
		member = m.U.ID
	}
	hinted, _ := ctx.Value(hintedRoom{r.ID}).(bool)
	now := a.now()
	if want == 0 {
		want = now
	}
	imported := want < now-60_000 || want > now+60_000
	if m.TMID != "" || r.Prid != "" || m.Unread || imported {
		if err := a.requireSession(ctx); err != nil {
			return err
		}
		return a.tx(ctx, func(st store.Store) error {
			if hinted {
				if err := st.Rooms().Unchanged(ctx, r.ID); err != nil {
					return err
				}
			}
			if member != "" {
				ok, err := st.Subscriptions().Exists(ctx, r.ID, member)
				if err != nil {
					return err
				}
				if !ok {
					return store.ErrChanged
				}
			}
			return a.saveMessage(ctx, st, r, m, want)
		})
	}
	notice := a.notice(r, m, now)
	err := a.store.Messages().Post(ctx, store.NewPost{
		Message: m, Want: want, Last: a.Settings.Bool("Store_Last_Message"), Notice: &notice, Member: member, RoomHint: hinted,
		Session: sessionGuard(ctx),
	})
	switch {
	case errors.Is(err, store.ErrConflict):
		return errDuplicateMessage
	case errors.Is(err, store.ErrChanged):
		return err
	case err != nil:
		return a.storeErr(err)
	}
	a.bus.Publish(
		events.Event{Kind: events.MessageSaved, RoomID: r.ID, UserID: m.U.ID, ID: m.ID},
		events.Event{Kind: events.RoomChanged, RoomID: r.ID, UserID: m.U.ID, ID: r.ID},
		events.Event{Kind: events.SubscriptionChanged, RoomID: r.ID},
	)
	return nil
}
