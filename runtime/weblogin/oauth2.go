package weblogin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/mwgen/mwgen/runtime"
	"github.com/mwgen/mwgen/runtime/oauth"
)

// OAuth2Client is an OAuth 2.0 client of the wiki's Extension:OAuth, for
// [Config.OAuth2]: the Handler then logs users in with OAuth 2.0 (the
// authorization code flow with PKCE) instead of OAuth 1.0a.
type OAuth2Client struct {
	// ClientID is the client application key.
	ClientID string
	// ClientSecret is a confidential client's secret. Empty: a public
	// client, which MediaWiki 1.39 does not let refresh tokens: its users
	// log in again when the access token's hour is over.
	ClientSecret string
	// Scopes are the grants asked for; empty means the client's
	// registered grants.
	Scopes []string
	// REST is the wiki's rest.php URL; empty means the one beside
	// Config.API (or Config.Index when set).
	REST string
}

// oauth2Config returns the OAuth 2.0 client configuration of the home wiki.
func (h *Handler) oauth2Config() (oauth.OAuth2Config, error) {
	c := h.cfg.OAuth2
	rest := c.REST
	if rest == "" {
		script := h.cfg.API
		if h.cfg.Index != "" {
			script = h.cfg.Index
		}
		var err error
		if rest, err = oauth.RESTURL(script); err != nil {
			return oauth.OAuth2Config{}, err
		}
	}
	return oauth.OAuth2Config{
		REST:         rest,
		ClientID:     c.ClientID,
		ClientSecret: c.ClientSecret,
		RedirectURL:  h.cfg.Callback,
		Scopes:       c.Scopes,
		HTTPClient:   h.hc,
		UserAgent:    h.cfg.UserAgent,
	}, nil
}

// loginOAuth2 starts an OAuth 2.0 authorization: a state and a PKCE
// verifier kept in the session (the state plays the request token's part),
// then a redirect to the wiki's authorize endpoint.
func (h *Handler) loginOAuth2(w http.ResponseWriter, r *http.Request, next string) {
	cfg, err := h.oauth2Config()
	if err != nil {
		h.fail(w, r, http.StatusInternalServerError, "Login failed: the wiki's OAuth 2.0 address is not valid", err)
		return
	}
	a := cfg.Begin()
	if err := h.addPending(w, r, PendingLogin{Token: a.State, Secret: a.Verifier, Next: next}); err != nil {
		h.fail(w, r, http.StatusInternalServerError, "Login failed: the session cannot be stored", err)
		return
	}
	http.Redirect(w, r, a.URL, http.StatusSeeOther)
}

// callbackOAuth2 finishes an OAuth 2.0 authorization:
// /oauth-callback?code=C&state=S, or ?error=E (REL1_39 sends
// error=unauthorized_client and no state when the user clicks Cancel).
func (h *Handler) callbackOAuth2(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		h.fail(w, r, http.StatusForbidden, "Login cancelled: the wiki did not authorize this application (error="+safeParam(e)+")", nil)
		return
	}
	state, code := q.Get("state"), q.Get("code")
	if state == "" || code == "" {
		h.fail(w, r, http.StatusBadRequest, "Login failed: the callback has no code or state", nil)
		return
	}
	cookieID, p, ok := h.takePendingOrFail(w, r, state, "state")
	if !ok {
		return
	}
	cfg, err := h.oauth2Config()
	if err != nil {
		h.fail(w, r, http.StatusInternalServerError, "Login failed: the wiki's OAuth 2.0 address is not valid", err)
		return
	}
	tok, err := cfg.Exchange(ctx, code, p.Secret)
	if err != nil {
		h.fail(w, r, http.StatusBadGateway, "Login failed: the wiki refused to complete the login", err)
		return
	}
	prof, err := oauth.FetchProfile(ctx, bearerClient(h.hc, tok), cfg.REST, h.cfg.UserAgent)
	if err != nil {
		h.fail(w, r, http.StatusBadGateway, "Login failed: the wiki did not confirm who you are", err)
		return
	}
	now := h.now()
	ns := &Session{User: userFromProfile(prof, cfg.REST, now), CSRF: newSecret(), Created: now, Expires: now.Add(h.maxAge)}
	ns.setOAuth2Token(tok)
	h.finishLogin(w, r, cookieID, ns, p.Next)
}

// safeParam shortens and cleans a query parameter for an error page.
func safeParam(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if len(s) > 60 {
		s = s[:60] + "..."
	}
	return s
}

// bearerClient is an http.Client that sends tok as it is (no refresh).
func bearerClient(base *http.Client, tok *oauth2.Token) *http.Client {
	src, err := oauth.NewOAuth2TokenSource(oauth.OAuth2SourceOptions{Token: &oauth2.Token{AccessToken: tok.AccessToken, TokenType: "Bearer"}})
	if err != nil {
		return base
	}
	return oauth.NewOAuth2HTTPClient(src, base)
}

// setOAuth2Token keeps an OAuth 2.0 token in the session.
func (s *Session) setOAuth2Token(t *oauth2.Token) {
	s.OAuth2 = true
	s.AccessToken = t.AccessToken
	s.RefreshToken = t.RefreshToken
	s.Expiry = t.Expiry
}

