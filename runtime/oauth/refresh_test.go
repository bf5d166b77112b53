package oauth_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mwgen/mwgen/internal/oauthprovider"
	"github.com/mwgen/mwgen/internal/testwiki"
	mw "github.com/mwgen/mwgen/runtime"
	"github.com/mwgen/mwgen/runtime/oauth"
)

const authPrefix = "The authorization headers in your request are not valid: "

// fakeAPI makes f answer api.php like MediaWiki behind Extension:OAuth:
// the current access token works, any other is "Invalid access token";
// failNonce makes the next n requests fail with "Nonce already used";
// skew answers every request with "Expired timestamp".
type fakeAPI struct {
	f         *fakeOAuth
	mu        sync.Mutex
	failNonce int
	skew      int64
	badSig    bool
	bodies    []string
	nonces    []string
}

func newFakeAPI(t *testing.T) *fakeAPI {
	a := &fakeAPI{f: newFakeOAuth(t)}
	inner := a.f.srv.Config.Handler
	a.f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/w/api.php" {
			inner.ServeHTTP(w, r)
			return
		}
		a.serveAPI(w, r)
	})
	return a
}

func (a *fakeAPI) api() string { return a.f.srv.URL + "/w/api.php" }

func (a *fakeAPI) serveAPI(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	p := authParams(r.Header.Get("Authorization"))
	a.f.mu.Lock()
	current := a.f.access
	a.f.requests = append(a.f.requests, r)
	a.f.auth = append(a.f.auth, p)
	a.f.mu.Unlock()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.bodies = append(a.bodies, string(body))
	a.nonces = append(a.nonces, p["oauth_nonce"])
	fail := func(text string) {
		w.Header().Set("MediaWiki-API-Error", "mwoauth-invalid-authorization")
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"code": "mwoauth-invalid-authorization", "text": authPrefix + text, "module": "main"}}})
	}
	switch {
	case a.badSig:
		fail("Invalid signature")
	case a.skew != 0:
		ts := p["oauth_timestamp"]
		var yours int64
		fmt.Sscan(ts, &yours)
		fail(fmt.Sprintf("Expired timestamp, yours %s, ours %d", ts, yours+a.skew))
	case p["oauth_token"] == "" || p["oauth_token"] != current:
		fail("Invalid access token: " + p["oauth_token"])
	case a.failNonce > 0:
		a.failNonce--
		fail("Nonce already used: " + p["oauth_nonce"])
	default:
		fmt.Fprintf(w, `{"ok":true,"body":%q}`, body)
	}
}

// approvingPrompter approves through f and counts its prompts.
type approvingPrompter struct {
	n       atomic.Int32
	approve func(authorizeURL string) (string, error)
}

func (p *approvingPrompter) Authorize(ctx context.Context, authorizeURL string) (string, error) {
	p.n.Add(1)
	return p.approve(authorizeURL)
}

func fakePrompter(f *fakeOAuth) *approvingPrompter {
	return &approvingPrompter{approve: func(string) (string, error) { return f.approve(), nil }}
}

