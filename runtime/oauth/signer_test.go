package oauth_test

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mwgen/mwgen/runtime/oauth"
)

const goldenDir = "../../golden/oauth"

// vector is one case of golden/oauth/vectors.json.
type vector struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Method      string `json:"method"`
	URL         string `json:"url"`
	Server      string `json:"server"`
	ContentType string `json:"content_type"`
	Body        string `json:"body"`
	BodySigned  bool   `json:"body_signed"`
	OAuth       struct {
		ConsumerKey     string            `json:"consumer_key"`
		Token           string            `json:"token"`
		SignatureMethod string            `json:"signature_method"`
		Nonce           string            `json:"nonce"`
		Timestamp       int64             `json:"timestamp"`
		Extra           map[string]string `json:"extra"`
	} `json:"oauth"`
	Secrets struct {
		ConsumerSecret    string `json:"consumer_secret"`
		TokenSecret       string `json:"token_secret"`
		RSAPrivateKeyFile string `json:"rsa_private_key_file"`
	} `json:"secrets"`
	BaseString string `json:"base_string"`
	Signature  string `json:"signature"`
}

func loadVectors(t testing.TB) []vector {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(goldenDir, "vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []vector `json:"cases"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Cases) < 60 {
		t.Fatalf("vectors.json has %d cases, want at least 60", len(doc.Cases))
	}
	return doc.Cases
}

func loadTestKey(t testing.TB, name string) *rsa.PrivateKey {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(goldenDir, name))
	if err != nil {
		t.Fatal(err)
	}
	k, err := oauth.ParsePrivateKeyPEM(b) // the file starts with comment lines
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// parseAuthorization parses an "OAuth k="v", ..." header as MediaWiki
// does (OAuthUtil::split_header): quoted values, percent-decoded.
func parseAuthorization(t *testing.T, h string) map[string]string {
	t.Helper()
	rest, ok := strings.CutPrefix(h, "OAuth ")
	if !ok {
		t.Fatalf("Authorization %q does not start with \"OAuth \"", h)
	}
	m := map[string]string{}
	for _, item := range strings.Split(rest, ", ") {
		k, v, ok := strings.Cut(item, "=")
		if !ok || len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			t.Fatalf("malformed item %q in %q", item, h)
		}
		if _, dup := m[k]; dup {
			t.Fatalf("duplicate %s in %q", k, h)
		}
		dv, err := url.PathUnescape(v[1 : len(v)-1])
		if err != nil {
			t.Fatalf("item %q: %v", item, err)
		}
		m[k] = dv
	}
	return m
}

// TestGoldenVectors reproduces every base string and signature of
// vectors.json (computed by oauthlib with MediaWiki's rules) through the
// public API: a Signer with injected Clock and Nonce signs an
// *http.Request built from the case.
func TestGoldenVectors(t *testing.T) {
	keys := map[string]*rsa.PrivateKey{}
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			creds := oauth.Credentials{
				ConsumerKey:    v.OAuth.ConsumerKey,
				ConsumerSecret: v.Secrets.ConsumerSecret,
				Token:          v.OAuth.Token,
				TokenSecret:    v.Secrets.TokenSecret,
			}
			if f := v.Secrets.RSAPrivateKeyFile; f != "" {
				if keys[f] == nil {
					keys[f] = loadTestKey(t, f)
				}
				creds.PrivateKey = keys[f]
			}
			if got := creds.Method(); got != v.OAuth.SignatureMethod {
				t.Fatalf("Method() = %s, want %s", got, v.OAuth.SignatureMethod)
			}
			var body io.Reader
			if v.Body != "" {
				body = strings.NewReader(v.Body)
			}
			req, err := http.NewRequest(v.Method, v.URL, body)
			if err != nil {
				t.Fatal(err)
			}
			if v.ContentType != "" {
				req.Header.Set("Content-Type", v.ContentType)
			}
			s := &oauth.Signer{
				Credentials: creds,
				Server:      v.Server,
				Clock:       func() time.Time { return time.Unix(v.OAuth.Timestamp, 0) },
				Nonce:       func() string { return v.OAuth.Nonce },
			}
			var extra map[string]string
			if len(v.OAuth.Extra) > 0 {
				extra = v.OAuth.Extra
			}
			nonce, err := s.SignWith(req, extra)
			if err != nil {
				t.Fatal(err)
			}
			if nonce != v.OAuth.Nonce {
				t.Errorf("nonce = %q, want %q", nonce, v.OAuth.Nonce)
			}

			got := parseAuthorization(t, req.Header.Get("Authorization"))
			want := map[string]string{
				"oauth_consumer_key":     v.OAuth.ConsumerKey,
				"oauth_nonce":            v.OAuth.Nonce,
				"oauth_signature_method": v.OAuth.SignatureMethod,
				"oauth_timestamp":        fmt.Sprint(v.OAuth.Timestamp),
				"oauth_version":          "1.0",
				"oauth_signature":        v.Signature,
			}
			if v.OAuth.Token != "" {
				want["oauth_token"] = v.OAuth.Token
			}
			for k, x := range v.OAuth.Extra {
				want[k] = x
			}
			for k, w := range want {
				if got[k] != w {
					t.Errorf("header %s = %q, want %q", k, got[k], w)
				}
			}
			for k := range got {
				if _, ok := want[k]; !ok {
					t.Errorf("unexpected header parameter %s=%q", k, got[k])
				}
			}

			delete(got, "oauth_signature")
			base, err := oauth.BaseString(v.Method, v.URL, v.Server, v.ContentType, []byte(v.Body), got)
			if err != nil {
				t.Fatal(err)
			}
			if base != v.BaseString {
				t.Errorf("base string\n got %s\nwant %s", base, v.BaseString)
			}

			// The body is still there, whole.
			if req.Body != nil {
				b, err := io.ReadAll(req.Body)
				if err != nil || string(b) != v.Body {
					t.Errorf("body after signing = %q, %v; want %q", b, err, v.Body)
				}
			}
		})
	}
}

