package oauth_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mwgen/mwgen/internal/testwiki"
	"github.com/mwgen/mwgen/runtime/oauth"
)

// The integration tests (here and in refresh_test.go) run against the test
// OAuth provider (internal/oauthprovider, checked by oauthlib) in front of a
// real MediaWiki (internal/testwiki).
func TestMain(m *testing.M) { testwiki.Main(m) }

// authParams parses an "OAuth k="v", ..." header.
func authParams(h string) map[string]string {
	m := map[string]string{}
	for _, item := range strings.Split(strings.TrimPrefix(h, "OAuth "), ", ") {
		k, v, _ := strings.Cut(item, "=")
		m[k], _ = url.PathUnescape(strings.Trim(v, `"`))
	}
	return m
}

// fakeOAuth is a minimal Special:OAuth for unit tests: it does not verify
// signatures (the provider tests do), but records what it got and answers
// what MediaWiki answers.
type fakeOAuth struct {
	srv *httptest.Server

	mu       sync.Mutex
	requests []*http.Request     // with Authorization
	auth     []map[string]string // parsed Authorization headers
	// initiate and token, when set, replace the answers.
	initiate, token, identify string
	identifyFn                func(auth map[string]string) string
	// issued request and access tokens
	rtoken, rsecret, verifier string
	access, accessSecret      string
	n                         int
}

func newFakeOAuth(t *testing.T) *fakeOAuth {
	f := &fakeOAuth{}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeOAuth) index() string { return f.srv.URL + "/w/index.php" }

func (f *fakeOAuth) config() oauth.Config {
	return oauth.Config{
		Index:    f.index(),
		Server:   f.srv.URL,
		Consumer: oauth.Credentials{ConsumerKey: "consumerkey", ConsumerSecret: "consumer-SECRET-1"},
	}
}

func (f *fakeOAuth) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := authParams(r.Header.Get("Authorization"))
	f.requests = append(f.requests, r)
	f.auth = append(f.auth, p)
	title := r.URL.Query().Get("title")
	switch {
	case r.URL.Path == "/w/index.php" && title == "Special:OAuth/initiate":
		if f.initiate != "" {
			io.WriteString(w, f.initiate)
			return
		}
		f.n++
		f.rtoken, f.rsecret = fmt.Sprintf("reqtoken%d", f.n), fmt.Sprintf("reqsecret-SECRET-%d", f.n)
		fmt.Fprintf(w, "oauth_token=%s&oauth_token_secret=%s&oauth_callback_confirmed=true", f.rtoken, f.rsecret)
	case r.URL.Path == "/w/index.php" && title == "Special:OAuth/token":
		if f.token != "" {
			io.WriteString(w, f.token)
			return
		}
		if p["oauth_token"] != f.rtoken || p["oauth_verifier"] != f.verifier {
			io.WriteString(w, "Error: Request token not found (E004)")
			return
		}
		f.access, f.accessSecret = "access"+f.rtoken, "access-SECRET-"+f.rtoken
		f.rtoken = "" // single use
		fmt.Fprintf(w, "oauth_token=%s&oauth_token_secret=%s", f.access, f.accessSecret)
	case r.URL.Path == "/w/index.php" && title == "Special:OAuth/identify":
		if f.identifyFn != nil {
			io.WriteString(w, f.identifyFn(p))
			return
		}
		io.WriteString(w, f.identify)
	default:
		http.NotFound(w, r)
	}
}

// approve plays the user: it returns the callback URL MediaWiki would
// redirect to.
func (f *fakeOAuth) approve() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.verifier = "verifier" + f.rtoken
	return f.index() + "?title=Special:OAuth/verified&oauth_verifier=" + f.verifier + "&oauth_token=" + f.rtoken
}

