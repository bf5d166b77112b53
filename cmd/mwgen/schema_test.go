package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
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
	code, out, errOut := mwgen(t)
	if code != exitError || out != "" || !strings.Contains(errOut, "Commands:") || !strings.Contains(errOut, "schema") {
		t.Errorf("mwgen with no arguments: %d %q %q", code, out, errOut)
	}
	code, out, _ = mwgen(t, "--help")
	if code != exitOK {
		t.Errorf("mwgen --help: %d", code)
	}
	for _, c := range commands() {
		if !strings.Contains(out, "  "+c.name+" ") || !strings.Contains(out, "e.g. mwgen "+c.name) {
			t.Errorf("mwgen --help does not list %s with an example:\n%s", c.name, out)
		}
		code, help, _ := mwgen(t, c.name, "--help")
		if code != exitOK || !strings.Contains(help, "Examples:") {
			t.Errorf("mwgen %s --help: %d, no examples:\n%s", c.name, code, help)
		}
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
	code, _, errOut = mwgen(t, "frobnicate")
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
		{"object default", paraminfo(`{"paraminfo":{"helpformat":"none","modules":[{"name":"main","path":"main","prefix":"","parameters":[
			{"index":1,"name":"a","type":"string","default":{"x":1},"required":false,"multi":false}]}]}}`), `field "default": want a string, number, boolean, array or null, got a JSON object`},
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

	// A real MediaWiki URL that is not api.php: its EditURI link names it.
	t.Run("index.php of a real wiki", func(t *testing.T) {
		w := testwiki.Require(t)
		out := filepath.Join(t.TempDir(), "s.json")
		code, stdout, stderr := mwgen(t, "schema", "fetch", "--api", w.Index, "-o", out, "--help-format", "none")
		if code != exitOK || stdout != "" {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if !strings.Contains(stderr, "mwgen: using the API at "+w.API+" (found by the page's EditURI link)") {
			t.Errorf("stderr does not say which API it uses: %q", stderr)
		}
		s, err := apischema.ReadFile(out)
		if err != nil || s.Wiki.API != w.API {
			t.Errorf("snapshot of %v: %v", s, err)
		}
	})
	// Nothing at the URL: the error names what was tried.
	t.Run("no api.php anywhere", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		defer srv.Close()
		out := filepath.Join(t.TempDir(), "s.json")
		code, stdout, stderr := mwgen(t, "schema", "fetch", "--api", srv.URL, "-o", out)
		checkFailure(t, code, stdout, stderr, srv.URL+"/w/api.php", "no EditURI link")
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("output file written despite the error")
		}
	})
}

// --timeout is one deadline for the whole command: a stalled server does
// not get it once per attempt.
func TestTimeoutIsOverall(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	for _, args := range [][]string{
		{"schema", "fetch", "--api", srv.URL + "/api.php", "--timeout", "200ms"},
		{"generate", "--api", srv.URL + "/api.php", "--timeout", "200ms", "--out", t.TempDir(), "--package", "w"},
		{"api", "--api", srv.URL + "/api.php", "--timeout", "200ms", "action=query", "meta=siteinfo"},
	} {
		code, _, stderr := mwgen(t, args...)
		if code != exitError || !strings.Contains(stderr, "deadline exceeded") {
			t.Errorf("%v: exit %d, %q", args[:2], code, stderr)
		}
	}
}

// -v logs each request on stderr, secrets redacted.
func TestVerboseLogsRequests(t *testing.T) {
	w := testwiki.Require(t)
	code, _, stderr := mwgen(t, "api", "--api", w.API, "-v", "action=query", "meta=siteinfo")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "level=DEBUG") || !strings.Contains(stderr, "meta=siteinfo") || !strings.Contains(stderr, "status=200") {
		t.Errorf("no request log:\n%s", stderr)
	}
	code, _, stderr = mwgen(t, "schema", "fetch", "--api", w.API, "-v", "--help-format", "none", "-o", filepath.Join(t.TempDir(), "s.json"))
	if code != exitOK || !strings.Contains(stderr, "mwgen request") || !strings.Contains(stderr, "method=GET") || !strings.Contains(stderr, "status=200") {
		t.Errorf("schema fetch -v: exit %d:\n%s", code, stderr)
	}
}

func TestRedactURL(t *testing.T) {
	u, _ := url.Parse("https://user:pw@wiki.example.org/w/api.php?action=login&lgpassword=hunter2&lgtoken=abc%2B%5C&title=X")
	got := redactURL(u)
	for _, secret := range []string{"hunter2", "pw@", "abc"} {
		if strings.Contains(got, secret) {
			t.Errorf("%s shows %q", got, secret)
		}
	}
	if !strings.Contains(got, "title=X") || !strings.Contains(got, "action=login") {
		t.Errorf("%s lost ordinary parameters", got)
	}
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

	// --format json: the changes and the counts.
	code, out, _ = mwgen(t, "schema", "diff", "--format", "json", old, cur)
	var doc struct {
		Changes  []apischema.Change `json:"changes"`
		Total    int                `json:"total"`
		Breaking int                `json:"breaking"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != exitChanges || doc.Total == 0 || doc.Total != len(doc.Changes) || doc.Breaking == 0 {
		t.Errorf("json: %d %v %+v", code, err, doc)
	}
	code, out, _ = mwgen(t, "schema", "diff", "--format", "json", old, old)
	if code != exitOK || !strings.Contains(out, `"changes": []`) || !strings.Contains(out, `"total": 0`) {
		t.Errorf("json, no change: %d %q", code, out)
	}
	code, _, errOut = mwgen(t, "schema", "diff", "--format", "yaml", old, cur)
	if code != exitError || !strings.Contains(errOut, "want text or json") {
		t.Errorf("bad format: %d %q", code, errOut)
	}

	// --common: modules on one side only are not changes.
	partial := filepath.Join(t.TempDir(), "partial.json")
	s, err := apischema.ReadFile(cur)
	if err != nil {
		t.Fatal(err)
	}
	s.Modules = s.Modules[:1]
	if err := s.WriteSnapshot(partial); err != nil {
		t.Fatal(err)
	}
	_, full, _ := mwgen(t, "schema", "diff", old, partial)
	_, common, _ := mwgen(t, "schema", "diff", "--common", old, partial)
	if !strings.Contains(full, "module removed") || strings.Contains(common, "module removed") {
		t.Errorf("--common still reports modules missing on one side:\n%s", common)
	}
	lines := strings.Split(strings.TrimSpace(common), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, "breaking") && last != "no changes" {
		t.Errorf("no summary line: %q", last)
	}
}
