package oauth

import (
	"net/url"
	"testing"

	"github.com/dghubble/oauth1"
)

// percentEncode is oauth1.PercentEncode by our encoder.
func percentEncode(s string) string { return string(appendPercentEncoded(nil, s)) }

func TestPercentEncodeMatchesDghubble(t *testing.T) {
	for c := 0; c < 256; c++ {
		s := "a" + string([]byte{byte(c)}) + "b"
		if got, want := percentEncode(s), oauth1.PercentEncode(s); got != want {
			t.Errorf("byte %#02x: %q, want %q", c, got, want)
		}
	}
	for _, s := range []string{"", "abc-._~XYZ019", "a b", "日本語", "\x1f|"} {
		if got, want := percentEncode(s), oauth1.PercentEncode(s); got != want {
			t.Errorf("%q: %q, want %q", s, got, want)
		}
	}
}

func TestPHPURLDecode(t *testing.T) {
	for in, want := range map[string]string{
		"":          "",
		"abc":       "abc",
		"a+b":       "a b",
		"a%20b":     "a b",
		"%2B":       "+",
		"%2b%7e":    "+~",
		"100%":      "100%",
		"%4":        "%4",
		"%zz":       "%zz",
		"%%41":      "%A",
		"%C3%BC":    "ü",
		"a%00b":     "a\x00b",
		"%e6%97%a5": "日",
	} {
		if got := phpURLDecode(in); got != want {
			t.Errorf("phpURLDecode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseParameters(t *testing.T) {
	got := refParseParameters("a=1&&b&=x&c=d=e&")
	want := []pair{{"a", "1"}, {"", ""}, {"b", ""}, {"", "x"}, {"c", "d=e"}, {"", ""}}
	if len(got) != len(want) {
		t.Fatalf("got %q", got)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("pair %d = %q, want %q", i, got[i], want[i])
		}
	}
	if p := refParseParameters("0"); p != nil {
		t.Errorf(`refParseParameters("0") = %q; PHP's !$input is true for "0"`, p)
	}
}

func TestIsPHPIntKey(t *testing.T) {
	for k, want := range map[string]bool{
		"0": true, "5": true, "-5": true, "123": true, "9223372036854775807": true,
		"": false, "-0": false, "05": false, "+5": false, "5a": false, "1.0": false, "-": false,
		"9223372036854775808": false, " 5": false,
	} {
		if got := isPHPIntKey(k); got != want {
			t.Errorf("isPHPIntKey(%q) = %v, want %v", k, got, want)
		}
	}
}

// TestEncodedBaseStringURIMemo: the memo of the last base URL gives what
// baseStringURI gives, for requests that alternate between URLs and
// servers, and never remembers an error.
func TestEncodedBaseStringURIMemo(t *testing.T) {
	cases := []struct{ url, server string }{
		{"https://en.wikipedia.org/w/api.php?a=1", "https://en.wikipedia.org"},
		{"https://en.wikipedia.org/w/api.php?a=2", "https://en.wikipedia.org"},
		{"https://en.wikipedia.org/w/index.php", "https://en.wikipedia.org"},
		{"https://en.wikipedia.org/w/api.php", "//EN.wikipedia.org"},
		{"http://127.0.0.1:8080/w/api.php", ""},
		{"http://127.0.0.1:8081/w/api.php", ""},
		{"https://x/w/a%2Fb.php", ""},
		{"https://x/w/a/b.php", ""},
		{"/w/api.php", ""},
		{"https://en.wikipedia.org/w/api.php", "https://h/w"},
	}
	for range 2 {
		for _, c := range cases {
			u, err := url.Parse(c.url)
			if err != nil {
				t.Fatal(err)
			}
			bu, wantErr := baseStringURI(u, c.server)
			got, err := encodedBaseStringURI(u, c.server)
			if (err != nil) != (wantErr != nil) {
				t.Fatalf("%q, %q: error %v, want %v", c.url, c.server, err, wantErr)
			}
			if err == nil && got != oauth1.PercentEncode(bu.String()) {
				t.Errorf("%q, %q: %q, want %q", c.url, c.server, got, oauth1.PercentEncode(bu.String()))
			}
		}
	}
}
