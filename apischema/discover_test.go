package apischema

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mwgen/mwgen/internal/testwiki"
)

// The real wiki's pages carry the EditURI link: its index.php, an article
// and its root all lead to its api.php.
func TestFindAPIOnRealWiki(t *testing.T) {
	w := testwiki.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, in := range []string{
		w.Index,
		w.Index + "?title=Main_Page",
		w.Server + "/",
		w.API,
		w.API + "?action=rsd",
	} {
		got, err := FindAPI(ctx, in, FetchOptions{})
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if got.API != w.API {
			t.Errorf("%s: found %s (%s), want %s", in, got.API, got.How, w.API)
		}
	}
	if got, _ := FindAPI(ctx, w.Index, FetchOptions{}); got.How != "the page's EditURI link" {
		t.Errorf("index.php found by %q, want its EditURI link", got.How)
	}
}

func TestFindAPIEditURIAndFallbacks(t *testing.T) {
	mux := http.NewServeMux()
	var srv *httptest.Server
	mux.HandleFunc("/wiki/Main_Page", func(w http.ResponseWriter, r *http.Request) {
		// Protocol-relative, as Wikimedia serves it.
		host := strings.TrimPrefix(srv.URL, "http:")
		w.Write([]byte(`<html><head><link rel="EditURI" type="application/rsd+xml" href="` + host + `/w/api.php?action=rsd"/></head></html>`))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			http.Redirect(w, r, "/wiki/Main_Page", http.StatusMovedPermanently)
			return
		}
		http.NotFound(w, r)
	})
	srv = httptest.NewServer(mux)
	defer srv.Close()
	ctx := context.Background()
	got, err := FindAPI(ctx, srv.URL, FetchOptions{})
	if err != nil || got.API != srv.URL+"/w/api.php" {
		t.Errorf("root: %+v, %v", got, err)
	}

	// No EditURI: /w/api.php is probed, then /api.php.
	fallback := http.NewServeMux()
	fallback.HandleFunc("/api.php", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"batchcomplete":true,"query":{"general":{"generator":"MediaWiki 1.43.0"}}}`))
	})
	fallback.HandleFunc("/w/api.php", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<html>not here</html>`))
	})
	fallback.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`<html>a page</html>`)) })
	fb := httptest.NewServer(fallback)
	defer fb.Close()
	got, err = FindAPI(ctx, fb.URL+"/wiki/Some_Page", FetchOptions{})
	if err != nil || got.API != fb.URL+"/api.php" || got.How != "probed" {
		t.Errorf("fallback: %+v, %v", got, err)
	}
}

func TestFindAPIFailsNamingWhatItTried(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/w/api.php" {
			w.Write([]byte(`{"hello":"world"}`))
			return
		}
		w.Write([]byte(`<html><head><link rel="stylesheet" href="x.css"></head></html>`))
	}))
	defer srv.Close()
	_, err := FindAPI(context.Background(), srv.URL+"/index.php", FetchOptions{})
	if err == nil {
		t.Fatal("want an error")
	}
	msg := err.Error()
	for _, want := range []string{"no EditURI link", srv.URL + "/api.php", srv.URL + "/w/api.php: HTTP 200, JSON that is not MediaWiki's siteinfo"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not name %q", msg, want)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("error spans lines: %q", msg)
	}
	for _, bad := range []string{"ftp://x", "wiki.example.org", "http://"} {
		if _, err := FindAPI(context.Background(), bad, FetchOptions{}); err == nil || !strings.Contains(err.Error(), "bad wiki URL") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestEditURIParsing(t *testing.T) {
	base, _ := http.NewRequest("GET", "https://wiki.example.org/wiki/Main_Page", nil)
	for page, want := range map[string]string{
		`<link rel="EditURI" type="application/rsd+xml" href="//wiki.example.org/w/api.php?action=rsd"/>`: "https://wiki.example.org/w/api.php",
		`<LINK href='/api.php?action=rsd' rel='EditURI'>`:                                                 "https://wiki.example.org/api.php",
		`<link rel=EditURI href=https://other.example/w/api.php?action=rsd&amp;x=1>`:                      "https://other.example/w/api.php",
		`<link rel="edituri-not" href="/x.php">`:                                                          "",
	} {
		got, ok := editURI([]byte(page), base.URL)
		if got != want || ok != (want != "") {
			t.Errorf("%s: %q %v, want %q", page, got, ok, want)
		}
	}
}
