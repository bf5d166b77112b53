package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mwgen/mwgen/internal/testwiki"
)

// TestDownstreamExample checks examples/downstream, a separate module that
// uses mwgen the way a user would: in a copy of it, `go generate ./...`
// must regenerate exactly the committed wiki/ package (so the example is
// not stale), and the module must build and vet. When a test wiki is
// available, the example program also lists its pages.
//
// The copy keeps the repository's layout around the example (it goes to
// TMP/examples/downstream, the schema snapshot to TMP/apischema/snapshots)
// so that the //go:generate line runs unchanged: the command line it
// records in each generated file's header must match the committed one.
// Only the go.mod replace directive is pointed at this checkout.
//
// After changing the generator, regenerate the example:
//
//	cd examples/downstream && go generate ./...
func TestDownstreamExample(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command; skipped with -short")
	}
	goBin := exampleGoBin(t)
	root := exampleRepoRoot(t)
	src := filepath.Join(root, "examples", "downstream")
	tmp := t.TempDir()
	dst := filepath.Join(tmp, "examples", "downstream")

	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	exampleCopy(t, filepath.Join(root, "apischema", "snapshots", "mediawiki-1.39.json"),
		filepath.Join(tmp, "apischema", "snapshots", "mediawiki-1.39.json"))

	// Build against this checkout, wherever the copy is.
	goMod := exampleRead(t, filepath.Join(dst, "go.mod"))
	const replace = "replace github.com/mwgen/mwgen => ../..\n"
	if !strings.Contains(goMod, replace) {
		t.Fatalf("examples/downstream/go.mod has no line %q", replace)
	}
	goMod = strings.Replace(goMod, replace, "replace github.com/mwgen/mwgen => "+root+"\n", 1)
	exampleWrite(t, filepath.Join(dst, "go.mod"), goMod)

	// Remove what go generate writes, so that the comparison below proves
	// it wrote every file.
	wikiDir := filepath.Join(dst, "wiki")
	committed := exampleGenerated(t, filepath.Join(src, "wiki"))
	if len(committed) == 0 {
		t.Fatal("examples/downstream/wiki holds no generated files")
	}
	for _, name := range committed {
		if err := os.Remove(filepath.Join(wikiDir, name)); err != nil {
			t.Fatal(err)
		}
	}

	exampleGo(t, goBin, dst, "generate", "./...")

	regenerated := exampleGenerated(t, wikiDir)
	if !slices.Equal(regenerated, committed) {
		t.Errorf("go generate wrote %q,\nexamples/downstream/wiki holds %q", regenerated, committed)
	}
	stale := false
	for _, name := range committed {
		want := exampleRead(t, filepath.Join(src, "wiki", name))
		got, err := os.ReadFile(filepath.Join(wikiDir, name))
		if err != nil {
			t.Error(err)
			continue
		}
		if string(got) != want {
			stale = true
			t.Errorf("examples/downstream/wiki/%s differs from what go generate writes now:\n%s", name, exampleFirstDiff(want, string(got)))
		}
	}
	if stale || t.Failed() {
		t.Errorf("examples/downstream/wiki is stale: run `go generate ./...` in examples/downstream and commit the result")
	}

	exampleGo(t, goBin, dst, "build", "./...")
	exampleGo(t, goBin, dst, "vet", "./...")

	// -mod=mod lets the go command fix the module files; it must not have
	// had to: the committed go.sum must be complete and tidy.
	if got, want := exampleRead(t, filepath.Join(dst, "go.sum")), exampleRead(t, filepath.Join(src, "go.sum")); got != want {
		t.Errorf("examples/downstream/go.sum is not up to date: run `go mod tidy` in examples/downstream\nwant:\n%s\ngot:\n%s", want, got)
	}
	if got := exampleRead(t, filepath.Join(dst, "go.mod")); got != goMod {
		t.Errorf("the go command changed examples/downstream/go.mod: run `go mod tidy` in examples/downstream\nwas:\n%s\nnow:\n%s", goMod, got)
	}

	t.Run("against the test wiki", func(t *testing.T) {
		w := testwiki.Require(t)
		bin := filepath.Join(tmp, "downstream")
		exampleGo(t, goBin, dst, "build", "-o", bin, ".")
		cmd := exec.Command(bin, "--api", w.API, "--prefix", "Main")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("downstream --api %s: %v\n%s", w.API, err, stderr.String())
		}
		if !slices.Contains(strings.Split(string(out), "\n"), "Main Page") {
			t.Errorf("downstream listed no Main Page:\n%s\nstderr:\n%s", out, stderr.String())
		}
	})
}

