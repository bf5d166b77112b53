package oauth

import (
	"crypto/sha1"
	"encoding/base64"
	"hash"
	"sync"
)

// Our own HMAC-SHA1 signer, in place of dghubble/oauth1's HMACSigner.
//
// Why: issue 14 asks signing to cost about what the HMAC costs. Measured
// beside each other (bench/signing.sh, BenchmarkSignGET), HMACSigner.Sign
// alone took 1.41 µs and 15 allocations for a 300-byte base string, the
// whole allocation budget of a signed GET, against 0.43 µs and 1 for the
// HMAC-SHA1 of the same string: it percent-encodes both secrets through
// fmt, joins them, builds a fresh crypto/hmac (two SHA-1 states and two
// key pads), copies the message into a []byte and base64-encodes into a
// new string. The same RFC 2104 computation over pooled SHA-1 states,
// with the key built on the stack and the signature appended where it is
// written, allocates nothing.
//
// It is byte for byte HMACSigner: TestHMACMatchesDghubble, the oauthlib
// vectors (TestGoldenVectors) and FuzzHMACMatchesDghubble over arbitrary
// secrets and messages. RSA-SHA1 stays dghubble's RSASigner.

// hmacState is a pair of SHA-1 states and the buffers an HMAC needs, so
// that no slice of a local array escapes through hash.Hash's methods.
type hmacState struct {
	inner, outer hash.Hash
	pad          [sha1.BlockSize]byte
	sum          [sha1.Size]byte
}

// hmacStates recycles hmacStates between signatures; each is used by one
// goroutine at a time, and holds no key between uses (it is re-keyed
// every time), so concurrent signers with different secrets share it
// safely.
var hmacStates = sync.Pool{New: func() any {
	return &hmacState{inner: sha1.New(), outer: sha1.New()}
}}

// hmacSigLen is the length of a base64-encoded HMAC-SHA1.
var hmacSigLen = base64.StdEncoding.EncodedLen(sha1.Size)

// appendHMACSHA1 appends the OAuth 1.0a HMAC-SHA1 signature of msg to
// dst: base64 of HMAC-SHA1 with the key
// percentEncode(consumerSecret) + "&" + percentEncode(tokenSecret).
func appendHMACSHA1(dst []byte, consumerSecret, tokenSecret string, msg []byte) []byte {
	var keyBuf [2 * sha1.BlockSize]byte
	key := appendPercentEncoded(keyBuf[:0], consumerSecret)
	key = append(key, '&')
	key = appendPercentEncoded(key, tokenSecret)
	var k0 [sha1.BlockSize]byte
	if len(key) > sha1.BlockSize {
		sum := sha1.Sum(key)
		copy(k0[:], sum[:])
	} else {
		copy(k0[:], key)
	}

	st := hmacStates.Get().(*hmacState)
	for i, b := range k0 {
		st.pad[i] = b ^ 0x36
	}
	st.inner.Reset()
	st.inner.Write(st.pad[:])
	st.inner.Write(msg)
	inner := st.inner.Sum(st.sum[:0])
	for i, b := range k0 {
		st.pad[i] = b ^ 0x5c
	}
	st.outer.Reset()
	st.outer.Write(st.pad[:])
	st.outer.Write(inner)
	mac := st.outer.Sum(st.sum[:0])
	dst = base64.StdEncoding.AppendEncode(dst, mac)
	hmacStates.Put(st)
	return dst
}
