package weblogin

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mwgen/mwgen/generated"
	"github.com/mwgen/mwgen/internal/oauthprovider"
	"github.com/mwgen/mwgen/internal/testwiki"
	"github.com/mwgen/mwgen/runtime"
)

func startOAuth2Integration(t *testing.T, public bool) (*itEnv, *oauthprovider.OAuth2Registration) {
	t.Helper()
	w := testwiki.Require(t)
	p := oauthprovider.Start(t, w.API, w.BotUser, w.BotPassword)
	reg, err := p.RegisterOAuth2Client(oauthprovider.OAuth2Client{Name: "mwgen weblogin OAuth 2.0 test", RedirectURI: appCallback, Public: public})
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Config{
		API:       p.API,
		OAuth2:    &OAuth2Client{ClientID: reg.ClientID, ClientSecret: reg.ClientSecret},
		Callback:  appCallback,
		UserAgent: "mwgen-weblogin-test/1.0 (https://github.com/mwgen/mwgen)",
	})
	if err != nil {
		t.Fatal(err)
	}
	return &itEnv{w: w, p: p, h: h}, reg
}

func editAs(t *testing.T, h *Handler, r *http.Request, title, text string) error {
	t.Helper()
	rt, err := h.Client(r)
	if err != nil {
		return err
	}
	_, err = generated.New(rt).Edit(ctxT(t), &generated.EditParams{Title: title, Text: runtime.Set(text), Summary: "mwgen weblogin OAuth 2.0 test"})
	return err
}

// TestIntegrationOAuth2Flow: /login → the wiki's authorize endpoint (state,
// PKCE S256) → Allow → /oauth-callback (state bound to the session, single
// use) → CurrentUser from the profile endpoint → an edit through the
// generated client; the token's hour ends: 8 concurrent edits refresh it
// once, and the new pair is in the session store (never in the cookie);
// the grant is revoked: the next call logs the session out with
// ErrNotLoggedIn.
func TestIntegrationOAuth2Flow(t *testing.T) {
	e, reg := startOAuth2Integration(t, false)
	wikiUser := strings.SplitN(e.w.BotUser, "@", 2)[0]
	b := newBrowser(t, e.h)

	resp := b.get("/login?next=" + url.QueryEscape("/done"))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("/login: %d %s", resp.StatusCode, body(resp))
	}
	authURL := resp.Header.Get("Location")
	au, _ := url.Parse(authURL)
	if !strings.HasPrefix(authURL, e.p.REST+"/oauth2/authorize?") || au.Query().Get("state") == "" ||
		au.Query().Get("code_challenge_method") != "S256" || au.Query().Get("redirect_uri") != appCallback {
		t.Fatalf("authorize URL %q", authURL)
	}
	sess, err := stored(t, e.h, b.session())
	if err != nil || len(sess.Pending) != 1 || sess.Pending[0].Secret == "" || strings.Contains(authURL, sess.Pending[0].Secret) {
		t.Fatalf("pending login %v %v (the verifier must stay server-side)", sess, err)
	}
	cb, err := e.p.ApproveOAuth2(authURL, true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(cb, appCallback+"?") {
		t.Fatalf("the wiki redirects to %q", cb)
	}
	if resp := newBrowser(t, e.h).get(cb); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("callback in a foreign session: %d", resp.StatusCode)
	}
	preID := b.session()
	resp = b.get(cb)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/done" {
		t.Fatalf("callback: %d %q: %s\nprovider log:\n%s", resp.StatusCode, resp.Header.Get("Location"), body(resp), e.p.Log())
	}
	if b.session() == preID {
		t.Error("session id not rotated at login")
	}
	if resp := b.get(cb); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("replayed callback: %d", resp.StatusCode)
	}
	for _, c := range resp.Cookies() {
		if strings.Count(c.Value, ".") == 2 {
			t.Errorf("a token in a cookie: %s", c.Name)
		}
	}

	u, err := e.h.CurrentUser(b.request(), false)
	if err != nil {
		t.Fatalf("CurrentUser: %v", err)
	}
	if u.Name != wikiUser || !u.HasGroup("sysop") || !u.HasGrant("editpage") {
		t.Errorf("user %+v", u)
	}
	title := "Weblogin OAuth2 integration test"
	if err := editAs(t, e.h, b.request(), title, fmt.Sprintf("OAuth 2.0 edit at %d.", time.Now().UnixNano())); err != nil {
		t.Fatalf("edit: %v\nprovider log:\n%s", err, e.p.Log())
	}

	// The hour is over on the wiki: concurrent edits share one refresh.
	before, _ := stored(t, e.h, b.session())
	if err := e.p.ExpireOAuth2Client(reg.ClientID); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs <- editAs(t, e.h, b.request(), fmt.Sprintf("%s %d", title, i), "after the hour")
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if s, err := e.p.OAuth2Stats(reg.ClientID); err != nil || s.Refreshes != 1 || s.RefusedRefreshes != 0 {
		t.Errorf("stats %+v %v; want one refresh", s, err)
	}
	after, err := stored(t, e.h, b.session())
	if err != nil || after.AccessToken == before.AccessToken || after.RefreshToken == before.RefreshToken || !after.LoggedIn() {
		t.Errorf("the refreshed pair is not in the session: %v", err)
	}

	// Revoked: the refresh is refused; the session is logged out.
	if err := e.p.RevokeOAuth2(reg.ClientID); err != nil {
		t.Fatal(err)
	}
	err = editAs(t, e.h, b.request(), title, "after revocation")
	if !errors.Is(err, ErrNotLoggedIn) || !errors.Is(err, ErrAuthorizationRevoked) {
		t.Fatalf("edit after revocation: %v", err)
	}
	if _, err := stored(t, e.h, b.session()); !errors.Is(err, ErrNoSession) {
		t.Errorf("session kept after the refused refresh: %v", err)
	}
	if got := e.h.LoginURL("/done"); got != "/login?next=%2Fdone" {
		t.Errorf("LoginURL = %q", got)
	}
}

