package weblogin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mwgen/mwgen/runtime/oauth"
)

// Config configures a [Handler]. API, Consumer and Callback are required.
type Config struct {
	// API is the home wiki's api.php URL, e.g.
	// "https://meta.wikimedia.org/w/api.php": where users log in, and what
	// [Handler.Client] talks to.
	API string
	// Index and Server are the wiki's index.php URL (non-pretty, canonical
	// host) and canonical server ($wgServer). Empty: discovered from
	// siteinfo at API ([oauth.Discover]) on first use. Server empty with
	// Index set means Index's scheme and host.
	Index, Server string
	// Consumer is the OAuth 1.0a consumer's key and secret (or RSA private
	// key); leave it empty when OAuth2 is set. Its Token and TokenSecret are ignored. The consumer must be
	// registered with Callback, or a prefix of it, as callback URL, with
	// "callback is a prefix" ticked.
	Consumer oauth.Credentials
	// OAuth2, when set, logs users in with OAuth 2.0 (authorization code
	// with PKCE) with this client instead of OAuth 1.0a: the routes, the
	// session store and the guarantees are the same; the tokens (access
	// and refresh) stay server-side, the access token is refreshed on use,
	// and a refused refresh logs the user out. Callback must be the
	// client's registered redirect URI.
	OAuth2 *OAuth2Client
	// Callback is the absolute URL of this handler's /oauth-callback route
	// as the browser reaches it, e.g. "https://mytool.example/oauth-callback";
	// it is sent as oauth_callback.
	Callback string
	// Prefix is where the routes are mounted, e.g. "/auth" for
	// /auth/login, /auth/oauth-callback and /auth/logout. Empty: at the
	// root. It is also the session cookie's Path ("/" when empty), so the
	// application's pages must live under it too.
	Prefix string
	// Store keeps the sessions. nil: a new [MemoryStore].
	Store SessionStore
	// HTTPClient sends the requests to the wiki (handshake, identify,
	// discovery, and the users' API calls; for those its cookie jar is
	// dropped). nil: a client with a two-minute timeout.
	HTTPClient *http.Client
	// UserAgent identifies the application to the wiki, e.g.
	// "MyTool/1.0 (https://mytool.example; me@example.org)" (Wikimedia's
	// User-Agent policy). Empty: a warning is logged.
	UserAgent string
	// Logger receives the reasons of refused logins and failed calls; its
	// records never hold secrets. nil: discarded.
	Logger *slog.Logger
	// CookieName is the session cookie's name. Empty: "mwgen_session".
	CookieName string
	// Secure sets the cookie's Secure attribute. nil: set when the request
	// came over TLS (r.TLS != nil), or, with TrustProxy, when
	// X-Forwarded-Proto is https.
	Secure *bool
	// TrustProxy believes the X-Forwarded-Proto header (set it only behind
	// a reverse proxy that sets it).
	TrustProxy bool
	// DefaultNext is where users go after logging in or out when next is
	// absent or refused. Empty: "/". It must pass [SafeNext].
	DefaultNext string
	// MaxAge is how long a login lasts (the server-side session and the
	// cookie). 0: 30 days.
	MaxAge time.Duration
	// Revalidate is how long the wiki's word on a user is trusted: after
	// it, [Handler.Middleware] and [Handler.CurrentUser] ask the wiki again
	// (identify, or OAuth 2.0's profile), so that a revoked grant or a
	// block ends every session of the token within that time, not only
	// at its next write. 0: [DefaultRevalidate]; negative: never.
	Revalidate time.Duration
	// AllowWiki, when set, is asked before [Handler.ClientFor] signs
	// requests for another wiki; false refuses. Use it when the api URL
	// can come from users: a signed request sent to a host that is not the
	// wiki could be replayed to the wiki within five minutes.
	AllowWiki func(api string) bool
}

// Defaults of Config.
const (
	DefaultCookieName = "mwgen_session"
	DefaultMaxAge     = 30 * 24 * time.Hour
	DefaultRevalidate = 5 * time.Minute
	// PendingTTL is how long a started login may take: MediaWiki keeps
	// request tokens for ten minutes.
	PendingTTL = 10 * time.Minute
	// maxPending bounds the handshakes one session may have in progress.
	maxPending = 5
	// defaultUserAgent is used when Config.UserAgent is empty.
	defaultUserAgent = "mwgen-weblogin (no Config.UserAgent set)"
)

