package weblogin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mwgen/mwgen/runtime"
)

var sessionIDRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// stored returns the session the store holds for a cookie value.
func stored(t *testing.T, h *Handler, cookieID string) (*Session, error) {
	t.Helper()
	return h.store.Get(context.Background(), storeKey(cookieID))
}

func userinfoName(t *testing.T, c *runtime.Client) (string, error) {
	t.Helper()
	p := new(runtime.Params)
	p.Text("meta", "userinfo")
	resp, err := c.Do(context.Background(), &runtime.Request{Action: "query", Params: p})
	if err != nil {
		return "", err
	}
	var r struct {
		Query struct {
			Userinfo struct{ Name string } `json:"userinfo"`
		} `json:"query"`
	}
	if err := resp.Decode(&r); err != nil {
		return "", err
	}
	return r.Query.Userinfo.Name, nil
}

// TestLoginFlow: login → callback → the user, in the store and the
// context, a signed client, logout.
func TestLoginFlow(t *testing.T) {
	f := newFakeWiki(t)
	h := newTestHandler(t, f, nil)
	b := newBrowser(t, h)

	resp := b.get("/login?next=" + url.QueryEscape("/dest?x=1"))
	tok := authorizeToken(t, resp)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if loc.Query().Get("oauth_consumer_key") != fakeKey || !strings.HasPrefix(loc.String(), f.srv.URL+"/index.php?") {
		t.Errorf("authorize URL %s", loc)
	}
	if got := resp.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q", got)
	}
	preID := b.session()
	if !sessionIDRE.MatchString(preID) {
		t.Fatalf("session cookie %q is not 64 hex digits", preID)
	}
	// The pending handshake is on the server, with next.
	s, err := stored(t, h, preID)
	if err != nil || len(s.Pending) != 1 || s.Pending[0].Token != tok || s.Pending[0].Next != "/dest?x=1" || s.Pending[0].Secret == "" {
		t.Fatalf("stored pending session %v, %v", s, err)
	}
	if s.LoggedIn() {
		t.Fatal("logged in before the callback")
	}
	if u, err := h.CurrentUser(b.request(), true); u != nil || !errors.Is(err, ErrNotLoggedIn) {
		t.Fatalf("CurrentUser before the callback: %v, %v", u, err)
	}
	// The consumer was asked for our callback.
	f.mu.Lock()
	gotCB := f.reqTokens[tok].callback
	f.mu.Unlock()
	if gotCB != appCallback {
		t.Errorf("oauth_callback %q, want %q", gotCB, appCallback)
	}

	resp = b.get(f.approve(t, tok))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/dest?x=1" {
		t.Fatalf("callback: %d to %q: %s", resp.StatusCode, resp.Header.Get("Location"), body(resp))
	}
	u, err := h.CurrentUser(b.request(), true)
	if err != nil || u.Name != "Alice" || !u.HasGroup("autoconfirmed") || !u.HasGrant("editpage") || !u.HasRight("edit") || u.Wiki != f.srv.URL {
		t.Fatalf("CurrentUser: %+v, %v", u, err)
	}
	u, err = h.CurrentUser(b.request(), false)
	if err != nil || u.Name != "Alice" || u.EditCount != 3 {
		t.Fatalf("CurrentUser(false): %+v, %v", u, err)
	}

	// Middleware and UserFromContext.
	var seen *User
	var csrf string
	mw := h.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = UserFromContext(r.Context())
		csrf = h.CSRFToken(r)
		if !h.ValidCSRF(r, csrf) || h.ValidCSRF(r, "") || h.ValidCSRF(r, strings.Repeat("0", 64)) {
			t.Error("ValidCSRF")
		}
	}))
	mw.ServeHTTP(httptest.NewRecorder(), b.request())
	if seen == nil || seen.Name != "Alice" || !sessionIDRE.MatchString(csrf) {
		t.Fatalf("UserFromContext %+v, CSRF %q", seen, csrf)
	}
	anon := httptest.NewRequest(http.MethodGet, "/", nil)
	mw = h.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if UserFromContext(r.Context()) != nil || h.CSRFToken(r) != "" || h.ValidCSRF(r, "") {
			t.Error("a request without cookie has a user or a CSRF token")
		}
	}))
	mw.ServeHTTP(httptest.NewRecorder(), anon)

	// A signed client for the home wiki.
	c, err := h.Client(b.request())
	if err != nil {
		t.Fatal(err)
	}
	if name, err := userinfoName(t, c); err != nil || name != "Alice" {
		t.Fatalf("userinfo through Client: %q, %v", name, err)
	}
	s, _ = stored(t, h, b.session())
	f.mu.Lock()
	lastTok := f.apiTokens[len(f.apiTokens)-1]
	f.mu.Unlock()
	if lastTok != s.AccessToken {
		t.Errorf("the API request was signed with token %q, want the user's %q", lastTok, s.AccessToken)
	}

	// Logout.
	id := b.session()
	resp = b.logout("/")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("logout: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if b.session() != "" {
		t.Error("the cookie survived the logout")
	}
	if _, err := stored(t, h, id); !errors.Is(err, ErrNoSession) {
		t.Errorf("the server-side session survived the logout: %v", err)
	}
	// The old cookie, replayed, is worth nothing.
	b.cookies[DefaultCookieName] = id
	if u, err := h.CurrentUser(b.request(), true); u != nil || !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("CurrentUser with the logged-out cookie: %v, %v", u, err)
	}
	if _, err := h.Client(b.request()); !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("Client with the logged-out cookie: %v", err)
	}
}

