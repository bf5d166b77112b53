package weblogin

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/mwgen/mwgen/runtime/oauth"
)

// ctxKey is the context key of the Middleware's state.
type ctxKey struct{}

// ctxState is what the Middleware put in a request's context: the session
// as it was when the request came in.
type ctxState struct {
	cookieID string
	sess     *Session // nil when there is none
}

// Middleware reads the request's session once and puts it in the
// request's context, for [UserFromContext], [Handler.CurrentUser] (cached),
// [Handler.CSRFToken] and [Handler.Client]. When the wiki last vouched
// for the user longer than Config.Revalidate ago, it asks the wiki again
// first (a revoked authorization logs the session out). Requests without
// a session pass through unchanged otherwise.
func (h *Handler) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, sess := h.loadFresh(r)
		st := &ctxState{cookieID: id, sess: sess}
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, st))
		if sess.LoggedIn() && h.stale(sess.User) {
			// Past Config.Revalidate: ask the wiki again.
			u, err := h.check(r, id, sess)
			switch {
			case err == nil:
				st.sess.User = u
			case errors.Is(err, ErrNotLoggedIn):
				st.cookieID, st.sess = "", nil
			default:
				h.log.WarnContext(r.Context(), "weblogin: revalidating the user failed; keeping the session", "user", sess.User.Name, "err", err)
			}
		}
		next.ServeHTTP(w, r)
	})
}

// UserFromContext returns the logged-in user the [Handler.Middleware] found
// for the request, or nil. The *User is a copy the caller may keep.
func UserFromContext(ctx context.Context) *User {
	st, _ := ctx.Value(ctxKey{}).(*ctxState)
	if st == nil || !st.sess.LoggedIn() {
		return nil
	}
	return st.sess.User.clone()
}

// session returns the request's session: from the Middleware's context
// when it ran, else from the store. sess is nil when there is none.
func (h *Handler) session(r *http.Request) (cookieID string, sess *Session) {
	if st, _ := r.Context().Value(ctxKey{}).(*ctxState); st != nil {
		if st.sess == nil {
			return "", nil
		}
		return st.cookieID, st.sess.clone()
	}
	return h.loadFresh(r)
}

// CurrentUser returns the request's logged-in user, or nil and an error
// that errors.Is [ErrNotLoggedIn].
//
// With cached, the user is the one stored at login (or at the last
// check), unless that check is older than Config.Revalidate: then, and
// without cached, the wiki is asked again (Special:OAuth/identify, or OAuth
// 2.0's profile endpoint) with the user's access token; a failure other
// than a refusal then returns the cached user with cached. The check: when the wiki no longer accepts it (the user revoked the
// authorization, or is blocked), the session is logged out and the error
// also matches [ErrAuthorizationRevoked]; other failures (the wiki is
// down) are returned as they are, and the session is kept. A successful
// check updates the stored user (groups, rights, ...).
func (h *Handler) CurrentUser(r *http.Request, cached bool) (*User, error) {
	ctx := r.Context()
	cookieID, sess := h.session(r)
	if !sess.LoggedIn() {
		return nil, ErrNotLoggedIn
	}
	if cached && !h.stale(sess.User) {
		return sess.User.clone(), nil
	}
	u, err := h.check(r, cookieID, sess)
	if err != nil && cached && !errors.Is(err, ErrNotLoggedIn) {
		h.log.WarnContext(ctx, "weblogin: revalidating the user failed; using the cached user", "user", sess.User.Name, "err", err)
		return sess.User.clone(), nil
	}
	return u, err
}

// stale reports whether the wiki's word on u is older than Config.Revalidate.
func (h *Handler) stale(u *User) bool {
	return h.revalidate > 0 && u != nil && h.now().Sub(u.Checked) >= h.revalidate
}