// Errors of the Handler. Test with errors.Is.
var (
	// ErrNotLoggedIn: the request's session holds no login (no cookie, an
	// unknown or expired session, a logout, a revoked authorization).
	ErrNotLoggedIn = errors.New("weblogin: not logged in")
	// ErrAuthorizationRevoked: the wiki no longer accepts the user's
	// access token (revoked on Special:OAuthManageMyGrants, or the user is
	// blocked); the session was logged out. It comes wrapped together with
	// ErrNotLoggedIn.
	ErrAuthorizationRevoked = errors.New("weblogin: the wiki no longer accepts the user's authorization")
)

// Handler serves /login, /oauth-callback and /logout under Config.Prefix,
// and gives the application the current user and API clients signed for
// them. It is safe for concurrent use.
type Handler struct {
	cfg         Config
	store       SessionStore
	log         *slog.Logger
	hc          *http.Client
	cookieName  string
	cookiePath  string
	defaultNext string
	maxAge      time.Duration
	revalidate  time.Duration // <= 0: never
	now         func() time.Time

	// mu serializes the read-modify-write of sessions in the handlers
	// (so that a callback is accepted once even when it races itself).
	mu sync.Mutex

	epMu sync.Mutex
	eps  map[string]oauth.Endpoints // discovered, by api.php URL

	srcs sources // OAuth 2.0 token sources, by session
}

// New checks cfg and returns a Handler. It does not contact the wiki:
// Index and Server, when not set, are discovered on first use.
func New(cfg Config) (*Handler, error) {
	if err := checkAbsURL("API", cfg.API); err != nil {
		return nil, err
	}
	if err := checkAbsURL("Callback", cfg.Callback); err != nil {
		return nil, err
	}
	if cfg.Index != "" {
		if err := checkAbsURL("Index", cfg.Index); err != nil {
			return nil, err
		}
	}
	if cfg.OAuth2 != nil {
		if cfg.OAuth2.ClientID == "" {
			return nil, errors.New("weblogin: Config.OAuth2 needs a ClientID")
		}
		if cfg.Consumer.ConsumerKey != "" {
			return nil, errors.New("weblogin: set Config.Consumer (OAuth 1.0a) or Config.OAuth2, not both")
		}
		o := *cfg.OAuth2
		o.Scopes = slices.Clone(o.Scopes)
		cfg.OAuth2 = &o
	} else {
		if cfg.Consumer.ConsumerKey == "" || (cfg.Consumer.ConsumerSecret == "" && cfg.Consumer.PrivateKey == nil) {
			return nil, errors.New("weblogin: Config.Consumer needs a ConsumerKey and a ConsumerSecret (or PrivateKey)")
		}
		if cfg.Consumer.ConsumerSecret == "" {
			return nil, errors.New("weblogin: Config.Consumer needs its ConsumerSecret: identify's JWT is signed with it")
		}
		cfg.Consumer = oauth.Credentials{ConsumerKey: cfg.Consumer.ConsumerKey, ConsumerSecret: cfg.Consumer.ConsumerSecret, PrivateKey: cfg.Consumer.PrivateKey}
	}
	prefix := strings.TrimRight(cfg.Prefix, "/")
	if prefix != "" && (!strings.HasPrefix(prefix, "/") || strings.ContainsAny(prefix, "?#;, \t\r\n\\")) {
		return nil, fmt.Errorf("weblogin: Config.Prefix %q must be a path starting with /", cfg.Prefix)
	}
	cfg.Prefix = prefix
	h := &Handler{
		cfg:         cfg,
		store:       cfg.Store,
		log:         cfg.Logger,
		hc:          cfg.HTTPClient,
		cookieName:  cfg.CookieName,
		cookiePath:  prefix,
		defaultNext: cfg.DefaultNext,
		maxAge:      cfg.MaxAge,
		now:         time.Now,
		eps:         make(map[string]oauth.Endpoints),
	}
	if h.store == nil {
		h.store = NewMemoryStore()
	}
	if h.log == nil {
		h.log = slog.New(discard{})
	}
	if h.hc == nil {
		h.hc = &http.Client{Timeout: 2 * time.Minute}
	}
	if h.cookieName == "" {
		h.cookieName = DefaultCookieName
	}
	if !validCookieName(h.cookieName) {
		return nil, fmt.Errorf("weblogin: Config.CookieName %q is not a valid cookie name", h.cookieName)
	}
	if h.cookiePath == "" {
		h.cookiePath = "/"
	}
	if h.defaultNext == "" {
		h.defaultNext = "/"
	}
	if !SafeNext(h.defaultNext) {
		return nil, fmt.Errorf("weblogin: Config.DefaultNext %q is not a same-site path", h.defaultNext)
	}
	if h.maxAge <= 0 {
		h.maxAge = DefaultMaxAge
	}
	switch {
	case cfg.Revalidate == 0:
		h.revalidate = DefaultRevalidate
	case cfg.Revalidate > 0:
		h.revalidate = cfg.Revalidate
	}
	if cfg.UserAgent == "" {
		h.cfg.UserAgent = defaultUserAgent
		h.log.Warn("weblogin: no Config.UserAgent; Wikimedia's User-Agent policy asks for your tool's name and a contact")
	}
	if cb, _ := url.Parse(cfg.Callback); !strings.HasSuffix(cb.Path, "/oauth-callback") {
		h.log.Warn("weblogin: Config.Callback does not end in /oauth-callback, the handler's route", "callback", cfg.Callback)
	}
	return h, nil
}

