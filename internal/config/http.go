package config

import (
	"flag"
	"fmt"
	"time"
)

// HTTP holds the limits of the HTTP server and where its metrics are
// served. They exist so that a client cannot hold a connection, or the
// memory behind it, for longer than an honest one would need.
type HTTP struct {
	// ReadHeaderTimeout bounds the wait for a request's headers.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds the wait for a request's body, counted from the
	// end of its headers; 0 means none.
	ReadTimeout time.Duration
	// WriteTimeout bounds the time from the end of the headers until the
	// answer is written; 0 means none.
	WriteTimeout time.Duration
	// IdleTimeout closes keep-alive connections that wait this long for
	// their next request.
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds the request line and headers.
	MaxHeaderBytes int
	// UploadMinRate (bytes per second) stretches the read deadline of
	// uploads as their bytes arrive; 0 gives uploads ReadTimeout only.
	UploadMinRate int64
	// MaxAnswerMemory bounds the bytes of answers being written at once,
	// which clients that do not read would otherwise hold; 0 = no bound.
	MaxAnswerMemory int64

	// MetricsAddr serves /metrics on a listener of its own instead of the
	// API port.
	MetricsAddr string
	// MetricsToken is the bearer token /metrics requires. Without it and
	// without MetricsAddr, /metrics is not served at all.
	MetricsToken string
}

func (h *HTTP) register(fs *flag.FlagSet, getenv func(string) string) {
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	fs.DurationVar(&h.ReadHeaderTimeout, "read-header-timeout", envDuration(getenv, "PARLEY_READ_HEADER_TIMEOUT", 10*time.Second), "longest wait for a request's headers (PARLEY_READ_HEADER_TIMEOUT)")
	fs.DurationVar(&h.ReadTimeout, "read-timeout", envDuration(getenv, "PARLEY_READ_TIMEOUT", 30*time.Second), "longest wait for a request's body after its headers; 0 = none (PARLEY_READ_TIMEOUT)")
	fs.DurationVar(&h.WriteTimeout, "write-timeout", envDuration(getenv, "PARLEY_WRITE_TIMEOUT", 60*time.Second), "longest time from a request's headers to the end of its answer; 0 = none (PARLEY_WRITE_TIMEOUT)")
	fs.DurationVar(&h.IdleTimeout, "idle-timeout", envDuration(getenv, "PARLEY_IDLE_TIMEOUT", 120*time.Second), "close keep-alive connections idle this long (PARLEY_IDLE_TIMEOUT)")
	fs.IntVar(&h.MaxHeaderBytes, "max-header-bytes", int(envInt64(getenv, "PARLEY_MAX_HEADER_BYTES", 64<<10)), "largest request line and headers in bytes (PARLEY_MAX_HEADER_BYTES)")
	fs.Int64Var(&h.UploadMinRate, "upload-min-rate", envInt64(getenv, "PARLEY_UPLOAD_MIN_RATE", 16<<10), "uploads get --read-timeout plus one second per this many bytes received; 0 = --read-timeout only (PARLEY_UPLOAD_MIN_RATE)")
	fs.Int64Var(&h.MaxAnswerMemory, "max-answer-memory", envInt64(getenv, "PARLEY_MAX_ANSWER_MEMORY", 32<<20), "bytes of answers of 32 KiB and more that may be in flight at once, a quarter of it per client; more get a 503; 0 = no bound (PARLEY_MAX_ANSWER_MEMORY)")
	fs.StringVar(&h.MetricsAddr, "metrics-addr", env("PARLEY_METRICS_ADDR", ""), "serve /metrics on this address (e.g. 127.0.0.1:9100) instead of the API port (PARLEY_METRICS_ADDR)")
	fs.StringVar(&h.MetricsToken, "metrics-token", env("PARLEY_METRICS_TOKEN", ""), "bearer token that /metrics requires (PARLEY_METRICS_TOKEN)")
}

func (h *HTTP) check() error {
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"--read-header-timeout", h.ReadHeaderTimeout}, {"--read-timeout", h.ReadTimeout}, {"--write-timeout", h.WriteTimeout}, {"--idle-timeout", h.IdleTimeout}} {
		if d.v < 0 {
			return fmt.Errorf("%s must not be negative", d.name)
		}
	}
	if h.ReadHeaderTimeout == 0 {
		return fmt.Errorf("--read-header-timeout must be positive")
	}
	if h.MaxHeaderBytes < 1024 {
		return fmt.Errorf("--max-header-bytes must be at least 1024")
	}
	if h.MaxAnswerMemory < 0 {
		return fmt.Errorf("--max-answer-memory must not be negative")
	}
	if h.UploadMinRate < 0 {
		return fmt.Errorf("--upload-min-rate must not be negative")
	}
	return nil
}
