package naming

import "testing"

// FuzzExported checks that any input gives valid identifiers from Exported
// and ConstName.
func FuzzExported(f *testing.F) {
	for _, s := range []string{"", "allpages", "query+allpages", "includeMissingTitles", "0.10", "!minor", "*", "??", "日本語", "ϒ", "a\x00b", "\xff", "type", "pageids"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		checkName(t, name)
	})
}

// FuzzCommentSafe checks that CommentSafe output always parses inside //
// and /* */ comments.
func FuzzCommentSafe(f *testing.F) {
	for _, s := range []string{"", "a */ b", "nul\x00", "bom\ufeff", "\r\n", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkCommentSafe(t, s)
	})
}