func checkAbsURL(field, s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("weblogin: Config.%s %q is not an absolute http(s) URL", field, s)
	}
	return nil
}

func validCookieName(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= 0x20 || c >= 0x7f || strings.IndexByte("()<>@,;:\\\"/[]?={}", c) >= 0 {
			return false
		}
	}
	return name != ""
}

// Register adds the handler's three routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	for _, p := range []string{"/login", "/oauth-callback", "/logout"} {
		mux.Handle(h.cfg.Prefix+p, h)
	}
}

// ServeHTTP serves Prefix+"/login", Prefix+"/oauth-callback" and
// Prefix+"/logout"; other paths are 404.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	switch r.URL.Path {
	case h.cfg.Prefix + "/login":
		if !allowMethods(w, r, http.MethodGet, http.MethodPost) {
			return
		}
		h.login(w, r)
	case h.cfg.Prefix + "/oauth-callback":
		if !allowMethods(w, r, http.MethodGet) {
			return
		}
		h.callback(w, r)
	case h.cfg.Prefix + "/logout":
		if !allowMethods(w, r, http.MethodGet, http.MethodPost) {
			return
		}
		h.logout(w, r)
	default:
		http.NotFound(w, r)
	}
}

func allowMethods(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m {
			return true
		}
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	return false
}

// next returns the request's next parameter when it is safe, else the
// default.
func (h *Handler) next(w http.ResponseWriter, r *http.Request) string {
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	}
	next := r.FormValue("next")
	if next == "" {
		return h.defaultNext
	}
	if !SafeNext(next) {
		h.log.InfoContext(r.Context(), "weblogin: refused next (not a same-site path); using the default", "next", fmt.Sprintf("%.200q", next))
		return h.defaultNext
	}
	return next
}

// login starts a handshake: /login?next=PATH.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	next := h.next(w, r)
	if h.cfg.OAuth2 != nil {
		h.loginOAuth2(w, r, next)
		return
	}
	cfg, err := h.oauthConfig(ctx)
	if err != nil {
		h.fail(w, r, http.StatusBadGateway, "Login failed: the wiki cannot be reached", err)
		return
	}
	rt, err := oauth.Initiate(ctx, cfg)
	if err != nil {
		h.fail(w, r, http.StatusBadGateway, "Login failed: the wiki refused to start the login", err)
		return
	}
	if err := h.addPending(w, r, PendingLogin{Token: rt.Token, Secret: rt.Secret, Next: next}); err != nil {
		h.fail(w, r, http.StatusInternalServerError, "Login failed: the session cannot be stored", err)
		return
	}
	http.Redirect(w, r, oauth.AuthorizeURL(cfg, rt), http.StatusSeeOther)
}

