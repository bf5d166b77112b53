//go:build !mwgen_jsonv1

package runtime

import (
	"bytes"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
)

// A type mismatch is reported at its path, indexes included, whatever
// the value: a string for a number, a number out of range or not an
// integer, an object for a list; an error answer stays the error even
// when something before its error members does not match.
func TestDoIntoTypeMismatchPath(t *testing.T) {
	tests := []struct {
		body, path, detail string
	}{
		{`{"query":{"pages":[{"pageid":1},{"pageid":"one"}]}}`, "query.pages[1].pageid", "JSON string where runtime.testAnswer expects int"},
		{`{"query":{"pages":[{"pageid":1,"revisions":[{"revid":7},{"revid":1e400}]}]}}`, "query.pages[0].revisions[1].revid", "JSON number 1e400 where runtime.testAnswer expects int"},
		{`{"query":{"pages":[{"pageid":1,"revisions":[{"revid":1.5}]}]}}`, "query.pages[0].revisions[0].revid", "JSON number 1.5 where runtime.testAnswer expects int"},
		{`{"query":{"pages":[{"pageid":1,"revisions":{"revid":7}}]}}`, "query.pages[0].revisions", "JSON object where"},
		{`{"query":{"pages":[{"title":true}]}}`, "query.pages[0].title", "JSON bool where runtime.testAnswer expects string"},
	}
	for _, tt := range tests {
		c, _ := newFake(t, Options{}, func(s seen, w http.ResponseWriter) { jsonAnswer(w, tt.body) })
		var a testAnswer
		err := c.DoInto(ctx(t), &Request{Action: "query"}, &a)
		var drift *DriftError
		if !errors.As(err, &drift) || len(drift.Drift) != 1 {
			t.Errorf("%s: got %v, want one drift", tt.body, err)
			continue
		}
		if d := drift.Drift[0]; d.Kind != DriftType || d.Path != tt.path || !strings.HasPrefix(d.Detail, tt.detail) {
			t.Errorf("%s: got %q, want a type mismatch at %s (%s)", tt.body, d, tt.path, tt.detail)
		}
	}

	c, _ := newFake(t, Options{Retry: RetryPolicy{MaxAttempts: 1}}, func(s seen, w http.ResponseWriter) {
		jsonAnswer(w, `{"query":{"pages":[{"pageid":"x"}]},"errors":[{"code":"badvalue","text":"Bad value."}]}`)
	})
	var a testAnswer
	var apiErr *APIError
	if err := c.DoInto(ctx(t), &Request{Action: "query"}, &a); !errors.As(err, &apiErr) || apiErr.Code != "badvalue" {
		t.Errorf("an error answer with a mismatch before its errors: got %v, want the API error", err)
	}

	// An envelope member of the wrong form is no API answer: not drift.
	c, _ = newFake(t, Options{Retry: RetryPolicy{MaxAttempts: 1}}, func(s seen, w http.ResponseWriter) {
		jsonAnswer(w, `{"continue":["x"],"query":{}}`)
	})
	var respErr *ResponseError
	if err := c.DoInto(ctx(t), &Request{Action: "query"}, &a); !errors.As(err, &respErr) {
		t.Errorf("a continue that is a list: got %v, want a *ResponseError", err)
	}
}

// sameAsTInAnswer checks the same property where it matters: as a member
// of a typed answer decoded the way the runtime decodes one (jsonv2 and
// decodeOptions), an Opt[T] field decodes what a T field decodes, and a
// failure is the same kind of failure (a type drift, or a bad answer).
func sameAsTInAnswer[T any](t *testing.T, in []byte, eq func(a, b T) bool) {
	t.Helper()
	doc := []byte(`{"v":` + string(in) + `}`)
	var want struct {
		V T `json:"v"`
	}
	werr := jsonv2.Unmarshal(doc, &want, decodeOptions)
	var got struct {
		V Opt[T] `json:"v"`
	}
	gerr := jsonv2.Unmarshal(doc, &got, decodeOptions)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%T from %q: error %v, T's %v", got.V, in, gerr, werr)
	}
	if werr != nil {
		wd, wok := typeDrift(werr, reflect.TypeOf(want))
		gd, gok := typeDrift(gerr, reflect.TypeOf(got))
		if wok != gok || wd.Path != gd.Path {
			t.Fatalf("%T from %q: drift %v %q (%v), T's %v %q (%v)", got.V, in, gok, gd, gerr, wok, wd, werr)
		}
		return
	}
	v, ok := got.V.Get()
	if null := bytes.Equal(bytes.TrimSpace(in), []byte("null")); ok == null {
		t.Fatalf("%T from %q: set %v, want %v", got.V, in, ok, !null)
	}
	if !eq(v, want.V) {
		t.Fatalf("%T from %q = %#v, T's %#v", got.V, in, v, want.V)
	}
}

// sameAllInAnswer is sameAll's check in a typed answer.
func sameAllInAnswer(t *testing.T, in []byte) {
	t.Helper()
	sameAsTInAnswer(t, in, eqComparable[int])
	sameAsTInAnswer(t, in, eqComparable[int64])
	sameAsTInAnswer(t, in, eqComparable[Namespace])
	sameAsTInAnswer(t, in, eqComparable[string])
	sameAsTInAnswer(t, in, eqComparable[bool])
	sameAsTInAnswer(t, in, func(a, b time.Time) bool { return a.Equal(b) && a.Location().String() == b.Location().String() })
	sameAsTInAnswer(t, in, func(a, b []string) bool { return reflect.DeepEqual(a, b) })
}