// check asks the wiki who the session's token belongs to; see CurrentUser.
func (h *Handler) check(r *http.Request, cookieID string, sess *Session) (*User, error) {
	ctx := r.Context()
	if sess.OAuth2 {
		return h.currentUserOAuth2(r, cookieID, sess)
	}
	cfg, err := h.oauthConfig(ctx)
	if err != nil {
		return nil, err
	}
	creds := h.cfg.Consumer
	creds.Token, creds.TokenSecret = sess.AccessToken, sess.AccessSecret
	id, err := oauth.Identify(ctx, cfg, creds)
	if err != nil {
		if refusedAuthorization(err) {
			h.log.InfoContext(ctx, "weblogin: the wiki no longer accepts the user's authorization; logging out", "user", sess.User.Name, "err", err)
			if derr := h.store.Delete(ctx, storeKey(cookieID)); derr != nil {
				h.log.WarnContext(ctx, "weblogin: deleting the session", "err", derr)
			}
			return nil, fmt.Errorf("%w: %w: %w", ErrNotLoggedIn, ErrAuthorizationRevoked, err)
		}
		return nil, err
	}
	u := userFrom(id, h.now())
	h.storeUser(ctx, cookieID, u, func(cur *Session) bool { return cur.AccessToken == sess.AccessToken })
	return u.clone(), nil
}

// storeUser updates the stored session's user when same says the stored
// session is still the one checked.
func (h *Handler) storeUser(ctx context.Context, cookieID string, u *User, same func(*Session) bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if cur, err := h.store.Get(ctx, storeKey(cookieID)); err == nil && same(cur) {
		cur.User = u
		if err := h.store.Put(ctx, storeKey(cookieID), cur); err != nil {
			h.log.WarnContext(ctx, "weblogin: storing the checked user", "err", err)
		}
	}
}

// currentUserOAuth2 asks the wiki's profile endpoint who the session's
// token belongs to, refreshing the token as needed.
func (h *Handler) currentUserOAuth2(r *http.Request, cookieID string, sess *Session) (*User, error) {
	ctx := r.Context()
	storeID := storeKey(cookieID)
	src, err := h.oauth2Source(storeID, sess)
	if err != nil {
		return nil, err
	}
	cfg, err := h.oauth2Config()
	if err != nil {
		return nil, err
	}
	base := *h.hc
	base.Jar = nil
	prof, err := oauth.FetchProfile(ctx, oauth.NewOAuth2HTTPClient(src, &base), cfg.REST, h.cfg.UserAgent)
	if err != nil {
		var oe *oauth.OAuth2Error
		if errors.Is(err, oauth.ErrOAuth2Expired) || (errors.As(err, &oe) && oe.Status == http.StatusUnauthorized) {
			h.log.InfoContext(ctx, "weblogin: the wiki no longer accepts the user's OAuth 2.0 authorization; logging out", "user", sess.User.Name, "err", err)
			h.logoutStoreID(ctx, storeID)
			return nil, fmt.Errorf("%w: %w: %w", ErrNotLoggedIn, ErrAuthorizationRevoked, err)
		}
		return nil, err
	}
	u := userFromProfile(prof, cfg.REST, h.now())
	h.storeUser(ctx, cookieID, u, func(cur *Session) bool { return cur.OAuth2 && cur.LoggedIn() })
	return u.clone(), nil
}

// refusedAuthorization reports whether identify's error means that the
// access token is no longer valid: revoked or unknown, or the user is
// blocked or gone.
func refusedAuthorization(err error) bool {
	var pe *oauth.ProviderError
	if errors.As(err, &pe) {
		for _, s := range []string{
			"access-token-not-found", // mwoauthdatastore-access-token-not-found, mwoauth-access-token-not-found
			"invalid-authorization-invalid-user",
			"invalid-authorization-blocked-user",
			"invalid-authorization-not-approved",
		} {
			if strings.Contains(pe.Code, s) {
				return true
			}
		}
		return strings.Contains(pe.Message, "Invalid access token") ||
			strings.Contains(pe.Message, "No approved grant was found")
	}
	var ae *oauth.AuthorizationError
	return errors.As(err, &ae) && ae.Failure == oauth.FailureInvalidToken
}

// CSRFToken returns the logged-in session's token for the application's
// forms (put it in a hidden field and check it with [Handler.ValidCSRF]),
// or "" when logged out. It is random, made at login, and never sent in a
// cookie.
func (h *Handler) CSRFToken(r *http.Request) string {
	_, sess := h.session(r)
	if !sess.LoggedIn() {
		return ""
	}
	return sess.CSRF
}

// ValidCSRF reports whether token is the logged-in session's CSRF token
// (in constant time). It is false when logged out.
func (h *Handler) ValidCSRF(r *http.Request, token string) bool {
	want := h.CSRFToken(r)
	return want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(token)) == 1
}
