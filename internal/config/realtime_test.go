package config

import (
	"testing"
	"time"
)

func TestRealtimeLimits(t *testing.T) {
	defaults := Realtime{PingInterval: 15 * time.Second, PingTimeout: 15 * time.Second, SendQueue: 1024,
		WriteTimeout: 10 * time.Second, MaxFrameBytes: 256 << 10, MaxSubscriptions: 500, OfflineAfter: 10 * time.Second}
	cases := []struct {
		name    string
		args    []string
		env     map[string]string
		change  func(*Realtime)
		wantErr bool
	}{
		{"defaults", nil, nil, func(*Realtime) {}, false},
		{"flags", []string{"--ws-ping-interval", "30s", "--ws-send-queue=64", "--ws-max-frame", "1048576"}, nil,
			func(r *Realtime) { r.PingInterval, r.SendQueue, r.MaxFrameBytes = 30*time.Second, 64, 1<<20 }, false},
		{"environment", nil, map[string]string{"PARLEY_WS_PING_TIMEOUT": "5s", "PARLEY_WS_MAX_SUBSCRIPTIONS": "50",
			"PARLEY_WS_WRITE_TIMEOUT": "3s", "PARLEY_WS_OFFLINE_AFTER": "1m"},
			func(r *Realtime) {
				r.PingTimeout, r.MaxSubscriptions, r.WriteTimeout, r.OfflineAfter = 5*time.Second, 50, 3*time.Second, time.Minute
			}, false},
		{"flag wins", []string{"--ws-send-queue", "10"}, map[string]string{"PARLEY_WS_SEND_QUEUE": "20"}, func(r *Realtime) { r.SendQueue = 10 }, false},
		{"no ping", []string{"--ws-ping-interval", "0"}, nil, nil, true},
		{"no queue", []string{"--ws-send-queue", "0"}, nil, nil, true},
		{"negative write timeout", []string{"--ws-write-timeout", "-1s"}, nil, nil, true},
		{"tiny frames", []string{"--ws-max-frame", "100"}, nil, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, ok := load(t, c.args, c.env, c.wantErr)
			if !ok {
				return
			}
			want := defaults
			c.change(&want)
			if cfg.Realtime != want {
				t.Fatalf("Realtime = %+v, want %+v", cfg.Realtime, want)
			}
		})
	}
}
