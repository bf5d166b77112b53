package apischema

import (
	_ "embed"
	"fmt"
)

// snapshot143 is the schema of MediaWiki 1.43.9 LTS (Debian trixie's
// package) with its 33 bundled extensions, fetched by `mwgen schema fetch
// --help-format wikitext` from the wiki that `internal/testwiki/mediawiki.sh
// start --version 1.43` starts. Read only.
//
//go:embed snapshots/mediawiki-1.43.json
var snapshot143 []byte

// SnapshotVersions lists the MediaWiki versions (major.minor) with an
// embedded schema snapshot, oldest first. Default is the first.
func SnapshotVersions() []string { return []string{"1.39", "1.43"} }

// SnapshotName names the embedded snapshot of a MediaWiki version in
// messages, e.g. "embedded MediaWiki 1.43 snapshot".
func SnapshotName(version string) string {
	return "embedded MediaWiki " + version + " snapshot"
}

// Snapshot returns the embedded schema of a MediaWiki version listed by
// SnapshotVersions ("1.39" is Default's). Each call decodes a fresh copy.
func Snapshot(version string) (*Schema, error) {
	switch version {
	case "1.39":
		return Default()
	case "1.43":
		return Decode(snapshot143, SnapshotName(version))
	}
	return nil, fmt.Errorf("no embedded MediaWiki %q snapshot (have %v)", version, SnapshotVersions())
}
