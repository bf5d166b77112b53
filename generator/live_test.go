package generator

import (
	"context"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mwgen/mwgen/apischema"
	"github.com/mwgen/mwgen/internal/testwiki"
)

func TestMain(m *testing.M) { testwiki.Main(m) }

// TestLiveGenerationCompiles generates a client from a live fetch of the
// real wiki into a scratch package of this module, and has `go vet`
// type-check it. Every file must already be gofmt-clean.
func TestLiveGenerationCompiles(t *testing.T) {
	w := testwiki.Require(t)
	s, err := apischema.Fetch(context.Background(), w.API, apischema.FetchOptions{HelpFormat: "wikitext"})
	if err != nil {
		t.Fatal(err)
	}
	files, err := Generate(s, Options{Package: "live"})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !strings.HasSuffix(f.Name, ".go") {
			continue
		}
		formatted, err := format.Source(f.Data)
		if err != nil {
			t.Fatalf("%s does not parse: %v", f.Name, err)
		}
		if string(formatted) != string(f.Data) {
			t.Errorf("%s is not gofmt-clean", f.Name)
		}
		if lines := strings.Count(string(f.Data), "\n"); lines > 3000 {
			t.Errorf("%s has %d lines; no generated file may exceed ~3,000", f.Name, lines)
		}
	}
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	scratch, err := os.MkdirTemp("testdata", "live-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(scratch) })
	pkg := filepath.Join(scratch, "live")
	if err := WriteDir(pkg, files); err != nil {
		t.Fatal(err)
	}
	// testdata is invisible to ./... but builds when named.
	cmd := exec.Command("go", "vet", "./"+filepath.ToSlash(pkg))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go vet of the live generation failed: %v\n%s", err, out)
	}
}

// BenchmarkGenerateDefault generates the whole client for the embedded
// MediaWiki 1.39 schema (141 modules): model, emission and jennifer's
// gofmt pass.
func BenchmarkGenerateDefault(b *testing.B) {
	s, err := apischema.Default()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for range b.N {
		if _, err := Generate(s, generatedOptions(b)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGofmtGenerated runs go/format alone over the same output, to
// show what share of generation is formatting.
func BenchmarkGofmtGenerated(b *testing.B) {
	s, err := apischema.Default()
	if err != nil {
		b.Fatal(err)
	}
	files, err := Generate(s, generatedOptions(b))
	if err != nil {
		b.Fatal(err)
	}
	benchGofmt(b, files)
}

func benchGofmt(b *testing.B, files []File) {
	b.ReportAllocs()
	for range b.N {
		for _, f := range files {
			if strings.HasSuffix(f.Name, ".go") {
				if _, err := format.Source(f.Data); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}
