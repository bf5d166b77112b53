package oauth

import (
	"net/url"
	"strings"
	"testing"

	"github.com/dghubble/oauth1"
)

// FuzzPercentEncode holds our encoder to oauth1.PercentEncode over
// arbitrary bytes, in all its forms: appendPercentEncoded (into nothing
// and after a prefix), writePercentEncoded, the length functions, and the
// one-pass appendDecodedEncoded, which must be
// oauth1.PercentEncode(phpURLDecode(s)).
// CI runs it briefly (.ci/run).
func FuzzPercentEncode(f *testing.F) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	for _, s := range []string{"", "abc-._~XYZ019", "a b", "a+b%2B%zz%4", "日本語", "\x1f|", "%e6%97%a5", string(all)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s := string(b)
		want := oauth1.PercentEncode(s)
		if got := percentEncode(s); got != want {
			t.Fatalf("percentEncode(%q) = %q, want %q", s, got, want)
		}
		if got := string(appendPercentEncoded([]byte("p%"), s)); got != "p%"+want {
			t.Fatalf("appendPercentEncoded(%q) = %q, want %q", s, got, "p%"+want)
		}
		var sb strings.Builder
		sb.WriteString("p")
		writePercentEncoded(&sb, s)
		if got := sb.String(); got != "p"+want {
			t.Fatalf("writePercentEncoded(%q) = %q, want %q", s, got, "p"+want)
		}
		dec := phpURLDecode(s)
		got, renamed := appendDecodedEncoded([]byte("p"), b)
		if want := "p" + oauth1.PercentEncode(dec); string(got) != want {
			t.Fatalf("appendDecodedEncoded(%q) = %q, want %q", s, got, want)
		}
		if want := strings.ContainsAny(dec, " .[\x00"); renamed != want {
			t.Fatalf("appendDecodedEncoded(%q) renamed = %v, want %v", s, renamed, want)
		}
		if got, want2 := string(appendDecodedEncodedTwice([]byte("p"), b)), "p"+oauth1.PercentEncode(oauth1.PercentEncode(dec)); got != want2 {
			t.Fatalf("appendDecodedEncodedTwice(%q) = %q, want %q", s, got, want2)
		}
		if got, want2 := decodedEncodedTwiceLen(b), len(oauth1.PercentEncode(oauth1.PercentEncode(dec))); got < want2 || got > 5*len(s) {
			t.Fatalf("decodedEncodedTwiceLen(%q) = %d, want at least %d, at most %d", s, got, want2, 5*len(s))
		}
		if got, want2 := string(appendPercentEncodedTwice(nil, s)), oauth1.PercentEncode(oauth1.PercentEncode(s)); got != want2 {
			t.Fatalf("appendPercentEncodedTwice(%q) = %q, want %q", s, got, want2)
		}
		if got, want2 := encodedTwiceLen(s), len(oauth1.PercentEncode(oauth1.PercentEncode(s))); got != want2 {
			t.Fatalf("encodedTwiceLen(%q) = %d, want %d", s, got, want2)
		}
		if got, want := encodedLen(s), len(want); got != want {
			t.Fatalf("encodedLen(%q) = %d, want %d", s, got, want)
		}
		if got, want := decodedEncodedLen(b), len(oauth1.PercentEncode(dec)); got < want || got > 3*len(s) {
			t.Fatalf("decodedEncodedLen(%q) = %d, want at least %d, at most %d", s, got, want, 3*len(s))
		}
		// Into a buffer with too little room: it grows.
		small := make([]byte, 1, 2)
		if got, _ := appendDecodedEncoded(small, s); string(got[1:]) != oauth1.PercentEncode(dec) {
			t.Fatalf("appendDecodedEncoded into a small buffer: %q", got)
		}
	})
}

