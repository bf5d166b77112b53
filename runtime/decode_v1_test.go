//go:build mwgen_jsonv1

package runtime

import (
	"errors"
	"net/http"
	"testing"
)

// sameAllInAnswer is sameAll's check in a typed answer: with encoding/json
// an Opt in an answer decodes through its UnmarshalJSON, which sameAll
// checks already.
func sameAllInAnswer(t *testing.T, in []byte) { t.Helper() }

// A type mismatch is reported at its field's path, as encoding/json gives it.
func TestDoIntoTypeMismatchPathV1(t *testing.T) {
	c, _ := newFake(t, Options{}, func(s seen, w http.ResponseWriter) {
		jsonAnswer(w, `{"query":{"pages":[{"pageid":1},{"pageid":"one"}]}}`)
	})
	var a testAnswer
	err := c.DoInto(ctx(t), &Request{Action: "query"}, &a)
	var drift *DriftError
	if !errors.As(err, &drift) || len(drift.Drift) != 1 || drift.Drift[0].Kind != DriftType || drift.Drift[0].Path != "query.pages.pageid" {
		t.Fatalf("got %v, want a type mismatch at query.pages.pageid", err)
	}
}
