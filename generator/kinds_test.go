package generator

import (
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/mwgen/mwgen/apischema"
)

// namedKinds are the kinds whose Go type is the field's own named type.
var namedKinds = map[fieldKind]bool{kEnum: true, kEnums: true, kSelector: true, kPageSet: true}

// TestKindTable checks that every kind has a complete entry: a Go type, an
// encoding, a set test, and its check parts and facts.
func TestKindTable(t *testing.T) {
	for k := range numKinds {
		info := kinds[k]
		if info.name == "" {
			t.Errorf("kind %d has no entry in kinds", k)
			continue
		}
		what := fmt.Sprintf("kind %d (%s)", k, info.name)
		if info.goType.wrap < 0 || info.goType.wrap >= numWraps {
			t.Errorf("%s: bad type wrapper %d", what, info.goType.wrap)
		}
		if (info.goType.elem == "") != namedKinds[k] {
			t.Errorf("%s: element type %q, want one exactly when the kind has a named type", what, info.goType.elem)
		}
		if info.encode.how < 0 || info.encode.how >= numEncodeHows {
			t.Errorf("%s: bad encoding %d", what, info.encode.how)
		}
		if (info.encode.how == encodeSetter) != (info.encode.setter != "") {
			t.Errorf("%s: a setter encoding needs a setter name, and only it", what)
		}
		if info.encode.conv < 0 || info.encode.conv >= numConversions {
			t.Errorf("%s: bad conversion %d", what, info.encode.conv)
		}
		if info.isSet < 0 || info.isSet >= numSetTests || (info.isSet == setUnsupported && k != kPageSet) {
			t.Errorf("%s: bad set test %d", what, info.isSet)
		}
		for _, c := range []checkKind{info.bounds, info.values, info.sub} {
			if c != noCheck && (c < 0 || c >= numCheckKinds) {
				t.Errorf("%s: bad check %d", what, c)
			}
		}
		if info.facts == nil {
			t.Errorf("%s: no facts function (use noFacts)", what)
		}
	}
}

// TestParamTypes maps every paraminfo type mwgen knows, and keeps the
// string fallback for one it does not.
func TestParamTypes(t *testing.T) {
	for _, name := range []string{apischema.TypeBoolean, apischema.TypeExpiry, apischema.TypeInteger,
		apischema.TypeLimit, apischema.TypeNamespace, apischema.TypePassword, apischema.TypeRaw,
		apischema.TypeString, apischema.TypeText, apischema.TypeTimestamp, apischema.TypeTitle,
		apischema.TypeUser, apischema.TypeUpload} {
		if _, ok := paramTypes[name]; !ok {
			t.Errorf("paraminfo type %q is not in paramTypes", name)
		}
	}
	tests := []struct {
		p       apischema.Param
		want    fieldKind
		unknown bool
	}{
		{apischema.Param{Type: apischema.Type{Name: "integer"}}, kInt, false},
		{apischema.Param{Type: apischema.Type{Name: "integer"}, Multi: true}, kInts, false},
		{apischema.Param{Type: apischema.Type{Name: "timestamp"}, Multi: true}, kStrings, false},
		{apischema.Param{Type: apischema.Type{Name: "text"}}, kOptString, false},
		{apischema.Param{Type: apischema.Type{Name: "text"}, Required: true}, kString, false},
		{apischema.Param{Type: apischema.Type{Name: "string"}, Default: ptr(apischema.StringScalar("x"))}, kOptString, false},
		{apischema.Param{Type: apischema.Type{Name: "cirrus-magic"}}, kString, true},
		{apischema.Param{Type: apischema.Type{Name: "cirrus-magic"}, Multi: true}, kStrings, true},
	}
	for _, tc := range tests {
		k, unknown := scalarKind(&tc.p)
		if k != tc.want || unknown != tc.unknown {
			t.Errorf("scalarKind(%s, multi %t) = %s, %t; want %s, %t", tc.p.Type, tc.p.Multi, kinds[k].name, unknown, kinds[tc.want].name, tc.unknown)
		}
	}
	p := &apischema.Param{Name: "x", Type: apischema.Type{Name: "cirrus-magic"}}
	doc := fieldDoc(&apischema.Module{}, p, &field{name: "X", kind: kString})
	if !strings.Contains(doc, `the wiki's type "cirrus-magic" is unknown to mwgen, so it is sent as a string`) {
		t.Errorf("the fallback is not documented: %q", doc)
	}
}

func ptr[T any](v T) *T { return &v }

