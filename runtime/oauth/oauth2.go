package oauth

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// OAuth 2.0 with Extension:OAuth: the authorization code flow with PKCE
// (S256), for confidential clients (with a secret) and public ones
// (without). The protocol parts are golang.org/x/oauth2's (the authorize
// URL, the code exchange, the refresh, the PKCE verifier and challenge, the
// Token type and its JSON); what is MediaWiki's is here: the REST endpoints
// beside api.php, the callback's error without state, the error bodies, and
// the profile endpoint (see oauth2_profile.go).

// Errors of the OAuth 2.0 flow. Test with errors.Is.
var (
	// ErrOAuth2Denied: the authorization was cancelled on the wiki's
	// approval page (REL1_39 redirects with error=unauthorized_client and
	// no state) or refused (another error parameter in the callback).
	ErrOAuth2Denied = errors.New("oauth: the authorization was cancelled or refused on the wiki")
	// ErrStateMismatch: the callback's state is not the one this
	// authorization sent (another authorization's callback, or a forged
	// one).
	ErrStateMismatch = errors.New("oauth: the callback's state does not match this authorization")
	// ErrNoCode: the callback holds no code.
	ErrNoCode = errors.New("oauth: no code in the callback")
	// ErrOAuth2Expired: the access token can no longer be used and cannot
	// be renewed: the refresh failed and there is no Prompter to authorize
	// again (or the token is owner-only).
	ErrOAuth2Expired = errors.New("oauth: the OAuth 2.0 access token is no longer valid and cannot be refreshed")
)

// OAuth2Config is an OAuth 2.0 client of a wiki's Extension:OAuth.
//
// Its String and fmt verbs never show the client secret.
type OAuth2Config struct {
	// REST is the wiki's rest.php URL, e.g.
	// "https://meta.wikimedia.org/w/rest.php" (see [RESTURL]). The
	// endpoints are REST+"/oauth2/authorize", "/oauth2/access_token" and
	// "/oauth2/resource/profile".
	REST string
	// ClientID is the client's key ("client application key").
	ClientID string
	// ClientSecret is a confidential client's secret; empty for a public
	// client, which must use PKCE (always sent) and which REL1_39 does not
	// let refresh tokens (it authorizes again instead).
	ClientSecret string
	// RedirectURL, when set, is sent as redirect_uri; it must equal the
	// registered callback. Empty: the registered one is used.
	RedirectURL string
	// Scopes are the grants asked for; empty means the client's registered
	// grants.
	Scopes []string
	// HTTPClient sends the token requests (its Timeout and Transport
	// count); nil means a client with a two-minute timeout.
	HTTPClient *http.Client
	// UserAgent identifies the tool (Wikimedia's User-Agent policy); empty
	// means mwgen's.
	UserAgent string
}

// Confidential reports whether the client has a secret.
func (c OAuth2Config) Confidential() bool { return c.ClientSecret != "" }

// String describes the configuration without the secret.
func (c OAuth2Config) String() string {
	kind := "public"
	if c.Confidential() {
		kind = "confidential, secret redacted"
	}
	return "oauth.OAuth2Config{client=" + c.ClientID + ", " + kind + ", rest=" + c.REST + "}"
}

// GoString is String.
func (c OAuth2Config) GoString() string { return c.String() }

// Format prints String for every verb.
func (c OAuth2Config) Format(f fmt.State, verb rune) { writeRedacted(f, verb, c.String()) }

// RESTURL returns the rest.php URL beside an index.php or api.php URL (the
// same script path), e.g. https://w.example/w/rest.php for
// https://w.example/w/index.php.
func RESTURL(script string) (string, error) {
	u, err := url.Parse(script)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("oauth: %q is not an absolute http(s) URL", script)
	}
	u.RawQuery, u.Fragment = "", ""
	dir := u.Path
	if i := strings.LastIndexByte(dir, '/'); i >= 0 {
		dir = dir[:i]
	}
	u.Path = dir + "/rest.php"
	return u.String(), nil
}

