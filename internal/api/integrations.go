package api

import (
	"github.com/parleychat/parley/internal/app"
)

// URL previews and auto-translation: chat.getURLPreview and the
// autotranslate.* family.

func (s *Server) chatGetURLPreview(c *request) (any, error) {
	var in struct {
		RoomID string `json:"roomId" in:"required"`
		URL    string `json:"url" in:"required"`
	}
	if err := c.bindQuery(&in); err != nil {
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
		TargetLanguage string `json:"targetLanguage" in:"required"`
	}
	if err := c.bindQuery(&in); err != nil {
		return nil, err
	}
	langs, err := s.app.GetSupportedLanguages(c.ctx, c.user, in.TargetLanguage)
	if err != nil {
		return nil, err
	}
	return M{"languages": langs}, nil
}

func (s *Server) autotranslateSaveSettings(c *request) (any, error) {
	var in struct {
		RoomID          string `json:"roomId" in:"required"`
		Field           string `json:"field" in:"required"`
		Value           any    `json:"value" in:"required"`
		DefaultLanguage string `json:"defaultLanguage"`
	}
	if err := c.bindBody(&in); err != nil {
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
	err := s.app.SaveAutoTranslateSettings(c.ctx, c.user, app.AutoTranslateSettingsInput{
		RoomID: in.RoomID, Field: in.Field, Value: in.Value, DefaultLanguage: in.DefaultLanguage,
	})
	return nil, err
}

func (s *Server) autotranslateTranslateMessage(c *request) (any, error) {
	var in struct {
		MessageID      string `json:"messageId" in:"required"`
		TargetLanguage string `json:"targetLanguage"`
	}
	if err := c.bindBody(&in); err != nil {
		return nil, err
	}
	return messageAnswer(s.app.TranslateMessage(c.ctx, c.user, in.MessageID, in.TargetLanguage))
}

func (s *Server) autotranslateGetProviderUIMetadata(c *request) (any, error) {
	return M{"providers": s.app.TranslationProviders()}, nil
}