// TestLogoutDeletesSession: /logout removes the server-side session (not
// only the cookie), and its Set-Cookie expires the cookie.
func TestLogoutDeletesSession(t *testing.T) {
	f := newFakeWiki(t)
	store := NewMemoryStore()
	h := newTestHandler(t, f, func(c *Config) { c.Store = store })
	b := newBrowser(t, h)
	b.loginFake(f, "/")
	id := b.session()
	if store.Len() != 1 {
		t.Fatalf("store holds %d sessions, want 1", store.Len())
	}
	// A stolen copy of the cookie.
	thief := newBrowser(t, h)
	thief.cookies[DefaultCookieName] = id
	if _, err := h.CurrentUser(thief.request(), true); err != nil {
		t.Fatal(err)
	}
	resp := b.logout("")
	var cleared bool
	for _, c := range resp.Cookies() {
		if c.Name == DefaultCookieName && c.MaxAge < 0 && c.Value == "" {
			cleared = true
		}
	}
	if !cleared {
		t.Errorf("logout does not expire the cookie: %v", resp.Header["Set-Cookie"])
	}
	if store.Len() != 0 {
		t.Errorf("store holds %d sessions after logout", store.Len())
	}
	if _, err := h.CurrentUser(thief.request(), true); !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("the stolen cookie still works after logout: %v", err)
	}
	// POST logout works too, and logging out twice is fine.
	req := httptest.NewRequest(http.MethodPost, "http://app.test/logout", nil)
	if resp := b.do(req); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("POST /logout: %d", resp.StatusCode)
	}
}

