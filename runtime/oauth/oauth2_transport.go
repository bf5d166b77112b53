package oauth

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"golang.org/x/oauth2"
)

// OAuth2Transport is an http.RoundTripper that sends every request with
// "Authorization: Bearer" and the source's access token, and handles the
// wiki's refusal of the token: api.php's HTTP 200 with MediaWiki-API-Error:
// mwoauth-invalid-authorization (for an expired, revoked or unknown token
// alike), or a 401 access_denied of a rest.php resource. Then it asks the
// source for a new token ([OAuth2TokenSource.Invalidate]: a refresh, or a
// new authorization when the refresh is refused) and resends the request
// once. Concurrent requests that fail on the same token share one
// renewal.
//
// When the source cannot renew the token (an owner-only token), the
// wiki's answer is passed on as it is, for the API client to report;
// when a renewal fails, RoundTrip fails with a *[ReauthorizationError].
// Request bodies are buffered so that they can be resent; the caller's
// request is never modified. It is safe for concurrent use.
type OAuth2Transport struct {
	Source *OAuth2TokenSource
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
}

// NewOAuth2HTTPClient returns an *http.Client whose requests carry the
// source's token: a copy of base (nil: a zero http.Client) with its
// Transport wrapped in an [OAuth2Transport].
func NewOAuth2HTTPClient(src *OAuth2TokenSource, base *http.Client) *http.Client {
	var c http.Client
	if base != nil {
		c = *base
	}
	c.Transport = &OAuth2Transport{Source: src, Base: c.Transport}
	return &c
}

// String describes the transport without tokens.
func (t *OAuth2Transport) String() string {
	src := "<nil>"
	if t.Source != nil {
		src = t.Source.String()
	}
	return fmt.Sprintf("oauth.OAuth2Transport{%s, base=%T}", src, t.Base)
}

// Format prints String for every verb.
func (t *OAuth2Transport) Format(f fmt.State, verb rune) { writeRedacted(f, verb, t.String()) }

// RoundTrip sends req with the bearer token, renewing the token and
// resending once when the wiki refuses it.
func (t *OAuth2Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.Source == nil {
		closeBody(req)
		return nil, errors.New("oauth: OAuth2Transport has no Source")
	}
	ctx := req.Context()
	tok, err := t.Source.TokenContext(ctx)
	if err != nil {
		closeBody(req)
		var oe *OAuth2Error
		if errors.Is(err, ErrOAuth2Expired) || errors.As(err, &oe) {
			// The wiki refused the renewal: sending again cannot help.
			expired := &AuthorizationError{Code: "expired", Text: "the access token expired", Failure: FailureInvalidToken}
			return nil, &ReauthorizationError{Refused: expired, Err: err}
		}
		return nil, err
	}
	// The body is sent again on a retry: from GetBody when the request
	// has one (the runtime client's do), else from a buffered copy.
	var body []byte
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		if body, err = bufferBody(req); err != nil {
			return nil, err
		}
	}
	resp, refused, err := t.attempt(req, body, tok, false)
	if err != nil || refused == nil {
		return resp, err
	}
	if !t.Source.CanRenew() {
		return resp, nil
	}
	resp.Body.Close()
	tok, err = t.Source.Invalidate(ctx, tok)
	if err != nil {
		return nil, &ReauthorizationError{Refused: refused, Err: err}
	}
	resp, _, err = t.attempt(req, body, tok, true)
	return resp, err
}

// attempt sends one copy of req with tok (again: the retry, with a fresh
// body). refused is set when the wiki refused the token (resp is then
// returned with its body intact).
func (t *OAuth2Transport) attempt(req *http.Request, body []byte, tok *oauth2.Token, again bool) (resp *http.Response, refused *AuthorizationError, err error) {
	r := req.Clone(req.Context())
	switch {
	case body != nil:
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		r.ContentLength = int64(len(body))
	case again && req.GetBody != nil && req.Body != nil && req.Body != http.NoBody:
		if r.Body, err = req.GetBody(); err != nil {
			return nil, nil, fmt.Errorf("oauth: resending the request body: %w", err)
		}
	}
	r.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err = base.RoundTrip(r)
	if err != nil {
		return nil, nil, err
	}
	apiRefused := strings.Contains(resp.Header.Get("MediaWiki-API-Error"), "mwoauth-invalid-authorization")
	if !apiRefused && resp.StatusCode != http.StatusUnauthorized {
		return resp, nil, nil
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	resp.Body.Close()
	if err != nil {
		return nil, nil, fmt.Errorf("oauth: reading the wiki's answer: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	resp.ContentLength = int64(len(data))
	if apiRefused {
		if ae := ParseAuthorizationError(resp.Header, data); ae != nil {
			return resp, ae, nil
		}
		return resp, &AuthorizationError{Code: "mwoauth-invalid-authorization", Failure: FailureInvalidToken}, nil
	}
	if isRESTAccessDenied(data) {
		return resp, &AuthorizationError{Code: "access_denied", Failure: FailureInvalidToken, Text: "the wiki refused the access token (HTTP 401 access_denied)"}, nil
	}
	return resp, nil, nil
}
