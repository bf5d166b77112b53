//go:build !mwgen_jsonv1

package runtime

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// unmarshalAnswer decodes a typed answer's body into dst in one pass.
func unmarshalAnswer(body []byte, dst Answer) error {
	return jsonv2.Unmarshal(body, dst, decodeOptions)
}

// decodeOptions are those of the one pass that decodes a typed answer.
//
// Typed answers are decoded with encoding/json/v2 (stable in the standard
// library from Go 1.27; until then its official mirror module,
// github.com/go-json-experiment/json, which becomes an alias of the
// standard library's package when that is there). Measured beside the
// raw net/http + encoding/json loop (bench/allpages.sh), it decodes the
// same answers into the same generated types in about half the CPU and
// with fewer allocations than encoding/json, whose reflection per value
// (indirect, Unmarshaler checks) was most of a typed answer's cost.
//
// The options keep encoding/json's results on what a wiki sends:
//   - duplicate names are accepted, the last one winning, as
//     encoding/json does (and checking them costs a set per object);
//   - invalid UTF-8 becomes U+FFFD, as with encoding/json;
//   - decoding merges into the values already there, as encoding/json
//     does: presizeLists has made each page's parts beforehand, and a
//     decoder that zeroed slice elements would throw them away.
//
// Names match exactly (encoding/json also accepted other cases): a
// typed answer's field names are the wiki's keys, and the drift walk
// (walkDrift) matches them exactly too, so what is decoded and what is
// reported unknown agree.
var decodeOptions = jsonv2.JoinOptions(
	jsontext.AllowDuplicateNames(true),
	jsontext.AllowInvalidUTF8(true),
	jsonv1.MergeWithLegacySemantics(true),
)

// typeDrift turns a decoding error of a typed answer of type t into the
// Drift it reports: a JSON value its field's type does not take (a string
// where t has a number, a number out of the field's range, a timestamp
// that is not one), at its path in t ("query.pages[2].revisions[0].size").
// Other errors are not drift (ok is false): not JSON, or an envelope
// member of the wrong form (a "continue" that is not an object), which
// makes the answer no API answer at all.
func typeDrift(err error, t reflect.Type) (d Drift, ok bool) {
	var se *jsonv2.SemanticError
	if !errors.As(err, &se) {
		return Drift{}, false
	}
	for tok := range se.JSONPointer.Tokens() {
		if _, ok := structInfoOf(envelopeType).fields[tok]; ok {
			return Drift{}, false // a member Envelope decodes
		}
		break
	}
	goType, value := se.GoType, jsonKindName(se.JSONKind)
	if v1Err := (*json.UnmarshalTypeError)(nil); errors.As(se.Err, &v1Err) {
		// An Opt field's UnmarshalJSON reports T's error, as
		// encoding/json words it.
		goType, value = v1Err.Type, v1Err.Value
	}
	if value == "number" && len(se.JSONValue) > 0 {
		value += " " + string(se.JSONValue)
	}
	return Drift{
		Path:   jsonPath(t, se.JSONPointer),
		Kind:   DriftType,
		Detail: fmt.Sprintf("JSON %s where %s expects %s", value, t, goType),
	}, true
}

var envelopeType = reflect.TypeFor[Envelope]()

// jsonKindName names a JSON kind as encoding/json's errors do.
func jsonKindName(k jsontext.Kind) string {
	switch k {
	case 'n':
		return "null"
	case 't', 'f':
		return "bool"
	case '"':
		return "string"
	case '0':
		return "number"
	case '{':
		return "object"
	case '[':
		return "array"
	}
	return "value"
}

// jsonPath writes a JSON Pointer into a value of type t as a Drift path:
// array indexes in brackets, object keys after dots, the way t reads them.
func jsonPath(t reflect.Type, p jsontext.Pointer) string {
	var b strings.Builder
	optionalType := reflect.TypeFor[optional]()
	for tok := range p.Tokens() {
		for t != nil && (t.Kind() == reflect.Pointer || t.Implements(optionalType)) {
			if t.Kind() == reflect.Pointer {
				t = t.Elem()
			} else {
				t = reflect.Zero(t).Interface().(optional).elemType()
			}
		}
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			b.WriteString("[" + tok + "]")
			t = t.Elem()
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
		switch {
		case t == nil:
		case t.Kind() == reflect.Struct:
			if idx, ok := structInfoOf(t).fields[tok]; ok {
				t = t.FieldByIndex(idx).Type
			} else {
				t = nil
			}
		case t.Kind() == reflect.Map:
			t = t.Elem()
		default:
			t = nil
		}
	}
	return b.String()
}
