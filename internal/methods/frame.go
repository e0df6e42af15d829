package methods

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/parleychat/parley/internal/ejson"
)

// Call is one DDP method frame:
// {"msg":"method","id":"1","method":"name","params":[...]}.
type Call struct {
	ID     string
	Method string
	Params []json.RawMessage
}

// ErrMalformed is a frame that is not a method call.
var ErrMalformed = errors.New("malformed method call")

// ParseCall reads a method frame. It accepts exactly the DDP keys (msg,
// id, method, params, and the optional randomSeed), each of its type.
func ParseCall(frame []byte) (*Call, error) {
	var keys map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(frame))
	if err := dec.Decode(&keys); err != nil || dec.More() || keys == nil {
		return nil, ErrMalformed
	}
	var (
		msg string
		c   Call
	)
	for k, v := range keys {
		var err error
		switch k {
		case "msg":
			err = json.Unmarshal(v, &msg)
		case "id":
			err = strictString(v, &c.ID)
		case "method":
			err = strictString(v, &c.Method)
		case "params":
			if bytes.HasPrefix(bytes.TrimSpace(v), []byte("[")) {
				err = json.Unmarshal(v, &c.Params)
			} else {
				err = ErrMalformed
			}
		case "randomSeed":
			var seed string
			err = strictString(v, &seed)
		default:
			err = ErrMalformed
		}
		if err != nil {
			return nil, ErrMalformed
		}
	}
	_, hasID := keys["id"]
	_, hasParams := keys["params"]
	if msg != "method" || !hasID || c.Method == "" || !hasParams {
		return nil, ErrMalformed
	}
	if c.Params == nil {
		c.Params = []json.RawMessage{}
	}
	return &c, nil
}

// strictString decodes a JSON string, refusing null and other types.
func strictString(v json.RawMessage, dst *string) error {
	if !bytes.HasPrefix(bytes.TrimSpace(v), []byte(`"`)) {
		return ErrMalformed
	}
	return json.Unmarshal(v, dst)
}

// ResultFrame encodes the answer to call id as EJSON:
// {"msg":"result","id":id,"result":...}, without "result" when the method
// returned nothing, or {"msg":"result","id":id,"error":{...}} when err is
// set.
func ResultFrame(id string, result any, err *Error) ([]byte, error) {
	frame := struct {
		Msg    string `json:"msg"`
		ID     string `json:"id"`
		Error  any    `json:"error,omitempty"`
		Result any    `json:"result,omitempty"`
	}{Msg: "result", ID: id}
	if err != nil {
		frame.Error = err.Wire()
	} else if result != nil {
		frame.Result = result
	}
	return ejson.Marshal(frame)
}
