// Package mwversion reads MediaWiki version strings. It is shared by
// apischema (which records the versions of schemas) and runtime (which
// compares a wiki's version with the ones a client was generated for); it
// has no other dependencies, so that neither imports the other.
package mwversion

import (
	"strconv"
	"strings"
)

// Series returns the release series ("1.39") of a MediaWiki version
// ("1.39.17", "1.43.0-wmf.5"), or "" when v is not one.
func Series(v string) string {
	major, rest, ok := strings.Cut(v, ".")
	if !ok || !digits(major) {
		return ""
	}
	minor := rest
	if i := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		minor = rest[:i]
	}
	if !digits(minor) {
		return ""
	}
	return major + "." + minor
}

func digits(s string) bool {
	if s == "" || len(s) > 6 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Compare orders two release series numerically ("1.9" < "1.39" <
// "1.100"); both must come from Series.
func Compare(a, b string) int {
	am, an := nums(a)
	bm, bn := nums(b)
	if am != bm {
		return am - bm
	}
	return an - bn
}

func nums(s string) (int, int) {
	major, minor, _ := strings.Cut(s, ".")
	m, _ := strconv.Atoi(major)
	n, _ := strconv.Atoi(minor)
	return m, n
}
