package oauth

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Signer signs requests for a MediaWiki wiki with OAuth 1.0a, in the
// Authorization header (the only place MediaWiki's api.php looks for it).
//
// A Signer is safe for concurrent use when its Clock and Nonce are. Its
// fields must not change while it is in use.
//
//	s := &oauth.Signer{
//		Credentials: oauth.Credentials{
//			ConsumerKey: key, ConsumerSecret: secret,
//			Token: token, TokenSecret: tokenSecret,
//		},
//		Server: "https://en.wikipedia.org",
//	}
//	hc := oauth.NewHTTPClient(s, nil) // every request it sends is signed
//
// or, for one request:
//
//	nonce, err := s.Sign(req)
type Signer struct {
	Credentials Credentials
	// Server is the wiki's canonical server (siteinfo "server",
	// $wgServer), e.g. "https://en.wikipedia.org". When set, the base
	// string uses it instead of the request URL's scheme/host/port
	// (MediaWiki signs against $wgServer, not against the Host you sent);
	// a protocol-relative server ("//en.wikipedia.org") takes the request
	// URL's scheme. Empty: the request URL's.
	Server string
	// Clock gives the oauth_timestamp. nil: time.Now. MediaWiki accepts
	// timestamps within ±300 s of its own clock.
	Clock func() time.Time
	// Nonce gives the oauth_nonce. nil: 16 bytes from crypto/rand as 32 hex
	// characters. MediaWiki refuses a nonce it has seen in the last five
	// minutes for the same consumer and token ("Nonce already used"), so a
	// custom Nonce must not repeat.
	Nonce func() string
}

// String describes the Signer without its secrets:
// "oauth.Signer{oauth.Credentials{consumer=KEY, token=TOKEN, secrets redacted}, server=SERVER}".
func (s Signer) String() string {
	return "oauth.Signer{" + s.Credentials.String() + ", server=" + s.Server + "}"
}

// GoString is String.
func (s Signer) GoString() string { return s.String() }

// Format implements fmt.Formatter so that no verb prints the secrets (see
// [Credentials.Format]).
func (s Signer) Format(f fmt.State, verb rune) { writeRedacted(f, verb, s.String()) }

// reserved are the oauth_* parameters a Signer computes itself.
var reserved = [...]string{
	"oauth_consumer_key", "oauth_nonce", "oauth_signature",
	"oauth_signature_method", "oauth_timestamp", "oauth_token", "oauth_version",
}

// Sign adds the "Authorization: OAuth ..." header to req, replacing any,
// and returns the oauth_nonce it used (the JWT that Special:OAuth/identify
// returns must carry it). It reads a form body that MediaWiki signs (a POST
// with Content-Type application/x-www-form-urlencoded...) through
// req.GetBody when set, else from req.Body, which it then restores (and
// sets GetBody); no other part of req changes. Errors never contain secrets
// or parameter values.
func (s *Signer) Sign(req *http.Request) (nonce string, err error) {
	return s.SignWith(req, nil)
}

// SignWith is Sign plus extra oauth_* parameters in the header and the
// signature: oauth_callback on Special:OAuth/initiate (usually "oob"),
// oauth_verifier on Special:OAuth/token. Their names must match
// MediaWiki's header syntax oauth_[a-z_-]* and must not be one of those
// the Signer sets (oauth_consumer_key, oauth_nonce, oauth_signature,
// oauth_signature_method, oauth_timestamp, oauth_token, oauth_version).
//
//	req, _ := http.NewRequest("POST",
//		"https://meta.wikimedia.org/w/index.php?title=Special:OAuth/initiate&format=json", nil)
//	_, err := consumerOnly.SignWith(req, map[string]string{"oauth_callback": "oob"})
func (s *Signer) SignWith(req *http.Request, extra map[string]string) (nonce string, err error) {
	auth, nonce, err := s.authorization(req, extra, true)
	if err != nil {
		return "", err
	}
	if req.Header == nil {
		req.Header = make(http.Header)
	}
	req.Header["Authorization"] = []string{auth} // Header.Set, the key canonical already
	return nonce, nil
}

// authorization returns the Authorization header that signs req (and
// extra, as SignWith) and, when wantNonce, the nonce in it. It reads req
// and its header, and changes req only to restore a body it has read (see
// readBody).
func (s *Signer) authorization(req *http.Request, extra map[string]string, wantNonce bool) (auth, nonce string, err error) {
	return s.authorize(req, extra, wantNonce, true)
}

