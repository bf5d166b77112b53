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
// answerStructs returns every struct type of every typed answer of the
// generated Client's methods, and how many answers it found.
func answerStructs(t *testing.T) (map[reflect.Type]bool, int) {
	t.Helper()
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
	return seen, answers
}

func TestAnswerTypesDecode(t *testing.T) {
	seen, answers := answerStructs(t)
	for st := range seen {
		if err := jsonv2.Unmarshal([]byte("{}"), reflect.New(st).Interface()); err != nil {
			t.Errorf("%v: %v", st, err)
		}
	}
	t.Logf("%d answers, %d struct types", answers, len(seen))
}

// TestAnswerTypesLayout: every struct of a typed answer has its fields
// that hold pointers first, then Extra, then the pointer-free 8-byte ones,
// then the 1-byte ones (the generator's layOut), so that the garbage
// collector scans no pointer-free tail and bools pad once.
func TestAnswerTypesLayout(t *testing.T) {
	seen, _ := answerStructs(t)
	for st := range seen {
		if st.PkgPath() != reflect.TypeFor[generated.Client]().PkgPath() {
			continue // runtime.Envelope and the like
		}
		run, extra := 0, -1
		for i := range st.NumField() {
			f := st.Field(i)
			r := 2
			switch {
			case hasPointers(f.Type):
				r = 0
			case f.Type.Align() == 8:
				r = 1
			}
			if r < run {
				t.Errorf("%v.%s (%v) comes after a field of a later run", st, f.Name, f.Type)
			}
			run = max(run, r)
			if f.Name == "Extra" {
				extra = i
			}
		}
		if extra >= 0 && extra+1 < st.NumField() && hasPointers(st.Field(extra+1).Type) {
			t.Errorf("%v: Extra is not after the last field holding pointers", st)
		}
	}
}

// hasPointers reports whether a value of type t holds a pointer.
func hasPointers(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.String, reflect.Interface,
		reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return true
	case reflect.Array:
		return t.Len() > 0 && hasPointers(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if hasPointers(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}
