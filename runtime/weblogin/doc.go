// Package weblogin lets the users of a web application log in with their
// wiki account through MediaWiki's Extension:OAuth (OAuth 1.0a or 2.0), and calls
// the wiki's API on their behalf: what flask-mwoauth does for Flask, as a
// net/http handler, without its flaws.
//
//	h, err := weblogin.New(weblogin.Config{
//		API:       "https://meta.wikimedia.org/w/api.php",
//		Consumer:  oauth.Credentials{ConsumerKey: key, ConsumerSecret: secret},
//		Callback:  "https://mytool.toolforge.org/oauth-callback",
//		UserAgent: "MyTool/1.0 (https://mytool.toolforge.org; me@example.org)",
//	})
//	mux := http.NewServeMux()
//	h.Register(mux) // /login, /oauth-callback, /logout
//	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
//		u := weblogin.UserFromContext(r.Context()) // nil when logged out
//		...
//		rt, err := h.Client(r) // a *runtime.Client signed for this user
//		res, err := wiki.New(rt).Edit(ctx, &wiki.EditParams{...})
//	})
//	http.ListenAndServe(addr, h.Middleware(mux))
//
// The consumer must be registered with Callback (or a prefix of it) as its
// callback URL and "callback is a prefix" ticked: the login sends
// oauth_callback=Callback.
//
// # Routes
//
// Under Config.Prefix:
//
//   - /login?next=PATH starts the handshake: a request token from
//     Special:OAuth/initiate, kept with next in the user's server-side
//     session, then a redirect to Special:OAuth/authorize.
//   - /oauth-callback is where the wiki sends the user back. Its
//     oauth_token must be a request token this browser session started
//     (state check), and is accepted once. The access token is fetched
//     (Special:OAuth/token), the user identified (Special:OAuth/identify,
//     JWT checked), and the user redirected to next with a new session id.
//   - /logout: a POST with next and the session's CSRF token (field csrf;
//     [Handler.LogoutForm] makes the button) deletes the server-side
//     session and the cookie; a GET shows a page with that button, so
//     that another site cannot log the user out.
//
// With [Config.OAuth2] the same routes do OAuth 2.0: /login keeps a random
// state and a PKCE verifier in the session and redirects to the wiki's
// rest.php/oauth2/authorize; /oauth-callback accepts the code once, for
// the session's state, exchanges it with the verifier, and asks the
// profile endpoint who the user is. The access and refresh tokens stay in
// the session store; [Handler.Client] refreshes the access token on use
// (one refresh per session at a time), and a refused refresh logs the
// session out.
//
// The wiki's word on a user is trusted for Config.Revalidate (five minutes
// by default): after that, [Handler.Middleware] asks the wiki again, so
// that a revoked authorization ends every session of the token.
//
// # What is kept where
//
// Every token and secret (request token and secret, access token and
// secret) stays on the server, in a [SessionStore]: [NewMemoryStore] (the
// default) or [NewFileStore] (a directory of 0600 JSON files that survives
// restarts). The cookie holds only a random session id (32 bytes from
// crypto/rand, hex), HttpOnly, SameSite=Lax, Secure under TLS; the store
// sees only a SHA-256 hash of it, so a copy of the store does not open
// anyone's session. flask-mwoauth keeps the access token and secret in
// Flask's client-side (signed, not encrypted) session cookie.
//
// next must be a same-site path ([SafeNext]): "//evil.example",
// "/\evil.example", "https://evil.example", "javascript:...", control
// characters and their percent-encoded forms are refused and replaced by
// Config.DefaultNext. flask-mwoauth's /logout?next= redirects anywhere (and is a plain GET).
//
// The session id changes when the login completes (no session fixation),
// and the request token is removed from the session before it is
// exchanged, so a callback URL works once.
package weblogin