// addPending adds a started login to the request's session (a new one if
// there is none) and sets the cookie.
func (h *Handler) addPending(w http.ResponseWriter, r *http.Request, p PendingLogin) error {
	now := h.now()
	p.Started = now
	h.mu.Lock()
	cookieID, sess := h.loadFresh(r)
	if sess == nil {
		cookieID = newSecret()
		sess = &Session{Created: now}
	}
	pending := sess.Pending[:0]
	for _, p := range sess.Pending {
		if now.Sub(p.Started) < PendingTTL {
			pending = append(pending, p)
		}
	}
	if len(pending) >= maxPending {
		pending = pending[len(pending)-maxPending+1:]
	}
	sess.Pending = append(pending, p)
	if exp := now.Add(PendingTTL); sess.Expires.Before(exp) {
		sess.Expires = exp
	}
	err := h.store.Put(r.Context(), storeKey(cookieID), sess)
	h.mu.Unlock()
	if err != nil {
		return err
	}
	// (Again for an existing session: a pending-only cookie's lifetime
	// grows with the new handshake's.)
	h.setCookie(w, r, cookieID, sess.Expires.Sub(now))
	return nil
}

// takePendingOrFail is takePending that answers the error page itself
// (what names the callback's parameter, for the log); ok is false then.
func (h *Handler) takePendingOrFail(w http.ResponseWriter, r *http.Request, token, what string) (cookieID string, p PendingLogin, ok bool) {
	cookieID, p, ok, err := h.takePending(r, token)
	if err != nil {
		h.fail(w, r, http.StatusInternalServerError, "Login failed: the session cannot be stored", err)
		return "", PendingLogin{}, false
	}
	if !ok {
		msg := "no login in progress in this browser session matches this callback (it may have been used already, expired, or started elsewhere)"
		h.fail(w, r, http.StatusBadRequest, "Login failed: "+msg, fmt.Errorf("weblogin: the callback's %s does not match a pending login of the session", what))
	}
	return cookieID, p, ok
}

// takePending removes the session's pending login whose token (OAuth
// 1.0a's request token, OAuth 2.0's state) is token, so that a callback is
// accepted once. ok is false when there is none.
func (h *Handler) takePending(r *http.Request, token string) (cookieID string, p PendingLogin, ok bool, err error) {
	now := h.now()
	h.mu.Lock()
	defer h.mu.Unlock()
	cookieID, sess := h.loadFresh(r)
	idx := -1
	if sess != nil {
		for i, p := range sess.Pending {
			if subtle.ConstantTimeCompare([]byte(p.Token), []byte(token)) == 1 && now.Sub(p.Started) < PendingTTL {
				idx = i
			}
		}
	}
	if idx < 0 {
		return "", PendingLogin{}, false, nil
	}
	p = sess.Pending[idx]
	sess.Pending = append(sess.Pending[:idx], sess.Pending[idx+1:]...)
	if err := h.store.Put(r.Context(), storeKey(cookieID), sess); err != nil {
		return "", PendingLogin{}, false, err
	}
	return cookieID, p, true, nil
}

// callback finishes a handshake: /oauth-callback?oauth_verifier=V&oauth_token=T
// (OAuth 2.0: ?code=C&state=S).
func (h *Handler) callback(w http.ResponseWriter, r *http.Request) {
	if h.cfg.OAuth2 != nil {
		h.callbackOAuth2(w, r)
		return
	}
	ctx := r.Context()
	q := r.URL.Query()
	token, verifier := q.Get("oauth_token"), q.Get("oauth_verifier")
	if token == "" || verifier == "" {
		h.fail(w, r, http.StatusBadRequest, "Login failed: the callback has no oauth_token or oauth_verifier", nil)
		return
	}

	// Take the pending handshake out of the session before anything else,
	// so that this callback URL is accepted once.
	cookieID, p, ok := h.takePendingOrFail(w, r, token, "oauth_token")
	if !ok {
		return
	}

	cfg, err := h.oauthConfig(ctx)
	if err != nil {
		h.fail(w, r, http.StatusBadGateway, "Login failed: the wiki cannot be reached", err)
		return
	}
	cb := url.Values{"oauth_token": {token}, "oauth_verifier": {verifier}}.Encode()
	creds, err := oauth.Complete(ctx, cfg, oauth.RequestToken{Token: p.Token, Secret: p.Secret}, cb)
	if err != nil {
		h.fail(w, r, http.StatusBadGateway, "Login failed: the wiki refused to complete the login", err)
		return
	}
	id, err := oauth.Identify(ctx, cfg, creds)
	if err != nil {
		h.fail(w, r, http.StatusBadGateway, "Login failed: the wiki did not confirm who you are", err)
		return
	}
	now := h.now()
	ns := &Session{
		AccessToken:  creds.Token,
		AccessSecret: creds.TokenSecret,
		User:         userFrom(id, now),
		CSRF:         newSecret(),
		Created:      now,
		Expires:      now.Add(h.maxAge),
	}
	h.finishLogin(w, r, cookieID, ns, p.Next)
}