// oauth2Token returns the session's OAuth 2.0 token.
func (s *Session) oauth2Token() *oauth2.Token {
	return &oauth2.Token{AccessToken: s.AccessToken, TokenType: "Bearer", RefreshToken: s.RefreshToken, Expiry: s.Expiry}
}

// userFromProfile converts the profile endpoint's answer.
func userFromProfile(p *oauth.Profile, rest string, now time.Time) *User {
	return &User{
		Name:           p.Username,
		Sub:            p.Sub,
		Groups:         slices.Clone(p.Groups),
		Rights:         slices.Clone(p.Rights),
		Grants:         slices.Clone(p.Grants),
		EditCount:      p.EditCount,
		Blocked:        p.Blocked,
		ConfirmedEmail: p.ConfirmedEmail,
		Registered:     p.Registered,
		RealName:       p.RealName,
		Email:          p.Email,
		Wiki:           strings.TrimSuffix(rest, "/rest.php"),
		Checked:        now,
	}
}

// sources keeps one token source per logged-in OAuth 2.0 session, so that
// concurrent requests of a session share one refresh (the wiki revokes the
// old refresh token when it hands out a new one: two refreshes with the
// same token would log the user out).
type sources struct {
	mu sync.Mutex
	m  map[string]*oauth.OAuth2TokenSource // by store id
}

// maxSources bounds the cache; when full it is emptied (sources are cheap
// to make again from the store).
const maxSources = 10000

func (s *sources) get(id string) *oauth.OAuth2TokenSource {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[id]
}

func (s *sources) put(id string, src *oauth.OAuth2TokenSource) *oauth.OAuth2TokenSource {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil || len(s.m) >= maxSources {
		s.m = make(map[string]*oauth.OAuth2TokenSource)
	}
	if cur, ok := s.m[id]; ok {
		return cur
	}
	s.m[id] = src
	return src
}

func (s *sources) drop(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, id)
}

// oauth2Source returns the session's token source: refreshing before
// expiry and when the wiki refuses the token, each new pair written to
// the session store. A failed refresh logs the session out.
func (h *Handler) oauth2Source(storeID string, sess *Session) (*oauth.OAuth2TokenSource, error) {
	if src := h.srcs.get(storeID); src != nil {
		return src, nil // as new as the stored token, or newer
	}
	cfg, err := h.oauth2Config()
	if err != nil {
		return nil, err
	}
	src, err := oauth.NewOAuth2TokenSource(oauth.OAuth2SourceOptions{
		Config: cfg,
		Token:  sess.oauth2Token(),
		Logger: h.cfg.Logger,
		OnToken: func(ctx context.Context, t *oauth2.Token) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			cur, err := h.store.Get(ctx, storeID)
			if err != nil {
				return err
			}
			cur.setOAuth2Token(t)
			return h.store.Put(ctx, storeID, cur)
		},
	})
	if err != nil {
		return nil, err
	}
	return h.srcs.put(storeID, src), nil
}

// newOAuth2Client returns a runtime.Client for api with the session's
// bearer token. When the token can no longer be renewed (the refresh was
// refused: revoked, expired, or a public client on REL1_39) the session
// is logged out and the call fails with an error matching
// [ErrNotLoggedIn] and [ErrAuthorizationRevoked]: send the user to
// [Handler.LoginURL].
func (h *Handler) newOAuth2Client(api, storeID string, sess *Session) (*runtime.Client, error) {
	src, err := h.oauth2Source(storeID, sess)
	if err != nil {
		return nil, err
	}
	base := *h.hc
	base.Jar = nil // never share the wiki's cookies between users
	hc := oauth.NewOAuth2HTTPClient(src, &base)
	hc.Transport = &logoutOnFailure{base: hc.Transport, h: h, storeID: storeID, user: sess.User.Name}
	return runtime.NewClient(api, runtime.Options{
		HTTPClient: hc,
		UserAgent:  h.cfg.UserAgent,
		Logger:     h.cfg.Logger,
		AssertUser: true,
	})
}

// logoutOnFailure logs the session out when the token cannot be renewed.
type logoutOnFailure struct {
	base    http.RoundTripper
	h       *Handler
	storeID string
	user    string
}

func (t *logoutOnFailure) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err == nil || !errors.Is(err, oauth.ErrOAuth2Expired) {
		return resp, err
	}
	ctx := req.Context()
	t.h.log.InfoContext(ctx, "weblogin: the OAuth 2.0 token cannot be renewed; logging out", "user", t.user, "err", err)
	t.h.logoutStoreID(ctx, t.storeID)
	return nil, fmt.Errorf("%w: %w: %w", ErrNotLoggedIn, ErrAuthorizationRevoked, err)
}

// logoutStoreID deletes a session and forgets its token source.
func (h *Handler) logoutStoreID(ctx context.Context, storeID string) {
	h.srcs.drop(storeID)
	if err := h.store.Delete(context.WithoutCancel(ctx), storeID); err != nil {
		h.log.WarnContext(ctx, "weblogin: deleting the session", "err", err)
	}
}

// LoginURL returns the address of the login route that comes back to
// next (a same-site path; others become Config.DefaultNext), e.g.
// "/login?next=%2Fedit": where to send a user whose login ended.
func (h *Handler) LoginURL(next string) string {
	if !SafeNext(next) {
		next = h.defaultNext
	}
	return h.cfg.Prefix + "/login?next=" + url.QueryEscape(next)
}
