package oauth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"time"
)

// RefreshOptions configure a [RefreshingTransport].
type RefreshOptions struct {
	// Config is the wiki's handshake configuration (Index, Server, the
	// consumer, Callback, HTTPClient for the handshake). Its Server is also
	// the canonical server the requests are signed for.
	Config Config
	// Credentials are the consumer with its current access token.
	Credentials Credentials
	// Prompter asks the user to authorize again when the wiki reports the
	// access token invalid or revoked. nil: no re-authorization; such
	// answers are passed on.
	Prompter Prompter
	// Store and StorePattern, when set, receive the new token after a
	// re-authorization (under StorePattern, e.g. the host or
	// "*.wikipedia.org").
	Store        *Store
	StorePattern string
	// Base sends the signed requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Clock and Nonce are given to the Signer (nil: the defaults).
	Clock func() time.Time
	Nonce func() string
	// Logger receives a warning when the new token cannot be stored, and
	// an info record for each re-authorization. nil discards them. Records
	// never hold secrets.
	Logger *slog.Logger
}

// RefreshingTransport is an http.RoundTripper that signs requests like
// [Transport] and handles MediaWiki's OAuth failures on api.php (HTTP 200,
// MediaWiki-API-Error: mwoauth-invalid-authorization):
//
//   - access token invalid or revoked ("Invalid access token: ...",
//     mwoauthdatastore-access-token-not-found): it runs the handshake again
//     with the Prompter, stores the new token, and resends the request once
//     with it. Concurrent requests that fail the same way share one prompt.
//   - "Nonce already used": it resends the request once with a fresh nonce.
//   - "Expired timestamp, yours X, ours Y": it fails with a
//     *[ClockSkewError] naming the difference in seconds.
//
// Errors that RoundTrip returns for these cases (*[ClockSkewError],
// *[ReauthorizationError]) have a method Retryable() bool that reports
// false, for retry logic above the transport.
//
// Other failures (a bad signature, an unknown consumer, a wrong wiki) are
// passed on unchanged: re-authorizing would not help. Request bodies are
// resent through GetBody, or buffered when a request has none. It is safe
// for concurrent use.
type RefreshingTransport struct {
	opts RefreshOptions

	mu    sync.Mutex // guards creds and gen
	creds Credentials
	gen   int // incremented by each re-authorization

	refreshMu sync.Mutex // one handshake at a time
}

// NewRefreshingTransport returns a RefreshingTransport.
func NewRefreshingTransport(opts RefreshOptions) *RefreshingTransport {
	return &RefreshingTransport{opts: opts, creds: opts.Credentials}
}

// Credentials returns the credentials in use (after any re-authorization).
func (t *RefreshingTransport) Credentials() Credentials {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.creds
}

// String describes the transport without its secrets.
func (t *RefreshingTransport) String() string {
	c := t.Credentials()
	return "oauth.RefreshingTransport{" + c.String() + "}"
}

// Format prints String for every verb, so that no secret is printed.
func (t *RefreshingTransport) Format(f fmt.State, verb rune) { _, _ = io.WriteString(f, t.String()) }

func (t *RefreshingTransport) current() (Credentials, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.creds, t.gen
}

func (t *RefreshingTransport) log() *slog.Logger {
	if t.opts.Logger != nil {
		return t.opts.Logger
	}
	return slog.New(discard{})
}

// RoundTrip signs and sends req, handling OAuth failures as described on
// the type.
func (t *RefreshingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := bufferBody(req)
	if err != nil {
		return nil, err
	}
	creds, gen := t.current()
	resp, authErr, err := t.attempt(req, body, creds, true)
	if err != nil || authErr == nil {
		return resp, err
	}
	switch authErr.Failure {
	case FailureNonceUsed:
		resp.Body.Close()
		creds, _ = t.current()
		resp, _, err = t.attempt(req, body, creds, false)
		return resp, err
	case FailureExpiredTimestamp:
		resp.Body.Close()
		if skew := clockSkew(authErr); skew != nil {
			return nil, skew
		}
		return nil, authErr
	case FailureInvalidToken:
		if t.opts.Prompter == nil {
			return resp, nil
		}
		resp.Body.Close()
		newCreds, err := t.reauthorize(req.Context(), gen)
		if err != nil {
			return nil, &ReauthorizationError{Refused: authErr, Err: err}
		}
		resp, _, err = t.attempt(req, body, newCreds, false)
		return resp, err
	}
	return resp, nil
}