// TestVectorsUpToDate regenerates the vectors with oauthlib and compares
// them with the committed file.
func TestVectorsUpToDate(t *testing.T) {
	const py = "/usr/bin/python3"
	missing := func(why string) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("cannot regenerate the OAuth vectors in CI: %s", why)
		}
		t.Skipf("cannot regenerate the OAuth vectors: %s", why)
	}
	if _, err := os.Stat(py); err != nil {
		missing(py + " not found")
	}
	if out, err := exec.Command(py, "-c", "import oauthlib, jwt, cryptography").CombinedOutput(); err != nil {
		missing(fmt.Sprintf("%s lacks oauthlib, jwt or cryptography (Debian: python3-oauthlib python3-jwt python3-cryptography): %v\n%s", py, err, out))
	}
	cmd := exec.Command(py, filepath.Join(goldenDir, "make_vectors.py"), "--check")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make_vectors.py --check: %v\n%s\nRegenerate with: %s golden/oauth/make_vectors.py", err, out, py)
	}
}

func testSigner() *oauth.Signer {
	return &oauth.Signer{
		Credentials: oauth.Credentials{
			ConsumerKey: "ck", ConsumerSecret: "cs", Token: "tk", TokenSecret: "ts",
		},
		Server: "https://en.wikipedia.org",
		Clock:  func() time.Time { return time.Unix(1700000000, 0) },
		Nonce:  func() string { return "fixednonce" },
	}
}

func TestSignReplacesHeaderAndOmitsEmptyToken(t *testing.T) {
	s := testSigner()
	s.Credentials.Token, s.Credentials.TokenSecret = "", ""
	req, _ := http.NewRequest("GET", "https://en.wikipedia.org/w/api.php?action=query", nil)
	req.Header.Set("Authorization", "Bearer old")
	if _, err := s.Sign(req); err != nil {
		t.Fatal(err)
	}
	if v := req.Header.Values("Authorization"); len(v) != 1 || !strings.HasPrefix(v[0], "OAuth ") {
		t.Fatalf("Authorization = %q", v)
	}
	h := parseAuthorization(t, req.Header.Get("Authorization"))
	if _, ok := h["oauth_token"]; ok {
		t.Errorf("oauth_token sent with an empty token: %q", req.Header.Get("Authorization"))
	}
	if _, ok := h["realm"]; ok {
		t.Error("realm sent")
	}
}

func TestDefaultNonceAndClock(t *testing.T) {
	s := testSigner()
	s.Clock, s.Nonce = nil, nil
	seen := map[string]bool{}
	for range 100 {
		req, _ := http.NewRequest("GET", "https://en.wikipedia.org/w/api.php", nil)
		n, err := s.Sign(req)
		if err != nil {
			t.Fatal(err)
		}
		if len(n) != 32 || strings.Trim(n, "0123456789abcdef") != "" {
			t.Fatalf("nonce %q is not 32 hex characters", n)
		}
		if seen[n] {
			t.Fatalf("nonce %q repeated", n)
		}
		seen[n] = true
		h := parseAuthorization(t, req.Header.Get("Authorization"))
		if h["oauth_nonce"] != n {
			t.Fatalf("returned nonce %q, header has %q", n, h["oauth_nonce"])
		}
		var ts int64
		fmt.Sscan(h["oauth_timestamp"], &ts)
		if d := time.Since(time.Unix(ts, 0)); d < -time.Minute || d > time.Minute {
			t.Fatalf("timestamp %s is off by %v", h["oauth_timestamp"], d)
		}
	}
}

