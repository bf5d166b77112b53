package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/url"
	"os"
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

// clearOAuthEnv unsets the MWGEN_* OAuth variables for the test.
func clearOAuthEnv(t *testing.T) {
	for _, k := range []string{oauth.EnvConsumerKey, oauth.EnvConsumerSecret, oauth.EnvAccessToken, oauth.EnvAccessSecret, oauth.EnvCredentialsFile,
		oauth.EnvOAuth2Token, oauth.EnvOAuth2ClientID, oauth.EnvOAuth2ClientSecret} {
		t.Setenv(k, "")
	}
}

// approvingTerminal is the user at the terminal: it watches what mwgen
// writes on stderr, and when the authorization address appears on a line of
// its own, approves it in the provider (as clicking Allow would) and types
// the address the browser ends on into stdin.
type approvingTerminal struct {
	p       *oauthprovider.Provider
	stdin   io.Writer
	mu      sync.Mutex
	buf     bytes.Buffer
	all     bytes.Buffer
	prompts atomic.Int32
	errs    chan error
	// cancel clicks Cancel; answer, when set, turns the address the
	// browser ends on into what is typed.
	cancel bool
	answer func(callback string) string
}

func newApprovingTerminal(p *oauthprovider.Provider, stdin io.Writer) *approvingTerminal {
	return &approvingTerminal{p: p, stdin: stdin, errs: make(chan error, 10)}
}

func (a *approvingTerminal) Write(b []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.all.Write(b)
	a.buf.Write(b)
	for {
		line, err := a.buf.ReadString('\n')
		if err != nil {
			a.buf.Reset()
			a.buf.WriteString(line) // incomplete: keep for later
			break
		}
		line = strings.TrimRight(line, "\r\n")
		if strings.HasPrefix(line, "http") && strings.Contains(line, "title=Special:OAuth/authorize") {
			a.prompts.Add(1)
			go a.approve(line)
		}
		if strings.HasPrefix(line, "http") && strings.Contains(line, "/rest.php/oauth2/authorize?") {
			a.prompts.Add(1)
			go a.approveOAuth2(line)
		}
	}
	return len(b), nil
}

func (a *approvingTerminal) approve(authURL string) {
	u, err := url.Parse(authURL)
	if err != nil {
		a.errs <- err
		return
	}
	cb, err := a.p.Approve(u.Query().Get("oauth_token"), "")
	if err != nil {
		a.errs <- err
		return
	}
	if _, err := io.WriteString(a.stdin, cb+"\n"); err != nil {
		a.errs <- err
	}
}

// approveOAuth2 clicks Allow (or Cancel, with a.cancel) on the OAuth 2.0
// approval page and types the address the browser ends on, or a.answer
// instead when set.
func (a *approvingTerminal) approveOAuth2(authURL string) {
	cb, err := a.p.ApproveOAuth2(authURL, !a.cancel)
	if err != nil {
		a.errs <- err
		return
	}
	if a.answer != nil {
		cb = a.answer(cb)
	}
	if _, err := io.WriteString(a.stdin, cb+"\n"); err != nil {
		a.errs <- err
	}
}

func (a *approvingTerminal) String() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.all.String()
}

func runMwgen(t *testing.T, stdin io.Reader, stderr io.Writer, args ...string) (code int, stdout string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var out bytes.Buffer
	code = run(ctx, args, stdin, &out, stderr)
	return code, out.String()
}

