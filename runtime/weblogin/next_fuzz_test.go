package weblogin

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// browserResolve resolves a Location header value against base the way a
// browser's URL parser (WHATWG, for http) reads it, for what matters here
// (which origin the browser goes to): leading and trailing C0 controls
// and spaces are stripped, tabs and newlines removed anywhere, "\" is
// "/", a scheme other than base's leaves the site, "//" (or "http://")
// names another authority. ok is false when the browser would leave
// base's origin or the value is not a URL.
func browserResolve(base *url.URL, loc string) (*url.URL, bool) {
	loc = strings.TrimFunc(loc, func(r rune) bool { return r <= 0x20 })
	loc = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(loc)
	loc = strings.ReplaceAll(loc, "\\", "/")
	if m := schemeRE.FindString(loc); m != "" {
		if !strings.EqualFold(strings.TrimSuffix(m, ":"), base.Scheme) {
			return nil, false // javascript:, https:, data:, ...
		}
		loc = loc[len(m):] // "http:foo" is relative to an http base
	}
	if strings.HasPrefix(loc, "//") {
		return nil, false // another authority
	}
	u, err := url.Parse(loc)
	if err != nil {
		// Go is stricter than browsers on some bytes; the origin question
		// is settled above (no scheme, no authority): a path on the site.
		return base, true
	}
	r := base.ResolveReference(u)
	return r, r.Scheme == base.Scheme && r.Host == base.Host
}

var schemeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.\-]*:`)

// FuzzSafeNext: differentially, whatever SafeNext accepts, a browser that
// follows the Location header http.Redirect writes for it (as /login and
// /logout do) stays on the site.
func FuzzSafeNext(f *testing.F) {
	for _, s := range badNexts {
		f.Add(s)
	}
	for _, s := range []string{"/", "/done", "/bye?x=1", "/a/b/../c", "/%2e%2e/x", "/p?next=//evil.example", "/é", "/a b", "/#frag", "/.//evil.example"} {
		f.Add(s)
	}
	base, _ := url.Parse("http://app.test/login")
	f.Fuzz(func(t *testing.T, next string) {
		if !SafeNext(next) {
			return
		}
		req := httptest.NewRequest(http.MethodGet, "http://app.test/login", nil)
		rec := httptest.NewRecorder()
		http.Redirect(rec, req, next, http.StatusSeeOther)
		// What goes on the wire: net/http turns CR and LF in header
		// values into spaces.
		loc := strings.NewReplacer("\r", " ", "\n", " ").Replace(rec.Header().Get("Location"))
		if _, ok := browserResolve(base, loc); !ok {
			t.Fatalf("SafeNext(%q) is true, but a browser follows Location %q off the site", next, loc)
		}
	})
}

// TestBrowserResolve: the model of the browser refuses what browsers
// really treat as another origin.
func TestBrowserResolve(t *testing.T) {
	base, _ := url.Parse("http://app.test/login")
	for _, off := range []string{"//evil.example", "/\\evil.example", "\\\\evil.example", " //evil.example", "/\t/evil.example",
		"https://evil.example", "javascript:alert(1)", "http://evil.example", "http:\\\\evil.example", "\x00//evil.example"} {
		if _, ok := browserResolve(base, off); ok {
			t.Errorf("browserResolve(%q) stays on the site", off)
		}
	}
	for _, on := range []string{"/", "/done?x=1", "http:/done", "done", "/%2F%2Fevil.example"} {
		if u, ok := browserResolve(base, on); !ok || u.Host != "app.test" {
			t.Errorf("browserResolve(%q) = %v, %v", on, u, ok)
		}
	}
}
