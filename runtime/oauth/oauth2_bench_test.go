package oauth_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	mw "github.com/mwgen/mwgen/runtime"
	"github.com/mwgen/mwgen/runtime/oauth"
)

// Client CPU per API request, through the whole runtime client (parameter
// encoding, the transport, the JSON answer decoded), with no network: the
// base RoundTripper answers a canned userinfo from memory. The three
// variants differ only in the transport: none (unsigned), OAuth 1.0a
// (HMAC-SHA1 signature, runtime/oauth.Transport) and OAuth 2.0 (a bearer
// header from the refreshing token source, OAuth2Transport).
//
//	go test ./runtime/oauth -run '^$' -bench 'APIRequest' -benchmem -count 5

const cannedUserinfo = `{"batchcomplete":true,"query":{"userinfo":{"id":1,"name":"Admin"}}}`

type cannedRT struct{}

func (cannedRT) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{
		StatusCode: 200, Request: r, ContentLength: int64(len(cannedUserinfo)),
		Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
		Body:   io.NopCloser(strings.NewReader(cannedUserinfo)),
	}, nil
}

func benchAPIClient(b *testing.B, rt http.RoundTripper) *mw.Client {
	b.Helper()
	c, err := mw.NewClient("https://en.wikipedia.org/w/api.php", mw.Options{
		HTTPClient: &http.Client{Transport: rt},
		UserAgent:  "mwgen-bench/1.0 (https://github.com/mwgen/mwgen)",
		AssertUser: true,
		Retry:      mw.RetryPolicy{MaxAttempts: 1},
	})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func benchAPIRequests(b *testing.B, rt http.RoundTripper, post bool) {
	c := benchAPIClient(b, rt)
	ctx := context.Background()
	text := strings.Repeat("Lorem ipsum dolor sit amet, ", 36) // ~1 KB form body with post
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := new(mw.Params)
		p.Text("meta", "userinfo")
		p.Text("uiprop", "groups|rights")
		if post {
			p.Text("text", text)
		}
		resp, err := c.Do(ctx, &mw.Request{Action: "query", Params: p, Post: post})
		if err != nil {
			b.Fatal(err)
		}
		_ = resp
	}
}

func oauth1BenchTransport() http.RoundTripper {
	return &oauth.Transport{
		Signer: &oauth.Signer{
			Credentials: oauth.Credentials{
				ConsumerKey: "0123456789abcdef0123456789abcdef", ConsumerSecret: "fedcba9876543210fedcba9876543210fedcba98",
				Token: "abcdef0123456789abcdef0123456789", TokenSecret: "0123456789abcdef0123456789abcdef01234567",
			},
			Server: "https://en.wikipedia.org",
		},
		Base: cannedRT{},
	}
}

func oauth2BenchTransport(b *testing.B) http.RoundTripper {
	// A JWT-sized access token (Extension:OAuth's are about 930 characters).
	src, err := oauth.NewOAuth2TokenSource(oauth.OAuth2SourceOptions{
		Config: oauth.OAuth2Config{REST: "https://en.wikipedia.org/w/rest.php", ClientID: "0123456789abcdef0123456789abcdef", ClientSecret: "s"},
		Token:  &oauth2.Token{AccessToken: "eyJ0" + strings.Repeat("x", 926), TokenType: "Bearer", RefreshToken: "r", Expiry: time.Now().Add(time.Hour)},
	})
	if err != nil {
		b.Fatal(err)
	}
	return &oauth.OAuth2Transport{Source: src, Base: cannedRT{}}
}

func BenchmarkAPIRequestUnsignedGET(b *testing.B) { benchAPIRequests(b, cannedRT{}, false) }
func BenchmarkAPIRequestOAuth1GET(b *testing.B)   { benchAPIRequests(b, oauth1BenchTransport(), false) }
func BenchmarkAPIRequestOAuth2GET(b *testing.B)   { benchAPIRequests(b, oauth2BenchTransport(b), false) }

func BenchmarkAPIRequestUnsignedPOST(b *testing.B) { benchAPIRequests(b, cannedRT{}, true) }
func BenchmarkAPIRequestOAuth1POST(b *testing.B)   { benchAPIRequests(b, oauth1BenchTransport(), true) }
func BenchmarkAPIRequestOAuth2POST(b *testing.B)   { benchAPIRequests(b, oauth2BenchTransport(b), true) }
