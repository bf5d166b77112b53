package main

// Tests of the example app over HTTP without a browser (e2e_test.go drives
// it in Chromium): the page's element ids, the CSRF check of /edit, the
// edit through the generated client on the real wiki, logout. TestMain is
// in e2e_test.go.

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mwgen/mwgen/generated"
	"github.com/mwgen/mwgen/internal/oauthprovider"
	"github.com/mwgen/mwgen/internal/testwiki"
)

func TestPublicHostPort(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:8000": "127.0.0.1:8000",
		":8000":          "localhost:8000",
		"0.0.0.0:8000":   "localhost:8000",
		"[::]:8000":      "localhost:8000",
		"[::1]:8000":     "[::1]:8000",
		"example.org:80": "example.org:80",
	} {
		if got := publicHostPort(in); got != want {
			t.Errorf("publicHostPort(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewAppChecks(t *testing.T) {
	good := appConfig{API: "http://127.0.0.1:1/api.php", Listen: "127.0.0.1:1", ConsumerKey: "k", ConsumerSecret: "s"}
	if _, err := newApp(good); err != nil {
		t.Fatal(err)
	}
	for name, mod := range map[string]func(*appConfig){
		"no API":      func(c *appConfig) { c.API = "" },
		"no key":      func(c *appConfig) { c.ConsumerKey = "" },
		"no secret":   func(c *appConfig) { c.ConsumerSecret = "" },
		"no listen":   func(c *appConfig) { c.Listen = "" },
		"bad API":     func(c *appConfig) { c.API = "api.php" },
		"bad session": func(c *appConfig) { c.Sessions = "/dev/null/x" },
	} {
		c := good
		mod(&c)
		if _, err := newApp(c); err == nil {
			t.Errorf("%s: newApp accepted", name)
		}
	}
	// --sessions makes a private directory.
	dir := filepath.Join(t.TempDir(), "sessions")
	c := good
	c.Sessions = dir
	if _, err := newApp(c); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("sessions dir: %v %v", fi.Mode(), err)
	}
}

// client is a cookie-keeping HTTP client that does not follow redirects.
type client struct {
	t  *testing.T
	hc *http.Client
}

func newClient(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, hc: &http.Client{Jar: jar, Timeout: 2 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) do(method, u string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([0-9a-f]{64})"`)

func TestAppOverHTTP(t *testing.T) {
	w := testwiki.Require(t)
	p := oauthprovider.Start(t, w.API, w.BotUser, w.BotPassword)
	wikiUser, _, _ := strings.Cut(w.BotUser, "@")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	app := "http://" + addr
	reg, err := p.RegisterConsumer(oauthprovider.Consumer{Name: "webapp test", Callback: app + "/oauth-callback", CallbackIsPrefix: true})
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	h, err := newApp(appConfig{API: p.API, Listen: addr, ConsumerKey: reg.Key, ConsumerSecret: reg.Secret})
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	c := newClient(t)
	// Logged out.
	resp, page := c.do("GET", app+"/", nil)
	if resp.StatusCode != 200 || !strings.Contains(page, `<a id="login" href="/login?next=/">`) || strings.Contains(page, `id="username"`) {
		t.Fatalf("logged-out page: %d\n%s", resp.StatusCode, page)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP %q", csp)
	}
	if resp, _ := c.do("GET", app+"/nothing-here", nil); resp.StatusCode != 404 {
		t.Errorf("unknown path: %d", resp.StatusCode)
	}

	// Login.
	resp, _ = c.do("GET", app+"/login?next=/", nil)
	authURL := resp.Header.Get("Location")
	if resp.StatusCode != 303 || !strings.HasPrefix(authURL, p.Index+"?title=Special:OAuth/authorize") {
		t.Fatalf("/login: %d %q\nprovider log:\n%s", resp.StatusCode, authURL, p.Log())
	}
	resp, _ = c.do("GET", authURL+"&mwgen_test_autoapprove=1", nil)
	cb := resp.Header.Get("Location")
	if !strings.HasPrefix(cb, app+"/oauth-callback?") {
		t.Fatalf("authorize redirects to %q", cb)
	}
	resp, page = c.do("GET", cb, nil)
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/" {
		t.Fatalf("callback: %d %q %s\nprovider log:\n%s", resp.StatusCode, resp.Header.Get("Location"), page, p.Log())
	}

	// Logged in: the ids the e2e test uses.
	_, page = c.do("GET", app+"/", nil)
	for _, want := range []string{
		`<span id="username">` + wikiUser + `</span>`,
		`<ul id="groups">`, `<li>sysop</li>`,
		`<form id="edit-form" method="post" action="/edit">`,
		`<input id="edit-title" name="title"`,
		`<textarea id="edit-text" name="text">`,
		`<button id="edit-submit" type="submit">`,
		`<form method="post" action="/logout"`, `<button type="submit" id="logout">Log out</button>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("logged-in page lacks %s:\n%s", want, page)
		}
	}
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in the form:\n%s", page)
	}
	csrf := m[1]

	title := fmt.Sprintf("Mwgen webapp test %d", time.Now().UnixNano())
	text := "Edited by the webapp test."
	// CSRF: missing, wrong, and a session-less (cross-site) POST.
	for name, form := range map[string]url.Values{
		"no token":    {"title": {title}, "text": {text}},
		"wrong token": {"title": {title}, "text": {text}, "csrf": {strings.Repeat("0", 64)}},
	} {
		if resp, _ := c.do("POST", app+"/edit", form); resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST /edit with %s: %d", name, resp.StatusCode)
		}
	}
	if resp, _ := newClient(t).do("POST", app+"/edit", url.Values{"title": {title}, "text": {text}, "csrf": {csrf}}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("POST /edit without the session cookie: %d", resp.StatusCode)
	}
	if rev := latestRevisionOrNil(t, w, title); rev != nil {
		t.Fatalf("a refused POST edited the page: %+v", rev)
	}

	// The edit.
	resp, page = c.do("POST", app+"/edit", url.Values{"title": {title}, "text": {text}, "csrf": {csrf}})
	rm := regexp.MustCompile(`<p id="edit-result">Saved revision (\d+) of ([^<]+)</p>`).FindStringSubmatch(page)
	if resp.StatusCode != 200 || rm == nil || rm[2] != title {
		t.Fatalf("POST /edit: %d\n%s\nprovider log:\n%s", resp.StatusCode, page, p.Log())
	}
	rev := latestRevision(t, w, title)
	if fmt.Sprint(rev.RevID) != rm[1] || rev.User != wikiUser || strings.TrimSpace(rev.Slots["main"].Content) != text {
		t.Errorf("wiki has %+v, the app said revision %s", rev, rm[1])
	}
	// The same text again: no change, the same revision.
	_, page = c.do("POST", app+"/edit", url.Values{"title": {title}, "text": {text}, "csrf": {csrf}})
	if want := fmt.Sprintf(`<p id="edit-result">Saved revision %s of %s (no change`, rm[1], title); !strings.Contains(page, want) {
		t.Errorf("unchanged edit: want %s in\n%s", want, page)
	}
	// An empty title is refused by the app.
	if resp, _ := c.do("POST", app+"/edit", url.Values{"title": {" "}, "text": {text}, "csrf": {csrf}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("empty title: %d", resp.StatusCode)
	}

	// Another site cannot log the user out: a GET only asks, a POST
	// needs the CSRF token.
	if resp, page := c.do("GET", app+"/logout?next=/", nil); resp.StatusCode != 200 || !strings.Contains(page, `id="logout-confirm"`) {
		t.Errorf("GET /logout: %d\n%s", resp.StatusCode, page)
	}
	if resp, _ := c.do("POST", app+"/logout", url.Values{"next": {"/"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST /logout without the CSRF token: %d", resp.StatusCode)
	}
	// Logout with the page's button, then the old CSRF token is worthless.
	resp, _ = c.do("POST", app+"/logout", url.Values{"next": {"/"}, "csrf": {csrf}})
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/" {
		t.Fatalf("logout: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page = c.do("GET", app+"/", nil)
	if !strings.Contains(page, `id="login"`) || strings.Contains(page, `id="username"`) {
		t.Errorf("page after logout:\n%s", page)
	}
	if resp, _ := c.do("POST", app+"/edit", url.Values{"title": {title}, "text": {"x"}, "csrf": {csrf}}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("POST /edit after logout: %d", resp.StatusCode)
	}
	// Open redirects are refused by the app's login routes too.
	resp, _ = c.do("GET", app+"/logout?next="+url.QueryEscape("//evil.example"), nil)
	if resp.Header.Get("Location") != "/" {
		t.Errorf("logout?next=//evil.example redirects to %q", resp.Header.Get("Location"))
	}
}

// latestRevisionOrNil is latestRevision for a page that may be missing.
func latestRevisionOrNil(t *testing.T, w *testwiki.Wiki, title string) *generated.QueryRevisionsPageRevisionsItem {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	body, err := w.Get(ctx, url.Values{"action": {"query"}, "titles": {title}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(body), `"missing":true`) {
		return nil
	}
	r := latestRevision(t, w, title)
	return &r
}