// TestLoginWhoamiIntegration: `mwgen login` against the test provider in
// front of the real wiki, answered on stdin; `mwgen whoami`; the stored
// token used for a signed read and a signed edit; the token revoked in the
// provider, then exactly one prompt on the terminal and the call succeeds.
func TestLoginWhoamiIntegration(t *testing.T) {
	clearOAuthEnv(t)
	w := testwiki.Require(t)
	p := oauthprovider.Start(t, w.API, w.BotUser, w.BotPassword)
	reg, err := p.RegisterConsumer(oauthprovider.Consumer{Name: "mwgen CLI test", Grants: []string{"basic", "editpage", "highvolume"}})
	if err != nil {
		t.Fatal(err)
	}
	credFile := filepath.Join(t.TempDir(), "mwgen", "credentials.json")
	wikiUser := strings.SplitN(w.BotUser, "@", 2)[0]
	t.Setenv(oauth.EnvConsumerSecret, reg.Secret)

	inR, inW := io.Pipe()
	defer inW.Close()
	term := newApprovingTerminal(p, inW)
	code, stdout := runMwgen(t, inR, term, "login", "--api", p.API, "--consumer-key", reg.Key, "--credentials", credFile)
	if code != 0 {
		t.Fatalf("mwgen login: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, term)
	}
	select {
	case err := <-term.errs:
		t.Fatal(err)
	default:
	}
	if n := term.prompts.Load(); n != 1 {
		t.Errorf("%d authorization prompts, want 1:\n%s", n, term)
	}
	if !strings.Contains(stdout, "Logged in to 127.0.0.1:") || !strings.Contains(stdout, " as "+wikiUser+".") || !strings.Contains(stdout, "editpage") {
		t.Errorf("login output:\n%s", stdout)
	}
	fi, err := os.Stat(credFile)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("credential file mode %v", fi.Mode().Perm())
	}
	store := &oauth.Store{Path: credFile}
	host, _ := oauth.HostKey(p.API)
	_, entry, ok, err := store.Lookup(host)
	if err != nil || !ok || entry.AccessToken == "" || entry.AccessSecret == "" || entry.ConsumerSecret != reg.Secret || entry.Username != wikiUser {
		t.Fatalf("stored %v %v %v", entry, ok, err)
	}

	// whoami, with the secret now only in the file.
	t.Setenv(oauth.EnvConsumerSecret, "")
	var whoErr bytes.Buffer
	code, who := runMwgen(t, strings.NewReader(""), &whoErr, "whoami", "--api", p.API, "--credentials", credFile)
	if code != 0 {
		t.Fatalf("mwgen whoami: exit %d: %s", code, whoErr.String())
	}
	for _, want := range []string{"user:       " + wikiUser, "groups:     ", "sysop", "grants:     basic, editpage, highvolume", "wiki:       " + p.Server} {
		if !strings.Contains(who, want) {
			t.Errorf("whoami output lacks %q:\n%s", want, who)
		}
	}
	code, whoJSON := runMwgen(t, strings.NewReader(""), &whoErr, "whoami", "--api", p.API, "--credentials", credFile, "--json")
	var id struct {
		Username string   `json:"username"`
		Grants   []string `json:"grants"`
	}
	if code != 0 || json.Unmarshal([]byte(whoJSON), &id) != nil || id.Username != wikiUser || len(id.Grants) != 3 {
		t.Errorf("whoami --json: exit %d %s", code, whoJSON)
	}

	// The stored token signs a read and an edit (runtime/oauth's hook, as
	// `mwgen api` and programs use it).
	inR2, inW2 := io.Pipe()
	defer inW2.Close()
	var promptOut bytes.Buffer
	term2 := newApprovingTerminal(p, inW2)
	prompter := &oauth.TerminalPrompter{In: inR2, Out: io.MultiWriter(term2, &promptOut)}
	hc, err := oauth.ClientFromEnvOrStore(context.Background(), p.API, oauth.ClientOptions{Store: store, Prompter: prompter})
	if err != nil {
		t.Fatal(err)
	}
	c, err := mw.NewClient(p.API, mw.Options{HTTPClient: hc, UserAgent: "mwgen-login-test/1.0 (https://github.com/mwgen/mwgen)", AssertUser: true})
	if err != nil {
		t.Fatal(err)
	}
	cliEdit(t, c, w, "OAuth integration (mwgen login)", "Edit with the token of mwgen login at "+time.Now().UTC().Format(time.RFC3339Nano))

	// Revoked mid-run: one prompt on the terminal, then the call succeeds.
	if err := p.Revoke(entry.AccessToken); err != nil {
		t.Fatal(err)
	}
	cliEdit(t, c, w, "OAuth integration (mwgen login)", "Edit after re-authorization at "+time.Now().UTC().Format(time.RFC3339Nano))
	if n := term2.prompts.Load(); n != 1 {
		t.Errorf("%d prompts after revocation, want exactly 1:\n%s", n, promptOut.String())
	}
	_, entry2, _, _ := store.Lookup(host)
	if entry2.AccessToken == "" || entry2.AccessToken == entry.AccessToken {
		t.Errorf("the new token was not stored: %v", entry2)
	}

	// No secret anywhere in what mwgen printed.
	printed := stdout + term.String() + who + whoJSON + whoErr.String() + promptOut.String()
	for _, s := range []string{reg.Secret, entry.AccessSecret, entry2.AccessSecret} {
		if strings.Contains(printed, s) {
			t.Errorf("a secret was printed:\n%s", printed)
		}
	}
}