func (c OAuth2Config) check() error {
	if c.ClientID == "" {
		return errors.New("oauth: OAuth2Config has no ClientID")
	}
	return checkREST(c.REST)
}

// checkREST checks a rest.php URL.
func checkREST(rest string) error {
	if _, err := RESTURL(rest); err != nil || !strings.HasSuffix(strings.TrimRight(rest, "/"), "rest.php") {
		return fmt.Errorf("oauth: %q is not a rest.php URL", rest)
	}
	return nil
}

func (c OAuth2Config) endpoint(path string) string { return restEndpoint(c.REST, path) }

// restEndpoint is an Extension:OAuth OAuth 2.0 endpoint under rest.php.
func restEndpoint(rest, path string) string {
	return strings.TrimRight(rest, "/") + "/oauth2/" + path
}

// Config returns the golang.org/x/oauth2 configuration of the client:
// MediaWiki's endpoints, the credentials in HTTP Basic for a confidential
// client and client_id in the body for a public one.
func (c OAuth2Config) Config() *oauth2.Config {
	style := oauth2.AuthStyleInHeader
	if !c.Confidential() {
		style = oauth2.AuthStyleInParams
	}
	return &oauth2.Config{
		ClientID:     c.ClientID,
		ClientSecret: c.ClientSecret,
		Endpoint: oauth2.Endpoint{
			AuthURL:   c.endpoint("authorize"),
			TokenURL:  c.endpoint("access_token"),
			AuthStyle: style,
		},
		RedirectURL: c.RedirectURL,
		Scopes:      c.Scopes,
	}
}

// tokenContext returns ctx with the HTTP client x/oauth2 uses for token
// requests: c.HTTPClient (or a default) whose transport sets the
// User-Agent and turns answers that are not JSON into clear errors.
func (c OAuth2Config) tokenContext(ctx context.Context) context.Context {
	var hc http.Client
	if c.HTTPClient != nil {
		hc = *c.HTTPClient
	} else {
		hc.Timeout = 2 * time.Minute
	}
	hc.Transport = &tokenTransport{base: hc.Transport, userAgent: (Config{UserAgent: c.UserAgent}).userAgent()}
	return context.WithValue(ctx, oauth2.HTTPClient, &hc)
}

// OAuth2Authorization is an authorization in progress: what [OAuth2Config.Begin]
// made and [OAuth2Config.Finish] checks. Keep it server-side (or in the
// process): its Verifier is a secret.
type OAuth2Authorization struct {
	// URL is the authorize URL to send the user to.
	URL string
	// State is the random state sent, checked against the callback's.
	State string
	// Verifier is the PKCE code verifier (its S256 challenge is in URL).
	Verifier string
}

// String describes the authorization without its verifier.
func (a OAuth2Authorization) String() string {
	return "oauth.OAuth2Authorization{url=" + a.URL + ", verifier redacted}"
}

// Format prints String for every verb.
func (a OAuth2Authorization) Format(f fmt.State, verb rune) { writeRedacted(f, verb, a.String()) }

// Begin starts an authorization: a random state, a PKCE verifier
// ([oauth2.GenerateVerifier]) and the authorize URL with the verifier's
// S256 challenge. PKCE is used for confidential clients too.
func (c OAuth2Config) Begin() *OAuth2Authorization {
	state := newSecretString()
	verifier := oauth2.GenerateVerifier()
	return &OAuth2Authorization{
		URL:      c.Config().AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)),
		State:    state,
		Verifier: verifier,
	}
}

// Finish completes an authorization with the user's answer: the URL the
// wiki redirected to, its query string, or the bare code. It checks the
// callback (an error parameter: [ErrOAuth2Denied]; a state other than
// a.State: [ErrStateMismatch]; a bare code carries no state and is
// accepted as the user's own paste) and exchanges the code with the PKCE
// verifier. Token endpoint errors are *[OAuth2Error].
func (c OAuth2Config) Finish(ctx context.Context, a *OAuth2Authorization, answer string) (*oauth2.Token, error) {
	code, err := parseOAuth2Callback(answer, a.State)
	if err != nil {
		return nil, err
	}
	return c.Exchange(ctx, code, a.Verifier)
}

