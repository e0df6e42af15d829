package methods

import (
	"context"
	"encoding/json"

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
