package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mwgen/mwgen/internal/browser"
	"github.com/mwgen/mwgen/internal/oauthprovider"
	"github.com/mwgen/mwgen/internal/testwiki"
)

// TestE2EWebLoginOAuth2 logs in to the example app (--oauth2) in headless
// Chromium with OAuth 2.0 through the test provider in front of the real
// wiki: the wiki's login page, its approval page, back to the app; an edit
// through the app; the access token's hour ends and the next edit
// refreshes it silently; the grant is revoked and the next edit logs the
// user out and sends them to /login?next=/, which leads to the wiki's
// approval page again.
func TestE2EWebLoginOAuth2(t *testing.T) {
	w := testwiki.Require(t)
	p := oauthprovider.Start(t, w.API, w.BotUser, w.BotPassword)
	wantUser, _, _ := strings.Cut(w.BotUser, "@")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	appURL := "http://" + addr
	const appName = "mwgen webapp OAuth 2.0 e2e"
	reg, err := p.RegisterOAuth2Client(oauthprovider.OAuth2Client{
		Name:        appName,
		RedirectURI: appURL + "/oauth-callback",
		Grants:      []string{"basic", "editpage", "createeditmovepage"},
	})
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	h, err := newApp(appConfig{API: p.API, Listen: addr, OAuth2: true, OAuth2ClientID: reg.ClientID, OAuth2ClientSecret: reg.ClientSecret})
	if err != nil {
		ln.Close()
		t.Fatalf("newApp: %v", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		_ = srv.Close()
		if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serving the app: %v", err)
		}
	})

	b := browser.Start(t)
	artifacts := artifactDir(t)
	t.Cleanup(func() {
		if t.Failed() {
			saveScreenshot(t, b, artifacts, "webapp-oauth2-failure.png")
		}
	})
	click := func(selector string) {
		t.Helper()
		el, err := b.WaitCSS(selector, pageWait)
		if err != nil {
			t.Fatal(err)
		}
		if err := el.Click(); err != nil {
			t.Fatal(err)
		}
	}
	fill := func(selector, value string) {
		t.Helper()
		el, err := b.FindCSS(selector)
		if err != nil {
			t.Fatal(err)
		}
		if err := el.Clear(); err != nil {
			t.Fatal(err)
		}
		if err := el.SendKeys(value); err != nil {
			t.Fatal(err)
		}
	}
	editPage := func(title, text string) string {
		t.Helper()
		// From a fresh page, so that no earlier result is on it.
		if err := b.Navigate(appURL + "/"); err != nil {
			t.Fatal(err)
		}
		if _, err := b.WaitCSS("#edit-form", pageWait); err != nil {
			t.Fatal(err)
		}
		fill("#edit-title", title)
		fill("#edit-text", text)
		click("#edit-submit")
		el, err := b.WaitCSS("#edit-result, #edit-error, #approve", pageWait)
		if err != nil {
			t.Fatal(err)
		}
		s, err := el.Text()
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(s)
	}

	if err := b.Navigate(appURL + "/"); err != nil {
		t.Fatal(err)
	}
	click("#login")
	// No wiki session yet: the wiki's login page, then its approval page.
	click("#wpLoginAttempt")
	approve, err := b.WaitCSS("#approve", pageWait)
	if err != nil {
		t.Fatal(err)
	}
	if u, err := b.CurrentURL(); err != nil || !strings.Contains(u, "title=Special:OAuth/approve") || !strings.Contains(u, "code_challenge_method=S256") {
		t.Errorf("approval page URL = %q, %v", u, err)
	}
	if el, err := b.FindCSS("#app-name"); err != nil {
		t.Error(err)
	} else if s, err := el.Text(); err != nil || s != appName {
		t.Errorf("approval page names the app %q, %v; want %q", s, err, appName)
	}
	if err := approve.Click(); err != nil {
		t.Fatal(err)
	}

	userEl, err := b.WaitCSS("#username", pageWait)
	if err != nil {
		t.Fatal(err)
	}
	if u, err := b.CurrentURL(); err != nil || u != appURL+"/" {
		t.Errorf("after login the browser is at %q, %v; want %s/ (no code or state left in the address)", u, err, appURL)
	}
	if s, err := userEl.Text(); err != nil || s != wantUser {
		t.Fatalf("#username = %q, %v; want %q", s, err, wantUser)
	}
	saveScreenshot(t, b, artifacts, "webapp-oauth2-logged-in.png")

	title := fmt.Sprintf("Mwgen webapp OAuth2 e2e %d", time.Now().UnixNano())
	saved := regexp.MustCompile(`^Saved revision (\d+) of (.+)$`)
	text := "Edited in headless Chromium through the mwgen example web app with OAuth 2.0, as " + wantUser + "."
	if got := editPage(title, text); !saved.MatchString(got) {
		t.Fatalf("edit: %q", got)
	}
	if rev := latestRevision(t, w, title); rev.User != wantUser || strings.TrimSpace(rev.Slots["main"].Content) != text {
		t.Errorf("wiki revision %+v, want %q by %q", rev, text, wantUser)
	}

	// The token's hour is over: the next edit refreshes it, silently.
	if err := p.ExpireOAuth2Client(reg.ClientID); err != nil {
		t.Fatal(err)
	}
	text2 := text + " After a refresh."
	if got := editPage(title, text2); !saved.MatchString(got) {
		t.Fatalf("edit after expiry: %q", got)
	}
	if rev := latestRevision(t, w, title); strings.TrimSpace(rev.Slots["main"].Content) != text2 {
		t.Errorf("after the refresh the wiki has %q", rev.Slots["main"].Content)
	}
	if s, err := p.OAuth2Stats(reg.ClientID); err != nil || s.Refreshes != 1 || s.Authorizations != 1 {
		t.Errorf("stats %+v %v; want one refresh and one authorization", s, err)
	}
	saveScreenshot(t, b, artifacts, "webapp-oauth2-refreshed.png")

	// The user revokes the grant on the wiki: the next edit's refresh is
	// refused; the app logs the user out and sends them to
	// /login?next=/, that is back to the wiki's approval page.
	if err := p.RevokeOAuth2(reg.ClientID); err != nil {
		t.Fatal(err)
	}
	if got := editPage(title, text2+" Revoked."); got != "Allow" {
		t.Fatalf("edit after revocation: %q, want the wiki's approval page", got)
	}
	if rev := latestRevision(t, w, title); strings.TrimSpace(rev.Slots["main"].Content) != text2 {
		t.Errorf("an edit went through after revocation: %q", rev.Slots["main"].Content)
	}
	click("#approve")
	if _, err := b.WaitCSS("#username", pageWait); err != nil {
		t.Fatal(err)
	}

	// Log out.
	click("#logout")
	if _, err := b.WaitCSS("#login", pageWait); err != nil {
		t.Fatal(err)
	}
	if err := b.Navigate(appURL + "/"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.WaitCSS("#login", pageWait); err != nil {
		t.Fatal(err)
	}
	if _, err := b.FindCSS("#username"); !browser.IsNoSuchElement(err) {
		t.Errorf("after logout and reload #username is still there (err %v)", err)
	}
}