// TestCallbackStateMismatch: a callback whose oauth_token is not a pending
// request token of this browser's session is refused: another session's,
// an unknown one, none, no cookie.
func TestCallbackStateMismatch(t *testing.T) {
	f := newFakeWiki(t)
	h := newTestHandler(t, f, nil)
	victim := newBrowser(t, h)
	attacker := newBrowser(t, h)

	victim.startLogin(f, "/")
	attackerCB, _ := attacker.startLogin(f, "/") // the attacker's own, approved

	// Login CSRF: the victim is sent to the attacker's callback.
	resp := victim.get(attackerCB)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("the victim's session accepted the attacker's callback: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if u, err := h.CurrentUser(victim.request(), true); u != nil || err == nil {
		t.Fatalf("victim logged in as %v", u)
	}
	if f.calls() != 0 {
		t.Errorf("Special:OAuth/token was called %d times for a mismatched callback", f.calls())
	}

	// A made-up token, and the right token with a tampered one.
	cbURL, _ := url.Parse(attackerCB)
	q := cbURL.Query()
	for _, tok := range []string{"rt00000000000000000000000000099", "", q.Get("oauth_token") + "x"} {
		resp := attacker.get("/oauth-callback?" + url.Values{"oauth_token": {tok}, "oauth_verifier": {q.Get("oauth_verifier")}}.Encode())
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("callback with oauth_token %q: %d", tok, resp.StatusCode)
		}
	}
	// No verifier.
	if resp := attacker.get("/oauth-callback?oauth_token=" + q.Get("oauth_token")); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("callback without verifier: %d", resp.StatusCode)
	}
	// No cookie at all.
	if resp := newBrowser(t, h).get(attackerCB); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("callback without a session: %d", resp.StatusCode)
	}
	// A forged cookie.
	forged := newBrowser(t, h)
	forged.cookies[DefaultCookieName] = strings.Repeat("ab", 32)
	if resp := forged.get(attackerCB); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("callback with a forged session id: %d", resp.StatusCode)
	}
	if f.calls() != 0 {
		t.Errorf("Special:OAuth/token was called %d times", f.calls())
	}

	// The refusals did not consume the attacker's own pending login.
	if resp := attacker.get(attackerCB); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the legitimate callback: %d: %s", resp.StatusCode, body(resp))
	}
	if u, err := h.CurrentUser(attacker.request(), true); err != nil || u.Name != "Alice" {
		t.Fatalf("CurrentUser: %v %v", u, err)
	}
}

// TestCallbackReplay: a callback URL works once; the pending token is gone
// before Special:OAuth/token is called, so even a failed exchange cannot
// be retried with it, and concurrent copies of one callback make one
// exchange.
func TestCallbackReplay(t *testing.T) {
	f := newFakeWiki(t)
	h := newTestHandler(t, f, nil)
	b := newBrowser(t, h)
	cb, _ := b.startLogin(f, "/")
	preID := b.session()
	if resp := b.get(cb); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first callback: %d", resp.StatusCode)
	}
	// Replayed with the new session's cookie, and with the pre-login one.
	if resp := b.get(cb); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("replayed callback (new cookie): %d", resp.StatusCode)
	}
	old := newBrowser(t, h)
	old.cookies[DefaultCookieName] = preID
	if resp := old.get(cb); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("replayed callback (pre-login cookie): %d", resp.StatusCode)
	}
	if f.calls() != 1 {
		t.Errorf("Special:OAuth/token called %d times, want 1", f.calls())
	}

	// The exchange fails: the pending token is spent anyway.
	b2 := newBrowser(t, h)
	cb2, _ := b2.startLogin(f, "/")
	f.mu.Lock()
	f.failToken = true
	f.mu.Unlock()
	if resp := b2.get(cb2); resp.StatusCode != http.StatusBadGateway {
		t.Errorf("callback with a failing token exchange: %d", resp.StatusCode)
	}
	f.mu.Lock()
	f.failToken = false
	f.mu.Unlock()
	if resp := b2.get(cb2); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("retried callback after a failed exchange: %d", resp.StatusCode)
	}
	if f.calls() != 2 {
		t.Errorf("Special:OAuth/token called %d times, want 2", f.calls())
	}

	// Concurrent copies of one callback: one wins.
	b3 := newBrowser(t, h)
	cb3, _ := b3.startLogin(f, "/")
	cookie := b3.session()
	var wg sync.WaitGroup
	codes := make(chan int, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := newBrowser(t, h)
			c.cookies[DefaultCookieName] = cookie
			u, _ := url.Parse(cb3)
			req := httptest.NewRequest(http.MethodGet, "http://app.test"+u.RequestURI(), nil)
			codes <- c.do(req).StatusCode
		}()
	}
	wg.Wait()
	close(codes)
	ok := 0
	for c := range codes {
		if c == http.StatusSeeOther {
			ok++
		}
	}
	if ok != 1 || f.calls() != 3 {
		t.Errorf("concurrent callbacks: %d succeeded, token exchanges %d; want 1 and 3", ok, f.calls())
	}
}