// TestSignBodyWithoutGetBody: a body that cannot be re-read is read and
// restored.
func TestSignBodyWithoutGetBody(t *testing.T) {
	s := testSigner()
	req, _ := http.NewRequest("POST", "https://en.wikipedia.org/w/api.php", io.NopCloser(strings.NewReader("action=query&meta=tokens")))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if req.GetBody != nil {
		t.Fatal("test needs a request without GetBody")
	}
	if _, err := s.Sign(req); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		var b []byte
		if req.GetBody != nil {
			rc, _ := req.GetBody()
			b, _ = io.ReadAll(rc)
			if string(b) != "action=query&meta=tokens" {
				t.Fatalf("GetBody gives %q", b)
			}
		}
	}
	b, _ := io.ReadAll(req.Body)
	if string(b) != "action=query&meta=tokens" {
		t.Fatalf("Body = %q", b)
	}
	// Same signature as with a re-readable body.
	req2, _ := http.NewRequest("POST", "https://en.wikipedia.org/w/api.php", strings.NewReader("action=query&meta=tokens"))
	req2.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	s.Sign(req2)
	if a, b := req.Header.Get("Authorization"), req2.Header.Get("Authorization"); a != b {
		t.Fatalf("signatures differ:\n%s\n%s", a, b)
	}
}

func TestSignErrors(t *testing.T) {
	const secretValue = "SUPERSECRETVALUE"
	for _, tc := range []struct {
		name  string
		mod   func(*oauth.Signer)
		url   string
		body  string
		extra map[string]string
		want  string
	}{
		{name: "no consumer key", mod: func(s *oauth.Signer) { s.Credentials.ConsumerKey = "" }, want: "no ConsumerKey"},
		{name: "no secret", mod: func(s *oauth.Signer) { s.Credentials.ConsumerSecret = "" }, want: "neither"},
		{name: "php array name", url: "https://en.wikipedia.org/w/api.php?titles[]=" + secretValue, want: `"titles[]"`},
		{name: "dotted name", url: "https://en.wikipedia.org/w/api.php?a.b=" + secretValue, want: `"a.b"`},
		{name: "space in name", url: "https://en.wikipedia.org/w/api.php?a+b=" + secretValue, want: `"a b"`},
		{name: "numeric query name", url: "https://en.wikipedia.org/w/api.php?5=" + secretValue, want: "numeric"},
		{name: "numeric body name", body: "7=" + secretValue, want: "numeric"},
		{name: "bad server", mod: func(s *oauth.Signer) { s.Server = "https://en.wikipedia.org/w/api.php" }, want: "canonical server"},
		{name: "reserved extra", extra: map[string]string{"oauth_token": secretValue}, want: "set by the Signer"},
		{name: "extra not oauth_", extra: map[string]string{"callback": secretValue}, want: "oauth_[a-z_-]*"},
		{name: "extra upper case", extra: map[string]string{"oauth_Callback": secretValue}, want: "oauth_[a-z_-]*"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := testSigner()
			s.Credentials.ConsumerSecret = "CONSUMERSECRET"
			s.Credentials.TokenSecret = "TOKENSECRET"
			if tc.mod != nil {
				tc.mod(s)
			}
			u := tc.url
			if u == "" {
				u = "https://en.wikipedia.org/w/api.php?action=query"
			}
			method, body := "GET", io.Reader(nil)
			if tc.body != "" {
				method, body = "POST", strings.NewReader(tc.body)
			}
			req, err := http.NewRequest(method, u, body)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			_, err = s.SignWith(req, tc.extra)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q does not mention %q", msg, tc.want)
			}
			for _, secret := range []string{secretValue, "CONSUMERSECRET", "TOKENSECRET"} {
				if strings.Contains(msg, secret) {
					t.Errorf("error %q leaks %s", msg, secret)
				}
			}
			if req.Header.Get("Authorization") != "" {
				t.Error("Authorization set despite the error")
			}
		})
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestSignBodyReadError(t *testing.T) {
	s := testSigner()
	req, _ := http.NewRequest("POST", "https://en.wikipedia.org/w/api.php", io.NopCloser(failingReader{}))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	_, err := s.Sign(req)
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("err = %v", err)
	}
}

