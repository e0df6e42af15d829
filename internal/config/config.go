// Package config turns flags and PARLEY_* environment variables into one
// Config value. It is the only code that reads them.
package config

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Config is the server's start-up configuration.
type Config struct {
	Addr               string
	DataDir            string
	DatabaseURL        string
	SiteURL            string
	LogLevel           slog.Level
	LogFormat          string
	MaxBodyBytes       int64
	DBMaxConns         int
	DBStatementTimeout time.Duration
	ShutdownTimeout    time.Duration
	TrustProxy         bool
	TrustedProxies     []netip.Prefix
	Pprof              bool

	// HTTP server limits and the metrics listener.
	HTTP HTTP
	// Websocket limits.
	Realtime Realtime

	// First administrator, under Rocket.Chat's variable names.
	AdminUsername, AdminPassword, AdminEmail, AdminName string
	// CreateTokensForUsers is Rocket.Chat's CREATE_TOKENS_FOR_USERS:
	// "true" or "yes" enables users.createToken.
	CreateTokensForUsers bool
}

// Load parses args (without the program name) with env as the source of
// defaults; flags win over the environment.
func Load(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	var c Config
	fs := flag.NewFlagSet("parley serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	var logLevel string
	fs.StringVar(&c.Addr, "addr", env("PARLEY_ADDR", ":3000"), "listen address (PARLEY_ADDR)")
	DatabaseFlags(fs, getenv, &c.DataDir, &c.DatabaseURL)
	fs.StringVar(&c.SiteURL, "site-url", env("PARLEY_SITE_URL", ""), "public URL of the server, e.g. https://chat.example.com (PARLEY_SITE_URL)")
	fs.StringVar(&logLevel, "log-level", env("PARLEY_LOG_LEVEL", "info"), "log level: debug, info, warn or error (PARLEY_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", env("PARLEY_LOG_FORMAT", "text"), "log format: text or json (PARLEY_LOG_FORMAT)")
	maxBody := fs.Int64("max-body", envInt64(getenv, "PARLEY_MAX_BODY_BYTES", 10<<20), "largest request body in bytes, uploads excepted (PARLEY_MAX_BODY_BYTES)")
	fs.IntVar(&c.DBMaxConns, "db-max-conns", int(envInt64(getenv, "PARLEY_DB_MAX_CONNS", 0)), "database pool size; 0 = 4 SQLite readers or 20 PostgreSQL connections (PARLEY_DB_MAX_CONNS)")
	fs.DurationVar(&c.DBStatementTimeout, "db-statement-timeout", envDuration(getenv, "PARLEY_DB_STATEMENT_TIMEOUT", 30*time.Second), "PostgreSQL statement timeout (PARLEY_DB_STATEMENT_TIMEOUT)")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", envDuration(getenv, "PARLEY_SHUTDOWN_TIMEOUT", 20*time.Second), "how long to wait for in-flight requests on shutdown (PARLEY_SHUTDOWN_TIMEOUT)")
	fs.BoolVar(&c.TrustProxy, "trust-proxy", envBool(getenv, "PARLEY_TRUST_PROXY"), "take the client IP from X-Forwarded-For, read from the right (PARLEY_TRUST_PROXY)")
	trusted := fs.String("trusted-proxies", env("PARLEY_TRUSTED_PROXIES", ""), "addresses or CIDRs of the proxies in front of the server, comma separated; implies --trust-proxy (PARLEY_TRUSTED_PROXIES)")
	fs.BoolVar(&c.Pprof, "pprof", envBool(getenv, "PARLEY_PPROF"), "serve /debug/pprof to administrators (PARLEY_PPROF)")
	c.HTTP.register(fs, getenv)
	c.Realtime.register(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	c.MaxBodyBytes = *maxBody
	proxies, err := parsePrefixes(*trusted)
	if err != nil {
		return c, fmt.Errorf("--trusted-proxies: %w", err)
	}
	c.TrustedProxies = proxies
	if len(proxies) > 0 {
		c.TrustProxy = true
	}
	if err := c.LogLevel.UnmarshalText([]byte(logLevel)); err != nil {
		return c, fmt.Errorf("--log-level: %w", err)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return c, fmt.Errorf("--log-format must be text or json")
	}
	if err := c.Realtime.check(); err != nil {
		return c, err
	}
	if err := c.HTTP.check(); err != nil {
		return c, err
	}
	c.AdminUsername = getenv("ADMIN_USERNAME")
	c.AdminPassword = getenv("ADMIN_PASS")
	c.AdminEmail = getenv("ADMIN_EMAIL")
	c.AdminName = getenv("ADMIN_NAME")
	c.CreateTokensForUsers = getenv("CREATE_TOKENS_FOR_USERS") == "true" || getenv("CREATE_TOKENS_FOR_USERS") == "yes"
	return c, nil
}

func envInt64(getenv func(string) string, key string, def int64) int64 {
	if v, err := strconv.ParseInt(getenv(key), 10, 64); err == nil {
		return v
	}
	return def
}

func envDuration(getenv func(string) string, key string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(getenv(key)); err == nil {
		return v
	}
	return def
}

func envBool(getenv func(string) string, key string) bool {
	v, _ := strconv.ParseBool(getenv(key))
	return v
}

// parsePrefixes reads a comma-separated list of CIDRs and bare addresses.
func parsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if strings.Contains(item, "/") {
			p, err := netip.ParsePrefix(item)
			if err != nil {
				return nil, err
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil {
			return nil, err
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// DatabaseFlags adds --data and --db to fs, with the defaults and variables
// of serve, so that the command-line tools find the database the server
// uses when given the same flags and environment.
func DatabaseFlags(fs *flag.FlagSet, getenv func(string) string, dataDir, databaseURL *string) {
	def := func(key, d string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return d
	}
	fs.StringVar(dataDir, "data", def("PARLEY_DATA_DIR", "./data"), "data directory: the SQLite database and uploads (PARLEY_DATA_DIR)")
	fs.StringVar(databaseURL, "db", def("PARLEY_DATABASE_URL", ""), "database: empty or sqlite:PATH for the embedded database, postgres://… for PostgreSQL (PARLEY_DATABASE_URL)")
}