// TestCookieCarriesNoSecret: every Set-Cookie of a whole login is a bare
// random id; the secrets are in the store.
func TestCookieCarriesNoSecret(t *testing.T) {
	f := newFakeWiki(t)
	h := newTestHandler(t, f, nil)
	b := newBrowser(t, h)
	cb, reqTok := b.startLogin(f, "/")
	f.mu.Lock()
	reqSecret := f.reqTokens[reqTok].secret
	f.mu.Unlock()
	pre, err := stored(t, h, b.session())
	if err != nil || pre.Pending[0].Token != reqTok || pre.Pending[0].Secret != reqSecret {
		t.Fatalf("the store does not hold the request token and secret: %v %v", pre, err)
	}
	b.get(cb)
	s, err := stored(t, h, b.session())
	if err != nil || !s.LoggedIn() {
		t.Fatalf("no logged-in session in the store: %v", err)
	}
	f.mu.Lock()
	accessSecret := f.access[s.AccessToken]
	f.mu.Unlock()
	if s.AccessSecret != accessSecret || accessSecret == "" {
		t.Fatal("the store does not hold the access secret")
	}
	secrets := map[string]string{
		"consumer key": fakeKey, "consumer secret": fakeSecret,
		"request token": reqTok, "request secret": reqSecret,
		"access token": s.AccessToken, "access secret": s.AccessSecret,
	}
	if len(b.seen) < 2 {
		t.Fatalf("saw %d Set-Cookie, want at least 2", len(b.seen))
	}
	for _, c := range b.seen {
		if !sessionIDRE.MatchString(c.Value) {
			t.Errorf("cookie %s=%q is not a bare 64-hex-digit id", c.Name, c.Value)
		}
		raw := c.String()
		for what, v := range secrets {
			if strings.Contains(raw, v) {
				t.Errorf("Set-Cookie %q contains the %s", raw, what)
			}
		}
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure {
			t.Errorf("cookie attributes: %s", raw)
		}
	}
	// The store is keyed by a hash, not by the cookie value.
	if _, err := h.store.Get(context.Background(), b.session()); !errors.Is(err, ErrNoSession) {
		t.Errorf("the store holds a session under the raw cookie value: %v", err)
	}
	// Printing a session shows no secret.
	for _, text := range []string{fmt.Sprint(s), fmt.Sprintf("%+v", s), fmt.Sprintf("%#v", *s), fmt.Sprintf("%v", pre.Pending), s.String()} {
		for what, v := range map[string]string{"access secret": s.AccessSecret, "request secret": reqSecret, "csrf": s.CSRF} {
			if strings.Contains(text, v) {
				t.Errorf("printed session %q shows the %s", text, what)
			}
		}
	}
}

// TestCookieAttributes: Secure under TLS, behind a trusted proxy only, or
// as configured; Path is the prefix.
func TestCookieAttributes(t *testing.T) {
	f := newFakeWiki(t)
	secureOf := func(h *Handler, tls bool, proto string) bool {
		t.Helper()
		b := newBrowser(t, h)
		b.tls = tls
		req := httptest.NewRequest(http.MethodGet, "http://app.test"+h.cfg.Prefix+"/login", nil)
		if proto != "" {
			req.Header.Set("X-Forwarded-Proto", proto)
		}
		resp := b.do(req)
		cs := resp.Cookies()
		if len(cs) != 1 {
			t.Fatalf("%d cookies: %d %s", len(cs), resp.StatusCode, body(resp))
		}
		if want := h.cookiePath; cs[0].Path != want {
			t.Errorf("cookie Path %q, want %q", cs[0].Path, want)
		}
		return cs[0].Secure
	}
	plain := newTestHandler(t, f, nil)
	if secureOf(plain, false, "") {
		t.Error("Secure over plain http")
	}
	if !secureOf(plain, true, "") {
		t.Error("not Secure under TLS")
	}
	if secureOf(plain, false, "https") {
		t.Error("X-Forwarded-Proto believed without TrustProxy")
	}
	proxied := newTestHandler(t, f, func(c *Config) { c.TrustProxy = true })
	if !secureOf(proxied, false, "https") {
		t.Error("X-Forwarded-Proto: https ignored with TrustProxy")
	}
	yes := true
	forced := newTestHandler(t, f, func(c *Config) {
		c.Secure = &yes
		c.Prefix = "/auth/"
		c.Callback = "http://app.test/auth/oauth-callback"
	})
	if !secureOf(forced, false, "") {
		t.Error("Config.Secure=true ignored")
	}
	if forced.cookiePath != "/auth" {
		t.Errorf("cookie path %q, want /auth", forced.cookiePath)
	}
	// Routes live under the prefix only.
	b := newBrowser(t, forced)
	if resp := b.get("/login"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("/login outside the prefix: %d", resp.StatusCode)
	}
	if resp := b.get("/auth/oauth-callback?oauth_token=x&oauth_verifier=y"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("/auth/oauth-callback: %d", resp.StatusCode)
	}
	req := httptest.NewRequest(http.MethodPut, "http://app.test/auth/login", nil)
	if resp := b.do(req); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("PUT /auth/login: %d", resp.StatusCode)
	}
}

