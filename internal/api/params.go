package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/parleychat/parley/internal/app"
)

// kind is the JSON type a parameter must have.
type kind int

const (
	kAny kind = iota
	kString
	kNumber
	kInteger
	kBool
	kArray
	kObject
	kStringArray   // an array of strings
	kStringOrArray // a string, or an array of strings
	kObjectArray   // an array of objects (null allowed)
)

func (k kind) message() string {
	switch k {
	case kString:
		return "must be string"
	case kNumber:
		return "must be number"
	case kInteger:
		return "must be integer"
	case kBool:
		return "must be boolean"
	case kArray, kStringArray, kObjectArray:
		return "must be array"
	case kObject:
		return "must be object"
	}
	return ""
}

// schema describes an endpoint's parameters the way Rocket.Chat's ajv
// schemas do, so that failures carry the same messages. It is derived from
// the endpoint's request struct (see shapeOf), never written by hand.
type schema struct {
	props    map[string]kind
	required []string
	// oneOf lists alternative keys (e.g. roomId | roomName); at least one
	// must be present.
	oneOf []string
	// exclusive lists keys of which at most one may be present.
	exclusive []string
	// open schemas accept unknown keys; most Rocket.Chat schemas are closed.
	open bool
	// minLen lists string properties that must not be empty.
	minLen []string
}

// errNotExactlyOne is ajv's answer to a body that matches two branches of
// a oneOf, such as a room named both by id and by name.
var errNotExactlyOne = app.Invalid("must NOT have additional properties\n must NOT have additional properties\n must match exactly one schema in oneOf")

// check validates and coerces params in place (ajv coerceTypes): numeric
// strings become numbers, "true"/"false" booleans, scalars strings. typed
// is set for JSON bodies, whose values keep the types the client gave them:
// a string is never taken for a one-element array there, as it is for form
// and query input, which cannot say "array of one".
func (s *schema) check(params map[string]any, typed bool) error {
	if err := s.checkExclusive(params); err != nil {
		return err
	}
	for _, k := range s.required {
		if _, ok := params[k]; !ok {
			return app.Invalid("must have required property '" + k + "'")
		}
	}
	if len(s.oneOf) > 0 {
		found := false
		for _, k := range s.oneOf {
			if _, ok := params[k]; ok {
				found = true
				break
			}
		}
		if !found {
			var msgs []string
			for _, k := range s.oneOf {
				msgs = append(msgs, "must have required property '"+k+"'")
			}
			msgs = append(msgs, "must match exactly one schema in oneOf")
			return app.Invalid(strings.Join(msgs, "\n "))
		}
	}
	for k, v := range params {
		want, known := s.props[k]
		if !known {
			if s.open {
				continue
			}
			return app.Invalid("must NOT have additional properties")
		}
		if _, isString := v.(string); isString && typed && want == kStringArray {
			return app.Invalid(want.message())
		}
		c, ok := coerce(v, want)
		if !ok {
			return app.Invalid(want.message())
		}
		params[k] = c
	}
	for _, k := range s.minLen {
		if v, ok := params[k].(string); ok && v == "" {
			return app.Invalid("must NOT have fewer than 1 characters")
		}
	}
	return nil
}

// checkExclusive refuses params holding more than one exclusive key.
func (s *schema) checkExclusive(params map[string]any) error {
	n := 0
	for _, k := range s.exclusive {
		if _, ok := params[k]; ok {
			n++
		}
	}
	if n > 1 {
		return errNotExactlyOne
	}
	return nil
}

