package apischema

import (
	_ "embed"
)

// defaultSnapshot is the schema of Debian's MediaWiki 1.39 with its bundled
// extensions, fetched by `mwgen schema fetch --help-format wikitext` from
// the wiki that internal/testwiki/mediawiki.sh starts. Read only.
//
//go:embed snapshots/mediawiki-1.39.json
var defaultSnapshot []byte

// DefaultName names the embedded default schema in messages.
const DefaultName = "embedded MediaWiki 1.39 snapshot"

// Default returns the embedded MediaWiki 1.39 schema, mwgen's input when no
// wiki or schema file is given. Each call decodes a fresh copy, so callers
// may change what they get.
func Default() (*Schema, error) {
	return Decode(defaultSnapshot, DefaultName)
}
