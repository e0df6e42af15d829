package api_test

import (
	"slices"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

const policyNotMet = "The password provided does not meet the server's password policy. [error-password-policy-not-met]"

// policyReasons returns the details.error list of a password-policy refusal.
func policyReasons(t *testing.T, r *apitest.Response) []string {
	t.Helper()
	m := r.Fails(t, 400, "error-password-policy-not-met", policyNotMet).JSON(t)
	list, ok := m["details"].([]any)
	if !ok {
		t.Fatalf("details = %v, want a list", m["details"])
	}
	var out []string
	for _, d := range list {
		item, _ := d.(map[string]any)
		if item["message"] == "" || item["message"] == nil {
			t.Fatalf("reason without a message: %v", d)
		}
		out = append(out, item["error"].(string))
	}
	return out
}

func TestPasswordPolicy(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	bob := e.NewUser(t, "bob")
	// Off by default: weak passwords pass.
	e.Admin.Post(t, "users.create", map[string]any{"username": "weak", "email": "weak@example.com", "name": "Weak", "password": "x"}).OK(t)

	e.SetSetting(t, "Accounts_Password_Policy_Enabled", true)
	const p = "error-password-policy-not-met-"
	cases := []struct {
		password string
		settings map[string]any
		want     []string
	}{
		{"2", nil, []string{p + "minLength", p + "oneLowercase", p + "oneUppercase", p + "oneSpecial"}},
		{"Abc@12345678", map[string]any{"Accounts_Password_Policy_MaxLength": 5}, []string{p + "maxLength"}},
		{"A@123aaaa", nil, []string{p + "repeatingCharacters"}},
		{"A@123aaa", nil, nil}, // three in a row are allowed by default
		{"A@123aaa", map[string]any{"Accounts_Password_Policy_ForbidRepeatingCharactersCount": 2}, []string{p + "repeatingCharacters"}},
		{"PASSWORD@123", nil, []string{p + "oneLowercase"}},
		{"password@123", nil, []string{p + "oneUppercase"}},
		{"Password@", nil, []string{p + "oneNumber"}},
		{"Password123", nil, []string{p + "oneSpecial"}},
		{"Pass word123", nil, []string{p + "oneSpecial"}}, // a space is not special
		{"Pässword123", nil, nil},                         // anything beyond ASCII is
		{"123Abc@!", nil, nil},
		{"abc", map[string]any{"Accounts_Password_Policy_MinLength": 0, "Accounts_Password_Policy_AtLeastOneUppercase": false,
			"Accounts_Password_Policy_AtLeastOneNumber": false, "Accounts_Password_Policy_AtLeastOneSpecialCharacter": false}, nil},
	}
	defaults := map[string]any{"Accounts_Password_Policy_MaxLength": -1, "Accounts_Password_Policy_ForbidRepeatingCharactersCount": 3,
		"Accounts_Password_Policy_MinLength": 7, "Accounts_Password_Policy_AtLeastOneUppercase": true,
		"Accounts_Password_Policy_AtLeastOneNumber": true, "Accounts_Password_Policy_AtLeastOneSpecialCharacter": true}
	for i, tc := range cases {
		for id, v := range defaults {
			e.SetSetting(t, id, v)
		}
		for id, v := range tc.settings {
			e.SetSetting(t, id, v)
		}
		name := e.Unique("pw")
		create := e.Admin.Post(t, "users.create", map[string]any{"username": name, "email": name + "@example.com", "name": name, "password": tc.password})
		register := e.Anon().Post(t, "users.register", map[string]any{"username": name + "r", "email": name + "r@example.com", "name": name, "pass": tc.password})
		update := e.Admin.Post(t, "users.update", map[string]any{"userId": bob.UserID, "data": map[string]any{"password": tc.password}})
		for _, r := range []*apitest.Response{create, register, update} {
			if tc.want == nil {
				r.OK(t)
				continue
			}
			if got := policyReasons(t, r); !slices.Equal(got, tc.want) {
				t.Errorf("case %d %q on %s: reasons %v, want %v", i, tc.password, r.Target, got, tc.want)
			}
		}
		if tc.want != nil {
			// Nothing was made.
			e.Admin.Get(t, "users.info", apitest.Q("username", name)).Expect(t, 400)
		} else {
			e.Login(t, name, tc.password)
			e.Login(t, "bob", tc.password)
		}
	}
}

// A blank password never passes, policy or not.
func TestPasswordPolicyBlank(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	r := e.Admin.Post(t, "users.create", map[string]any{"username": "blank", "email": "blank@example.com", "name": "Blank", "password": "   "})
	r.Fails(t, 400, "error-password-policy-not-met", policyNotMet)
}

func TestPasswordGetPolicy(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	u := e.NewUser(t, "reader")
	e.Anon().Get(t, "pw.getPolicy").Expect(t, 401)
	off := u.Get(t, "pw.getPolicy").OK(t).JSON(t)
	if off["enabled"] != false || len(off["policy"].([]any)) != 0 {
		t.Fatalf("disabled policy = %v", off)
	}
	e.SetSetting(t, "Accounts_Password_Policy_Enabled", true)
	e.SetSetting(t, "Accounts_Password_Policy_MaxLength", 20)
	var on struct {
		Enabled bool
		Policy  [][]any
	}
	u.Get(t, "pw.getPolicy").OK(t).Decode(t, &on)
	want := []string{"get-password-policy-minLength", "get-password-policy-maxLength", "get-password-policy-forbidRepeatingCharacters",
		"get-password-policy-forbidRepeatingCharactersCount", "get-password-policy-mustContainAtLeastOneLowercase",
		"get-password-policy-mustContainAtLeastOneUppercase", "get-password-policy-mustContainAtLeastOneNumber",
		"get-password-policy-mustContainAtLeastOneSpecialCharacter"}
	if !on.Enabled || len(on.Policy) != len(want) {
		t.Fatalf("policy = %+v", on)
	}
	for i, rule := range on.Policy {
		if rule[0] != want[i] {
			t.Fatalf("rule %d = %v, want %s", i, rule, want[i])
		}
	}
	if limits := on.Policy[0][1].(map[string]any); limits["minLength"] != 7.0 {
		t.Fatalf("minLength rule = %v", on.Policy[0])
	}
	if limits := on.Policy[1][1].(map[string]any); limits["maxLength"] != 20.0 {
		t.Fatalf("maxLength rule = %v", on.Policy[1])
	}
}
