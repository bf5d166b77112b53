package generated_test

import (
	"encoding/json"
	"reflect"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/mwgen/mwgen/generated"
	"github.com/mwgen/mwgen/runtime"
)

// The runtime decodes typed answers with encoding/json/v2, which checks a
// struct type when it first decodes one (two fields with one JSON name,
// an embedded type with its own UnmarshalJSON… are errors there, not in
// encoding/json). The live tests decode the answers a wiki gives; this
// has the decoder check every struct type of every typed answer, also
// those no test answer holds.
func TestAnswerTypesDecode(t *testing.T) {
	envelope := reflect.TypeFor[runtime.Envelope]()
	unmarshaler := reflect.TypeFor[json.Unmarshaler]()
	seen := map[reflect.Type]bool{}
	var visit func(reflect.Type)
	visit = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] || reflect.PointerTo(t).Implements(unmarshaler) {
			return // (a type that decodes itself has no fields to check)
		}
		seen[t] = true
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() {
				visit(f.Type)
			}
		}
	}
	answers := 0
	client := reflect.TypeFor[*generated.Client]()
	for i := range client.NumMethod() {
		m := client.Method(i).Type
		if m.NumOut() == 0 {
			continue
		}
		out := m.Out(0)
		if out.Kind() != reflect.Pointer || out.Elem().Kind() != reflect.Struct {
			continue
		}
		if f, ok := out.Elem().FieldByName("Envelope"); ok && f.Type == envelope {
			answers++
			visit(out.Elem())
		}
	}
	if answers < 30 {
		t.Fatalf("%d typed answers among the client's methods, want every shaped module's", answers)
	}
	for st := range seen {
		if err := jsonv2.Unmarshal([]byte("{}"), reflect.New(st).Interface()); err != nil {
			t.Errorf("%v: %v", st, err)
		}
	}
	t.Logf("%d answers, %d struct types", answers, len(seen))
}
