// Package api serves Rocket.Chat's REST API over HTTP. It decodes and
// validates requests, calls one app method, and encodes the answer in
// Rocket.Chat's shapes. It knows nothing about SQL.
package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strconv"

	"github.com/parleychat/parley/internal/app"
)

// M is a JSON object answer; the framework adds "success": true.
type M map[string]any

// answerAs is the answer of the routes that return one value under key,
// for a call that returns the value and an error:
// answerAs("token")(s.app.GeneratePersonalToken(...)).
func answerAs(key string) func(v any, err error) (any, error) {
	return func(v any, err error) (any, error) {
		if err != nil {
			return nil, err
		}
		return M{key: v}, nil
	}
}

// pageAnswer is the envelope of the paginated listings: one page of the
// list under key, how many it holds, where it starts and how many there
// are in all. An empty page is [], never null.
func pageAnswer[T any](key string, list []T, p page, total int) M {
	if list == nil {
		list = []T{}
	}
	return M{key: list, "count": len(list), "offset": p.Offset, "total": total}
}

// updatesAnswer is the answer of the listings that take updatedSince:
// what changed since (an empty list is [], never null), and nothing
// removed.
func updatesAnswer[T any](list []T, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []T{}
	}
	return M{"update": list, "remove": []any{}}, nil
}

// raw is an answer written exactly as given, without "success" (logout's
// legacy envelope is one).
type raw map[string]any

// withStatus is an answer written as given with a status other than 200
// (method.call's failures carry their frame, not the error envelope).
type withStatus struct {
	status int
	body   any
}

// rawList is a list of JSON documents the server produced itself (stored
// messages), written into an answer byte for byte: encoding/json would
// validate and compact every byte of them again, which cost a fifth of a
// history read.
type rawList []json.RawMessage

// streamAbove is the size of stored documents from which an answer is
// written as it is encoded instead of built whole first. Small answers
// (a normal page of history) keep the single sized buffer, which is the
// fastest; a large one would otherwise be held twice, as documents and as
// their copy, for as long as the client takes to read it.
const streamAbove = 1 << 20

// mWriter is what encodeM writes to: a bytes.Buffer or a bufio.Writer.
type mWriter interface {
	io.Writer
	io.ByteWriter
	io.StringWriter
}

// encodeM writes an M holding rawList values to b; other values are
// encoded as writeJSON would.
func encodeM(b mWriter, m M) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	// Keys and plain values are encoded into scratch, then copied without
	// the newline the encoder ends each value with.
	var scratch bytes.Buffer
	enc := json.NewEncoder(&scratch)
	enc.SetEscapeHTML(false)
	put := func(v any) error {
		scratch.Reset()
		if err := enc.Encode(v); err != nil {
			return err
		}
		_, err := b.Write(scratch.Bytes()[:scratch.Len()-1])
		return err
	}
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := put(k); err != nil {
			return err
		}
		b.WriteByte(':')
		if list, ok := m[k].(rawList); ok {
			b.WriteByte('[')
			for j, doc := range list {
				if j > 0 {
					b.WriteByte(',')
				}
				if _, err := b.Write(doc); err != nil {
					return err
				}
			}
			b.WriteByte(']')
			continue
		}
		if err := put(m[k]); err != nil {
			return err
		}
	}
	_, err := b.WriteString("}\n")
	return err
}

// rawSize is the total size of the stored documents in m.
func rawSize(m M) int {
	size := 0
	for _, v := range m {
		if list, ok := v.(rawList); ok {
			for _, doc := range list {
				size += len(doc) + 1
			}
		}
	}
	return size
}

// writeM answers an M holding rawList values.
func writeM(w http.ResponseWriter, m M) {
	size := rawSize(m)
	if b, key := budgetOf(w); b != nil {
		if !b.acquire(key, int64(size)) {
			writeBusy(w)
			return
		}
		defer b.release(key, int64(size))
	}
	if size > streamAbove {
		// Plain values cannot fail to encode once the status is out:
		// they are checked first.
		for _, v := range m {
			if _, ok := v.(rawList); !ok {
				if _, err := json.Marshal(v); err != nil {
					writeJSON(w, http.StatusOK, m)
					return
				}
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		bw := bufio.NewWriterSize(w, 32<<10)
		// A write error means the client went away or missed the write
		// deadline; the connection is closed either way.
		if encodeM(bw, m) == nil {
			_ = bw.Flush()
		}
		return
	}
	// Sized for the documents up front: growing by doubling copied a page
	// of history several times over.
	var b bytes.Buffer
	b.Grow(size + 256)
	if err := encodeM(&b, m); err != nil {
		writeJSON(w, http.StatusOK, m)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	// Known up front, so that the answer is not sent in chunks.
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b.Bytes())
}

func hasRawList(m M) bool {
	for _, v := range m {
		if _, ok := v.(rawList); ok {
			return true
		}
	}
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	var out io.Writer = w
	if b, key := budgetOf(w); b != nil {
		out = &budgetedWriter{w: w, status: status, b: b, key: key}
	} else {
		w.WriteHeader(status)
	}
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		if bw, ok := out.(*budgetedWriter); ok && bw.status != 0 {
			// Nothing was written: the value did not encode.
			w.WriteHeader(bw.status)
		}
	}
}

// writeResult encodes a handler's answer.
func writeResult(w http.ResponseWriter, v any) {
	switch x := v.(type) {
	case M:
		if x == nil {
			x = M{}
		}
		x["success"] = true
		if hasRawList(x) {
			writeM(w, x)
			return
		}
		writeJSON(w, http.StatusOK, x)
	case raw:
		writeJSON(w, http.StatusOK, map[string]any(x))
	case withStatus:
		writeJSON(w, x.status, x.body)
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
	if e.DetailList != nil {
		body["details"] = e.DetailList
	}
	return body
}

// statusClientClosed is the status logged and counted for a request whose
// client went away before its answer (nginx's 499).
const statusClientClosed = 499

// writeError answers err. Errors that are not app errors are internal:
// they are logged with the request id and answered as a bare 500.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var le *loginError
	if errors.As(err, &le) {
		writeJSON(w, http.StatusUnauthorized, M{"success": false, "status": "error", "error": le.code, "message": le.reason})
		return
	}
	var e *app.Error
	if errors.As(err, &e) {
		if e == app.ErrUnauthorized {
			// Whether found at the door or later in the handler (a session
			// taken from memory and found gone), a missing login is
			// answered with Rocket.Chat's own body.
			writeJSON(w, http.StatusUnauthorized, M{"success": false, "status": "error", "error": e.Reason, "message": e.Reason})
			return
		}
		writeJSON(w, e.Status, errorBody(e))
		return
	}
	if errors.Is(r.Context().Err(), context.Canceled) {
		// The client hung up, and the work failed for that reason: nothing
		// is wrong with the server, and nobody reads the answer.
		log.Debug("client went away", "request_id", requestID(r), "path", r.URL.Path, "err", err)
		w.WriteHeader(statusClientClosed)
		return
	}
	log.Error("internal error", "request_id", requestID(r), "path", r.URL.Path, "err", err)
	writeJSON(w, http.StatusInternalServerError, M{"success": false, "error": "Internal server error"})
}
