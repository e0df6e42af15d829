package settings_test

import (
	"testing"

	"github.com/parleychat/parley/internal/settings"
)

func TestDefaultSiteURL(t *testing.T) {
	for addr, want := range map[string]string{
		":3000":          "http://localhost:3000",
		"0.0.0.0:8080":   "http://localhost:8080",
		"[::]:3000":      "http://localhost:3000",
		"127.0.0.1:3000": "http://127.0.0.1:3000",
		"chat.lan:80":    "http://chat.lan:80",
		"[::1]:3000":     "http://[::1]:3000",
		"nonsense":       "",
		":0":             "",
	} {
		if got := settings.DefaultSiteURL(addr); got != want {
			t.Errorf("DefaultSiteURL(%q) = %q, want %q", addr, got, want)
		}
	}
}

func TestParseCustomFieldsKeepsOrder(t *testing.T) {
	fields, err := settings.ParseCustomFields(`{"zeta": {"required": true}, "alpha": {"type": "select", "options": ["a"], "maxLength": 3}}`)
	if err != nil || len(fields) != 2 || fields[0].Name != "zeta" || !fields[0].Required || fields[1].Name != "alpha" || fields[1].Type != "select" || fields[1].MaxLength != 3 {
		t.Fatalf("ParseCustomFields = %+v, %v", fields, err)
	}
	if fields, err := settings.ParseCustomFields("  "); fields != nil || err != nil {
		t.Fatalf("blank definition = %v, %v", fields, err)
	}
	if _, err := settings.ParseCustomFields(`{"a": {}} {}`); err == nil {
		t.Fatal("two objects were accepted")
	}
}
