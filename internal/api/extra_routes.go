package api

// directRoutes serves the dm.* family (each also as im.*) and uploads.
func (s *Server) directRoutes() []route { return nil }

// integrationRoutes serves URL previews and auto-translation.
func (s *Server) integrationRoutes() []route { return nil }
