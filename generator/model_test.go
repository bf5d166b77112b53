package generator

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mwgen/mwgen/apischema"
)

// The model's decisions, tested without rendering code.

func TestFieldChecks(t *testing.T) {
	i64 := func(v int64) *int64 { return &v }
	closed := &enumType{name: "E", values: []enumValue{{name: "EA", value: "a"}}}
	open := &enumType{name: "E", values: closed.values, open: true}
	tests := []struct {
		name string
		p    apischema.Param
		f    field
		want []check
	}{
		{"required string", apischema.Param{Required: true}, field{kind: kString},
			[]check{{kind: checkRequired}}},
		{"int with bounds", apischema.Param{Min: i64(1), Max: i64(50), HighMax: i64(500)}, field{kind: kInt},
			[]check{{kind: checkIntRange, min: optInt{1, true}, max: optInt{500, true}}}},
		{"int bound beyond 32 bits is left out", apischema.Param{Min: i64(0), Max: i64(math.MaxInt64)}, field{kind: kInt},
			[]check{{kind: checkIntRange, min: optInt{0, true}}}},
		{"int without bounds", apischema.Param{}, field{kind: kInt}, nil},
		{"ints with bounds", apischema.Param{Multi: true, Min: i64(0)}, field{kind: kInts},
			[]check{{kind: checkIntsRange, min: optInt{0, true}}}},
		{"limit", apischema.Param{Min: i64(1), Max: i64(50), HighMax: i64(500)}, field{kind: kLimit},
			[]check{{kind: checkLimitRange, lo: 1, hi: 50, highmax: 500}}},
		{"limit without bounds is clamped", apischema.Param{Max: i64(math.MaxInt64)}, field{kind: kLimit},
			[]check{{kind: checkLimitRange, lo: 0, hi: math.MaxInt32, highmax: math.MaxInt32}}},
		{"closed enum", apischema.Param{}, field{kind: kEnum, enum: closed},
			[]check{{kind: checkOneOf}}},
		{"open enum", apischema.Param{}, field{kind: kEnum, enum: open}, nil},
		{"closed multi enum with limit", apischema.Param{Multi: true, AllSpecifier: "*", HighLimit: ptr(500)}, field{kind: kEnums, enum: closed},
			[]check{{kind: checkAllOf, allSpecifier: "*"}, {kind: checkCount, limit: 500}}},
		{"strings with limit", apischema.Param{Multi: true, HighLimit: ptr(500)}, field{kind: kStrings},
			[]check{{kind: checkCount, limit: 500}}},
		{"selector", apischema.Param{Required: true}, field{kind: kSelector},
			[]check{{kind: checkRequired}, {kind: checkNested}}},
		{"templated has no count", apischema.Param{Multi: true, HighLimit: ptr(500)}, field{kind: kTemplated}, nil},
	}
	for _, tc := range tests {
		got := fieldChecks(&tc.p, &tc.f)
		if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(check{}, optInt{})); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestTemplateOf(t *testing.T) {
	p := &apischema.Param{Name: "fromtext-{slot}", TemplateVars: map[string]string{"slot": "fromslots"}}
	want := &template{name: "fromtext-{slot}", placeholder: "{slot}", target: "fromslots"}
	if got := templateOf(p); *got != *want {
		t.Errorf("templateOf = %+v, want %+v", got, want)
	}
}

// pageSetSchema has two modules with the same page set and one whose
// page set differs in a limit.
func pageSetSchema() *apischema.Schema {
	ps := func(titlesLimit int, desc string) []*apischema.Param {
		return []*apischema.Param{
			{Name: "titles", Type: apischema.Type{Name: "string"}, Multi: true, HighLimit: ptr(titlesLimit), Description: desc},
			{Name: "pageids", Type: apischema.Type{Name: "integer"}, Multi: true},
			{Name: "revids", Type: apischema.Type{Name: "integer"}, Multi: true},
			{Name: "generator", Type: apischema.Type{Name: "enum", Values: []string{"allpages"}}, Submodules: map[string]string{"allpages": "query+allpages"}, SubmoduleParamPrefix: "g"},
			{Name: "redirects", Type: apischema.Type{Name: "boolean"}},
		}
	}
	action := &apischema.Param{Name: "action", Type: apischema.Type{Name: "enum", Values: []string{"purge", "query", "watch"}},
		Submodules: map[string]string{"purge": "purge", "query": "query", "watch": "watch"}}
	return &apischema.Schema{Modules: []*apischema.Module{
		{Name: "main", Path: "main", Parameters: []*apischema.Param{action}},
		{Name: "purge", Path: "purge", Group: "action", Parameters: append([]*apischema.Param{{Name: "forcelinkupdate", Type: apischema.Type{Name: "boolean"}}}, ps(500, "purge's help")...)},
		{Name: "query", Path: "query", Group: "action", Parameters: ps(500, "query's help")},
		{Name: "allpages", Path: "query+allpages", Group: "list", Prefix: "ap", Generator: true, Parameters: []*apischema.Param{{Name: "from", Type: apischema.Type{Name: "string"}}}},
		{Name: "watch", Path: "watch", Group: "action", Parameters: ps(50, "watch's help")},
	}}
}

func TestPageSets(t *testing.T) {
	s := pageSetSchema()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	m, err := buildModel(s, func(string) bool { return true }, Options{Package: "p"})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.sharedPageSets) != 1 || m.sharedPageSets[0].name != "PageSet" {
		t.Fatalf("shared page sets: %v, want one PageSet", m.sharedPageSets)
	}
	shared := m.sharedPageSets[0]
	var names []string
	for _, f := range shared.fields {
		names = append(names, f.name+"="+f.wire)
	}
	if diff := cmp.Diff([]string{"Titles=titles", "PageIDs=pageids", "RevIDs=revids", "Generator=generator", "Redirects=redirects"}, names); diff != "" {
		t.Errorf("page set fields (-want +got):\n%s", diff)
	}
	// The help text comes from the first module in path order.
	if got := shared.fields[0].doc; got != "Titles is titles: purge's help\n(up to 0 values (500 with apihighlimits))" {
		t.Errorf("titles doc = %q", got)
	}
	byPath := map[string]*paramsStruct{}
	for _, ps := range m.structs {
		byPath[ps.path] = ps
	}
	fieldsOf := func(ps *paramsStruct) []string {
		var out []string
		for _, f := range ps.fields {
			out = append(out, f.name)
		}
		return out
	}
	if diff := cmp.Diff([]string{"Forcelinkupdate", "PageSet"}, fieldsOf(byPath["purge"])); diff != "" {
		t.Errorf("purge fields (-want +got):\n%s", diff)
	}
	if got := byPath["query"].fields[0]; got.kind != kPageSet || got.pageSet != shared || len(byPath["query"].pageSets) != 0 {
		t.Errorf("query does not embed the shared page set: %+v", got)
	}
	// watch's titles limit differs: a page set of its own, in its file.
	w := byPath["watch"]
	if len(w.pageSets) != 1 || w.pageSets[0].name != "WatchPageSet" || w.fields[0].pageSet != w.pageSets[0] {
		t.Errorf("watch's page set: %+v", w.pageSets)
	}
}

