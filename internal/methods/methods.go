// Package methods is Rocket.Chat's method layer: the registry of the
// methods clients call by name, over the websocket (DDP) and over REST
// (method.call). Each method decodes its EJSON parameters, calls the app
// layer, and returns its result; failures come back as Meteor errors.
//
// Adding a method is one line in the table of New and a small function.
package methods

import (
	"context"
	"encoding/json"
	"log/slog"
	"math"
	"strconv"
	"time"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/ratelimit"
)

// Handler runs one method for caller (nil when nobody is logged in) with
// the call's parameters. A nil result is sent as no result at all.
type Handler func(ctx context.Context, caller *model.User, params []json.RawMessage) (any, error)

// Method is one entry of the registry.
type Method struct {
	Name string
	// Anon lets a caller who is not logged in run the method; otherwise
	// such a caller gets Rocket.Chat's "Invalid user" refusal.
	Anon bool
	Run  Handler
}

// Registry holds the methods a server answers.
type Registry struct {
	app     *app.App
	log     *slog.Logger
	methods map[string]Method
	limiter *ratelimit.Windows
}

// New builds the registry of every method Parley serves.
func New(a *app.App, log *slog.Logger) *Registry {
	if log == nil {
		log = slog.Default()
	}
	r := &Registry{app: a, log: log, methods: map[string]Method{}, limiter: ratelimit.New()}
	for _, m := range []Method{
		// Messages
		{Name: "sendMessage", Run: r.sendMessage},
		{Name: "updateMessage", Run: r.updateMessage},
		{Name: "deleteMessage", Run: r.deleteMessage},
		{Name: "setReaction", Run: r.setReaction},
		{Name: "pinMessage", Run: r.pinMessage},
		{Name: "unpinMessage", Run: r.unpinMessage},
		{Name: "starMessage", Run: r.starMessage},

		// Reading
		{Name: "loadHistory", Run: r.loadHistory},
		{Name: "loadMissedMessages", Run: r.loadMissedMessages},
		{Name: "getRoomIdByNameOrId", Run: r.getRoomIDByNameOrID},
		{Name: "readMessages", Run: r.readMessages},
		{Name: "getRoomRoles", Run: r.getRoomRoles},

		// Lists: an anonymous caller gets empty lists
		{Name: "subscriptions/get", Anon: true, Run: r.subscriptionsGet},
		{Name: "rooms/get", Anon: true, Run: r.roomsGet},

		// Rooms
		{Name: "createChannel", Run: r.createChannel},
		{Name: "createPrivateGroup", Run: r.createPrivateGroup},
		{Name: "joinRoom", Run: r.joinRoom},
		{Name: "leaveRoom", Run: r.leaveRoom},
		{Name: "addUsersToRoom", Run: r.addUsersToRoom},
		{Name: "createDirectMessage", Run: r.createDirectMessage},

		// Users and settings
		{Name: "saveUserPreferences", Run: r.saveUserPreferences},
		{Name: "public-settings/get", Anon: true, Run: r.publicSettingsGet},
		{Name: "permissions/get", Run: r.permissionsGet},
		{Name: "getUserRoles", Run: r.getUserRoles},
		{Name: "registerUser", Anon: true, Run: r.registerUser},
		{Name: "setUsername", Run: r.setUsername},

		// Permissions of roles (roles.go)
		{Name: "authorization:addPermissionToRole", Run: r.addPermissionToRole},
		{Name: "authorization:removeRoleFromPermission", Run: r.removeRoleFromPermission},

		// Translation
		{Name: "autoTranslate.translateMessage", Run: r.translateMessage},
		{Name: "autoTranslate.getSupportedLanguages", Run: r.getSupportedLanguages},
		{Name: "autoTranslate.saveSettings", Run: r.saveAutoTranslateSettings},
	} {
		r.methods[m.Name] = m
	}
	return r
}

