package generator

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mwgen/mwgen/apischema"
	"github.com/mwgen/mwgen/runtime/gensupport"
)

func TestContractMatchesRuntime(t *testing.T) {
	if contractVersion != gensupport.Version {
		t.Fatalf("the generator writes contract %d, runtime/gensupport is at %d", contractVersion, gensupport.Version)
	}
}

// TestContractMismatchFailsToBuild builds the golden core package against
// a runtime one contract ahead (gensupport's contract.go replaced through
// go build -overlay), and a package generated for the next contract
// against this runtime. Both must fail, with the contract's name in the
// compiler's message.
func TestContractMismatchFailsToBuild(t *testing.T) {
	next := contractVersion + 1
	contractFile, err := filepath.Abs("../runtime/gensupport/contract.go")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(contractFile)
	if err != nil {
		t.Fatal(err)
	}
	cur, bumped := fmt.Sprintf("EnforceVersion%d =", contractVersion), fmt.Sprintf("EnforceVersion%d =", next)
	if !strings.Contains(string(src), cur) {
		t.Fatalf("%s declares no %s", contractFile, cur)
	}
	tmp := t.TempDir()
	newer := filepath.Join(tmp, "contract.go")
	newSrc := strings.ReplaceAll(string(src), cur, bumped)
	newSrc = strings.Replace(newSrc, fmt.Sprintf("const Version = %d", contractVersion), fmt.Sprintf("const Version = %d", next), 1)
	if err := os.WriteFile(newer, []byte(newSrc), 0o644); err != nil {
		t.Fatal(err)
	}
	overlay, err := json.Marshal(map[string]map[string]string{"Replace": {contractFile: newer}})
	if err != nil {
		t.Fatal(err)
	}
	overlayFile := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(overlayFile, overlay, 0o644); err != nil {
		t.Fatal(err)
	}

	// The golden package builds against this runtime, and not against the
	// next one.
	if out, err := exec.Command("go", "build", "../golden/generator/core").CombinedOutput(); err != nil {
		t.Fatalf("the golden package does not build against this runtime: %v\n%s", err, out)
	}
	out, err := exec.Command("go", "build", "-overlay", overlayFile, "../golden/generator/core").CombinedOutput()
	t.Logf("against a runtime of contract %d:\n%s", next, out)
	want := fmt.Sprintf("undefined: gensupport.EnforceVersion%d", contractVersion)
	if err == nil || !strings.Contains(string(out), want) {
		t.Errorf("built against a runtime of contract %d: err %v, want a failure saying %q:\n%s", next, err, want, out)
	}

	// A package generated for the next contract does not build against
	// this runtime.
	s, err := apischema.ReadFile("../golden/generator/core/schema.json")
	if err != nil {
		t.Fatal(err)
	}
	m, err := buildModel(s, func(string) bool { return true }, Options{Package: "core", Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	g := &emitter{m: m, pkg: "core", contract: next}
	files, err := g.files()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	scratch, err := os.MkdirTemp("testdata", "contract-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(scratch) })
	dir := filepath.Join(scratch, "core")
	if err := WriteDir(dir, files); err != nil {
		t.Fatal(err)
	}
	out, err = exec.Command("go", "build", "./"+filepath.ToSlash(dir)).CombinedOutput()
	t.Logf("generated for contract %d:\n%s", next, out)
	want = fmt.Sprintf("undefined: gensupport.EnforceVersion%d", next)
	if err == nil || !strings.Contains(string(out), want) {
		t.Errorf("generated for contract %d: err %v, want a failure saying %q:\n%s", next, err, want, out)
	}
}
