package oauth

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/dghubble/oauth1"
)

// Signature method names, as sent in oauth_signature_method. MediaWiki's
// Extension:OAuth accepts exactly these two (PLAINTEXT only on debug
// installations, HMAC-SHA256 never).
const (
	MethodHMACSHA1 = "HMAC-SHA1"
	MethodRSASHA1  = "RSA-SHA1"
)

// Credentials are an OAuth 1.0a consumer and, once authorized, an access
// token.
//
// A consumer registered with a shared secret signs with HMAC-SHA1: set
// ConsumerKey and ConsumerSecret. A consumer registered with an RSA public
// key signs with RSA-SHA1: set ConsumerKey and PrivateKey (ConsumerSecret
// and TokenSecret are then not used for signing; MediaWiki even answers
// oauth_token_secret=__unused__ to such consumers).
//
// Before the handshake Token and TokenSecret are empty (Special:OAuth/initiate
// is signed with the consumer alone); during it they hold the request token;
// afterwards the access token. An owner-only consumer gets its access token
// from the registration page and skips the handshake.
//
// Credentials never print their secrets: String, GoString and every fmt verb
// show the consumer key and token only.
type Credentials struct {
	ConsumerKey, ConsumerSecret string
	// Token and TokenSecret are the access (or request) token; empty before
	// the handshake.
	Token, TokenSecret string
	// PrivateKey is set for RSA-SHA1 consumers; then ConsumerSecret is
	// unused for signing.
	PrivateKey *rsa.PrivateKey
}

// Method returns the signature method the credentials sign with:
// [MethodRSASHA1] when PrivateKey is set, otherwise [MethodHMACSHA1].
func (c Credentials) Method() string {
	if c.PrivateKey != nil {
		return MethodRSASHA1
	}
	return MethodHMACSHA1
}

// String returns "oauth.Credentials{consumer=KEY, token=TOKEN, secrets redacted}".
// It never shows ConsumerSecret, TokenSecret or the private key.
func (c Credentials) String() string {
	return "oauth.Credentials{consumer=" + c.ConsumerKey + ", token=" + c.Token + ", secrets redacted}"
}

// GoString is String, so that %#v does not leak secrets either.
func (c Credentials) GoString() string { return c.String() }

// Format implements fmt.Formatter so that no verb (%v, %+v, %#v, %s, %q,
// %x, %d, ...) prints the secrets, also when Credentials are a field of a
// printed struct.
//
// fmt cannot call methods on unexported struct fields, and prints those
// field by field: keep Credentials (and Signers) in exported fields or
// behind pointers in structs that may be printed.
func (c Credentials) Format(f fmt.State, verb rune) { writeRedacted(f, verb, c.String()) }

// writeRedacted writes a redacted description for any fmt verb.
func writeRedacted(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	io.WriteString(f, s)
}

// errNoSecret is returned when the credentials can sign with nothing.
var errNoSecret = errors.New("oauth: credentials have neither a ConsumerSecret nor a PrivateKey")

// canSign reports why the credentials cannot sign, or nil.
func (c *Credentials) canSign() error {
	if c.ConsumerKey == "" {
		return errors.New("oauth: credentials have no ConsumerKey")
	}
	if c.PrivateKey == nil && c.ConsumerSecret == "" {
		return errNoSecret
	}
	return nil
}

// appendSignature appends the signature of a base string to dst: HMAC-SHA1
// by our own signer (hmac.go, byte for byte dghubble/oauth1's
// HMACSigner, which allocated more than a whole signed request may),
// RSA-SHA1 by dghubble/oauth1's RSASigner.
func (c *Credentials) appendSignature(dst, base []byte) ([]byte, error) {
	if c.PrivateKey != nil {
		s := oauth1.RSASigner{PrivateKey: c.PrivateKey}
		sig, err := s.Sign("", string(base))
		return append(dst, sig...), err
	}
	return appendHMACSHA1(dst, c.ConsumerSecret, c.TokenSecret, base), nil
}

// ParsePrivateKeyPEM parses the first PEM block of pemData, an RSA private
// key in PKCS #1 ("RSA PRIVATE KEY") or PKCS #8 ("PRIVATE KEY") form, for
// [Credentials.PrivateKey]. Text before the block is ignored. Errors never
// contain key material.
func ParsePrivateKeyPEM(pemData []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(pemData)
	if block == nil {
		return nil, errors.New("oauth: no PEM block found in private key data")
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("oauth: invalid PKCS #1 RSA private key")
		}
		return k, nil
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("oauth: invalid PKCS #8 private key")
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("oauth: PKCS #8 private key is a %T, not an RSA key", k)
		}
		return rk, nil
	default:
		return nil, fmt.Errorf("oauth: PEM block is %q, want \"RSA PRIVATE KEY\" or \"PRIVATE KEY\"", block.Type)
	}
}
