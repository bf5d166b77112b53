package apischema

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mwgen/mwgen/internal/testwiki"
)

func TestMain(m *testing.M) { testwiki.Main(m) }

// countingTransport counts the requests that go through it.
type countingTransport struct {
	n    atomic.Int32
	next http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

// TestFetchLiveEqualsEmbedded fetches the whole schema of the real 1.39 wiki
// and compares it with the embedded snapshot, volatile data aside.
func TestFetchLiveEqualsEmbedded(t *testing.T) {
	w := testwiki.Require(t)
	counter := &countingTransport{next: http.DefaultTransport}
	live, err := Fetch(context.Background(), w.API, FetchOptions{
		HTTPClient: &http.Client{Transport: counter, Timeout: time.Minute},
		HelpFormat: "wikitext",
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := counter.n.Load(); n > 2 {
		t.Errorf("a full fetch took %d HTTP requests, want at most 2", n)
	}
	if live.Wiki.MediaWikiVersion() == "" || !strings.HasPrefix(live.Wiki.MediaWikiVersion(), "1.39.") {
		t.Errorf("live wiki version %q", live.Wiki.Generator)
	}
	if live.Wiki.API != w.API || live.Wiki.Server != w.Server {
		t.Errorf("wiki = %+v", live.Wiki)
	}
	if time.Since(live.FetchedAt) > time.Hour {
		t.Errorf("FetchedAt = %v", live.FetchedAt)
	}

	embedded, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if live.Hash() != embedded.Hash() {
		// Show what differs, module by module, without the volatile parts.
		want, got := map[string]*Module{}, map[string]*Module{}
		for _, m := range embedded.Modules {
			want[m.Path] = stable(m)
		}
		for _, m := range live.Modules {
			got[m.Path] = stable(m)
		}
		t.Errorf("live schema hash %s, embedded %s; regenerate the snapshot with `mwgen schema fetch` if the wiki changed on purpose. Diff (-embedded +live):\n%s",
			live.ShortHash(), embedded.ShortHash(), cmp.Diff(want, got))
	}
	if d := Diff(embedded, live); !d.Empty() {
		t.Errorf("Diff(embedded, live) is not empty:\n%s", d)
	}
}

// TestFetchWalksWhenWildcardUnsupported puts a proxy in front of the real
// wiki that answers modules=main|** the way a wiki without ** support does
// (a warning and only main), so Fetch must walk the submodule tree.
func TestFetchWalksWhenWildcardUnsupported(t *testing.T) {
	w := testwiki.Require(t)
	target, _ := url.Parse(w.Server)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var batches atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("action") == "paraminfo" {
			mods := strings.Split(q.Get("modules"), "|")
			for _, m := range mods {
				if strings.Contains(m, "*") {
					// Old wikis ignore what they do not know: ask for main only.
					q.Set("modules", "main")
					r.URL.RawQuery = q.Encode()
					break
				}
			}
			if len(mods) > 50 {
				http.Error(rw, "too many modules in one batch", http.StatusBadRequest)
				return
			}
			batches.Add(1)
		}
		proxy.ServeHTTP(rw, r)
	}))
	defer srv.Close()

	walked, err := Fetch(context.Background(), srv.URL+"/api.php", FetchOptions{HelpFormat: "wikitext"})
	if err != nil {
		t.Fatal(err)
	}
	embedded, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if walked.Hash() != embedded.Hash() {
		t.Errorf("walked schema differs from the embedded one:\n%s", Diff(embedded, walked))
	}
	if n := batches.Load(); n < 4 {
		t.Errorf("only %d paraminfo requests: the walk did not batch", n)
	}
}

func TestFetchRetriesMaxlag(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			rw.Header().Set("Retry-After", "0")
			rw.Header().Set("MediaWiki-API-Error", "maxlag")
			io.WriteString(rw, `{"error":{"code":"maxlag","info":"Waiting for a database server: 7 seconds lagged."}}`)
			return
		}
		serveTinyWiki(rw, r)
	}))
	defer srv.Close()
	s, err := Fetch(context.Background(), srv.URL+"/api.php", FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Modules) != 2 || calls.Load() != 4 {
		t.Errorf("%d modules after %d calls", len(s.Modules), calls.Load())
	}
}