// kindsModel is a package with one required field of every kind, with
// every check, for TestEveryKindIsEmitted.
func kindsModel() (*pkgModel, map[fieldKind]*field) {
	enum := &enumType{name: "KEnum", doc: "KEnum is an enum.", values: []enumValue{{name: "KEnumA", value: "a"}}, all: "KEnumAll", allValue: "*"}
	sub := &paramsStruct{path: "sub", prefix: "s", name: "SubParams", file: "mod_sub_gen.go", doc: "SubParams are a submodule's."}
	sel := &selector{name: "KSelector", doc: "KSelector selects.", wire: "sel", choices: []selChoice{{field: "Sub", value: "sub", target: "SubParams", prefix: "gs"}}}
	set := &pageSet{name: "KPageSet", doc: "KPageSet is a page set.", fields: []*field{
		{name: "Titles", wire: "titles", kind: kStrings, doc: "Titles.", checks: []check{{kind: checkCount, limit: 50}}},
	}}
	byKind := map[fieldKind]*field{}
	var fields []*field
	for k := range numKinds {
		f := &field{name: "F" + strconv.Itoa(int(k)), wire: "f" + strconv.Itoa(int(k)), kind: k, doc: "A field."}
		switch k {
		case kEnum, kEnums:
			f.enum = enum
		case kSelector:
			f.sel = sel
		case kPageSet:
			f.pageSet = set
			f.name = set.name
		case kTemplated:
			f.tmpl = &template{name: f.wire + "-{v}", placeholder: "{v}", target: "f2"}
		}
		info := kinds[k]
		if info.isSet != setUnsupported {
			f.checks = []check{{kind: checkRequired}}
		}
		switch info.bounds {
		case checkIntRange, checkIntsRange:
			f.checks = append(f.checks, check{kind: info.bounds, min: optInt{1, true}, max: optInt{}})
		case checkLimitRange:
			f.checks = append(f.checks, check{kind: info.bounds, lo: 1, hi: 50, highmax: 500})
		}
		if info.values != noCheck {
			f.checks = append(f.checks, check{kind: info.values, allSpecifier: "*"})
		}
		if info.sub != noCheck {
			f.checks = append(f.checks, check{kind: info.sub})
		}
		if info.slice {
			f.checks = append(f.checks, check{kind: checkCount, limit: 50})
		}
		fields = append(fields, f)
		byKind[k] = f
	}
	mod := &paramsStruct{path: "kinds", name: "KindsParams", file: "mod_kinds_gen.go", doc: "KindsParams have every kind.",
		fields: fields, enums: []*enumType{enum}, sels: []*selector{sel}, pageSets: []*pageSet{set},
		action: "kinds", method: "Kinds", pagesMethod: "KindsAll"}
	main := &paramsStruct{path: "main", name: "MainParams", file: "mod_main_gen.go", doc: "MainParams are main's."}
	return &pkgModel{header: "Code generated by mwgen test. DO NOT EDIT.", doc: "Package kinds is a test.", readme: "kinds\n",
		main: main, structs: []*paramsStruct{main, mod, sub}}, byKind
}

// TestEveryKindIsEmitted renders a field of every kind, with every check
// its entry allows, and has `go vet` type-check the package: a kind that
// some part of emission lacks fails here, not in a user's build.
func TestEveryKindIsEmitted(t *testing.T) {
	m, byKind := kindsModel()
	g := &emitter{m: m, pkg: "kinds"}
	files, err := g.files()
	if err != nil {
		t.Fatal(err)
	}
	var src string
	for _, f := range files {
		if f.Name == "mod_kinds_gen.go" {
			src = string(f.Data)
		}
	}
	if _, err := parser.ParseFile(token.NewFileSet(), "mod_kinds_gen.go", src, 0); err != nil {
		t.Fatal(err)
	}
	for k := range numKinds {
		f := byKind[k]
		what := fmt.Sprintf("kind %s", kinds[k].name)
		if kinds[k].encode.how != encodeEmbedded && !strings.Contains(src, strconv.Quote(f.wire)) {
			t.Errorf("%s: %s is never encoded or checked", what, f.wire)
		}
		if !regexp.MustCompile(`\bp\.` + f.name + `\b`).MatchString(src) {
			t.Errorf("%s: field %s is never used", what, f.name)
		}
	}
	for ck := range numCheckKinds {
		used := false
		for _, f := range byKind {
			for _, c := range f.checks {
				used = used || c.kind == ck
			}
		}
		if !used {
			t.Errorf("check kind %d is not exercised by the test model", ck)
		}
	}

	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	scratch, err := os.MkdirTemp("testdata", "kinds-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(scratch) })
	dir := filepath.Join(scratch, "kinds")
	if err := WriteDir(dir, files); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("go", "vet", "./"+filepath.ToSlash(dir)).CombinedOutput(); err != nil {
		t.Fatalf("go vet of a package with every kind: %v\n%s", err, out)
	}
}

// TestEmissionSeesNoSchema keeps the schema out of emission and of the
// model's types: they must not import apischema.
func TestEmissionSeesNoSchema(t *testing.T) {
	files, err := filepath.Glob("emit*.go")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, "model.go")
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			if strings.Contains(imp.Path.Value, "/apischema") {
				t.Errorf("%s imports %s: emission walks the model only", name, imp.Path.Value)
			}
		}
	}
	if len(files) < 3 {
		t.Errorf("found only %v: the emission files moved?", files)
	}
}
