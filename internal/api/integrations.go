package api

import (
	"github.com/parleychat/parley/internal/app"
)

// URL previews and auto-translation: chat.getURLPreview and the
// autotranslate.* family.

// urlPreviewIn is the query of chat.getURLPreview.
type urlPreviewIn struct {
	RoomID string `json:"roomId" in:"required"`
	URL    string `json:"url" in:"required"`
}

func (s *Server) chatGetURLPreview(c *request, in *urlPreviewIn) (any, error) {
	return answerAs("urlPreview")(s.app.GetURLPreview(c.ctx, c.user, in.RoomID, in.URL))
}

// supportedLanguagesIn is the query of autotranslate.getSupportedLanguages.
type supportedLanguagesIn struct {
	TargetLanguage string `json:"targetLanguage" in:"required"`
}

func (s *Server) autotranslateGetSupportedLanguages(c *request, in *supportedLanguagesIn) (any, error) {
	return answerAs("languages")(s.app.GetSupportedLanguages(c.ctx, c.user, in.TargetLanguage))
}

// autoTranslateSettingsIn is the body of autotranslate.saveSettings.
type autoTranslateSettingsIn struct {
	RoomID          string `json:"roomId" in:"required"`
	Field           string `json:"field" in:"required"`
	Value           any    `json:"value" in:"required"`
	DefaultLanguage string `json:"defaultLanguage"`
}

func (s *Server) autotranslateSaveSettings(c *request, in *autoTranslateSettingsIn) (any, error) {
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

// translateMessageIn is the body of autotranslate.translateMessage.
type translateMessageIn struct {
	MessageID      string `json:"messageId" in:"required"`
	TargetLanguage string `json:"targetLanguage"`
}

func (s *Server) autotranslateTranslateMessage(c *request, in *translateMessageIn) (any, error) {
	return messageAnswer(s.app.TranslateMessage(c.ctx, c.user, in.MessageID, in.TargetLanguage))
}

func (s *Server) autotranslateGetProviderUIMetadata(c *request) (any, error) {
	return M{"providers": s.app.TranslationProviders()}, nil
}
