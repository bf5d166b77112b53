package apischema

import (
	_ "embed"
	"fmt"
)

// defaultShapes are the response shapes of Debian's MediaWiki 1.39 with its
// bundled extensions, made by `mwgen shapes probe --seed` from the wiki
// internal/testwiki/mediawiki.sh starts (regenerate with
// `go test ./shapeprobe -run TestEmbeddedShapes -update`). Read only.
//
//go:embed shapes/mediawiki-1.39.json
var defaultShapes []byte

// DefaultShapesName names the embedded shapes in messages.
const DefaultShapesName = "embedded MediaWiki 1.39 shapes"

// DefaultShapes returns the embedded MediaWiki 1.39 response shapes, which
// belong to the embedded schema (Default). Each call decodes a fresh copy.
func DefaultShapes() (*Shapes, error) { return DecodeShapes(defaultShapes, DefaultShapesName) }

// shapes143 are the response shapes of MediaWiki 1.43.9 LTS (Debian
// trixie's package) with its bundled extensions, probed like the 1.39 ones
// on the wiki `internal/testwiki/mediawiki.sh start --version 1.43` starts
// (regenerate with `go test ./shapeprobe -run TestEmbeddedShapes -update`).
// They belong to Snapshot("1.43"). Read only.
//
//go:embed shapes/mediawiki-1.43.json
var shapes143 []byte

// SnapshotShapesName names the embedded shapes of a MediaWiki version in
// messages, e.g. "embedded MediaWiki 1.43 shapes".
func SnapshotShapesName(version string) string {
	return "embedded MediaWiki " + version + " shapes"
}

// SnapshotShapes returns the embedded response shapes of a MediaWiki
// version listed by SnapshotVersions ("1.39" is DefaultShapes'): the
// answers of the wiki whose schema Snapshot(version) is. Each call decodes
// a fresh copy.
func SnapshotShapes(version string) (*Shapes, error) {
	switch version {
	case "1.39":
		return DefaultShapes()
	case "1.43":
		return DecodeShapes(shapes143, SnapshotShapesName(version))
	}
	return nil, fmt.Errorf("no embedded MediaWiki %q shapes (have %v)", version, SnapshotVersions())
}

// ShapesForSchema returns the embedded shapes of the schema's MediaWiki
// version (compared on major.minor), or, when none is embedded for it, the
// newest embedded shapes older than it (the oldest if it is older than
// all), and whether the version matched. Modules and prop values are
// matched by name, so shapes of a near version still type what the two
// have in common (see CheckShapesFor).
func ShapesForSchema(s *Schema) (sh *Shapes, exact bool, err error) {
	want := SeriesOf(s.Wiki.MediaWikiVersion())
	versions := SnapshotVersions()
	pick := versions[0]
	for _, v := range versions {
		if v == want {
			sh, err := SnapshotShapes(v)
			return sh, true, err
		}
		if want != "" && CompareSeries(v, want) < 0 {
			pick = v
		}
	}
	sh, err = SnapshotShapes(pick)
	return sh, false, err
}

// CheckShapesFor reports an error when shapes were probed on another
// MediaWiki version than the schema describes (compared on major.minor).
func CheckShapesFor(s *Schema, sh *Shapes) error {
	a, b := SeriesOf(s.Wiki.MediaWikiVersion()), SeriesOf(sh.MediaWikiVersion())
	if a == "" || b == "" || a != b {
		schemaVersion := s.Wiki.MediaWikiVersion()
		if schemaVersion == "" {
			schemaVersion = "an unknown version"
		}
		wiki := ""
		if s.Wiki.API != "" {
			wiki = " (" + s.Wiki.API + ")"
		}
		return fmt.Errorf("the response shapes are for MediaWiki %s, the schema%s for %s: probe this wiki with `mwgen shapes probe`",
			cmpOr(sh.MediaWikiVersion(), "an unknown version"), wiki, schemaVersion)
	}
	return nil
}
