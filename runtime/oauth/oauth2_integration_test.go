package oauth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/mwgen/mwgen/internal/oauthprovider"
	"github.com/mwgen/mwgen/internal/testwiki"
	mw "github.com/mwgen/mwgen/runtime"
	"github.com/mwgen/mwgen/runtime/oauth"
)

// OAuth 2.0 against the test provider (oauthlib's OAuth 2.0 server with
// Extension:OAuth REL1_39's answers) in front of the real wiki.

const testCallback = "http://127.0.0.1:1/oauth-callback" // never loaded

type o2Env struct {
	w   *testwiki.Wiki
	p   *oauthprovider.Provider
	reg *oauthprovider.OAuth2Registration
	cfg oauth.OAuth2Config
}

func startOAuth2(t *testing.T, c oauthprovider.OAuth2Client) *o2Env {
	t.Helper()
	clearEnv(t)
	w := testwiki.Require(t)
	p := oauthprovider.Start(t, w.API, w.BotUser, w.BotPassword)
	if c.RedirectURI == "" {
		c.RedirectURI = testCallback
	}
	reg, err := p.RegisterOAuth2Client(c)
	if err != nil {
		t.Fatal(err)
	}
	return &o2Env{w: w, p: p, reg: reg, cfg: oauth.OAuth2Config{
		REST:         p.REST,
		ClientID:     reg.ClientID,
		ClientSecret: reg.ClientSecret,
		UserAgent:    "mwgen-oauth-test/1.0 (https://github.com/mwgen/mwgen)",
	}}
}

// o2Prompter approves (or cancels) on the provider, as a user clicking
// Allow, and answers with the URL the browser ends on.
func o2Prompter(p *oauthprovider.Provider, accept bool) *approvingPrompter {
	return &approvingPrompter{approve: func(authorizeURL string) (string, error) {
		return p.ApproveOAuth2(authorizeURL, accept)
	}}
}

