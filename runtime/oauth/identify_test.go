package oauth_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/mwgen/mwgen/runtime/oauth"
)

const (
	idKey    = "consumerkey"
	idSecret = "consumer-SECRET-1"
	idServer = "https://wiki.example.org"
	idNonce  = "n0nce"
)

var idNow = time.Unix(1_700_000_000, 0)

func idClaims() jwt.MapClaims {
	return jwt.MapClaims{
		"iss":             idServer,
		"sub":             "42",
		"aud":             idKey,
		"iat":             idNow.Unix(),
		"exp":             idNow.Unix() + 100,
		"nonce":           idNonce,
		"username":        "Alice",
		"editcount":       17,
		"confirmed_email": true,
		"blocked":         false,
		"registered":      "20240101000000",
		"groups":          []string{"*", "user", "autoconfirmed"},
		"rights":          []string{"read", "edit"},
		"grants":          []string{"basic", "editpage"},
	}
}

func hs256(t *testing.T, c jwt.MapClaims, secret string) []byte {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(s)
}

func verify(answer []byte) (*oauth.Identity, error) {
	return oauth.VerifyIdentity(answer, idKey, idSecret, idServer, idNonce, func() time.Time { return idNow.Add(5 * time.Second) })
}

func TestVerifyIdentity(t *testing.T) {
	id, err := verify(hs256(t, idClaims(), idSecret))
	if err != nil {
		t.Fatal(err)
	}
	if id.Username != "Alice" || id.Sub != "42" || id.EditCount != 17 || !id.ConfirmedEmail || id.Blocked ||
		id.Registered != "20240101000000" || id.Issuer != idServer || id.Audience != idKey || id.Nonce != idNonce ||
		!id.IssuedAt.Equal(idNow) || !id.ExpiresAt.Equal(idNow.Add(100*time.Second)) {
		t.Errorf("identity %+v", id)
	}
	if !reflect.DeepEqual(id.Groups, []string{"*", "user", "autoconfirmed"}) || !reflect.DeepEqual(id.Grants, []string{"basic", "editpage"}) {
		t.Errorf("groups %v grants %v", id.Groups, id.Grants)
	}

	// Older wikis: sub as a number, grants as a PHP array with holes
	// (a JSON object), iss with a default port and a trailing slash.
	c := idClaims()
	c["sub"] = 12345678901
	c["grants"] = map[string]any{"10": "highvolume", "0": "basic", "2": "editpage"}
	c["iss"] = "HTTPS://Wiki.Example.org:443/"
	id, err = verify(hs256(t, c, idSecret))
	if err != nil {
		t.Fatal(err)
	}
	if id.Sub != "12345678901" || !reflect.DeepEqual(id.Grants, []string{"basic", "editpage", "highvolume"}) {
		t.Errorf("sub %q grants %v", id.Sub, id.Grants)
	}

	// A JWT sent as a JSON string, with white space around.
	q, _ := json.Marshal(string(hs256(t, idClaims(), idSecret)))
	if _, err := verify(append(append([]byte("\n"), q...), '\n')); err != nil {
		t.Errorf("quoted JWT: %v", err)
	}
}