func TestRefreshOnInvalidToken(t *testing.T) {
	a := newFakeAPI(t)
	cfg := a.f.config()
	store := &oauth.Store{Path: filepath.Join(t.TempDir(), "credentials.json")}
	pr := fakePrompter(a.f)
	old := cfg.Consumer
	old.Token, old.TokenSecret = "revokedtoken", "revoked-SECRET"
	rt := oauth.NewRefreshingTransport(oauth.RefreshOptions{Config: cfg, Credentials: old, Prompter: pr, Store: store, StorePattern: "*.example"})
	hc := &http.Client{Transport: rt}

	resp, err := hc.PostForm(a.api(), url.Values{"action": {"edit"}, "text": {"hello + wiki"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"ok":true`) || resp.Header.Get("MediaWiki-API-Error") != "" {
		t.Fatalf("after re-authorization: %s", body)
	}
	if n := pr.n.Load(); n != 1 {
		t.Errorf("%d prompts, want 1", n)
	}
	// The body was sent twice, identical.
	if len(a.bodies) != 2 || a.bodies[0] != a.bodies[1] || a.bodies[1] != "action=edit&text=hello+%2B+wiki" {
		t.Errorf("bodies sent: %q", a.bodies)
	}
	if got := rt.Credentials(); got.Token != a.f.access || got.TokenSecret != a.f.accessSecret {
		t.Errorf("transport credentials %v", got)
	}
	_, e, ok, err := store.Lookup("en.example")
	if err != nil || !ok || e.AccessToken != a.f.access || e.AccessSecret != a.f.accessSecret || e.ConsumerKey != cfg.Consumer.ConsumerKey {
		t.Errorf("stored %v %v %v", e, ok, err)
	}
	// Later requests use the new token without prompting.
	resp, err = hc.Get(a.api() + "?action=query")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if n := pr.n.Load(); n != 1 {
		t.Errorf("%d prompts after a second request, want 1", n)
	}
}

func TestRefreshConcurrentSharesOnePrompt(t *testing.T) {
	a := newFakeAPI(t)
	cfg := a.f.config()
	pr := fakePrompter(a.f)
	old := cfg.Consumer
	old.Token, old.TokenSecret = "revokedtoken", "x"
	hc := &http.Client{Transport: oauth.NewRefreshingTransport(oauth.RefreshOptions{Config: cfg, Credentials: old, Prompter: pr})}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := hc.Get(a.api() + "?action=query")
			if err != nil {
				t.Error(err)
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(b), `"ok":true`) {
				t.Errorf("answer %s", b)
			}
		}()
	}
	wg.Wait()
	if n := pr.n.Load(); n != 1 {
		t.Errorf("%d prompts for 8 concurrent requests, want 1", n)
	}
}

func TestRefreshNonceClockAndOtherFailures(t *testing.T) {
	a := newFakeAPI(t)
	cfg := a.f.config()
	pr := fakePrompter(a.f)
	creds, err := oauth.Authorize(ctxT(t), cfg, pr)
	if err != nil {
		t.Fatal(err)
	}
	pr.n.Store(0)
	hc := &http.Client{Transport: oauth.NewRefreshingTransport(oauth.RefreshOptions{Config: cfg, Credentials: creds, Prompter: pr})}
	get := func() (*http.Response, string, error) {
		resp, err := hc.Get(a.api() + "?action=query")
		if err != nil {
			return nil, "", err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b), nil
	}

	// "Nonce already used" once: retried with a fresh nonce.
	a.failNonce, a.nonces = 1, nil
	if _, b, err := get(); err != nil || !strings.Contains(b, `"ok":true`) {
		t.Errorf("nonce retry: %s %v", b, err)
	}
	if len(a.nonces) != 2 || a.nonces[0] == a.nonces[1] {
		t.Errorf("nonces sent %q, want two different", a.nonces)
	}
	// Twice: retried once only, then the answer is passed on.
	a.failNonce, a.nonces = 2, nil
	if resp, b, err := get(); err != nil || resp.Header.Get("MediaWiki-API-Error") != "mwoauth-invalid-authorization" || !strings.Contains(b, "Nonce already used") {
		t.Errorf("nonce twice: %s %v", b, err)
	}
	if len(a.nonces) != 2 {
		t.Errorf("%d attempts, want 2", len(a.nonces))
	}
	a.failNonce = 0

	// "Expired timestamp": a ClockSkewError naming the seconds.
	a.skew = 1000
	_, _, err = get()
	var skew *oauth.ClockSkewError
	if !errors.As(err, &skew) || skew.Skew() != -1000*time.Second || !strings.Contains(err.Error(), "1000 seconds behind") || skew.Retryable() {
		t.Errorf("clock skew: %v", err)
	}
	a.skew = 0

	// A bad signature is passed on unchanged, without a prompt.
	a.badSig = true
	resp, b, err := get()
	if err != nil || resp.StatusCode != 200 || resp.Header.Get("MediaWiki-API-Error") != "mwoauth-invalid-authorization" || !strings.Contains(b, "Invalid signature") {
		t.Errorf("bad signature: %v %s", err, b)
	}
	a.badSig = false
	if n := pr.n.Load(); n != 0 {
		t.Errorf("%d prompts, want 0", n)
	}

	// Without a Prompter an invalid token is passed on.
	stale := creds
	stale.Token = "stale"
	hc2 := &http.Client{Transport: oauth.NewRefreshingTransport(oauth.RefreshOptions{Config: cfg, Credentials: stale})}
	resp, err = hc2.Get(a.api() + "?action=query")
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b2), "Invalid access token: stale") {
		t.Errorf("no prompter: %s", b2)
	}

	// A Prompter that fails makes the request fail with both reasons.
	failing := &approvingPrompter{approve: func(string) (string, error) { return "", errors.New("user went away") }}
	hc3 := &http.Client{Transport: oauth.NewRefreshingTransport(oauth.RefreshOptions{Config: cfg, Credentials: stale, Prompter: failing})}
	_, err = hc3.Get(a.api() + "?action=query")
	var re *oauth.ReauthorizationError
	if !errors.As(err, &re) || re.Retryable() || !strings.Contains(err.Error(), "user went away") || !strings.Contains(err.Error(), "Invalid access token") {
		t.Errorf("failing prompter: %v", err)
	}
}

// TestSecretsNeverShown runs the handshake, a re-authorization, failures
// and the store with logging on, and greps everything produced (logs,
// prompts, errors, URLs requested, printed values) for the secrets.
func TestSecretsNeverShown(t *testing.T) {
	clearEnv(t)
	a := newFakeAPI(t)
	cfg := a.f.config()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var promptOut bytes.Buffer
	pr := &answeringTerminal{f: a.f, out: &promptOut}
	store := &oauth.Store{Path: filepath.Join(t.TempDir(), "credentials.json")}
	var out []string

	creds, err := oauth.Authorize(ctxT(t), cfg, pr)
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{cfg.Consumer.ConsumerSecret, creds.TokenSecret}
	rtr := oauth.NewRefreshingTransport(oauth.RefreshOptions{Config: cfg, Credentials: creds, Prompter: pr, Store: store, StorePattern: "127.0.0.1", Logger: logger})
	hc := &http.Client{Transport: rtr}
	c, err := mw.NewClient(a.api(), mw.Options{HTTPClient: hc, UserAgent: "mwgen-test/1.0", Logger: logger, Retry: mw.RetryPolicy{MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	// Revoke: a.f.access changes when the next handshake completes; make
	// the current token invalid by forgetting it.
	a.f.mu.Lock()
	a.f.access = "forgotten"
	a.f.mu.Unlock()
	_, err = c.Do(ctxT(t), &mw.Request{Action: "query"})
	out = append(out, fmt.Sprint(err))
	secrets = append(secrets, rtr.Credentials().TokenSecret)

	// Failures: a handshake error, a bad store, clock skew.
	a.skew = 500
	_, err = c.Do(ctxT(t), &mw.Request{Action: "query"})
	out = append(out, fmt.Sprint(err))
	a.skew = 0
	a.f.token = "Error: Invalid signature"
	_, err = oauth.Authorize(ctxT(t), cfg, pr)
	out = append(out, fmt.Sprint(err))
	_, err = oauth.Complete(ctxT(t), cfg, oauth.RequestToken{Token: "t", Secret: "rt-SECRET"}, "oauth_verifier=v&oauth_token=other")
	out = append(out, fmt.Sprint(err))
	secrets = append(secrets, "rt-SECRET")
	_, err = oauth.Identify(ctxT(t), cfg, creds)
	out = append(out, fmt.Sprint(err))

	out = append(out, logs.String(), promptOut.String(),
		fmt.Sprintf("%v %+v %#v", creds, creds, creds),
		fmt.Sprintf("%v %+v", rtr, cfg))
	a.f.mu.Lock()
	for _, r := range a.f.requests {
		out = append(out, r.URL.String(), r.Header.Get("Authorization"))
	}
	a.f.mu.Unlock()
	all := strings.Join(out, "\n")
	if !strings.Contains(all, "oauth_token=") || !strings.Contains(logs.String(), "authorizing again") {
		t.Fatalf("the test captured too little:\n%s", all)
	}
	for _, s := range secrets {
		if s == "" {
			t.Fatal("empty secret")
		}
		if i := strings.Index(all, s); i >= 0 {
			t.Errorf("secret %q shown: ...%s...", s, all[max(0, i-200):min(len(all), i+100)])
		}
	}
}

// answeringTerminal is a TerminalPrompter whose user approves through the
// fake: it writes the prompt to out and answers with the callback URL.
type answeringTerminal struct {
	f   *fakeOAuth
	out io.Writer
}

func (p *answeringTerminal) Authorize(ctx context.Context, authorizeURL string) (string, error) {
	r, w := io.Pipe()
	go func() {
		w.Write([]byte(p.f.approve() + "\n"))
		w.Close()
	}()
	return (&oauth.TerminalPrompter{In: r, Out: p.out}).Authorize(ctx, authorizeURL)
}

// ---------------------------------------------------------------------------
// Integration: the test provider (oauthlib) in front of the real wiki.

type itEnv struct {
	w   *testwiki.Wiki
	p   *oauthprovider.Provider
	reg *oauthprovider.Registration
	cfg oauth.Config
}

func startIntegration(t *testing.T) *itEnv {
	t.Helper()
	w := testwiki.Require(t)
	p := oauthprovider.Start(t, w.API, w.BotUser, w.BotPassword)
	reg, err := p.RegisterConsumer(oauthprovider.Consumer{Name: "mwgen integration test"})
	if err != nil {
		t.Fatal(err)
	}
	return &itEnv{w: w, p: p, reg: reg, cfg: oauth.Config{
		Index:     p.Index,
		Server:    p.Server,
		Consumer:  oauth.Credentials{ConsumerKey: reg.Key, ConsumerSecret: reg.Secret},
		UserAgent: "mwgen-oauth-test/1.0 (https://github.com/mwgen/mwgen)",
	}}
}

// providerPrompter approves through the provider's admin endpoint, as a
// user clicking Allow, and answers with the redirect URL.
func providerPrompter(t *testing.T, p *oauthprovider.Provider) *approvingPrompter {
	return &approvingPrompter{approve: func(authorizeURL string) (string, error) {
		u, err := url.Parse(authorizeURL)
		if err != nil {
			return "", err
		}
		return p.Approve(u.Query().Get("oauth_token"), "")
	}}
}

func apiClient(t *testing.T, api string, hc *http.Client) *mw.Client {
	t.Helper()
	// No retries: a ClockSkewError must surface at once.
	c, err := mw.NewClient(api, mw.Options{HTTPClient: hc, UserAgent: "mwgen-oauth-test/1.0 (https://github.com/mwgen/mwgen)", AssertUser: true,
		Retry: mw.RetryPolicy{MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func userName(t *testing.T, c *mw.Client) string {
	t.Helper()
	p := new(mw.Params)
	p.Text("meta", "userinfo")
	resp, err := c.Do(ctxT(t), &mw.Request{Action: "query", Params: p})
	if err != nil {
		t.Fatalf("userinfo: %v", err)
	}
	var r struct {
		Query struct {
			Userinfo struct{ Name string } `json:"userinfo"`
		} `json:"query"`
	}
	if err := resp.Decode(&r); err != nil {
		t.Fatal(err)
	}
	return r.Query.Userinfo.Name
}

func edit(t *testing.T, c *mw.Client, w *testwiki.Wiki, title, text string) {
	t.Helper()
	p := new(mw.Params)
	p.Text("title", title)
	p.Text("text", text)
	p.Text("summary", "mwgen OAuth integration test")
	resp, err := c.Do(ctxT(t), &mw.Request{Action: "edit", Params: p, Post: true, TokenType: "csrf"})
	if err != nil {
		t.Fatalf("edit: %v", err)
	}
	var r struct {
		Edit struct{ Result string } `json:"edit"`
	}
	if err := resp.Decode(&r); err != nil || r.Edit.Result != "Success" {
		t.Fatalf("edit: %v %+v", err, r)
	}
	// The edit is on the real wiki, by the wiki user.
	body, err := w.Get(ctxT(t), url.Values{"action": {"query"}, "prop": {"revisions"}, "titles": {title}, "rvprop": {"content|user"}, "rvslots": {"main"}})
	if err != nil {
		t.Fatal(err)
	}
	wikiUser := strings.SplitN(w.BotUser, "@", 2)[0]
	if !strings.Contains(string(body), text) || !strings.Contains(string(body), `"user":"`+wikiUser+`"`) {
		t.Errorf("the wiki does not show the edit by %s: %s", wikiUser, body)
	}
}

// TestIntegrationHandshakeEditRevoke: the whole handshake through the Go
// API, identify, a signed read and a signed POST edit on the real wiki;
// then the token is revoked in the provider mid-run: exactly one prompt,
// and the call succeeds.
func TestIntegrationHandshakeEditRevoke(t *testing.T) {
	clearEnv(t)
	e := startIntegration(t)
	wikiUser := strings.SplitN(e.w.BotUser, "@", 2)[0]

	rt, err := oauth.Initiate(ctxT(t), e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	authURL := oauth.AuthorizeURL(e.cfg, rt)
	if !strings.HasPrefix(authURL, e.p.Index+"?title=Special:OAuth/authorize&oauth_token="+rt.Token) {
		t.Errorf("authorize URL %q", authURL)
	}
	// The authorize page names the app.
	resp, err := http.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "mwgen integration test") {
		t.Errorf("authorize page:\n%s", page)
	}
	cb, err := e.p.Approve(rt.Token, "")
	if err != nil {
		t.Fatal(err)
	}
	creds, err := oauth.Complete(ctxT(t), e.cfg, rt, cb)
	if err != nil {
		t.Fatal(err)
	}
	// The request token is single use: E009.
	_, err = oauth.Complete(ctxT(t), e.cfg, rt, cb)
	var pe *oauth.ProviderError
	if !errors.As(err, &pe) || pe.Code != "E009" {
		t.Errorf("reused request token: %v", err)
	}

	id, err := oauth.Identify(ctxT(t), e.cfg, creds)
	if err != nil {
		t.Fatal(err)
	}
	if id.Username != wikiUser || id.Sub == "" || id.Issuer != e.p.Server || id.Audience != e.reg.Key ||
		!strings.Contains(strings.Join(id.Grants, ","), "editpage") || !strings.Contains(strings.Join(id.Groups, ","), "sysop") {
		t.Errorf("identity %+v", id)
	}

	store := &oauth.Store{Path: filepath.Join(t.TempDir(), "credentials.json")}
	pr := providerPrompter(t, e.p)
	var nonces atomic.Int32
	rtr := oauth.NewRefreshingTransport(oauth.RefreshOptions{
		Config: e.cfg, Credentials: creds, Prompter: pr, Store: store, StorePattern: "127.0.0.1",
		Nonce: func() string { nonces.Add(1); return fmt.Sprintf("n%d-%d", time.Now().UnixNano(), nonces.Load()) },
	})
	jar, _ := cookiejar.New(nil)
	c := apiClient(t, e.p.API, &http.Client{Transport: rtr, Jar: jar})
	if name := userName(t, c); name != wikiUser {
		t.Errorf("signed userinfo: %q, want %q", name, wikiUser)
	}
	edit(t, c, e.w, "OAuth integration (Go API)", "Signed edit at "+time.Now().UTC().Format(time.RFC3339Nano))

	// Revoke the token mid-run: one prompt, then the call succeeds.
	if err := e.p.Revoke(creds.Token); err != nil {
		t.Fatal(err)
	}
	edit(t, c, e.w, "OAuth integration (Go API)", "Edit after re-authorization at "+time.Now().UTC().Format(time.RFC3339Nano))
	if n := pr.n.Load(); n != 1 {
		t.Errorf("%d prompts after revocation, want exactly 1", n)
	}
	newCreds := rtr.Credentials()
	if newCreds.Token == creds.Token {
		t.Error("the token did not change")
	}
	if _, st, ok, err := store.Lookup("127.0.0.1"); err != nil || !ok || st.AccessToken != newCreds.Token {
		t.Errorf("store after refresh: %v %v %v", st, ok, err)
	}
	if name := userName(t, c); name != wikiUser || pr.n.Load() != 1 {
		t.Errorf("after refresh: %q, %d prompts", name, pr.n.Load())
	}
	if _, err := oauth.Identify(ctxT(t), e.cfg, newCreds); err != nil {
		t.Errorf("identify with the new token: %v", err)
	}
}

// TestIntegrationFailures: nonce reuse is retried, clock skew is named, a
// bad signature is an API error with no prompt.
func TestIntegrationFailures(t *testing.T) {
	e := startIntegration(t)
	pr := providerPrompter(t, e.p)
	creds, err := oauth.Authorize(ctxT(t), e.cfg, pr)
	if err != nil {
		t.Fatal(err)
	}
	pr.n.Store(0)

	// The first two signatures share a nonce: the second request is refused
	// by the provider with "Nonce already used" and resent.
	fixed := fmt.Sprintf("fixed%d", time.Now().UnixNano())
	var calls atomic.Int32
	nonce := func() string {
		if calls.Add(1) <= 2 {
			return fixed
		}
		return fmt.Sprintf("fresh%d-%d", time.Now().UnixNano(), calls.Load())
	}
	rtr := oauth.NewRefreshingTransport(oauth.RefreshOptions{Config: e.cfg, Credentials: creds, Prompter: pr, Nonce: nonce})
	c := apiClient(t, e.p.API, &http.Client{Transport: rtr})
	wikiUser := strings.SplitN(e.w.BotUser, "@", 2)[0]
	for i := 0; i < 2; i++ {
		if name := userName(t, c); name != wikiUser {
			t.Fatalf("call %d: %q", i, name)
		}
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("%d signatures, want 3 (one resend)", n)
	}

	// Clock skew.
	if err := e.p.SetClockSkew(1000); err != nil {
		t.Fatal(err)
	}
	p := new(mw.Params)
	p.Text("meta", "userinfo")
	_, err = c.Do(ctxT(t), &mw.Request{Action: "query", Params: p})
	var skew *oauth.ClockSkewError
	if !errors.As(err, &skew) || skew.Skew() > -990*time.Second || skew.Skew() < -1010*time.Second {
		t.Errorf("clock skew: %v", err)
	}
	if err := e.p.SetClockSkew(0); err != nil {
		t.Fatal(err)
	}

	// A bad signature: an API error, no prompt.
	bad := creds
	bad.TokenSecret = "wrong"
	c2 := apiClient(t, e.p.API, &http.Client{Transport: oauth.NewRefreshingTransport(oauth.RefreshOptions{Config: e.cfg, Credentials: bad, Prompter: pr})})
	_, err = c2.Do(ctxT(t), &mw.Request{Action: "query", Params: p})
	var apiErr *mw.APIError
	if !errors.As(err, &apiErr) || !apiErr.HasCode("mwoauth-invalid-authorization") || !strings.Contains(err.Error(), "Invalid signature") {
		t.Errorf("bad signature: %v", err)
	}
	if n := pr.n.Load(); n != 0 {
		t.Errorf("%d prompts, want 0", n)
	}
}

// TestIntegrationOwnerOnly: four credentials, no handshake.
func TestIntegrationOwnerOnly(t *testing.T) {
	w := testwiki.Require(t)
	p := oauthprovider.Start(t, w.API, w.BotUser, w.BotPassword)
	reg, err := p.RegisterConsumer(oauthprovider.Consumer{Name: "Owner-only bot", OwnerOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	cfg := oauth.Config{Index: p.Index, Server: p.Server, Consumer: oauth.Credentials{ConsumerKey: reg.Key, ConsumerSecret: reg.Secret}}
	_, err = oauth.Initiate(ctxT(t), cfg)
	var pe *oauth.ProviderError
	if !errors.As(err, &pe) || pe.Code != "E010" || !strings.Contains(pe.Message, "owner-only") {
		t.Errorf("initiate with an owner-only consumer: %v", err)
	}
	creds := oauth.OwnerOnly(reg.Key, reg.Secret, reg.AccessToken, reg.AccessSecret)
	c := apiClient(t, p.API, oauth.NewHTTPClient(&oauth.Signer{Credentials: creds, Server: p.Server}, nil))
	if name := userName(t, c); name != strings.SplitN(w.BotUser, "@", 2)[0] {
		t.Errorf("owner-only userinfo: %q", name)
	}
	if id, err := oauth.Identify(ctxT(t), cfg, creds); err != nil || id.Username == "" {
		t.Errorf("owner-only identify: %v %v", id, err)
	}
}

// TestIntegrationRSA: an RSA-SHA1 consumer through the handshake.
func TestIntegrationRSA(t *testing.T) {
	w := testwiki.Require(t)
	p := oauthprovider.Start(t, w.API, w.BotUser, w.BotPassword)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	reg, err := p.RegisterConsumer(oauthprovider.Consumer{RSAPublicKeyPEM: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))})
	if err != nil {
		t.Fatal(err)
	}
	// The consumer secret is kept for identify's JWT only.
	cfg := oauth.Config{Index: p.Index, Server: p.Server, Consumer: oauth.Credentials{ConsumerKey: reg.Key, ConsumerSecret: reg.Secret, PrivateKey: key}}
	creds, err := oauth.Authorize(ctxT(t), cfg, providerPrompter(t, p))
	if err != nil {
		t.Fatal(err)
	}
	if creds.TokenSecret != "__unused__" || creds.PrivateKey != key {
		t.Errorf("RSA credentials: %v secret %q", creds, creds.TokenSecret)
	}
	c := apiClient(t, p.API, oauth.NewHTTPClient(&oauth.Signer{Credentials: creds, Server: p.Server}, nil))
	if name := userName(t, c); name != strings.SplitN(w.BotUser, "@", 2)[0] {
		t.Errorf("RSA userinfo: %q", name)
	}
	if _, err := oauth.Identify(ctxT(t), cfg, creds); err != nil {
		t.Errorf("RSA identify: %v", err)
	}
}

// TestIntegrationClientFromEnvOrStore: discovery through siteinfo, a login
// when only the consumer is known, the stored token used afterwards.
func TestIntegrationClientFromEnvOrStore(t *testing.T) {
	clearEnv(t)
	e := startIntegration(t)
	store := &oauth.Store{Path: filepath.Join(t.TempDir(), "credentials.json")}
	host, _ := oauth.HostKey(e.p.API)
	if err := store.Save(host, oauth.Entry{ConsumerKey: e.reg.Key, ConsumerSecret: e.reg.Secret}); err != nil {
		t.Fatal(err)
	}
	if _, err := oauth.ClientFromEnvOrStore(ctxT(t), e.p.API, oauth.ClientOptions{Store: store}); !errors.Is(err, oauth.ErrNoCredentials) {
		t.Errorf("no token, no prompter: %v", err)
	}
	ep, err := oauth.Discover(ctxT(t), nil, e.p.API, "")
	if err != nil || ep.Index != e.p.Index || ep.Server != e.p.Server {
		t.Errorf("Discover = %+v, %v; want %s %s", ep, err, e.p.Index, e.p.Server)
	}
	pr := providerPrompter(t, e.p)
	hc, err := oauth.ClientFromEnvOrStore(ctxT(t), e.p.API, oauth.ClientOptions{Store: store, Prompter: pr})
	if err != nil {
		t.Fatal(err)
	}
	wikiUser := strings.SplitN(e.w.BotUser, "@", 2)[0]
	if name := userName(t, apiClient(t, e.p.API, hc)); name != wikiUser || pr.n.Load() != 1 {
		t.Errorf("userinfo %q after %d prompts", name, pr.n.Load())
	}
	_, st, _, _ := store.Lookup(host)
	if st.AccessToken == "" {
		t.Fatal("no token stored")
	}
	// A second client uses the stored token: no prompt.
	hc2, err := oauth.ClientFromEnvOrStore(ctxT(t), e.p.API, oauth.ClientOptions{Store: store, Prompter: pr})
	if err != nil {
		t.Fatal(err)
	}
	if name := userName(t, apiClient(t, e.p.API, hc2)); name != wikiUser || pr.n.Load() != 1 {
		t.Errorf("second client: %q after %d prompts", name, pr.n.Load())
	}
	// The environment overrides the store: a wrong access secret fails.
	t.Setenv(oauth.EnvAccessSecret, "wrong")
	hc3, err := oauth.ClientFromEnvOrStore(ctxT(t), e.p.API, oauth.ClientOptions{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	p := new(mw.Params)
	p.Text("meta", "userinfo")
	if _, err := apiClient(t, e.p.API, hc3).Do(ctxT(t), &mw.Request{Action: "query", Params: p}); err == nil || !strings.Contains(err.Error(), "Invalid signature") {
		t.Errorf("env override: %v", err)
	}
}
