package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mwgen/mwgen/apischema"
	"github.com/mwgen/mwgen/internal/testwiki"
)

func TestMain(m *testing.M) { testwiki.Main(m) }

// mwgen runs the CLI in-process and returns its exit status and output.
func mwgen(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestHelpAndVersion(t *testing.T) {
	code, out, _ := mwgen(t)
	if code != exitOK || !strings.Contains(out, "Commands:") || !strings.Contains(out, "schema") {
		t.Errorf("mwgen with no arguments: %d %q", code, out)
	}
	code, out, _ = mwgen(t, "version")
	if code != exitOK || !strings.HasPrefix(out, "mwgen 0.") {
		t.Errorf("mwgen version: %d %q", code, out)
	}
	for _, args := range [][]string{{"schema", "fetch", "--help"}, {"schema", "diff", "--help"}, {"help", "schema"}} {
		code, out, _ = mwgen(t, args...)
		if code != exitOK || !strings.Contains(out, "mwgen schema") {
			t.Errorf("%v: %d %q", args, code, out)
		}
		if args[len(args)-1] == "--help" && !strings.Contains(out, "Examples:") {
			t.Errorf("%v has no examples: %q", args, out)
		}
	}
	code, _, errOut := mwgen(t, "frobnicate")
	if code != exitError || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %d %q", code, errOut)
	}
	code, _, errOut = mwgen(t, "schema", "fetch", "--bogus")
	if code != exitError || !strings.Contains(errOut, "unknown flag: --bogus") {
		t.Errorf("unknown flag: %d %q", code, errOut)
	}
}

// TestSchemaFetchRealWiki saves the real wiki's schema and checks it is the
// embedded one.
func TestSchemaFetchRealWiki(t *testing.T) {
	w := testwiki.Require(t)
	out := filepath.Join(t.TempDir(), "schema.json")
	code, stdout, stderr := mwgen(t, "schema", "fetch", "--api", w.API, "-o", out)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout not empty with -o: %q", stdout)
	}
	got, err := apischema.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := apischema.Default()
	if err != nil {
		t.Fatal(err)
	}
	if got.Hash() != want.Hash() {
		t.Errorf("fetched schema differs from the embedded one:\n%s", apischema.Diff(want, got))
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("snapshot mode: %v %v", fi.Mode(), err)
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}

	// Without -o the snapshot goes to stdout.
	code, stdout, _ = mwgen(t, "schema", "fetch", "--api", w.API, "--help-format", "none")
	if code != exitOK || !strings.HasPrefix(stdout, "{\n  \"format\": \"mwgen-schema/1\"") {
		t.Errorf("fetch to stdout: %d %.80q", code, stdout)
	}
}

