package mwversion

import "testing"

func TestSeries(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"1.39.17", "1.39"}, {"1.43.0-wmf.5", "1.43"}, {"1.100", "1.100"}, {"1.", ""}, {"1.47", "1.47"}, {"1.43rc1", "1.43"},
		{"", ""}, {"MediaWiki 1.39", ""}, {"1", ""}, {"1.x", ""}, {"x.39", ""}, {"1234567.1", ""},
	} {
		if got := Series(tc.in); got != tc.want {
			t.Errorf("Series(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCompare(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		sign int
	}{
		{"1.39", "1.43", -1}, {"1.43", "1.39", 1}, {"1.9", "1.39", -1}, {"1.100", "1.43", 1},
		{"2.0", "1.43", 1}, {"2.0", "1.99", 1}, {"1.39", "1.39", 0},
	} {
		got := Compare(tc.a, tc.b)
		if (got < 0 && tc.sign >= 0) || (got > 0 && tc.sign <= 0) || (got == 0 && tc.sign != 0) {
			t.Errorf("Compare(%q, %q) = %d, want sign %d", tc.a, tc.b, got, tc.sign)
		}
	}
}
