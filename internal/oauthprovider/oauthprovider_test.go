package oauthprovider_test

// These tests check the provider with a client that is not mwgen's either:
// dghubble/oauth1 signs (RFC 5849, the base string on the request URL), and
// oauthlib in the provider verifies. runtime/oauth's tests then check
// mwgen's own client against the same provider.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dghubble/oauth1"
	"github.com/golang-jwt/jwt/v5"

	"github.com/mwgen/mwgen/internal/oauthprovider"
	"github.com/mwgen/mwgen/internal/testwiki"
)

func TestMain(m *testing.M) { testwiki.Main(m) }

// recorder keeps the last response body of a dghubble handshake call, which
// dghubble itself drops.
type recorder struct {
	mu     sync.Mutex
	status int
	body   string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.status, r.body = resp.StatusCode, string(b)
	r.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, nil
}

func (r *recorder) last() (int, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status, r.body
}

// recNoncer records the nonces dghubble signs with; fixed, when set, is
// used instead of a random one.
type recNoncer struct {
	mu     sync.Mutex
	fixed  string
	nonces []string
}

func (n *recNoncer) Nonce() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	v := n.fixed
	if v == "" {
		v = oauth1.HexNoncer{}.Nonce()
	}
	n.nonces = append(n.nonces, v)
	return v
}

func (n *recNoncer) lastNonce() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.nonces[len(n.nonces)-1]
}

func dghubbleConfig(p *oauthprovider.Provider, key, secret, callback string) (*oauth1.Config, *recorder, *recNoncer) {
	rec := &recorder{}
	n := &recNoncer{}
	return &oauth1.Config{
		ConsumerKey:    key,
		ConsumerSecret: secret,
		CallbackURL:    callback,
		Endpoint: oauth1.Endpoint{
			RequestTokenURL: p.Index + "?title=Special:OAuth/initiate",
			AuthorizeURL:    p.Index + "?title=Special:OAuth/authorize&oauth_consumer_key=" + url.QueryEscape(key),
			AccessTokenURL:  p.Index + "?title=Special:OAuth/token",
		},
		HTTPClient: &http.Client{Transport: rec},
		Noncer:     n,
	}, rec, n
}

