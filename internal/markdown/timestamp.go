package markdown

import (
	"math"
	"strconv"
	"time"
)

// timestamp is "<t:DATE>" or "<t:DATE:F>" with F one of t T d D f F R.
// DATE is ten Unix digits, an ISO date-time with or without milliseconds,
// or a time of day. The node keeps its source range as "fallback".
func (p *parser) timestamp(i int) (*node, int) {
	if !p.lit(i, "<t:") {
		return nil, -1
	}
	value, j := p.timestampDate(i + 3)
	if j < 0 {
		return nil, -1
	}
	format := byte('t')
	if p.at(j) == ':' && isTimestampFormat(p.at(j+1)) && p.at(j+2) == '>' {
		format = byte(p.s[j+1])
		j += 3
	} else if p.at(j) == '>' {
		j++
	} else {
		return nil, -1
	}
	return &node{kind: kTimestamp, text: utf16Of(value), format: format, ext: &nodeExt{rng: [2]int{i, j}}}, j
}

// escapedTimestamp is a backslash before a timestamp: the raw tag as text.
func (p *parser) escapedTimestamp(i int) (*node, int) {
	if p.at(i) != '\\' || !p.lit(i+1, "<t:") {
		return nil, -1
	}
	_, j := p.timestampDate(i + 4)
	if j < 0 {
		return nil, -1
	}
	if p.at(j) == ':' && isTimestampFormat(p.at(j+1)) && p.at(j+2) == '>' {
		j += 3
	} else if p.at(j) == '>' {
		j++
	} else {
		return nil, -1
	}
	return plain(p.s[i+1 : j]), j
}

func isTimestampFormat(c int) bool {
	switch c {
	case 't', 'T', 'd', 'D', 'f', 'F', 'R':
		return true
	}
	return false
}

// digits reads exactly n digits at i.
func (p *parser) digits(i, n int) (int, bool) {
	v := 0
	for k := 0; k < n; k++ {
		c := p.at(i + k)
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + c - '0'
	}
	return v, true
}

// timestampDate tries the date forms in the JS order; the first that
// matches is kept even if what follows it then fails.
func (p *parser) timestampDate(i int) (string, int) {
	if _, ok := p.digits(i, 10); ok {
		return utf16ToString(p.s[i : i+10]), i + 10
	}
	if v, j := p.isoDate(i, true); j >= 0 {
		return v, j
	}
	if v, j := p.isoDate(i, false); j >= 0 {
		return v, j
	}
	return p.timeOfDay(i)
}

type tzOffset struct {
	present bool
	minutes int
	valid   bool
}

// timezone is "+hh:mm" or "-hh:mm".
func (p *parser) timezone(i int) (tzOffset, int) {
	sign := p.at(i)
	if sign != '+' && sign != '-' {
		return tzOffset{}, i
	}
	h, ok1 := p.digits(i+1, 2)
	m, ok2 := p.digits(i+4, 2)
	if !ok1 || p.at(i+3) != ':' || !ok2 {
		return tzOffset{}, i
	}
	off := h*60 + m
	if sign == '-' {
		off = -off
	}
	return tzOffset{present: true, minutes: off, valid: h <= 23 && m <= 59}, i + 6
}

func (p *parser) isoDate(i int, withMillis bool) (string, int) {
	var f [7]int
	layout := []struct {
		n   int
		sep uint16
	}{{4, '-'}, {2, '-'}, {2, 'T'}, {2, ':'}, {2, ':'}, {2, '.'}, {3, 0}}
	if !withMillis {
		layout = layout[:6]
		layout[5].sep = 0
	}
	j := i
	for k, l := range layout {
		v, ok := p.digits(j, l.n)
		if !ok {
			return "", -1
		}
		f[k] = v
		j += l.n
		if l.sep != 0 {
			if p.at(j) != int(l.sep) {
				return "", -1
			}
			j++
		}
	}
	tz, j := p.timezone(j)
	return jsDateSeconds(f[0], f[1], f[2], f[3], f[4], f[5], f[6], tz), j
}

// timeOfDay is "HH:MM:SS[tz]" or "HH:MM[tz]", taken on today's UTC date.
// Without a zone the JS code builds an unparsable string ("…null") and the
// result is "0".
func (p *parser) timeOfDay(i int) (string, int) {
	h, ok1 := p.digits(i, 2)
	m, ok2 := p.digits(i+3, 2)
	if !ok1 || p.at(i+2) != ':' || !ok2 {
		return "", -1
	}
	j := i + 5
	sec := 0
	if s, ok := p.digits(j+1, 2); p.at(j) == ':' && ok {
		sec, j = s, j+3
	}
	tz, j := p.timezone(j)
	if !tz.present {
		return "0", j
	}
	today := p.now().UTC()
	return jsDateSeconds(today.Year(), int(today.Month()), today.Day(), h, m, sec, 0, tz), j
}

// localZone is the zone of ISO dates written without one (Node uses the
// process's local zone too). Tests pin it to UTC, like the golden files.
var localZone = func() *time.Location { return time.Local }

// jsDateSeconds evaluates `(new Date(iso).getTime() / 1e3) | 0` for the
// ISO string built from the fields: V8's range checks, local time when no
// zone is given, day overflow within 1..31 rolling into the next month, and
// the final int32 wrap-around.
func jsDateSeconds(year, month, day, hour, min, sec, ms int, tz tzOffset) string {
	valid := month >= 1 && month <= 12 && day >= 1 && day <= 31 && min <= 59 && sec <= 59 &&
		(hour <= 23 || hour == 24 && min == 0 && sec == 0 && ms == 0)
	if tz.present && !tz.valid {
		valid = false
	}
	if !valid {
		return "0"
	}
	loc := localZone()
	if tz.present {
		loc = time.FixedZone("", tz.minutes*60)
	}
	t := time.Date(year, time.Month(month), day, hour, min, sec, ms*int(time.Millisecond), loc)
	secs := math.Trunc(float64(t.UnixMilli()) / 1e3)
	return strconv.FormatInt(int64(int32(int64(secs))), 10)
}
