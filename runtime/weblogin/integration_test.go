package weblogin

// Integration tests: the handler against the oauthlib test provider
// (internal/oauthprovider) in front of the real MediaWiki
// (internal/testwiki). The provider verifies every signature with
// python3-oauthlib and makes identify's JWT with PyJWT.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mwgen/mwgen/generated"
	"github.com/mwgen/mwgen/internal/oauthprovider"
	"github.com/mwgen/mwgen/internal/testwiki"
	"github.com/mwgen/mwgen/runtime"
	"github.com/mwgen/mwgen/runtime/oauth"
)

func TestMain(m *testing.M) { testwiki.Main(m) }

type itEnv struct {
	w   *testwiki.Wiki
	p   *oauthprovider.Provider
	reg *oauthprovider.Registration
	h   *Handler
}

func startIntegration(t *testing.T) *itEnv {
	t.Helper()
	w := testwiki.Require(t)
	p := oauthprovider.Start(t, w.API, w.BotUser, w.BotPassword)
	reg, err := p.RegisterConsumer(oauthprovider.Consumer{
		Name:             "mwgen weblogin test",
		Callback:         appCallback,
		CallbackIsPrefix: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Config{
		API:       p.API, // Index and Server discovered from its siteinfo
		Consumer:  oauth.Credentials{ConsumerKey: reg.Key, ConsumerSecret: reg.Secret},
		Callback:  appCallback,
		UserAgent: "mwgen-weblogin-test/1.0 (https://github.com/mwgen/mwgen)",
	})
	if err != nil {
		t.Fatal(err)
	}
	return &itEnv{w: w, p: p, reg: reg, h: h}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// authorizeInBrowser opens the authorize URL the way a browser would
// (with the provider's auto-approve switch standing in for the Allow
// button) and returns where the wiki redirects to.
func authorizeInBrowser(t *testing.T, authorizeURL string) string {
	t.Helper()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: time.Minute}
	resp, err := hc.Get(authorizeURL + "&mwgen_test_autoapprove=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 3 {
		t.Fatalf("authorize page: %s, want a redirect", resp.Status)
	}
	return resp.Header.Get("Location")
}

// TestIntegrationFullFlow: login → Special:OAuth/authorize → callback →
// CurrentUser → Client → an edit on the real wiki through the generated
// client → ClientFor → logout, with no browser.
func TestIntegrationFullFlow(t *testing.T) {
	e := startIntegration(t)
	wikiUser := strings.SplitN(e.w.BotUser, "@", 2)[0]
	b := newBrowser(t, e.h)

	resp := b.get("/login?next=" + url.QueryEscape("/done"))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("/login: %d %s\nprovider log:\n%s", resp.StatusCode, body(resp), e.p.Log())
	}
	authURL := resp.Header.Get("Location")
	if !strings.HasPrefix(authURL, e.p.Server+"/index.php?title=Special:OAuth/authorize&oauth_token=") ||
		!strings.Contains(authURL, "&oauth_consumer_key="+e.reg.Key) {
		t.Fatalf("authorize URL %q", authURL)
	}
	preID := b.session()

	cb := authorizeInBrowser(t, authURL)
	if !strings.HasPrefix(cb, appCallback+"?") {
		t.Fatalf("the wiki redirects to %q, want our callback", cb)
	}
	// Another browser cannot use this callback (state check).
	if resp := newBrowser(t, e.h).get(cb); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("callback in a foreign session: %d", resp.StatusCode)
	}
	resp = b.get(cb)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/done" {
		t.Fatalf("callback: %d %q: %s\nprovider log:\n%s", resp.StatusCode, resp.Header.Get("Location"), body(resp), e.p.Log())
	}
	if b.session() == preID {
		t.Error("session id not rotated at login")
	}
	// Replayed: refused by us (the provider would say E009 too).
	if resp := b.get(cb); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("replayed callback: %d", resp.StatusCode)
	}

	u, err := e.h.CurrentUser(b.request(), false)
	if err != nil {
		t.Fatalf("CurrentUser: %v\nprovider log:\n%s", err, e.p.Log())
	}
	if u.Name != wikiUser || !u.HasGroup("sysop") || !u.HasGrant("editpage") || u.Wiki != e.p.Server {
		t.Errorf("user %+v, want %s in sysop with editpage from %s", u, wikiUser, e.p.Server)
	}

	// An edit on the real wiki, as the user, through the generated client.
	rt, err := e.h.Client(b.request())
	if err != nil {
		t.Fatal(err)
	}
	title := "Weblogin integration test"
	text := fmt.Sprintf("Edited through runtime/weblogin at %d.", time.Now().UnixNano())
	res, err := generated.New(rt).Edit(ctxT(t), &generated.EditParams{Title: title, Text: runtime.Set(text), Summary: "mwgen weblogin integration test"})
	if err != nil {
		t.Fatalf("edit: %v\nprovider log:\n%s", err, e.p.Log())
	}
	if res.Result != "Success" || res.Newrevid == 0 {
		t.Fatalf("edit answer %s", res.Raw())
	}
	page, err := e.w.Get(ctxT(t), url.Values{"action": {"query"}, "prop": {"revisions"}, "titles": {title}, "rvprop": {"ids|content|user"}, "rvslots": {"main"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), text) || !strings.Contains(string(page), `"user":"`+wikiUser+`"`) ||
		!strings.Contains(string(page), fmt.Sprintf(`"revid":%d`, res.Newrevid)) {
		t.Errorf("the wiki does not show revision %d by %s with the text: %s", res.Newrevid, wikiUser, page)
	}

	// ClientFor: the same provider under another host name. Requests are
	// signed for the canonical server its siteinfo names, not for the
	// host they are sent to, or oauthlib would refuse them.
	other := strings.Replace(e.p.API, "127.0.0.1", "localhost", 1)
	oc, err := e.h.ClientFor(b.request(), other)
	if err != nil {
		t.Fatal(err)
	}
	if name, err := userinfoName(t, oc); err != nil || name != wikiUser {
		t.Errorf("userinfo through ClientFor(%s): %q, %v\nprovider log:\n%s", other, name, err, e.p.Log())
	}

	// Logout.
	id := b.session()
	if resp := b.logout("/"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("logout: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, err := stored(t, e.h, id); !errors.Is(err, ErrNoSession) {
		t.Errorf("server-side session kept after logout: %v", err)
	}
	b.cookies[DefaultCookieName] = id // even with the old cookie
	if _, err := e.h.CurrentUser(b.request(), true); !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("CurrentUser after logout: %v", err)
	}
	if _, err := e.h.Client(b.request()); !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("Client after logout: %v", err)
	}
}

