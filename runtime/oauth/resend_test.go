package oauth_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mwgen/mwgen/runtime/oauth"
)

// closeTracker records that the transport closed the caller's body.
type closeTracker struct {
	io.Reader
	closed bool
}

func (c *closeTracker) Close() error { c.closed = true; return nil }

// TestRefreshResendsBody: after "Nonce already used" a RefreshingTransport
// sends the form body again, identical and signed, whether the request can
// give it again (GetBody) or not (buffered); the caller's request keeps
// its headers and its body is closed.
func TestRefreshResendsBody(t *testing.T) {
	const body = "action=edit&text=h%C3%A9llo+w%2Borld&token=%2B%5C"
	for _, withGetBody := range []bool{true, false} {
		t.Run(fmt.Sprintf("GetBody=%v", withGetBody), func(t *testing.T) {
			a := newFakeAPI(t)
			cfg := a.f.config()
			creds, err := oauth.Authorize(ctxT(t), cfg, fakePrompter(a.f))
			if err != nil {
				t.Fatal(err)
			}
			hc := &http.Client{Transport: oauth.NewRefreshingTransport(oauth.RefreshOptions{Config: cfg, Credentials: creds})}
			tracker := &closeTracker{Reader: strings.NewReader(body)}
			req, err := http.NewRequestWithContext(ctxT(t), http.MethodPost, a.api(), tracker)
			if err != nil {
				t.Fatal(err)
			}
			if withGetBody {
				req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(body)), nil }
				req.ContentLength = int64(len(body))
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			a.failNonce = 1
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(b), `"ok":true`) {
				t.Fatalf("answer %s", b)
			}
			if len(a.bodies) != 2 || a.bodies[0] != body || a.bodies[1] != body {
				t.Errorf("bodies sent: %q, want the body twice", a.bodies)
			}
			if len(a.nonces) != 2 || a.nonces[0] == a.nonces[1] || a.nonces[0] == "" {
				t.Errorf("nonces sent: %q, want two different", a.nonces)
			}
			if h := req.Header.Get("Authorization"); h != "" {
				t.Errorf("caller's request modified: Authorization %q", h)
			}
			if !tracker.closed {
				t.Error("caller's body not closed")
			}
		})
	}
}

// TestTransportConcurrent signs GETs and form POSTs from 8 goroutines
// through one Transport and one Signer, each checked by a server that
// verifies the signature; CI runs it under the race detector.
func TestTransportConcurrent(t *testing.T) {
	srv := verifyingServer(t, "cs", "ts")
	s := testSigner()
	s.Server = ""
	s.Nonce = nil // crypto/rand: unique per request
	hc := oauth.NewHTTPClient(s, nil)
	errs := make(chan error, 8)
	for g := range 8 {
		go func() {
			errs <- func() error {
				for i := range 25 {
					text := fmt.Sprintf("g%d+i%d %s", g, i, strings.Repeat("é&=%", g))
					var req *http.Request
					var err error
					if i%2 == 0 {
						req, err = http.NewRequest("GET", srv.URL+"/w/api.php?action=query&titles="+url.QueryEscape(text), nil)
					} else {
						req, err = http.NewRequest("POST", srv.URL+"/w/api.php", strings.NewReader(url.Values{"text": {text}}.Encode()))
						req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					}
					if err != nil {
						return err
					}
					resp, err := hc.Do(req)
					if err != nil {
						return err
					}
					out, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 || (i%2 == 1 && !strings.Contains(string(out), "text="+text)) {
						return fmt.Errorf("goroutine %d request %d: %d %s", g, i, resp.StatusCode, out)
					}
				}
				return nil
			}()
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
