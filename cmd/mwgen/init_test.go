package main

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const initAPI = "https://wiki.example.org/w/api.php"

func TestInitWritesGenerateGo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "internal", "wiki") // created by init
	code, stdout, stderr := mwgen(t, "init", "--api", initAPI, "--package", "wiki", "--dir", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	path := filepath.Join(dir, "generate.go")
	if !strings.Contains(stdout, path) || !strings.Contains(stdout, "go generate ./...") {
		t.Errorf("stdout does not name the file and the next step: %q", stdout)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	src := string(data)
	const line = "//go:generate go run github.com/mwgen/mwgen/cmd/mwgen generate --api " + initAPI + " --out . --package wiki\n"
	// go generate only runs directives that start a line.
	if !strings.HasPrefix(src, line) && !strings.Contains(src, "\n"+line) {
		t.Errorf("generate.go has no line %q:\n%s", line, src)
	}
	f, err := parser.ParseFile(token.NewFileSet(), path, data, parser.ParseComments)
	if err != nil {
		t.Fatalf("generate.go does not parse: %v\n%s", err, src)
	}
	if f.Name.Name != "wiki" {
		t.Errorf("package %s, want wiki", f.Name.Name)
	}
	if f.Doc != nil {
		t.Errorf("generate.go has a package doc comment, which would compete with the generated one: %q", f.Doc.Text())
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	initOnlyFiles(t, dir, "generate.go") // no temporary file left behind
}

func TestInitDefaultDir(t *testing.T) {
	dir := t.TempDir()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.Chdir(wd); err != nil {
			t.Fatal(err)
		}
	})
	if code, _, stderr := mwgen(t, "init", "--api", "http://localhost:8080/api.php", "--package", "mywiki"); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, "generate.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "package mywiki\n") ||
		!strings.Contains(string(data), "generate --api http://localhost:8080/api.php --out . --package mywiki\n") {
		t.Errorf("generate.go:\n%s", data)
	}
}

func TestInitRefusesOverwrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "generate.go")
	const mine = "package wiki\n\n// my own generate.go\n"
	if err := os.WriteFile(path, []byte(mine), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := mwgen(t, "init", "--api", initAPI, "--package", "wiki", "--dir", dir)
	if code != exitError || !strings.Contains(stderr, path+" already exists") || !strings.Contains(stderr, "--force") {
		t.Errorf("init over an existing file: exit %d, stderr %q", code, stderr)
	}
	if data, _ := os.ReadFile(path); string(data) != mine {
		t.Errorf("existing generate.go was changed:\n%s", data)
	}

	code, _, stderr = mwgen(t, "init", "--api", initAPI, "--package", "wiki", "--dir", dir, "--force")
	if code != exitOK {
		t.Fatalf("init --force: exit %d: %s", code, stderr)
	}
	if data, _ := os.ReadFile(path); !strings.Contains(string(data), "//go:generate go run github.com/mwgen/mwgen/cmd/mwgen generate --api "+initAPI) {
		t.Errorf("--force did not replace generate.go:\n%s", data)
	}
	initOnlyFiles(t, dir, "generate.go")

	// A directory in the way is an error even with --force.
	dir2 := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir2, "generate.go"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = mwgen(t, "init", "--api", initAPI, "--package", "wiki", "--dir", dir2, "--force")
	if code != exitError || !strings.Contains(stderr, "is a directory") {
		t.Errorf("init over a directory: exit %d, stderr %q", code, stderr)
	}
}

func TestInitBadPackage(t *testing.T) {
	for _, name := range []string{"9wiki", "my-wiki", "my wiki", "wiki.v2", "_", "func", "package", "import"} {
		dir := t.TempDir()
		code, _, stderr := mwgen(t, "init", "--api", initAPI, "--package", name, "--dir", dir)
		if code != exitError || !strings.Contains(stderr, "mwgen init: package name") {
			t.Errorf("--package %q: exit %d, stderr %q", name, code, stderr)
		}
		initOnlyFiles(t, dir)
	}
	dir := t.TempDir()
	code, _, stderr := mwgen(t, "init", "--api", initAPI, "--dir", dir)
	if code != exitError || !strings.Contains(stderr, "--package is required") {
		t.Errorf("no --package: exit %d, stderr %q", code, stderr)
	}
	initOnlyFiles(t, dir)
}

func TestInitBadURL(t *testing.T) {
	for _, api := range []string{
		"wiki.example.org/w/api.php",                 // no scheme
		"ftp://wiki.example.org/w/api.php",           // not http(s)
		"https:///w/api.php",                         // no host
		"https://wiki.example.org/w/api.php?x=1",     // query
		"https://wiki.example.org/w/api.php#top",     // fragment
		"https://wiki.example.org/w/api.php?",        // empty query
		"https://wiki.example.org/my wiki/api.php",   // split by go generate
		"https://wiki.example.org/w/api.php\n//evil", // a second line
		"https://wiki.example.org/$WIKI/api.php",     // expanded by go generate
		`https://wiki.example.org/"w"/api.php`,       // unquoted by go generate
		"http://[::1/api.php",                        // does not parse
	} {
		dir := t.TempDir()
		code, _, stderr := mwgen(t, "init", "--api", api, "--package", "wiki", "--dir", dir)
		if code != exitError || !strings.Contains(stderr, "mwgen init: bad API URL") {
			t.Errorf("--api %q: exit %d, stderr %q", api, code, stderr)
		}
		initOnlyFiles(t, dir)
	}
	dir := t.TempDir()
	code, _, stderr := mwgen(t, "init", "--package", "wiki", "--dir", dir)
	if code != exitError || !strings.Contains(stderr, "--api is required") {
		t.Errorf("no --api: exit %d, stderr %q", code, stderr)
	}
	initOnlyFiles(t, dir)
}

func TestInitHelpAndArgs(t *testing.T) {
	for _, args := range [][]string{{"init", "--help"}, {"help", "init"}} {
		code, out, _ := mwgen(t, args...)
		if code != exitOK || !strings.Contains(out, "mwgen init --api URL --package NAME") ||
			!strings.Contains(out, "Examples:") || !strings.Contains(out, "--force") {
			t.Errorf("%v: exit %d, stdout %q", args, code, out)
		}
	}
	if code, out, _ := mwgen(t, "help"); code != exitOK || !strings.Contains(out, "  init ") {
		t.Errorf("mwgen help does not list init: %q", out)
	}
	code, _, stderr := mwgen(t, "init", "--api", initAPI, "--package", "wiki", "--dir", t.TempDir(), "extra")
	if code != exitError || !strings.Contains(stderr, "unexpected arguments") {
		t.Errorf("extra argument: exit %d, stderr %q", code, stderr)
	}
}

// initOnlyFiles checks that dir holds exactly the named entries.
func initOnlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, " ") != strings.Join(names, " ") {
		t.Errorf("%s holds %q, want %q", dir, got, names)
	}
}