func (f *fakeOAuth) lastAuth() map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.auth[len(f.auth)-1]
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestInitiateAndAuthorizeURL(t *testing.T) {
	f := newFakeOAuth(t)
	cfg := f.config()
	rt, err := oauth.Initiate(ctxT(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if rt.Token != "reqtoken1" || rt.Secret != "reqsecret-SECRET-1" {
		t.Errorf("request token %+v", rt)
	}
	a := f.lastAuth()
	if a["oauth_callback"] != "oob" || a["oauth_consumer_key"] != "consumerkey" || a["oauth_token"] != "" {
		t.Errorf("initiate signed with %v; want oauth_callback=oob, the consumer key, no token", a)
	}
	if r := f.requests[0]; r.Method != http.MethodPost || r.URL.RawQuery != "title=Special:OAuth/initiate" {
		t.Errorf("initiate request %s %s", r.Method, r.URL)
	}
	want := f.index() + "?title=Special:OAuth/authorize&oauth_token=reqtoken1&oauth_consumer_key=consumerkey"
	if got := oauth.AuthorizeURL(cfg, rt); got != want {
		t.Errorf("AuthorizeURL = %q, want %q", got, want)
	}
	if s := fmt.Sprintf("%v %+v %#v %s", rt, rt, rt, rt); strings.Contains(s, rt.Secret) {
		t.Errorf("RequestToken prints its secret: %s", s)
	}

	// A registered callback prefix is sent as is.
	cfg.Callback = "https://tool.example/callback"
	if _, err := oauth.Initiate(ctxT(t), cfg); err != nil {
		t.Fatal(err)
	}
	if a := f.lastAuth(); a["oauth_callback"] != cfg.Callback {
		t.Errorf("oauth_callback %q", a["oauth_callback"])
	}

	f.initiate = "oauth_token=t&oauth_token_secret=s"
	if _, err := oauth.Initiate(ctxT(t), cfg); !errors.Is(err, oauth.ErrCallbackNotConfirmed) {
		t.Errorf("no oauth_callback_confirmed: %v", err)
	}
}

func TestCompleteInputForms(t *testing.T) {
	for _, form := range []string{"url", "query", "query?", "verifier", "verified page URL with spaces"} {
		t.Run(form, func(t *testing.T) {
			f := newFakeOAuth(t)
			cfg := f.config()
			rt, err := oauth.Initiate(ctxT(t), cfg)
			if err != nil {
				t.Fatal(err)
			}
			cbURL := f.approve()
			u, _ := url.Parse(cbURL)
			var cb string
			switch form {
			case "url":
				cb = cbURL
			case "query":
				cb = "oauth_verifier=" + u.Query().Get("oauth_verifier") + "&oauth_token=" + rt.Token
			case "query?":
				cb = "?oauth_token=" + rt.Token + "&oauth_verifier=" + u.Query().Get("oauth_verifier")
			case "verifier":
				cb = u.Query().Get("oauth_verifier")
			default:
				cb = "  " + cbURL + "\n"
			}
			creds, err := oauth.Complete(ctxT(t), cfg, rt, cb)
			if err != nil {
				t.Fatal(err)
			}
			if creds.Token != f.access || creds.TokenSecret != f.accessSecret || creds.ConsumerKey != "consumerkey" || creds.ConsumerSecret != cfg.Consumer.ConsumerSecret {
				t.Errorf("credentials %v", creds)
			}
			a := f.lastAuth()
			if a["oauth_token"] != rt.Token || a["oauth_verifier"] != f.verifier {
				t.Errorf("token request signed with %v", a)
			}
		})
	}
}

func TestCompleteRefusesMismatchAndGarbage(t *testing.T) {
	f := newFakeOAuth(t)
	cfg := f.config()
	rt, err := oauth.Initiate(ctxT(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.approve()
	before := len(f.requests)
	cases := map[string]error{
		f.index() + "?title=Special:OAuth/verified&oauth_verifier=v&oauth_token=someoneelse": oauth.ErrTokenMismatch,
		"oauth_verifier=v&oauth_token=someoneelse":                                           oauth.ErrTokenMismatch,
		"oauth_verifier=v":        oauth.ErrTokenMismatch, // no token in a query
		"oauth_token=" + rt.Token: oauth.ErrNoVerifier,
		"":                        oauth.ErrNoVerifier,
	}
	for cb, want := range cases {
		if _, err := oauth.Complete(ctxT(t), cfg, rt, cb); !errors.Is(err, want) {
			t.Errorf("Complete(%q) = %v, want %v", cb, err, want)
		}
	}
	if _, err := oauth.Complete(ctxT(t), cfg, rt, "not a verifier!"); err == nil {
		t.Error("Complete accepted garbage")
	}
	if len(f.requests) != before {
		t.Errorf("refused callbacks reached the wiki")
	}
}

func TestProviderErrors(t *testing.T) {
	cases := []struct {
		body, code, msg string
	}{
		{`Error: oauth_callback must be set, and must be set to &quot;oob&quot; (case-sensitive)`, "",
			`oauth_callback must be set, and must be set to "oob" (case-sensitive)`},
		{"Error: Request token already used. Restart the authorization process. " +
			`(<a rel="nofollow" class="external text" href="https://www.mediawiki.org/wiki/Special:MyLanguage/Help:OAuth/Errors#E009">E009</a>)`,
			"E009", "Request token already used. Restart the authorization process. (E009)"},
		{`Error: &quot;App&quot; is an owner-only Connected App. &lt;a href=&quot;https://www.mediawiki.org/wiki/Help:OAuth/Errors#E010&quot;&gt;E010&lt;/a&gt;` + "\n",
			"E010", `"App" is an owner-only Connected App. E010`},
		{`{"error":"mwoauth-invalid-authorization-wrong-wiki","message":"The authorization headers in your request are not valid for metawiki"}`,
			"mwoauth-invalid-authorization-wrong-wiki", "The authorization headers in your request are not valid for metawiki"},
	}
	for _, tc := range cases {
		f := newFakeOAuth(t)
		f.initiate = tc.body
		_, err := oauth.Initiate(ctxT(t), f.config())
		var pe *oauth.ProviderError
		if !errors.As(err, &pe) {
			t.Errorf("%q: %v is not a *ProviderError", tc.body, err)
			continue
		}
		if pe.Code != tc.code || pe.Message != tc.msg || pe.Endpoint != "initiate" {
			t.Errorf("%q:\n got %+v\nwant Code %q Message %q", tc.body, *pe, tc.code, tc.msg)
		}
		if !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("Error() %q lacks the message", err)
		}
	}

	// Complete surfaces the wiki's message too (dghubble/oauth1 loses it).
	f := newFakeOAuth(t)
	rt, err := oauth.Initiate(ctxT(t), f.config())
	if err != nil {
		t.Fatal(err)
	}
	f.token = "Error: Request token already used. (E009)"
	_, err = oauth.Complete(ctxT(t), f.config(), rt, "verifier")
	var pe *oauth.ProviderError
	if !errors.As(err, &pe) || pe.Code != "E009" || pe.Endpoint != "token" {
		t.Errorf("Complete: %v", err)
	}
}

func TestHandshakeRefusesRedirects(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://elsewhere.example/w/index.php?title=Special:OAuth/initiate", http.StatusMovedPermanently)
	}))
	defer srv.Close()
	_, err := oauth.Initiate(ctxT(t), oauth.Config{Index: srv.URL + "/w/index.php", Consumer: oauth.Credentials{ConsumerKey: "k", ConsumerSecret: "s"}})
	if err == nil || !strings.Contains(err.Error(), "redirect") {
		t.Errorf("redirect: %v", err)
	}
	for _, bad := range []string{"", "/w/index.php", "ftp://x/index.php", "https://x/w/index.php?title=x"} {
		if _, err := oauth.Initiate(ctxT(t), oauth.Config{Index: bad, Consumer: oauth.Credentials{ConsumerKey: "k", ConsumerSecret: "s"}}); err == nil {
			t.Errorf("Index %q accepted", bad)
		}
	}
}

func TestOwnerOnly(t *testing.T) {
	c := oauth.OwnerOnly("ck", "cs-SECRET", "at", "as-SECRET")
	if c.ConsumerKey != "ck" || c.ConsumerSecret != "cs-SECRET" || c.Token != "at" || c.TokenSecret != "as-SECRET" || c.PrivateKey != nil {
		t.Errorf("OwnerOnly = %v", c)
	}
}