func (e *o2Env) stats(t *testing.T) oauthprovider.OAuth2Stats {
	t.Helper()
	s, err := e.p.OAuth2Stats(e.reg.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (e *o2Env) source(t *testing.T, tok *oauth2.Token, p oauth.Prompter, store *oauth.Store) *oauth.OAuth2TokenSource {
	t.Helper()
	opts := oauth.OAuth2SourceOptions{Config: e.cfg, Token: tok, Prompter: p}
	if store != nil {
		opts.Store, opts.StorePattern = store, "127.0.0.1"
		opts.Entry = oauth.Entry{OAuth2: &oauth.OAuth2Entry{ClientID: e.cfg.ClientID, Confidential: e.cfg.Confidential()}}
	}
	src, err := oauth.NewOAuth2TokenSource(opts)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// TestOAuth2Confidential: the authorization code flow (with PKCE) of a
// confidential client, a read and a POST edit on the real wiki with the
// bearer token, the profile; then the wiki ends the token's hour: the next
// call refreshes once, silently (no prompt), stores the new pair, and
// succeeds; the old refresh token is dead.
func TestOAuth2Confidential(t *testing.T) {
	e := startOAuth2(t, oauthprovider.OAuth2Client{Name: "mwgen OAuth 2.0 test"})
	wikiUser := strings.SplitN(e.w.BotUser, "@", 2)[0]

	a := e.cfg.Begin()
	u, err := url.Parse(a.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Path != "/rest.php/oauth2/authorize" || q.Get("client_id") != e.reg.ClientID || q.Get("response_type") != "code" ||
		q.Get("state") != a.State || q.Get("code_challenge") != oauth2.S256ChallengeFromVerifier(a.Verifier) || q.Get("code_challenge_method") != "S256" {
		t.Errorf("authorize URL %s", a.URL)
	}
	// Without a wiki session the authorize endpoint sends the user to log in.
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Get(a.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTemporaryRedirect || !strings.Contains(resp.Header.Get("Location"), "Special:UserLogin") {
		t.Errorf("authorize without a session: %s %s", resp.Status, resp.Header.Get("Location"))
	}

	prompter := o2Prompter(e.p, true)
	tok, err := oauth.AuthorizeOAuth2(ctxT(t), e.cfg, prompter)
	if err != nil {
		t.Fatal(err)
	}
	if tok.TokenType != "Bearer" || tok.RefreshToken == "" || len(tok.AccessToken) < 500 || strings.Count(tok.AccessToken, ".") != 2 {
		t.Errorf("token: type %q, refresh %t, access token of %d characters", tok.TokenType, tok.RefreshToken != "", len(tok.AccessToken))
	}
	if d := time.Until(tok.Expiry); d < 59*time.Minute || d > 61*time.Minute {
		t.Errorf("expiry in %v, want an hour", d)
	}

	store := &oauth.Store{Path: filepath.Join(t.TempDir(), "credentials.json")}
	src := e.source(t, tok, prompter, store)
	c := apiClient(t, e.p.API, oauth.NewOAuth2HTTPClient(src, nil))
	if got := userName(t, c); got != wikiUser {
		t.Fatalf("userinfo as %q, want %q", got, wikiUser)
	}
	edit(t, c, e.w, "Mwgen OAuth2 confidential", "Edited with an OAuth 2.0 bearer token "+time.Now().Format(time.RFC3339Nano))

	prof, err := oauth.FetchProfile(ctxT(t), oauth.NewOAuth2HTTPClient(src, nil), e.cfg.REST, "")
	if err != nil {
		t.Fatal(err)
	}
	if prof.Username != wikiUser || prof.Sub == "" || len(prof.Groups) == 0 || len(prof.Rights) == 0 || len(prof.Grants) == 0 || prof.Blocked {
		t.Errorf("profile %+v", prof)
	}

	// The wiki ends the token's hour: api.php answers "Invalid access
	// token"; the transport refreshes and retries once.
	if err := e.p.ExpireOAuth2(tok.AccessToken); err != nil {
		t.Fatal(err)
	}
	if got := userName(t, c); got != wikiUser {
		t.Fatalf("after expiry: userinfo as %q", got)
	}
	s := e.stats(t)
	if s.Refreshes != 1 || s.APIBearerRefused != 1 || prompter.n.Load() != 1 {
		t.Errorf("refreshes %d, refused %d, prompts %d; want 1, 1, 1 (the first authorization)", s.Refreshes, s.APIBearerRefused, prompter.n.Load())
	}
	cur := src.Current()
	if cur.AccessToken == tok.AccessToken || cur.RefreshToken == tok.RefreshToken {
		t.Error("the token was not rotated")
	}
	// The new pair is in the store, as x/oauth2's Token JSON.
	_, stored, ok, err := store.Lookup("127.0.0.1")
	if err != nil || !ok || stored.OAuth2 == nil || stored.OAuth2.AccessToken != cur.AccessToken || stored.OAuth2.RefreshToken != cur.RefreshToken || !stored.OAuth2.Expiry.Equal(cur.Expiry) {
		t.Errorf("stored %v %v %v", stored, ok, err)
	}
	data, err := os.ReadFile(store.Path)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"client_id"`, `"confidential": true`, `"access_token"`, `"token_type": "Bearer"`, `"refresh_token"`, `"expiry"`} {
		if !strings.Contains(string(data), k) {
			t.Errorf("store file lacks %s", k)
		}
	}
	if strings.Contains(string(data), e.reg.ClientSecret) {
		t.Error("the store holds the client secret, which nobody asked to store")
	}

	// The old refresh token was revoked by the refresh.
	_, err = e.cfg.Refresh(ctxT(t), tok.RefreshToken)
	var oe *oauth.OAuth2Error
	if !errors.As(err, &oe) || oe.Status != 401 || oe.Code != "invalid_request" || oe.Hint != "Token has been revoked" || !oe.Revoked() {
		t.Errorf("refresh with the old token: %v", err)
	}
}

// TestOAuth2PublicPKCE: a public client authorizes with PKCE; without a
// code_challenge the wiki shows an error page; a refresh fails (REL1_39
// checks a secret on every refresh), so the source authorizes again, once,
// with a clear reason, and without a Prompter fails with ErrOAuth2Expired.
func TestOAuth2PublicPKCE(t *testing.T) {
	e := startOAuth2(t, oauthprovider.OAuth2Client{Public: true})
	if e.cfg.Confidential() {
		t.Fatal("a public client has a secret")
	}
	prompter := o2Prompter(e.p, true)
	tok, err := oauth.AuthorizeOAuth2(ctxT(t), e.cfg, prompter)
	if err != nil {
		t.Fatal(err)
	}
	// Without PKCE: an HTML error page, no redirect.
	noPKCE := e.cfg.Config().AuthCodeURL("some-state")
	if _, err := e.p.ApproveOAuth2(noPKCE, true); err == nil || !strings.Contains(err.Error(), "challenge") {
		t.Errorf("authorize without code_challenge: %v", err)
	}
	// A wrong verifier: 400 invalid_grant.
	a := e.cfg.Begin()
	cb, err := e.p.ApproveOAuth2(a.URL, true)
	if err != nil {
		t.Fatal(err)
	}
	a.Verifier = oauth2.GenerateVerifier()
	_, err = e.cfg.Finish(ctxT(t), a, cb)
	var oe *oauth.OAuth2Error
	if !errors.As(err, &oe) || oe.Status != 400 || oe.Code != "invalid_grant" {
		t.Errorf("wrong verifier: %v", err)
	}

	// REL1_39 does not refresh public clients.
	_, err = e.cfg.Refresh(ctxT(t), tok.RefreshToken)
	if !errors.As(err, &oe) || oe.Status != 401 || oe.Code != "invalid_client" {
		t.Errorf("public refresh: %v", err)
	}
	if err := e.p.ExpireOAuth2(tok.AccessToken); err != nil {
		t.Fatal(err)
	}
	// Without a Prompter: a clear error.
	c := apiClient(t, e.p.API, oauth.NewOAuth2HTTPClient(e.source(t, tok, nil, nil), nil))
	_, err = c.Do(ctxT(t), userinfoRequest())
	var re *oauth.ReauthorizationError
	if !errors.Is(err, oauth.ErrOAuth2Expired) || !errors.As(err, &re) || !strings.Contains(err.Error(), "public clients") {
		t.Errorf("public client, no prompter: %v", err)
	}
	// With one: authorized again, once.
	c = apiClient(t, e.p.API, oauth.NewOAuth2HTTPClient(e.source(t, tok, prompter, nil), nil))
	if got := userName(t, c); got == "" {
		t.Fatal("no user")
	}
	if n := prompter.n.Load(); n != 2 {
		t.Errorf("%d prompts, want 2 (the first authorization and one again)", n)
	}
}

// TestOAuth2RevokedRefreshOnePrompt: the user revokes the grant; eight
// concurrent requests fail on the token, the refresh is refused (401
// invalid_request), and the Prompter is asked exactly once; every request
// then succeeds.
func TestOAuth2RevokedRefreshOnePrompt(t *testing.T) {
	e := startOAuth2(t, oauthprovider.OAuth2Client{})
	first := o2Prompter(e.p, true)
	tok, err := oauth.AuthorizeOAuth2(ctxT(t), e.cfg, first)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.p.RevokeOAuth2(e.reg.ClientID); err != nil {
		t.Fatal(err)
	}
	prompter := o2Prompter(e.p, true)
	src := e.source(t, tok, prompter, nil)
	c := apiClient(t, e.p.API, oauth.NewOAuth2HTTPClient(src, nil))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Do(ctxT(t), userinfoRequest())
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	s := e.stats(t)
	if n := prompter.n.Load(); n != 1 || s.RefusedRefreshes != 1 || s.Authorizations != 2 {
		t.Errorf("prompts %d, refused refreshes %d, authorizations %d; want 1, 1, 2", n, s.RefusedRefreshes, s.Authorizations)
	}
}

// TestOAuth2ConcurrentRefresh: 16 goroutines on one token that has
// expired (by the client's clock) make exactly one refresh.
func TestOAuth2ConcurrentRefresh(t *testing.T) {
	e := startOAuth2(t, oauthprovider.OAuth2Client{})
	tok, err := oauth.AuthorizeOAuth2(ctxT(t), e.cfg, o2Prompter(e.p, true))
	if err != nil {
		t.Fatal(err)
	}
	expired := *tok
	expired.Expiry = time.Now().Add(-time.Minute)
	prompter := o2Prompter(e.p, true)
	src := e.source(t, &expired, prompter, nil)
	c := apiClient(t, e.p.API, oauth.NewOAuth2HTTPClient(src, nil))
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	start := make(chan struct{})
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := c.Do(ctxT(t), userinfoRequest())
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	s := e.stats(t)
	if s.Refreshes != 1 || s.RefusedRefreshes != 0 || s.APIBearerRefused != 0 || prompter.n.Load() != 0 {
		t.Errorf("refreshes %d, refused %d, api refusals %d, prompts %d; want 1, 0, 0, 0", s.Refreshes, s.RefusedRefreshes, s.APIBearerRefused, prompter.n.Load())
	}
}

// TestOAuth2OwnerOnly: an owner-only client's access token from
// MWGEN_OAUTH2_TOKEN acts as the owner with no handshake and no file; once
// revoked, the wiki's error is passed on (nothing to refresh).
func TestOAuth2OwnerOnly(t *testing.T) {
	e := startOAuth2(t, oauthprovider.OAuth2Client{OwnerOnly: true, Name: "Owner-only bot"})
	if e.reg.AccessToken == "" {
		t.Fatal("no access token for the owner-only client")
	}
	t.Setenv(oauth.EnvOAuth2Token, e.reg.AccessToken)
	t.Setenv(oauth.EnvCredentialsFile, filepath.Join(t.TempDir(), "none.json"))
	hc, ok, err := oauth.OAuth2ClientFromEnvOrStore(ctxT(t), e.p.API, oauth.ClientOptions{})
	if err != nil || !ok {
		t.Fatalf("%v %v", ok, err)
	}
	c := apiClient(t, e.p.API, hc)
	wikiUser := strings.SplitN(e.w.BotUser, "@", 2)[0]
	if got := userName(t, c); got != wikiUser {
		t.Fatalf("userinfo as %q", got)
	}
	edit(t, c, e.w, "Mwgen OAuth2 owner-only", "Edited with an owner-only OAuth 2.0 token "+time.Now().Format(time.RFC3339Nano))
	prof, err := oauth.FetchProfile(ctxT(t), hc, e.cfg.REST, "")
	if err != nil || prof.Username != wikiUser {
		t.Fatalf("profile %+v %v", prof, err)
	}
	// ClientFromEnvOrStore (OAuth 1.0a's entry point) finds it too.
	hc1, err := oauth.ClientFromEnvOrStore(ctxT(t), e.p.API, oauth.ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := userName(t, apiClient(t, e.p.API, hc1)); got != wikiUser {
		t.Errorf("ClientFromEnvOrStore: userinfo as %q", got)
	}
	if _, err := os.Stat(os.Getenv(oauth.EnvCredentialsFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a credential file was written: %v", err)
	}

	if err := e.p.RevokeOAuth2(e.reg.ClientID); err != nil {
		t.Fatal(err)
	}
	_, err = c.Do(ctxT(t), userinfoRequest())
	var ae *mw.APIError
	if !errors.As(err, &ae) || ae.Code != "mwoauth-invalid-authorization" {
		t.Errorf("revoked owner-only token: %v", err)
	}
	_, err = oauth.FetchProfile(ctxT(t), hc, e.cfg.REST, "")
	var oe *oauth.OAuth2Error
	if !errors.As(err, &oe) || oe.Status != 401 || oe.Code != "access_denied" {
		t.Errorf("profile with a revoked token: %v", err)
	}
}

// TestOAuth2BadInput: the bad input of the flow against the provider.
func TestOAuth2BadInput(t *testing.T) {
	e := startOAuth2(t, oauthprovider.OAuth2Client{})
	var oe *oauth.OAuth2Error

	// Cancel: error=unauthorized_client and no state.
	a := e.cfg.Begin()
	cb, err := e.p.ApproveOAuth2(a.URL, false)
	if err != nil {
		t.Fatal(err)
	}
	if cu, _ := url.Parse(cb); cu.Query().Get("error") != "unauthorized_client" || cu.Query().Has("state") {
		t.Errorf("cancel callback %s", cb)
	}
	if _, err := e.cfg.Finish(ctxT(t), a, cb); !errors.Is(err, oauth.ErrOAuth2Denied) || !strings.Contains(err.Error(), "unauthorized_client") {
		t.Errorf("cancelled: %v", err)
	}

	// Another authorization's callback: state mismatch, nothing exchanged.
	a1, a2 := e.cfg.Begin(), e.cfg.Begin()
	cb2, err := e.p.ApproveOAuth2(a2.URL, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.cfg.Finish(ctxT(t), a1, cb2); !errors.Is(err, oauth.ErrStateMismatch) {
		t.Errorf("state mismatch: %v", err)
	}
	if s := e.stats(t); s.Exchanges != 0 {
		t.Errorf("%d exchanges after a refused callback", s.Exchanges)
	}

	// A code replayed: 400 invalid_request.
	if _, err := e.cfg.Finish(ctxT(t), a2, cb2); err != nil {
		t.Fatal(err)
	}
	_, err = e.cfg.Finish(ctxT(t), a2, cb2)
	if !errors.As(err, &oe) || oe.Status != 400 || oe.Code != "invalid_request" {
		t.Errorf("replayed code: %v", err)
	}

	// A wrong secret: 401 invalid_client; the secret is in no error.
	bad := e.cfg
	bad.ClientSecret = "wrong-SECRET-value"
	a3 := bad.Begin()
	cb3, err := e.p.ApproveOAuth2(a3.URL, true)
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.Finish(ctxT(t), a3, cb3)
	if !errors.As(err, &oe) || oe.Status != 401 || oe.Code != "invalid_client" || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("wrong secret: %v", err)
	}
}

// TestOAuth2TokenEndpointHTML: a token endpoint answering an HTML page (a
// wrong REST URL, a login wall) is a clear error, not a parse error.
func TestOAuth2TokenEndpointHTML(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!DOCTYPE html><html><body><h1>Main Page</h1></body></html>")
	}))
	defer srv.Close()
	cfg := oauth.OAuth2Config{REST: srv.URL + "/w/rest.php", ClientID: "id", ClientSecret: "SECRET-x"}
	_, err := cfg.Exchange(context.Background(), "code", "verifier")
	if !errors.Is(err, oauth.ErrNotJSON) || !strings.Contains(err.Error(), "Main Page") || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("HTML answer: %v", err)
	}
	_, err = cfg.Refresh(context.Background(), "refresh")
	if !errors.Is(err, oauth.ErrNotJSON) {
		t.Errorf("HTML answer to a refresh: %v", err)
	}
}

func userinfoRequest() *mw.Request {
	p := new(mw.Params)
	p.Text("meta", "userinfo")
	return &mw.Request{Action: "query", Params: p}
}
