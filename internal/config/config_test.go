package config

import (
	"io"
	"net/netip"
	"reflect"
	"testing"
)

// load runs Load on args and the variables in vars, and fails the test
// unless it fails exactly when wantErr; ok says there is a configuration
// to check.
func load(t *testing.T, args []string, vars map[string]string, wantErr bool) (cfg Config, ok bool) {
	t.Helper()
	cfg, err := Load(args, func(k string) string { return vars[k] }, io.Discard)
	if (err != nil) != wantErr {
		t.Fatalf("Load: %v, want error %v", err, wantErr)
	}
	return cfg, err == nil
}

func TestTrustedProxies(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		env     map[string]string
		want    []netip.Prefix
		trust   bool
		wantErr bool
	}{
		{"none", nil, nil, nil, false, false},
		{"trust-proxy alone", []string{"--trust-proxy"}, nil, nil, true, false},
		{"flag", []string{"--trusted-proxies", "10.0.0.0/8, 192.168.1.5,::1"}, nil,
			[]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.5/32"), netip.MustParsePrefix("::1/128")}, true, false},
		{"environment", nil, map[string]string{"PARLEY_TRUSTED_PROXIES": "172.16.0.1/12"},
			[]netip.Prefix{netip.MustParsePrefix("172.16.0.0/12")}, true, false},
		{"flag wins", []string{"--trusted-proxies=127.0.0.1"}, map[string]string{"PARLEY_TRUSTED_PROXIES": "10.0.0.0/8"},
			[]netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, true, false},
		{"not an address", []string{"--trusted-proxies", "proxy.internal"}, nil, nil, false, true},
		{"bad prefix", []string{"--trusted-proxies", "10.0.0.0/33"}, nil, nil, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, ok := load(t, c.args, c.env, c.wantErr)
			if !ok {
				return
			}
			if !reflect.DeepEqual(cfg.TrustedProxies, c.want) || cfg.TrustProxy != c.trust {
				t.Fatalf("TrustedProxies = %v, TrustProxy = %v; want %v, %v", cfg.TrustedProxies, cfg.TrustProxy, c.want, c.trust)
			}
		})
	}
}
