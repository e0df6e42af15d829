package settings

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// CustomField is one entry of the Accounts_CustomFields definition: a user
// field that users.create, users.update and users.register check.
type CustomField struct {
	Name     string
	Required bool
	// Type "select" limits the value to Options; anything else is text.
	Type    string
	Options []string
	// MinLength and MaxLength bound the trimmed value in characters; 0 is
	// no bound.
	MinLength, MaxLength float64
}

// customFieldJSON is how one entry is written in the setting.
type customFieldJSON struct {
	Required  any      `json:"required"`
	Type      string   `json:"type"`
	Options   []string `json:"options"`
	MinLength *float64 `json:"minLength"`
	MaxLength *float64 `json:"maxLength"`
}

// ParseCustomFields reads an Accounts_CustomFields definition: a JSON
// object whose members are the fields, in the order written (the order in
// which they are checked). An empty or blank definition defines nothing
// and yields nil.
func ParseCustomFields(src string) ([]CustomField, error) {
	if strings.TrimSpace(src) == "" {
		return nil, nil
	}
	dec := json.NewDecoder(strings.NewReader(src))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, errors.New("the definition must be a JSON object of fields")
	}
	fields := []CustomField{}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, errors.New("the definition is not valid JSON")
		}
		name, _ := key.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, errors.New("the definition is not valid JSON")
		}
		if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
			return nil, fmt.Errorf("field %s must be a JSON object", name)
		}
		var f customFieldJSON
		if err := json.Unmarshal(raw, &f); err != nil {
			return nil, fmt.Errorf("field %s: type, options, minLength or maxLength has the wrong type", name)
		}
		cf := CustomField{Name: name, Required: truthy(f.Required), Type: f.Type, Options: f.Options}
		if f.MinLength != nil {
			cf.MinLength = *f.MinLength
		}
		if f.MaxLength != nil {
			cf.MaxLength = *f.MaxLength
		}
		fields = append(fields, cf)
	}
	if _, err := dec.Token(); err != nil {
		return nil, errors.New("the definition is not valid JSON")
	}
	if dec.More() {
		return nil, errors.New("the definition must be one JSON object")
	}
	return fields, nil
}

// truthy is JavaScript's truthiness of a decoded JSON value, which is how
// Rocket.Chat reads a field's "required".
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case float64:
		return x != 0
	case string:
		return x != ""
	default:
		return true
	}
}

// ValidateCustomFieldsDefinition refuses an Accounts_CustomFields value
// that ParseCustomFields cannot read, so that a broken definition is
// caught when it is saved rather than when the next user is created.
func ValidateCustomFieldsDefinition(v any) error {
	s, _ := v.(string)
	_, err := ParseCustomFields(s)
	return err
}
