package oauth

import (
	"slices"
	"sync/atomic"
)

// A Signer's own oauth_* parameters, encoded once for many signatures.
//
// Why: issue 14 asks a signed GET to cost about 4 HMACs of its base
// string. Of the six parameters a Signer adds (oauth_consumer_key,
// oauth_nonce, oauth_signature_method, oauth_timestamp, oauth_token,
// oauth_version), only the nonce and the timestamp change from one
// signature to the next. Encoding the other four for every request (twice
// for the base string, once for the header), and sorting six entries
// among the request's own parameters, was a fifth of what signing a GET
// cost besides the HMAC.
//
// All six names start with "oauth_", so in the sorted base string they
// are adjacent, in the order of their names, unless a query or body
// parameter's name also starts with "oauth_" (only such a name sorts
// between two of them, or overrides one): then, or when SignWith adds
// extra parameters, the Signer falls back to encoding and sorting each
// parameter (addPairs). Otherwise the six go in as one entry, named
// oauth_consumer_key (the first of them), that holds all of them with
// their separators, from pieces encoded beforehand around the nonce and
// the timestamp: byte for byte what the six entries would have been.
// The header is written from pieces the same way. TestOwnBlockMatches
// and FuzzOwnBlock hold both to the general path.

// ownBlock is a Signer's own oauth_* parameters but the nonce and the
// timestamp (and the signature, in the header), encoded, in the pieces
// that go around them.
type ownBlock struct {
	// What it is computed from: nothing else goes into it.
	consumerKey, token, method string
	// In the base string, encoded twice, with their separators:
	// base[0] nonce base[1] timestamp base[2].
	base [3]string
	// In the Authorization header, encoded once: hdr[0] nonce hdr[1]
	// signature hdr[2] timestamp hdr[3].
	hdr [4]string
}

// lastOwn is the last ownBlock a Signer used: a program signs most of its
// requests with one consumer and token. It holds no secret (the consumer
// key and the token are sent in clear, and String shows them). Signers
// with other credentials replace it, safely: an ownBlock never changes
// once stored, and each use checks what it was computed from.
var lastOwn atomic.Pointer[ownBlock]

// ownBlockFor returns the ownBlock of c, through lastOwn.
func ownBlockFor(c *Credentials) *ownBlock {
	method := c.Method()
	if b := lastOwn.Load(); b != nil && b.consumerKey == c.ConsumerKey && b.token == c.Token && b.method == method {
		return b
	}
	b := newOwnBlock(c.ConsumerKey, c.Token, method)
	lastOwn.Store(b)
	return b
}

// newOwnBlock encodes the pieces of an ownBlock, the parameters in the
// order of their names, as addPairs and appendHeader write them.
func newOwnBlock(consumerKey, token, method string) *ownBlock {
	b := &ownBlock{consumerKey: consumerKey, token: token, method: method}
	// Names and separators are given encoded already; the values
	// between them are encoded twice for the base string, once for the
	// header.
	twice := func(parts ...string) string { return joinEncoded(appendPercentEncodedTwice, parts) }
	once := func(parts ...string) string { return joinEncoded(appendPercentEncoded, parts) }
	b.base[0] = twice("oauth_consumer_key%3D", consumerKey, "%26oauth_nonce%3D")
	b.base[1] = twice("%26oauth_signature_method%3D", method, "%26oauth_timestamp%3D")
	b.hdr[0] = once(`OAuth oauth_consumer_key="`, consumerKey, `", oauth_nonce="`)
	b.hdr[1] = `", oauth_signature="`
	b.hdr[2] = once(`", oauth_signature_method="`, method, `", oauth_timestamp="`)
	if token != "" {
		b.base[2] = twice("%26oauth_token%3D", token, "%26oauth_version%3D1.0")
		b.hdr[3] = once(`", oauth_token="`, token, `", oauth_version="1.0"`)
	} else {
		b.base[2] = "%26oauth_version%3D1.0"
		b.hdr[3] = `", oauth_version="1.0"`
	}
	return b
}

// joinEncoded joins parts, the odd ones encoded by enc.
func joinEncoded(enc func([]byte, string) []byte, parts []string) string {
	var s []byte
	for i, p := range parts {
		if i%2 == 0 {
			s = append(s, p...)
		} else {
			s = enc(s, p)
		}
	}
	return string(s)
}

// room bounds what addOwn appends.
func (b *ownBlock) room(nonce, timestamp []byte) int {
	return len(b.base[0]) + len(b.base[1]) + len(b.base[2]) + 5*(len(nonce)+len(timestamp)) + len("%26")
}

// addOwn appends the six oauth_* parameters of b, nonce and timestamp to
// the parameters in sc, as one entry (see above). No parameter's name in
// sc may start with "oauth_" (hasOAuthName).
func (sc *scratch) addOwn(b *ownBlock, nonce, timestamp []byte) {
	arena := slices.Grow(sc.buf, b.room(nonce, timestamp)+8)
	d := arena[:cap(arena)]
	j := len(arena)
	// Its name is oauth_consumer_key, its value all the rest: no other
	// entry has that name, so the value is never compared.
	q := param{src: fromOAuth, k0: j, k1: j + len("oauth_consumer_key")}
	j += copy(d[j:], b.base[0])
	j = encodeInto(d, j, nonce, &twiceTable)
	j += copy(d[j:], b.base[1])
	j = encodeInto(d, j, timestamp, &twiceTable)
	j += copy(d[j:], b.base[2])
	q.v1 = j
	j = put3(d, j, "%26")
	sc.buf, sc.ps = arena[:j], append(sc.ps, q)
}

// appendHeader appends the Authorization header of b with nonce,
// signature and timestamp to dst.
func (b *ownBlock) appendHeader(dst, nonce, sig, timestamp []byte) []byte {
	n := len(b.hdr[0]) + len(b.hdr[1]) + len(b.hdr[2]) + len(b.hdr[3]) + 3*(len(nonce)+len(sig)+len(timestamp)) + 8
	h := slices.Grow(dst, n)
	d := h[:cap(h)]
	j := len(h)
	j += copy(d[j:], b.hdr[0])
	j = encodeInto(d, j, nonce, &onceTable)
	j += copy(d[j:], b.hdr[1])
	j = encodeInto(d, j, sig, &onceTable)
	j += copy(d[j:], b.hdr[2])
	j = encodeInto(d, j, timestamp, &onceTable)
	j += copy(d[j:], b.hdr[3])
	return h[:j]
}
