package shapeprobe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mwgen/mwgen/apischema"
)

// A schema with one list module whose prop has two values.
func testSchema() *apischema.Schema {
	return &apischema.Schema{
		Wiki: apischema.Wiki{Generator: "MediaWiki 1.39.17"},
		Modules: []*apischema.Module{{
			Name: "things", Path: "query+things", Group: "list", Prefix: "th",
			Parameters: []*apischema.Param{{Name: "prop", Multi: true,
				Type: apischema.Type{Name: apischema.TypeEnum, Values: []string{"a", "b"}}}},
		}},
	}
}

// trace builds a hook trace of {"query":{"things":[items...]}}; each item
// is a map of field → PHP type.
func trace(items ...map[string]string) json.RawMessage {
	var cs []string
	for i, it := range items {
		var fs []string
		for k, v := range it {
			fs = append(fs, fmt.Sprintf(`[%q,%q]`, k, v))
		}
		cs = append(cs, fmt.Sprintf(`[%d,{"t":null,"m":{},"c":[%s]}]`, i, strings.Join(fs, ",")))
	}
	return json.RawMessage(`{"t":"assoc","m":{},"c":[["query",{"t":null,"m":{},"c":[["things",{"t":"BCarray","m":{"_element":"t"},"c":[` +
		strings.Join(cs, ",") + `]}]]}]]}`)
}

func TestMergeRules(t *testing.T) {
	schema := testSchema()
	plan := NewPlan(schema)
	key := func(alone string) string {
		for _, r := range plan.Requests {
			if r.Alone == alone && r.Role == RoleResponse {
				return r.Key()
			}
		}
		t.Fatalf("no request for %q", alone)
		return ""
	}
	all := plan.Requests[len(plan.Requests)-2] // all values, then the continuation
	samples := []Sample{
		// prop=a: id always, a always, opt only sometimes.
		{Key: key("thprop=a"), Module: "query+things", Role: RoleResponse, Alone: "thprop=a", Tags: []string{"thprop=a"},
			Trace: trace(map[string]string{"id": "int", "a": "string", "opt": "bool"}, map[string]string{"id": "int", "a": "string"})},
		// prop=b: id, b as int in one item and as string in another.
		{Key: key("thprop=b"), Module: "query+things", Role: RoleResponse, Alone: "thprop=b", Tags: []string{"thprop=b"},
			Trace: trace(map[string]string{"id": "int", "b": "int"}, map[string]string{"id": "int", "b": "string"})},
		// Both: "ab" only appears when both are asked for.
		{Key: all.Key(), Module: "query+things", Role: RoleResponse, Tags: []string{"thprop=a", "thprop=b"},
			Trace: trace(map[string]string{"id": "int", "a": "string", "b": "int", "ab": "null"})},
	}
	s, err := Merge(schema, plan, samples)
	if err != nil {
		t.Fatal(err)
	}
	items := s.Module("query+things").Response.Lookup("query", "things", "[]")
	if items == nil {
		t.Fatal("no items")
	}
	things := s.Module("query+things").Response.Lookup("query", "things")
	if got := things.Kinds; len(got) != 1 || got[0] != apischema.KindList || things.Element != "t" || things.ArrayTypes[0] != "BCarray" {
		t.Errorf("things = %+v, want a BCarray list with element t", things)
	}
	check := func(name string, required bool, by string, kinds string) {
		t.Helper()
		f := items.Fields[name]
		if f == nil {
			t.Errorf("%s: missing", name)
			return
		}
		if f.Required != required || strings.Join(f.By, ",") != by || strings.Join(f.Kinds, ",") != kinds {
			t.Errorf("%s: required=%v by=%v kinds=%v, want %v %q %q", name, f.Required, f.By, f.Kinds, required, by, kinds)
		}
	}
	check("id", true, "", "int")
	check("a", true, "thprop=a", "string")
	check("opt", false, "thprop=a", "bool")
	check("b", true, "thprop=b", "int,string")
	check("ab", true, "thprop=a,thprop=b", "null")
	if len(s.Gaps) != 0 {
		t.Errorf("gaps: %v", s.Gaps)
	}

	// A failed value is a gap with its error code.
	samples[1] = Sample{Key: key("thprop=b"), Module: "query+things", Role: RoleResponse, Alone: "thprop=b", Error: "badvalue"}
	s, err = Merge(schema, plan, samples)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Gaps) != 1 || s.Gaps[0].Value != "thprop=b" || !strings.Contains(s.Gaps[0].Reason, "badvalue") {
		t.Errorf("gaps = %v, want thprop=b failed with badvalue", s.Gaps)
	}
}