func coerce(v any, want kind) (any, bool) {
	switch want {
	case kAny:
		return v, true
	case kString:
		switch x := v.(type) {
		case string:
			return x, true
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64), true
		case bool:
			return strconv.FormatBool(x), true
		case nil:
			return "", true
		}
	case kNumber, kInteger:
		var f float64
		switch x := v.(type) {
		case float64:
			f = x
		case string:
			p, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
			if err != nil || x == "" {
				return nil, false
			}
			f = p
		case bool:
			if x {
				f = 1
			}
		case nil:
			f = 0
		default:
			return nil, false
		}
		if want == kInteger && f != math.Trunc(f) {
			return nil, false
		}
		return f, true
	case kBool:
		switch x := v.(type) {
		case bool:
			return x, true
		case string:
			switch x {
			case "true", "1":
				return true, true
			case "false", "0", "":
				return false, true
			}
		case float64:
			if x == 0 || x == 1 {
				return x == 1, true
			}
		case nil:
			return false, true
		}
	case kArray:
		if x, ok := v.([]any); ok {
			return x, true
		}
	case kStringArray:
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				if _, ok := e.(string); !ok {
					return nil, false
				}
			}
			return x, true
		case string:
			// form bodies and query strings give scalars for one-element arrays
			return []any{x}, true
		}
	case kObject:
		switch x := v.(type) {
		case map[string]any:
			return x, true
		case nil:
			return nil, true
		}
	case kObjectArray:
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				if _, ok := e.(map[string]any); !ok {
					return nil, false
				}
			}
			return x, true
		case nil:
			return nil, true
		}
	case kStringOrArray:
		switch x := v.(type) {
		case string:
			return x, true
		case []any:
			return coerce(x, kStringArray)
		}
	}
	return nil, false
}

// errNUL refuses text holding U+0000, which PostgreSQL cannot store; both
// databases refuse it alike so that a deployment can move between them.
var errNUL = app.Invalid("must NOT contain the character U+0000")

// errBodyTooLarge is the 413 for bodies over the limit.
var errBodyTooLarge = &app.Error{Status: http.StatusRequestEntityTooLarge, Type: "error-request-too-large", Reason: "Request body too large"}

// isFormBody reports whether r carries a form body; every other body is
// read as JSON.
func isFormBody(r *http.Request) bool {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return ct == "application/x-www-form-urlencoded"
}

// readBody parses a JSON or form body into a map. An empty body is {}.
func readBody(r *http.Request) (map[string]any, error) {
	if isFormBody(r) {
		if err := r.ParseForm(); err != nil {
			if isTooLarge(err) {
				return nil, errBodyTooLarge
			}
			return nil, app.Invalid("malformed form body")
		}
		if hasNUL(r.PostForm) {
			return nil, errNUL
		}
		return valuesToMap(r.PostForm), nil
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		if isTooLarge(err) {
			return nil, errBodyTooLarge
		}
		return nil, app.Invalid("could not read the request body")
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return map[string]any{}, nil
	}
	if bytes.Contains(b, []byte(`\u0000`)) {
		return nil, errNUL
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, app.Invalid("must be object (malformed JSON: " + jsonErrorText(err) + ")")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, app.Invalid("must be object")
	}
	return m, nil
}

func jsonErrorText(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s at offset %d", se.Error(), se.Offset)
	}
	return err.Error()
}

func isTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

func hasNUL(v url.Values) bool {
	for k, vals := range v {
		if strings.ContainsRune(k, 0) {
			return true
		}
		for _, s := range vals {
			if strings.ContainsRune(s, 0) {
				return true
			}
		}
	}
	return false
}

// valuesToMap turns query or form values into params: one value is a
// string, repeated keys (or key[]) an array, as qs does.
func valuesToMap(v url.Values) map[string]any {
	m := make(map[string]any, len(v))
	for k, vals := range v {
		if strings.HasSuffix(k, "[]") {
			k = strings.TrimSuffix(k, "[]")
			arr := make([]any, len(vals))
			for i, s := range vals {
				arr[i] = s
			}
			m[k] = arr
			continue
		}
		if len(vals) == 1 {
			m[k] = vals[0]
		} else {
			arr := make([]any, len(vals))
			for i, s := range vals {
				arr[i] = s
			}
			m[k] = arr
		}
	}
	return m
}

// decode validates params against dst's schema and fills dst (a pointer
// to a request struct), coercing as form and query input is coerced.
func decode(params map[string]any, dst any) error {
	return decodeTyped(params, false, dst)
}

// decodeTyped is decode, with typed as in schema.check.
func decodeTyped(params map[string]any, typed bool, dst any) error {
	v := reflect.ValueOf(dst).Elem()
	sh := shapeOf(v.Type())
	if err := sh.check(params, typed); err != nil {
		return err
	}
	return sh.fill(v, params)
}