// parseOAuth2Callback returns the code of a callback URL, query string or
// bare code, after checking error and state.
func parseOAuth2Callback(answer, state string) (string, error) {
	answer = strings.TrimSpace(answer)
	if answer == "" {
		return "", ErrNoCode
	}
	var q url.Values
	switch {
	case strings.Contains(answer, "://"):
		u, err := url.Parse(answer)
		if err != nil {
			return "", errors.New("oauth: the callback is not a valid URL")
		}
		q = u.Query()
	case strings.Contains(answer, "="):
		v, err := url.ParseQuery(strings.TrimPrefix(answer, "?"))
		if err != nil {
			return "", errors.New("oauth: the callback's query string is not valid")
		}
		q = v
	default:
		if strings.ContainsAny(answer, " \t&?#/") {
			return "", errors.New("oauth: the answer is neither a callback URL nor a code")
		}
		return answer, nil // a bare code
	}
	if e := q.Get("error"); e != "" {
		msg := q.Get("error_description")
		if msg == "" {
			msg = q.Get("message")
		}
		if msg != "" {
			return "", fmt.Errorf("%w: error=%s: %.200s", ErrOAuth2Denied, e, msg)
		}
		return "", fmt.Errorf("%w: error=%s", ErrOAuth2Denied, e)
	}
	if got := q.Get("state"); !constantTimeEqual(got, state) {
		if got == "" {
			return "", fmt.Errorf("%w (the callback has no state)", ErrStateMismatch)
		}
		return "", ErrStateMismatch
	}
	code := q.Get("code")
	if code == "" {
		return "", ErrNoCode
	}
	return code, nil
}

// Exchange trades an authorization code for a token (with the PKCE
// verifier; empty means none was used).
func (c OAuth2Config) Exchange(ctx context.Context, code, verifier string) (*oauth2.Token, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	var opts []oauth2.AuthCodeOption
	if verifier != "" {
		opts = append(opts, oauth2.VerifierOption(verifier))
	}
	tok, err := c.Config().Exchange(c.tokenContext(ctx), code, opts...)
	if err != nil {
		return nil, oauth2Error("exchanging the authorization code", err)
	}
	return cleanToken(tok), nil
}

// Refresh trades a refresh token for a new token (the wiki revokes the old
// pair). A refusal is a *[OAuth2Error].
func (c OAuth2Config) Refresh(ctx context.Context, refreshToken string) (*oauth2.Token, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	if refreshToken == "" {
		return nil, errors.New("oauth: no refresh token")
	}
	tok, err := c.Config().TokenSource(c.tokenContext(ctx), &oauth2.Token{RefreshToken: refreshToken}).Token()
	if err != nil {
		return nil, oauth2Error("refreshing the access token", err)
	}
	return cleanToken(tok), nil
}

// cleanToken drops what Token JSON need not keep (expires_in: Expiry holds
// it, as an instant).
func cleanToken(t *oauth2.Token) *oauth2.Token {
	n := &oauth2.Token{AccessToken: t.AccessToken, TokenType: t.TokenType, RefreshToken: t.RefreshToken, Expiry: t.Expiry.UTC().Truncate(time.Second)}
	if t.Expiry.IsZero() {
		n.Expiry = time.Time{}
	}
	return n
}