// Names lists the registered methods.
func (r *Registry) Names() []string {
	out := make([]string, 0, len(r.methods))
	for n := range r.methods {
		out = append(out, n)
	}
	return out
}

// Caller identifies who calls, for the rate limiter: the user, or for an
// anonymous caller the connection (a REST client's address).
type Caller struct {
	User       *model.User
	Connection string
}

// Call runs the method name for c. The error it returns, if any, is a
// *Error ready for a result frame; failures no client may see are logged
// here and hidden.
func (r *Registry) Call(ctx context.Context, c Caller, name string, params []json.RawMessage) (any, *Error) {
	m, ok := r.methods[name]
	if !ok {
		return nil, notFound(name)
	}
	if err := r.rateLimit(c, name); err != nil {
		return nil, err
	}
	if c.User == nil && !m.Anon {
		return nil, invalidUser(name)
	}
	out, err := m.Run(ctx, c.User, params)
	if err != nil {
		me, safe := AsError(err)
		if !safe {
			r.log.Error("method failed", "method", name, "err", err)
		}
		return nil, me
	}
	return out, nil
}

// rateLimit applies Rocket.Chat's per-user, per-method rule
// (DDP_Rate_Limit_User_By_Method_*), or sendMessage's own rule. Anonymous
// calls count per connection.
func (r *Registry) rateLimit(c Caller, name string) *Error {
	st := r.app.Settings
	if name == "registerUser" && st.Bool("API_Enable_Rate_Limiter") {
		// Registering is limited as users.register is, so that the
		// method is no way around that route's limit.
		limit := st.Int("Rate_Limiter_Limit_RegisterUser")
		window := time.Duration(st.Int("API_Enable_Rate_Limiter_Limit_Time_Default")) * time.Millisecond
		if limit > 0 && window > 0 {
			if err := r.allow("register:"+callerKey(c), limit, window); err != nil {
				return err
			}
		}
	}
	if name == "sendMessage" {
		// sendMessage's own rule, as in Rocket.Chat (5 posts a second),
		// for users without send-many-messages. It replaces the
		// per-method rule, and does not depend on its switch.
		limit := st.Int("DDP_Rate_Limit_Send_Message_Requests_Allowed")
		window := time.Duration(st.Int("DDP_Rate_Limit_Send_Message_Interval_Time")) * time.Millisecond
		if c.User == nil || limit <= 0 || window <= 0 || r.app.HasPermission(c.User, "send-many-messages") {
			return nil
		}
		return r.allow("send:"+c.User.ID, limit, window)
	}
	if !st.Bool("DDP_Rate_Limit_User_By_Method_Enabled") {
		return nil
	}
	limit := st.Int("DDP_Rate_Limit_User_By_Method_Requests_Allowed")
	window := time.Duration(st.Int("DDP_Rate_Limit_User_By_Method_Interval_Time")) * time.Millisecond
	if limit <= 0 || window <= 0 {
		return nil
	}
	return r.allow(callerKey(c)+"/"+name, limit, window)
}

// callerKey is what the limiter counts a caller by: the user, or for an
// anonymous caller the connection.
func callerKey(c Caller) string {
	if c.User != nil {
		return "u:" + c.User.ID
	}
	return "c:" + c.Connection
}

// allow counts one call under key, and refuses it with Meteor's
// too-many-requests once limit calls were made in the window.
func (r *Registry) allow(key string, limit int, window time.Duration) *Error {
	now := time.Now()
	ok, _, reset := r.limiter.Allow(key, limit, window, now)
	if ok {
		return nil
	}
	wait := reset.Sub(now)
	secs := int(math.Ceil(wait.Seconds()))
	return &Error{
		Code:    "too-many-requests",
		Reason:  "Error, too many requests. Please slow down. You must wait " + strconv.Itoa(secs) + " seconds before trying again.",
		Details: map[string]any{"timeToReset": wait.Milliseconds()},
	}
}
