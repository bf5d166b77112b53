package weblogin

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/mwgen/mwgen/runtime"
	"github.com/mwgen/mwgen/runtime/oauth"
)

// Client returns an API client for the home wiki (Config.API) that signs
// every request with the logged-in user's access token, or an error that
// errors.Is [ErrNotLoggedIn]. It sends assert=user, so that a lost
// authorization fails instead of acting anonymously, and is ready for
// generated code:
//
//	rt, err := h.Client(r)
//	res, err := wiki.New(rt).Edit(ctx, &wiki.EditParams{...})
//
// When the wiki answers that the access token is invalid (revoked), the
// session is logged out, so that the next page shows the user logged out.
// With OAuth 2.0 the token is first refreshed (before it expires, and when
// the wiki refuses it; the request is then sent again once): only a
// refused refresh logs the session out, and the call then fails with an
// error matching [ErrNotLoggedIn]: send the user to [Handler.LoginURL].
// The client is cheap to make; make one per request.
func (h *Handler) Client(r *http.Request) (*runtime.Client, error) {
	cookieID, sess := h.session(r)
	if !sess.LoggedIn() {
		return nil, ErrNotLoggedIn
	}
	if sess.OAuth2 {
		return h.newOAuth2Client(h.cfg.API, storeKey(cookieID), sess)
	}
	cfg, err := h.oauthConfig(r.Context())
	if err != nil {
		return nil, err
	}
	storeID := storeKey(cookieID)
	onRevoked := func(ctx context.Context) {
		h.log.InfoContext(ctx, "weblogin: the wiki refused the user's access token; logging out", "user", sess.User.Name)
		if err := h.store.Delete(context.WithoutCancel(ctx), storeID); err != nil {
			h.log.WarnContext(ctx, "weblogin: deleting the session", "err", err)
		}
	}
	// cfg.Server empty means Index's origin, as the handshake signs.
	server := cfg.Server
	if server == "" {
		u, _ := url.Parse(cfg.Index)
		server = u.Scheme + "://" + u.Host
	}
	return h.newClient(h.cfg.API, server, sess, onRevoked)
}

// ClientFor is Client for another wiki where the same consumer and access
// token are valid (a wiki farm with central OAuth, such as Wikimedia's):
// api is its api.php URL. Requests are signed for that wiki's canonical
// server, discovered from its siteinfo (once, then cached). Pass only
// URLs you trust, or set Config.AllowWiki: see there.
func (h *Handler) ClientFor(r *http.Request, api string) (*runtime.Client, error) {
	if api == h.cfg.API {
		return h.Client(r)
	}
	u, err := url.Parse(api)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("weblogin: ClientFor: %q is not an absolute http(s) api.php URL", api)
	}
	if h.cfg.AllowWiki != nil && !h.cfg.AllowWiki(api) {
		return nil, fmt.Errorf("weblogin: ClientFor: %s is not allowed by Config.AllowWiki", api)
	}
	cookieID, sess := h.session(r)
	if !sess.LoggedIn() {
		return nil, ErrNotLoggedIn
	}
	if sess.OAuth2 {
		// Bearer tokens need no signature for the wiki's host.
		return h.newOAuth2Client(api, storeKey(cookieID), sess)
	}
	ep, err := h.endpoints(r.Context(), api)
	if err != nil {
		return nil, err
	}
	return h.newClient(api, ep.Server, sess, nil)
}

// newClient returns a runtime.Client for api signed with the session's
// access token for server. onRevoked, when set, runs when the wiki
// refuses the token as invalid.
func (h *Handler) newClient(api, server string, sess *Session, onRevoked func(context.Context)) (*runtime.Client, error) {
	creds := h.cfg.Consumer
	creds.Token, creds.TokenSecret = sess.AccessToken, sess.AccessSecret
	base := *h.hc
	base.Jar = nil // never share the wiki's cookies between users
	if onRevoked != nil {
		base.Transport = &revocationWatcher{base: base.Transport, onRevoked: onRevoked}
	}
	hc := oauth.NewHTTPClient(&oauth.Signer{Credentials: creds, Server: server}, &base)
	return runtime.NewClient(api, runtime.Options{
		HTTPClient: hc,
		UserAgent:  h.cfg.UserAgent,
		Logger:     h.cfg.Logger,
		AssertUser: true,
	})
}

// revocationWatcher passes responses through, and calls onRevoked when
// one is api.php's refusal of the access token ("Invalid access token").
type revocationWatcher struct {
	base      http.RoundTripper
	onRevoked func(context.Context)
}

func (t *revocationWatcher) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	if err != nil || !strings.Contains(resp.Header.Get("MediaWiki-API-Error"), "mwoauth-invalid-authorization") {
		return resp, err
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("weblogin: reading the wiki's answer: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	resp.ContentLength = int64(len(data))
	if ae := oauth.ParseAuthorizationError(resp.Header, data); ae != nil && ae.Failure == oauth.FailureInvalidToken {
		t.onRevoked(req.Context())
	}
	return resp, nil
}
