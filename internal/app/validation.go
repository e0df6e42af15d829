package app

import (
	"encoding/json"
	"html"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/parleychat/parley/internal/settings"
)

// The checks below apply settings that describe what names, passwords and
// custom fields are acceptable. They are exported so that every path that
// creates or renames a user or a room uses the same rule.

// ValidateUsername refuses a username that does not match
// UTF8_User_Names_Validation, with Rocket.Chat's error.
func (a *App) ValidateUsername(name string) error {
	if a.ValidUsername(name) {
		return nil
	}
	return E("error-input-is-not-a-valid-field", html.EscapeString(name)+" is not a valid username").
		With(map[string]any{"method": "insertOrUpdateUser", "input": name, "field": "Username"})
}

// ValidateRoomName is Rocket.Chat's getValidRoomName without its
// duplicate check: it returns the name a room is stored under and its
// display name (fname). With UI_Allow_room_names_with_special_chars on,
// the given name is the display name and its slug the name; otherwise
// both are the name as given. The name must match
// UTF8_Channel_Names_Validation and must not be a mention keyword (all,
// here). method names the caller in the error's details.
func (a *App) ValidateRoomName(displayName, method string) (name, fname string, err error) {
	name = displayName
	if a.Settings.Bool("UI_Allow_room_names_with_special_chars") {
		name = slugify(displayName)
	}
	if name == "" || !namePattern(a.Settings.String("UTF8_Channel_Names_Validation")).MatchString(name) || isMentionKeyword(name) {
		return "", "", E("error-invalid-room-name", html.EscapeString(name)+" is not a valid room name").
			With(map[string]any{"method": method, "room_name": name})
	}
	return name, displayName, nil
}

// slugify makes a room name from a display name the way Rocket.Chat's
// slug does for the usual cases: case is kept, accents are dropped (é
// becomes e), Greek and Cyrillic letters are spelled in Latin ones
// (Ελληνικά becomes Ellinika), other letters and digits stay, '_' and '.'
// stay, and each run of anything else becomes one '-', none at either
// end.
func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFC.String(strings.TrimSpace(s)) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '.':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteString(latinSpelling(r))
		case unicode.Is(unicode.Mn, r):
		default:
			dash = true
		}
	}
	return b.String()
}

// latinSpelling spells a letter without its accents, and a Greek or
// Cyrillic one in Latin letters, in the letter's case. Cyrillic letters
// whose marks make them letters of their own (ё, й) are spelled whole.
func latinSpelling(r rune) string {
	lower := unicode.ToLower(r)
	spelled, ok := cyrillicLatin[lower]
	if !ok {
		var base strings.Builder
		for _, d := range norm.NFD.String(string(lower)) {
			if !unicode.Is(unicode.Mn, d) {
				base.WriteRune(d)
			}
		}
		spelled = base.String()
		d, _ := utf8.DecodeRuneInString(spelled)
		if g, ok := greekLatin[d]; ok {
			spelled = g
		} else if c, ok := cyrillicLatin[d]; ok {
			spelled = c
		}
	}
	if lower != r && spelled != "" {
		first, size := utf8.DecodeRuneInString(spelled)
		return string(unicode.ToUpper(first)) + spelled[size:]
	}
	return spelled
}

var greekLatin = map[rune]string{
	'α': "a", 'β': "v", 'γ': "g", 'δ': "d", 'ε': "e", 'ζ': "z", 'η': "i", 'θ': "th",
	'ι': "i", 'κ': "k", 'λ': "l", 'μ': "m", 'ν': "n", 'ξ': "ks", 'ο': "o", 'π': "p",
	'ρ': "r", 'σ': "s", 'ς': "s", 'τ': "t", 'υ': "y", 'φ': "f", 'χ': "x", 'ψ': "ps", 'ω': "o",
}

var cyrillicLatin = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "yo", 'ж': "zh",
	'з': "z", 'и': "i", 'й': "j", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
	'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "h", 'ц': "c",
	'ч': "ch", 'ш': "sh", 'щ': "sh", 'ъ': "u", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu",
	'я': "ya", 'є': "ye", 'і': "i", 'ї': "yi", 'ґ': "g",
}

