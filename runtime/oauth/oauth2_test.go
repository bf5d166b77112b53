package oauth_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/mwgen/mwgen/runtime/oauth"
)

// fakeOAuth2Wiki answers api.php like MediaWiki: the current access token
// works (the body is echoed), any other is HTTP 200
// mwoauth-invalid-authorization; the token endpoint rotates the pair.
type fakeOAuth2Wiki struct {
	srv *httptest.Server

	mu              sync.Mutex
	access, refresh string
	refreshes       int
}

func newFakeOAuth2Wiki(t *testing.T) *fakeOAuth2Wiki {
	f := &fakeOAuth2Wiki{access: "at-1", refresh: "rt-1"}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		switch r.URL.Path {
		case "/w/rest.php/oauth2/access_token":
			_ = r.ParseForm()
			w.Header().Set("Content-Type", "application/json")
			if r.PostForm.Get("grant_type") != "refresh_token" || r.PostForm.Get("refresh_token") != f.refresh {
				w.WriteHeader(401)
				fmt.Fprint(w, `{"error":"invalid_request","error_description":"The refresh token is invalid.","hint":"Token has been revoked","message":"The refresh token is invalid."}`)
				return
			}
			f.refreshes++
			f.access, f.refresh = fmt.Sprintf("at-%d", f.refreshes+1), fmt.Sprintf("rt-%d", f.refreshes+1)
			fmt.Fprintf(w, `{"token_type":"Bearer","expires_in":3600,"access_token":%q,"refresh_token":%q}`, f.access, f.refresh)
		case "/w/api.php":
			if f.access == "" || r.Header.Get("Authorization") != "Bearer "+f.access {
				w.Header().Set("MediaWiki-API-Error", "mwoauth-invalid-authorization")
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, `{"error":{"code":"mwoauth-invalid-authorization","info":"The authorization headers in your request are not valid: Invalid access token"}}`)
				return
			}
			b, _ := io.ReadAll(r.Body)
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprintf(w, "%s %s", r.Method, b)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// expire ends the access token on the wiki; the refresh token stays good.
func (f *fakeOAuth2Wiki) expire() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.access = ""
}

func (f *fakeOAuth2Wiki) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refreshes
}

// TestOAuth2TransportResendsBody: a POST refused on its token is sent
// again once, with the same body, after one refresh; with and without
// GetBody; the caller's request is not modified.
func TestOAuth2TransportResendsBody(t *testing.T) {
	f := newFakeOAuth2Wiki(t)
	src, err := oauth.NewOAuth2TokenSource(oauth.OAuth2SourceOptions{
		Config: oauth.OAuth2Config{REST: f.srv.URL + "/w/rest.php", ClientID: "id", ClientSecret: "SECRET-s"},
		Token:  &oauth2.Token{AccessToken: "at-1", RefreshToken: "rt-1", Expiry: time.Now().Add(time.Hour)},
	})
	if err != nil {
		t.Fatal(err)
	}
	hc := oauth.NewOAuth2HTTPClient(src, nil)
	for i, withGetBody := range []bool{true, false} {
		f.expire()
		body := "action=edit&title=Sandbox&text=" + strings.Repeat("x", 3000)
		var rd io.Reader = strings.NewReader(body)
		if !withGetBody {
			rd = io.NopCloser(strings.NewReader(body))
		}
		req, err := http.NewRequest(http.MethodPost, f.srv.URL+"/w/api.php", rd)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(got) != "POST "+body {
			t.Errorf("GetBody %t: answer %.60q", withGetBody, got)
		}
		if n := f.count(); n != i+1 {
			t.Errorf("GetBody %t: %d refreshes, want %d", withGetBody, n, i+1)
		}
		if req.Header.Get("Authorization") != "" {
			t.Error("the caller's request was modified")
		}
	}
	if s := fmt.Sprintf("%v %+v %#v %s %q", src, hc.Transport, src, src, src); strings.Contains(s, "at-") || strings.Contains(s, "rt-") || strings.Contains(s, "SECRET") {
		t.Errorf("a token or the secret was printed: %s", s)
	}
}
