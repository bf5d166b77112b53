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
// [Handler.CSRFToken] and [Handler.Client]. Requests without a session
// pass through unchanged otherwise.
func (h *Handler) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, sess := h.loadFresh(r)
		ctx := context.WithValue(r.Context(), ctxKey{}, &ctxState{cookieID: id, sess: sess})
		next.ServeHTTP(w, r.WithContext(ctx))
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
// check). Without, Special:OAuth/identify is asked again with the user's
// access token: when the wiki no longer accepts it (the user revoked the
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
	if cached {
		return sess.User.clone(), nil
	}
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
