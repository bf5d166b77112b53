package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mwgen/mwgen/apischema"
	"github.com/mwgen/mwgen/internal/testwiki"
	"github.com/mwgen/mwgen/shapeprobe"
)

func TestShapesCoverageEmbedded(t *testing.T) {
	code, out, errOut := mwgen(t, "shapes", "coverage")
	if code != exitOK || !strings.Contains(out, "coverage: ") || !strings.Contains(out, "modules with a shape") ||
		!strings.Contains(out, "query+stashimageinfo") {
		t.Fatalf("shapes coverage: %d\n%s\n%s", code, out, errOut)
	}
	t.Log(strings.SplitN(out, "\n", 2)[0])
	if _, err := os.Stat("/usr/share/mediawiki/includes/api/ApiQuery.php"); err == nil {
		code, out, errOut = mwgen(t, "shapes", "coverage", "--source", "/usr/share/mediawiki")
		if code != exitOK || !strings.Contains(out, "result keys in the PHP source that no sample produced") {
			t.Errorf("shapes coverage --source: %d\n%s\n%s", code, out, errOut)
		}
	}
	code, _, errOut = mwgen(t, "shapes", "coverage", "--source", t.TempDir())
	if code != exitError || !strings.Contains(errOut, "no API classes") {
		t.Errorf("shapes coverage --source on an empty directory: %d %q", code, errOut)
	}
}

func TestShapesBadInput(t *testing.T) {
	// A wiki without the trace hook is refused, and no file is written.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"batchcomplete": true, "query": map[string]any{}})
	}))
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "shapes.json")
	code, _, errOut := mwgen(t, "shapes", "probe", "--api", srv.URL+"/api.php", "-o", out)
	if code != exitError || !strings.Contains(errOut, "no mwgen trace hook") || !strings.Contains(errOut, "production") {
		t.Errorf("probe of a wiki without the hook: %d %q", code, errOut)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a shapes file was written")
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"shapes", "probe", "-o", out}, "--api is required"},
		{[]string{"shapes", "probe", "--api", srv.URL}, "-o FILE is required"},
		{[]string{"shapes", "probe", "--api", srv.URL, "-o", out, "--seed"}, "--seed needs --user"},
		{[]string{"shapes", "probe", "--api", srv.URL, "-o", out, "--user", "Admin"}, "MWGEN_PROBE_PASSWORD"},
		{[]string{"shapes", "coverage", filepath.Join(t.TempDir(), "nope.json")}, "no such file"},
		{[]string{"shapes", "diff", "a"}, "want two shapes files"},
		{[]string{"shapes", "frob"}, "unknown subcommand"},
	} {
		t.Setenv("MWGEN_PROBE_PASSWORD", "")
		code, _, errOut := mwgen(t, tc.args...)
		if code != exitError || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: %d %q, want %q", tc.args, code, errOut, tc.want)
		}
	}
	// A truncated shapes file is an error that says so.
	data, err := os.ReadFile(filepath.Join("..", "..", "apischema", "shapes", "mediawiki-1.39.json"))
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, data[:len(data)/3], 0o644)
	code, _, errOut = mwgen(t, "shapes", "diff", bad, bad)
	if code != exitError || !strings.Contains(errOut, "not a shapes file") {
		t.Errorf("diff of a truncated file: %d %q", code, errOut)
	}
}

// TestShapesProbeRealWiki runs the command against the test wiki (which
// has the trace hook) with a two-module schema, then again to resume.
func TestShapesProbeRealWiki(t *testing.T) {
	w := testwiki.Require(t)
	full, err := apischema.Default()
	if err != nil {
		t.Fatal(err)
	}
	small := &apischema.Schema{Wiki: full.Wiki, HelpFormat: full.HelpFormat}
	for _, p := range []string{"query+info", "query+tokens"} {
		small.Modules = append(small.Modules, full.Module(p))
	}
	dir := t.TempDir()
	schemaFile := filepath.Join(dir, "schema.json")
	if err := small.WriteSnapshot(schemaFile); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "shapes.json")
	t.Setenv("MWGEN_PROBE_PASSWORD", w.BotPassword)
	code, _, errOut := mwgen(t, "shapes", "probe", "--api", w.API, "-o", out, "--schema", schemaFile, "--user", w.BotUser)
	if code != exitOK || !strings.Contains(errOut, "modules,") || !strings.Contains(errOut, "2/2 modules with a shape") {
		t.Fatalf("shapes probe: %d\n%s", code, errOut)
	}
	if strings.Contains(errOut, w.BotPassword) {
		t.Errorf("the password is in the output")
	}
	s, err := readShapes(out)
	if err != nil {
		t.Fatal(err)
	}
	// The wiki is not seeded: its pages are missing, but they have titles.
	if n := s.Module("query+info").Response.Lookup("query", "pages", "[]", "title"); n == nil || !n.Has(apischema.KindString) {
		t.Errorf("query+info has no pages[].title string: %+v", n)
	}
	code, _, errOut = mwgen(t, "shapes", "probe", "--api", w.API, "-o", out, "--schema", schemaFile, "--user", w.BotUser)
	if code != exitOK || !strings.Contains(errOut, "resuming with") {
		t.Fatalf("second shapes probe did not resume: %d\n%s", code, errOut)
	}
	code, diff, _ := mwgen(t, "shapes", "diff", out, out)
	if code != exitOK || diff != "" {
		t.Errorf("diff of a file with itself: %d %q", code, diff)
	}
}

// TestShapesCoverageVersions: either side of `shapes coverage` defaults to
// the embedded one of the other's MediaWiki version.
func TestShapesCoverageVersions(t *testing.T) {
	s143, err := apischema.Snapshot("1.43")
	if err != nil {
		t.Fatal(err)
	}
	sh143, err := apischema.SnapshotShapes("1.43")
	if err != nil {
		t.Fatal(err)
	}
	want := "coverage: " + shapeprobe.Measure(s143, sh143).Summary() + "\n"
	root := filepath.Join("..", "..", "apischema")
	for _, args := range [][]string{
		{"--schema", filepath.Join(root, "snapshots", "mediawiki-1.43.json")},
		{filepath.Join(root, "shapes", "mediawiki-1.43.json")},
	} {
		code, out, errOut := mwgen(t, append([]string{"shapes", "coverage"}, args...)...)
		if first, _, _ := strings.Cut(out, "\n"); code != exitOK || first+"\n" != want {
			t.Errorf("shapes coverage %q: %d, first line %q, want %q\n%s", args, code, first, want, errOut)
		}
	}
}
