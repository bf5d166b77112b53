package main

import (
	"path/filepath"
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
