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
	"testing"
	"time"

	"github.com/mwgen/mwgen/internal/oauthprovider"
	"github.com/mwgen/mwgen/internal/testwiki"
	"github.com/mwgen/mwgen/runtime/oauth"
)

// loginOAuth2 runs `mwgen login --oauth2` with an approving terminal and
// returns the exit status, stdout and everything written on stderr.
func loginOAuth2(t *testing.T, p *oauthprovider.Provider, term func(*approvingTerminal), args ...string) (int, string, string) {
	t.Helper()
	inR, inW := io.Pipe()
	defer inW.Close()
	a := newApprovingTerminal(p, inW)
	if term != nil {
		term(a)
	}
	code, stdout := runMwgen(t, inR, a, append([]string{"login", "--api", p.API, "--oauth2"}, args...)...)
	select {
	case err := <-a.errs:
		t.Fatalf("approving: %v\n%s", err, a)
	default:
	}
	return code, stdout, a.String()
}

// TestLoginOAuth2Integration: `mwgen login --oauth2` against the test
// provider in front of the real wiki; `mwgen whoami`; `mwgen api` edits
// with the stored token; the token's hour ends: `mwgen api` refreshes it
// silently (no prompt) and stores the new pair; `mwgen logout` removes it.
func TestLoginOAuth2Integration(t *testing.T) {
	clearOAuthEnv(t)
	w := testwiki.Require(t)
	p := oauthprovider.Start(t, w.API, w.BotUser, w.BotPassword)
	reg, err := p.RegisterOAuth2Client(oauthprovider.OAuth2Client{Name: "mwgen CLI OAuth 2.0 test", RedirectURI: "http://127.0.0.1:1/cb"})
	if err != nil {
		t.Fatal(err)
	}
	credFile := filepath.Join(t.TempDir(), "mwgen", "credentials.json")
	t.Setenv(oauth.EnvCredentialsFile, credFile)
	t.Setenv(envBotUser, "")
	t.Setenv(envBotPassword, "")
	t.Setenv(oauth.EnvOAuth2ClientSecret, reg.ClientSecret)
	wikiUser := strings.SplitN(w.BotUser, "@", 2)[0]

	code, stdout, stderr := loginOAuth2(t, p, nil, "--client-id", reg.ClientID, "--store-secret")
	if code != 0 {
		t.Fatalf("mwgen login --oauth2: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, " as "+wikiUser+" (OAuth 2.0, client "+reg.ClientID+")") || !strings.Contains(stdout, "editpage") {
		t.Errorf("login output:\n%s", stdout)
	}
	if strings.Count(stderr, "/rest.php/oauth2/authorize?") != 1 {
		t.Errorf("want one authorize URL on stderr:\n%s", stderr)
	}
	fi, err := os.Stat(credFile)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credential file: %v %v", fi, err)
	}
	store := &oauth.Store{Path: credFile}
	host, _ := oauth.HostKey(p.API)
	_, entry, ok, err := store.Lookup(host)
	if err != nil || !ok || entry.OAuth2 == nil || entry.OAuth2.ClientID != reg.ClientID || !entry.OAuth2.Confidential ||
		entry.OAuth2.ClientSecret != reg.ClientSecret || entry.OAuth2.RefreshToken == "" || entry.OAuth2.Expiry.IsZero() || entry.Username != wikiUser {
		t.Fatalf("stored %v %v %v", entry, ok, err)
	}
	t.Setenv(oauth.EnvOAuth2ClientSecret, "") // from now on, the stored one

	var errb bytes.Buffer
	code, who := runMwgen(t, strings.NewReader(""), &errb, "whoami", "--api", p.API)
	if code != 0 || !strings.Contains(who, "user:       "+wikiUser) || !strings.Contains(who, "(OAuth 2.0)") || !strings.Contains(who, "grants:     basic") {
		t.Fatalf("whoami: exit %d\n%s%s", code, who, errb.String())
	}

	title := "Mwgen CLI OAuth2 " + time.Now().UTC().Format("150405.000000")
	text := "Edited by mwgen api with an OAuth 2.0 token"
	errb.Reset()
	code, out := runMwgen(t, strings.NewReader(""), &errb, "api", "--api", p.API, "action=edit", "title="+title, "text="+text)
	if code != 0 || !strings.Contains(out, `"result": "Success"`) {
		t.Fatalf("mwgen api edit: exit %d\n%s%s", code, out, errb.String())
	}
	if got, user := pageContent(t, w, title); got != text || user != wikiUser {
		t.Errorf("page %q by %q", got, user)
	}

	// The hour is over: one silent refresh, no prompt, the new pair stored.
	if err := p.ExpireOAuth2(entry.OAuth2.AccessToken); err != nil {
		t.Fatal(err)
	}
	errb.Reset()
	code, out = runMwgen(t, strings.NewReader(""), &errb, "api", "--api", p.API, "action=query", "meta=userinfo")
	if code != 0 || !strings.Contains(out, `"name": "`+wikiUser+`"`) || strings.Contains(errb.String(), "authorize") {
		t.Fatalf("mwgen api after expiry: exit %d\n%s%s", code, out, errb.String())
	}
	s, err := p.OAuth2Stats(reg.ClientID)
	if err != nil || s.Refreshes != 1 || s.Authorizations != 1 {
		t.Errorf("stats %+v %v; want one refresh, one authorization", s, err)
	}
	_, entry2, _, _ := store.Lookup(host)
	if entry2.OAuth2 == nil || entry2.OAuth2.AccessToken == entry.OAuth2.AccessToken || entry2.OAuth2.RefreshToken == entry.OAuth2.RefreshToken ||
		entry2.OAuth2.ClientSecret != reg.ClientSecret || entry2.Username != wikiUser {
		t.Errorf("after the refresh, stored %v", entry2)
	}

	// Nothing secret was printed.
	printed := stdout + stderr + who + out + errb.String()
	for _, sec := range []string{reg.ClientSecret, entry.OAuth2.AccessToken, entry.OAuth2.RefreshToken, entry2.OAuth2.RefreshToken} {
		if strings.Contains(printed, sec) {
			t.Errorf("a secret was printed:\n%s", printed)
		}
	}

	// whoami refreshes silently too.
	if err := p.ExpireOAuth2(entry2.OAuth2.AccessToken); err != nil {
		t.Fatal(err)
	}
	errb.Reset()
	if code, who := runMwgen(t, strings.NewReader(""), &errb, "whoami", "--api", p.API); code != 0 || !strings.Contains(who, "user:       "+wikiUser) {
		t.Fatalf("whoami after expiry: exit %d\n%s%s", code, who, errb.String())
	}
	if s, _ := p.OAuth2Stats(reg.ClientID); s.Refreshes != 2 {
		t.Errorf("%d refreshes, want 2", s.Refreshes)
	}

	// The grant is revoked: the refresh answers 401 invalid_request. whoami
	// fails clearly; api asks on the terminal (here: no answer) and fails;
	// the stored credentials stay as they were.
	if err := p.RevokeOAuth2(reg.ClientID); err != nil {
		t.Fatal(err)
	}
	if err := p.ExpireOAuth2Client(reg.ClientID); err != nil {
		t.Fatal(err)
	}
	saved, err := os.ReadFile(credFile)
	if err != nil {
		t.Fatal(err)
	}
	errb.Reset()
	code, _ = runMwgen(t, strings.NewReader(""), &errb, "whoami", "--api", p.API)
	if code != exitError || !strings.Contains(errb.String(), "401 invalid_request") || !strings.Contains(errb.String(), "run 'mwgen login --api") {
		t.Errorf("whoami with a revoked grant: exit %d %s", code, errb.String())
	}
	errb.Reset()
	code, _ = runMwgen(t, strings.NewReader(""), &errb, "api", "--api", p.API, "action=query", "meta=userinfo")
	if code != exitError || !strings.Contains(errb.String(), "/rest.php/oauth2/authorize?") || !strings.Contains(errb.String(), "no answer to the authorization prompt") {
		t.Errorf("api with a revoked grant: exit %d %s", code, errb.String())
	}
	if now, err := os.ReadFile(credFile); err != nil || !bytes.Equal(now, saved) {
		t.Errorf("the credential file changed after failed refreshes: %v", err)
	}

	// logout removes the entry; whoami then says how to log in.
	errb.Reset()
	code, out = runMwgen(t, strings.NewReader(""), &errb, "logout", "--api", p.API)
	if code != 0 || !strings.Contains(out, "Removed the credentials for "+host) {
		t.Fatalf("logout: exit %d\n%s%s", code, out, errb.String())
	}
	if pats, err := store.Patterns(); err != nil || len(pats) != 0 {
		t.Errorf("after logout: %v %v", pats, err)
	}
	errb.Reset()
	code, _ = runMwgen(t, strings.NewReader(""), &errb, "whoami", "--api", p.API)
	if code != exitError || !strings.Contains(errb.String(), "mwgen login") {
		t.Errorf("whoami after logout: exit %d %s", code, errb.String())
	}
}

