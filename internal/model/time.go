package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
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
func (t Time) String() string { return string(t.AppendISO(make([]byte, 0, 24))) }

// AppendISO appends t as Rocket.Chat's ISO string, 2006-01-02T15:04:05.000Z.
// Every message carries two to four times, and time.Format, which
// interprets its layout on each call, cost a twentieth of a history read.
func (t Time) AppendISO(b []byte) []byte {
	st := t.Std()
	year, month, day := st.Date()
	if year < 0 || year > 9999 {
		s := st.Format(isoMillis)
		// Rocket.Chat always writes "Z", never "+00:00".
		return append(b, strings.TrimSuffix(s, "+00:00")...)
	}
	hour, minute, sec := st.Clock()
	digits := func(b []byte, v, width int) []byte {
		var d [4]byte
		for i := width - 1; i >= 0; i-- {
			d[i] = byte('0' + v%10)
			v /= 10
		}
		return append(b, d[:width]...)
	}
	b = digits(b, year, 4)
	b = append(b, '-')
	b = digits(b, int(month), 2)
	b = append(b, '-')
	b = digits(b, day, 2)
	b = append(b, 'T')
	b = digits(b, hour, 2)
	b = append(b, ':')
	b = digits(b, minute, 2)
	b = append(b, ':')
	b = digits(b, sec, 2)
	b = append(b, '.')
	b = digits(b, st.Nanosecond()/1e6, 3)
	return append(b, 'Z')
}

// MarshalJSON writes the ISO string.
func (t Time) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 26)
	b = append(b, '"')
	b = t.AppendISO(b)
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
