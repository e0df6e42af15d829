package api

// directRoutes serves the dm.* family (each also as im.*), uploads, and
// the channels/groups message listings that share the dm.messages code.
func (s *Server) directRoutes() []route { return s.directAndUploadRoutes() }

// integrationRoutes serves URL previews and auto-translation.
func (s *Server) integrationRoutes() []route { return nil }
