package api

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/parleychat/parley/internal/methods"
)

// Methods is the method registry method.call serves, shared with the
// websocket so that both count one rate limit per user and method.
func (s *Server) Methods() *methods.Registry { return s.methods }

// Registerer is the registry /metrics serves, for series of the layers
// mounted beside the API (the websocket).
func (s *Server) Registerer() prometheus.Registerer { return s.reg }