// FuzzBaseString holds baseString to the implementation it replaced
// (refBaseString): the same base string, or the same error.
func FuzzBaseString(f *testing.F) {
	f.Add("GET", "action=query&meta=userinfo&titles=Main%20Page", "", false, "", "")
	f.Add("POST", "a=1&a=2&b", "text=h%C3%A9llo+w%2Borld&token=%2B%5C&a=3", true, "oauth_callback", "oob")
	f.Add("post", "oauth_token=x&&&=&%zz=1&oauth_signature=s", "oauth_nonce=2&&=x&b=1&b=0", true, "oauth_verifier", "v w")
	f.Add("GET", "a.b=1", "7=x", true, "", "")
	f.Add("POST", "x=1", "5=1", true, "", "")
	f.Add("GET", "-0=1&05=2&+5&9223372036854775808=1&%35=1", "0", true, "", "")
	f.Fuzz(func(t *testing.T, method, query, body string, signBody bool, ek, ev string) {
		oauth := []pair{
			{"oauth_consumer_key", "ck"}, {"oauth_nonce", "n o"}, {"oauth_signature_method", "HMAC-SHA1"},
			{"oauth_timestamp", "1700000000"}, {"oauth_token", "tk"}, {"oauth_version", "1.0"},
		}
		if ek != "" {
			for _, p := range oauth {
				if p.k == ek {
					return // a map has no two values for one key
				}
			}
			oauth = append(oauth, pair{ek, ev})
		}
		bu := baseURI{scheme: "https", host: "en.wikipedia.org", path: "/w/api.php"}
		want, wantErr := refBaseString(method, bu.String(), query, body, signBody, oauth)
		check := func(name string, got string, err error) {
			t.Helper()
			if (err != nil) != (wantErr != nil) || (err != nil && err.Error() != wantErr.Error()) {
				t.Fatalf("%s: error %v, want %v", name, err, wantErr)
			}
			if got != want {
				t.Fatalf("%s:\n got %q\nwant %q", name, got, want)
			}
		}
		got, err := baseString(method, bu, query, body, signBody, oauth)
		check("string body", string(got), err)
		got, err = baseString(method, bu, query, []byte(body), signBody, oauth)
		check("[]byte body", string(got), err)
	})
}

// FuzzBaseStringURI holds baseStringURI (and its url.Parse-free reading of
// simple servers) to the implementation it replaced.
func FuzzBaseStringURI(f *testing.F) {
	for _, s := range [][2]string{
		{"https://en.wikipedia.org/w/api.php?action=query", ""},
		{"https://en.wikipedia.org/w/api.php", "https://en.wikipedia.org"},
		{"http://127.0.0.1:8080/w/api.php", "//EN.Wikipedia.org/"},
		{"https://x/w/a%2Fb.php", "HTTP://Host:80"},
		{"https://x/p", "https://host:443/"},
		{"https://[::1]:8443/w/api.php", ""},
		{"https://x/p", "https://h:"},
		{"https://x/p", "https://u@h"},
		{"https://x/p", "https://h/w"},
		{"https://x/p", "h.org"},
		{"https://x/p", "1x://h"},
		{"/w/api.php", ""},
		{"mailto:x", "https://h"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, rawURL, server string) {
		u, err := url.Parse(rawURL)
		if err != nil {
			return
		}
		want, wantErr := refBaseStringURI(u, server)
		got, err := baseStringURI(u, server)
		if (err != nil) != (wantErr != nil) || (err != nil && err.Error() != wantErr.Error()) {
			t.Fatalf("baseStringURI(%q, %q): error %v, want %v", rawURL, server, err, wantErr)
		}
		if err != nil {
			return
		}
		if got.String() != want {
			t.Fatalf("baseStringURI(%q, %q) = %q, want %q", rawURL, server, got.String(), want)
		}
		enc := got.appendEncoded(nil)
		if string(enc) != oauth1.PercentEncode(want) {
			t.Fatalf("encoded %q, want %q", enc, oauth1.PercentEncode(want))
		}
		if len(enc) != got.encodedLen() {
			t.Fatalf("encodedLen %d, want %d", got.encodedLen(), len(enc))
		}
	})
}
