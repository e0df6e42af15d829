package api

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"

	"github.com/parleychat/parley/internal/app"
)

// A request struct declares its endpoint's parameters once. Each field's
// json tag names the key, and the field's type gives the JSON type ajv
// checks: string; float64 a number and int an integer; bool; []string an
// array of strings; []any an array; map[string]any or a struct an object;
// []map[string]any or []json.RawMessage an array of objects; any anything.
// Pointers say "absent" with nil. An `in` tag adds what the type cannot:
//
//	required       the key must be present
//	nonempty       the string must not be empty
//	oneOf          at least one of the struct's oneOf keys must be present
//	exclusive      at most one of the struct's exclusive keys may be present
//	stringOrArray  an any field takes a string or an array of strings
//
// Blank fields (_) declare keys the handler reads elsewhere, such as the
// pagination keys page reads; they name their key with a key tag. Embedded
// structs, and blank fields of a struct type without a key tag
// (`_ pageKeys`), add their fields; a blank openKeys field (`_ openKeys`)
// lets keys the struct does not declare through. Blank fields keep the
// struct's own fields all in use, as the linter wants.

// openKeys, as a blank field of a request struct, accepts keys it does not
// declare.
type openKeys struct{}

// shape is a request struct's schema and where each key goes.
type shape struct {
	schema
	// fields maps keys to field indexes; blank fields have none.
	fields map[string][]int
}

var shapes sync.Map // reflect.Type → *shape

// shapeOf derives the schema of a request struct type, once per type.
func shapeOf(t reflect.Type) *shape {
	if sh, ok := shapes.Load(t); ok {
		return sh.(*shape)
	}
	sh := &shape{schema: schema{props: map[string]kind{}}, fields: map[string][]int{}}
	sh.add(t, nil)
	actual, _ := shapes.LoadOrStore(t, sh)
	return actual.(*shape)
}

var (
	openKeysType = reflect.TypeFor[openKeys]()
	rawType      = reflect.TypeFor[json.RawMessage]()
)

func (sh *shape) add(t reflect.Type, index []int) {
	for i := range t.NumField() {
		f := t.Field(i)
		at := append(append([]int(nil), index...), i)
		if f.Type == openKeysType && (f.Anonymous || f.Name == "_") {
			sh.open = true
			continue
		}
		key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Name == "_" {
			key = f.Tag.Get("key")
		}
		if (f.Anonymous || f.Name == "_") && key == "" && f.Type.Kind() == reflect.Struct {
			sh.add(f.Type, at)
			continue
		}
		if key == "" || key == "-" {
			panic("api: request field " + t.String() + "." + f.Name + " has no json key")
		}
		if _, dup := sh.props[key]; dup {
			panic("api: request key " + key + " is declared twice in " + t.String())
		}
		opts := strings.Split(f.Tag.Get("in"), ",")
		has := func(o string) bool {
			for _, x := range opts {
				if x == o {
					return true
				}
			}
			return false
		}
		k := kindOf(f.Type)
		if has("stringOrArray") {
			k = kStringOrArray
		}
		sh.props[key] = k
		if f.Name != "_" {
			sh.fields[key] = at
		}
		if has("required") {
			sh.required = append(sh.required, key)
		}
		if has("nonempty") {
			sh.minLen = append(sh.minLen, key)
		}
		if has("oneOf") {
			sh.oneOf = append(sh.oneOf, key)
		}
		if has("exclusive") {
			sh.exclusive = append(sh.exclusive, key)
		}
	}
}

// kindOf is the JSON type a field of type t takes.
func kindOf(t reflect.Type) kind {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return kString
	case reflect.Float64:
		return kNumber
	case reflect.Int:
		return kInteger
	case reflect.Bool:
		return kBool
	case reflect.Map, reflect.Struct:
		return kObject
	case reflect.Slice:
		switch e := t.Elem(); {
		case e.Kind() == reflect.String:
			return kStringArray
		case e.Kind() == reflect.Map || e == rawType:
			return kObjectArray
		}
		return kArray
	case reflect.Interface:
		return kAny
	}
	panic("api: request fields of type " + t.String() + " are not supported")
}

// fill stores checked params in the struct v. Values that already have
// their field's Go type are stored directly; the others (objects bound to
// structs, say) go through encoding/json, as the whole body once did.
func (sh *shape) fill(v reflect.Value, params map[string]any) error {
	for k, val := range params {
		index, ok := sh.fields[k]
		if !ok {
			continue // a blank field, or an open schema's extra key
		}
		if !assign(v.FieldByIndex(index), val) {
			if err := fillByJSON(v, index, k, val); err != nil {
				return err
			}
		}
	}
	return nil
}

// assign stores val in f when val's type fits f's, and reports whether it
// did.
func assign(f reflect.Value, val any) bool {
	if f.Kind() == reflect.Pointer {
		if val == nil {
			return false // the JSON null of a pointer: left to encoding/json
		}
		p := reflect.New(f.Type().Elem())
		if !assign(p.Elem(), val) {
			return false
		}
		f.Set(p)
		return true
	}
	switch f.Kind() {
	case reflect.String, reflect.Float64, reflect.Bool:
		// A JSON string, number or boolean, into a field of its kind.
		v := reflect.ValueOf(val)
		if !v.IsValid() || v.Kind() != f.Kind() {
			return false
		}
		f.Set(v.Convert(f.Type()))
		return true
	case reflect.Interface:
		if val != nil {
			f.Set(reflect.ValueOf(val))
		}
		return true
	case reflect.Map:
		m, ok := val.(map[string]any)
		if ok && f.Type() == reflect.TypeOf(m) {
			f.Set(reflect.ValueOf(m))
			return true
		}
		return val == nil && f.Type().Key().Kind() == reflect.String
	case reflect.Slice:
		list, ok := val.([]any)
		if !ok {
			return val == nil
		}
		out := reflect.MakeSlice(f.Type(), len(list), len(list))
		for i, e := range list {
			if f.Type().Elem() == rawType {
				b, err := json.Marshal(e)
				if err != nil {
					return false
				}
				out.Index(i).SetBytes(b)
				continue
			}
			if !assign(out.Index(i), e) {
				return false
			}
		}
		f.Set(out)
		return true
	}
	return false
}

// fillByJSON decodes one param into its field through encoding/json, into
// a fresh struct of v's type so that an error names the field as a whole
// body's decoding would.
func fillByJSON(v reflect.Value, index []int, key string, val any) error {
	b, err := json.Marshal(map[string]any{key: val})
	if err != nil {
		return err
	}
	tmp := reflect.New(v.Type())
	if err := json.Unmarshal(b, tmp.Interface()); err != nil {
		return app.Invalid("invalid parameters: " + err.Error())
	}
	v.FieldByIndex(index).Set(tmp.Elem().FieldByIndex(index))
	return nil
}
