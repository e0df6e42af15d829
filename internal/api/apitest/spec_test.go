package apitest

import (
	"net/http"
	"testing"
)

// recorder captures Errorf calls so the checker can be tested.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Helper()               {}
func (r *recorder) Logf(string, ...any)   {}

func TestSpecCheckerRejectsWrongShapes(t *testing.T) {
	if s := loadSpecs(); s.skipped != "" {
		t.Skipf("spec not available: %s", s.skipped)
	}
	cases := []struct {
		name   string
		target string
		body   string
		bad    bool
	}{
		{"login ok", "/api/v1/login", `{"status":"success","data":{"userId":"x","authToken":"y","me":{"_id":"x","utcOffset":0}},"success":true}`, false},
		{"login utcOffset as string", "/api/v1/login", `{"status":"success","data":{"userId":"x","authToken":"y","me":{"_id":"x","utcOffset":"zero"}}}`, true},
		{"channels.create channel as string", "/api/v1/channels.create", `{"channel":"nope","success":true}`, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{TB: t}
			checkSpec(r, http.MethodPost, tc.target, nil, 200, nil, []byte(tc.body))
			if r.failed != tc.bad {
				t.Fatalf("checker failed=%v, want %v", r.failed, tc.bad)
			}
		})
	}
}
