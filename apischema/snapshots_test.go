package apischema

import (
	"strings"
	"testing"
)

// TestSnapshots decodes every embedded snapshot and checks it is of the
// version it is filed under.
func TestSnapshots(t *testing.T) {
	for _, v := range SnapshotVersions() {
		s, err := Snapshot(v)
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		if got := s.Wiki.MediaWikiVersion(); !strings.HasPrefix(got, v+".") {
			t.Errorf("Snapshot(%q) is of MediaWiki %q", v, got)
		}
		if len(s.Modules) < 100 {
			t.Errorf("Snapshot(%q): only %d modules", v, len(s.Modules))
		}
	}
	def, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	first, err := Snapshot(SnapshotVersions()[0])
	if err != nil {
		t.Fatal(err)
	}
	if def.Hash() != first.Hash() {
		t.Error("Default is not the first of SnapshotVersions")
	}
	if _, err := Snapshot("1.40"); err == nil || !strings.Contains(err.Error(), `"1.40"`) {
		t.Errorf("Snapshot(1.40): err = %v", err)
	}
}
