package weblogin

// A fake wiki (Special:OAuth pages and a bit of api.php) for the unit
// tests, and a small cookie-keeping "browser" that drives a handler
// in-process. It checks no signature: the integration tests do that with
// the oauthlib provider in front of the real wiki.

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/mwgen/mwgen/runtime/oauth"
)

const (
	fakeKey     = "c0nsumerkey0000000000000000000aa"
	fakeSecret  = "c0nsumersecret00000000000000000bb"
	appCallback = "http://app.test/oauth-callback"
)

type fakeRT struct {
	secret, callback, verifier string
	used                       bool
}

type fakeWiki struct {
	srv *httptest.Server

	mu         sync.Mutex
	n          int
	reqTokens  map[string]*fakeRT
	access     map[string]string // token -> secret
	tokenCalls int
	failToken  bool
	apiTokens  []string // oauth_token of each signed api.php request
	user       string
	groups     []string
}

func newFakeWiki(t *testing.T) *fakeWiki {
	t.Helper()
	f := &fakeWiki{reqTokens: map[string]*fakeRT{}, access: map[string]string{}, user: "Alice", groups: []string{"*", "user", "autoconfirmed"}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeWiki) api() string { return f.srv.URL + "/api.php" }

var headerParamRE = regexp.MustCompile(`(oauth_[a-z_]+)="([^"]*)"`)

func headerParams(r *http.Request) map[string]string {
	m := map[string]string{}
	for _, p := range headerParamRE.FindAllStringSubmatch(r.Header.Get("Authorization"), -1) {
		v, _ := url.PathUnescape(p[2])
		m[p[1]] = v
	}
	return m
}

func (f *fakeWiki) newToken(prefix string) string {
	f.n++
	return fmt.Sprintf("%s%029d", prefix, f.n)
}

func (f *fakeWiki) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := headerParams(r)
	q := r.URL.Query()
	switch {
	case r.URL.Path == "/api.php" && q.Get("meta") == "siteinfo":
		fmt.Fprintf(w, `{"query":{"general":{"server":%q,"script":"/index.php"}}}`, f.srv.URL)
	case r.URL.Path == "/api.php":
		tok := p["oauth_token"]
		f.apiTokens = append(f.apiTokens, tok)
		if _, ok := f.access[tok]; !ok {
			w.Header().Set("MediaWiki-API-Error", "mwoauth-invalid-authorization")
			fmt.Fprintf(w, `{"errors":[{"code":"mwoauth-invalid-authorization","text":"The authorization headers in your request are not valid: Invalid access token: %s","module":"main"}]}`, tok)
			return
		}
		fmt.Fprintf(w, `{"batchcomplete":true,"query":{"userinfo":{"id":1,"name":%q}}}`, f.user)
	case r.URL.Path == "/index.php":
		if p["oauth_consumer_key"] != fakeKey {
			fmt.Fprint(w, "Error: Invalid consumer key (E006)")
			return
		}
		switch q.Get("title") {
		case "Special:OAuth/initiate":
			tok := f.newToken("rt")
			f.reqTokens[tok] = &fakeRT{secret: f.newToken("rs"), callback: p["oauth_callback"]}
			fmt.Fprintf(w, "oauth_token=%s&oauth_token_secret=%s&oauth_callback_confirmed=true", tok, f.reqTokens[tok].secret)
		case "Special:OAuth/token":
			f.tokenCalls++
			rt := f.reqTokens[p["oauth_token"]]
			switch {
			case f.failToken:
				fmt.Fprint(w, "Error: something went wrong (E004)")
			case rt == nil:
				fmt.Fprint(w, "Error: Request token not found (E004)")
			case rt.used:
				fmt.Fprint(w, "Error: Request token already used (E009)")
			case rt.verifier == "" || rt.verifier != p["oauth_verifier"]:
				fmt.Fprint(w, "Error: bad verifier")
			default:
				rt.used = true
				at, as := f.newToken("at"), f.newToken("as")
				f.access[at] = as
				fmt.Fprintf(w, "oauth_token=%s&oauth_token_secret=%s", at, as)
			}
		case "Special:OAuth/identify":
			if _, ok := f.access[p["oauth_token"]]; !ok {
				fmt.Fprintf(w, `{"error":"mwoauthdatastore-access-token-not-found","message":"Invalid access token: %s"}`, p["oauth_token"])
				return
			}
			now := time.Now()
			tok := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
				"iss": f.srv.URL, "aud": fakeKey, "sub": "1", "iat": now.Unix(), "exp": now.Add(100 * time.Second).Unix(),
				"nonce": p["oauth_nonce"], "username": f.user, "groups": f.groups, "rights": []string{"read", "edit"},
				"grants": []string{"basic", "editpage"}, "editcount": 3,
			})
			s, err := tok.SignedString([]byte(fakeSecret))
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			json.NewEncoder(w).Encode(s)
		default:
			http.NotFound(w, r)
		}
	default:
		http.NotFound(w, r)
	}
}

