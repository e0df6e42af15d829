package config

import (
	"io"
	"net/netip"
	"reflect"
	"testing"
)

func TestTrustedProxies(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
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
			cfg, err := Load(c.args, env(c.env), io.Discard)
			if (err != nil) != c.wantErr {
				t.Fatalf("Load: %v, want error %v", err, c.wantErr)
			}
			if err != nil {
				return
			}
			if !reflect.DeepEqual(cfg.TrustedProxies, c.want) || cfg.TrustProxy != c.trust {
				t.Fatalf("TrustedProxies = %v, TrustProxy = %v; want %v, %v", cfg.TrustedProxies, cfg.TrustProxy, c.want, c.trust)
			}
		})
	}
}
