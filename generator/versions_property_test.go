package generator_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/mwgen/mwgen/apischema"
	"github.com/mwgen/mwgen/generator"
)

// TestGeneratePropertyVersions is TestGenerateProperty for packages of
// several MediaWiki versions: each case is the union (apischema.Union) of
// a random schema and a mutation of it (parameters dropped, types changed,
// enum values added and removed, modules dropped), or of two unrelated
// random schemas, and, as a fixed case, the union of the two embedded
// snapshots. Each must give a clear error or a package that is
// gofmt-clean, deterministic (also with the versions given in the other
// order) and passes go vet.
func TestGeneratePropertyVersions(t *testing.T) {
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	scratch, err := os.MkdirTemp("testdata", "vprop-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(scratch) })

	type vcase struct {
		desc    string
		schemas func() []*apischema.Schema
	}
	var cases []vcase
	for i := 1; i <= versionPropCases; i++ {
		seed := uint64(propBaseSeed + 5000 + i)
		if i%4 == 0 {
			cases = append(cases, vcase{fmt.Sprintf("seeds %d and %d", seed, seed+1), func() []*apischema.Schema {
				a, _ := randomSchema(seed)
				b, _ := randomSchema(seed + 1)
				return versioned(a, b)
			}})
			continue
		}
		cases = append(cases, vcase{fmt.Sprintf("seed %d and its mutation", seed), func() []*apischema.Schema {
			a, _ := randomSchema(seed)
			b, _ := randomSchema(seed)
			mutate(b, rand.New(rand.NewPCG(seed, 7)))
			return versioned(a, b)
		}})
	}
	cases = append(cases, vcase{"the embedded 1.39 and 1.43 snapshots", func() []*apischema.Schema {
		var out []*apischema.Schema
		for _, v := range apischema.SnapshotVersions() {
			s, err := apischema.Snapshot(v)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}})

	var built []propCase
	errored := 0
	for i, vc := range cases {
		c := propCase{index: i + 1, fixed: "versions", desc: vc.desc, pkg: fmt.Sprintf("v%d", i+1)}
		gen := func(reverse bool) ([]generator.File, any, error) {
			ss := vc.schemas()
			if reverse {
				slices.Reverse(ss)
			}
			v, err := apischema.Union(ss...)
			if err != nil {
				return nil, nil, err
			}
			return generateVersionsGuarded(v, c.pkg)
		}
		files, panicked, err := gen(false)
		if panicked != nil {
			t.Errorf("%s: Generate panicked: %v", &c, panicked)
			continue
		}
		if err != nil {
			errored++
			if !strings.HasPrefix(err.Error(), "generate:") && !strings.HasPrefix(err.Error(), "versions:") {
				t.Errorf("%s: error %q starts with neither \"generate:\" nor \"versions:\"", &c, shorten(err.Error(), 400))
			}
			continue
		}
		if !checkFiles(t, &c, files) {
			continue
		}
		again, panicked, err := gen(true)
		if panicked != nil || err != nil {
			t.Errorf("%s: generation with the versions reversed failed: panic %v, error %v", &c, panicked, err)
			continue
		}
		if diff := firstDifference(files, again); diff != "" {
			t.Errorf("%s: generation depends on the order of the versions: %s", &c, diff)
			continue
		}
		c.dir = filepath.Join(scratch, fmt.Sprintf("case%d", c.index))
		if err := generator.WriteDir(c.dir, files); err != nil {
			t.Errorf("%s: %v", &c, err)
			continue
		}
		built = append(built, c)
	}
	t.Logf("%d version unions: %d generated a package, %d returned an error", len(cases), len(built), errored)
	if len(built) < len(cases)/2 {
		t.Fatalf("only %d of %d unions produced a package: the case builder is broken", len(built), len(cases))
	}
	vetCases(t, built)
}

const versionPropCases = 24

// versioned stamps two schemas as MediaWiki 1.39.1 and 1.43.1.
func versioned(a, b *apischema.Schema) []*apischema.Schema {
	a.Wiki.Generator, b.Wiki.Generator = "MediaWiki 1.39.1", "MediaWiki 1.43.1"
	return []*apischema.Schema{a, b}
}

// mutate changes a schema the way a new MediaWiki version does.
func mutate(s *apischema.Schema, r *rand.Rand) {
	var kept []*apischema.Module
	for _, m := range s.Modules {
		if m.Path != "main" && r.IntN(8) == 0 {
			continue // module removed
		}
		kept = append(kept, m)
		var ps []*apischema.Param
		for _, p := range m.Parameters {
			switch r.IntN(10) {
			case 0:
				continue // parameter removed
			case 1:
				if !p.Type.IsEnum() && len(p.Submodules) == 0 && len(p.TemplateVars) == 0 {
					p.Type = apischema.Type{Name: apischema.TypeInteger}
				}
			case 2:
				if p.Type.IsEnum() && len(p.Submodules) == 0 {
					p.Type.Values = append(slices.Clone(p.Type.Values), "new-value")
					if len(p.Type.Values) > 2 {
						p.Type.Values = p.Type.Values[1:]
					}
				}
			case 3:
				p.Required = !p.Required
			}
			ps = append(ps, p)
		}
		if r.IntN(3) == 0 {
			ps = append(ps, &apischema.Param{Name: "addedparam", Type: apischema.Type{Name: apischema.TypeString}})
		}
		m.Parameters = ps
	}
	s.Modules = kept
}

func generateVersionsGuarded(v *apischema.Versioned, pkg string) (files []generator.File, panicked any, err error) {
	defer func() {
		if r := recover(); r != nil {
			panicked = fmt.Sprintf("%v\n%s", r, panicFrames(debug.Stack()))
		}
	}()
	files, err = generator.Generate(v.Schema, generator.Options{Package: pkg, Versions: v})
	return files, nil, err
}