// passwordReason is one unmet rule of the password policy, as Rocket.Chat
// lists it in the error's details.
type passwordReason struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// errPasswordPolicy is the refusal of a password; its details list every
// rule the password breaks.
func errPasswordPolicy(reasons []passwordReason) error {
	e := E("error-password-policy-not-met", "The password provided does not meet the server's password policy.")
	if len(reasons) == 0 {
		return e
	}
	list := make([]any, len(reasons))
	for i, r := range reasons {
		list[i] = map[string]any{"error": r.Error, "message": r.Message}
	}
	return e.WithList(list)
}

// CheckPasswordPolicy applies Accounts_Password_Policy_* to a new
// password. A blank password never passes; the rest only while the policy
// is enabled. Lengths count UTF-16 units, as Rocket.Chat counts them.
func (a *App) CheckPasswordPolicy(password string) error {
	if strings.TrimSpace(password) == "" {
		return errPasswordPolicy(nil)
	}
	s := a.Settings
	if !s.Bool("Accounts_Password_Policy_Enabled") {
		return nil
	}
	var reasons []passwordReason
	add := func(typ, msg string) { reasons = append(reasons, passwordReason{typ, msg}) }
	n := utf16Len(password)
	if min := s.Int("Accounts_Password_Policy_MinLength"); min >= 1 && n < min {
		add("error-password-policy-not-met-minLength", "The password does not meet the minimum length password policy.")
	}
	if max := s.Int("Accounts_Password_Policy_MaxLength"); max >= 1 && n > max {
		add("error-password-policy-not-met-maxLength", "The password does not meet the maximum length password policy.")
	}
	if s.Bool("Accounts_Password_Policy_ForbidRepeatingCharacters") && longestRun(password) > max(s.Int("Accounts_Password_Policy_ForbidRepeatingCharactersCount"), 0) {
		add("error-password-policy-not-met-repeatingCharacters", "The password contains repeating characters which is against the password policy.")
	}
	has := func(ok func(rune) bool) bool { return strings.IndexFunc(password, ok) >= 0 }
	if s.Bool("Accounts_Password_Policy_AtLeastOneLowercase") && !has(func(r rune) bool { return r >= 'a' && r <= 'z' }) {
		add("error-password-policy-not-met-oneLowercase", "The password does not contain at least one lowercase character which is against the password policy.")
	}
	if s.Bool("Accounts_Password_Policy_AtLeastOneUppercase") && !has(func(r rune) bool { return r >= 'A' && r <= 'Z' }) {
		add("error-password-policy-not-met-oneUppercase", "The password does not contain at least one uppercase character which is against the password policy.")
	}
	if s.Bool("Accounts_Password_Policy_AtLeastOneNumber") && !has(func(r rune) bool { return r >= '0' && r <= '9' }) {
		add("error-password-policy-not-met-oneNumber", "The password does not contain at least one numerical character which is against the password policy.")
	}
	special := func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == ' ')
	}
	if s.Bool("Accounts_Password_Policy_AtLeastOneSpecialCharacter") && !has(special) {
		add("error-password-policy-not-met-oneSpecial", "The password does not contain at least one special character which is against the password policy.")
	}
	if len(reasons) > 0 {
		return errPasswordPolicy(reasons)
	}
	return nil
}

// longestRun is the length of the longest run of one character repeated
// in a row, not counting line breaks, which Rocket.Chat's pattern skips.
func longestRun(s string) int {
	best, run := 0, 0
	var prev rune = -1
	for _, r := range s {
		if r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' {
			prev, run = -1, 0
			continue
		}
		if r == prev {
			run++
		} else {
			prev, run = r, 1
		}
		best = max(best, run)
	}
	return best
}

