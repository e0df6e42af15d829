package ejson

import (
	"encoding/json"
	"testing"

	"github.com/parleychat/parley/internal/model"
)

func TestMarshalWritesDates(t *testing.T) {
	m := model.Message{ID: "m1", RID: "r1", Msg: "2023-10-05T20:30:51.052Z", Ts: 1696537851052, UpdatedAt: 1696537851053}
	got, err := Marshal(map[string]any{"message": m, "when": nil})
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Message map[string]any `json:"message"`
	}
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	ts, _ := back.Message["ts"].(map[string]any)
	up, _ := back.Message["_updatedAt"].(map[string]any)
	if ts["$date"] != 1696537851052.0 || up["$date"] != 1696537851053.0 {
		t.Errorf("dates = %v, %v in %s", back.Message["ts"], back.Message["_updatedAt"], got)
	}
	// A text that looks like a date is left alone.
	if back.Message["msg"] != "2023-10-05T20:30:51.052Z" {
		t.Errorf("msg = %v", back.Message["msg"])
	}
	// Decoding the EJSON gives the model back.
	var m2 model.Message
	if err := json.Unmarshal(mustField(t, got, "message"), &m2); err != nil || m2.Ts != m.Ts {
		t.Errorf("round trip: %v %v", m2.Ts, err)
	}
}

func mustField(t *testing.T, doc []byte, key string) json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatal(err)
	}
	return m[key]
}

func TestDateOf(t *testing.T) {
	for _, c := range []struct {
		in   string
		want model.Time
		ok   bool
	}{
		{`{"$date": 1700000000000}`, 1700000000000, true},
		{`{"$date": 0}`, 0, true},
		{`{"$date": 1, "x": 2}`, 0, false},
		{`"2023-10-05T20:30:51.052Z"`, 0, false},
		{`null`, 0, false},
		{``, 0, false},
	} {
		got, ok := DateOf(json.RawMessage(c.in))
		if got != c.want || ok != c.ok {
			t.Errorf("DateOf(%s) = %v, %v", c.in, got, ok)
		}
	}
	if b, _ := json.Marshal(Date(42)); string(b) != `{"$date":42}` {
		t.Errorf("Date = %s", b)
	}
}
