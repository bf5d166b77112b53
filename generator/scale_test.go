package generator

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mwgen/mwgen/apischema"
)

// wikimediaDump is 50 real module objects of www.mediawiki.org (MediaWiki
// 1.47.0-wmf.22); see apischema/testdata/wikimedia/README.md.
const wikimediaDump = "../apischema/testdata/wikimedia/mediawiki.org-1.47.0-wmf.22.json"

// writeScratch writes files as package name under a scratch directory of
// generator/testdata (invisible to ./..., buildable when named) and
// returns the package's directory.
func writeScratch(t testing.TB, name string, files []File) string {
	t.Helper()
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	scratch, err := os.MkdirTemp("testdata", name+"-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(scratch) })
	pkg := filepath.Join(scratch, name)
	if err := WriteDir(pkg, files); err != nil {
		t.Fatal(err)
	}
	return pkg
}

func goVet(t testing.TB, dirs ...string) {
	t.Helper()
	args := []string{"vet"}
	for _, d := range dirs {
		args = append(args, "./"+filepath.ToSlash(d))
	}
	if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
		t.Fatalf("go vet: %v\n%s", err, out)
	}
}

// TestWikimediaDumpGenerates generates a client from a real Wikimedia
// paraminfo answer (a partial schema with an array default) and has go vet
// build and check it.
func TestWikimediaDumpGenerates(t *testing.T) {
	s, err := apischema.ReadFile(wikimediaDump)
	if err != nil {
		t.Fatal(err)
	}
	var warnings []string
	files, err := Generate(s, Options{Package: "wikimedia", Warn: func(m string) { warnings = append(warnings, m) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "not in the schema") {
		t.Errorf("warnings: %q", warnings)
	}
	if _, err := Generate(s, Options{Package: "wikimedia", Strict: true}); err == nil || !strings.Contains(err.Error(), "--strict") {
		t.Errorf("strict: %v", err)
	}
	var cirrus string
	for _, f := range files {
		if f.Name == "mod_query_cirrusbuilddoc_gen.go" {
			cirrus = string(f.Data)
		}
	}
	if !strings.Contains(cirrus, `default "content|links"`) {
		t.Errorf("the array default is not in the field's doc:\n%s", cirrus)
	}
	goVet(t, writeScratch(t, "wikimedia", files))
}

func TestDefaultDoc(t *testing.T) {
	for raw, want := range map[string]string{
		`"x"`:                 `default "x"`,
		`""`:                  `default ""`,
		`10`:                  `default "10"`,
		`false`:               `default "false"`,
		`["content","links"]`: `default "content|links"`,
		`[]`:                  `default "" (no values)`,
		`null`:                `default null (none)`,
	} {
		var d apischema.Scalar
		if err := json.Unmarshal([]byte(raw), &d); err != nil {
			t.Fatal(err)
		}
		if got := defaultDoc(&d); got != want {
			t.Errorf("%s: %q, want %q", raw, got, want)
		}
	}
	if defaultDoc(nil) != "" {
		t.Error("no default gave doc text")
	}
}

// scaledSchema is the embedded schema n times over, at Wikipedia's size
// (n=5: 701 modules): copy k of every module but main is renamed segment
// by segment ("query+allpages" → "query2+allpages2"), every selector of a
// copy points at the copy's modules, and main's action and format select
// every copy.
func scaledSchema(t testing.TB, n int) *apischema.Schema {
	t.Helper()
	base, err := apischema.Default()
	if err != nil {
		t.Fatal(err)
	}
	rename := func(path string, k int) string {
		if k == 1 {
			return path
		}
		segs := strings.Split(path, "+")
		for i := range segs {
			segs[i] += fmt.Sprint(k)
		}
		return strings.Join(segs, "+")
	}
	out := &apischema.Schema{Wiki: base.Wiki, HelpFormat: base.HelpFormat}
	var main *apischema.Module
	for k := 1; k <= n; k++ {
		for _, m := range base.Modules {
			if m.Path == "main" && k > 1 {
				continue
			}
			c := cloneModule(t, m)
			if m.Path != "main" {
				c.Path = rename(m.Path, k)
				c.Name = c.Path[strings.LastIndex(c.Path, "+")+1:]
			}
			for _, p := range slices.Concat(c.Parameters, c.TemplatedParameters) {
				if len(p.Submodules) == 0 || (m.Path == "main" && k == 1) {
					continue
				}
				subs := map[string]string{}
				for v, path := range p.Submodules {
					subs[rename(v, k)] = rename(path, k)
				}
				p.Submodules = subs
				p.Type.Values = slices.Sorted(maps.Keys(subs))
			}
			if c.Path == "main" {
				main = c
			}
			out.Modules = append(out.Modules, c)
		}
	}
	for _, p := range main.Parameters {
		if len(p.Submodules) == 0 {
			continue
		}
		orig := maps.Clone(p.Submodules)
		for k := 2; k <= n; k++ {
			for v, path := range orig {
				p.Submodules[v+fmt.Sprint(k)] = rename(path, k)
			}
		}
		p.Type.Values = slices.Sorted(maps.Keys(p.Submodules))
	}
	slices.SortFunc(out.Modules, func(a, b *apischema.Module) int { return strings.Compare(a.Path, b.Path) })
	if err := out.Validate(); err != nil {
		t.Fatal(err)
	}
	if d := out.Dangling(); len(d) != 0 {
		t.Fatalf("scaled schema has dangling references: %v", d[:min(3, len(d))])
	}
	return out
}

func cloneModule(t testing.TB, m *apischema.Module) *apischema.Module {
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	c := new(apischema.Module)
	if err := json.Unmarshal(b, c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestWikipediaScale generates the ~700-module schema, builds and vets it,
// and builds a one-call program on it, the same program on generated/ (141
// modules) and the same call on raw net/http: five times the modules may
// not grow the program by more than 1% (the linker drops what the call
// does not use), whatever the runtime itself weighs beside raw net/http.
func TestWikipediaScale(t *testing.T) {
	s := scaledSchema(t, 5)
	if len(s.Modules) < 700 {
		t.Fatalf("%d modules", len(s.Modules))
	}
	files, err := Generate(s, Options{Package: "scale"})
	if err != nil {
		t.Fatal(err)
	}
	pkg := writeScratch(t, "scale", files)
	progs := filepath.Join(filepath.Dir(pkg), "cmd")
	write := func(name, src string) string {
		dir := filepath.Join(progs, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	oneCall := func(importPath, pkgName string) string {
		return strings.ReplaceAll(strings.ReplaceAll(`package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"IMPORT"
	"github.com/mwgen/mwgen/runtime"
)

func main() {
	rt, err := runtime.NewClient(os.Args[1], runtime.Options{UserAgent: "mwgen-scale/1 (https://github.com/mwgen/mwgen)"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	res, err := PKG.New(rt).Query(context.Background(), &PKG.QueryParams{Meta: PKG.QueryMetas{Siteinfo: &PKG.QuerySiteinfoParams{}}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// A typed answer has Raw(), an untyped one (no shapes) a Raw field.
	var raw json.RawMessage
	switch r := any(res).(type) {
	case interface{ Raw() json.RawMessage }:
		raw = r.Raw()
	case *runtime.Response:
		raw = r.Raw
	}
	fmt.Println(string(raw))
}
`, "IMPORT", importPath), "PKG", pkgName)
	}
	gen := write("scalecall", oneCall("github.com/mwgen/mwgen/generator/"+filepath.ToSlash(pkg), "scale"))
	one := write("onecall", oneCall("github.com/mwgen/mwgen/generated", "generated"))
	raw := write("raw", `package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
)

func main() {
	q := url.Values{"action": {"query"}, "meta": {"siteinfo"}, "format": {"json"}, "formatversion": {"2"}}
	req, err := http.NewRequest("GET", os.Args[1]+"?"+q.Encode(), nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	req.Header.Set("User-Agent", "mwgen-scale/1 (https://github.com/mwgen/mwgen)")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer resp.Body.Close()
	var v json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(string(v))
}
`)
	goVet(t, pkg, gen)
	size := func(dir string) int64 {
		bin := filepath.Join(t.TempDir(), "bin")
		if out, err := exec.Command("go", "build", "-o", bin, "./"+filepath.ToSlash(dir)).CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", dir, err, out)
		}
		fi, err := os.Stat(bin)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	g, o, r := size(gen), size(one), size(raw)
	t.Logf("one-call binary: %d bytes on the %d-module client (%.4f× raw), %d bytes on generated/ (%.4f× raw), %d bytes on raw net/http",
		g, len(s.Modules), float64(g)/float64(r), o, float64(o)/float64(r), r)
	if growth := float64(g) / float64(o); growth > 1.01 {
		t.Errorf("five times the modules grew the one-call program %.3f× (%d vs %d bytes), want ≤ 1.01×", growth, g, o)
	}
}

// BenchmarkGenerateScale generates the ~700-module schema (the embedded
// one five times over); beside BenchmarkGenerateDefault it shows whether
// generation stays linear in the schema's size.
func BenchmarkGenerateScale(b *testing.B) {
	s := scaledSchema(b, 5)
	b.ReportAllocs()
	for range b.N {
		if _, err := Generate(s, Options{Package: "scale"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGofmtScale is go/format alone over BenchmarkGenerateScale's
// output.
func BenchmarkGofmtScale(b *testing.B) {
	s := scaledSchema(b, 5)
	files, err := Generate(s, Options{Package: "scale"})
	if err != nil {
		b.Fatal(err)
	}
	benchGofmt(b, files)
}

// BenchmarkGenerateRawDump generates from the real Wikimedia dump, a raw
// paraminfo answer: no snapshot hash to reuse, so the schema is hashed.
func BenchmarkGenerateRawDump(b *testing.B) {
	s, err := apischema.ReadFile(wikimediaDump)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for range b.N {
		if _, err := Generate(s, Options{Package: "wikimedia"}); err != nil {
			b.Fatal(err)
		}
	}
}