// TestIntegrationOAuth2Cancel: Cancel on the wiki (error=unauthorized_client,
// no state) and a public client's login (PKCE, no secret).
func TestIntegrationOAuth2Cancel(t *testing.T) {
	e, _ := startOAuth2Integration(t, true)
	b := newBrowser(t, e.h)
	resp := b.get("/login")
	cb, err := e.p.ApproveOAuth2(resp.Header.Get("Location"), false)
	if err != nil {
		t.Fatal(err)
	}
	resp = b.get(cb)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body(resp), "error=unauthorized_client") {
		t.Errorf("cancelled: %d %s", resp.StatusCode, body(resp))
	}
	// A public client logs in.
	resp = b.get("/login")
	cb, err = e.p.ApproveOAuth2(resp.Header.Get("Location"), true)
	if err != nil {
		t.Fatal(err)
	}
	if resp := b.get(cb); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("callback: %d %s", resp.StatusCode, body(resp))
	}
	if u, err := e.h.CurrentUser(b.request(), false); err != nil || u.Name == "" {
		t.Fatalf("CurrentUser: %v %v", u, err)
	}
	// Its hour over, a public client cannot refresh on REL1_39: logged out.
	s, _ := stored(t, e.h, b.session())
	s.Expiry = time.Now().Add(-time.Minute)
	if err := e.h.store.Put(ctxT(t), storeKey(b.session()), s); err != nil {
		t.Fatal(err)
	}
	e.h.srcs.drop(storeKey(b.session())) // as after a restart
	_, err = e.h.CurrentUser(b.request(), false)
	if !errors.Is(err, ErrNotLoggedIn) || !strings.Contains(err.Error(), "public clients") {
		t.Errorf("public client after its hour: %v", err)
	}
}
