package weblogin

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// goodNexts are same-site paths that must be kept.
var goodNexts = []string{
	"/",
	"/edit",
	"/wiki/Main_Page",
	"/a/b/",
	"/page?title=Foo&action=view",
	"/page?u=https://example.org/x#frag",
	"/wiki/%C3%9Cber",
	"/wiki/Ünïcödé",
	"/search?q=a%20b",
	"/a:b",
	"/javascript:alert(1)", // a path named so, on this site
	"/@evil.example",       // a path too: the host is this site
}

// badNexts are open-redirect attempts (and other junk): each must be
// refused, on /login and on /logout.
var badNexts = []string{
	"//evil.example",
	"///evil.example",
	"////evil.example",
	"https://evil.example",
	"http://evil.example/",
	"HTTPS://evil.example",
	"/\\evil.example",
	"\\\\evil.example",
	"\\/evil.example",
	"/\\/evil.example",
	"/%2F%2Fevil.example",
	"/%2f%2fevil.example",
	"/%2F/evil.example",
	"/%5Cevil.example",
	"/%5cevil.example",
	"%2F%2Fevil.example",
	"%2f%2fevil.example",
	"%5C%5Cevil.example",
	"/%252F%252Fevil.example", // double-encoded
	"/%25252F%25252Fevil.example",
	"/%255Cevil.example",
	"http:evil",
	"http:/evil.example",
	"https:evil.example",
	"javascript:alert(1)",
	"JaVaScRiPt:alert(1)",
	"data:text/html,<script>alert(1)</script>",
	"vbscript:msgbox(1)",
	"/\\t/evil",
	"/\t/evil.example",
	"/\n/evil.example",
	"/\r/evil.example",
	"\t//evil.example",
	" //evil.example",
	"/%09/evil.example",
	"/%0A/evil.example",
	"/%0d/evil.example",
	"/%00",
	"/evil\x00.example",
	"/a\\b",
	"/.//evil.example",
	"/./evil.example",
	"/../evil.example",
	"/a/../../evil.example",
	"/%2E%2E/evil.example",
	"/%2e/%2fevil.example",
	"/a//b",
	"/\u00a0/evil.example",
	"/\u2028/evil.example",
	"/\u202e/evil.example",
	"/%E2%80%A8/evil.example",
	"/%zz",
	"/%",
	"evil.example",
	"evil",
	"?next=//evil.example",
	"#//evil.example",
	"/" + strings.Repeat("a", 3000),
}

func TestSafeNext(t *testing.T) {
	for _, s := range goodNexts {
		if !SafeNext(s) {
			t.Errorf("SafeNext(%q) = false, want true", s)
		}
	}
	for _, s := range badNexts {
		if SafeNext(s) {
			t.Errorf("SafeNext(%q) = true, want false", s)
		}
	}
}

// checkLocation fails unless loc is want, a same-site path.
func checkLocation(t *testing.T, what, loc, want string) {
	t.Helper()
	if loc != want {
		t.Errorf("%s: Location %q, want %q", what, loc, want)
	}
	u, err := url.Parse(loc)
	if err != nil || u.Host != "" || u.Scheme != "" || !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.Contains(loc, "\\") {
		t.Errorf("%s: Location %q leaves the site", what, loc)
	}
}

// TestOpenRedirectLogin: every bad next given to /login ends, after the
// whole login, at the default "/"; good ones are kept.
func TestOpenRedirectLogin(t *testing.T) {
	f := newFakeWiki(t)
	h := newTestHandler(t, f, nil)
	run := func(name, rawQuery, want string) {
		t.Helper()
		b := newBrowser(t, h)
		resp := b.getRaw("/login", rawQuery)
		tok := authorizeToken(t, resp)
		resp = b.get(f.approve(t, tok))
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: callback status %d: %s", name, resp.StatusCode, body(resp))
		}
		checkLocation(t, name, resp.Header.Get("Location"), want)
	}
	for _, bad := range badNexts {
		want := "/"
		run("login?next="+url.QueryEscape(bad), "next="+url.QueryEscape(bad), want)
		if !strings.ContainsAny(bad, "&#+% ") { // the same, unescaped in the query
			run("login?next="+bad+" (raw)", "next="+bad, want)
		}
	}
	for _, good := range goodNexts {
		run("login?next="+good, "next="+url.QueryEscape(good), escapeNonASCII(good))
	}
	run("login without next", "", "/")
}

// TestOpenRedirectLogout: the same on /logout, logged in or not, GET and
// POST.
func TestOpenRedirectLogout(t *testing.T) {
	f := newFakeWiki(t)
	h := newTestHandler(t, f, nil)
	for _, bad := range badNexts {
		want := "/"
		b := newBrowser(t, h)
		resp := b.getRaw("/logout", "next="+url.QueryEscape(bad))
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout status %d", resp.StatusCode)
		}
		checkLocation(t, "logout?next="+url.QueryEscape(bad), resp.Header.Get("Location"), want)
		if !strings.ContainsAny(bad, "&#+% ") {
			resp = b.getRaw("/logout", "next="+bad)
			checkLocation(t, "logout?next="+bad+" (raw)", resp.Header.Get("Location"), want)
		}
		req, _ := http.NewRequest(http.MethodPost, "http://app.test/logout", strings.NewReader(url.Values{"next": {bad}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp = b.do(req)
		checkLocation(t, "POST logout next="+url.QueryEscape(bad), resp.Header.Get("Location"), want)
	}
	// Logged in, a good next is kept.
	b := newBrowser(t, h)
	b.loginFake(f, "/")
	resp := b.logout("/bye?x=1")
	checkLocation(t, "logout good next", resp.Header.Get("Location"), "/bye?x=1")
	// Logged in, a refused next on the confirmation page is the default.
	b.loginFake(f, "/")
	for _, bad := range badNexts {
		resp := b.logout(bad)
		checkLocation(t, "logged-in logout next="+url.QueryEscape(bad), resp.Header.Get("Location"), "/")
		b.loginFake(f, "/")
	}
}

// TestDefaultNext: Config.DefaultNext replaces refused values and must
// itself be safe.
func TestDefaultNext(t *testing.T) {
	f := newFakeWiki(t)
	h := newTestHandler(t, f, func(c *Config) { c.DefaultNext = "/home" })
	b := newBrowser(t, h)
	resp := b.get("/logout?next=" + url.QueryEscape("//evil.example"))
	checkLocation(t, "logout", resp.Header.Get("Location"), "/home")
	if _, err := New(Config{API: f.api(), Consumer: h.cfg.Consumer, Callback: appCallback, DefaultNext: "//evil.example"}); err == nil {
		t.Error("New accepted DefaultNext //evil.example")
	}
}

// escapeNonASCII percent-encodes the bytes above 0x7f, as http.Redirect
// does in the Location header.
func escapeNonASCII(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			fmt.Fprintf(&b, "%%%02x", s[i])
		} else {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
