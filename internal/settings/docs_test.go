package settings_test

import (
	"os"
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/auth"
	"github.com/parleychat/parley/internal/settings"
)

// The configuration guide must list every setting and permission, so that
// nobody has to read the code to learn what the server does.
func TestConfigurationDocIsComplete(t *testing.T) {
	b, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatalf("read docs/configuration.md: %v", err)
	}
	doc := string(b)
	for _, d := range settings.Defaults() {
		if !strings.Contains(doc, "`"+d.ID+"`") {
			t.Errorf("docs/configuration.md does not list setting %s", d.ID)
		}
	}
	for id := range auth.DefaultPermissions {
		if !strings.Contains(doc, "`"+id+"`") {
			t.Errorf("docs/configuration.md does not list permission %s", id)
		}
	}
}

func TestCoerce(t *testing.T) {
	r := settings.NewDefault()
	cases := []struct {
		id   string
		in   any
		want any
		ok   bool
	}{
		{"Message_AllowEditing", "TRUE", true, true},
		{"Message_AllowEditing", 1.0, nil, false},
		{"Message_MaxAllowedSize", 10.0, 10, true},
		{"Message_MaxAllowedSize", "12", 12, true},
		{"Message_MaxAllowedSize", 1.5, nil, false},
		{"Accounts_RegistrationForm", "Disabled", "Disabled", true},
		{"Accounts_RegistrationForm", "Sometimes", nil, false},
		{"No_Such", "x", nil, false},
	}
	for _, c := range cases {
		got, err := r.Coerce(c.id, c.in)
		if (err == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("Coerce(%s, %v) = %v, %v", c.id, c.in, got, err)
		}
	}
	env, err := r.EnvOverrides([]string{"OVERWRITE_SETTING_API_Enable_Rate_Limiter=false", "HOME=/root"})
	if err != nil || env["API_Enable_Rate_Limiter"] != false || len(env) != 1 {
		t.Fatalf("EnvOverrides = %v, %v", env, err)
	}
}
