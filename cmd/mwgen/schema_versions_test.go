package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mwgen/mwgen/apischema"
	"github.com/mwgen/mwgen/internal/testwiki"
)

// TestSchemaFetchRealWiki143 saves the real MediaWiki 1.43 wiki's schema
// and checks it is the embedded 1.43 snapshot (refresh it with
// `mwgen schema fetch --api URL -o apischema/snapshots/mediawiki-1.43.json`
// against `internal/testwiki/mediawiki.sh start --version 1.43 DIR PORT`).
func TestSchemaFetchRealWiki143(t *testing.T) {
	w := testwiki.RequireVersion(t, testwiki.V143)
	out := filepath.Join(t.TempDir(), "schema.json")
	code, _, stderr := mwgen(t, "schema", "fetch", "--api", w.API, "-o", out)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got, err := apischema.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := apischema.Snapshot("1.43")
	if err != nil {
		t.Fatal(err)
	}
	if got.Wiki.Generator != want.Wiki.Generator {
		t.Errorf("fetched from %q, the embedded snapshot is of %q", got.Wiki.Generator, want.Wiki.Generator)
	}
	if got.Hash() != want.Hash() {
		t.Errorf("fetched schema differs from the embedded 1.43 one:\n%s", apischema.Diff(want, got))
	}
}

// TestReadmeUpgradeReport checks that the README's 1.39 → 1.43 upgrade
// report is what `mwgen schema diff` prints today for the two embedded
// snapshots (refresh the README's block with that output when it changes).
func TestReadmeUpgradeReport(t *testing.T) {
	root := filepath.Join("..", "..")
	code, stdout, stderr := mwgen(t, "schema", "diff",
		filepath.Join(root, "apischema", "snapshots", "mediawiki-1.39.json"),
		filepath.Join(root, "apischema", "snapshots", "mediawiki-1.43.json"))
	if code != exitChanges {
		t.Fatalf("schema diff 1.39 1.43: exit %d, want %d: %s", code, exitChanges, stderr)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	const open = "<details><summary>The full report ("
	_, rest, ok := strings.Cut(string(readme), open)
	if !ok {
		t.Fatalf("README.md has no %q block", open)
	}
	_, rest, _ = strings.Cut(rest, "```text\n")
	block, _, ok := strings.Cut(rest, "```\n")
	if !ok {
		t.Fatal("README.md: the full report's code block is not closed")
	}
	if block != stdout {
		t.Errorf("README.md's upgrade report is stale; today's `mwgen schema diff` of the embedded 1.39 and 1.43 snapshots prints:\n%s", stdout)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if summary := lines[len(lines)-1]; !strings.Contains(string(readme), "The full report ("+summary+")") {
		t.Errorf("README.md's summary does not say %q", summary)
	}
}
