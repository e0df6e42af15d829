package main

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// publicSetting reads one setting from settings.public, without a login.
func publicSetting(t *testing.T, base, id string) any {
	t.Helper()
	res, err := http.Get(base + "/api/v1/settings.public?count=0")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Settings []struct {
			ID    string `json:"_id"`
			Value any    `json:"value"`
		} `json:"settings"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	for _, s := range out.Settings {
		if s.ID == id {
			return s.Value
		}
	}
	t.Fatalf("settings.public lists no %s", id)
	return nil
}

// TestSetupWizardFollowsTheFirstAdministrator: Show_Setup_Wizard stays
// "pending" while the server has no administrator, which is what the web
// client's login page reads to say how to create one, and is "completed"
// once one exists, however it was made.
func TestSetupWizardFollowsTheFirstAdministrator(t *testing.T) {
	dir := t.TempDir()
	base, stop := serveDir(t, dir, nil, io.Discard)
	if got := publicSetting(t, base, "Show_Setup_Wizard"); got != "pending" {
		t.Errorf("without users: %v, want pending", got)
	}
	stop()
	mustCLI(t, "boss-pw\n", nil, "admin", "create-user", "--admin", "--username", "boss", "--email", "boss@example.com", "--password-stdin", "--data", dir)
	base, _ = serveDir(t, dir, nil, io.Discard)
	if got := publicSetting(t, base, "Show_Setup_Wizard"); got != "completed" {
		t.Errorf("after admin create-user: %v, want completed", got)
	}

	base, _ = startServer(t, map[string]string{"ADMIN_USERNAME": "root", "ADMIN_PASS": "pw", "ADMIN_EMAIL": "root@example.com"})
	if got := publicSetting(t, base, "Show_Setup_Wizard"); got != "completed" {
		t.Errorf("with ADMIN_USERNAME: %v, want completed", got)
	}
}
