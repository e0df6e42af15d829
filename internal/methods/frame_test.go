package methods

import (
	"errors"
	"testing"
)

func TestParseCall(t *testing.T) {
	c, err := ParseCall([]byte(`{"msg":"method","id":"1","method":"m","params":[1,{"a":2}],"randomSeed":"s"}`))
	if err != nil || c.ID != "1" || c.Method != "m" || len(c.Params) != 2 || string(c.Params[1]) != `{"a":2}` {
		t.Fatalf("ParseCall = %+v, %v", c, err)
	}
	for _, bad := range []string{
		``, `null`, `[]`, `{"msg":"method","id":"1","method":"m"}`,
		`{"msg":"method","id":"1","method":"","params":[]}`,
		`{"msg":"method","id":null,"method":"m","params":[]}`,
		`{"msg":"method","id":"1","method":"m","params":null}`,
		`{"msg":"method","id":"1","method":"m","params":[]} {}`,
		`{"msg":"method","id":"1","method":"m","params":[],"x":1}`,
	} {
		if _, err := ParseCall([]byte(bad)); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseCall(%s) = %v", bad, err)
		}
	}
}

func TestResultFrame(t *testing.T) {
	for _, c := range []struct {
		result any
		err    *Error
		want   string
	}{
		{true, nil, `{"id":"1","msg":"result","result":true}`},
		{false, nil, `{"id":"1","msg":"result","result":false}`},
		{nil, nil, `{"id":"1","msg":"result"}`},
		{nil, notFound("x"), `{"error":{"error":404,"errorType":"Meteor.Error","isClientSafe":true,"message":"Method 'x' not found [404]","reason":"Method 'x' not found"},"id":"1","msg":"result"}`},
		{nil, &Error{Code: "c"}, `{"error":{"error":"c","errorType":"Meteor.Error","isClientSafe":true,"message":"[c]"},"id":"1","msg":"result"}`},
	} {
		got, err := ResultFrame("1", c.result, c.err)
		if err != nil || string(got) != c.want {
			t.Errorf("ResultFrame(%v, %v) = %s, %v\nwant %s", c.result, c.err, got, err, c.want)
		}
	}
}