func get(t *testing.T, c *http.Client, u string) (status int, hdr http.Header, body string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

func TestHandshakeIdentifyDghubble(t *testing.T) {
	p := oauthprovider.Start(t, "", "", "")
	reg, err := p.RegisterConsumer(oauthprovider.Consumer{Name: "Handshake test", Grants: []string{"basic", "editpage"}})
	if err != nil {
		t.Fatal(err)
	}
	cfg, rec, noncer := dghubbleConfig(p, reg.Key, reg.Secret, "oob")
	rt, rs, err := cfg.RequestToken()
	if err != nil {
		_, body := rec.last()
		t.Fatalf("RequestToken: %v (body %q)", err, body)
	}
	if _, body := rec.last(); !strings.Contains(body, "oauth_callback_confirmed=true") {
		t.Errorf("initiate body %q lacks oauth_callback_confirmed=true", body)
	}

	// The authorize page names the app and has the two buttons.
	authURL, err := cfg.AuthorizationURL(rt)
	if err != nil {
		t.Fatal(err)
	}
	_, _, page := get(t, http.DefaultClient, authURL.String())
	for _, want := range []string{"Handshake test", `id="approve"`, `id="deny"`, "editpage"} {
		if !strings.Contains(page, want) {
			t.Errorf("authorize page lacks %q:\n%s", want, page)
		}
	}

	cb, err := p.Approve(rt, "")
	if err != nil {
		t.Fatal(err)
	}
	// An oob consumer is sent to its registered callback, Special:OAuth/verified.
	wantPrefix := p.Server + "/index.php?title=Special:OAuth/verified&"
	if !strings.HasPrefix(cb, wantPrefix) {
		t.Fatalf("callback %q, want prefix %q", cb, wantPrefix)
	}
	cbu, _ := url.Parse(cb)
	verifier := cbu.Query().Get("oauth_verifier")
	if cbu.Query().Get("oauth_token") != rt || verifier == "" {
		t.Fatalf("callback %q: want oauth_token=%s and a verifier", cb, rt)
	}
	if _, _, vpage := get(t, http.DefaultClient, cb); !strings.Contains(vpage, verifier) {
		t.Errorf("verified page does not show the verifier:\n%s", vpage)
	}

	at, as, err := cfg.AccessToken(rt, rs, verifier)
	if err != nil {
		_, body := rec.last()
		t.Fatalf("AccessToken: %v (body %q)", err, body)
	}
	// The request token is single use: E009, HTTP 200, "Error: " body.
	if _, _, err := cfg.AccessToken(rt, rs, verifier); err == nil {
		t.Fatal("second AccessToken with the same request token succeeded")
	}
	status, body := rec.last()
	if status != 200 || !strings.HasPrefix(body, "Error: ") || !strings.Contains(body, "E009") {
		t.Errorf("reused request token: HTTP %d %q, want 200 and an Error: ... E009 body", status, body)
	}

	// identify answers a JWT signed with the consumer secret.
	hc := cfg.Client(context.Background(), oauth1.NewToken(at, as))
	resp, err := hc.Post(p.Index+"?title=Special:OAuth/identify", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	claims := jwt.MapClaims{}
	_, err = jwt.ParseWithClaims(string(raw), claims, func(*jwt.Token) (any, error) { return []byte(reg.Secret), nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithAudience(reg.Key), jwt.WithIssuer(p.Server),
		jwt.WithIssuedAt(), jwt.WithExpirationRequired())
	if err != nil {
		t.Fatalf("identify JWT %q: %v", raw, err)
	}
	if claims["nonce"] != noncer.lastNonce() {
		t.Errorf("nonce claim %v, want the request's oauth_nonce %q", claims["nonce"], noncer.lastNonce())
	}
	if _, ok := claims["sub"].(string); !ok {
		t.Errorf("sub %#v is not a string", claims["sub"])
	}
	if exp, iat := claims["exp"].(float64), claims["iat"].(float64); exp-iat != 100 {
		t.Errorf("exp-iat = %v, want 100", exp-iat)
	}
	if claims["username"] != "TestUser" {
		t.Errorf("username %v, want TestUser", claims["username"])
	}
	if g, _ := json.Marshal(claims["grants"]); string(g) != `["basic","editpage"]` {
		t.Errorf("grants %s", g)
	}
}

func TestInitiateCallbackRules(t *testing.T) {
	p := oauthprovider.Start(t, "", "", "")
	plain, err := p.RegisterConsumer(oauthprovider.Consumer{})
	if err != nil {
		t.Fatal(err)
	}
	prefix, err := p.RegisterConsumer(oauthprovider.Consumer{Callback: "https://app.example/cb", CallbackIsPrefix: true})
	if err != nil {
		t.Fatal(err)
	}
	owner, err := p.RegisterConsumer(oauthprovider.Consumer{OwnerOnly: true, Name: "Owner app"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, key, secret, callback string
		wantErr                     string // substring of the Error: body; "" means success
	}{
		{"oob", plain.Key, plain.Secret, "oob", ""},
		{"url without prefix registration", plain.Key, plain.Secret, "https://app.example/cb", `must be set to &quot;oob&quot;`},
		{"OOB is case-sensitive", plain.Key, plain.Secret, "OOB", `must be set to &quot;oob&quot;`},
		{"prefix match", prefix.Key, prefix.Secret, "https://app.example/cb/done?x=1", ""},
		{"prefix oob", prefix.Key, prefix.Secret, "oob", ""},
		{"prefix other host", prefix.Key, prefix.Secret, "https://evil.example/cb", "prefix of the supplied callback"},
		{"prefix user:pass", prefix.Key, prefix.Secret, "https://u:p@app.example/cb", "prefix of the supplied callback"},
		{"owner-only", owner.Key, owner.Secret, "oob", "E010"},
		{"unknown consumer", "nosuchconsumer", "x", "oob", "E006"},
		{"wrong secret", plain.Key, "wrong", "oob", "Invalid signature"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, rec, _ := dghubbleConfig(p, tc.key, tc.secret, tc.callback)
			_, _, err := cfg.RequestToken()
			status, body := rec.last()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("RequestToken: %v (body %q)", err, body)
				}
				return
			}
			if err == nil || status != 200 || !strings.HasPrefix(body, "Error: ") || !strings.Contains(body, tc.wantErr) {
				t.Errorf("got err=%v HTTP %d %q; want HTTP 200 and an Error: body with %q", err, status, body, tc.wantErr)
			}
		})
	}

	// A prefix consumer is redirected to the callback it supplied.
	cfg, _, _ := dghubbleConfig(p, prefix.Key, prefix.Secret, "https://app.example/cb/done?x=1")
	rt, _, err := cfg.RequestToken()
	if err != nil {
		t.Fatal(err)
	}
	cb, err := p.Approve(rt, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(cb, "https://app.example/cb/done?x=1&oauth_verifier=") {
		t.Errorf("prefix consumer redirected to %q", cb)
	}
}

func TestAuthorizeForm(t *testing.T) {
	p := oauthprovider.Start(t, "", "", "")
	reg, err := p.RegisterConsumer(oauthprovider.Consumer{Name: "Form app"})
	if err != nil {
		t.Fatal(err)
	}
	cfg, _, _ := dghubbleConfig(p, reg.Key, reg.Secret, "oob")
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, action := range []string{"accept", "cancel"} {
		rt, _, err := cfg.RequestToken()
		if err != nil {
			t.Fatal(err)
		}
		authURL, _ := cfg.AuthorizationURL(rt)
		_, _, page := get(t, noRedirect, authURL.String())
		m := regexp.MustCompile(`name="wpEditToken" value="([0-9a-f]+)"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no form token in\n%s", page)
		}
		form := url.Values{"oauth_token": {rt}, "oauth_consumer_key": {reg.Key}, "wpEditToken": {m[1]}, "action": {action}}
		resp, err := noRedirect.PostForm(p.Index+"?title=Special:OAuth/authorize", form)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch action {
		case "accept":
			loc := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusFound || !strings.Contains(loc, "Special:OAuth/verified") || !strings.Contains(loc, "oauth_token="+rt) {
				t.Errorf("approve: HTTP %d Location %q", resp.StatusCode, loc)
			}
		case "cancel":
			if resp.StatusCode != 200 || !strings.Contains(string(body), "cancelled") {
				t.Errorf("deny: HTTP %d %s", resp.StatusCode, body)
			}
		}
	}
	// The test-only auto-approve flag redirects at once.
	rt, _, err := cfg.RequestToken()
	if err != nil {
		t.Fatal(err)
	}
	authURL, _ := cfg.AuthorizationURL(rt)
	resp, err := noRedirect.Get(authURL.String() + "&mwgen_test_autoapprove=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.Contains(loc, "oauth_verifier=") {
		t.Errorf("auto-approve: HTTP %d Location %q", resp.StatusCode, loc)
	}
}

// apiError returns the MediaWiki-API-Error header and the first error text.
func apiError(t *testing.T, resp *http.Response) (code, text string) {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Errorf("HTTP %d, want 200 (MediaWiki answers API errors with 200)", resp.StatusCode)
	}
	var r struct {
		Errors []struct{ Code, Text, Module string }
	}
	if err := json.Unmarshal(b, &r); err != nil || len(r.Errors) != 1 {
		t.Fatalf("body %s: want one error (%v)", b, err)
	}
	if r.Errors[0].Code != resp.Header.Get("MediaWiki-API-Error") || r.Errors[0].Module != "main" {
		t.Errorf("body %s and header %q disagree", b, resp.Header.Get("MediaWiki-API-Error"))
	}
	return resp.Header.Get("MediaWiki-API-Error"), r.Errors[0].Text
}

const userinfo = "?action=query&meta=userinfo&format=json&formatversion=2&errorformat=plaintext"

func TestAPIFailures(t *testing.T) {
	p := oauthprovider.Start(t, "", "", "")
	reg, err := p.RegisterConsumer(oauthprovider.Consumer{OwnerOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	const prefix = "The authorization headers in your request are not valid: "
	client := func(key, secret, token, tokenSecret string, n oauth1.Noncer) *http.Client {
		cfg := &oauth1.Config{ConsumerKey: key, ConsumerSecret: secret, Noncer: n}
		return cfg.Client(context.Background(), oauth1.NewToken(token, tokenSecret))
	}
	call := func(c *http.Client) (string, string) {
		resp, err := c.Get(p.API + userinfo)
		if err != nil {
			t.Fatal(err)
		}
		return apiError(t, resp)
	}

	// Correctly signed: the provider gets past verification and says it has
	// no wiki to forward to.
	if code, _ := call(client(reg.Key, reg.Secret, reg.AccessToken, reg.AccessSecret, nil)); code != "mwgen-oauthprovider-no-wiki" {
		t.Fatalf("valid request: code %q", code)
	}
	checks := []struct {
		name string
		c    *http.Client
		want string // exact text, or a regexp when it starts with ^
	}{
		{"bad consumer secret", client(reg.Key, "wrong", reg.AccessToken, reg.AccessSecret, nil), prefix + "Invalid signature"},
		{"bad token secret", client(reg.Key, reg.Secret, reg.AccessToken, "wrong", nil), prefix + "Invalid signature"},
		{"unknown consumer", client("nosuchconsumer", reg.Secret, reg.AccessToken, reg.AccessSecret, nil), prefix + "Invalid consumer"},
		{"unknown token", client(reg.Key, reg.Secret, "nosuchtoken", reg.AccessSecret, nil), prefix + "Invalid access token: nosuchtoken"},
	}
	for _, c := range checks {
		code, text := call(c.c)
		if code != "mwoauth-invalid-authorization" || text != c.want {
			t.Errorf("%s: %s %q, want mwoauth-invalid-authorization %q", c.name, code, text, c.want)
		}
	}

	// A nonce is single use.
	fixed := &recNoncer{fixed: "samenonce" + strconv.FormatInt(time.Now().UnixNano(), 10)}
	c := client(reg.Key, reg.Secret, reg.AccessToken, reg.AccessSecret, fixed)
	if code, _ := call(c); code != "mwgen-oauthprovider-no-wiki" {
		t.Fatalf("first use of the nonce: %s", code)
	}
	if code, text := call(c); code != "mwoauth-invalid-authorization" || text != prefix+"Nonce already used: "+fixed.fixed {
		t.Errorf("reused nonce: %s %q", code, text)
	}

	// The timestamp window is 300 s on the provider's clock.
	if err := p.SetClockSkew(1000); err != nil {
		t.Fatal(err)
	}
	code, text := call(client(reg.Key, reg.Secret, reg.AccessToken, reg.AccessSecret, nil))
	m := regexp.MustCompile(`^` + regexp.QuoteMeta(prefix) + `Expired timestamp, yours (\d+), ours (\d+)$`).FindStringSubmatch(text)
	if code != "mwoauth-invalid-authorization" || m == nil {
		t.Fatalf("skewed clock: %s %q", code, text)
	}
	yours, _ := strconv.Atoi(m[1])
	ours, _ := strconv.Atoi(m[2])
	if d := ours - yours; d < 990 || d > 1010 {
		t.Errorf("ours-yours = %d, want about 1000", d)
	}
	if err := p.SetClockSkew(0); err != nil {
		t.Fatal(err)
	}

	// Revoking the token makes it invalid.
	if err := p.Revoke(reg.AccessToken); err != nil {
		t.Fatal(err)
	}
	if code, text := call(client(reg.Key, reg.Secret, reg.AccessToken, reg.AccessSecret, nil)); text != prefix+"Invalid access token: "+reg.AccessToken {
		t.Errorf("revoked token: %s %q", code, text)
	}

	// errorformat=bc (the default) gets the old error object.
	resp, err := client(reg.Key, "wrong", reg.AccessToken, reg.AccessSecret, nil).Get(p.API + "?action=query&format=json")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"error":{"code":"mwoauth-invalid-authorization","info":"`) {
		t.Errorf("bc error format: %s", b)
	}
}

// TestCanonicalServer: the base string is built on the provider's canonical
// server, not on the Host header or the address the client connected to.
func TestCanonicalServer(t *testing.T) {
	p := oauthprovider.Start(t, "", "", "")
	reg, err := p.RegisterConsumer(oauthprovider.Consumer{OwnerOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	cfg := &oauth1.Config{ConsumerKey: reg.Key, ConsumerSecret: reg.Secret}
	hc := cfg.Client(context.Background(), oauth1.NewToken(reg.AccessToken, reg.AccessSecret))
	req, _ := http.NewRequest(http.MethodGet, p.API+userinfo, nil)
	req.Host = "other.example:8080" // ignored, as MediaWiki ignores it
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := apiError(t, resp); code != "mwgen-oauthprovider-no-wiki" {
		t.Errorf("request with another Host header: %s, want it verified", code)
	}

	// A provider whose canonical server is not the address dghubble signs
	// for refuses dghubble's signature.
	q := oauthprovider.StartWith(t, "", "", "", oauthprovider.Options{Server: "http://wiki.example"})
	reg2, err := q.RegisterConsumer(oauthprovider.Consumer{OwnerOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if q.Server != "http://wiki.example" {
		t.Fatalf("Server %q", q.Server)
	}
	cfg2 := &oauth1.Config{ConsumerKey: reg2.Key, ConsumerSecret: reg2.Secret}
	resp, err = cfg2.Client(context.Background(), oauth1.NewToken(reg2.AccessToken, reg2.AccessSecret)).Get(q.API + userinfo)
	if err != nil {
		t.Fatal(err)
	}
	if code, text := apiError(t, resp); !strings.HasSuffix(text, "Invalid signature") {
		t.Errorf("signed for the connection address: %s %q, want Invalid signature", code, text)
	}
	if !strings.Contains(q.Log(), "http%3A%2F%2Fwiki.example%2Fapi.php") {
		t.Errorf("provider log lacks the canonical base string:\n%s", q.Log())
	}
}

func TestRSAConsumer(t *testing.T) {
	p := oauthprovider.Start(t, "", "", "")
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pub := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	reg, err := p.RegisterConsumer(oauthprovider.Consumer{OwnerOnly: true, RSAPublicKeyPEM: pub})
	if err != nil {
		t.Fatal(err)
	}
	sign := func(k *rsa.PrivateKey) *http.Client {
		cfg := &oauth1.Config{ConsumerKey: reg.Key, Signer: &oauth1.RSASigner{PrivateKey: k}}
		return cfg.Client(context.Background(), oauth1.NewToken(reg.AccessToken, "unused"))
	}
	resp, err := sign(key).Get(p.API + userinfo)
	if err != nil {
		t.Fatal(err)
	}
	if code, text := apiError(t, resp); code != "mwgen-oauthprovider-no-wiki" {
		t.Errorf("RSA-SHA1: %s %q, want verified", code, text)
	}
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	resp, err = sign(other).Get(p.API + userinfo)
	if err != nil {
		t.Fatal(err)
	}
	if _, text := apiError(t, resp); !strings.HasSuffix(text, "Invalid signature") {
		t.Errorf("RSA-SHA1 with another key: %q", text)
	}
}

// TestForwardToWiki: verified requests reach the real wiki as the bot
// password's user, unsigned ones as an anonymous user, and siteinfo is
// rewritten to the provider.
func TestForwardToWiki(t *testing.T) {
	w := testwiki.Require(t)
	p := oauthprovider.Start(t, w.API, w.BotUser, w.BotPassword)
	reg, err := p.RegisterConsumer(oauthprovider.Consumer{OwnerOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	cfg := &oauth1.Config{ConsumerKey: reg.Key, ConsumerSecret: reg.Secret}
	hc := cfg.Client(context.Background(), oauth1.NewToken(reg.AccessToken, reg.AccessSecret))

	type uiResp struct {
		Query struct {
			Userinfo struct {
				ID   int    `json:"id"`
				Name string `json:"name"`
			} `json:"userinfo"`
			General struct {
				Server, Script, Scriptpath string
			} `json:"general"`
			Tokens struct {
				Csrf string `json:"csrftoken"`
			} `json:"tokens"`
		} `json:"query"`
		Edit struct {
			Result string `json:"result"`
		} `json:"edit"`
	}
	decode := func(resp *http.Response) uiResp {
		t.Helper()
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if e := resp.Header.Get("MediaWiki-API-Error"); e != "" {
			t.Fatalf("API error %s: %s", e, b)
		}
		var r uiResp
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("%v: %s", err, b)
		}
		return r
	}
	resp, err := hc.Get(p.API + userinfo)
	if err != nil {
		t.Fatal(err)
	}
	wikiUser := strings.SplitN(w.BotUser, "@", 2)[0]
	if ui := decode(resp).Query.Userinfo; ui.Name != wikiUser || ui.ID == 0 {
		t.Errorf("signed userinfo: %+v, want %s", ui, wikiUser)
	}
	resp, err = http.Get(p.API + userinfo + "&meta=userinfo|siteinfo")
	if err != nil {
		t.Fatal(err)
	}
	r := decode(resp)
	if r.Query.Userinfo.ID != 0 {
		t.Errorf("unsigned userinfo: %+v, want anonymous", r.Query.Userinfo)
	}
	if g := r.Query.General; g.Server != p.Server || g.Script != "/index.php" || g.Scriptpath != "" {
		t.Errorf("siteinfo not rewritten: %+v", g)
	}

	// A signed POST edit, form body signed too.
	resp, err = hc.Get(p.API + "?action=query&meta=tokens&format=json&formatversion=2")
	if err != nil {
		t.Fatal(err)
	}
	tok := decode(resp).Query.Tokens.Csrf
	text := "Edited through the oauthprovider test at " + time.Now().UTC().Format(time.RFC3339Nano)
	form := url.Values{"action": {"edit"}, "title": {"OAuthProvider test"}, "text": {text}, "summary": {"oauthprovider test"},
		"format": {"json"}, "formatversion": {"2"}, "token": {tok}}
	resp, err = hc.PostForm(p.API, form)
	if err != nil {
		t.Fatal(err)
	}
	if res := decode(resp).Edit.Result; res != "Success" {
		t.Fatalf("edit result %q", res)
	}
	body, err := w.Get(context.Background(), url.Values{"action": {"query"}, "prop": {"revisions"}, "titles": {"OAuthProvider test"},
		"rvprop": {"content|user"}, "rvslots": {"main"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), text) || !strings.Contains(string(body), `"user":"`+wikiUser+`"`) {
		t.Errorf("the wiki does not show the edit by %s: %s", wikiUser, body)
	}
}
