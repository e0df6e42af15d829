package config

import (
	"testing"
	"time"
)

func TestHTTPLimits(t *testing.T) {
	defaults := HTTP{ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: time.Minute,
		IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10, UploadMinRate: 16 << 10, MaxAnswerMemory: 32 << 20}
	cases := []struct {
		name    string
		args    []string
		env     map[string]string
		change  func(*HTTP)
		wantErr bool
	}{
		{"defaults", nil, nil, func(*HTTP) {}, false},
		{"flags", []string{"--read-timeout", "5s", "--write-timeout=0", "--metrics-token", "tok", "--metrics-addr", "127.0.0.1:9100"}, nil,
			func(h *HTTP) {
				h.ReadTimeout, h.WriteTimeout, h.MetricsToken, h.MetricsAddr = 5*time.Second, 0, "tok", "127.0.0.1:9100"
			}, false},
		{"environment", nil, map[string]string{"PARLEY_UPLOAD_MIN_RATE": "1024", "PARLEY_MAX_ANSWER_MEMORY": "0", "PARLEY_METRICS_TOKEN": "env-tok",
			"PARLEY_READ_HEADER_TIMEOUT": "2s", "PARLEY_MAX_HEADER_BYTES": "8192", "PARLEY_IDLE_TIMEOUT": "1m"},
			func(h *HTTP) {
				h.UploadMinRate, h.MaxAnswerMemory, h.MetricsToken = 1024, 0, "env-tok"
				h.ReadHeaderTimeout, h.MaxHeaderBytes, h.IdleTimeout = 2*time.Second, 8192, time.Minute
			}, false},
		{"flag wins", []string{"--metrics-token", "flag"}, map[string]string{"PARLEY_METRICS_TOKEN": "env"}, func(h *HTTP) { h.MetricsToken = "flag" }, false},
		{"negative timeout", []string{"--read-timeout", "-1s"}, nil, nil, true},
		{"no header timeout", []string{"--read-header-timeout", "0"}, nil, nil, true},
		{"tiny headers", []string{"--max-header-bytes", "10"}, nil, nil, true},
		{"negative rate", []string{"--upload-min-rate", "-1"}, nil, nil, true},
		{"negative budget", []string{"--max-answer-memory", "-1"}, nil, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, ok := load(t, c.args, c.env, c.wantErr)
			if !ok {
				return
			}
			want := defaults
			c.change(&want)
			if cfg.HTTP != want {
				t.Fatalf("HTTP = %+v, want %+v", cfg.HTTP, want)
			}
		})
	}
}