// TestSessionRotation: the session id changes at login; the pre-login id
// is deleted; a fixated id (an attacker's session planted in the victim's
// browser) gives the attacker nothing.
func TestSessionRotation(t *testing.T) {
	f := newFakeWiki(t)
	h := newTestHandler(t, f, nil)

	attacker := newBrowser(t, h)
	attacker.startLogin(f, "/") // a real pending session the attacker knows
	fixated := attacker.session()

	victim := newBrowser(t, h)
	victim.cookies[DefaultCookieName] = fixated // planted
	resp := victim.loginFake(f, "/")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("victim's login: %d %s", resp.StatusCode, body(resp))
	}
	after := victim.session()
	if after == fixated || !sessionIDRE.MatchString(after) {
		t.Fatalf("session id not rotated: before %q, after %q", fixated, after)
	}
	if _, err := stored(t, h, fixated); !errors.Is(err, ErrNoSession) {
		t.Errorf("the pre-login session still exists: %v", err)
	}
	if u, err := h.CurrentUser(attacker.request(), true); u != nil || !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("the fixated id is logged in: %v %v", u, err)
	}
	if u, err := h.CurrentUser(victim.request(), true); err != nil || u.Name != "Alice" {
		t.Errorf("victim: %v %v", u, err)
	}

	// Logging in again from a logged-in session rotates again.
	again := victim.loginFake(f, "/")
	if again.StatusCode != http.StatusSeeOther || victim.session() == after {
		t.Errorf("second login: %d, id %q (was %q)", again.StatusCode, victim.session(), after)
	}
	if _, err := stored(t, h, after); !errors.Is(err, ErrNoSession) {
		t.Errorf("the previous session survived a new login: %v", err)
	}
	// An unknown cookie value at /login gets a new id, not adopted.
	unknown := strings.Repeat("cd", 32)
	c := newBrowser(t, h)
	c.cookies[DefaultCookieName] = unknown
	c.get("/login")
	if c.session() == unknown {
		t.Error("/login adopted a session id the server never issued")
	}
}