// attempt sends one signed copy of req. authErr is set when the answer is
// an OAuth authorization failure (resp is then still returned, its body
// intact). body is the buffered body of a request without GetBody;
// otherwise the first attempt sends req.Body itself and later ones a new
// one from req.GetBody.
func (t *RefreshingTransport) attempt(req *http.Request, body []byte, creds Credentials, first bool) (resp *http.Response, authErr *AuthorizationError, err error) {
	r, sendBody := req, io.ReadCloser(nil)
	switch {
	case body != nil:
		r = req.Clone(req.Context())
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		r.ContentLength = int64(len(body))
	case !first && req.GetBody != nil && req.Body != nil && req.Body != http.NoBody:
		if sendBody, err = req.GetBody(); err != nil {
			return nil, nil, fmt.Errorf("oauth: reading the request body again to resend it: %w", err)
		}
	}
	s := Signer{Credentials: creds, Server: t.opts.Config.server(), Clock: t.opts.Clock, Nonce: t.opts.Nonce}
	signed, err := signedCopy(&s, r, sendBody)
	if err != nil {
		if sendBody != nil {
			sendBody.Close()
		} else {
			closeBody(r)
		}
		return nil, nil, err
	}
	base := t.opts.Base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err = base.RoundTrip(signed)
	if err != nil {
		return nil, nil, err
	}
	if !strings.Contains(resp.Header.Get("MediaWiki-API-Error"), "mwoauth-invalid-authorization") {
		return resp, nil, nil
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	resp.Body.Close()
	if err != nil {
		return nil, nil, fmt.Errorf("oauth: reading the wiki's answer: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	resp.ContentLength = int64(len(data))
	return resp, ParseAuthorizationError(resp.Header, data), nil
}

// reauthorize runs the handshake with the Prompter, unless another request
// already did since gen, and stores the new token.
func (t *RefreshingTransport) reauthorize(ctx context.Context, gen int) (Credentials, error) {
	t.refreshMu.Lock()
	defer t.refreshMu.Unlock()
	if creds, cur := t.current(); cur != gen {
		return creds, nil // refreshed meanwhile by another request
	}
	cfg := t.opts.Config
	if cfg.HTTPClient == nil && t.opts.Base != nil {
		cfg.HTTPClient = &http.Client{Transport: t.opts.Base}
	}
	t.log().InfoContext(ctx, "oauth: the access token is no longer valid; authorizing again", "consumer", cfg.Consumer.ConsumerKey)
	creds, err := Authorize(ctx, cfg, t.opts.Prompter)
	if err != nil {
		return Credentials{}, err
	}
	t.mu.Lock()
	t.creds = creds
	t.gen++
	t.mu.Unlock()
	if t.opts.Store != nil && t.opts.StorePattern != "" {
		if err := t.opts.Store.Save(t.opts.StorePattern, EntryFor(creds, "")); err != nil {
			t.log().WarnContext(ctx, "oauth: the new access token works but could not be stored", "err", err)
		}
	}
	return creds, nil
}

// Authorize runs the whole handshake with a Prompter: [Initiate],
// [AuthorizeURL] shown by p, [Complete] with its answer.
func Authorize(ctx context.Context, cfg Config, p Prompter) (Credentials, error) {
	if p == nil {
		return Credentials{}, errors.New("oauth: no Prompter to ask the user for authorization")
	}
	rt, err := Initiate(ctx, cfg)
	if err != nil {
		return Credentials{}, err
	}
	callback, err := p.Authorize(ctx, AuthorizeURL(cfg, rt))
	if err != nil {
		return Credentials{}, err
	}
	return Complete(ctx, cfg, rt, callback)
}

// bufferBody reads the body of a request without GetBody so that it can
// be sent more than once, and closes it. nil means no body, or one that
// GetBody gives again.
func bufferBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody || req.GetBody != nil {
		return nil, nil
	}
	b, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("oauth: reading the request body: %w", err)
	}
	return b, nil
}

// Endpoints are a wiki's OAuth addresses, from siteinfo.
type Endpoints struct {
	// Index is the index.php URL: server + script.
	Index string
	// Server is the canonical server: siteinfo's server, a
	// protocol-relative one completed with api's scheme.
	Server string
}

// Discover reads a wiki's index.php URL and canonical server from
// action=query&meta=siteinfo at api (unsigned). hc nil means a new client.
func Discover(ctx context.Context, hc *http.Client, api, userAgent string) (Endpoints, error) {
	u, err := url.Parse(api)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Endpoints{}, fmt.Errorf("oauth: API URL %q is not an absolute http(s) URL", api)
	}
	q := url.Values{"action": {"query"}, "meta": {"siteinfo"}, "siprop": {"general"}, "format": {"json"}, "formatversion": {"2"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, api+"?"+q.Encode(), nil)
	if err != nil {
		return Endpoints{}, err
	}
	req.Header.Set("User-Agent", (Config{UserAgent: userAgent}).userAgent())
	if hc == nil {
		hc = &http.Client{Timeout: 2 * time.Minute}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return Endpoints{}, fmt.Errorf("oauth: siteinfo: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return Endpoints{}, fmt.Errorf("oauth: siteinfo: %w", err)
	}
	var r struct {
		Query struct {
			General struct {
				Server string `json:"server"`
				Script string `json:"script"`
			} `json:"general"`
		} `json:"query"`
	}
	if err := json.Unmarshal(body, &r); err != nil || r.Query.General.Server == "" || r.Query.General.Script == "" {
		return Endpoints{}, fmt.Errorf("oauth: siteinfo at %s has no server and script (HTTP %s): %s", api, resp.Status, excerpt(body))
	}
	server := strings.TrimRight(r.Query.General.Server, "/")
	if strings.HasPrefix(server, "//") {
		server = u.Scheme + ":" + server
	}
	return Endpoints{Index: server + r.Query.General.Script, Server: server}, nil
}

// ClientOptions configure [ClientFromEnvOrStore].
type ClientOptions struct {
	// Store is the credential store; nil means OpenStore("")
	// ($MWGEN_CREDENTIALS_FILE or the default path).
	Store *Store
	// Prompter authorizes again when the token is invalid or revoked, and
	// authorizes at once when only a consumer is known. nil: neither.
	Prompter Prompter
	// HTTPClient is the base client (transport, timeout); nil means a new
	// client with a cookie jar. The result is a copy with its Transport
	// wrapped.
	HTTPClient *http.Client
	// Index and Server override discovery (siteinfo's server and script),
	// for a wiki whose siteinfo names an address this machine cannot
	// reach.
	Index, Server string
	// UserAgent is used for discovery and the handshake.
	UserAgent string
	// Logger: see RefreshOptions.Logger.
	Logger *slog.Logger
}

// ClientFromEnvOrStore returns an *http.Client whose requests to the wiki
// at api (its api.php URL) are signed with the credentials found in the
// environment (MWGEN_CONSUMER_KEY, MWGEN_CONSUMER_SECRET,
// MWGEN_ACCESS_TOKEN, MWGEN_ACCESS_SECRET) or the credential store (see
// [Lookup]), through a [RefreshingTransport]. Give it to the API client:
//
//	hc, err := oauth.ClientFromEnvOrStore(ctx, api, oauth.ClientOptions{
//		Prompter: &oauth.TerminalPrompter{In: os.Stdin, Out: os.Stderr},
//	})
//	c, err := mw.NewClient(api, mw.Options{HTTPClient: hc, AssertUser: true, UserAgent: "..."})
//
// The wiki's index.php and canonical server come from siteinfo unless
// opts sets them. Without an access token, it authorizes at once when
// opts.Prompter is set and fails with [ErrNoCredentials] otherwise.
//
// An OAuth 2.0 login for the wiki (MWGEN_OAUTH2_TOKEN, or a stored `mwgen
// login --oauth2`) is used instead when there is one: see
// [OAuth2ClientFromEnvOrStore].
func ClientFromEnvOrStore(ctx context.Context, api string, opts ClientOptions) (*http.Client, error) {
	store := opts.Store
	if store == nil {
		var err error
		if store, err = OpenStore(""); err != nil {
			return nil, err
		}
	}
	// An OAuth 2.0 login (MWGEN_OAUTH2_TOKEN, mwgen login --oauth2) is
	// used the same way.
	o2 := opts
	o2.Store = store
	if hc, ok, err := OAuth2ClientFromEnvOrStore(ctx, api, o2); err != nil || ok {
		return hc, err
	}
	host, err := HostKey(api)
	if err != nil {
		return nil, err
	}
	res, err := Lookup(host, store)
	if err != nil {
		return nil, err
	}
	base := opts.HTTPClient
	if base == nil {
		jar, _ := cookiejar.New(nil)
		base = &http.Client{Jar: jar}
	}
	ep := Endpoints{Index: opts.Index, Server: opts.Server}
	if ep.Index == "" {
		d, err := Discover(ctx, base, api, opts.UserAgent)
		if err != nil {
			return nil, err
		}
		ep.Index = d.Index
		if ep.Server == "" {
			ep.Server = d.Server
		}
	}
	cfg := Config{Index: ep.Index, Server: ep.Server, Consumer: res.Credentials, HTTPClient: base, UserAgent: opts.UserAgent}
	pattern := res.Pattern
	if pattern == "" {
		pattern = host
	}
	creds := res.Credentials
	if creds.Token == "" {
		if opts.Prompter == nil {
			return nil, fmt.Errorf("%w: no access token for %s: run `mwgen login --api %s`", ErrNoCredentials, host, api)
		}
		if creds, err = Authorize(ctx, cfg, opts.Prompter); err != nil {
			return nil, err
		}
		if err := store.Save(pattern, EntryFor(creds, "")); err != nil {
			return nil, err
		}
	}
	rt := NewRefreshingTransport(RefreshOptions{
		Config:       cfg,
		Credentials:  creds,
		Prompter:     opts.Prompter,
		Store:        store,
		StorePattern: pattern,
		Base:         base.Transport,
		Logger:       opts.Logger,
	})
	c := *base
	c.Transport = rt
	return &c, nil
}

// discard is a slog.Handler that drops everything.
type discard struct{}

func (discard) Enabled(context.Context, slog.Level) bool  { return false }
func (discard) Handle(context.Context, slog.Record) error { return nil }
func (d discard) WithAttrs([]slog.Attr) slog.Handler      { return d }
func (d discard) WithGroup(string) slog.Handler           { return d }