// approve approves a request token and returns the callback URL the wiki
// redirects to.
func (f *fakeWiki) approve(t *testing.T, token string) string {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	rt := f.reqTokens[token]
	if rt == nil {
		t.Fatalf("fake wiki: unknown request token %q", token)
	}
	rt.verifier = f.newToken("v")
	return rt.callback + "?" + url.Values{"oauth_verifier": {rt.verifier}, "oauth_token": {token}}.Encode()
}

func (f *fakeWiki) revoke(token string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.access, token)
}

func (f *fakeWiki) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokenCalls
}

// newTestHandler returns a Handler for the fake wiki.
func newTestHandler(t *testing.T, f *fakeWiki, mod func(*Config)) *Handler {
	t.Helper()
	cfg := Config{
		API:       f.api(),
		Consumer:  oauth.Credentials{ConsumerKey: fakeKey, ConsumerSecret: fakeSecret},
		Callback:  appCallback,
		UserAgent: "mwgen-weblogin-test/1.0",
	}
	if mod != nil {
		mod(&cfg)
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// browser keeps cookies like a browser and sends requests to a handler
// in-process.
type browser struct {
	t       *testing.T
	h       http.Handler
	cookies map[string]string
	seen    []*http.Cookie // every Set-Cookie received
	tls     bool
}

func newBrowser(t *testing.T, h http.Handler) *browser {
	return &browser{t: t, h: h, cookies: map[string]string{}}
}

// get requests target, a path with an optional query, or an absolute
// http://app.test URL.
func (b *browser) get(target string) *http.Response {
	b.t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		b.t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "http://app.test/", nil)
	req.URL.Path, req.URL.RawQuery = u.Path, u.RawQuery
	req.RequestURI = u.RequestURI()
	return b.do(req)
}

// getRaw requests path with a raw (unchecked) query string.
func (b *browser) getRaw(path, rawQuery string) *http.Response {
	req := httptest.NewRequest(http.MethodGet, "http://app.test/", nil)
	req.URL.Path, req.URL.RawQuery = path, rawQuery
	return b.do(req)
}

func (b *browser) do(req *http.Request) *http.Response {
	if b.tls {
		req.TLS = &tlsState
	}
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	rec := httptest.NewRecorder()
	b.h.ServeHTTP(rec, req)
	resp := rec.Result()
	for _, c := range resp.Cookies() {
		b.seen = append(b.seen, c)
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return resp
}

func (b *browser) session() string { return b.cookies[DefaultCookieName] }

var (
	csrfFieldRE = regexp.MustCompile(`name="csrf" value="([^"]*)"`)
	nextFieldRE = regexp.MustCompile(`name="next" value="([^"]*)"`)
)

// logout logs out as a user does: GET /logout?next=NEXT shows the
// confirmation page (when logged in), whose button POSTs its csrf and
// next. The answer of that POST (or of the GET, when it redirected) is
// returned.
func (b *browser) logout(next string) *http.Response {
	b.t.Helper()
	target := "/logout"
	if next != "" {
		target += "?next=" + url.QueryEscape(next)
	}
	resp := b.get(target)
	if resp.StatusCode != http.StatusOK {
		return resp
	}
	page := body(resp)
	csrf, nv := csrfFieldRE.FindStringSubmatch(page), nextFieldRE.FindStringSubmatch(page)
	if csrf == nil || nv == nil {
		b.t.Fatalf("logout page has no csrf or next field:\n%s", page)
	}
	form := url.Values{"csrf": {html.UnescapeString(csrf[1])}, "next": {html.UnescapeString(nv[1])}}
	req := httptest.NewRequest(http.MethodPost, "http://app.test/logout", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// login runs /login?next=next on the fake wiki up to the callback URL
// (not yet visited), and returns it with the request token.
func (b *browser) startLogin(f *fakeWiki, next string) (callbackURL, token string) {
	b.t.Helper()
	target := "/login"
	if next != "" {
		target += "?next=" + url.QueryEscape(next)
	}
	resp := b.get(target)
	token = authorizeToken(b.t, resp)
	return f.approve(b.t, token), token
}

// authorizeToken checks that resp redirects to Special:OAuth/authorize
// and returns its oauth_token.
func authorizeToken(t *testing.T, resp *http.Response) string {
	t.Helper()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("/login: status %d, want 303: %s", resp.StatusCode, body(resp))
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("title") != "Special:OAuth/authorize" || loc.Query().Get("oauth_token") == "" {
		t.Fatalf("/login redirects to %q, want Special:OAuth/authorize with oauth_token", resp.Header.Get("Location"))
	}
	return loc.Query().Get("oauth_token")
}

// loginFake runs a whole login on the fake wiki and returns the callback's
// answer.
func (b *browser) loginFake(f *fakeWiki, next string) *http.Response {
	b.t.Helper()
	cb, _ := b.startLogin(f, next)
	return b.get(cb)
}

func body(resp *http.Response) string {
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// tlsState marks a request as received over TLS.
var tlsState tls.ConnectionState

// request returns a GET request carrying b's cookies, for calling the
// Handler's methods directly.
func (b *browser) request() *http.Request {
	req := httptest.NewRequest(http.MethodGet, "http://app.test/", nil)
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	return req
}

func credsForTest() oauth.Credentials {
	return oauth.Credentials{ConsumerKey: fakeKey, ConsumerSecret: fakeSecret}
}
