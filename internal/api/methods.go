package api

import (
	"net/http"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/methods"
)

// errInvalidMethodCall answers a message that is not a DDP method frame.
var errInvalidMethodCall = app.Plain("Invalid method call")

// methodCall is method.call/{method}: one DDP method frame, carried as a
// string in {"message": ...}, run for the logged-in caller. As in
// Rocket.Chat, the frame names the method; the name in the path is only
// for logs and proxies. The answer carries the result frame, as a string:
// 200 with success true, or 400 with success false when the method failed.
func (s *Server) methodCall(c *request) (any, error) {
	return s.runMethod(c, methods.Caller{User: c.user, Connection: c.token})
}

// methodCallAnon is method.callAnon/{method}: the same, for a caller who
// need not be logged in; methods that need a user refuse it.
func (s *Server) methodCallAnon(c *request) (any, error) {
	return s.runMethod(c, methods.Caller{Connection: s.clientIP(c.r)})
}

func (s *Server) runMethod(c *request, who methods.Caller) (any, error) {
	var in struct {
		Message string `json:"message" in:"required"`
	}
	if err := c.bindBody(&in); err != nil {
		return nil, err
	}
	call, err := methods.ParseCall([]byte(in.Message))
	if err != nil {
		return nil, errInvalidMethodCall
	}
	result, merr := s.methods.Call(c.ctx, who, call.Method, call.Params)
	frame, err := methods.ResultFrame(call.ID, result, merr)
	if err != nil {
		return nil, err
	}
	if merr != nil {
		if code, ok := merr.Code.(string); ok {
			s.metrics.errors.WithLabelValues("method.call", code).Inc()
		}
		return withStatus{http.StatusBadRequest, M{"success": false, "message": string(frame)}}, nil
	}
	return M{"message": string(frame)}, nil
}
