package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mwgen/mwgen/generated"
	"github.com/mwgen/mwgen/internal/browser"
	"github.com/mwgen/mwgen/internal/oauthprovider"
	"github.com/mwgen/mwgen/internal/testwiki"
)

func TestMain(m *testing.M) { testwiki.Main(m) }

// pageWait bounds how long the browser may take to reach the next page (a
// round trip through the app, the provider and the real wiki).
const pageWait = 60 * time.Second

// TestE2EWebLogin logs in to the example app in headless Chromium through
// the test OAuth provider in front of the real wiki, edits a page through
// the app, checks the edit on the wiki and logs out.
func TestE2EWebLogin(t *testing.T) {
	w := testwiki.Require(t)
	p := oauthprovider.Start(t, w.API, w.BotUser, w.BotPassword)
	wantUser, _, _ := strings.Cut(w.BotUser, "@") // "Admin@mwgen": the bot password's user

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	appURL := "http://" + addr
	const appName = "mwgen webapp e2e"
	reg, err := p.RegisterConsumer(oauthprovider.Consumer{
		Name:             appName,
		Callback:         appURL + "/oauth-callback",
		CallbackIsPrefix: true,
		Grants:           []string{"basic", "editpage", "createeditmovepage"},
	})
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	h, err := newApp(appConfig{API: p.API, Listen: addr, ConsumerKey: reg.Key, ConsumerSecret: reg.Secret})
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
	// Runs before the browser is closed (cleanups run last first).
	t.Cleanup(func() {
		if t.Failed() {
			saveScreenshot(t, b, artifacts, "webapp-failure.png")
		}
	})

	// Logged out: the front page offers the login link.
	if err := b.Navigate(appURL + "/"); err != nil {
		t.Fatal(err)
	}
	login, err := b.WaitCSS("#login", pageWait)
	if err != nil {
		t.Fatal(err)
	}
	if href, err := login.Attribute("href"); err != nil || !strings.Contains(href, "/login") {
		t.Errorf("#login href = %q, %v; want a link to /login", href, err)
	}
	if err := login.Click(); err != nil {
		t.Fatal(err)
	}

	// The provider's authorize page: Allow.
	approve, err := b.WaitCSS("#approve", pageWait)
	if err != nil {
		t.Fatal(err)
	}
	if u, err := b.CurrentURL(); err != nil || !strings.HasPrefix(u, p.Index) || !strings.Contains(u, "Special:OAuth/authorize") {
		t.Errorf("authorize page URL = %q, %v; want %s?title=Special:OAuth/authorize...", u, err, p.Index)
	}
	if el, err := b.FindCSS("#app-name"); err != nil {
		t.Error(err)
	} else if s, err := el.Text(); err != nil || s != appName {
		t.Errorf("authorize page names the app %q, %v; want %q", s, err, appName)
	}
	if err := approve.Click(); err != nil {
		t.Fatal(err)
	}

	// Back on the app, logged in as the wiki user.
	userEl, err := b.WaitCSS("#username", pageWait)
	if err != nil {
		t.Fatal(err)
	}
	if u, err := b.CurrentURL(); err != nil || !strings.HasPrefix(u, appURL+"/") {
		t.Errorf("after login the browser is at %q, %v; want the app at %s", u, err, appURL)
	}
	if s, err := userEl.Text(); err != nil || s != wantUser {
		t.Fatalf("#username = %q, %v; want %q", s, err, wantUser)
	}
	groups, err := b.FindAllCSS("#groups li")
	if err != nil {
		t.Fatal(err)
	}
	var groupNames []string
	for _, g := range groups {
		s, err := g.Text()
		if err != nil {
			t.Fatal(err)
		}
		groupNames = append(groupNames, strings.TrimSpace(s))
	}
	// The test wiki's Admin is a sysop (and bureaucrat, interface-admin).
	if !slices.Contains(groupNames, "sysop") || !slices.Contains(groupNames, "user") {
		t.Errorf("#groups = %q, want the wiki user's groups with user and sysop", groupNames)
	}
	saveScreenshot(t, b, artifacts, "webapp-logged-in.png")

	// Edit a page through the app.
	title := fmt.Sprintf("Mwgen webapp e2e %d", time.Now().UnixNano())
	text := "Edited in headless Chromium through the mwgen example web app, as " + wantUser + "."
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
	fill("#edit-title", title)
	fill("#edit-text", text)
	submit, err := b.FindCSS("#edit-submit")
	if err != nil {
		t.Fatal(err)
	}
	if err := submit.Click(); err != nil {
		t.Fatal(err)
	}
	resultEl, err := b.WaitCSS("#edit-result", pageWait)
	if err != nil {
		t.Fatal(err)
	}
	result, err := resultEl.Text()
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`^Saved revision (\d+) of (.+)$`).FindStringSubmatch(strings.TrimSpace(result))
	if m == nil || m[2] != title {
		t.Fatalf("#edit-result = %q, want \"Saved revision N of %s\"", result, title)
	}
	revid, _ := strconv.Atoi(m[1])
	saveScreenshot(t, b, artifacts, "webapp-edited.png")

	// The edit is on the real wiki, made by the logged-in user.
	rev := latestRevision(t, w, title)
	if rev.RevID != revid {
		t.Errorf("wiki's latest revision of %q is %d, the app said %d", title, rev.RevID, revid)
	}
	if rev.User != wantUser {
		t.Errorf("revision %d of %q was made by %q, want %q", rev.RevID, title, rev.User, wantUser)
	}
	if strings.TrimSpace(rev.Slots["main"].Content) != text {
		t.Errorf("wiki page %q has text %q, want %q", title, rev.Slots["main"].Content, text)
	}

	// Log out: back to the logged-out page.
	logout, err := b.FindCSS("#logout")
	if err != nil {
		t.Fatal(err)
	}
	if err := logout.Click(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.WaitCSS("#login", pageWait); err != nil {
		t.Fatal(err)
	}
	if _, err := b.FindCSS("#username"); !browser.IsNoSuchElement(err) {
		t.Errorf("after logout #username is still there (err %v)", err)
	}
	// Still logged out after a reload (the session is gone, not just the page).
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

// latestRevision reads the page's latest revision from the wiki's api.php
// with a plain GET (not through the app or the provider), decoded into the
// generated package's typed answer of action=query.
func latestRevision(t *testing.T, w *testwiki.Wiki, title string) generated.QueryRevisionsPageRevisionsItem {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	body, err := w.Get(ctx, url.Values{
		"action":  {"query"},
		"prop":    {"revisions"},
		"titles":  {title},
		"rvprop":  {"ids|content|user"},
		"rvslots": {"main"},
	})
	if err != nil {
		t.Fatalf("reading %q from the wiki: %v", title, err)
	}
	var r generated.QueryResponse
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("decoding the wiki's answer: %v: %s", err, body)
	}
	if len(r.Pages) != 1 || r.Pages[0].Missing || r.Pages[0].QueryRevisionsPage == nil || len(r.Pages[0].Revisions) != 1 {
		t.Fatalf("the wiki has no revision of %q: %s", title, body)
	}
	return r.Pages[0].Revisions[0]
}

// artifactDir is where screenshots go: $MWGEN_ARTIFACTS if set, else a
// temporary directory of the test.
func artifactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("MWGEN_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("MWGEN_ARTIFACTS: %v", err)
	}
	return dir
}

func saveScreenshot(t *testing.T, b *browser.Browser, dir, name string) {
	t.Helper()
	png, err := b.Screenshot()
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	t.Logf("screenshot: %s (%d bytes)", path, len(png))
}