// TestSchemaFetchBadInput: each bad answer ends with exit status 2, one
// error line naming the input, and no output file (an existing one is left
// as it was).
func TestSchemaFetchBadInput(t *testing.T) {
	siteinfo := `{"batchcomplete":true,"query":{"general":{"generator":"MediaWiki 1.39.0","server":"http://bad","sitename":"Bad"},"userinfo":{"rights":[]}}}`
	paraminfo := func(body string) http.HandlerFunc {
		return func(rw http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("action") == "query" {
				io.WriteString(rw, siteinfo)
				return
			}
			io.WriteString(rw, body)
		}
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"html page", func(rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(rw, "<!DOCTYPE html>\n<html><head><title>Error</title></head></html>")
		}, "does not look like a MediaWiki api.php"},
		{"truncated json", paraminfo(`{"paraminfo":{"helpformat":"none","modules":[{"name":"main","path":"ma`), "truncated JSON"},
		{"readapidenied", func(rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("MediaWiki-API-Error", "readapidenied")
			io.WriteString(rw, `{"error":{"code":"readapidenied","info":"You need read permission to use this module."}}`)
		}, "readapidenied"},
		{"empty module list", paraminfo(`{"paraminfo":{"helpformat":"none","modules":[]}}`), "no modules"},
		{"wrong shape", paraminfo(`{"paraminfo":{"helpformat":"none","modules":{"main":{}}}}`), "want a JSON array"},
		{"duplicate parameter", paraminfo(`{"paraminfo":{"helpformat":"none","modules":[{"name":"main","path":"main","prefix":"","parameters":[
			{"index":1,"name":"a","type":"string","required":false,"multi":false},{"index":2,"name":"a","type":"string","required":false,"multi":false}]}]}}`), `duplicate parameter "a"`},
		{"missing submodule", paraminfo(`{"paraminfo":{"helpformat":"none","modules":[{"name":"main","path":"main","prefix":"","parameters":[
			{"index":1,"name":"action","type":["edit"],"submodules":{"edit":"edit"},"required":false,"multi":false}]}]}}`), `submodule "edit" is referenced but missing`},
		{"not mediawiki", func(rw http.ResponseWriter, r *http.Request) {
			io.WriteString(rw, `{"hello":"world"}`)
		}, "does not look like a MediaWiki api.php"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			dir := t.TempDir()
			fresh := filepath.Join(dir, "fresh.json")
			code, stdout, stderr := mwgen(t, "schema", "fetch", "--api", srv.URL+"/api.php", "-o", fresh)
			checkFailure(t, code, stdout, stderr, srv.URL, tt.want)
			if _, err := os.Stat(fresh); !os.IsNotExist(err) {
				t.Errorf("output file written despite the error: %v", err)
			}
			existing := filepath.Join(dir, "existing.json")
			os.WriteFile(existing, []byte("old content\n"), 0o644)
			code, stdout, stderr = mwgen(t, "schema", "fetch", "--api", srv.URL+"/api.php", "-o", existing)
			checkFailure(t, code, stdout, stderr, srv.URL, tt.want)
			if b, _ := os.ReadFile(existing); string(b) != "old content\n" {
				t.Errorf("existing output file changed: %q", b)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("files left behind: %v", entries)
			}
		})
	}

	// A real MediaWiki URL that is not api.php.
	t.Run("index.php of a real wiki", func(t *testing.T) {
		w := testwiki.Require(t)
		out := filepath.Join(t.TempDir(), "s.json")
		code, stdout, stderr := mwgen(t, "schema", "fetch", "--api", w.Index, "-o", out)
		checkFailure(t, code, stdout, stderr, w.Index, "does not look like a MediaWiki api.php")
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("output file written despite the error")
		}
	})
}

func checkFailure(t *testing.T, code int, stdout, stderr, input, want string) {
	t.Helper()
	if code != exitError {
		t.Errorf("exit status %d, want %d", code, exitError)
	}
	if stdout != "" {
		t.Errorf("stdout not empty: %.100q", stdout)
	}
	if strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("want one error line, got:\n%s", stderr)
	}
	if !strings.Contains(stderr, input) || !strings.Contains(stderr, want) {
		t.Errorf("error %q should name %q and say %q", stderr, input, want)
	}
}

func TestSchemaDiff(t *testing.T) {
	old := "../../apischema/testdata/diff/old.json"
	cur := "../../apischema/testdata/diff/new.json"
	code, out, _ := mwgen(t, "schema", "diff", old, old)
	if code != exitOK || out != "no changes\n" {
		t.Errorf("same file: %d %q", code, out)
	}
	code, out, _ = mwgen(t, "schema", "diff", old, cur)
	if code != exitChanges || !strings.Contains(out, "BREAKING") || !strings.Contains(out, "changes,") {
		t.Errorf("changed: %d %q", code, out)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte("<html>"), 0o644)
	code, _, errOut := mwgen(t, "schema", "diff", old, bad)
	if code != exitError || !strings.Contains(errOut, bad) || !strings.Contains(errOut, "HTML") {
		t.Errorf("bad input: %d %q", code, errOut)
	}
	code, _, errOut = mwgen(t, "schema", "diff", old)
	if code != exitError || !strings.Contains(errOut, "want two schema files") {
		t.Errorf("one argument: %d %q", code, errOut)
	}
}
