package methods

import (
	"context"
	"encoding/json"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/model"
)

// addUsersToRoom [{rid, users: [username, ...]}] adds users to a channel
// or private group; the result is true.
func (r *Registry) addUsersToRoom(ctx context.Context, u *model.User, params []json.RawMessage) (any, error) {
	data, err := object(param(params, 0))
	if err != nil {
		return nil, err
	}
	rid, ok := str(data["rid"])
	if !ok {
		return nil, &Error{Code: "error-invalid-room", Reason: "Invalid room", Details: map[string]any{"method": "addUsersToRoom"}}
	}
	// A users value that is not a list of strings reaches the app as nil,
	// which refuses it once the caller's permission has been checked.
	users, _ := stringList(data["users"])
	if err := r.app.AddUsersToRoom(ctx, u, rid, users); err != nil {
		return nil, err
	}
	return true, nil
}

// roomResult is a created or found room as the room methods answer it:
// the room's document with its id again under rid, which clients read.
func roomResult(room *model.Room) (any, error) {
	b, err := json.Marshal(room)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	out["rid"] = room.ID
	return out, nil
}

// createChannel [name, members?, readOnly?, customFields?, extraData?]
// creates a public channel; createPrivateGroup a private group. The
// result is the room, with its id under rid as well.
func (r *Registry) createChannel(ctx context.Context, u *model.User, params []json.RawMessage) (any, error) {
	return r.createRoom(ctx, u, params, model.RoomChannel, "create-c", "createChannel")
}

func (r *Registry) createPrivateGroup(ctx context.Context, u *model.User, params []json.RawMessage) (any, error) {
	return r.createRoom(ctx, u, params, model.RoomGroup, "create-p", "createPrivateGroup")
}

func (r *Registry) createRoom(ctx context.Context, u *model.User, params []json.RawMessage, t, perm, method string) (any, error) {
	name, ok := str(param(params, 0))
	if !ok {
		return nil, ErrMatch
	}
	var members []string
	if p := param(params, 1); !absent(p) {
		if members, ok = stringList(p); !ok {
			return nil, ErrMatch
		}
	}
	readOnly, err := optionalBool(param(params, 2), false)
	if err != nil {
		return nil, err
	}
	in := app.NewRoom{Type: t, Name: name, Members: members, ReadOnly: readOnly}
	if p := param(params, 3); !absent(p) {
		if jsonKind(p) != "object" || json.Unmarshal(p, &in.CustomFields) != nil {
			return nil, ErrMatch
		}
	}
	if p := param(params, 4); !absent(p) {
		extra, err := object(p)
		if err != nil {
			return nil, err
		}
		if in.Topic, err = optionalString(extra["topic"]); err != nil {
			return nil, err
		}
		if in.Description, err = optionalString(extra["description"]); err != nil {
			return nil, err
		}
		if in.Broadcast, err = optionalBool(extra["broadcast"], false); err != nil {
			return nil, err
		}
		if v, ok := extra["encrypted"]; ok {
			enc, err := optionalBool(v, false)
			if err != nil {
				return nil, err
			}
			in.Encrypted = &enc
		}
	}
	if !r.app.HasPermission(u, perm) {
		return nil, &Error{Code: "error-not-allowed", Reason: "Not allowed", Details: map[string]any{"method": method}}
	}
	room, err := r.app.CreateRoom(ctx, u, in)
	if err != nil {
		return nil, err
	}
	return roomResult(room)
}

// joinRoom [rid, joinCode?] joins a public channel; the result is true.
func (r *Registry) joinRoom(ctx context.Context, u *model.User, params []json.RawMessage) (any, error) {
	rid, ok := str(param(params, 0))
	if !ok {
		return nil, ErrMatch
	}
	code, _ := str(param(params, 1))
	if _, err := r.app.JoinWithCode(ctx, u, app.RoomRef{ID: rid}, code); err != nil {
		if ae, ok := app.AsError(err); ok && ae.Type == "error-room-not-found" {
			return nil, &Error{Code: "error-invalid-room", Reason: "Invalid room", Details: map[string]any{"method": "joinRoom"}}
		}
		return nil, err
	}
	return true, nil
}

// leaveRoom [rid] leaves a channel or private group. No result.
func (r *Registry) leaveRoom(ctx context.Context, u *model.User, params []json.RawMessage) (any, error) {
	rid, ok := str(param(params, 0))
	if !ok {
		return nil, ErrMatch
	}
	return nil, r.app.LeaveRoomByID(ctx, u, rid)
}

// createDirectMessage [username, ...] opens (or finds) the direct
// conversation of the caller and the named users, as im.create does, and
// returns the room with its id under rid.
func (r *Registry) createDirectMessage(ctx context.Context, u *model.User, params []json.RawMessage) (any, error) {
	names, ok := stringsOf(params)
	if !ok {
		return nil, ErrMatch
	}
	room, err := r.app.CreateDirect(ctx, u, app.DirectInput{Usernames: names})
	if err != nil {
		return nil, err
	}
	return roomResult(room)
}