// PasswordPolicy is pw.getPolicy's answer: whether the policy is on and
// its rules, as Rocket.Chat's clients render them.
func (a *App) PasswordPolicy() map[string]any {
	s := a.Settings
	policy := [][]any{}
	if !s.Bool("Accounts_Password_Policy_Enabled") {
		return map[string]any{"enabled": false, "policy": policy}
	}
	if n := s.Int("Accounts_Password_Policy_MinLength"); n >= 1 {
		policy = append(policy, []any{"get-password-policy-minLength", map[string]any{"minLength": n}})
	}
	if n := s.Int("Accounts_Password_Policy_MaxLength"); n >= 1 {
		policy = append(policy, []any{"get-password-policy-maxLength", map[string]any{"maxLength": n}})
	}
	if s.Bool("Accounts_Password_Policy_ForbidRepeatingCharacters") {
		policy = append(policy, []any{"get-password-policy-forbidRepeatingCharacters"})
	}
	if n := s.Int("Accounts_Password_Policy_ForbidRepeatingCharactersCount"); n != 0 {
		policy = append(policy, []any{"get-password-policy-forbidRepeatingCharactersCount", map[string]any{"forbidRepeatingCharactersCount": n}})
	}
	for _, rule := range []struct{ setting, key string }{
		{"Accounts_Password_Policy_AtLeastOneLowercase", "get-password-policy-mustContainAtLeastOneLowercase"},
		{"Accounts_Password_Policy_AtLeastOneUppercase", "get-password-policy-mustContainAtLeastOneUppercase"},
		{"Accounts_Password_Policy_AtLeastOneNumber", "get-password-policy-mustContainAtLeastOneNumber"},
		{"Accounts_Password_Policy_AtLeastOneSpecialCharacter", "get-password-policy-mustContainAtLeastOneSpecialCharacter"},
	} {
		if s.Bool(rule.setting) {
			policy = append(policy, []any{rule.key})
		}
	}
	return map[string]any{"enabled": true, "policy": policy}
}

// CheckCustomFields applies the Accounts_CustomFields definition to the
// customFields of a new or updated user and returns what is stored: only
// the defined fields, as Rocket.Chat keeps them. Without a definition the
// fields are stored as given. The checks, in the definition's order, are
// Rocket.Chat's: a required field must not be blank, a select field's
// value must be one of its options, and the trimmed value must respect
// maxLength and (unless blank) minLength.
func (a *App) CheckCustomFields(fields map[string]any) (map[string]any, error) {
	defs, err := settings.ParseCustomFields(a.Settings.String("Accounts_CustomFields"))
	if err != nil {
		return nil, E("error-invalid-customfield-json", "Invalid JSON for Custom Fields")
	}
	if defs == nil {
		return fields, nil
	}
	refuse := func(reason string) error {
		return E("error-user-registration-custom-field", reason).With(map[string]any{"method": "registerUser"})
	}
	kept := map[string]any{}
	for _, f := range defs {
		raw, present := fields[f.Name]
		value := strings.TrimSpace(customFieldText(raw))
		if f.Required && value == "" {
			return nil, refuse("Field " + f.Name + " is required")
		}
		if f.Type == "select" && f.Options != nil && !optionOf(f.Options, raw) {
			return nil, refuse("Value for field " + f.Name + " is invalid")
		}
		n := float64(utf16Len(value))
		if f.MaxLength != 0 && n > f.MaxLength {
			return nil, refuse("Max length of field " + f.Name + " " + jsNumber(f.MaxLength))
		}
		if f.MinLength != 0 && n > 0 && n < f.MinLength {
			return nil, refuse("Min length of field " + f.Name + " " + jsNumber(f.MinLength))
		}
		if present {
			kept[f.Name] = raw
		}
	}
	return kept, nil
}

// customFieldText is a custom field's value as text: strings as they
// are, nothing as "", anything else as its JSON.
func customFieldText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

func optionOf(options []string, v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	for _, o := range options {
		if o == s {
			return true
		}
	}
	return false
}

// jsNumber writes a number as JavaScript prints it in a message: 10, not
// 10.0.
func jsNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// CheckUserLimit refuses an action that would add more than API_User_Limit
// users to a room at once (channels.addAll, invites of many users), with
// Rocket.Chat's error. A limit below 1 is no limit.
func (a *App) CheckUserLimit(count int, method string) error {
	if limit := a.Settings.Int("API_User_Limit"); limit >= 1 && count > limit {
		return E("error-user-limit-exceeded", "User Limit Exceeded").With(map[string]any{"method": method})
	}
	return nil
}