// AuthorizeOAuth2 runs the whole authorization with a Prompter: Begin, the
// authorize URL shown by p, Finish with its answer.
func AuthorizeOAuth2(ctx context.Context, c OAuth2Config, p Prompter) (*oauth2.Token, error) {
	if p == nil {
		return nil, errors.New("oauth: no Prompter to ask the user for authorization")
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	a := c.Begin()
	answer, err := p.Authorize(ctx, a.URL)
	if err != nil {
		return nil, err
	}
	return c.Finish(ctx, a, answer)
}

// OAuth2Error is an error answer of the wiki's token endpoint:
// {error, error_description, hint?, message} with its HTTP status.
// REL1_39 answers, for instance: a replayed code 400 invalid_request; a
// refresh token already used (or revoked) 401 invalid_request, hint "Token
// has been revoked"; a wrong secret 401 invalid_client; a wrong PKCE
// verifier 400 invalid_grant.
type OAuth2Error struct {
	// Op is what was being done ("refreshing the access token").
	Op string
	// Status is the HTTP status.
	Status int
	// Code is error; Description error_description (or message); Hint
	// the hint, if any.
	Code, Description, Hint string
}

func (e *OAuth2Error) Error() string {
	s := fmt.Sprintf("oauth: %s: the wiki answered HTTP %d %s", e.Op, e.Status, e.Code)
	if e.Description != "" {
		s += ": " + e.Description
	}
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

// Revoked reports whether the error says the grant is gone: the refresh
// token (or code) was revoked, used already or is unknown, so only a new
// authorization helps.
func (e *OAuth2Error) Revoked() bool {
	return e.Code == "invalid_request" || e.Code == "invalid_grant"
}

// oauth2Error turns x/oauth2's errors into *OAuth2Error (keeping nothing of
// the body but the documented fields, which hold no secret).
func oauth2Error(op string, err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return fmt.Errorf("oauth: %s: %w", op, err)
	}
	e := &OAuth2Error{Op: op, Code: re.ErrorCode, Description: re.ErrorDescription}
	if re.Response != nil {
		e.Status = re.Response.StatusCode
	}
	var body struct {
		Error, Description, Hint, Message string
	}
	var raw map[string]any
	if json.Unmarshal(re.Body, &raw) == nil {
		body.Hint, _ = raw["hint"].(string)
		body.Message, _ = raw["message"].(string)
	}
	e.Hint = body.Hint
	if e.Description == "" {
		e.Description = body.Message
	}
	if e.Code == "" {
		e.Code = "(no error code)"
		if e.Description == "" {
			e.Description = excerpt(re.Body)
		}
	}
	return e
}

// tokenTransport sets the User-Agent on token requests and refuses
// answers that are not JSON (an HTML page: a wrong REST URL, a login
// wall) with a clear error instead of x/oauth2's parse error.
type tokenTransport struct {
	base      http.RoundTripper
	userAgent string
}

func (t *tokenTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Header.Set("User-Agent", t.userAgent)
	r.Header.Set("Accept", "application/json")
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("reading the token endpoint's answer: %w", err)
	}
	if err := checkTokenAnswer(resp.StatusCode, data); err != nil {
		return nil, fmt.Errorf("%w (not the wiki's OAuth 2.0 token endpoint?)", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	resp.ContentLength = int64(len(data))
	// MediaWiki may label JSON text/html; x/oauth2 decodes by
	// Content-Type, so say what it is.
	resp.Header = resp.Header.Clone()
	resp.Header.Set("Content-Type", "application/json")
	return resp, nil
}

// ErrNotJSON: the token endpoint answered something that is not a JSON
// object (an HTML page, a proxy's error).
var ErrNotJSON = errors.New("oauth: the token endpoint did not answer JSON")

// checkTokenAnswer refuses a token endpoint answer that is not a JSON
// object.
func checkTokenAnswer(status int, data []byte) error {
	trimmed := bytes.TrimSpace(data)
	var obj map[string]json.RawMessage
	if len(trimmed) == 0 || trimmed[0] != '{' || json.Unmarshal(trimmed, &obj) != nil {
		return fmt.Errorf("%w: HTTP %d: %s", ErrNotJSON, status, excerpt(data))
	}
	return nil
}

// newSecretString returns 32 random bytes as 64 hex digits (an OAuth 2.0
// state).
func newSecretString() string {
	var b [32]byte
	rand.Read(b[:]) // never fails (crypto/rand since Go 1.24)
	return hex.EncodeToString(b[:])
}

// constantTimeEqual compares two strings in constant time (for the state).
func constantTimeEqual(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
