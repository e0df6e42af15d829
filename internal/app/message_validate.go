package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/parleychat/parley/internal/model"
)

// validateMessage is Rocket.Chat's validateMessage, after the reply's
// parent is checked against the room: impersonation needs
// message-impersonate, attachments must have the documented field types
// and safe links, and customFields must satisfy Message_CustomFields.
func (a *App) validateMessage(ctx context.Context, r *model.Room, u *model.User, in MessageInput) error {
	if err := a.checkMessageBounds(in); err != nil {
		return err
	}
	if err := a.checkReplyParent(ctx, r, in); err != nil {
		return err
	}
	if (in.Alias != "" || in.Avatar != "") && !a.HasRoomPermission(ctx, u, "message-impersonate", r.ID) {
		return Plain("Not enough permission")
	}
	if in.Avatar != "" && !validAvatar(in.Avatar) {
		return Plain("Match error: Failed Match.Where validation in field avatar")
	}
	for i, at := range in.Attachments {
		if err := validateAttachment(at, fmt.Sprintf("attachments[%d]", i)); err != nil {
			return err
		}
	}
	if in.CustomFields != nil {
		return a.validateCustomFields(in.CustomFields)
	}
	return nil
}

func matchError(want string, v any, field string) error {
	return Plain(fmt.Sprintf("Match error: Expected %s, got %s in field %s", want, jsType(v), field))
}

func jsType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	}
	return "object"
}

// linkIsSafe accepts absolute http(s) URLs and the server's own upload
// paths, and never javascript: (which a browser would run).
func linkIsSafe(s string) bool {
	t := strings.ToLower(strings.TrimSpace(s))
	if strings.HasPrefix(t, "javascript:") {
		return false
	}
	if strings.HasPrefix(s, "/file-upload/") || strings.HasPrefix(s, "/ufs/") {
		return true
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme != "" && u.Host != "" && u.Scheme != "javascript"
}

// validAvatar accepts absolute URLs and relative paths.
func validAvatar(s string) bool {
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(s)), "javascript:") {
		return false
	}
	return strings.HasPrefix(s, "/") || linkIsSafe(s)
}

var (
	attachmentStrings = []string{"color", "text", "button_alignment", "author_name", "title", "image_preview", "image_type", "audio_type", "video_type", "description"}
	attachmentBools   = []string{"collapsed", "title_link_download"}
	attachmentNumbers = []string{"image_size", "audio_size", "video_size"}
	attachmentLinks   = []string{"thumb_url", "message_link", "author_link", "author_icon", "title_link", "image_url", "audio_url", "video_url"}
)

