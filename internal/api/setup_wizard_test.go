package api_test

import (
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

// A server that has an administrator says its setup is done, as
// Rocket.Chat's does once its setup wizard has made one; clients read
// "pending" as a server nobody can log in to yet.
func TestSetupWizardCompletedWithAnAdministrator(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	var pub struct {
		Settings []struct {
			ID    string `json:"_id"`
			Value any    `json:"value"`
		}
	}
	e.Anon().Get(t, "settings.public", apitest.Q("_id", "Show_Setup_Wizard")).OK(t).Decode(t, &pub)
	if len(pub.Settings) != 1 || pub.Settings[0].Value != "completed" {
		t.Errorf("Show_Setup_Wizard = %+v, want completed", pub.Settings)
	}
}
