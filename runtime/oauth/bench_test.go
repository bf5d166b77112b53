package oauth_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dghubble/oauth1"

	"github.com/mwgen/mwgen/runtime/oauth"
)

// The signing benchmarks sign the same requests with our Transport and
// with dghubble/oauth1's Transport, each in front of a no-op base
// RoundTripper, with the same HMAC-SHA1 credentials and each library's
// default (crypto/rand) nonce. Building the *http.Request is part of every
// iteration, for both; the NewRequest sub-benchmark measures that part
// alone. Beside them, in the same run, the floor: HMAC-SHA1 of the very
// base string our Signer signs, keyed per call (hmac.New, what any signer
// without per-key state pays) and keyed once (Reset), and dghubble's
// HMACSigner.Sign, which our Signer calls. bench/signing.sh runs them and
// prints the ratios.

const (
	benchConsumerKey    = "0123456789abcdef0123456789abcdef"
	benchConsumerSecret = "fedcba9876543210fedcba9876543210fedcba98"
	benchToken          = "abcdef0123456789abcdef0123456789"
	benchTokenSecret    = "0123456789abcdef0123456789abcdef01234567"
)

// benchGETURL has 8 parameters besides the oauth_* ones.
const benchGETURL = "https://en.wikipedia.org/w/api.php?action=query&prop=revisions&titles=Main%20Page" +
	"&rvprop=content%7Ctimestamp&rvslots=main&format=json&formatversion=2&maxlag=5"

// benchPOSTBody is a ~1 KB action=edit form body.
var benchPOSTBody = func() string {
	v := url.Values{}
	v.Set("action", "edit")
	v.Set("title", "Sandbox")
	v.Set("summary", "benchmark edit")
	v.Set("format", "json")
	v.Set("formatversion", "2")
	v.Set("token", "d41d8cd98f00b204e9800998ecf8427e+\\")
	head := len(v.Encode())
	v.Set("text", strings.Repeat("Lorem ipsum dolor sit amet, ", 40)[:1024-head-len("&text=")-120])
	return v.Encode()
}()

type noopRT struct{}

func (noopRT) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Body: http.NoBody, Request: r}, nil
}

func benchSigner() *oauth.Signer {
	return &oauth.Signer{
		Credentials: oauth.Credentials{
			ConsumerKey: benchConsumerKey, ConsumerSecret: benchConsumerSecret,
			Token: benchToken, TokenSecret: benchTokenSecret,
		},
		Server: "https://en.wikipedia.org",
	}
}

func benchTransports() (ours, theirs http.RoundTripper) {
	ours = &oauth.Transport{Signer: benchSigner(), Base: noopRT{}}
	cfg := oauth1.NewConfig(benchConsumerKey, benchConsumerSecret)
	cfg.Noncer = oauth1.Base64Noncer{}
	ctx := context.WithValue(context.Background(), oauth1.HTTPClient, &http.Client{Transport: noopRT{}})
	theirs = cfg.Client(ctx, oauth1.NewToken(benchToken, benchTokenSecret)).Transport
	return ours, theirs
}

func benchRoundTrip(b *testing.B, rt http.RoundTripper, newReq func() *http.Request) {
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		resp, err := rt.RoundTrip(newReq())
		if err != nil {
			b.Fatal(err)
		}
		if resp.Request.Header.Get("Authorization") == "" {
			b.Fatal("not signed")
		}
	}
}

// benchBaseString returns the base string our Signer signs for the
// request newReq builds (with a fixed nonce and timestamp, of the same
// lengths as the defaults).
func benchBaseString(b *testing.B, newReq func() *http.Request) string {
	s := benchSigner()
	s.Nonce = func() string { return "0123456789abcdef0123456789abcdef" }
	s.Clock = func() time.Time { return time.Unix(1700000000, 0) }
	req := newReq()
	if _, err := s.Sign(req); err != nil {
		b.Fatal(err)
	}
	params := authParams(req.Header.Get("Authorization"))
	delete(params, "oauth_signature")
	body := ""
	if req.GetBody != nil {
		rc, _ := req.GetBody()
		data, err := io.ReadAll(rc)
		if err != nil {
			b.Fatal(err)
		}
		body = string(data)
	}
	base, err := oauth.BaseString(req.Method, req.URL.String(), s.Server, req.Header.Get("Content-Type"), []byte(body), params)
	if err != nil {
		b.Fatal(err)
	}
	return base
}

// benchFloor runs, beside a signing benchmark, what signing cannot go
// below: building the request, and HMAC-SHA1 of the base string.
func benchFloor(b *testing.B, newReq func() *http.Request) {
	base := benchBaseString(b, newReq)
	b.Logf("base string: %d bytes", len(base))
	key := []byte(benchConsumerSecret + "&" + benchTokenSecret) // no byte to escape
	msg := []byte(base)
	b.Run("OursSignerOnly", func(b *testing.B) {
		// Signer.Sign on one request built beforehand (it replaces its
		// Authorization header each time): no request to build or copy.
		s := benchSigner()
		req := newReq()
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if _, err := s.Sign(req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("NewRequest", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if newReq() == nil {
				b.Fatal("no request")
			}
		}
	})
	b.Run("HMACKeyedPerCall", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			mac := hmac.New(sha1.New, key)
			mac.Write(msg)
			var sum [sha1.Size]byte
			if base64.StdEncoding.EncodeToString(mac.Sum(sum[:0])) == "" {
				b.Fatal("empty")
			}
		}
	})
	b.Run("HMACKeyedOnce", func(b *testing.B) {
		b.ReportAllocs()
		mac := hmac.New(sha1.New, key)
		var out [28]byte
		for range b.N {
			mac.Reset()
			mac.Write(msg)
			var sum [sha1.Size]byte
			base64.StdEncoding.Encode(out[:], mac.Sum(sum[:0]))
		}
	})
	b.Run("DghubbleHMACSigner", func(b *testing.B) {
		b.ReportAllocs()
		s := &oauth1.HMACSigner{ConsumerSecret: benchConsumerSecret}
		for range b.N {
			if sig, err := s.Sign(benchTokenSecret, base); err != nil || sig == "" {
				b.Fatal(sig, err)
			}
		}
	})
}

func BenchmarkSignGET(b *testing.B) {
	ours, theirs := benchTransports()
	newReq := func() *http.Request {
		r, _ := http.NewRequest("GET", benchGETURL, nil)
		return r
	}
	b.Run("Ours", func(b *testing.B) { benchRoundTrip(b, ours, newReq) })
	b.Run("Dghubble", func(b *testing.B) { benchRoundTrip(b, theirs, newReq) })
	benchFloor(b, newReq)
}

func BenchmarkSignPOST1K(b *testing.B) {
	if n := len(benchPOSTBody); n < 900 || n > 1100 {
		b.Fatalf("body is %d bytes", n)
	}
	ours, theirs := benchTransports()
	newReq := func() *http.Request {
		r, _ := http.NewRequest("POST", "https://en.wikipedia.org/w/api.php", strings.NewReader(benchPOSTBody))
		// Exactly this value: dghubble signs the body only then.
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	b.Run("Ours", func(b *testing.B) { benchRoundTrip(b, ours, newReq) })
	b.Run("Dghubble", func(b *testing.B) { benchRoundTrip(b, theirs, newReq) })
	benchFloor(b, newReq)
}
