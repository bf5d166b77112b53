package main

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/mwgen/mwgen/generated"
	"github.com/mwgen/mwgen/runtime"
	"github.com/mwgen/mwgen/runtime/oauth"
	"github.com/mwgen/mwgen/runtime/weblogin"
)

// appConfig configures the example application. API, Listen, ConsumerKey
// and ConsumerSecret are required; the zero value of the rest works.
type appConfig struct {
	// API is the wiki's api.php URL.
	API string
	// Listen is the host:port the application is reached at; the OAuth
	// callback is http://Listen/oauth-callback (an unspecified host such as
	// ":8000" or "0.0.0.0:8000" becomes localhost).
	Listen string
	// ConsumerKey and ConsumerSecret are the OAuth consumer's, registered
	// with the callback above and "callback is a prefix".
	ConsumerKey, ConsumerSecret string
	// OAuth2 logs users in with OAuth 2.0 instead, with the client
	// OAuth2ClientID (and OAuth2ClientSecret, empty for a public client),
	// registered with the callback above as its redirect URI.
	OAuth2                             bool
	OAuth2ClientID, OAuth2ClientSecret string
	// Sessions is a directory for the sessions (they then survive a
	// restart); empty keeps them in memory.
	Sessions string
	// Callback overrides the callback URL (e.g. behind a reverse proxy).
	Callback string
	// Index and Server override the discovery of the wiki's index.php and
	// canonical server.
	Index, Server string
	// UserAgent overrides the application's User-Agent.
	UserAgent string
	// HTTPClient sends the requests to the wiki; nil: a default client.
	HTTPClient *http.Client
	// Logger receives the application's logs; nil: discarded.
	Logger *slog.Logger
}

// userAgent is the example's User-Agent, as Wikimedia's policy asks.
const userAgent = "mwgen-webapp-example/1.0 (https://github.com/mwgen/mwgen)"

// app is the example application.
type app struct {
	wl   *weblogin.Handler
	api  string
	log  *slog.Logger
	page *template.Template
}

// newApp returns the application's handler: the page "/", the edit form's
// POST /edit, and weblogin's /login, /oauth-callback and /logout.
func newApp(cfg appConfig) (http.Handler, error) {
	if cfg.API == "" {
		return nil, errors.New("no API URL (--api)")
	}
	switch {
	case cfg.OAuth2 && cfg.OAuth2ClientID == "":
		return nil, errors.New("no OAuth 2.0 client: set MWGEN_OAUTH2_CLIENT_ID (and MWGEN_OAUTH2_CLIENT_SECRET for a confidential client)")
	case !cfg.OAuth2 && (cfg.ConsumerKey == "" || cfg.ConsumerSecret == ""):
		return nil, errors.New("no OAuth consumer: set MWGEN_CONSUMER_KEY and MWGEN_CONSUMER_SECRET (or use --oauth2)")
	}
	callback := cfg.Callback
	if callback == "" {
		if cfg.Listen == "" {
			return nil, errors.New("no listen address to build the callback URL from")
		}
		callback = "http://" + publicHostPort(cfg.Listen) + "/oauth-callback"
	}
	ua := cfg.UserAgent
	if ua == "" {
		ua = userAgent
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	var store weblogin.SessionStore
	if cfg.Sessions != "" {
		fs, err := weblogin.NewFileStore(cfg.Sessions)
		if err != nil {
			return nil, err
		}
		store = fs
	}
	wlc := weblogin.Config{
		API:        cfg.API,
		Index:      cfg.Index,
		Server:     cfg.Server,
		Callback:   callback,
		Store:      store,
		HTTPClient: cfg.HTTPClient,
		UserAgent:  ua,
		Logger:     logger,
	}
	if cfg.OAuth2 {
		wlc.OAuth2 = &weblogin.OAuth2Client{ClientID: cfg.OAuth2ClientID, ClientSecret: cfg.OAuth2ClientSecret}
	} else {
		wlc.Consumer = oauth.Credentials{ConsumerKey: cfg.ConsumerKey, ConsumerSecret: cfg.ConsumerSecret}
	}
	wl, err := weblogin.New(wlc)
	if err != nil {
		return nil, err
	}
	a := &app{wl: wl, api: cfg.API, log: logger, page: pageTemplate}
	mux := http.NewServeMux()
	wl.Register(mux)
	mux.HandleFunc("GET /{$}", a.index)
	mux.HandleFunc("POST /edit", a.edit)
	return securityHeaders(wl.Middleware(mux)), nil
}

// publicHostPort turns a listen address into one a browser can reach:
// an empty or unspecified host becomes localhost.
func publicHostPort(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// securityHeaders sets the headers every answer carries: no framing, no
// sniffing, no scripts, forms only to this site.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// pageData is what the page shows.
type pageData struct {
	User   *weblogin.User
	CSRF   string
	API    string
	Result string // "Saved revision N of TITLE"
	Error  string
	// Relogin, when set, is the login URL the page moves on to by itself.
	Relogin string
	// LogoutForm is weblogin's logout button (a POST with the CSRF token).
	LogoutForm template.HTML

	loggedOut bool // show the page logged out, whatever the session said
}

func (a *app) index(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, pageData{})
}

// render shows the page for the request's user.
func (a *app) render(w http.ResponseWriter, r *http.Request, status int, d pageData) {
	if d.User == nil && !d.loggedOut {
		d.User = weblogin.UserFromContext(r.Context())
	}
	if d.User != nil {
		d.CSRF = a.wl.CSRFToken(r)
		d.LogoutForm = a.wl.LogoutForm(r, "/", "logout")
	}
	d.API = a.api
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := a.page.Execute(w, d); err != nil {
		a.log.Warn("webapp: rendering the page", "err", err)
	}
}

// edit saves a page as the logged-in user: POST /edit with csrf, title
// and text.
func (a *app) edit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<20)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	if weblogin.UserFromContext(r.Context()) == nil {
		a.render(w, r, http.StatusUnauthorized, pageData{Error: "You are not logged in (any more): log in to edit."})
		return
	}
	if !a.wl.ValidCSRF(r, r.PostForm.Get("csrf")) {
		http.Error(w, "Forbidden: the form's CSRF token is missing or wrong. Reload the page and try again.", http.StatusForbidden)
		return
	}
	title := strings.TrimSpace(r.PostForm.Get("title"))
	text := r.PostForm.Get("text")
	if title == "" {
		a.render(w, r, http.StatusBadRequest, pageData{Error: "Give the title of the page to edit."})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Minute)
	defer cancel()
	rt, err := a.wl.Client(r)
	if err != nil {
		a.render(w, r, http.StatusUnauthorized, pageData{loggedOut: true, Error: "You are not logged in (any more): log in to edit."})
		return
	}
	result, err := saveEdit(ctx, rt, title, text)
	if errors.Is(err, weblogin.ErrNotLoggedIn) {
		// The login ended (an OAuth 2.0 refresh was refused): weblogin
		// logged the session out. Back to /login?next=/, by a page that
		// moves on by itself: a redirect of the form's POST to the wiki
		// would break the page's CSP form-action 'self'.
		a.render(w, r, http.StatusUnauthorized, pageData{loggedOut: true, Relogin: a.wl.LoginURL("/"),
			Error: "Your login has ended (the wiki no longer accepts your authorization): log in again."})
		return
	}
	if err != nil {
		var ae *runtime.APIError
		if errors.As(err, &ae) && strings.HasPrefix(ae.Code, "mwoauth-invalid-authorization") {
			// weblogin logged the session out when the token was refused.
			a.render(w, r, http.StatusUnauthorized, pageData{loggedOut: true, Error: "The wiki no longer accepts your authorization: log in again."})
			return
		}
		a.log.Warn("webapp: edit failed", "title", title, "err", err)
		a.render(w, r, http.StatusBadGateway, pageData{Error: "The edit failed: " + err.Error()})
		return
	}
	a.render(w, r, http.StatusOK, pageData{Result: result})
}