func TestFetchMaxlagGivesUp(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Retry-After", "0")
		io.WriteString(rw, `{"error":{"code":"maxlag","info":"lagged"}}`)
	}))
	defer srv.Close()
	_, err := Fetch(context.Background(), srv.URL+"/api.php", FetchOptions{MaxRetries: 2})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "maxlag" {
		t.Fatalf("want a maxlag APIError, got %v", err)
	}
}

// serveTinyWiki answers siteinfo and paraminfo for a two-module wiki.
func serveTinyWiki(rw http.ResponseWriter, r *http.Request) {
	switch r.URL.Query().Get("action") {
	case "query":
		io.WriteString(rw, `{"batchcomplete":true,"query":{"general":{"generator":"MediaWiki 1.39.0","server":"http://tiny","sitename":"Tiny"},"userinfo":{"rights":[]}}}`)
	default:
		io.WriteString(rw, `{"paraminfo":{"helpformat":"none","modules":[
			{"name":"main","path":"main","prefix":"","parameters":[{"index":1,"name":"action","type":["q"],"submodules":{"q":"q"},"required":false,"multi":false}]},
			{"name":"q","path":"q","group":"action","prefix":"","parameters":[]}]}}`)
	}
}

func TestFetchBadInput(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"html page", func(rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "text/html")
			io.WriteString(rw, "<!DOCTYPE html><html><body>Welcome</body></html>")
		}, "does not look like a MediaWiki api.php"},
		{"json but not mediawiki", func(rw http.ResponseWriter, r *http.Request) {
			io.WriteString(rw, `{"status":"ok"}`)
		}, "does not look like a MediaWiki api.php"},
		{"readapidenied", func(rw http.ResponseWriter, r *http.Request) {
			io.WriteString(rw, `{"error":{"code":"readapidenied","info":"You need read permission to use this module."}}`)
		}, "authenticate"},
		{"truncated paraminfo", func(rw http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("action") == "query" {
				serveTinyWiki(rw, r)
				return
			}
			io.WriteString(rw, `{"paraminfo":{"helpformat":"none","modules":[{"name":"main","pa`)
		}, "truncated JSON"},
		{"server error", func(rw http.ResponseWriter, r *http.Request) {
			http.Error(rw, `{"oops":1}`, http.StatusInternalServerError)
		}, "HTTP 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			_, err := Fetch(context.Background(), srv.URL+"/api.php", FetchOptions{MaxRetries: -1})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want an error containing %q, got %v", tt.want, err)
			}
			if !strings.Contains(err.Error(), srv.URL) {
				t.Errorf("error does not name the wiki: %v", err)
			}
		})
	}
	for _, bad := range []string{"", "wiki.example.org/api.php", "ftp://x/api.php", "https://x/api.php?action=query"} {
		if _, err := Fetch(context.Background(), bad, FetchOptions{}); err == nil || !strings.Contains(err.Error(), "bad API URL") {
			t.Errorf("Fetch(%q) = %v, want a bad API URL error", bad, err)
		}
	}
}

// TestFetchNotAPIOnRealWiki points Fetch at the real wiki's index.php.
func TestFetchNotAPIOnRealWiki(t *testing.T) {
	w := testwiki.Require(t)
	_, err := Fetch(context.Background(), w.Index, FetchOptions{})
	if err == nil || !strings.Contains(err.Error(), "does not look like a MediaWiki api.php") {
		t.Fatalf("want a not-api.php error, got %v", err)
	}
}

// BenchmarkFetchLive measures a full fetch with help text from the real wiki.
func BenchmarkFetchLive(b *testing.B) {
	w := testwiki.Require(b)
	b.ReportAllocs()
	for range b.N {
		if _, err := Fetch(context.Background(), w.API, FetchOptions{HelpFormat: "wikitext"}); err != nil {
			b.Fatal(err)
		}
	}
}
