package oauth_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/dghubble/oauth1"

	"github.com/mwgen/mwgen/runtime/oauth"
)

// The benchmarks sign the same requests with our Transport and with
// dghubble/oauth1's Transport, each in front of a no-op base RoundTripper,
// with the same HMAC-SHA1 credentials and each library's default
// (crypto/rand) nonce. Building the *http.Request is part of every
// iteration, for both.

const benchGETURL = "https://en.wikipedia.org/w/api.php?action=query&prop=revisions&titles=Main%20Page" +
	"&rvprop=content%7Ctimestamp&rvslots=main&format=json&formatversion=2&errorformat=plaintext&maxlag=5&assert=user"

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

func benchTransports() (ours, theirs http.RoundTripper) {
	ours = &oauth.Transport{
		Signer: &oauth.Signer{
			Credentials: oauth.Credentials{
				ConsumerKey: "0123456789abcdef0123456789abcdef", ConsumerSecret: "fedcba9876543210fedcba9876543210fedcba98",
				Token: "abcdef0123456789abcdef0123456789", TokenSecret: "0123456789abcdef0123456789abcdef01234567",
			},
			Server: "https://en.wikipedia.org",
		},
		Base: noopRT{},
	}
	cfg := oauth1.NewConfig("0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210fedcba98")
	cfg.Noncer = oauth1.Base64Noncer{}
	ctx := context.WithValue(context.Background(), oauth1.HTTPClient, &http.Client{Transport: noopRT{}})
	theirs = cfg.Client(ctx, oauth1.NewToken("abcdef0123456789abcdef0123456789", "0123456789abcdef0123456789abcdef01234567")).Transport
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

func BenchmarkSignGET(b *testing.B) {
	ours, theirs := benchTransports()
	newReq := func() *http.Request {
		r, _ := http.NewRequest("GET", benchGETURL, nil)
		return r
	}
	b.Run("Ours", func(b *testing.B) { benchRoundTrip(b, ours, newReq) })
	b.Run("Dghubble", func(b *testing.B) { benchRoundTrip(b, theirs, newReq) })
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
}
