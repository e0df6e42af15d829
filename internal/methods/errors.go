package methods

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/parleychat/parley/internal/app"
)

// Error is a client-safe Meteor.Error, the shape in which every method
// failure reaches a client:
//
//	{"isClientSafe":true,"error":<code>,"reason":...,"details":{...},"message":"reason [code]","errorType":"Meteor.Error"}
//
// Code is a string (Rocket.Chat's error types) or a number (Meteor's own
// 400, 404 and 500).
type Error struct {
	Code    any
	Reason  string
	Details map[string]any
}

func (e *Error) Error() string { return e.Message() }

// Message is Meteor's "reason [code]", or "[code]" without a reason.
func (e *Error) Message() string {
	if e.Reason == "" {
		return fmt.Sprintf("[%v]", e.Code)
	}
	return fmt.Sprintf("%s [%v]", e.Reason, e.Code)
}

// wire is the field order Meteor writes.
type wire struct {
	IsClientSafe bool           `json:"isClientSafe"`
	Error        any            `json:"error"`
	Reason       string         `json:"reason,omitempty"`
	Details      map[string]any `json:"details,omitempty"`
	Message      string         `json:"message"`
	ErrorType    string         `json:"errorType"`
}

// Wire is the error as it is written into a result frame.
func (e *Error) Wire() any {
	return wire{IsClientSafe: true, Error: e.Code, Reason: e.Reason, Details: e.Details, Message: e.Message(), ErrorType: "Meteor.Error"}
}

// Meteor's own refusals.
var (
	// ErrMatch is what a failed check() becomes on the wire.
	ErrMatch    = &Error{Code: http.StatusBadRequest, Reason: "Match failed"}
	errInternal = &Error{Code: http.StatusInternalServerError, Reason: "Internal server error"}
)

func notFound(name string) *Error {
	return &Error{Code: http.StatusNotFound, Reason: "Method '" + name + "' not found"}
}

// invalidUser is how Rocket.Chat's methods refuse a caller who is not
// logged in.
func invalidUser(method string) *Error {
	return &Error{Code: "error-invalid-user", Reason: "Invalid user", Details: map[string]any{"method": method}}
}

// AsError turns any failure into the error a client sees, and reports
// whether it was one a client may see. An app error keeps its type and
// reason (an untyped one, a thrown JS Error in Rocket.Chat, takes its HTTP
// status as the code); anything else is hidden as Meteor hides it, and the
// caller should log it.
func AsError(err error) (*Error, bool) {
	var me *Error
	if errors.As(err, &me) {
		return me, true
	}
	if ae, ok := app.AsError(err); ok {
		if ae.Type == "" || ae.Plain {
			return &Error{Code: ae.Status, Reason: ae.Reason, Details: ae.Details}, true
		}
		return &Error{Code: ae.Type, Reason: ae.Reason, Details: ae.Details}, true
	}
	return errInternal, false
}
