package api

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestBindMatchesJSON checks that binding checked params stores what
// encoding/json would have stored from the same params, for every kind of
// field a request struct may have.
func TestBindMatchesJSON(t *testing.T) {
	t.Parallel()
	type inner struct {
		Topic string `json:"topic"`
	}
	type all struct {
		_     openKeys
		S     string            `json:"s"`
		PS    *string           `json:"ps"`
		N     float64           `json:"n"`
		B     bool              `json:"b"`
		PB    *bool             `json:"pb"`
		SS    []string          `json:"ss"`
		PSS   *[]string         `json:"pss"`
		A     []any             `json:"a"`
		M     map[string]any    `json:"m"`
		Obj   inner             `json:"obj"`
		Objs  []map[string]any  `json:"objs"`
		Raws  []json.RawMessage `json:"raws"`
		Any   any               `json:"any"`
		Multi any               `json:"multi" in:"stringOrArray"`
		_     int               `key:"count"`
	}
	bodies := []string{
		`{}`,
		`{"s":"x","ps":"y","n":1.5,"b":true,"pb":false,"ss":["a","b"],"pss":[],"a":[1,"x",null],"m":{"k":[1]},` +
			`"obj":{"topic":"t","other":1},"objs":[{"x":1}],"raws":[{"b":"<i>","a":2}],"any":{"$date":1},"multi":["a"],"count":3,"extra":1}`,
		`{"s":null,"ps":null,"n":"2","b":"true","pb":null,"m":null,"objs":null,"raws":null,"any":null,"multi":"one"}`,
		`{"s":5,"n":null,"b":1,"pss":null}`,
	}
	compared := 0
	for _, body := range bodies {
		params := func() map[string]any {
			var m map[string]any
			if err := json.Unmarshal([]byte(body), &m); err != nil {
				t.Fatal(err)
			}
			return m
		}
		sh := shapeOf(reflect.TypeFor[all]())
		p := params()
		if err := sh.check(p, true); err != nil {
			// Both ways refuse alike: only accepted bodies are compared.
			continue
		}
		var want all
		b, _ := json.Marshal(p)
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatalf("%s: json: %v", body, err)
		}
		var got all
		if err := decodeTyped(params(), true, &got); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %#v\nwant %#v", body, got, want)
		}
		compared++
	}
	if compared < 3 {
		t.Fatalf("only %d bodies were accepted", compared)
	}
}

// TestBindRefusesAsBefore checks the texts of refused nested values, which
// still come from encoding/json and name the field from the body's root.
func TestBindRefusesAsBefore(t *testing.T) {
	t.Parallel()
	var in struct {
		Extra struct {
			Topic string `json:"topic"`
		} `json:"extraData"`
	}
	err := decodeTyped(map[string]any{"extraData": map[string]any{"topic": 5.0}}, true, &in)
	want := "invalid parameters: json: cannot unmarshal number into Go struct field .extraData.topic of type string"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want %s", err, want)
	}
}
