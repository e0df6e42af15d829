package api

import (
	"github.com/parleychat/parley/internal/app"
)

// URL previews and auto-translation: chat.getURLPreview and the
// autotranslate.* family.

func (s *Server) chatGetURLPreview(c *request) (any, error) {
	var in struct {
		RoomID string `json:"roomId"`
		URL    string `json:"url"`
	}
	sc := schema{props: map[string]kind{"roomId": kString, "url": kString}, required: []string{"roomId", "url"}}
	if err := c.bindQuery(sc, &in); err != nil {
		return nil, err
	}
	p, err := s.app.GetURLPreview(c.ctx, c.user, in.RoomID, in.URL)
	if err != nil {
		return nil, err
	}
	return M{"urlPreview": p}, nil
}

func (s *Server) autotranslateGetSupportedLanguages(c *request) (any, error) {
	var in struct {
		TargetLanguage string `json:"targetLanguage"`
	}
	sc := schema{props: map[string]kind{"targetLanguage": kString}, required: []string{"targetLanguage"}}
	if err := c.bindQuery(sc, &in); err != nil {
		return nil, err
	}
	langs, err := s.app.GetSupportedLanguages(c.ctx, c.user, in.TargetLanguage)
	if err != nil {
		return nil, err
	}
	return M{"languages": langs}, nil
}

func (s *Server) autotranslateSaveSettings(c *request) (any, error) {
	body, err := readBody(c.r)
	if err != nil {
		return nil, err
	}
	var in struct {
		RoomID          string `json:"roomId"`
		Field           string `json:"field"`
		Value           any    `json:"value"`
		DefaultLanguage string `json:"defaultLanguage"`
	}
	sc := schema{
		props:    map[string]kind{"roomId": kString, "field": kString, "value": kAny, "defaultLanguage": kString},
		required: []string{"roomId", "field", "value"},
	}
	if err := c.decodeBody(body, sc, &in); err != nil {
		return nil, err
	}
	if in.Field != "autoTranslate" && in.Field != "autoTranslateLanguage" {
		return nil, app.Invalid("must be equal to one of the allowed values")
	}
	// The schema allows a boolean or a string; ajv's coercion turns a
	// number into a string, and nothing else passes.
	switch v := in.Value.(type) {
	case bool, string:
	case float64:
		in.Value, _ = coerce(v, kString)
	default:
		return nil, app.Invalid("must be boolean")
	}
	err = s.app.SaveAutoTranslateSettings(c.ctx, c.user, app.AutoTranslateSettingsInput{
		RoomID: in.RoomID, Field: in.Field, Value: in.Value, DefaultLanguage: in.DefaultLanguage,
	})
	return nil, err
}

func (s *Server) autotranslateTranslateMessage(c *request) (any, error) {
	var in struct {
		MessageID      string `json:"messageId"`
		TargetLanguage string `json:"targetLanguage"`
	}
	sc := schema{props: map[string]kind{"messageId": kString, "targetLanguage": kString}, required: []string{"messageId"}}
	if err := c.bindBody(sc, &in); err != nil {
		return nil, err
	}
	m, err := s.app.TranslateMessage(c.ctx, c.user, in.MessageID, in.TargetLanguage)
	if err != nil {
		return nil, err
	}
	return M{"message": m}, nil
}

func (s *Server) autotranslateGetProviderUIMetadata(c *request) (any, error) {
	return M{"providers": s.app.TranslationProviders()}, nil
}
