package weblogin

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxNext bounds the length of a next path.
const maxNext = 2048

// maxDecodings is how many rounds of percent-decoding SafeNext checks;
// a value that still changes after them is refused.
const maxDecodings = 4

// SafeNext reports whether next may be redirected to after a login or a
// logout: a path on this site. It must
//
//   - start with a single "/" (not "//", not "/\"), so it has no scheme and
//     no host;
//   - hold no backslash, no white space and no control character anywhere
//     (browsers drop tabs and newlines from URLs, so "/\t/evil.example"
//     would become "//evil.example"); once decoded, a plain space (%20) is
//     fine;
//   - have no empty, "." or ".." segment in its path (which would turn
//     into "//host" once normalized);
//   - be valid UTF-8 and at most 2048 bytes;
//
// and all of this again after each round of percent-decoding, so that
// "/%2F%2Fevil.example", "/%5Cevil.example" and their double encodings
// are refused too. A value whose percent-encoding is invalid, or that
// still decodes to something else after four rounds, is refused.
func SafeNext(next string) bool {
	if next == "" || len(next) > maxNext {
		return false
	}
	s := next
	for i := range maxDecodings {
		if !safePath(s, i > 0) {
			return false
		}
		d, err := url.PathUnescape(s)
		if err != nil {
			return false
		}
		if d == s {
			return true
		}
		s = d
	}
	return false
}

// safePath checks one decoding round of a next value. decoded allows
// plain spaces (sent as %20).
func safePath(s string, decoded bool) bool {
	if len(s) == 0 || s[0] != '/' {
		return false
	}
	if len(s) > 1 && (s[1] == '/' || s[1] == '\\') {
		return false
	}
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r == ' ' && decoded {
			continue
		}
		if r < 0x21 || r == 0x7f || r == '\\' || unicode.IsControl(r) || unicode.IsSpace(r) ||
			unicode.Is(unicode.Cf, r) { // format characters: bidi overrides, zero-width
			return false
		}
	}
	path := s
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	if strings.Contains(path, "//") {
		return false
	}
	for _, seg := range strings.Split(path, "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil && u.Opaque == ""
}
