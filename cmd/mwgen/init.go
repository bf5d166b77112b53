package main

import (
	"context"
	"errors"
	"fmt"
	"go/token"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mwgen/mwgen/internal/atomicfile"
	"github.com/mwgen/mwgen/templates"
)

// initFile is the file `mwgen init` writes into its directory.
const initFile = "generate.go"

func runInit(_ context.Context, e env, args []string) int {
	fs := newFlags(e, "init", "mwgen init --api URL --package NAME [--dir DIR] [--force]", `  # Set up package wiki in ./wiki for your wiki, then generate it:
  mwgen init --api https://wiki.example.org/w/api.php --package wiki --dir ./wiki
  go get -tool github.com/mwgen/mwgen/cmd/mwgen
  go generate ./...

  # In the current directory, replacing an existing generate.go:
  mwgen init --api https://en.wikipedia.org/w/api.php --package enwiki --force

  # init writes DIR/generate.go, which holds one line:
  //go:generate go run github.com/mwgen/mwgen/cmd/mwgen generate --api URL --out . --package NAME
`)
	api := fs.String("api", "", "the wiki's api.php `URL` (required)")
	pkg := fs.String("package", "", "Go package `NAME` of the client (required)")
	dir := fs.String("dir", ".", "write generate.go into `DIR` (created if missing)")
	force := fs.Bool("force", false, "replace an existing generate.go")
	if code, done := parse(fs, args); done {
		return code
	}
	switch {
	case *api == "":
		return fail(e, "init", errors.New("--api is required (the wiki's api.php URL)"))
	case *pkg == "":
		return fail(e, "init", errors.New("--package is required (the generated package's name)"))
	case fs.NArg() > 0:
		return fail(e, "init", fmt.Errorf("unexpected arguments %q", fs.Args()))
	}
	if err := checkPackageName(*pkg); err != nil {
		return fail(e, "init", err)
	}
	if err := checkInitAPI(*api); err != nil {
		return fail(e, "init", err)
	}
	text, err := templates.InitGenerate(templates.Init{Package: *pkg, API: *api})
	if err != nil {
		return fail(e, "init", err)
	}

	path := filepath.Join(*dir, initFile)
	switch fi, err := os.Stat(path); {
	case err == nil && fi.IsDir():
		return fail(e, "init", fmt.Errorf("%s is a directory", path))
	case err == nil && !*force:
		return fail(e, "init", fmt.Errorf("%s already exists; use --force to replace it", path))
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return fail(e, "init", err)
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return fail(e, "init", err)
	}
	if err := atomicfile.WriteFile(path, []byte(text), 0o644); err != nil {
		return fail(e, "init", err)
	}
	fmt.Fprintf(e.stdout, `wrote %s
Next, in your module:
  go get -tool github.com/mwgen/mwgen/cmd/mwgen   # once: makes mwgen a tool of the module (Go 1.26+)
  go generate ./...                                # generates package %s from the wiki's schema
`, path, *pkg)
	return exitOK
}

// checkPackageName reports whether name can be the package clause of a Go
// file.
func checkPackageName(name string) error {
	switch {
	case !token.IsIdentifier(name) || name == "_":
		return fmt.Errorf("package name %q is not a Go identifier", name)
	case token.IsKeyword(name):
		return fmt.Errorf("package name %q is a Go keyword", name)
	}
	return nil
}

// checkInitAPI checks the URL as mwgen generate --api will, and also that it
// survives a //go:generate line: go generate splits its arguments at spaces,
// unquotes "..." and expands $NAME.
func checkInitAPI(api string) error {
	if i := strings.IndexFunc(api, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == '"' || r == '$'
	}); i >= 0 {
		r, _ := utf8.DecodeRuneInString(api[i:])
		return fmt.Errorf("bad API URL %q: %q cannot be written in a //go:generate line (percent-encode it)", api, r)
	}
	u, err := url.Parse(api)
	if err != nil {
		return fmt.Errorf("bad API URL %q: %w", api, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("bad API URL %q: want an http(s) URL of the wiki's api.php, e.g. https://wiki.example.org/w/api.php", api)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return fmt.Errorf("bad API URL %q: give the api.php URL without a query or fragment", api)
	}
	return nil
}
