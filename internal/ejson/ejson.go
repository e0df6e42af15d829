// Package ejson writes and reads the EJSON that Meteor's DDP speaks: JSON in
// which a date is the object {"$date": <Unix milliseconds>}. Methods and
// streams carry their payloads in it, over the websocket and inside the REST
// method.call envelope alike.
package ejson

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

	"github.com/parleychat/parley/internal/model"
)

// Date is a point in time that encodes as {"$date": ms}.
type Date int64

// MarshalJSON writes {"$date": ms}.
func (d Date) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 24)
	b = append(b, `{"$date":`...)
	b = strconv.AppendInt(b, int64(d), 10)
	return append(b, '}'), nil
}

// DateOf reads raw as an EJSON date. It reports false for anything else,
// so that a method can branch on "was a date given", as Rocket.Chat's
// subscriptions/get does.
func DateOf(raw json.RawMessage) (model.Time, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return 0, false
	}
	var d map[string]json.Number
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&d); err != nil || len(d) != 1 {
		return 0, false
	}
	n, ok := d["$date"]
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	if err != nil {
		return 0, false
	}
	return model.Time(int64(f)), true
}

// dateKeys are the fields in which Rocket.Chat documents carry dates. The
// model types write dates as ISO strings, the REST form; Marshal turns the
// strings under these keys back into EJSON dates. Going by key keeps a
// message whose text merely looks like a date from being rewritten.
var dateKeys = map[string]bool{
	"ts": true, "_updatedAt": true, "_createdAt": true, "createdAt": true, "_deletedAt": true,
	"editedAt": true, "pinnedAt": true, "tlm": true, "dlm": true, "lm": true, "lr": true, "ls": true,
	"lastLogin": true, "expiresAt": true, "tokenExpires": true, "when": true, "uploadedAt": true,
}

// isoLen is the length of Rocket.Chat's ISO form, 2006-01-02T15:04:05.000Z.
const isoLen = len("2006-01-02T15:04:05.000Z")

// Marshal encodes v as EJSON: as encoding/json would, with every date
// field as {"$date": ms}.
func Marshal(v any) ([]byte, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(plain))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(dates(tree, false)); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// dates rewrites, in place, the ISO strings found under date keys.
func dates(v any, isDateKey bool) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = dates(e, dateKeys[k])
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = dates(e, false)
		}
		return x
	case string:
		if isDateKey && len(x) == isoLen {
			if t, err := time.Parse("2006-01-02T15:04:05.000Z", x); err == nil {
				return Date(t.UnixMilli())
			}
		}
		return x
	}
	return v
}