// TestSecretsNeverPrinted checks String, GoString and every fmt verb on
// Credentials, Signer and Transport, and the private key's numbers.
func TestSecretsNeverPrinted(t *testing.T) {
	key := loadTestKey(t, "test_rsa_key.pem")
	creds := oauth.Credentials{
		ConsumerKey: "PUBLICKEY", ConsumerSecret: "CONSUMER-SECRET-1",
		Token: "PUBLICTOKEN", TokenSecret: "TOKEN-SECRET-2", PrivateKey: key,
	}
	secrets := []string{
		"CONSUMER-SECRET-1", "TOKEN-SECRET-2",
		key.D.String(), key.D.Text(16), key.Primes[0].String(), key.Primes[0].Text(16),
	}
	if got, want := creds.String(), "oauth.Credentials{consumer=PUBLICKEY, token=PUBLICTOKEN, secrets redacted}"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if creds.GoString() != creds.String() {
		t.Errorf("GoString() = %q", creds.GoString())
	}
	s := &oauth.Signer{Credentials: creds, Server: "https://en.wikipedia.org"}
	tr := &oauth.Transport{Signer: s}
	wrapped := struct {
		C oauth.Credentials
		P *oauth.Credentials
	}{creds, &creds}
	values := map[string]any{
		"Credentials": creds, "*Credentials": &creds, "Signer": *s, "*Signer": s,
		"Transport": *tr, "*Transport": tr, "wrapped": wrapped,
		"slice": []oauth.Credentials{creds}, "map": map[string]oauth.Credentials{"x": creds},
		"struct with *Signer": struct{ S *oauth.Signer }{s}, "struct with Signer": struct{ S oauth.Signer }{*s},
		"struct with *Transport": struct{ T *oauth.Transport }{tr}, "[]*Signer": []*oauth.Signer{s},
	}
	for name, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"} {
			out := fmt.Sprintf(verb, v)
			for _, sec := range secrets {
				if strings.Contains(out, sec) {
					t.Errorf("fmt %s of %s leaks a secret: %.200s", verb, name, out)
				}
			}
		}
	}
	if out := fmt.Sprint(creds); !strings.Contains(out, "PUBLICKEY") || !strings.Contains(out, "PUBLICTOKEN") {
		t.Errorf("fmt.Sprint(creds) = %q lacks the public key or token", out)
	}
}

func TestParsePrivateKeyPEMErrors(t *testing.T) {
	for _, in := range []string{"", "not pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
		"-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"} {
		if _, err := oauth.ParsePrivateKeyPEM([]byte(in)); err == nil {
			t.Errorf("ParsePrivateKeyPEM(%q) succeeded", in)
		}
	}
}

// TestBaseStringPure: BaseString depends on its arguments only, and the
// body counts only for a POST with a form Content-Type.
func TestBaseStringPure(t *testing.T) {
	op := map[string]string{"oauth_consumer_key": "k", "oauth_nonce": "n", "oauth_signature_method": "HMAC-SHA1",
		"oauth_timestamp": "1", "oauth_version": "1.0", "oauth_signature": "ignored"}
	const u = "https://EN.wikipedia.org:443/w/api.php?b=2&a=1"
	a, err := oauth.BaseString("POST", u, "", "application/x-www-form-urlencoded", []byte("c=3"), op)
	if err != nil {
		t.Fatal(err)
	}
	want := "POST&https%3A%2F%2Fen.wikipedia.org%2Fw%2Fapi.php&a%3D1%26b%3D2%26c%3D3%26oauth_consumer_key%3Dk%26oauth_nonce%3Dn%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1%26oauth_version%3D1.0"
	if a != want {
		t.Errorf("got  %s\nwant %s", a, want)
	}
	for _, tc := range []struct{ method, ct string }{{"GET", "application/x-www-form-urlencoded"}, {"POST", "multipart/form-data; boundary=x"}, {"POST", ""}} {
		b, _ := oauth.BaseString(tc.method, u, "", tc.ct, []byte("c=3"), op)
		if strings.Contains(b, "c%3D3") {
			t.Errorf("%s %q: body signed: %s", tc.method, tc.ct, b)
		}
	}
	if _, err := oauth.BaseString("GET", "/w/api.php", "", "", nil, op); err == nil {
		t.Error("relative URL without Server accepted")
	}
	if b, err := oauth.BaseString("GET", "/w/api.php", "https://en.wikipedia.org", "", nil, op); err != nil || !strings.HasPrefix(b, "GET&https%3A%2F%2Fen.wikipedia.org%2Fw%2Fapi.php&") {
		t.Errorf("relative URL with Server: %q, %v", b, err)
	}
}

// TestBodyBytesUnchanged guards against signing re-encoding the body.
func TestBodyBytesUnchanged(t *testing.T) {
	s := testSigner()
	const body = "text=a+b%2Bc&title=%E6%97%A5"
	req, _ := http.NewRequest("POST", "https://en.wikipedia.org/w/api.php", bytes.NewBufferString(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
	if _, err := s.Sign(req); err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(req.Body)
	if string(b) != body {
		t.Fatalf("body = %q", b)
	}
}
