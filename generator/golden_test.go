package generator

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mwgen/mwgen/apischema"
)

var update = flag.Bool("update", false, "rewrite the golden files under golden/generator and generated/ (review the diff like code)")

// goldenDir holds one directory per case: schema.json (a snapshot or raw
// paraminfo) and the exact package it must produce, named after the
// directory. The golden packages are ordinary Go packages of this module,
// so `go vet ./...` type-checks them too.
const goldenDir = "../golden/generator"

func TestGolden(t *testing.T) {
	cases, err := os.ReadDir(goldenDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if !c.IsDir() {
			continue
		}
		t.Run(c.Name(), func(t *testing.T) {
			dir := filepath.Join(goldenDir, c.Name())
			s, err := apischema.ReadFile(filepath.Join(dir, "schema.json"))
			if err != nil {
				t.Fatal(err)
			}
			files, err := Generate(s, Options{
				Package: c.Name(),
				Command: "mwgen generate --schema schema.json --out . --package " + c.Name(),
			})
			if err != nil {
				t.Fatal(err)
			}
			compareDir(t, dir, files, "schema.json")
		})
	}
}

// TestGeneratedIsFresh regenerates generated/ from the embedded snapshot
// and fails when the committed package differs.
func TestGeneratedIsFresh(t *testing.T) {
	s, err := apischema.Default()
	if err != nil {
		t.Fatal(err)
	}
	files, err := Generate(s, generatedOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	compareDir(t, "../generated", files)
}

// compareDir checks that dir holds exactly files (besides hand-written
// tests and the names in keep), or rewrites it with -update.
func compareDir(t *testing.T, dir string, files []File, keep ...string) {
	t.Helper()
	want := map[string][]byte{}
	for _, f := range files {
		want[f.Name] = f.Data
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string][]byte{}
	for _, e := range entries {
		if e.IsDir() || slices.Contains(keep, e.Name()) || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		have[e.Name()] = b
	}
	if *update {
		for name := range have {
			if _, ok := want[name]; !ok {
				os.Remove(filepath.Join(dir, name))
			}
		}
		for name, data := range want {
			if !bytes.Equal(have[name], data) {
				if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		return
	}
	for name, data := range want {
		got, ok := have[name]
		switch {
		case !ok:
			t.Errorf("%s/%s is missing (run go test ./generator -update and review the result)", dir, name)
		case !bytes.Equal(got, data):
			t.Errorf("%s/%s is stale (run go test ./generator -update and review the diff); -committed +generated:\n%s",
				dir, name, cmp.Diff(string(got), string(data)))
		}
	}
	for name := range have {
		if _, ok := want[name]; !ok {
			t.Errorf("%s/%s is no longer generated", dir, name)
		}
	}
}

// TestGoldenAndGeneratedCompile type-checks the committed golden packages
// and generated/ with go vet, so a generator change that breaks them fails
// here and not only in CI's vet step.
func TestGoldenAndGeneratedCompile(t *testing.T) {
	cmd := exec.Command("go", "vet", "../golden/...", "../generated")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go vet: %v\n%s", err, out)
	}
}

func generatedOptions(t testing.TB) Options {
	t.Helper()
	opt, err := GeneratedOptions()
	if err != nil {
		t.Fatal(err)
	}
	return opt
}