func validateAttachment(at map[string]any, path string) error {
	check := func(keys []string, want string, ok func(any) bool) error {
		for _, k := range keys {
			if v, present := at[k]; present && v != nil && !ok(v) {
				return matchError(want, v, path+"."+k)
			}
		}
		return nil
	}
	isString := func(v any) bool { _, ok := v.(string); return ok }
	isBool := func(v any) bool { _, ok := v.(bool); return ok }
	isNumber := func(v any) bool { _, ok := v.(float64); return ok }
	if err := check(attachmentStrings, "string", isString); err != nil {
		return err
	}
	if err := check(attachmentBools, "boolean", isBool); err != nil {
		return err
	}
	if err := check(attachmentNumbers, "number", isNumber); err != nil {
		return err
	}
	if err := check([]string{"ts"}, "string or number", func(v any) bool { return isString(v) || isNumber(v) }); err != nil {
		return err
	}
	if err := check([]string{"image_dimensions"}, "object", func(v any) bool { _, ok := v.(map[string]any); return ok }); err != nil {
		return err
	}
	if err := check([]string{"actions", "fields"}, "array", func(v any) bool { _, ok := v.([]any); return ok }); err != nil {
		return err
	}
	if err := checkLinks(at, attachmentLinks, path); err != nil {
		return err
	}
	fields, _ := at["fields"].([]any)
	for i, f := range fields {
		fm, ok := f.(map[string]any)
		if !ok {
			return matchError("object", f, fmt.Sprintf("%s.fields[%d]", path, i))
		}
		if _, ok := fm["title"].(string); !ok {
			return Plain("Invalid attachment field, title and value is required")
		}
		switch fm["value"].(type) {
		case string, float64, bool:
		default:
			return Plain("Invalid attachment field, title and value is required")
		}
		if v, ok := fm["short"]; ok && v != nil && !isBool(v) {
			return matchError("boolean", v, fmt.Sprintf("%s.fields[%d].short", path, i))
		}
	}
	actions, _ := at["actions"].([]any)
	for i, act := range actions {
		am, ok := act.(map[string]any)
		if !ok {
			return matchError("object", act, fmt.Sprintf("%s.actions[%d]", path, i))
		}
		p := fmt.Sprintf("%s.actions[%d]", path, i)
		for _, k := range []string{"type", "text", "msg", "webview_height_ratio"} {
			if v, present := am[k]; present && v != nil && !isString(v) {
				return matchError("string", v, p+"."+k)
			}
		}
		for _, k := range []string{"is_webview", "msg_in_chat_window"} {
			if v, present := am[k]; present && v != nil && !isBool(v) {
				return matchError("boolean", v, p+"."+k)
			}
		}
		if err := checkLinks(am, []string{"url", "image_url"}, p); err != nil {
			return err
		}
	}
	// Quoted messages nest attachments; their links are checked too.
	nested, _ := at["attachments"].([]any)
	for i, n := range nested {
		if nm, ok := n.(map[string]any); ok {
			if err := validateAttachment(nm, fmt.Sprintf("%s.attachments[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkLinks(m map[string]any, keys []string, path string) error {
	for _, k := range keys {
		v, present := m[k]
		if !present || v == nil {
			continue
		}
		s, ok := v.(string)
		if !ok {
			return matchError("string", v, path+"."+k)
		}
		if !linkIsSafe(s) {
			return Plain("Invalid href value provided")
		}
	}
	return nil
}

// attachmentString reads a string field of a stored attachment.
func attachmentString(raw json.RawMessage, key string) string {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	s, _ := m[key].(string)
	return s
}

// customFieldSchemas caches the compiled Message_CustomFields schema.
var customFieldSchemas struct {
	mu     sync.Mutex
	source string
	schema *jsonschema.Schema
	err    error
}

func (a *App) validateCustomFields(fields map[string]any) error {
	if !a.Settings.Bool("Message_CustomFields_Enabled") {
		return Plain("Custom fields not enabled")
	}
	src := a.Settings.String("Message_CustomFields")
	c := &customFieldSchemas
	c.mu.Lock()
	if c.source != src || (c.schema == nil && c.err == nil) {
		c.source = src
		c.schema, c.err = compileCustomFieldsSchema(src)
	}
	sch, err := c.schema, c.err
	c.mu.Unlock()
	if err != nil {
		a.log.Warn("Message_CustomFields is not a valid JSON schema", "err", err)
		return Plain("Invalid custom fields")
	}
	// Round-trip through JSON so that the validator sees plain JSON values.
	b, err := json.Marshal(fields)
	if err != nil {
		return Plain("Invalid custom fields")
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(string(b)))
	if err != nil || sch.Validate(inst) != nil {
		return Plain("Invalid custom fields")
	}
	return nil
}

// compileCustomFieldsSchema compiles the setting's schema as a closed
// object: keys it does not describe are refused.
func compileCustomFieldsSchema(src string) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(src))
	if err != nil {
		return nil, err
	}
	if m, ok := doc.(map[string]any); ok {
		if _, set := m["additionalProperties"]; !set {
			m["additionalProperties"] = false
		}
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("message-custom-fields.json", doc); err != nil {
		return nil, err
	}
	return c.Compile("message-custom-fields.json")
}
