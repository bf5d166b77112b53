package oauth

import (
	"crypto/rsa"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// The tests of own.go: a Signer's own oauth_* parameters as one
// pre-encoded entry (the path every Transport request without an oauth_*
// query or body parameter takes) give byte for byte the header of the
// general path (authorize with useOwn false), which encodes and sorts
// every parameter, and which the oauthlib vectors check on their own.

func testRSAKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	b, err := os.ReadFile("../../golden/oauth/test_rsa_key.pem")
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParsePrivateKeyPEM(b)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// ownCase is a request to sign both ways.
type ownCase struct {
	name, method, url, contentType, body string
	extra                                map[string]string
}

var ownCases = []ownCase{
	{name: "GET", method: "GET", url: "https://en.wikipedia.org/w/api.php?action=query&meta=userinfo&titles=Main%20Page"},
	{name: "no query", method: "GET", url: "https://en.wikipedia.org/w/api.php"},
	{name: "names around oauth_", method: "GET", url: "https://en.wikipedia.org/w/api.php?oauth=1&oauth%5E=2&oautg_x=3&oauthz=4&oauth_=5&zz=6&=7"},
	{name: "form POST", method: "POST", url: "https://en.wikipedia.org/w/api.php?format=json",
		contentType: "application/x-www-form-urlencoded", body: "action=edit&text=h%C3%A9llo+w%2Borld&token=%2B%5C"},
	{name: "unsigned body", method: "POST", url: "https://en.wikipedia.org/w/api.php?oauth_x=1",
		contentType: "multipart/form-data", body: "oauth_token=x"},
	// Fallbacks: a request parameter named oauth_*, extra parameters.
	{name: "query oauth_foo", method: "GET", url: "https://en.wikipedia.org/w/api.php?oauth_foo=1&a=2"},
	{name: "query oauth_token", method: "GET", url: "https://en.wikipedia.org/w/api.php?oauth_token=other&oauth_signature=s"},
	{name: "query oauth_ encoded", method: "GET", url: "https://en.wikipedia.org/w/api.php?oauth%5Fnonce=x"},
	{name: "body oauth_nonce", method: "POST", url: "https://en.wikipedia.org/w/api.php",
		contentType: "application/x-www-form-urlencoded", body: "oauth_nonce=2&oauth_zz=3&b=1"},
	{name: "extra", method: "POST", url: "https://meta.wikimedia.org/w/index.php?title=Special:OAuth/initiate&format=json",
		extra: map[string]string{"oauth_callback": "oob"}},
	{name: "extras", method: "GET", url: "https://en.wikipedia.org/w/api.php?oauth_a=1",
		extra: map[string]string{"oauth_verifier": "v w/+", "oauth_callback": "http://x/?a=b", "oauth_zz": ""}},
}

// ownSigners are Signers to sign the cases with: HMAC-SHA1 with and
// without a token, keys and nonces with bytes to escape, a custom
// Nonce, RSA-SHA1.
func ownSigners(t testing.TB) map[string]*Signer {
	clock := func() time.Time { return time.Unix(1700000000, 0) }
	nonce := func(n string) func() string { return func() string { return n } }
	return map[string]*Signer{
		"hmac": {Credentials: Credentials{ConsumerKey: "ck", ConsumerSecret: "cs", Token: "tk", TokenSecret: "ts"},
			Server: "https://en.wikipedia.org", Clock: clock, Nonce: nonce("0123456789abcdef0123456789abcdef")},
		"no token": {Credentials: Credentials{ConsumerKey: "ck", ConsumerSecret: "cs"}, Clock: clock, Nonce: nonce("n")},
		"escaped": {Credentials: Credentials{ConsumerKey: "c k+/=%é~", ConsumerSecret: "c&s", Token: "t\"k,\x00", TokenSecret: "t s"},
			Clock: func() time.Time { return time.Unix(-5, 0) }, Nonce: nonce("a b+c/é%\"")},
		"rsa": {Credentials: Credentials{ConsumerKey: "rsa key", Token: "tk", PrivateKey: testRSAKey(t)},
			Server: "//en.wikipedia.org", Clock: clock, Nonce: nonce("rsa-nonce")},
	}
}

func newOwnRequest(t testing.TB, c ownCase) *http.Request {
	t.Helper()
	var body *strings.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	var req *http.Request
	var err error
	if body != nil {
		req, err = http.NewRequest(c.method, c.url, body)
	} else {
		req, err = http.NewRequest(c.method, c.url, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	if c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	return req
}

// signBothWays returns the header and nonce of the ownBlock path and of
// the general one.
func signBothWays(t testing.TB, s *Signer, c ownCase) (own, general [2]string) {
	t.Helper()
	for _, useOwn := range []bool{true, false} {
		auth, nonce, err := s.authorize(newOwnRequest(t, c), c.extra, true, useOwn)
		if err != nil {
			t.Fatalf("%s (own %v): %v", c.name, useOwn, err)
		}
		if useOwn {
			own = [2]string{auth, nonce}
		} else {
			general = [2]string{auth, nonce}
		}
	}
	return own, general
}

func TestOwnBlockMatches(t *testing.T) {
	for sname, s := range ownSigners(t) {
		for _, c := range ownCases {
			t.Run(sname+"/"+c.name, func(t *testing.T) {
				own, general := signBothWays(t, s, c)
				if own != general {
					t.Fatalf("own path:\n %q\ngeneral path:\n %q", own, general)
				}
				if own[1] != s.Nonce() {
					t.Errorf("nonce %q, want %q", own[1], s.Nonce())
				}
				// Without wanting the nonce, the same header.
				auth, _, err := s.authorization(newOwnRequest(t, c), c.extra, false)
				if err != nil || auth != own[0] {
					t.Errorf("authorization without the nonce: %q, %v", auth, err)
				}
			})
		}
	}
}

// TestOwnBlockDefaultNonce signs with the default nonce and clock both
// ways: the header is the general path's for the same nonce and
// timestamp.
func TestOwnBlockDefaultNonce(t *testing.T) {
	s := &Signer{Credentials: Credentials{ConsumerKey: "ck", ConsumerSecret: "cs", Token: "tk", TokenSecret: "ts"}}
	for _, c := range ownCases {
		if len(c.extra) > 0 {
			continue
		}
		auth, nonce, err := s.authorization(newOwnRequest(t, c), nil, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(nonce) != 2*nonceSize {
			t.Fatalf("%s: nonce %q", c.name, nonce)
		}
		ts := auth[strings.Index(auth, `oauth_timestamp="`)+len(`oauth_timestamp="`):]
		ts = ts[:strings.IndexByte(ts, '"')]
		fixed := *s
		fixed.Nonce = func() string { return nonce }
		fixed.Clock = func() time.Time {
			var unix int64
			fmt.Sscan(ts, &unix)
			return time.Unix(unix, 0)
		}
		if _, general := signBothWays(t, &fixed, c); general[0] != auth {
			t.Fatalf("%s:\n %q\ngeneral path:\n %q", c.name, auth, general[0])
		}
	}
}

// FuzzOwnBlock holds the ownBlock path to the general one over arbitrary
// credentials, nonces, queries and bodies (the same header, or the same
// error).
func FuzzOwnBlock(f *testing.F) {
	f.Add("ck", "tk", "nonce", "action=query&meta=userinfo", "text=a+b", int64(1700000000))
	f.Add("c k+/=%é~", "", "a b", "oauth_x=1&oauth=2", "oauth_token=3", int64(-1))
	f.Add("ck", "tk", "n", "a.b=1", "5=x", int64(0))
	f.Add("ck", "t", "", "", "", int64(1))
	f.Fuzz(func(t *testing.T, key, token, nonce, query, body string, unix int64) {
		s := &Signer{
			Credentials: Credentials{ConsumerKey: key, ConsumerSecret: "cs", Token: token, TokenSecret: "ts"},
			Server:      "https://en.wikipedia.org",
			Clock:       func() time.Time { return time.Unix(unix, 0) },
			Nonce:       func() string { return nonce },
		}
		var got [2]string
		var errs [2]error
		for i, useOwn := range []bool{true, false} {
			req, err := http.NewRequest("POST", "https://en.wikipedia.org/w/api.php", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.URL.RawQuery = query
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			got[i], _, errs[i] = s.authorize(req, nil, true, useOwn)
		}
		if fmt.Sprint(errs[0]) != fmt.Sprint(errs[1]) || got[0] != got[1] {
			t.Fatalf("own path %q, %v\ngeneral path %q, %v", got[0], errs[0], got[1], errs[1])
		}
	})
}

// TestOwnBlockConcurrent signs from 8 goroutines with 4 Signers of other
// credentials at once, so that the lastOwn memo changes all the time:
// every header is the one of its own Signer. CI runs it with -race.
func TestOwnBlockConcurrent(t *testing.T) {
	const goroutines, each = 8, 200
	c := ownCases[0]
	var signers []*Signer
	var want []string
	for i := range 4 {
		s := &Signer{
			Credentials: Credentials{ConsumerKey: fmt.Sprintf("ck%d", i), ConsumerSecret: "cs", Token: strings.Repeat("t", i), TokenSecret: "ts"},
			Clock:       func() time.Time { return time.Unix(1700000000, 0) },
			Nonce:       func() string { return "n" },
		}
		_, general := signBothWays(t, s, c)
		signers, want = append(signers, s), append(want, general[0])
	}
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				k := (g + i) % len(signers)
				req, err := http.NewRequest(c.method, c.url, nil)
				if err != nil {
					errs <- err
					return
				}
				auth, _, err := signers[k].authorization(req, nil, false)
				if err == nil && auth != want[k] {
					err = fmt.Errorf("signer %d: %q, want %q", k, auth, want[k])
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestHasOAuthName: only a name that starts with "oauth_", once decoded,
// makes the Signer fall back to the general path.
func TestHasOAuthName(t *testing.T) {
	for query, want := range map[string]bool{
		"oauth_foo=1": true, "a=1&oauth%5Ffoo": true, "oauth_": true, "x=oauth_y": false,
		"oauth=1&oauth%5E=2&oautg_x=3&oauthz=4&OAUTH_x=5&=6&a_oauth_=7": false, "": false,
	} {
		sc := getScratch()
		if err := sc.parseParams(query, nil, false, 0); err != nil {
			t.Fatal(err)
		}
		if got := sc.hasOAuthName(); got != want {
			t.Errorf("%q: hasOAuthName() = %v, want %v", query, got, want)
		}
		putScratch(sc)
	}
}
