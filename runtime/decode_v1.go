//go:build mwgen_jsonv1

package runtime

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
)

// With the build tag mwgen_jsonv1, typed answers are decoded with
// encoding/json: the program leaves out encoding/json/v2 (about 1 MB),
// and answers cost about twice the CPU (see Client.DoInto).

// unmarshalAnswer decodes a typed answer's body into dst in one pass.
func unmarshalAnswer(body []byte, dst Answer) error {
	return json.Unmarshal(body, dst)
}

// typeDrift turns a decoding error of a typed answer of type t into the
// Drift it reports: a JSON value of another type than its field's, at
// its field's path (encoding/json's, without indexes:
// "query.pages.revisions.size"). Other errors (not JSON, an envelope
// member of the wrong form) are not drift: ok is false.
func typeDrift(err error, t reflect.Type) (d Drift, ok bool) {
	var typeErr *json.UnmarshalTypeError
	if !errors.As(err, &typeErr) {
		return Drift{}, false
	}
	return Drift{
		Path: typeErr.Field, Kind: DriftType,
		Detail: fmt.Sprintf("JSON %s where %s expects %s", typeErr.Value, t, typeErr.Type),
	}, true
}
