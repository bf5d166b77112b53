package oauth

import (
	"errors"
	"fmt"
	"io"
	"net/http"
)

// Transport is an http.RoundTripper that signs every request with Signer
// before handing it to Base. It signs a clone: the caller's request is
// never modified (beyond its body being consumed and closed, as for any
// RoundTripper). Each attempt, including each redirect hop and retry, gets
// a fresh nonce and timestamp.
//
// Plug it into any *http.Client, for instance the one given to the API
// client in runtime.Options.HTTPClient:
//
//	hc := &http.Client{Transport: &oauth.Transport{Signer: s}}
//	c, err := mw.NewClient("https://en.wikipedia.org/w/api.php", mw.Options{HTTPClient: hc, AssertUser: true})
//
// Redirects break OAuth signatures (MediaWiki signs against $wgServer and
// the path it receives), so send requests to the wiki's canonical https
// URL.
type Transport struct {
	Signer *Signer
	// Base sends the signed requests. nil means http.DefaultTransport.
	Base http.RoundTripper
}

// RoundTrip signs a clone of req and sends it with Base. It never mutates
// the caller's request.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.Signer == nil {
		closeBody(req)
		return nil, errors.New("oauth: Transport has no Signer")
	}
	r, err := signedCopy(t.Signer, req, nil)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(r)
}

// signedCopy returns a copy of req signed by s: a shallow copy with its
// own Header, as dghubble/oauth1 and x/oauth2 make (signing only reads the
// header and, when it has to read a body without GetBody, replaces Body
// and GetBody). body, when not nil, is the copy's Body. The copy's header
// is req's cloned with the Authorization header, its values in the same
// allocation as the copy when there are few.
func signedCopy(s *Signer, req *http.Request, body io.ReadCloser) (*http.Request, error) {
	sr := new(signedRequest)
	sr.req = *req
	r := &sr.req
	if body != nil {
		r.Body = body
	}
	auth, _, err := s.authorization(r, nil, false)
	if err != nil {
		return nil, err
	}
	r.Header = cloneHeaderWith(req.Header, "Authorization", auth, sr.values[:])
	return r, nil
}

// signedRequest is a request copy and room for its header's values (the
// Authorization header and three more), allocated together.
type signedRequest struct {
	req    http.Request
	values [4]string
}

// cloneHeaderWith is h.Clone() followed by Set(key, value) for a
// canonical key: the values of all keys share one slice, with room for
// value: room when it is large enough.
func cloneHeaderWith(h http.Header, key, value string, room []string) http.Header {
	nv := 1
	for _, vv := range h {
		nv += len(vv)
	}
	sv := room
	if nv > len(sv) {
		sv = make([]string, nv)
	}
	h2 := make(http.Header, len(h)+1)
	for k, vv := range h {
		if k == key {
			continue
		}
		if vv == nil {
			// Preserve nil values (Header.Clone does): ReverseProxy
			// and others tell "unset" from "empty" by it.
			h2[k] = nil
			continue
		}
		n := copy(sv, vv)
		h2[k] = sv[:n:n]
		sv = sv[n:]
	}
	sv[0] = value
	h2[key] = sv[:1:1]
	return h2
}

// String describes the Transport without secrets.
func (t Transport) String() string {
	signer := "<nil>"
	if t.Signer != nil {
		signer = t.Signer.String()
	}
	return fmt.Sprintf("oauth.Transport{%s, base=%T}", signer, t.Base)
}

// Format implements fmt.Formatter so that no verb prints the secrets.
func (t Transport) Format(f fmt.State, verb rune) { writeRedacted(f, verb, t.String()) }

// closeBody honours the RoundTripper contract of closing the body, also on
// errors.
func closeBody(req *http.Request) {
	if req != nil && req.Body != nil {
		req.Body.Close()
	}
}

// NewHTTPClient returns an *http.Client whose requests s signs: a copy of
// base (its Jar, Timeout and CheckRedirect are kept; nil means a zero
// http.Client) with its Transport wrapped in a [Transport].
//
//	hc := oauth.NewHTTPClient(s, &http.Client{Timeout: time.Minute})
func NewHTTPClient(s *Signer, base *http.Client) *http.Client {
	var c http.Client
	if base != nil {
		c = *base
	}
	c.Transport = &Transport{Signer: s, Base: c.Transport}
	return &c
}