// TestIntegrationRevoked: the user revokes the authorization at the wiki;
// the cached user stays until CurrentUser(r, false) asks identify, which
// logs the session out.
func TestIntegrationRevoked(t *testing.T) {
	e := startIntegration(t)
	b := newBrowser(t, e.h)
	resp := b.get("/login")
	tok := authorizeToken(t, resp)
	cb, err := e.p.Approve(tok, "")
	if err != nil {
		t.Fatal(err)
	}
	if resp := b.get(cb); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("callback: %d %s\nprovider log:\n%s", resp.StatusCode, body(resp), e.p.Log())
	}
	if _, err := e.h.CurrentUser(b.request(), false); err != nil {
		t.Fatalf("CurrentUser before revocation: %v", err)
	}
	s, err := stored(t, e.h, b.session())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.p.Revoke(s.AccessToken); err != nil {
		t.Fatal(err)
	}
	if u, err := e.h.CurrentUser(b.request(), true); err != nil || u == nil {
		t.Fatalf("cached CurrentUser after revocation: %v %v", u, err)
	}
	u, err := e.h.CurrentUser(b.request(), false)
	if u != nil || !errors.Is(err, ErrNotLoggedIn) || !errors.Is(err, ErrAuthorizationRevoked) {
		t.Fatalf("CurrentUser(false) after revocation: %v, %v", u, err)
	}
	var pe *oauth.ProviderError
	if !errors.As(err, &pe) {
		t.Errorf("the error does not carry the wiki's answer: %v", err)
	}
	t.Logf("CurrentUser(r, false) after Revoke: %v", err)
	if _, err := stored(t, e.h, b.session()); !errors.Is(err, ErrNoSession) {
		t.Errorf("session kept after revocation: %v", err)
	}
	if u, err := e.h.CurrentUser(b.request(), true); u != nil || !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("cached CurrentUser after the check: %v %v", u, err)
	}
	if _, err := e.h.Client(b.request()); !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("Client after revocation: %v", err)
	}
}