func TestParseTraceBad(t *testing.T) {
	for _, bad := range []string{
		``, `{`, `"integer"`, `{"t":null,"m":{},"c":[["a"]]}`, `{"t":null,"m":{},"c":[[1.5,"int"]]}`,
		`{"t":null,"m":{},"c":[["a",{"t":null,"m":{},"c":[["b","word"]]}]]}`,
	} {
		if _, err := ParseTrace([]byte(bad)); err == nil {
			t.Errorf("ParseTrace(%q) = nil error", bad)
		}
	}
}

// fakeWiki answers like api.php; with hook set it adds a trace, with
// broken set a trace that is not JSON.
func fakeWiki(t *testing.T, hook, broken bool) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := map[string]any{"batchcomplete": true, "query": map[string]any{"things": []any{}}}
		if r.Header.Get(TraceHeader) == "1" && hook {
			tr := `{"v":1,"module":"query","root":{"t":"assoc","m":{},"c":[["batchcomplete","bool"]]}}`
			if broken {
				tr = tr[:20]
			}
			body["mwgentrace"] = tr
		}
		json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestProbeRefusesWikiWithoutHook(t *testing.T) {
	srv := fakeWiki(t, false, false)
	out := filepath.Join(t.TempDir(), "s.jsonl")
	_, err := Probe(context.Background(), Options{API: srv.URL + "/api.php", SamplesPath: out, Schema: testSchema()})
	if !errors.Is(err, ErrNoHook) || !strings.Contains(err.Error(), "production") {
		t.Fatalf("Probe = %v, want ErrNoHook with an explanation", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a samples file was written for a wiki without the hook")
	}
}

func TestProbeBrokenTrace(t *testing.T) {
	srv := fakeWiki(t, true, true)
	_, err := Probe(context.Background(), Options{API: srv.URL + "/api.php", SamplesPath: filepath.Join(t.TempDir(), "s"), Schema: testSchema()})
	if err == nil || !strings.Contains(err.Error(), "truncated or not JSON") {
		t.Fatalf("Probe = %v, want a truncated-trace error", err)
	}
}

func TestRunResumes(t *testing.T) {
	srv := fakeWiki(t, true, false)
	c, err := NewClient(srv.URL + "/api.php")
	if err != nil {
		t.Fatal(err)
	}
	plan := NewPlan(testSchema())
	path := filepath.Join(t.TempDir(), "s.jsonl")
	first, err := Run(context.Background(), c, plan, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != len(plan.Requests) {
		t.Fatalf("%d samples for %d requests", len(first), len(plan.Requests))
	}
	// An interrupted write leaves half a line: it is dropped and retaken.
	data, _ := os.ReadFile(path)
	lines := strings.SplitAfter(string(data), "\n")
	cut := strings.Join(lines[:2], "") + lines[2][:10]
	if err := os.WriteFile(path, []byte(cut), 0o644); err != nil {
		t.Fatal(err)
	}
	again, err := Run(context.Background(), c, plan, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != len(plan.Requests) {
		t.Fatalf("after resuming: %d samples for %d requests", len(again), len(plan.Requests))
	}
	if got, _ := os.ReadFile(path); string(got) != string(data) {
		t.Errorf("the resumed samples file differs from an uninterrupted one")
	}
	// A corrupt line in the middle is an error, not silently skipped.
	if err := os.WriteFile(path, []byte(lines[0]+"{oops\n"+lines[1]), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), c, plan, path, nil); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("Run on a corrupt samples file = %v, want an error naming line 2", err)
	}
}

// TestCrossCheckSource scans the PHP source of the MediaWiki on this
// machine for result keys the embedded shapes never saw, and logs them (the
// list to extend the seed and the plan from). It fails only if the scan
// finds nothing at all, which would mean it is broken.
func TestCrossCheckSource(t *testing.T) {
	const root = "/usr/share/mediawiki"
	if _, err := os.Stat(filepath.Join(root, "includes", "api", "ApiResult.php")); err != nil {
		if testwikiCI() {
			t.Fatalf("no MediaWiki source at %s: %v", root, err)
		}
		t.Skipf("no MediaWiki source at %s", root)
	}
	schema, err := apischema.Default()
	if err != nil {
		t.Fatal(err)
	}
	shapes, err := apischema.DefaultShapes()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := CrossCheck(schema, shapes, root)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) == 0 {
		t.Fatal("the scan found no unseen key at all: the scanner is broken or the shapes are perfect")
	}
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k.String() + "\n")
	}
	t.Logf("%d result keys in the PHP source that no probe produced:\n%s", len(keys), b.String())
	// Keys every sample has must never be reported.
	for _, k := range keys {
		if k.Module == "query+revisions" && (k.Key == "revid" || k.Key == "timestamp") {
			t.Errorf("reported a key the shapes have: %v", k)
		}
	}
}

func testwikiCI() bool {
	v := strings.TrimSpace(os.Getenv("CI"))
	return strings.EqualFold(v, "true") || v == "1"
}