// finishLogin stores the logged-in session ns under a new session id
// (whoever knew the old one, a fixated cookie, gets nothing), deletes the
// pre-login session and redirects to next.
func (h *Handler) finishLogin(w http.ResponseWriter, r *http.Request, oldCookieID string, ns *Session, next string) {
	ctx := r.Context()
	newID := newSecret()
	if err := h.store.Put(ctx, storeKey(newID), ns); err != nil {
		h.fail(w, r, http.StatusInternalServerError, "Login failed: the session cannot be stored", err)
		return
	}
	if err := h.store.Delete(ctx, storeKey(oldCookieID)); err != nil {
		h.log.WarnContext(ctx, "weblogin: deleting the pre-login session", "err", err)
	}
	h.setCookie(w, r, newID, h.maxAge)
	h.log.InfoContext(ctx, "weblogin: logged in", "user", ns.User.Name)
	if !SafeNext(next) {
		next = h.defaultNext
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout ends the session: POST /logout with next and, when logged in,
// the session's CSRF token (field csrf), so that another site cannot log
// the user out. A GET shows a small page whose button sends that POST.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	next := h.next(w, r)
	id, sess := h.loadFresh(r)
	if r.Method == http.MethodGet && sess.LoggedIn() {
		h.logoutPage(w, sess.CSRF, next)
		return
	}
	if sess.LoggedIn() && subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(sess.CSRF)) != 1 {
		h.fail(w, r, http.StatusForbidden, "Logout refused: the form's CSRF token is missing or wrong (log out with the button of the site's own page)", nil)
		return
	}
	if id == "" {
		id = h.cookieID(r) // an expired or unknown session: drop what is left
	}
	if id != "" {
		h.srcs.drop(storeKey(id))
		if err := h.store.Delete(r.Context(), storeKey(id)); err != nil {
			h.fail(w, r, http.StatusInternalServerError, "Logout failed: the session cannot be deleted", err)
			return
		}
	}
	h.clearCookie(w, r)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logoutPage is the confirmation page of GET /logout.
func (h *Handler) logoutPage(w http.ResponseWriter, csrf, next string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; form-action 'self'; frame-ancestors 'none'")
	fmt.Fprintf(w, `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Log out</title></head>
<body><form method="post" action="%s">
<input type="hidden" name="csrf" value="%s">
<input type="hidden" name="next" value="%s">
<p>Log out of this site? <button type="submit" id="logout-confirm">Log out</button></p>
</form></body></html>
`, html.EscapeString(h.cfg.Prefix+"/logout"), html.EscapeString(csrf), html.EscapeString(next))
}

// LogoutForm returns an HTML form that logs the request's user out (a
// POST with the CSRF token) and then goes to next, for the application's
// pages: a plain link to /logout shows a confirmation page instead.
// It is "" when the request is logged out.
func (h *Handler) LogoutForm(r *http.Request, next, buttonID string) template.HTML {
	csrf := h.CSRFToken(r)
	if csrf == "" {
		return ""
	}
	if !SafeNext(next) {
		next = h.defaultNext
	}
	return template.HTML(fmt.Sprintf(`<form method="post" action="%s" style="display:inline"><input type="hidden" name="csrf" value="%s"><input type="hidden" name="next" value="%s"><button type="submit" id="%s">Log out</button></form>`,
		html.EscapeString(h.cfg.Prefix+"/logout"), html.EscapeString(csrf), html.EscapeString(next), html.EscapeString(buttonID)))
}

// fail answers a plain-text error page with msg and logs err.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, status int, msg string, err error) {
	if err != nil {
		h.log.WarnContext(r.Context(), "weblogin: "+msg, "path", r.URL.Path, "err", err)
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.Error(w, msg+".", status)
}

// cookieID returns the session id of the request's cookie, or "" when
// there is none or it is malformed.
func (h *Handler) cookieID(r *http.Request) string {
	c, err := r.Cookie(h.cookieName)
	if err != nil || len(c.Value) != 64 || !validID(c.Value) {
		return ""
	}
	return c.Value
}

// loadFresh reads the request's session from the store (not from the
// context). sess is nil when there is none.
func (h *Handler) loadFresh(r *http.Request) (cookieID string, sess *Session) {
	id := h.cookieID(r)
	if id == "" {
		return "", nil
	}
	s, err := h.store.Get(r.Context(), storeKey(id))
	if err != nil {
		if !errors.Is(err, ErrNoSession) {
			h.log.WarnContext(r.Context(), "weblogin: reading the session", "err", err)
		}
		return "", nil
	}
	if s.Expired(h.now()) {
		return "", nil
	}
	return id, s
}

func (h *Handler) secure(r *http.Request) bool {
	if h.cfg.Secure != nil {
		return *h.cfg.Secure
	}
	if r.TLS != nil {
		return true
	}
	return h.cfg.TrustProxy && strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https")
}

func (h *Handler) setCookie(w http.ResponseWriter, r *http.Request, id string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name:     h.cookieName,
		Value:    id,
		Path:     h.cookiePath,
		MaxAge:   max(1, int(maxAge/time.Second)),
		HttpOnly: true,
		Secure:   h.secure(r),
		SameSite: http.SameSiteLaxMode,
	})
}

