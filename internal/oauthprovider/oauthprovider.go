// Package oauthprovider runs a test OAuth 1.0a and OAuth 2.0 provider that
// behaves like MediaWiki's Extension:OAuth, for integration tests of mwgen's
// OAuth clients.
//
// The provider is provider.py next to this file, run with Debian's
// /usr/bin/python3: every signature is verified by python3-oauthlib and
// identify's JWT is made by python3-jwt (PyJWT), so a bug in mwgen's base
// string cannot hide behind the same bug in the verifier. It serves
// MediaWiki's routes (index.php?title=Special:OAuth/initiate, authorize,
// token, identify, verified, and api.php) and forwards verified api.php
// requests to a real wiki (see internal/testwiki) logged in with the wiki
// user's bot password. What the provider checks itself, the MediaWiki way,
// and what oauthlib checks, is described at the top of provider.py.
//
//	w := testwiki.Require(t)
//	p := oauthprovider.Start(t, w.API, w.BotUser, w.BotPassword)
//	reg, err := p.RegisterConsumer(oauthprovider.Consumer{Name: "My test app"})
//	// ... oauth.Initiate with Config{Index: p.Index, Server: p.Server, ...}
//	cb, err := p.Approve(requestToken, "")   // what the Approve button does
//
// OAuth 2.0 is served on rest.php (REST+"/oauth2/authorize", access_token,
// resource/profile) by oauthlib's OAuth 2.0 server with REL1_39's answers
// and errors; api.php accepts its access tokens as bearer tokens:
//
//	reg, err := p.RegisterOAuth2Client(oauthprovider.OAuth2Client{RedirectURI: cb})
//	cb, err := p.ApproveOAuth2(authorizeURL, true) // what Allow does
//
// Start with an empty wikiAPI runs the provider without a wiki: the
// handshake and identify work (with a synthetic user), api.php answers an
// error.
package oauthprovider

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Python is the interpreter the provider runs with: Debian's, where
// python3-oauthlib and python3-jwt are installed (not a pyenv python3 that
// may be first on PATH). The environment variable MWGEN_OAUTH_PYTHON
// overrides it.
const Python = "/usr/bin/python3"

// InstallHint says how to get what the provider needs.
const InstallHint = "apt-get install python3-oauthlib python3-jwt python3-cryptography"

// Provider is a running test provider.
type Provider struct {
	// Index is the URL of the provider's index.php, where the
	// Special:OAuth pages are (index.php?title=Special:OAuth/...).
	Index string
	// API is the URL of the provider's api.php, which verifies the OAuth
	// signature and forwards the request to the wiki.
	API string
	// Server is the provider's canonical server ($wgServer): the base of
	// signature base strings and identify's iss claim.
	Server string
	// URL is the provider's address, e.g. http://127.0.0.1:PORT.
	URL string
	// REST is the provider's rest.php URL, where the OAuth 2.0 endpoints
	// are (REST+"/oauth2/authorize", ...).
	REST string

	cmd   *exec.Cmd
	stdin io.WriteCloser
	log   *syncBuffer
	done  chan struct{}
}

// Options tune Start.
type Options struct {
	// Server sets the provider's canonical server; empty means its own
	// address, http://127.0.0.1:PORT.
	Server string
	// Verbose makes oauthlib log at debug level.
	Verbose bool
}

// Start runs the provider on a free port of 127.0.0.1 and waits until it
// answers; it stops on t.Cleanup. wikiAPI is the real wiki's api.php and
// botUser/botPassword a bot password of the wiki user the provider acts as
// (testwiki.Wiki's BotUser and BotPassword). When /usr/bin/python3 or
// oauthlib or PyJWT is missing, the test fails if the environment variable CI
// is "true" or "1", and is skipped with installation instructions otherwise.
func Start(t testing.TB, wikiAPI, botUser, botPassword string) *Provider {
	t.Helper()
	return StartWith(t, wikiAPI, botUser, botPassword, Options{})
}

