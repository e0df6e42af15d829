package app

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is a failure Rocket.Chat clients understand. The API layer renders
// it as {"success":false,"error":Message(),"errorType":Type}.
type Error struct {
	Status  int
	Type    string // Rocket.Chat's error code, e.g. "error-room-not-found"; may be empty
	Reason  string
	Details map[string]any
	// DetailList, when set, is written as details instead: a few of
	// Rocket.Chat's errors (the password policy's) carry a list there.
	DetailList []any
	// Plain errors render Reason alone, the way a thrown JS Error does.
	Plain bool
}

// Message is the wire "error" string: "reason [type]", "[type]" or the
// reason alone.
func (e *Error) Message() string {
	switch {
	case e.Plain || e.Type == "":
		return e.Reason
	case e.Reason == "":
		return "[" + e.Type + "]"
	default:
		return e.Reason + " [" + e.Type + "]"
	}
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s", e.Status, e.Message()) }

// E is a Meteor-style error: HTTP 400 with a type and a reason.
func E(typ, reason string) *Error {
	return &Error{Status: http.StatusBadRequest, Type: typ, Reason: reason}
}

// Plain is a 400 whose error string is the message alone, with no errorType.
func Plain(msg string) *Error { return &Error{Status: http.StatusBadRequest, Reason: msg, Plain: true} }

// With returns a copy of e carrying details.
func (e *Error) With(details map[string]any) *Error {
	c := *e
	c.Details = details
	return &c
}

// WithList returns a copy of e whose details are list.
func (e *Error) WithList(list []any) *Error {
	c := *e
	c.DetailList = list
	return &c
}

// Invalid is a parameter validation failure (ajv-style message).
func Invalid(msg string) *Error { return E("invalid-params", msg) }

// Frequently used refusals.
var (
	ErrUnauthorized = &Error{Status: http.StatusUnauthorized, Reason: "You must be logged in to do this.", Plain: true}
	// ErrForbidden is API.v1.forbidden(): 403 {"error":"unauthorized"}.
	ErrForbidden = &Error{Status: http.StatusForbidden, Reason: "unauthorized", Plain: true}
	// ErrPermissionsRequired is the framework's permissionsRequired refusal.
	ErrPermissionsRequired = &Error{Status: http.StatusForbidden, Reason: "User does not have the permissions required for this action [error-unauthorized]", Plain: true}
	ErrNotAllowed          = E("error-not-allowed", "Not allowed")
	ErrUnavailable         = &Error{Status: http.StatusServiceUnavailable, Type: "error-service-unavailable", Reason: "Service Unavailable", Plain: true}
)

// AsError returns err as an *Error, if it is one.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
