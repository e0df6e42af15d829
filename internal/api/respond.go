// Package api serves Rocket.Chat's REST API over HTTP. It decodes and
// validates requests, calls one app method, and encodes the answer in
// Rocket.Chat's shapes. It knows nothing about SQL.
package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/parleychat/parley/internal/app"
)

// M is a JSON object answer; the framework adds "success": true.
type M map[string]any

// raw is an answer written exactly as given, without "success" (logout's
// legacy envelope is one).
type raw map[string]any

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// writeResult encodes a handler's answer.
func writeResult(w http.ResponseWriter, v any) {
	switch x := v.(type) {
	case M:
		if x == nil {
			x = M{}
		}
		x["success"] = true
		writeJSON(w, http.StatusOK, x)
	case raw:
		writeJSON(w, http.StatusOK, map[string]any(x))
	case nil:
		writeJSON(w, http.StatusOK, M{"success": true})
	default:
		writeJSON(w, http.StatusOK, v)
	}
}

// errorBody renders an app error in Rocket.Chat's failure envelope.
func errorBody(e *app.Error) map[string]any {
	body := map[string]any{"success": false}
	if msg := e.Message(); msg != "" {
		body["error"] = msg
	}
	if e.Type != "" {
		body["errorType"] = e.Type
	}
	if e.Details != nil {
		body["details"] = e.Details
	}
	return body
}

// writeError answers err. Errors that are not app errors are internal:
// they are logged with the request id and answered as a bare 500.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var le *loginError
	if errors.As(err, &le) {
		writeJSON(w, http.StatusUnauthorized, M{"success": false, "status": "error", "error": le.reason, "message": le.reason})
		return
	}
	var e *app.Error
	if errors.As(err, &e) {
		writeJSON(w, e.Status, errorBody(e))
		return
	}
	log.Error("internal error", "request_id", requestID(r), "path", r.URL.Path, "err", err)
	writeJSON(w, http.StatusInternalServerError, M{"success": false, "error": "Internal server error"})
}
