package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Time is a point in time stored as Unix milliseconds (UTC). On the wire it is
// Rocket.Chat's ISO-8601 string with milliseconds; it also accepts the EJSON
// form {"$date": ms} that some clients send.
type Time int64

const isoMillis = "2006-01-02T15:04:05.000Z07:00"

// Now returns the current time truncated to milliseconds.
func Now() Time { return Time(time.Now().UnixMilli()) }

// FromTime converts a time.Time.
func FromTime(t time.Time) Time { return Time(t.UnixMilli()) }

// Std converts to time.Time in UTC.
func (t Time) Std() time.Time { return time.UnixMilli(int64(t)).UTC() }

// IsZero reports whether t is unset.
func (t Time) IsZero() bool { return t == 0 }

// String formats t as Rocket.Chat's ISO string.
func (t Time) String() string {
	s := t.Std().Format(isoMillis)
	// Rocket.Chat always writes "Z", never "+00:00".
	if len(s) > 6 && s[len(s)-6:] == "+00:00" {
		s = s[:len(s)-6] + "Z"
	}
	return s
}

// MarshalJSON writes the ISO string.
func (t Time) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 26)
	b = append(b, '"')
	b = append(b, t.String()...)
	return append(b, '"'), nil
}

// UnmarshalJSON reads an ISO string, {"$date": ms} or a number of ms.
func (t *Time) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		*t = 0
		return nil
	}
	switch b[0] {
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		v, err := ParseTime(s)
		if err != nil {
			return err
		}
		*t = v
		return nil
	case '{':
		var d struct {
			Date json.RawMessage `json:"$date"`
		}
		if err := json.Unmarshal(b, &d); err != nil {
			return err
		}
		return t.UnmarshalJSON(d.Date)
	default:
		ms, err := strconv.ParseFloat(string(b), 64)
		if err != nil {
			return fmt.Errorf("invalid time %s", b)
		}
		*t = Time(int64(ms))
		return nil
	}
}

// ParseTime parses an ISO-8601 date-time (with or without fraction).
func ParseTime(s string) (Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000Z", "2006-01-02T15:04:05Z", "2006-01-02"} {
		if v, err := time.Parse(layout, s); err == nil {
			return FromTime(v), nil
		}
	}
	return 0, fmt.Errorf("invalid date %q", s)
}
