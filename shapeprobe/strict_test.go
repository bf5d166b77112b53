package shapeprobe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/mwgen/mwgen/generated"
	"github.com/mwgen/mwgen/generator/naming"
	"github.com/mwgen/mwgen/runtime"
)

// strictCheck decodes every answer the probe takes with the typed answers
// of the generated package (made from the embedded shapes and overlay) in
// strict drift mode: each unknown key, type mismatch and absent required
// key of any planned request of any shaped module is drift. It sees the
// answers as the wiki sent them, through the runtime's own decoding (a
// runtime.Client whose transport hands it the answer just taken), so the
// write modules of the plan are checked too, without a second write.
type strictCheck struct {
	mu sync.Mutex
	// answers maps a module's action to its typed answer's struct type.
	answers map[string]reflect.Type
	rt      *runtime.Client
	body    []byte
	// drift holds each distinct drift ("module: path: kind"), with a count.
	drift   map[string]int
	decoded map[string]int
	// untyped are actions of planned requests that have no typed answer.
	untyped map[string]bool
}

type replay struct{ s *strictCheck }

func (r replay) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close()
	}
	return &http.Response{StatusCode: 200, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  http.Header{"Content-Type": {"application/json; charset=utf-8"}},
		Body:    io.NopCloser(bytes.NewReader(r.s.body)),
		Request: req}, nil
}

func newStrictCheck(t *testing.T) *strictCheck {
	s := &strictCheck{answers: map[string]reflect.Type{}, drift: map[string]int{}, decoded: map[string]int{}, untyped: map[string]bool{}}
	answer := reflect.TypeFor[runtime.Answer]()
	ct := reflect.TypeFor[*generated.Client]()
	for i := range ct.NumMethod() {
		m := ct.Method(i)
		if m.Type.NumIn() == 3 && m.Type.NumOut() == 2 && m.Type.Out(0).Implements(answer) {
			s.answers[m.Name] = m.Type.Out(0).Elem()
		}
	}
	rt, err := runtime.NewClient("http://replay.invalid/api.php", runtime.Options{
		HTTPClient: &http.Client{Transport: replay{s}},
		UserAgent:  "mwgen-tests/1 (https://github.com/mwgen/mwgen)",
		Drift:      runtime.DriftStrict,
	})
	if err != nil {
		t.Fatal(err)
	}
	s.rt = rt
	return s
}

var indexRE = regexp.MustCompile(`\[\d+\]`)

// answered is the probe's Options.Answered.
func (s *strictCheck) answered(r Request, step int, a *Answer) {
	if a.ErrorCode != "" || len(bytes.TrimSpace(a.Body)) == 0 || bytes.TrimSpace(a.Body)[0] != '{' {
		return
	}
	action := r.Params.Get("action")
	s.mu.Lock()
	defer s.mu.Unlock()
	typ, ok := s.answers[naming.Exported(action)]
	if !ok {
		s.untyped[action] = true
		return
	}
	// The trace hook's own member is no part of the module's answer.
	var members map[string]json.RawMessage
	if json.Unmarshal(a.Body, &members) != nil {
		s.drift[fmt.Sprintf("%s (%s): the answer is not a JSON object", r.Module, r.Role)]++
		return
	}
	delete(members, "mwgentrace")
	body, err := json.Marshal(members)
	if err != nil {
		s.drift[fmt.Sprintf("%s (%s): re-encoding the answer: %v", r.Module, r.Role, err)]++
		return
	}
	s.body = body
	dst := reflect.New(typ).Interface().(runtime.Answer)
	err = s.rt.DoInto(context.Background(), &runtime.Request{Action: action}, dst)
	s.decoded[r.Module]++
	var de *runtime.DriftError
	switch {
	case errors.As(err, &de):
		for _, d := range de.Drift {
			s.drift[fmt.Sprintf("%s (%s): %s: %s", r.Module, r.Role, indexRE.ReplaceAllString(d.Path, "[]"), d.Kind)]++
		}
	case err != nil:
		s.drift[fmt.Sprintf("%s (%s): %v", r.Module, r.Role, err)]++
	}
}

// report fails t for every drift seen.
func (s *strictCheck) report(t *testing.T, plan *Plan) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.decoded {
		n += c
	}
	t.Logf("strict drift: %d answers of %d modules decoded with the generated types; %d distinct drifts", n, len(s.decoded), len(s.drift))
	if len(s.untyped) > 0 {
		t.Logf("planned actions without a typed answer (no shape): %s", strings.Join(slices.Sorted(maps.Keys(s.untyped)), ", "))
	}
	for _, m := range plan.Modules() {
		if s.decoded[m] == 0 && !s.untyped[strings.SplitN(m, "+", 2)[0]] {
			t.Logf("no answer of %s without an error to decode", m)
		}
	}
	keys := slices.Sorted(maps.Keys(s.drift))
	for i, k := range keys {
		if i == 80 {
			t.Errorf("... and %d more", len(keys)-i)
			break
		}
		t.Errorf("drift: %s (%d answers)", k, s.drift[k])
	}
}
