package oauth_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mwgen/mwgen/runtime/oauth"
)

// verifyingServer checks every request's signature the way MediaWiki would
// (base string over what arrived on the wire, HMAC-SHA1 with the shared
// secrets) and reports the form it parsed.
func verifyingServer(t *testing.T, consumerSecret, tokenSecret string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/w/api.php?action=query&redirected=1", http.StatusFound)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		if h == "" {
			http.Error(w, "no Authorization", http.StatusUnauthorized)
			return
		}
		body, _ := io.ReadAll(r.Body)
		params := map[string]string{}
		for _, item := range strings.Split(strings.TrimPrefix(h, "OAuth "), ", ") {
			k, v, _ := strings.Cut(item, "=")
			params[k], _ = url.PathUnescape(strings.Trim(v, `"`))
		}
		sig := params["oauth_signature"]
		delete(params, "oauth_signature")
		base, err := oauth.BaseString(r.Method, "http://"+r.Host+r.RequestURI, "", r.Header.Get("Content-Type"), body, params)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mac := hmac.New(sha1.New, []byte(oauthEncode(consumerSecret)+"&"+oauthEncode(tokenSecret)))
		mac.Write([]byte(base))
		if want := base64.StdEncoding.EncodeToString(mac.Sum(nil)); sig != want {
			http.Error(w, "Invalid signature", http.StatusForbidden)
			return
		}
		form, _ := url.ParseQuery(string(body))
		fmt.Fprintf(w, "ok nonce=%s text=%s query=%s", params["oauth_nonce"], form.Get("text"), r.URL.RawQuery)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func oauthEncode(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

func TestTransportSignsAndDoesNotMutate(t *testing.T) {
	srv := verifyingServer(t, "cs", "ts")
	var n atomic.Int64
	s := testSigner()
	s.Server = "" // httptest's host is the canonical one here
	s.Nonce = func() string { return fmt.Sprintf("nonce%d", n.Add(1)) }
	hc := oauth.NewHTTPClient(s, nil)

	for _, withGetBody := range []bool{true, false} {
		t.Run(fmt.Sprintf("GetBody=%v", withGetBody), func(t *testing.T) {
			const body = "action=edit&text=h%C3%A9llo+w%2Borld&token=%2B%5C"
			var rb io.Reader = strings.NewReader(body)
			if !withGetBody {
				rb = io.NopCloser(rb) // http.NewRequest cannot set GetBody
			}
			req, err := http.NewRequest("POST", srv.URL+"/w/api.php?format=json", rb)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Custom", "1")
			before := req.Header.Clone()
			origURL := req.URL.String()

			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			out, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.HasPrefix(string(out), "ok ") {
				t.Fatalf("%d %s", resp.StatusCode, out)
			}
			if !strings.Contains(string(out), "text=héllo w+orld") {
				t.Errorf("server did not read the form body: %s", out)
			}
			if req.Header.Get("Authorization") != "" || len(req.Header) != len(before) {
				t.Errorf("caller's headers mutated: %v", req.Header)
			}
			if req.URL.String() != origURL {
				t.Errorf("caller's URL mutated: %s", req.URL)
			}
		})
	}
}

func TestTransportSignsEveryRedirectHop(t *testing.T) {
	srv := verifyingServer(t, "cs", "ts")
	var n atomic.Int64
	s := testSigner()
	s.Server = ""
	s.Nonce = func() string { return fmt.Sprintf("hop%d", n.Add(1)) }
	hc := &http.Client{Transport: &oauth.Transport{Signer: s}}
	resp, err := hc.Get(srv.URL + "/redirect")
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(out), "nonce=hop2") || !strings.Contains(string(out), "redirected=1") {
		t.Fatalf("%d %s", resp.StatusCode, out)
	}
}

func TestTransportRejectedSignature(t *testing.T) {
	srv := verifyingServer(t, "cs", "other")
	hc := oauth.NewHTTPClient(testSigner(), nil)
	resp, err := hc.Get(srv.URL + "/w/api.php?action=query")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("status %d, want 403 for a wrong token secret", resp.StatusCode)
	}
}

type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }

func TestTransportClosesBodyOnSignError(t *testing.T) {
	s := testSigner()
	s.Credentials.ConsumerSecret = ""
	body := &closeRecorder{Reader: strings.NewReader("a=1")}
	req, _ := http.NewRequest("POST", "https://en.wikipedia.org/w/api.php", body)
	tr := &oauth.Transport{Signer: s, Base: roundTripFunc(func(*http.Request) (*http.Response, error) {
		t.Fatal("base called")
		return nil, nil
	})}
	if _, err := tr.RoundTrip(req); err == nil {
		t.Fatal("no error")
	}
	if !body.closed {
		t.Error("body not closed")
	}
	if _, err := (&oauth.Transport{}).RoundTrip(req); err == nil {
		t.Error("nil Signer accepted")
	}
}

func TestNewHTTPClientKeepsBase(t *testing.T) {
	base := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return errors.New("no") }}
	var called bool
	base.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		called = true
		if r.Header.Get("Authorization") == "" {
			t.Error("not signed")
		}
		return &http.Response{StatusCode: 200, Body: http.NoBody, Request: r}, nil
	})
	hc := oauth.NewHTTPClient(testSigner(), base)
	if hc == base || hc.CheckRedirect == nil {
		t.Fatal("base not copied")
	}
	if _, ok := base.Transport.(roundTripFunc); !ok {
		t.Fatal("base client modified")
	}
	resp, err := hc.Get("https://en.wikipedia.org/w/api.php")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !called {
		t.Fatal("base transport not used")
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