func cliEdit(t *testing.T, c *mw.Client, w *testwiki.Wiki, title, text string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p := new(mw.Params)
	p.Text("title", title)
	p.Text("text", text)
	p.Text("summary", "mwgen login integration test")
	resp, err := c.Do(ctx, &mw.Request{Action: "edit", Params: p, Post: true, TokenType: "csrf"})
	if err != nil {
		t.Fatalf("edit: %v", err)
	}
	var r struct {
		Edit struct{ Result string } `json:"edit"`
	}
	if err := resp.Decode(&r); err != nil || r.Edit.Result != "Success" {
		t.Fatalf("edit: %v %+v", err, r)
	}
	body, err := w.Get(ctx, url.Values{"action": {"query"}, "prop": {"revisions"}, "titles": {title}, "rvprop": {"content|user"}, "rvslots": {"main"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), text) {
		t.Errorf("the wiki does not show the edit: %s", body)
	}
}

// TestLoginErrors runs against the provider alone (no wiki: --index skips
// siteinfo).
func TestLoginErrors(t *testing.T) {
	clearOAuthEnv(t)
	p := oauthprovider.Start(t, "", "", "")
	reg, err := p.RegisterConsumer(oauthprovider.Consumer{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	credFile := filepath.Join(dir, "credentials.json")
	base := []string{"login", "--api", p.API, "--index", p.Index, "--server", p.Server, "--credentials", credFile}
	cases := []struct {
		name    string
		args    []string
		env     map[string]string
		stdin   string
		wantErr string
	}{
		{"no api", []string{"login", "--consumer-key", "k"}, nil, "", "--api is required"},
		{"no consumer key", base, nil, "", "--consumer-key is required"},
		{"wrong secret", append(base, "--consumer-key", reg.Key), map[string]string{oauth.EnvConsumerSecret: "wrong-secret-value"}, "", "Invalid signature"},
		{"unknown consumer", append(base, "--consumer-key", "nosuchkey"), map[string]string{oauth.EnvConsumerSecret: "x"}, "", "E006"},
		{"no answer", append(base, "--consumer-key", reg.Key), map[string]string{oauth.EnvConsumerSecret: reg.Secret}, "", "no answer to the authorization prompt"},
		{"answer for another token", append(base, "--consumer-key", reg.Key), map[string]string{oauth.EnvConsumerSecret: reg.Secret},
			"oauth_verifier=abc&oauth_token=other\n", "does not match the request token"},
		{"secret on stdin, then EOF", append(base, "--consumer-key", reg.Key), nil, reg.Secret + "\n", "no answer to the authorization prompt"},
		{"host pattern that does not match", append(base, "--consumer-key", reg.Key, "--host", "*.wikipedia.org"), nil, "", "does not match"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var stderr bytes.Buffer
			code, stdout := runMwgen(t, strings.NewReader(tc.stdin), &stderr, tc.args...)
			if code != exitError || !strings.Contains(stderr.String(), tc.wantErr) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 2 and %q", code, stderr.String(), tc.wantErr)
			}
			if strings.Contains(stdout+stderr.String(), reg.Secret) || strings.Contains(stdout+stderr.String(), "wrong-secret-value") {
				t.Errorf("a secret was printed:\n%s%s", stdout, stderr.String())
			}
		})
	}

	// An insecure credential file is refused before anything is asked.
	if err := os.WriteFile(credFile, []byte(`{"version":1,"hosts":{}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	code, _ := runMwgen(t, strings.NewReader(""), &stderr, append(base, "--consumer-key", reg.Key)...)
	if code != exitError || !strings.Contains(stderr.String(), "chmod 600") {
		t.Errorf("insecure file: exit %d %s", code, stderr.String())
	}

	// whoami without credentials says how to log in.
	stderr.Reset()
	code, _ = runMwgen(t, strings.NewReader(""), &stderr, "whoami", "--api", p.API, "--index", p.Index, "--credentials", filepath.Join(dir, "none.json"))
	if code != exitError || !strings.Contains(stderr.String(), "mwgen login") {
		t.Errorf("whoami without credentials: exit %d %s", code, stderr.String())
	}

	// whoami with owner-only credentials from the environment alone.
	owner, err := p.RegisterConsumer(oauthprovider.Consumer{OwnerOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(oauth.EnvConsumerKey, owner.Key)
	t.Setenv(oauth.EnvConsumerSecret, owner.Secret)
	t.Setenv(oauth.EnvAccessToken, owner.AccessToken)
	t.Setenv(oauth.EnvAccessSecret, owner.AccessSecret)
	stderr.Reset()
	code, out := runMwgen(t, strings.NewReader(""), &stderr, "whoami", "--api", p.API, "--index", p.Index, "--credentials", filepath.Join(dir, "none.json"))
	if code != 0 || !strings.Contains(out, "user:       TestUser") || !strings.Contains(out, "environment (MWGEN_CONSUMER_KEY") {
		t.Errorf("whoami from the environment: exit %d\n%s%s", code, out, stderr.String())
	}
	if strings.Contains(out+stderr.String(), owner.Secret) || strings.Contains(out+stderr.String(), owner.AccessSecret) {
		t.Errorf("a secret was printed")
	}
}

// TestLoginHelp: the commands are in the table and document their flags.
func TestLoginHelp(t *testing.T) {
	for _, cmd := range []string{"login", "whoami", "logout"} {
		var stderr bytes.Buffer
		code, out := runMwgen(t, strings.NewReader(""), &stderr, cmd, "--help")
		if code != 0 || !strings.Contains(out, "--api") || !strings.Contains(out, "--credentials") {
			t.Errorf("%s --help: exit %d\n%s", cmd, code, out)
		}
	}
	var out bytes.Buffer
	run(context.Background(), []string{"--help"}, strings.NewReader(""), &out, io.Discard)
	if !strings.Contains(out.String(), "login") || !strings.Contains(out.String(), "whoami") {
		t.Errorf("usage lacks login/whoami:\n%s", out.String())
	}
}
