package api

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/parleychat/parley/internal/methods"
)

// Methods is the method registry method.call serves, shared with the
// websocket so that both count one rate limit per user and method.
func (s *Server) Methods() *methods.Registry { return s.methods }

// Registerer is where the HTTP layer's series go, for the layers mounted
// beside it (the websocket) to report to the same /metrics.
func (s *Server) Registerer() prometheus.Registerer { return s.opts.Metrics }
