package methods

import (
	"bytes"
	"encoding/json"

	"github.com/parleychat/parley/internal/ejson"
	"github.com/parleychat/parley/internal/model"
)

// param is the i-th parameter, or nil when the call has fewer.
func param(params []json.RawMessage, i int) json.RawMessage {
	if i < len(params) {
		return params[i]
	}
	return nil
}

// jsonKind is the JSON type of v: "string", "number", "boolean", "array",
// "object", "null", or "" when v is absent.
func jsonKind(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return ""
	}
	switch v[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// object decodes an object parameter into its keys. Anything else fails
// as Meteor's check(x, Object) does.
func object(v json.RawMessage) (map[string]json.RawMessage, error) {
	if jsonKind(v) != "object" {
		return nil, ErrMatch
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(v, &m); err != nil {
		return nil, ErrMatch
	}
	return m, nil
}

// objectWithID decodes an object parameter that must carry a string _id,
// such as the message a method acts on, and returns its keys and the id.
func objectWithID(v json.RawMessage) (map[string]json.RawMessage, string, error) {
	obj, err := object(v)
	if err != nil {
		return nil, "", err
	}
	id, ok := str(obj["_id"])
	if !ok {
		return nil, "", ErrMatch
	}
	return obj, id, nil
}

// str decodes a string parameter; ok is false for anything that is not a
// JSON string (null and absent included).
func str(v json.RawMessage) (string, bool) {
	if jsonKind(v) != "string" {
		return "", false
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", false
	}
	return s, true
}

// strings decodes an array of strings; ok is false for anything else.
func stringList(v json.RawMessage) ([]string, bool) {
	if jsonKind(v) != "array" {
		return nil, false
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(v, &raw); err != nil {
		return nil, false
	}
	return stringsOf(raw)
}

// stringsOf decodes each value as a string; ok is false when one is not.
func stringsOf(raw []json.RawMessage) ([]string, bool) {
	out := make([]string, 0, len(raw))
	for _, e := range raw {
		s, ok := str(e)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// absent reports whether a parameter was left out or sent as null, which
// Meteor's Match.Maybe and Match.Optional both let through.
func absent(v json.RawMessage) bool {
	k := jsonKind(v)
	return k == "" || k == "null"
}

// boolean decodes a boolean parameter; ok is false for anything else.
func boolean(v json.RawMessage) (b, ok bool) {
	if jsonKind(v) != "boolean" {
		return false, false
	}
	return bytes.Equal(bytes.TrimSpace(v), []byte("true")), true
}

// number decodes a numeric parameter; ok is false for anything else.
func number(v json.RawMessage) (float64, bool) {
	if jsonKind(v) != "number" {
		return 0, false
	}
	var f float64
	if err := json.Unmarshal(v, &f); err != nil {
		return 0, false
	}
	return f, true
}

// date decodes an EJSON date parameter ({"$date": ms}); ok is false for
// anything else.
func date(v json.RawMessage) (model.Time, bool) {
	return ejson.DateOf(v)
}

// optionalString decodes a parameter that may be left out (or null) or be
// a string; anything else is Meteor's match failure.
func optionalString(v json.RawMessage) (string, error) {
	if absent(v) {
		return "", nil
	}
	s, ok := str(v)
	if !ok {
		return "", ErrMatch
	}
	return s, nil
}

// optionalBool is optionalString for booleans; def is the value when the
// parameter is left out.
func optionalBool(v json.RawMessage, def bool) (bool, error) {
	if absent(v) {
		return def, nil
	}
	b, ok := boolean(v)
	if !ok {
		return false, ErrMatch
	}
	return b, nil
}