// authorize is authorization; useOwn false always takes the general path
// (for the tests that hold the ownBlock path to it).
func (s *Signer) authorize(req *http.Request, extra map[string]string, wantNonce, useOwn bool) (auth, nonce string, err error) {
	if req == nil || req.URL == nil {
		return "", "", errors.New("oauth: nil request or request URL")
	}
	c := &s.Credentials
	if err := c.canSign(); err != nil {
		return "", "", err
	}
	for k := range extra {
		if err := checkExtraKey(k); err != nil {
			return "", "", err
		}
	}
	encURL, err := encodedBaseStringURI(req.URL, s.Server)
	if err != nil {
		return "", "", err
	}
	// The body (when read through GetBody), the nonce and timestamp, the
	// base string and then the header are written into pooled memory;
	// only the header string is allocated (and the nonce, when wanted).
	sc := getScratch()
	defer putScratch(sc)
	var body []byte
	// (The method first: a GET looks up no header.)
	signBody := req.Method == "POST" && signsBody(req.Method, req.Header.Get("Content-Type"))
	if signBody {
		if body, err = readBody(req, sc); err != nil {
			return "", "", err
		}
	}

	nt, nonceLen := s.appendNonceAndTimestamp(sc.nt[:0])
	sc.nt = nt
	if nonceLen == 0 {
		return "", "", errors.New("oauth: Signer.Nonce returned an empty nonce")
	}
	nonceBytes, tsBytes := nt[:nonceLen], nt[nonceLen:]
	method := c.Method()

	// The Signer's own parameters go in as one pre-encoded entry (own.go)
	// unless there are extra ones, or a request parameter's name starts
	// with "oauth_" (known once the request is parsed).
	var own *ownBlock
	var params []pair
	var stack [8]pair
	room := 0
	if useOwn && len(extra) == 0 {
		own = ownBlockFor(c)
		room = own.room(nonceBytes, tsBytes)
	} else {
		params, nonce = s.pairs(stack[:0], nt, nonceLen, method, extra)
		room = pairsRoom(params)
	}
	if err := sc.parseParams(req.URL.RawQuery, body, signBody, room); err != nil {
		return "", "", err
	}
	if own != nil && sc.hasOAuthName() {
		own = nil
		params, nonce = s.pairs(stack[:0], nt, nonceLen, method, nil)
	}
	if own != nil {
		sc.addOwn(own, nonceBytes, tsBytes)
	} else {
		sc.addPairs(params)
	}
	base := sc.finish(req.Method, encURL)

	var sigBuf [32]byte // an HMAC-SHA1 signature fits
	sig, err := c.appendSignature(sigBuf[:0], base)
	if err != nil {
		// crypto/rsa errors describe sizes, never key material.
		return "", "", fmt.Errorf("oauth: signing with %s: %w", method, err)
	}
	// The header goes where the base string was.
	var h []byte
	if own != nil {
		h = own.appendHeader(sc.buf[:0], nonceBytes, sig, tsBytes)
		if wantNonce {
			nonce = string(nonceBytes)
		}
	} else {
		h = appendHeader(sc.buf[:0], params, sig)
	}
	sc.buf = h
	return string(h), nonce, nil
}

// pairs returns the Signer's own oauth_* parameters and extra in the order
// of their names, as the header lists them, appended to dst: the nonce and
// the timestamp are nt split at nonceLen. It returns the nonce too.
func (s *Signer) pairs(dst []pair, nt []byte, nonceLen int, method string, extra map[string]string) ([]pair, string) {
	// The nonce and the timestamp share one allocation.
	nts := string(nt)
	c := &s.Credentials
	params := append(dst,
		pair{"oauth_consumer_key", c.ConsumerKey},
		pair{"oauth_nonce", nts[:nonceLen]},
		pair{"oauth_signature_method", method},
		pair{"oauth_timestamp", nts[nonceLen:]},
	)
	if c.Token != "" {
		params = append(params, pair{"oauth_token", c.Token})
	}
	params = append(params, pair{"oauth_version", "1.0"})
	for k, v := range extra {
		params = append(params, pair{k, v})
	}
	if len(extra) > 0 {
		slices.SortFunc(params, func(a, b pair) int { return strings.Compare(a.k, b.k) })
	}
	return params, nts[:nonceLen]
}

// appendHeader appends the Authorization header of params, sorted by name,
// and sig to dst: oauth_signature among them where its name goes.
func appendHeader(dst []byte, params []pair, sig []byte) []byte {
	n := len("OAuth ") + len(`oauth_signature="", `) + 3*len(sig) + 8
	for _, p := range params {
		n += len(p.k) + len(`="", `) + 3*len(p.v)
	}
	h := slices.Grow(dst, n)
	h = append(h, "OAuth "...)
	signed := false
	for i, p := range params {
		if i > 0 {
			h = append(h, ", "...)
		}
		if !signed && p.k > "oauth_signature" {
			h = append(h, `oauth_signature="`...)
			h = h[:encodeInto(h[:cap(h)], len(h), sig, &onceTable)]
			h = append(h, `", `...)
			signed = true
		}
		h = append(h, p.k...)
		h = append(h, `="`...)
		h = h[:encodeInto(h[:cap(h)], len(h), p.v, &onceTable)]
		h = append(h, '"')
	}
	if !signed { // (never: oauth_version comes after it)
		h = append(h, `, oauth_signature="`...)
		h = h[:encodeInto(h[:cap(h)], len(h), sig, &onceTable)]
		h = append(h, '"')
	}
	return h
}

