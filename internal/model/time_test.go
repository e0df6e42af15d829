package model

import (
	"math/rand/v2"
	"testing"
	"time"
)

// The hand-written formatter must agree with the standard library's for
// every time a message can carry, and fall back to it beyond.
func TestAppendISOAgreesWithFormat(t *testing.T) {
	t.Parallel()
	cases := []int64{0, 1, 999, 1000, -1, -86_400_000, 1_700_000_000_123, 253_402_300_799_999, 253_402_300_800_000, -62_135_596_800_000, -62_135_596_800_001}
	r := rand.New(rand.NewPCG(1, 2))
	for range 10_000 {
		cases = append(cases, r.Int64N(253_402_300_800_000))
	}
	for _, ms := range cases {
		want := time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z07:00")
		if got := Time(ms).String(); got != want {
			t.Fatalf("Time(%d).String() = %q, want %q", ms, got, want)
		}
	}
}