func TestVerifyIdentityRejects(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	with := func(k string, v any) []byte {
		c := idClaims()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return hs256(t, c, idSecret)
	}
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, idClaims()).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	rs256, err := jwt.NewWithClaims(jwt.SigningMethodRS256, idClaims()).SignedString(rsaKey)
	if err != nil {
		t.Fatal(err)
	}
	hs512, err := jwt.NewWithClaims(jwt.SigningMethodHS512, idClaims()).SignedString([]byte(idSecret))
	if err != nil {
		t.Fatal(err)
	}
	tampered := hs256(t, idClaims(), idSecret)
	parts := strings.Split(string(tampered), ".")
	other, _ := json.Marshal(map[string]any{"iss": idServer, "aud": idKey, "iat": idNow.Unix(), "exp": idNow.Unix() + 100, "nonce": idNonce, "username": "Mallory", "sub": "1"})
	parts[1] = base64.RawURLEncoding.EncodeToString(other)

	cases := []struct {
		name   string
		answer []byte
		want   error
	}{
		{"bad signature (other secret)", hs256(t, idClaims(), "another-secret"), jwt.ErrTokenSignatureInvalid},
		{"tampered payload", []byte(strings.Join(parts, ".")), jwt.ErrTokenSignatureInvalid},
		{"wrong aud", with("aud", "someoneelse"), jwt.ErrTokenInvalidAudience},
		{"no aud", with("aud", nil), jwt.ErrTokenRequiredClaimMissing},
		{"wrong iss", with("iss", "https://evil.example.org"), oauth.ErrIssuerMismatch},
		{"iss over http", with("iss", "http://wiki.example.org"), oauth.ErrIssuerMismatch},
		{"no iss", with("iss", nil), oauth.ErrIssuerMismatch},
		{"expired", with("exp", idNow.Unix()-20), jwt.ErrTokenExpired},
		{"no exp", with("exp", nil), jwt.ErrTokenRequiredClaimMissing},
		{"issued in the future", with("iat", idNow.Unix()+60), jwt.ErrTokenUsedBeforeIssued},
		{"nonce mismatch", with("nonce", "replayed"), oauth.ErrNonceMismatch},
		{"no nonce", with("nonce", nil), oauth.ErrNonceMismatch},
		{"alg none", []byte(none), jwt.ErrTokenSignatureInvalid},
		{"RS256", []byte(rs256), jwt.ErrTokenSignatureInvalid},
		{"HS512", []byte(hs512), jwt.ErrTokenSignatureInvalid},
		{"not a JWT", []byte("<html>Oops</html>"), jwt.ErrTokenMalformed},
	}
	for _, tc := range cases {
		id, err := verify(tc.answer)
		if err == nil {
			t.Errorf("%s: accepted (%+v)", tc.name, id)
			continue
		}
		if !errors.Is(err, oauth.ErrInvalidIdentity) {
			t.Errorf("%s: %v does not wrap ErrInvalidIdentity", tc.name, err)
		}
		// alg none and foreign algorithms are refused by WithValidMethods
		// before any signature check; golang-jwt reports them as
		// ErrTokenSignatureInvalid.
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
		if strings.Contains(err.Error(), idSecret) {
			t.Errorf("%s: error shows the secret: %v", tc.name, err)
		}
	}

	// Leeway: 5 s past exp is fine, 11 s is not.
	for _, tc := range []struct {
		after time.Duration
		ok    bool
	}{{105 * time.Second, true}, {111 * time.Second, false}} {
		_, err := oauth.VerifyIdentity(hs256(t, idClaims(), idSecret), idKey, idSecret, idServer, idNonce,
			func() time.Time { return idNow.Add(tc.after) })
		if (err == nil) != tc.ok {
			t.Errorf("%v after iat: err %v, want ok=%v", tc.after, err, tc.ok)
		}
	}
}

// TestIdentifyNonce: Identify checks the JWT against the nonce it signed
// the identify request with, and turns JSON errors into ProviderErrors.
func TestIdentifyNonce(t *testing.T) {
	f := newFakeOAuth(t)
	cfg := f.config()
	cfg.Server = idServer
	creds := cfg.Consumer
	creds.ConsumerKey, creds.ConsumerSecret = idKey, idSecret
	creds.Token, creds.TokenSecret = "accesstoken", "access-SECRET"
	cfg.Consumer = creds

	// The fake answers a JWT with the nonce of the request it got.
	f.identifyFn = func(auth map[string]string) string {
		c := idClaims()
		c["iat"], c["exp"] = time.Now().Unix(), time.Now().Unix()+100
		c["nonce"] = auth["oauth_nonce"]
		return string(hs256(t, c, idSecret))
	}
	id, err := oauth.Identify(ctxT(t), cfg, creds)
	if err != nil {
		t.Fatal(err)
	}
	if id.Nonce != f.lastAuth()["oauth_nonce"] || id.Username != "Alice" || f.lastAuth()["oauth_token"] != "accesstoken" {
		t.Errorf("identity %+v, signed with %v", id, f.lastAuth())
	}

	// A JWT with another nonce (a replayed answer) is refused.
	f.identifyFn = nil
	c := idClaims()
	c["iat"], c["exp"] = time.Now().Unix(), time.Now().Unix()+100
	f.identify = string(hs256(t, c, idSecret))
	if _, err := oauth.Identify(ctxT(t), cfg, creds); !errors.Is(err, oauth.ErrNonceMismatch) {
		t.Errorf("replayed JWT: %v", err)
	}

	f.identify = `{"error":"mwoauthdatastore-access-token-not-found","message":"No approved grant was found for that authorization token."}`
	_, err = oauth.Identify(ctxT(t), cfg, creds)
	var pe *oauth.ProviderError
	if !errors.As(err, &pe) || pe.Code != "mwoauthdatastore-access-token-not-found" || pe.Endpoint != "identify" {
		t.Errorf("identify error: %v", err)
	}
}