// checkExtraKey validates the name of an extra oauth_* parameter.
func checkExtraKey(k string) error {
	if slices.Contains(reserved[:], k) {
		return fmt.Errorf("oauth: extra parameter %q is set by the Signer itself", k)
	}
	ok := strings.HasPrefix(k, "oauth_")
	for i := len("oauth_"); ok && i < len(k); i++ {
		c := k[i]
		ok = 'a' <= c && c <= 'z' || c == '_' || c == '-'
	}
	if !ok {
		return fmt.Errorf("oauth: extra parameter %q does not match oauth_[a-z_-]*, so MediaWiki would not read it from the header", k)
	}
	return nil
}

// readBody returns the request body for signing, leaving req able to send
// it: through GetBody when set, else by reading Body and restoring it. A
// body read through GetBody, of known ContentLength, is read into sc (it
// is not kept beyond the signature).
func readBody(req *http.Request, sc *scratch) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	fail := func(err error) ([]byte, error) {
		return nil, fmt.Errorf("oauth: reading the form body to sign it: %w", err)
	}
	if req.GetBody == nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return fail(err)
		}
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
		return b, nil
	}
	rc, err := req.GetBody()
	if err != nil {
		return fail(err)
	}
	defer rc.Close()
	n := req.ContentLength
	if n <= 0 || n > maxInlineBody {
		b, err := io.ReadAll(rc)
		if err != nil {
			return fail(err)
		}
		return b, nil
	}
	// Room for one byte more, to see the end (a local array would
	// escape through the interface call).
	b := slices.Grow(sc.body[:0], int(n)+1)[:n]
	sc.body = b[:0]
	m, err := io.ReadFull(rc, b)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		// Shorter than ContentLength: sign what there is (the
		// transport will refuse to send it).
		return b[:m], nil
	}
	if err != nil {
		return fail(err)
	}
	for {
		m, err := rc.Read(b[n : n+1])
		if m > 0 {
			// Longer than ContentLength: the same.
			rest, err := io.ReadAll(rc)
			if err != nil {
				return fail(err)
			}
			return slices.Concat(b[:n+1], rest), nil
		}
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return fail(err)
		}
	}
}

// maxInlineBody bounds the bodies read in one allocation of their
// ContentLength; longer ones are read as they come.
const maxInlineBody = 1 << 20

func (s *Signer) now() time.Time {
	if s.Clock != nil {
		return s.Clock()
	}
	return time.Now()
}

// appendNonceAndTimestamp appends the oauth_nonce (by default 16 bytes
// from crypto/rand as 32 hex characters) and then the oauth_timestamp to
// dst, and returns the length of the nonce.
func (s *Signer) appendNonceAndTimestamp(dst []byte) ([]byte, int) {
	unix := s.now().Unix()
	if s.Nonce != nil {
		dst = append(dst, s.Nonce()...)
	} else {
		dst = appendRandomNonce(dst)
	}
	n := len(dst)
	return strconv.AppendInt(dst, unix, 10), n
}

// nonceSize is the number of random bytes in a default nonce.
const nonceSize = 16

// A nonceBlock holds bytes from crypto/rand for the next default nonces,
// 16 bytes each: one crypto/rand.Read serves 32 nonces.
//
// It is as safe as reading crypto/rand for every nonce: the bytes are
// the same cryptographically random bytes, each used once (off moves
// past them, and they are zeroed, before the block goes back to the
// pool); a block is used by one goroutine at a time (sync.Pool); a block
// the pool drops takes its unused bytes with it, never to be used. What
// waits in a block is at most 31 nonces not sent yet, in the memory of a
// process that holds the consumer and token secrets anyway, and a nonce
// is no secret: it goes in clear in the header, and only has to be
// unpredictable and unique.
type nonceBlock struct {
	b   [32 * nonceSize]byte
	off int
}

var nonceBlocks = sync.Pool{New: func() any { return &nonceBlock{off: len(nonceBlock{}.b)} }}

// appendRandomNonce appends a default nonce to dst: 16 bytes from
// crypto/rand as 32 lower-case hex characters.
func appendRandomNonce(dst []byte) []byte {
	nb := nonceBlocks.Get().(*nonceBlock)
	if nb.off+nonceSize > len(nb.b) {
		rand.Read(nb.b[:]) // never fails (crypto/rand since Go 1.24)
		nb.off = 0
	}
	r := nb.b[nb.off : nb.off+nonceSize]
	nb.off += nonceSize
	dst = hex.AppendEncode(dst, r)
	clear(r)
	nonceBlocks.Put(nb)
	return dst
}