// TestTwoTabs: two logins started in one browser both complete.
func TestTwoTabs(t *testing.T) {
	f := newFakeWiki(t)
	h := newTestHandler(t, f, nil)
	b := newBrowser(t, h)
	cb1, _ := b.startLogin(f, "/one")
	cb2, _ := b.startLogin(f, "/two")
	if resp := b.get(cb2); resp.Header.Get("Location") != "/two" {
		t.Fatalf("second tab: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// The first tab's pending login went with the rotated session.
	if resp := b.get(cb1); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("first tab after the second completed: %d", resp.StatusCode)
	}
	// Before a completion, both are pending.
	b2 := newBrowser(t, h)
	cb3, _ := b2.startLogin(f, "/three")
	b2.startLogin(f, "/four")
	if resp := b2.get(cb3); resp.Header.Get("Location") != "/three" {
		t.Errorf("older tab: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// At most maxPending are kept.
	b3 := newBrowser(t, h)
	for range maxPending + 3 {
		b3.startLogin(f, "/")
	}
	if s, _ := stored(t, h, b3.session()); len(s.Pending) != maxPending {
		t.Errorf("%d pending logins kept, want %d", len(s.Pending), maxPending)
	}
}

// TestRevokedFake: with the fake wiki, a revoked token logs the session
// out at CurrentUser(r, false), and at a refused API call.
func TestRevokedFake(t *testing.T) {
	f := newFakeWiki(t)
	h := newTestHandler(t, f, nil)
	b := newBrowser(t, h)
	b.loginFake(f, "/")
	s, _ := stored(t, h, b.session())
	f.revoke(s.AccessToken)
	if _, err := h.CurrentUser(b.request(), true); err != nil {
		t.Fatalf("cached CurrentUser: %v", err)
	}
	u, err := h.CurrentUser(b.request(), false)
	if u != nil || !errors.Is(err, ErrNotLoggedIn) || !errors.Is(err, ErrAuthorizationRevoked) {
		t.Fatalf("CurrentUser(false) after revocation: %v, %v", u, err)
	}
	if _, err := stored(t, h, b.session()); !errors.Is(err, ErrNoSession) {
		t.Errorf("session kept after revocation: %v", err)
	}

	// Through the API client.
	b2 := newBrowser(t, h)
	b2.loginFake(f, "/")
	s2, _ := stored(t, h, b2.session())
	c, err := h.Client(b2.request())
	if err != nil {
		t.Fatal(err)
	}
	f.revoke(s2.AccessToken)
	if _, err := userinfoName(t, c); err == nil {
		t.Fatal("API call with a revoked token succeeded")
	}
	if _, err := stored(t, h, b2.session()); !errors.Is(err, ErrNoSession) {
		t.Errorf("session kept after the wiki refused the token: %v", err)
	}
}

// TestWikiDown: identify failing for another reason keeps the session.
func TestWikiDown(t *testing.T) {
	f := newFakeWiki(t)
	h := newTestHandler(t, f, nil)
	b := newBrowser(t, h)
	b.loginFake(f, "/")
	f.srv.Close()
	if _, err := h.CurrentUser(b.request(), false); err == nil || errors.Is(err, ErrNotLoggedIn) {
		t.Fatalf("CurrentUser(false) with the wiki down: %v", err)
	}
	if _, err := stored(t, h, b.session()); err != nil {
		t.Errorf("session lost because the wiki was down: %v", err)
	}
	// /login with the wiki down is a 502, not a crash.
	if resp := newBrowser(t, h).get("/login"); resp.StatusCode != http.StatusBadGateway {
		t.Errorf("/login with the wiki down: %d", resp.StatusCode)
	}
}

// TestClientFor: another wiki is signed for its own canonical server;
// AllowWiki can refuse it; bad URLs are refused.
func TestClientFor(t *testing.T) {
	f := newFakeWiki(t)
	other := newFakeWiki(t)
	var asked []string
	h := newTestHandler(t, f, func(c *Config) {
		c.AllowWiki = func(api string) bool { asked = append(asked, api); return api != "https://refused.example/w/api.php" }
	})
	b := newBrowser(t, h)
	b.loginFake(f, "/")
	s, _ := stored(t, h, b.session())
	// The other wiki knows the same access token (central OAuth).
	other.mu.Lock()
	other.access[s.AccessToken] = s.AccessSecret
	other.user = "Alice@other"
	other.mu.Unlock()
	c, err := h.ClientFor(b.request(), other.api())
	if err != nil {
		t.Fatal(err)
	}
	if c.API() != other.api() {
		t.Errorf("API %q", c.API())
	}
	if name, err := userinfoName(t, c); err != nil || name != "Alice@other" {
		t.Fatalf("userinfo on the other wiki: %q %v", name, err)
	}
	if c, err := h.ClientFor(b.request(), f.api()); err != nil || c.API() != f.api() {
		t.Errorf("ClientFor the home wiki: %v", err)
	}
	for _, bad := range []string{"ftp://x/api.php", "/api.php", "http://x/api.php?a=b", "https://refused.example/w/api.php"} {
		if _, err := h.ClientFor(b.request(), bad); err == nil {
			t.Errorf("ClientFor(%q) accepted", bad)
		}
	}
	if _, err := h.ClientFor(newBrowser(t, h).request(), other.api()); !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("ClientFor logged out: %v", err)
	}
}

// TestNewChecks: bad configurations are refused.
func TestNewChecks(t *testing.T) {
	good := Config{API: "https://w.example/w/api.php", Consumer: credsForTest(), Callback: "https://app.example/oauth-callback"}
	if _, err := New(good); err != nil {
		t.Fatal(err)
	}
	for name, mod := range map[string]func(*Config){
		"no API":          func(c *Config) { c.API = "" },
		"relative API":    func(c *Config) { c.API = "/w/api.php" },
		"no callback":     func(c *Config) { c.Callback = "" },
		"no consumer":     func(c *Config) { c.Consumer.ConsumerKey = "" },
		"no secret":       func(c *Config) { c.Consumer.ConsumerSecret = "" },
		"bad prefix":      func(c *Config) { c.Prefix = "auth" },
		"bad cookie name": func(c *Config) { c.CookieName = "a b" },
		"bad index":       func(c *Config) { c.Index = "index.php" },
	} {
		c := good
		mod(&c)
		if _, err := New(c); err == nil {
			t.Errorf("%s: New accepted", name)
		}
	}
}

// TestLogoutNeedsCSRF: another site cannot log the user out: a GET only
// shows the confirmation page, a POST without the session's CSRF token is
// refused; both keep the session.
func TestLogoutNeedsCSRF(t *testing.T) {
	f := newFakeWiki(t)
	store := NewMemoryStore()
	h := newTestHandler(t, f, func(c *Config) { c.Store = store })
	b := newBrowser(t, h)
	b.loginFake(f, "/")
	resp := b.get("/logout?next=/")
	page := body(resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `method="post"`) || !strings.Contains(page, `id="logout-confirm"`) {
		t.Errorf("GET /logout: %d\n%s", resp.StatusCode, page)
	}
	for _, form := range []url.Values{{}, {"csrf": {"wrong"}}, {"csrf": {""}}} {
		req := httptest.NewRequest(http.MethodPost, "http://app.test/logout", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if resp := b.do(req); resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST /logout with %v: %d", form, resp.StatusCode)
		}
	}
	if store.Len() != 1 || b.session() == "" {
		t.Fatalf("the session did not survive the forged logouts")
	}
	if _, err := h.CurrentUser(b.request(), true); err != nil {
		t.Errorf("logged out by a forged request: %v", err)
	}
	// LogoutForm is the button for the application's pages.
	form := string(h.LogoutForm(b.request(), "//evil.example", "logout"))
	if !strings.Contains(form, `name="csrf" value="`+h.CSRFToken(b.request())+`"`) || !strings.Contains(form, `name="next" value="/"`) {
		t.Errorf("LogoutForm: %s", form)
	}
	if h.LogoutForm(newBrowser(t, h).request(), "/", "logout") != "" {
		t.Error("LogoutForm for a logged-out request")
	}
}

// TestRevalidate: after Config.Revalidate the Middleware asks the wiki
// again: a revoked token then ends this session (and every other session
// of the token), without a write.
func TestRevalidate(t *testing.T) {
	f := newFakeWiki(t)
	h := newTestHandler(t, f, func(c *Config) { c.Revalidate = 2 * time.Minute })
	now := time.Now()
	h.now = func() time.Time { return now }
	var seen *User
	app := h.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = UserFromContext(r.Context()) }))
	b := newBrowser(t, h)
	b.loginFake(f, "/")
	s, err := stored(t, h, b.session())
	if err != nil {
		t.Fatal(err)
	}
	other := newBrowser(t, h) // a second session of the same token
	other.cookies[DefaultCookieName] = b.session()
	app.ServeHTTP(httptest.NewRecorder(), b.request())
	if seen == nil {
		t.Fatal("fresh: logged out")
	}
	f.revoke(s.AccessToken)
	now = now.Add(time.Minute) // within Revalidate: still the cached user
	app.ServeHTTP(httptest.NewRecorder(), b.request())
	if seen == nil {
		t.Fatal("logged out before the revalidation interval")
	}
	now = now.Add(2 * time.Minute)
	app.ServeHTTP(httptest.NewRecorder(), other.request())
	if seen != nil {
		t.Fatalf("after the interval, with the grant revoked: user %v", seen)
	}
	if _, err := h.CurrentUser(b.request(), true); !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("CurrentUser(cached) after the revalidation: %v", err)
	}
}
