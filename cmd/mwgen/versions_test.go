package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	snap139   = "../../apischema/snapshots/mediawiki-1.39.json"
	snap143   = "../../apischema/snapshots/mediawiki-1.43.json"
	clash139  = "../../golden/versions/clash/schema-1.39.json"
	clash143  = "../../golden/versions/clash/schema-1.43.json"
	clashGold = "../../golden/versions/clash"
)

// splitSiteinfo writes the paraminfo and the siteinfo answer of a clash
// schema (siteinfo on its first line) to two files and returns them.
func splitSiteinfo(t *testing.T, path, dir string) (paraminfo, siteinfo string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	site, rest, _ := strings.Cut(string(b), "\n")
	base := strings.TrimSuffix(filepath.Base(path), ".json")
	paraminfo, siteinfo = filepath.Join(dir, base+"-paraminfo.json"), filepath.Join(dir, base+"-siteinfo.json")
	os.WriteFile(paraminfo, []byte(rest), 0o644)
	os.WriteFile(siteinfo, []byte(site), 0o644)
	return paraminfo, siteinfo
}

// TestGenerateVersions makes the clash fixture's package from raw
// paraminfo: one version named on the command line, the other's siteinfo
// answer beside it. The code is the golden one (but for the command in the
// headers).
func TestGenerateVersions(t *testing.T) {
	dir := t.TempDir()
	raw139, _ := splitSiteinfo(t, clash139, dir)
	raw143, site143 := splitSiteinfo(t, clash143, dir)
	out := filepath.Join(dir, "clash")
	code, _, stderr := mwgen(t, "generate", "--versions", "1.39.1="+raw139, "--versions", raw143+","+site143,
		"--out", out, "--package", "clash", "--no-shapes")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got, want := snapshotDir(t, out), snapshotDir(t, clashGold)
	delete(want, "schema-1.39.json")
	delete(want, "schema-1.43.json")
	if len(got) != len(want) {
		t.Fatalf("%d files, the golden package has %d: %v", len(got), len(want), keys(got))
	}
	dropCommand := func(s string) string {
		var keep []string
		for _, l := range strings.Split(s, "\n") {
			if !strings.Contains(l, "mwgen generate ") {
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\n")
	}
	for name, w := range want {
		if dropCommand(got[name]) != dropCommand(w) {
			t.Errorf("%s differs from the golden clash package", name)
		}
	}
}

// TestGenerateVersionsBadInput: what --versions refuses, with one line
// that says how to mend it.
func TestGenerateVersionsBadInput(t *testing.T) {
	dir := t.TempDir()
	raw139, _ := splitSiteinfo(t, clash139, dir)
	copy139 := filepath.Join(dir, "copy-1.39.json")
	b, err := os.ReadFile(snap139)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(copy139, b, 0o644)
	for _, c := range []struct {
		name        string
		args        []string
		names, want string
	}{
		{"two schemas of one version", []string{"--versions", snap139, "--versions", copy139},
			copy139, "are both MediaWiki 1.39: give one schema per version"},
		{"no version in raw paraminfo", []string{"--versions", raw139, "--versions", snap143},
			raw139, "does not say its MediaWiki version (raw paraminfo without siteinfo): name it, as in --versions 1.39=" + raw139 + ", or add a siteinfo answer beside it, as in --versions " + raw139 + ",siteinfo.json"},
		{"a version the schema contradicts", []string{"--versions", "1.43=" + snap139, "--versions", snap143},
			snap139, "the schema says it is MediaWiki 1.39.17, not 1.43"},
		{"not a version", []string{"--versions", "lts=" + snap139, "--versions", snap143},
			"lts", "is not a MediaWiki version"},
		{"one version", []string{"--versions", snap139},
			"--versions", "needs at least two versions"},
		{"versions and schema", []string{"--versions", snap139, "--versions", snap143, "--schema", snap139},
			"--schema", "merges the batches of one wiki"},
	} {
		t.Run(c.name, func(t *testing.T) {
			runBadGenerate(t, c.args, c.names, c.want)
		})
	}
}

// TestGenerateHelpTellsSchemaFromVersions: --help says what --schema and
// --versions each do with several files.
func TestGenerateHelpTellsSchemaFromVersions(t *testing.T) {
	code, stdout, _ := mwgen(t, "generate", "--help")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"batches of ONE wiki, merged", "one package serving them all", "One package for SEVERAL MediaWiki versions"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("--help lacks %q:\n%s", want, stdout)
		}
	}
}

// TestGenerateVersionsShapes: with --versions, one --shapes per version
// are unioned; by default the embedded shapes of the versions given are:
// the embedded 1.39 and 1.43 shapes given explicitly make
// generated/versioned.
func TestGenerateVersionsShapes(t *testing.T) {
	dir := t.TempDir()
	sh139, sh143 := "../../apischema/shapes/mediawiki-1.39.json", "../../apischema/shapes/mediawiki-1.43.json"
	out := filepath.Join(dir, "versioned")
	code, _, stderr := mwgen(t, "generate", "--versions", snap139, "--versions", snap143,
		"--shapes", sh139, "--shapes", sh143, "--out", out, "--package", "versioned")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stderr != "" {
		t.Errorf("stderr: %q", stderr)
	}
	got, want := snapshotDir(t, out), snapshotDir(t, "../../generated/versioned")
	delete(want, "live_test.go")
	dropCommand := func(s string) string {
		var keep []string
		for _, l := range strings.Split(s, "\n") {
			if !strings.Contains(l, "mwgen generate ") {
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\n")
	}
	if len(got) != len(want) {
		t.Fatalf("%d files, generated/versioned has %d", len(got), len(want))
	}
	for name, w := range want {
		if dropCommand(got[name]) != dropCommand(w) {
			t.Errorf("%s differs from generated/versioned", name)
		}
	}
	runBadGenerate(t, []string{"--shapes", sh139, "--shapes", sh143}, "--shapes", "several shapes files are for several MediaWiki versions, with --versions")
}
