package api

import (
	"net/http"
	"net/http/pprof"

	"github.com/parleychat/parley/internal/app"
)

// mountPprof serves /debug/pprof/ to administrators only: profiles expose
// internals and cost CPU, so they are off unless the operator turns them on.
func (s *Server) mountPprof() {
	admin := func(h http.Handler) http.Handler {
		return s.wrap("pprof", func(w http.ResponseWriter, r *http.Request) {
			u, err := s.app.Authenticate(r.Context(), r.Header.Get("X-User-Id"), r.Header.Get("X-Auth-Token"))
			if e, ok := app.AsError(err); err != nil && (!ok || e.Status != http.StatusUnauthorized) {
				// An unreachable database is an outage (503), not bad credentials.
				writeError(w, r, s.log, err)
				return
			}
			if err != nil || !u.HasRole("admin") {
				writeJSON(w, http.StatusUnauthorized, M{"success": false, "error": "You must be logged in to do this."})
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	s.mux.Handle("/debug/pprof/", admin(http.HandlerFunc(pprof.Index)))
	s.mux.Handle("/debug/pprof/cmdline", admin(http.HandlerFunc(pprof.Cmdline)))
	s.mux.Handle("/debug/pprof/profile", admin(http.HandlerFunc(pprof.Profile)))
	s.mux.Handle("/debug/pprof/symbol", admin(http.HandlerFunc(pprof.Symbol)))
	s.mux.Handle("/debug/pprof/trace", admin(http.HandlerFunc(pprof.Trace)))
}