// TestModuleDecisions builds one module and checks what the model decided
// for it: kinds, wire names, enum openness and notes, docs, the token.
func TestModuleDecisions(t *testing.T) {
	enum := func(name string, values ...string) *apischema.Param {
		return &apischema.Param{Name: name, Type: apischema.Type{Name: "enum", Values: values}}
	}
	model := enum("contentmodel", "wikitext")
	format := enum("format", "a", "b")
	format.DeprecatedValues = []string{"b"}
	slots := enum("slots", "main")
	slots.Multi = true
	tmpl := &apischema.Param{Name: "text-{slot}", Type: apischema.Type{Name: "text"}, TemplateVars: map[string]string{"slot": "slots"}}
	odd := &apischema.Param{Name: "magic", Type: apischema.Type{Name: "cirrus-magic"}, Required: true}
	token := &apischema.Param{Name: "token", Type: apischema.Type{Name: "string"}, TokenType: "csrf", Required: true}
	action := &apischema.Param{Name: "action", Type: apischema.Type{Name: "enum", Values: []string{"x"}}, Submodules: map[string]string{"x": "x"}}
	s := &apischema.Schema{Modules: []*apischema.Module{
		{Name: "main", Path: "main", Parameters: []*apischema.Param{action}},
		{Name: "x", Path: "x", Group: "action", Prefix: "x", MustBePosted: true,
			Parameters: []*apischema.Param{model, format, slots, odd, token}, TemplatedParameters: []*apischema.Param{tmpl}},
	}}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	m, err := buildModel(s, func(string) bool { return true }, Options{Package: "p"})
	if err != nil {
		t.Fatal(err)
	}
	var x *paramsStruct
	for _, ps := range m.structs {
		if ps.path == "x" {
			x = ps
		}
	}
	if x.method != "X" || x.token != "csrf" || x.tokenParam != "xtoken" || !x.post || x.file != "mod_x_gen.go" {
		t.Errorf("module: method %q token %q/%q post %t file %q", x.method, x.token, x.tokenParam, x.post, x.file)
	}
	type got struct {
		name, wire, kind string
		open             bool
	}
	var fields []got
	for _, f := range x.fields {
		fields = append(fields, got{f.name, f.wire, kinds[f.kind].name, f.enum != nil && f.enum.open})
	}
	want := []got{
		{"Contentmodel", "contentmodel", "enum", true},
		{"Format", "format", "enum", false},
		{"Slots", "slots", "enums", false},
		{"Magic", "magic", "string", false},
		{"TextSlot", "text-{slot}", "templated", false},
	}
	if diff := cmp.Diff(want, fields, cmp.AllowUnexported(got{})); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	docs := map[string]string{
		"Contentmodel": "open: values outside the listed constants are accepted",
		"Magic":        `required; the wiki's type "cirrus-magic" is unknown to mwgen, so it is sent as a string`,
		"TextSlot":     "keyed by {slot} from xslots; each key is added to that parameter",
	}
	for _, f := range x.fields {
		if want, ok := docs[f.name]; ok && !strings.Contains(f.doc, want) {
			t.Errorf("%s's doc %q lacks %q", f.name, f.doc, want)
		}
	}
	if e := x.fields[1].enum; e.values[1].doc != "Deprecated: the wiki marks this value as deprecated." || e.values[0].doc != "" {
		t.Errorf("enum value notes: %+v", e.values)
	}
	if !strings.Contains(x.doc, "About the module: sent as a POST; needs a csrf token, which the runtime fetches.") {
		t.Errorf("module doc: %q", x.doc)
	}
}