// saveEdit edits title with the generated client and describes the saved
// revision.
func saveEdit(ctx context.Context, rt *runtime.Client, title, text string) (string, error) {
	resp, err := generated.New(rt).Edit(ctx, &generated.EditParams{
		Title:   title,
		Text:    runtime.Set(text),
		Summary: "via mwgen webapp",
	})
	if err != nil {
		return "", err
	}
	e := resp.EditResult
	if e.Result != "Success" {
		return "", fmt.Errorf("unexpected answer: %s", resp.Raw())
	}
	if e.Title == "" {
		e.Title = title
	}
	if e.Nochange || e.Newrevid == 0 {
		rev, err := lastRevision(ctx, rt, e.Title)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("Saved revision %d of %s (no change: the page already had this text)", rev, e.Title), nil
	}
	return fmt.Sprintf("Saved revision %d of %s", e.Newrevid, e.Title), nil
}

// lastRevision returns the id of a page's latest revision.
func lastRevision(ctx context.Context, rt *runtime.Client, title string) (int, error) {
	res, err := generated.New(rt).Query(ctx, &generated.QueryParams{
		PageSet: generated.PageSet{Titles: []string{title}},
		Prop:    generated.QueryProps{Info: &generated.QueryInfoParams{}},
	})
	if err != nil {
		return 0, err
	}
	if len(res.Pages) == 0 || res.Pages[0].QueryInfoPage == nil {
		return 0, fmt.Errorf("unexpected answer: %s", res.Raw())
	}
	return res.Pages[0].Lastrevid, nil
}

// pageTemplate is the application's only page. The element ids are what
// the end-to-end test looks for.
var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>mwgen webapp</title>
{{with .Relogin}}<meta http-equiv="refresh" content="0; url={{.}}">{{end}}
<style>
body { font-family: sans-serif; max-width: 42em; margin: 2em auto; padding: 0 1em; }
label { display: block; margin-top: .8em; }
input, textarea { width: 100%; box-sizing: border-box; }
textarea { height: 8em; }
#edit-result { color: #14866d; }
#edit-error { color: #d33; }
</style>
</head>
<body>
<h1>mwgen webapp</h1>
<p>An example of <code>runtime/weblogin</code>: log in with your account on <code>{{.API}}</code>, then edit a page as yourself.</p>
{{if .User}}
<p>Logged in as <span id="username">{{.User.Name}}</span>. {{.LogoutForm}}</p>
<h2>Your groups</h2>
<ul id="groups">{{range .User.Groups}}
<li>{{.}}</li>{{end}}
</ul>
<h2>Edit a page</h2>
{{with .Result}}<p id="edit-result">{{.}}</p>{{end}}
{{with .Error}}<p id="edit-error">{{.}}</p>{{end}}
<form id="edit-form" method="post" action="/edit">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<label for="edit-title">Title</label>
<input id="edit-title" name="title" type="text" required>
<label for="edit-text">Text</label>
<textarea id="edit-text" name="text"></textarea>
<p><button id="edit-submit" type="submit">Save</button></p>
</form>
{{else}}
{{with .Error}}<p id="edit-error">{{.}}</p>{{end}}
<p>You are not logged in. <a id="login" href="/login?next=/">Log in with your wiki account</a></p>
{{end}}
</body>
</html>
`))
