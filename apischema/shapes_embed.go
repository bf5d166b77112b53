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

// CheckShapesFor reports an error when shapes were probed on another
// MediaWiki version than the schema describes (compared on major.minor).
func CheckShapesFor(s *Schema, sh *Shapes) error {
	a, b := majorMinor(s.Wiki.MediaWikiVersion()), majorMinor(sh.MediaWikiVersion())
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

func majorMinor(v string) string {
	dots := 0
	for i, r := range v {
		if r == '.' {
			dots++
			if dots == 2 {
				return v[:i]
			}
		}
	}
	return v
}