// StartWith is Start with options.
func StartWith(t testing.TB, wikiAPI, botUser, botPassword string, opts Options) *Provider {
	t.Helper()
	python := pythonPath()
	if err := checkPython(python); err != nil {
		if isCI() {
			t.Fatalf("oauthprovider: %v (CI=%s; install with: %s)", err, os.Getenv("CI"), InstallHint)
		}
		t.Skipf("oauthprovider: skipping, %v\nTo run the OAuth integration tests install Debian's packages:\n\t%s", err, InstallHint)
	}
	script, err := scriptPath()
	if err != nil {
		t.Fatalf("oauthprovider: %v", err)
	}
	args := []string{script, "--port", "0", "--exit-on-stdin-eof"}
	if wikiAPI != "" {
		args = append(args, "--wiki-api", wikiAPI, "--bot-user", botUser)
	}
	if opts.Server != "" {
		args = append(args, "--server", opts.Server)
	}
	if opts.Verbose {
		args = append(args, "--verbose")
	}
	cmd := exec.Command(python, args...)
	// The bot password goes through the environment, not the command line
	// that every user of the machine can read.
	cmd.Env = append(os.Environ(), "MWGEN_OAUTH_PROVIDER_BOT_PASSWORD="+botPassword, "PYTHONUNBUFFERED=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatalf("oauthprovider: %v", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("oauthprovider: %v", err)
	}
	logBuf := &syncBuffer{}
	cmd.Stderr = logBuf
	if err := cmd.Start(); err != nil {
		t.Fatalf("oauthprovider: starting %s: %v", python, err)
	}
	p := &Provider{cmd: cmd, stdin: stdin, log: logBuf, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("oauthprovider log:\n%s", p.Log())
		}
	})

	type ready struct {
		Ready  bool   `json:"ready"`
		Port   int    `json:"port"`
		Server string `json:"server"`
		Index  string `json:"index"`
		API    string `json:"api"`
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	var r ready
	select {
	case line, ok := <-lines:
		if !ok {
			<-p.done
			t.Fatalf("oauthprovider: exited before it was ready:\n%s", p.Log())
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil || !r.Ready {
			t.Fatalf("oauthprovider: unexpected first line %q:\n%s", line, p.Log())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("oauthprovider: not ready after 60s:\n%s", p.Log())
	}
	p.Index, p.API, p.Server = r.Index, r.API, r.Server
	p.URL = "http://127.0.0.1:" + strconv.Itoa(r.Port)
	p.REST = p.URL + "/rest.php"
	var health struct {
		OK bool `json:"ok"`
	}
	if err := p.admin("health", nil, &health); err != nil || !health.OK {
		t.Fatalf("oauthprovider: health check: %v\n%s", err, p.Log())
	}
	return p
}

// stop closes the provider's stdin (it exits on EOF) and kills it if it
// does not exit in time.
func (p *Provider) stop() {
	_ = p.stdin.Close()
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// Log returns what the provider logged so far (request lines, failures
// with oauthlib's base string). It never contains secrets.
func (p *Provider) Log() string { return p.log.String() }

// Consumer describes a consumer to register, as Special:OAuthConsumerRegistration
// would.
type Consumer struct {
	// Key and Secret; empty means random (32 hex digits, as MediaWiki's).
	Key, Secret string
	// Name is the application's name shown on the authorize page.
	Name string
	// Callback is the registered callback URL. Empty means the provider's
	// Special:OAuth/verified page, where the user reads the verifier (what
	// desktop and command-line apps register).
	Callback string
	// CallbackIsPrefix allows oauth_callback values that the registered
	// callback is a prefix of; otherwise oauth_callback must be "oob".
	CallbackIsPrefix bool
	// OwnerOnly registers an owner-only consumer: Special:OAuth/initiate
	// and /token refuse it (E010), and the registration answers an access
	// token and secret.
	OwnerOnly bool
	// RSAPublicKeyPEM makes an RSA-SHA1 consumer.
	RSAPublicKeyPEM string
	// Grants are reported in identify's JWT; empty means basic, highvolume,
	// editpage and createeditmovepage.
	Grants []string
}

// Registration is what registering a consumer answers.
type Registration struct {
	Key      string `json:"key"`
	Secret   string `json:"secret"`
	Callback string `json:"callback"`
	// AccessToken and AccessSecret are set for owner-only consumers.
	AccessToken  string `json:"access_token"`
	AccessSecret string `json:"access_secret"`
}

// RegisterConsumer registers a consumer (POST /_test/register-consumer).
func (p *Provider) RegisterConsumer(c Consumer) (*Registration, error) {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("key", c.Key)
	set("secret", c.Secret)
	set("name", c.Name)
	set("callback", c.Callback)
	set("rsa_public_key", c.RSAPublicKeyPEM)
	set("grants", strings.Join(c.Grants, "|"))
	if c.CallbackIsPrefix {
		v.Set("callback_is_prefix", "1")
	}
	if c.OwnerOnly {
		v.Set("owner_only", "1")
	}
	var r Registration
	if err := p.admin("register-consumer", v, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Approve approves a request token as the Approve button of the authorize
// page does, acting as user (empty: the wiki user of the bot password), and
// returns the URL the user is redirected to: the consumer's registered
// callback (Special:OAuth/verified for oob consumers) with oauth_verifier
// and oauth_token. It is safe to call from any goroutine.
func (p *Provider) Approve(requestToken, user string) (callback string, err error) {
	v := url.Values{"oauth_token": {requestToken}}
	if user != "" {
		v.Set("user", user)
	}
	var r struct {
		Callback string `json:"callback"`
	}
	if err := p.admin("approve", v, &r); err != nil {
		return "", err
	}
	return r.Callback, nil
}

// Revoke revokes an access token, as the user would on
// Special:OAuthManageMyGrants: api.php then answers mwoauth-invalid-authorization
// "Invalid access token".
func (p *Provider) Revoke(accessToken string) error {
	return p.admin("revoke", url.Values{"token": {accessToken}}, nil)
}

// SetClockSkew shifts the provider's clock by seconds (0 resets it), to
// provoke "Expired timestamp" failures.
func (p *Provider) SetClockSkew(seconds int) error {
	return p.admin("clock-skew", url.Values{"seconds": {strconv.Itoa(seconds)}}, nil)
}

// OAuth2Client describes an OAuth 2.0 client to register, as
// Special:OAuthConsumerRegistration/propose/oauth2 would.
type OAuth2Client struct {
	// ClientID and Secret; empty means random.
	ClientID, Secret string
	// Public registers a public client: no secret, PKCE (S256) required,
	// and on REL1_39 no refresh (a refresh always checks the secret).
	Public bool
	// OwnerOnly registers an owner-only client: only client_credentials,
	// and the registration answers a long-lived access token.
	OwnerOnly bool
	// Name is shown on the approval page.
	Name string
	// RedirectURI is the registered callback; empty means the provider's
	// Special:OAuth/verified page.
	RedirectURI string
	// Grants are the client's grants (scopes); empty means basic,
	// highvolume, editpage and createeditmovepage.
	Grants []string
	// TTL is the access tokens' lifetime in seconds; 0 means 3600.
	TTL int
}

// OAuth2Registration is what registering an OAuth 2.0 client answers.
type OAuth2Registration struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	RedirectURI  string `json:"redirect_uri"`
	// AccessToken is set for owner-only clients.
	AccessToken string `json:"access_token"`
}

// RegisterOAuth2Client registers an OAuth 2.0 client.
func (p *Provider) RegisterOAuth2Client(c OAuth2Client) (*OAuth2Registration, error) {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("client_id", c.ClientID)
	set("secret", c.Secret)
	set("name", c.Name)
	set("redirect_uri", c.RedirectURI)
	set("grants", strings.Join(c.Grants, "|"))
	if c.Public {
		v.Set("public", "1")
	}
	if c.OwnerOnly {
		v.Set("owner_only", "1")
	}
	if c.TTL > 0 {
		v.Set("ttl", strconv.Itoa(c.TTL))
	}
	var r OAuth2Registration
	if err := p.admin("register-oauth2-client", v, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// ApproveOAuth2 does what Allow (accept) or Cancel on the approval page
// does for authorizeURL (a /rest.php/oauth2/authorize URL), as the wiki
// user, and returns the URL the browser is redirected to. An authorization
// error (MediaWiki shows an HTML page, HTTP 200) is returned as an error
// holding the page's text. It is safe to call from any goroutine.
func (p *Provider) ApproveOAuth2(authorizeURL string, accept bool) (callback string, err error) {
	v := url.Values{"url": {authorizeURL}, "action": {"accept"}}
	if !accept {
		v.Set("action", "cancel")
	}
	var r struct {
		Callback  string `json:"callback"`
		ErrorPage string `json:"error_page"`
	}
	if err := p.admin("oauth2-approve", v, &r); err != nil {
		return "", err
	}
	if r.Callback == "" {
		return "", fmt.Errorf("oauthprovider: the authorize page shows an error: %s", r.ErrorPage)
	}
	return r.Callback, nil
}

// RevokeOAuth2 revokes every token of an OAuth 2.0 client, as the user
// would on Special:OAuthManageMyGrants: api.php then refuses its access
// tokens and the token endpoint its refresh tokens.
func (p *Provider) RevokeOAuth2(clientID string) error {
	return p.admin("oauth2-revoke", url.Values{"client_id": {clientID}}, nil)
}

// ExpireOAuth2 ends an access token's lifetime on the provider (api.php
// refuses it as invalid); its refresh token keeps working.
func (p *Provider) ExpireOAuth2(accessToken string) error {
	return p.admin("oauth2-expire", url.Values{"token": {accessToken}}, nil)
}

// ExpireOAuth2Client ends the lifetime of every access token of an OAuth
// 2.0 client (their refresh tokens keep working).
func (p *Provider) ExpireOAuth2Client(clientID string) error {
	return p.admin("oauth2-expire", url.Values{"client_id": {clientID}}, nil)
}

// OAuth2Stats counts what the provider did for an OAuth 2.0 client.
type OAuth2Stats struct {
	// Authorizations approved, codes exchanged, refreshes granted and
	// refused, client_credentials grants.
	Authorizations    int `json:"authorizations"`
	Exchanges         int `json:"exchanges"`
	Refreshes         int `json:"refreshes"`
	RefusedRefreshes  int `json:"refused_refreshes"`
	ClientCredentials int `json:"client_credentials"`
	// APIBearer and APIBearerRefused count api.php requests with a live
	// and a refused bearer token.
	APIBearer        int `json:"api_bearer"`
	APIBearerRefused int `json:"api_bearer_refused"`
}

// OAuth2Stats returns the counters of an OAuth 2.0 client.
func (p *Provider) OAuth2Stats(clientID string) (OAuth2Stats, error) {
	var s OAuth2Stats
	err := p.admin("oauth2-stats", url.Values{"client_id": {clientID}}, &s)
	return s, err
}

// admin POSTs v to /_test/what and decodes the JSON answer into out.
func (p *Provider) admin(what string, v url.Values, out any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL+"/_test/"+what, strings.NewReader(v.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("oauthprovider %s: %w", what, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("oauthprovider %s: %w", what, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("oauthprovider %s: %s: %s", what, resp.Status, strings.TrimSpace(string(body)))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("oauthprovider %s: %w in %q", what, err, body)
	}
	return nil
}

func pythonPath() string {
	if p := os.Getenv("MWGEN_OAUTH_PYTHON"); p != "" {
		return p
	}
	return Python
}

// checkPython reports whether python exists and imports oauthlib and jwt.
func checkPython(python string) error {
	if _, err := os.Stat(python); err != nil {
		return fmt.Errorf("%s not found", python)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, python, "-c", "import oauthlib.oauth1, oauthlib.oauth2, jwt, cryptography").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s cannot import oauthlib and jwt: %v: %s", python, err, strings.TrimSpace(string(out)))
	}
	return nil
}

func isCI() bool {
	v := strings.TrimSpace(os.Getenv("CI"))
	return strings.EqualFold(v, "true") || v == "1"
}

// scriptPath finds provider.py next to this file, or under the module root
// found upwards from the working directory.
func scriptPath() (string, error) {
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		p := filepath.Join(filepath.Dir(file), "provider.py")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, "internal", "oauthprovider", "provider.py")
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
			break
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	return "", errors.New("cannot find internal/oauthprovider/provider.py")
}

// syncBuffer is a bytes.Buffer safe for the process's writes and our reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