func (h *Handler) clearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name:     h.cookieName,
		Value:    "",
		Path:     h.cookiePath,
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   h.secure(r),
		SameSite: http.SameSiteLaxMode,
	})
}

// newSecret returns 32 random bytes as 64 hex digits.
func newSecret() string {
	var b [32]byte
	rand.Read(b[:]) // never fails (crypto/rand since Go 1.24)
	return hex.EncodeToString(b[:])
}

// storeKey is the store's id for a cookie's session id: its SHA-256, so
// that the store never holds a usable cookie value.
func storeKey(cookieID string) string {
	sum := sha256.Sum256([]byte("mwgen-weblogin-session\x00" + cookieID))
	return hex.EncodeToString(sum[:])
}

// oauthConfig returns the handshake configuration of the home wiki,
// discovering Index and Server when they are not configured.
func (h *Handler) oauthConfig(ctx context.Context) (oauth.Config, error) {
	cfg := oauth.Config{
		Index:      h.cfg.Index,
		Server:     h.cfg.Server,
		Consumer:   h.cfg.Consumer,
		Callback:   h.cfg.Callback,
		HTTPClient: h.hc,
		UserAgent:  h.cfg.UserAgent,
	}
	if cfg.Index == "" {
		ep, err := h.endpoints(ctx, h.cfg.API)
		if err != nil {
			return oauth.Config{}, err
		}
		cfg.Index = ep.Index
		if cfg.Server == "" {
			cfg.Server = ep.Server
		}
	}
	return cfg, nil
}

// endpoints discovers (once, then from the cache) a wiki's index.php and
// canonical server. Failures are not cached.
func (h *Handler) endpoints(ctx context.Context, api string) (oauth.Endpoints, error) {
	h.epMu.Lock()
	ep, ok := h.eps[api]
	h.epMu.Unlock()
	if ok {
		return ep, nil
	}
	ep, err := oauth.Discover(ctx, h.hc, api, h.cfg.UserAgent)
	if err != nil {
		return oauth.Endpoints{}, err
	}
	h.epMu.Lock()
	h.eps[api] = ep
	h.epMu.Unlock()
	return ep, nil
}

// discard is a slog.Handler that drops everything.
type discard struct{}

func (discard) Enabled(context.Context, slog.Level) bool  { return false }
func (discard) Handle(context.Context, slog.Record) error { return nil }
func (d discard) WithAttrs([]slog.Attr) slog.Handler      { return d }
func (d discard) WithGroup(string) slog.Handler           { return d }
