package shapeprobe

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mwgen/mwgen/apischema"
	"github.com/mwgen/mwgen/internal/testwiki"
)

var update = flag.Bool("update", false, "rewrite apischema/shapes/mediawiki-VERSION.json from a fresh probe of each test wiki")

// TestMain gives the tests a private wiki: the reproduction test seeds it,
// and a shared wiki (MWGEN_TEST_WIKI_DIR) may be in another state.
func TestMain(m *testing.M) {
	os.Unsetenv(testwiki.EnvWikiDir)
	testwiki.Main(m)
}

type logWriter struct{ t *testing.T }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// TestEmbeddedShapes seeds a fresh test wiki of each embedded version,
// probes it with that version's embedded schema's plan (what `mwgen shapes
// probe --seed` does) and checks that the result equals the embedded
// shapes, volatile values (the wiki's address) aside. Every answer the
// 1.39 probe takes is decoded again with the generated package's typed
// answers in strict drift mode, and must have no drift (see strictCheck). It also
// checks that a second run resumes from the samples without a request,
// that the overlay matches, and logs the coverage report.
func TestEmbeddedShapes(t *testing.T) {
	for _, version := range apischema.SnapshotVersions() {
		t.Run(version, func(t *testing.T) { testEmbeddedShapes(t, version) })
	}
}

func testEmbeddedShapes(t *testing.T, version string) {
	w := testwiki.RequireVersion(t, version)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	schema, err := apischema.Snapshot(version)
	if err != nil {
		t.Fatal(err)
	}
	samples := filepath.Join(t.TempDir(), "samples.jsonl")
	start := time.Now()
	// The generated package is the 1.39 one: its typed answers check the
	// 1.39 probe (1.43's typed answers run against the 1.43 wiki in
	// generator's TestLive143TypedAnswers).
	var strict *strictCheck
	var answered func(Request, int, *Answer)
	if version == "1.39" {
		strict = newStrictCheck(t)
		answered = strict.answered
	}
	got, err := Probe(ctx, Options{API: w.API, SamplesPath: samples, User: w.AdminUser, Password: w.AdminPassword,
		Seed: true, Schema: schema, Progress: logWriter{t}, Answered: answered})
	if err != nil {
		t.Fatal(err)
	}
	if strict != nil {
		strict.report(t, NewPlan(schema))
	}
	t.Logf("seed + probe + merge: %s", time.Since(start).Round(time.Millisecond))
	data, err := got.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("shapes file: %d bytes, hash %s", len(data), got.Hash())
	t.Logf("%s", Measure(schema, got).Report())

	overlay, err := apischema.DefaultOverlay()
	if err != nil {
		t.Fatal(err)
	}
	if err := overlay.Check(got); err != nil {
		t.Errorf("overlay entries that match nothing in the fresh shapes:\n%v", err)
	}

	if v := apischema.SeriesOf(got.MediaWikiVersion()); v != version {
		t.Fatalf("the MediaWiki %s test wiki says it runs %q", version, got.MediaWikiVersion())
	}
	want, err := apischema.SnapshotShapes(version)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		name := "mediawiki-" + version + ".json"
		if err := got.WriteFile(filepath.Join("..", "apischema", "shapes", name)); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote apischema/shapes/%s", name)
	} else if got.Hash() != want.Hash() {
		var b strings.Builder
		changes := DiffShapesWithGaps(want, got)
		for i, c := range changes {
			if i == 60 {
				b.WriteString("...\n")
				break
			}
			b.WriteString(c + "\n")
		}
		t.Errorf("a fresh probe differs from the embedded shapes (%d changes; review, then rerun with -update):\n%s", len(changes), b.String())
	}

	// Resume: every request is in the samples file, so nothing is sent and
	// the result is the same.
	again, err := Probe(ctx, Options{API: w.API, SamplesPath: samples, User: w.AdminUser, Password: w.AdminPassword,
		Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	if again.Hash() != got.Hash() {
		t.Errorf("a resumed probe gave hash %s, the first run %s", again.Hash(), got.Hash())
	}
}

// DiffShapesWithGaps is DiffShapes plus the gaps that differ, as text.
func DiffShapesWithGaps(old, new *apischema.Shapes) []string {
	var out []string
	for _, c := range apischema.DiffShapes(old, new) {
		out = append(out, c.String())
	}
	og := map[apischema.Gap]bool{}
	for _, g := range old.Gaps {
		og[g] = true
	}
	ng := map[apischema.Gap]bool{}
	for _, g := range new.Gaps {
		ng[g] = true
		if !og[g] {
			out = append(out, "+ gap "+g.Module+" "+g.Value+": "+g.Reason)
		}
	}
	for _, g := range old.Gaps {
		if !ng[g] {
			out = append(out, "- gap "+g.Module+" "+g.Value+": "+g.Reason)
		}
	}
	return out
}
