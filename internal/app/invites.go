package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// The lifetimes and use limits an invite may have, as Rocket.Chat offers
// them (0 is "never expires" and "unlimited").
var (
	inviteDays = []int{0, 1, 7, 15, 30}
	inviteUses = []int{0, 1, 5, 10, 25, 50, 100}
)

var (
	errInviteNotAuthorized = E("not_authorized", "")
	errInvalidToken        = E("error-invalid-token", "The invite token is invalid.")
	errInviteExpired       = E("error-invite-expired", "The invite token has expired.")
)

// InviteRequest is the body of findOrCreateInvite; nil days and maxUses
// take Rocket.Chat's defaults (1 day, unlimited uses).
type InviteRequest struct {
	RID     string
	Days    *int
	MaxUses *int
}

// FindOrCreateInvite is findOrCreateInvite: a member holding
// create-invite-links in a channel or private group gets an invite link
// to it, the one they made before with the same days and maxUses while it
// is still usable, or a new one.
func (a *App) FindOrCreateInvite(ctx context.Context, actor *model.User, in InviteRequest) (*model.Invite, error) {
	details := map[string]any{"method": "findOrCreateInvite", "field": "rid"}
	if in.RID == "" {
		return nil, E("error-the-field-is-required", "The field rid is required").With(details)
	}
	if !a.HasRoomPermission(ctx, actor, "create-invite-links", in.RID) {
		return nil, errInviteNotAuthorized
	}
	if ok, err := a.store.Subscriptions().Exists(ctx, in.RID, actor.ID); err != nil {
		return nil, a.storeErr(err)
	} else if !ok {
		return nil, E("error-invalid-room", "The rid field is invalid").With(details)
	}
	r, err := a.store.Rooms().Get(ctx, in.RID)
	if isNotFound(err) {
		return nil, E("error-invalid-room", "The rid field is invalid").With(details)
	}
	if err != nil {
		return nil, a.storeErr(err)
	}
	if r.T != model.RoomChannel && r.T != model.RoomGroup {
		return nil, E("error-room-type-not-allowed", "Cannot create invite links for this room type").With(map[string]any{"method": "findOrCreateInvite"})
	}
	days, maxUses := 1, 0
	if in.Days != nil {
		days = *in.Days
	}
	if in.MaxUses != nil {
		maxUses = *in.MaxUses
	}
	if !slices.Contains(inviteDays, days) {
		return nil, E("invalid-number-of-days", "Invite should expire in 1, 7, 15 or 30 days, or send 0 to never expire.")
	}
	if !slices.Contains(inviteUses, maxUses) {
		return nil, E("invalid-number-of-uses", "Invite should be valid for 1, 5, 10, 25, 50, 100 or infinite (0) uses.")
	}
	now := a.now()
	existing, err := a.store.Invites().FindReusable(ctx, store.InviteMatch{UserID: actor.ID, RID: r.ID, Days: days, MaxUses: maxUses, Now: now})
	if err == nil {
		existing.URL = a.inviteURL(existing.Token)
		return existing, nil
	}
	if !isNotFound(err) {
		return nil, a.storeErr(err)
	}
	// The link's token is the invite's id, as in Rocket.Chat, whose
	// clients open /invite/<_id> and send the id as the token.
	id := randomHex(8)
	inv := &model.Invite{
		ID: id, Token: id, RID: r.ID, UserID: actor.ID, Days: days, MaxUses: maxUses,
		CreatedAt: now, UpdatedAt: now,
	}
	if days > 0 {
		exp := model.FromTime(now.Std().AddDate(0, 0, days))
		inv.Expires = &exp
	}
	if err := a.tx(ctx, func(st store.Store) error { return st.Invites().Create(ctx, inv) }); err != nil {
		return nil, err
	}
	inv.URL = a.inviteURL(inv.Token)
	return inv, nil
}

// inviteURL is the link an invite is shared as: the token under the
// server's own address (Rocket.Chat's "direct" invite URL type).
func (a *App) inviteURL(token string) string {
	return strings.TrimRight(a.SiteURL(), "/") + "/invite/" + token
}

// ListInvites is listInvites: every invite on the server, without the
// tokens, for holders of create-invite-links.
func (a *App) ListInvites(ctx context.Context, actor *model.User) ([]*model.Invite, error) {
	if !a.HasPermission(actor, "create-invite-links") {
		return nil, errInviteNotAuthorized
	}
	list, err := a.store.Invites().List(ctx)
	if err != nil {
		return nil, a.storeErr(err)
	}
	for _, inv := range list {
		inv.Token = ""
	}
	if list == nil {
		list = []*model.Invite{}
	}
	return list, nil
}