// TestOAuth2OwnerOnlyCLI: MWGEN_OAUTH2_TOKEN alone (no file) for `mwgen
// api` and `mwgen whoami`.
func TestOAuth2OwnerOnlyCLI(t *testing.T) {
	noCredentials(t)
	w := testwiki.Require(t)
	p := oauthprovider.Start(t, w.API, w.BotUser, w.BotPassword)
	reg, err := p.RegisterOAuth2Client(oauthprovider.OAuth2Client{OwnerOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(oauth.EnvOAuth2Token, reg.AccessToken)
	wikiUser := strings.SplitN(w.BotUser, "@", 2)[0]
	var errb bytes.Buffer
	code, out := runMwgen(t, strings.NewReader(""), &errb, "api", "--api", p.API, "action=query", "meta=userinfo")
	if code != 0 || !strings.Contains(out, `"name": "`+wikiUser+`"`) {
		t.Fatalf("mwgen api: exit %d\n%s%s", code, out, errb.String())
	}
	code, out = runMwgen(t, strings.NewReader(""), &errb, "whoami", "--api", p.API, "--json")
	var prof struct{ Username, Oauth string }
	if code != 0 || json.Unmarshal([]byte(out), &prof) != nil || prof.Username != wikiUser || prof.Oauth != "2.0" {
		t.Fatalf("whoami: exit %d\n%s%s", code, out, errb.String())
	}
	if _, err := os.Stat(os.Getenv(oauth.EnvCredentialsFile)); !os.IsNotExist(err) {
		t.Errorf("a credential file was written: %v", err)
	}
	if strings.Contains(out+errb.String(), reg.AccessToken) {
		t.Error("the token was printed")
	}
}

// TestLoginOAuth2BadInput: each bad input is exit 2 with a clear error,
// and the stored credentials stay as they were. Against the provider alone
// (no wiki).
func TestLoginOAuth2BadInput(t *testing.T) {
	clearOAuthEnv(t)
	p := oauthprovider.Start(t, "", "", "")
	reg, err := p.RegisterOAuth2Client(oauthprovider.OAuth2Client{RedirectURI: "http://127.0.0.1:1/cb"})
	if err != nil {
		t.Fatal(err)
	}
	credFile := filepath.Join(t.TempDir(), "credentials.json")
	t.Setenv(oauth.EnvCredentialsFile, credFile)
	t.Setenv(envBotUser, "")
	t.Setenv(envBotPassword, "")
	before := []byte(`{"version":1,"hosts":{"other.example":{"consumer_key":"k","access_token":"t"}}}` + "\n")
	if err := os.WriteFile(credFile, before, 0o600); err != nil {
		t.Fatal(err)
	}
	unchanged := func(t *testing.T) {
		t.Helper()
		if got, err := os.ReadFile(credFile); err != nil || !bytes.Equal(got, before) {
			t.Errorf("the credential file changed: %s %v", got, err)
		}
	}
	base := []string{"--client-id", reg.ClientID}
	t.Setenv(oauth.EnvOAuth2ClientSecret, reg.ClientSecret)

	// A code used once already, pasted bare (no state to check).
	a := oauth.OAuth2Config{REST: p.REST, ClientID: reg.ClientID, ClientSecret: reg.ClientSecret}.Begin()
	used, err := p.ApproveOAuth2(a.URL, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (oauth.OAuth2Config{REST: p.REST, ClientID: reg.ClientID, ClientSecret: reg.ClientSecret}).Finish(context.Background(), a, used); err != nil {
		t.Fatal(err)
	}
	usedURL, _ := url.Parse(used)

	cases := []struct {
		name    string
		term    func(*approvingTerminal)
		args    []string
		wantErr string
	}{
		{"cancelled", func(a *approvingTerminal) { a.cancel = true }, base, "cancelled or refused on the wiki: error=unauthorized_client"},
		{"state of another authorization", func(a *approvingTerminal) { a.answer = func(string) string { return used } }, base, "state does not match"},
		{"code replayed", func(a *approvingTerminal) { a.answer = func(string) string { return usedURL.Query().Get("code") } }, base, "HTTP 400 invalid_request"},
		{"wrong secret", nil, []string{"--client-id", reg.ClientID, "--client-secret", "wrong-SECRET"}, "HTTP 401 invalid_client"},
		{"no client id", nil, nil, "--client-id is required"},
		{"oauth1 flag with --oauth2", nil, append(base, "--consumer-key", "k"), "OAuth 1.0a's"},
		{"public with a secret", nil, append(base, "--public", "--client-secret", "x"), "has no secret"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := loginOAuth2(t, p, tc.term, tc.args...)
			if code != exitError || !strings.Contains(stderr, tc.wantErr) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 2 and %q", code, stderr, tc.wantErr)
			}
			if strings.Contains(stdout+stderr, reg.ClientSecret) || strings.Contains(stdout+stderr, "wrong-SECRET") {
				t.Errorf("a secret was printed:\n%s%s", stdout, stderr)
			}
			unchanged(t)
		})
	}

	// A secret on the command line works, with a warning.
	t.Setenv(oauth.EnvOAuth2ClientSecret, "")
	code, stdout, stderr := loginOAuth2(t, p, nil, "--client-id", reg.ClientID, "--client-secret", reg.ClientSecret)
	if code != 0 || !strings.Contains(stderr, "warning: --client-secret puts the secret in your shell history") ||
		!strings.Contains(stdout, "The client secret was not stored") {
		t.Errorf("secret on the command line: exit %d\n%s%s", code, stdout, stderr)
	}

	// A store file readable by others is refused before anything is asked.
	if err := os.Chmod(credFile, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = loginOAuth2(t, p, nil, base...)
	if code != exitError || !strings.Contains(stderr, "chmod 600") || strings.Contains(stderr, "/rest.php/oauth2/authorize") {
		t.Errorf("insecure file: exit %d %s", code, stderr)
	}
	var errb bytes.Buffer
	code, _ = runMwgen(t, strings.NewReader(""), &errb, "api", "--api", p.API, "action=query", "meta=userinfo")
	if code != exitError || !strings.Contains(errb.String(), "chmod 600") {
		t.Errorf("api with an insecure file: exit %d %s", code, errb.String())
	}
}
