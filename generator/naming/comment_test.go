package naming

import (
	"go/parser"
	"go/token"
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCommentSafe(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text", "plain text"},
		{"a\x00b", `a\x00b`},
		{"tab\tand\nnewline", "tab\tand\nnewline"},
		{"crlf\r\nline\rend\r", "crlf\nline\nend\n"},
		{"del\x7f", `del\x7f`},
		{"c1\u0085", `c1\x85`},
		{"bom\ufeff", `bom\ufeff`},
		{"bidi\u202eevil\u2066", `bidi\u202eevil\u2066`},
		{"sep\u2028\u2029", `sep\u2028\u2029`},
		{"x */ y", "x * / y"},
		{"**/*/", "** /* /"},
		{"*\xff/", "* /"},
		{"ok\xffay", "okay"},
		{"kept \ufffd and \\x00 and café 日本", "kept \ufffd and \\x00 and café 日本"},
	} {
		if got := CommentSafe(tc.in); got != tc.want {
			t.Errorf("CommentSafe(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// commentErr parses a file with s as // lines and inside /* */.
func commentErr(s string) error {
	src := "package p\n\n// " + strings.ReplaceAll(s, "\n", "\n// ") + "\nvar x int\n\n/* " + s + " */\nvar y int\n"
	_, err := parser.ParseFile(token.NewFileSet(), "x.go", src, parser.ParseComments|parser.AllErrors)
	return err
}

func TestCommentSafeParses(t *testing.T) {
	// The raw text breaks a Go file; the safe text does not.
	for _, bad := range []string{"nul\x00", "bom\ufeff", "end */ x", "bad\xffutf8"} {
		if commentErr(bad) == nil {
			t.Errorf("%q parses unsanitised; the test proves nothing", bad)
		}
		if err := commentErr(CommentSafe(bad)); err != nil {
			t.Errorf("CommentSafe(%q): %v", bad, err)
		}
	}
	alphabet := []string{"a", " ", "*", "/", "*/", "/*", "\n", "\r", "\t", "\x00", "\x01", "\x7f", "\xff", "\xc3", "\ufeff", "\u202e", "\u2028", "é", "日", "\\", "`", "\"", "//"}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 3000; i++ {
		var b strings.Builder
		for n := rng.Intn(12); n > 0; n-- {
			b.WriteString(alphabet[rng.Intn(len(alphabet))])
		}
		checkCommentSafe(t, b.String())
	}
}

func checkCommentSafe(t *testing.T, in string) {
	t.Helper()
	out := CommentSafe(in)
	if !utf8.ValidString(out) {
		t.Fatalf("CommentSafe(%q) = %q: invalid UTF-8", in, out)
	}
	if strings.Contains(out, "*/") || strings.ContainsAny(out, "\x00\r\ufeff") {
		t.Fatalf("CommentSafe(%q) = %q", in, out)
	}
	if err := commentErr(out); err != nil {
		t.Fatalf("CommentSafe(%q) = %q: %v", in, out, err)
	}
}
