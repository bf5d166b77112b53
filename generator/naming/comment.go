package naming

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CommentSafe makes arbitrary text (a wiki's help text, a parameter's
// default value) safe to put in Go comments, line by line after "// " or
// inside /* */:
//
//   - invalid UTF-8 bytes are dropped;
//   - "\r\n" and a lone "\r" become "\n"; "\n" and "\t" are kept;
//   - other control characters (C0, DEL, C1), the byte order mark U+FEFF
//     (which the Go compiler rejects after the start of a file), the line
//     and paragraph separators U+2028 and U+2029, and the bidirectional
//     formatting characters (U+061C, U+200E, U+200F, U+202A–U+202E,
//     U+2066–U+2069, which can make source display other than it compiles)
//     are written as visible escapes: `\x00`, `\x7f`, `\ufeff`;
//   - "*/" becomes "* /", so the text cannot end a block comment.
//
// Everything else, including backslashes, is kept as it is.
//
//	CommentSafe("a\x00b")      == `a\x00b`
//	CommentSafe("x */ y")      == "x * / y"
//	CommentSafe("line\r\nnext") == "line\nnext"
//	CommentSafe("ok\xffay")    == "okay"
func CommentSafe(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			// invalid UTF-8: dropped
		case r == '\r':
			if i < len(s) && s[i] == '\n' {
				i++
			}
			b.WriteByte('\n')
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case unicode.IsControl(r) || r == '\ufeff' || r == '\u2028' || r == '\u2029' || isBidi(r):
			if r <= 0xff {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return strings.ReplaceAll(b.String(), "*/", "* /")
}

// isBidi reports whether r is a bidirectional formatting character.
func isBidi(r rune) bool {
	switch {
	case r == '\u061c', r == '\u200e', r == '\u200f':
		return true
	case r >= '\u202a' && r <= '\u202e':
		return true
	case r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}