// TestDownstreamInitWorkflow follows the README's steps for a new module:
// mwgen init, then go generate against the wiki's live API, then build.
func TestDownstreamInitWorkflow(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command; skipped with -short")
	}
	goBin := exampleGoBin(t)
	w := testwiki.Require(t)
	root := exampleRepoRoot(t)
	dir := t.TempDir()

	exampleWrite(t, filepath.Join(dir, "go.mod"), `module example.com/fresh

go 1.26

require github.com/mwgen/mwgen v0.0.0

tool github.com/mwgen/mwgen/cmd/mwgen

replace github.com/mwgen/mwgen => `+root+"\n")
	// The example's go.sum has the same dependencies.
	exampleCopy(t, filepath.Join(root, "examples", "downstream", "go.sum"), filepath.Join(dir, "go.sum"))
	exampleWrite(t, filepath.Join(dir, "main.go"), `package main

import (
	"context"
	"fmt"

	"github.com/mwgen/mwgen/runtime"

	"example.com/fresh/testwiki"
)

func main() {
	rt, err := runtime.NewClient("`+w.API+`", runtime.Options{UserAgent: "mwgen-test"})
	if err != nil {
		panic(err)
	}
	c := testwiki.New(rt)
	resp, err := c.Query(context.Background(), &testwiki.QueryParams{PageSet: testwiki.PageSet{Titles: []string{"Main Page"}}})
	if err != nil {
		panic(err)
	}
	for _, p := range resp.Pages {
		fmt.Printf("title %q\n", p.Title)
	}
}
`)

	code, _, stderr := mwgen(t, "init", "--api", w.API, "--package", "testwiki", "--dir", filepath.Join(dir, "testwiki"))
	if code != exitOK {
		t.Fatalf("mwgen init: exit %d: %s", code, stderr)
	}
	exampleGo(t, goBin, dir, "generate", "./...")
	if len(exampleGenerated(t, filepath.Join(dir, "testwiki"))) < 10 {
		t.Fatalf("go generate wrote only %q", exampleGenerated(t, filepath.Join(dir, "testwiki")))
	}
	exampleGo(t, goBin, dir, "vet", "./...")
	out := exampleGo(t, goBin, dir, "run", ".")
	if !strings.Contains(out, `title "Main Page"`) {
		t.Errorf("the program's output has no Main Page:\n%s", out)
	}
}

func exampleGoBin(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command: %v", err)
	}
	return goBin
}

// repoRoot returns the absolute path of this checkout.
func exampleRepoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no repository root at %s: %v", root, err)
	}
	return root
}

// runGo runs the go command in dir, outside any workspace, letting it
// update the module files, and returns its stdout.
func exampleGo(t *testing.T, goBin, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(goBin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go %s in %s: %v\n%s%s", strings.Join(args, " "), dir, err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// generatedFiles lists what mwgen generate writes in dir: the *_gen.go
// files and README.md.
func exampleGenerated(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), "_gen.go") || e.Name() == "README.md" {
			names = append(names, e.Name())
		}
	}
	return names
}

// firstDiff describes the first line where want and got differ.
func exampleFirstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(wl), len(gl)) {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g || i >= len(wl) || i >= len(gl) {
			return fmt.Sprintf("line %d:\n  committed: %s\n  generated: %s", i+1, w, g)
		}
	}
	return "(no line differs)"
}

func exampleRead(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func exampleWrite(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func exampleCopy(t *testing.T, from, to string) {
	t.Helper()
	exampleWrite(t, to, exampleRead(t, from))
}