// RemoveInvite is removeInvite/:_id.
func (a *App) RemoveInvite(ctx context.Context, actor *model.User, id string) error {
	if !a.HasPermission(actor, "create-invite-links") {
		return errInviteNotAuthorized
	}
	if id == "" {
		return E("error-the-field-is-required", "The field _id is required").With(map[string]any{"method": "removeInvite", "field": "_id"})
	}
	err := a.tx(ctx, func(st store.Store) error { return st.Invites().Delete(ctx, id) })
	if isNotFound(err) {
		return E("invalid-invitation-id", "Invalid Invitation _id").With(map[string]any{"method": "removeInvite"})
	}
	return err
}

// validInvite is validateInviteToken: the invite behind token and its
// room, while the invite is neither expired nor used up.
func (a *App) validInvite(ctx context.Context, token string) (*model.Invite, *model.Room, error) {
	if token == "" {
		return nil, nil, errInvalidToken
	}
	inv, err := a.store.Invites().GetByToken(ctx, token)
	if isNotFound(err) {
		return nil, nil, errInvalidToken
	}
	if err != nil {
		return nil, nil, a.storeErr(err)
	}
	r, err := a.store.Rooms().Get(ctx, inv.RID)
	if isNotFound(err) {
		return nil, nil, E("error-invalid-room", "The invite token is invalid.")
	}
	if err != nil {
		return nil, nil, a.storeErr(err)
	}
	if inv.Expires != nil && *inv.Expires <= a.now() {
		return nil, nil, errInviteExpired
	}
	if inv.MaxUses > 0 && inv.Uses >= inv.MaxUses {
		return nil, nil, errInviteExpired
	}
	return inv, r, nil
}

// ValidateInviteToken is validateInviteToken: whether token opens a room
// now. Any failure, the database's included, reads as "not valid".
func (a *App) ValidateInviteToken(ctx context.Context, token string) bool {
	_, _, err := a.validInvite(ctx, token)
	return err == nil
}

// InvitedRoom is the room useInviteToken joined.
type InvitedRoom struct {
	RID   string `json:"rid"`
	Prid  string `json:"prid,omitempty"`
	FName string `json:"fname,omitempty"`
	Name  string `json:"name,omitempty"`
	T     string `json:"t"`
}

// UseInviteToken is useInviteToken: actor joins the invite's room, as
// joining does (with a "uj" message); a use is counted only for a user
// who was not a member yet. A user banned from the room is refused.
func (a *App) UseInviteToken(ctx context.Context, actor *model.User, token string) (*InvitedRoom, error) {
	if token == "" {
		return nil, E("error-the-field-is-required", "The field token is required").With(map[string]any{"method": "useInviteToken", "field": "token"})
	}
	inv, r, err := a.validInvite(ctx, token)
	if err != nil {
		return nil, err
	}
	if r.T != model.RoomChannel && r.T != model.RoomGroup {
		return nil, E("error-room-type-not-allowed", "Can't join room of this type via invite").With(map[string]any{"method": "useInviteToken", "field": "token"})
	}
	if r.Archived {
		return nil, E("error-room-archived", "The "+roomWord(r.T)+", "+r.Name+", is archived")
	}
	err = a.tx(ctx, func(st store.Store) error {
		if _, err := st.Subscriptions().Get(ctx, r.ID, actor.ID); err == nil {
			return nil // a member already: nothing to do or count
		} else if !isNotFound(err) {
			return err
		}
		if banned, err := st.Bans().Exists(ctx, r.ID, actor.ID); err != nil {
			return err
		} else if banned {
			return errUserBanned.With(map[string]any{"method": "useInviteToken"})
		}
		if err := st.Invites().AddUse(ctx, inv.ID, a.now()); isNotFound(err) {
			return errInviteExpired // used up or removed meanwhile
		} else if err != nil {
			return err
		}
		if _, err := a.addMember(ctx, st, r, actor, nil, false); err != nil {
			return err
		}
		_, err := a.systemMessage(ctx, st, r, actor, "uj", actor.Username, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &InvitedRoom{RID: r.ID, Prid: r.Prid, FName: r.FName, Name: r.Name, T: r.T}, nil
}

// randomHex is n random bytes in hex, the shape of an invite's _id.
func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(b)
}
