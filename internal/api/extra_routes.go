package api

// directRoutes serves the dm.* family (each also as im.*), uploads, and
// the channels/groups message listings that share the dm.messages code.
func (s *Server) directRoutes() []route { return s.directAndUploadRoutes() }

// integrationRoutes serves URL previews and auto-translation. Their
// background work keeps its metrics in the app; this is where the server
// learns about that work, so its collectors join /metrics here.
func (s *Server) integrationRoutes() []route {
	s.reg.MustRegister(s.app.Metrics())
	return []route{
		{"GET", "chat.getURLPreview", true, s.chatGetURLPreview},
		{"GET", "autotranslate.getSupportedLanguages", true, s.autotranslateGetSupportedLanguages},
		{"POST", "autotranslate.saveSettings", true, s.autotranslateSaveSettings},
		{"POST", "autotranslate.translateMessage", true, s.autotranslateTranslateMessage},
		{"GET", "autotranslate.getProviderUiMetadata", true, s.autotranslateGetProviderUIMetadata},
	}
}
