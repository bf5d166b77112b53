package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/mwgen/mwgen/runtime/oauth"
)

// login and whoami: OAuth 1.0a with MediaWiki's Extension:OAuth.
//
// Where the Special:OAuth pages are: mwgen reads siteinfo (server and
// script) from --api, as for any wiki: index.php is server+script and the
// canonical server (the base of signatures, identify's iss) is server. The
// test provider (internal/oauthprovider) rewrites siteinfo to itself, so
// discovery works against it too. --index and --server override discovery,
// for a wiki whose siteinfo names an address this machine cannot reach
// (behind a proxy or a port forward).

func runLogin(ctx context.Context, e env, args []string) int {
	o, code, done := parseLogin(e, args)
	if done {
		return code
	}
	if o.oauth2 {
		return o.loginOAuth2(ctx, e)
	}
	return o.loginOAuth1(ctx, e)
}

// loginOpts are mwgen login's parsed and checked arguments.
type loginOpts struct {
	api, host              string
	hostKey, pattern       string
	credFile, index        string
	server, callback       string
	userAgent              string
	timeout                time.Duration
	consumerKey, secretArg string // OAuth 1.0a; secretArg from --consumer-secret
	// OAuth 2.0
	oauth2                 bool
	clientID, clientSecret string // clientSecret from --client-secret
	redirectURI            string
	public, storeSecret    bool
}

const loginExamples = `  # Authorize mwgen (or your tool's consumer) for your account on a wiki:
  export MWGEN_CONSUMER_SECRET='...'   # the consumer's secret, kept out of ps
  mwgen login --api https://test.wikipedia.org/w/api.php --consumer-key 0123abcd...

  # One consumer and token for every Wikipedia (Wikimedia's OAuth is central):
  mwgen login --api https://en.wikipedia.org/w/api.php --consumer-key KEY --host '*.wikipedia.org'

  # OAuth 2.0 (a confidential client; its secret from the environment):
  export MWGEN_OAUTH2_CLIENT_SECRET='...'
  mwgen login --api https://test.wikipedia.org/w/api.php --oauth2 --client-id 0123abcd... --store-secret

  # OAuth 2.0, a public client (no secret, PKCE):
  mwgen login --api URL --oauth2 --public --client-id 0123abcd...

mwgen prints the wiki's authorization address on stderr. Open it, approve,
and paste the address the browser ends on (or the verification code that
Special:OAuth/verified shows; for OAuth 2.0 the address with code and state,
or the bare code) on stdin. The token is stored in the credential file (mode
0600; --credentials, $MWGEN_CREDENTIALS_FILE or
~/.config/mwgen/credentials.json), per host pattern, where "mwgen whoami",
"mwgen api" and programs using runtime/oauth find it; "mwgen logout" removes
it.

OAuth 1.0a: the consumer secret is read from --consumer-secret, else from
MWGEN_CONSUMER_SECRET, else from the credential file (same consumer key),
else from stdin (not echoed on a terminal). Prefer the environment: a flag
is visible to every user of the machine in the process list. The consumer
must be registered with "oob" as callback (not a callback prefix), as
desktop and command-line tools are; MediaWiki then shows
Special:OAuth/verified after approval. Owner-only consumers need no login:
set MWGEN_CONSUMER_KEY, MWGEN_CONSUMER_SECRET, MWGEN_ACCESS_TOKEN and
MWGEN_ACCESS_SECRET instead.

OAuth 2.0 (--oauth2): the client secret is read from --client-secret, else
MWGEN_OAUTH2_CLIENT_SECRET, else the credential file (same client id), else
stdin (not echoed); --public says the client has none. The access token
lasts an hour and is refreshed silently with the refresh token; a
confidential client refreshes with its secret, so store it (--store-secret)
or keep MWGEN_OAUTH2_CLIENT_SECRET set. A public client cannot refresh on
MediaWiki 1.39: mwgen asks you to authorize again when the hour is over.
Owner-only OAuth 2.0 clients need no login: set MWGEN_OAUTH2_TOKEN to their
access token.
`

// parseLogin parses and checks login's arguments; done means stop with
// code.
func parseLogin(e env, args []string) (o *loginOpts, code int, done bool) {
	fs := newFlags(e, "login", "mwgen login --api URL (--consumer-key KEY | --oauth2 --client-id ID) [flags]", loginExamples)
	o = &loginOpts{}
	fs.StringVar(&o.api, "api", "", "the wiki's api.php `URL` (required)")
	fs.StringVar(&o.consumerKey, "consumer-key", "", "the OAuth 1.0a consumer key (default $"+oauth.EnvConsumerKey+")")
	fs.StringVar(&o.secretArg, "consumer-secret", "", "the consumer secret (prefer $"+oauth.EnvConsumerSecret+": flags show in ps)")
	fs.BoolVar(&o.oauth2, "oauth2", false, "log in with OAuth 2.0 (authorization code with PKCE) instead of OAuth 1.0a")
	fs.StringVar(&o.clientID, "client-id", "", "the OAuth 2.0 client id (default $"+oauth.EnvOAuth2ClientID+")")
	fs.StringVar(&o.clientSecret, "client-secret", "", "the OAuth 2.0 client secret (prefer $"+oauth.EnvOAuth2ClientSecret+": flags land in shell history)")
	fs.BoolVar(&o.public, "public", false, "the OAuth 2.0 client is public (has no secret)")
	fs.BoolVar(&o.storeSecret, "store-secret", false, "store the OAuth 2.0 client secret in the credential file, for silent refreshes")
	fs.StringVar(&o.redirectURI, "redirect-uri", "", "the OAuth 2.0 redirect_uri to send (default: none, the client's registered callback)")
	fs.StringVar(&o.host, "host", "", "store the token under this host `PATTERN`, e.g. '*.wikipedia.org' (default: the API's host)")
	fs.StringVar(&o.credFile, "credentials", "", "the credential `FILE` (default $"+oauth.EnvCredentialsFile+" or ~/.config/mwgen/credentials.json)")
	fs.StringVar(&o.index, "index", "", "the wiki's index.php `URL` (default: siteinfo's server+script)")
	fs.StringVar(&o.server, "server", "", "the wiki's canonical server `URL` (default: siteinfo's server)")
	fs.StringVar(&o.callback, "callback", "oob", "the oauth_callback to send: oob, or a URL the consumer's registered callback prefix matches")
	fs.StringVar(&o.userAgent, "user-agent", "", "your tool and contact, prepended to mwgen's User-Agent")
	fs.DurationVar(&o.timeout, "timeout", 15*time.Minute, "give up after this long, waiting for you included")
	if code, done := parse(fs, args); done {
		return nil, code, true
	}
	failed := func(err error) (*loginOpts, int, bool) {
		return nil, fail(e, "login", redact(err, []string{o.secretArg, o.clientSecret})), true
	}
	if o.api == "" {
		return failed(errors.New("--api is required (the wiki's api.php URL)"))
	}
	if fs.NArg() > 0 {
		return failed(fmt.Errorf("unexpected arguments %q", fs.Args()))
	}
	var err error
	if o.hostKey, err = oauth.HostKey(o.api); err != nil {
		return failed(err)
	}
	o.pattern = o.hostKey
	if o.host != "" {
		if !oauth.MatchHost(o.host, o.hostKey) {
			return failed(fmt.Errorf("--host %q does not match the API's host %q", o.host, o.hostKey))
		}
		o.pattern = strings.ToLower(o.host)
	}
	oauth1Flags := o.consumerKey != "" || o.secretArg != "" || fs.Changed("callback")
	oauth2Flags := o.clientID != "" || o.clientSecret != "" || o.public || o.storeSecret || o.redirectURI != ""
	switch {
	case o.oauth2 && oauth1Flags:
		return failed(errors.New("--consumer-key, --consumer-secret and --callback are OAuth 1.0a's; with --oauth2 give --client-id"))
	case !o.oauth2 && oauth2Flags:
		return failed(errors.New("--client-id, --client-secret, --public, --store-secret and --redirect-uri need --oauth2"))
	case o.public && (o.clientSecret != "" || o.storeSecret):
		return failed(errors.New("a --public client has no secret: drop --client-secret and --store-secret"))
	}
	if o.oauth2 {
		if o.clientID == "" {
			o.clientID = os.Getenv(oauth.EnvOAuth2ClientID)
		}
		if o.clientID == "" {
			return failed(fmt.Errorf("--client-id is required with --oauth2 (or set %s): register a client on the wiki's Special:OAuthConsumerRegistration/propose/oauth2", oauth.EnvOAuth2ClientID))
		}
		if o.clientSecret != "" {
			fmt.Fprintf(e.stderr, "mwgen login: warning: --client-secret puts the secret in your shell history and the process list; prefer %s\n", oauth.EnvOAuth2ClientSecret)
		}
		return o, exitOK, false
	}
	if o.consumerKey == "" {
		o.consumerKey = os.Getenv(oauth.EnvConsumerKey)
	}
	if o.consumerKey == "" {
		return failed(fmt.Errorf("--consumer-key is required (or set %s): register a consumer on the wiki's Special:OAuthConsumerRegistration/propose; for OAuth 2.0 give --oauth2 --client-id", oauth.EnvConsumerKey))
	}
	return o, exitOK, false
}

// openStore opens the credential store and reads the entry for the host,
// refusing an insecure file before anything is asked.
func (o *loginOpts) openStore() (*oauth.Store, oauth.Entry, bool, error) {
	store, err := oauth.OpenStore(o.credFile)
	if err != nil {
		return nil, oauth.Entry{}, false, err
	}
	_, stored, ok, err := store.Lookup(o.hostKey)
	if err != nil {
		return nil, oauth.Entry{}, false, err
	}
	return store, stored, ok, nil
}

// readSecretPrompt asks for a secret on stderr and reads it from stdin
// without echo.
func readSecretPrompt(e env, prompt string) (string, error) {
	fmt.Fprint(e.stderr, prompt)
	secret, err := readSecret(e.stdin)
	fmt.Fprintln(e.stderr)
	return secret, err
}

// loginOAuth1 runs the OAuth 1.0a handshake and stores the token.
func (o *loginOpts) loginOAuth1(ctx context.Context, e env) int {
	secrets := []string{o.secretArg} // values never to print
	failLogin := func(err error) int { return fail(e, "login", redact(err, secrets)) }
	store, stored, haveStored, err := o.openStore()
	if err != nil {
		return failLogin(err)
	}
	secret := o.secretArg
	if secret == "" {
		secret = os.Getenv(oauth.EnvConsumerSecret)
	}
	if secret == "" && haveStored && stored.ConsumerKey == o.consumerKey {
		secret = stored.ConsumerSecret
	}
	if secret == "" {
		if secret, err = readSecretPrompt(e, "Consumer secret for "+o.consumerKey+": "); err != nil {
			return failLogin(fmt.Errorf("reading the consumer secret: %w", err))
		}
		if secret == "" {
			return failLogin(errors.New("no consumer secret given"))
		}
	}
	secrets = append(secrets, secret)

	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	hc := &http.Client{Timeout: 2 * time.Minute}
	ep, err := endpoints(ctx, hc, o.api, o.index, o.server, o.userAgent)
	if err != nil {
		return failLogin(err)
	}
	cfg := oauth.Config{
		Index:      ep.Index,
		Server:     ep.Server,
		Consumer:   oauth.Credentials{ConsumerKey: o.consumerKey, ConsumerSecret: secret},
		Callback:   o.callback,
		HTTPClient: hc,
		UserAgent:  o.userAgent,
	}
	prompter := &oauth.TerminalPrompter{In: e.stdin, Out: e.stderr, App: "mwgen (consumer " + o.consumerKey + ")"}
	creds, err := oauth.Authorize(ctx, cfg, prompter)
	if err != nil {
		return failLogin(err)
	}
	secrets = append(secrets, creds.TokenSecret)

	username := ""
	id, idErr := oauth.Identify(ctx, cfg, creds)
	if idErr == nil {
		username = id.Username
	} else {
		fmt.Fprintf(e.stderr, "mwgen login: warning: the token works but identify failed: %v\n", redact(idErr, secrets))
	}
	if err := store.Save(o.pattern, oauth.EntryFor(creds, username)); err != nil {
		return failLogin(err)
	}
	var grants []string
	if id != nil {
		grants = id.Grants
	}
	o.printLoggedIn(e, store, username, "", grants)
	return exitOK
}

func (o *loginOpts) printLoggedIn(e env, store *oauth.Store, username, how string, grants []string) {
	who := username
	if who == "" {
		who = "(unknown user)"
	}
	fmt.Fprintf(e.stdout, "Logged in to %s as %s%s.\n", o.hostKey, who, how)
	if grants != nil {
		fmt.Fprintf(e.stdout, "Grants: %s\n", strings.Join(grants, ", "))
	}
	fmt.Fprintf(e.stdout, "Credentials saved in %s for %s.\n", store.Path, o.pattern)
}

// loginOAuth2 runs the OAuth 2.0 authorization and stores the token.
func (o *loginOpts) loginOAuth2(ctx context.Context, e env) int {
	secrets := []string{o.clientSecret}
	failLogin := func(err error) int { return fail(e, "login", redact(err, secrets)) }
	store, stored, haveStored, err := o.openStore()
	if err != nil {
		return failLogin(err)
	}
	secret := o.clientSecret
	if !o.public {
		if secret == "" {
			secret = os.Getenv(oauth.EnvOAuth2ClientSecret)
		}
		if secret == "" && haveStored && stored.OAuth2 != nil && stored.OAuth2.ClientID == o.clientID {
			secret = stored.OAuth2.ClientSecret
		}
		if secret == "" {
			if secret, err = readSecretPrompt(e, "Client secret for "+o.clientID+" (--public if it has none): "); err != nil {
				return failLogin(fmt.Errorf("reading the client secret: %w", err))
			}
			if secret == "" {
				return failLogin(errors.New("no client secret given (give --public for a public client)"))
			}
		}
	}
	secrets = append(secrets, secret)
	script := o.api
	if o.index != "" {
		script = o.index
	}
	rest, err := oauth.RESTURL(script)
	if err != nil {
		return failLogin(err)
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	hc := &http.Client{Timeout: 2 * time.Minute}
	cfg := oauth.OAuth2Config{REST: rest, ClientID: o.clientID, ClientSecret: secret, RedirectURL: o.redirectURI, HTTPClient: hc, UserAgent: o.userAgent}
	prompter := &oauth.TerminalPrompter{In: e.stdin, Out: e.stderr, App: "mwgen (OAuth 2.0 client " + o.clientID + ")"}
	tok, err := oauth.AuthorizeOAuth2(ctx, cfg, prompter)
	if err != nil {
		return failLogin(err)
	}
	secrets = append(secrets, tok.AccessToken, tok.RefreshToken)

	src, err := oauth.NewOAuth2TokenSource(oauth.OAuth2SourceOptions{Config: cfg, Token: tok})
	if err != nil {
		return failLogin(err)
	}
	username := ""
	var grants []string
	prof, perr := oauth.FetchProfile(ctx, oauth.NewOAuth2HTTPClient(src, hc), rest, o.userAgent)
	if perr == nil {
		username, grants = prof.Username, nonNil(prof.Grants)
	} else {
		fmt.Fprintf(e.stderr, "mwgen login: warning: the token works but the profile endpoint failed: %v\n", redact(perr, secrets))
	}
	ent := oauth.OAuth2Entry{ClientID: o.clientID, Confidential: secret != ""}
	if o.storeSecret {
		ent.ClientSecret = secret
	}
	entry := oauth.Entry{OAuth2: &ent, Username: username}.WithOAuth2Token(tok)
	if err := store.Save(o.pattern, entry); err != nil {
		return failLogin(err)
	}
	o.printLoggedIn(e, store, username, " (OAuth 2.0, client "+o.clientID+")", grants)
	switch {
	case secret == "":
		fmt.Fprintln(e.stdout, "This public client cannot refresh its token on MediaWiki 1.39: when the hour is over, mwgen asks you to authorize again.")
	case !o.storeSecret:
		fmt.Fprintf(e.stdout, "The client secret was not stored: keep %s set for silent refreshes, or log in again with --store-secret.\n", oauth.EnvOAuth2ClientSecret)
	}
	return exitOK
}

func runWhoami(ctx context.Context, e env, args []string) int {
	fs := newFlags(e, "whoami", "mwgen whoami --api URL [flags]", `  # Who the stored OAuth token (or MWGEN_* variables) acts as:
  mwgen whoami --api https://test.wikipedia.org/w/api.php

  # The whole identity as JSON:
  mwgen whoami --api URL --json

With OAuth 1.0a, whoami asks Special:OAuth/identify and verifies its
answer (a JWT signed with the consumer secret, for this consumer, from this
wiki, fresh, with the nonce of the request). Credentials come from
MWGEN_CONSUMER_KEY, MWGEN_CONSUMER_SECRET, MWGEN_ACCESS_TOKEN,
MWGEN_ACCESS_SECRET, which override the credential file (see 'mwgen login
--help').

With OAuth 2.0 (MWGEN_OAUTH2_TOKEN, an owner-only token, or a stored
'mwgen login --oauth2'), whoami asks the wiki's rest.php/oauth2/resource/profile,
refreshing an expired token silently (and storing the new one).
`)
	api := fs.String("api", "", "the wiki's api.php `URL` (required)")
	credFile := fs.String("credentials", "", "the credential `FILE` (default $"+oauth.EnvCredentialsFile+" or ~/.config/mwgen/credentials.json)")
	index := fs.String("index", "", "the wiki's index.php `URL` (default: siteinfo's server+script)")
	server := fs.String("server", "", "the wiki's canonical server `URL` (default: siteinfo's server)")
	asJSON := fs.Bool("json", false, "print the identity as JSON")
	userAgent := fs.String("user-agent", "", "your tool and contact, prepended to mwgen's User-Agent")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up after this long")
	if code, done := parse(fs, args); done {
		return code
	}
	var secrets []string
	failWho := func(err error) int { return fail(e, "whoami", redact(err, secrets)) }
	if *api == "" {
		return failWho(errors.New("--api is required (the wiki's api.php URL)"))
	}
	if fs.NArg() > 0 {
		return failWho(fmt.Errorf("unexpected arguments %q", fs.Args()))
	}
	hostKey, err := oauth.HostKey(*api)
	if err != nil {
		return failWho(err)
	}
	store, err := oauth.OpenStore(*credFile)
	if err != nil {
		return failWho(err)
	}
	if r, ok, err := oauth.LookupOAuth2(hostKey, store); err != nil {
		return failWho(err)
	} else if ok {
		return whoamiOAuth2(ctx, e, whoamiOpts{api: *api, index: *index, userAgent: *userAgent, asJSON: *asJSON, timeout: *timeout}, store, r)
	}
	res, err := oauth.Lookup(hostKey, store)
	if err != nil {
		return failWho(err)
	}
	creds := res.Credentials
	secrets = append(secrets, creds.ConsumerSecret, creds.TokenSecret)
	if creds.Token == "" {
		return failWho(fmt.Errorf("no access token for %s: run 'mwgen login --api %s'", hostKey, *api))
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	hc := &http.Client{Timeout: *timeout}
	ep, err := endpoints(ctx, hc, *api, *index, *server, *userAgent)
	if err != nil {
		return failWho(err)
	}
	cfg := oauth.Config{Index: ep.Index, Server: ep.Server, Consumer: creds, HTTPClient: hc, UserAgent: *userAgent}
	id, err := oauth.Identify(ctx, cfg, creds)
	if err != nil {
		var pe *oauth.ProviderError
		if errors.As(err, &pe) {
			err = fmt.Errorf("%w (if the token was revoked, run 'mwgen login --api %s' again)", err, *api)
		}
		return failWho(err)
	}
	if *asJSON {
		out := map[string]any{
			"username": id.Username, "sub": id.Sub, "editcount": id.EditCount,
			"confirmed_email": id.ConfirmedEmail, "blocked": id.Blocked, "registered": id.Registered,
			"groups": nonNil(id.Groups), "rights": nonNil(id.Rights), "grants": nonNil(id.Grants),
			"wiki": id.Issuer, "consumer": id.Audience,
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return failWho(err)
		}
		return exitOK
	}
	fmt.Fprintf(e.stdout, "user:       %s\n", id.Username)
	fmt.Fprintf(e.stdout, "wiki:       %s\n", id.Issuer)
	fmt.Fprintf(e.stdout, "groups:     %s\n", strings.Join(id.Groups, ", "))
	fmt.Fprintf(e.stdout, "grants:     %s\n", strings.Join(id.Grants, ", "))
	fmt.Fprintf(e.stdout, "edits:      %d\n", id.EditCount)
	if id.Registered != "" {
		fmt.Fprintf(e.stdout, "registered: %s\n", id.Registered)
	}
	if id.Blocked {
		fmt.Fprintf(e.stdout, "blocked:    yes\n")
	}
	src := "credential file " + store.Path + " (" + res.Pattern + ")"
	if len(res.FromEnv) > 0 {
		src = "environment (" + strings.Join(res.FromEnv, ", ") + ")"
		if res.Pattern != "" {
			src += " and credential file " + store.Path + " (" + res.Pattern + ")"
		}
	}
	fmt.Fprintf(e.stdout, "consumer:   %s, from the %s\n", creds.ConsumerKey, src)
	return exitOK
}

// endpoints returns the wiki's index.php and canonical server: the flags,
// else siteinfo's.
func endpoints(ctx context.Context, hc *http.Client, api, index, server, userAgent string) (oauth.Endpoints, error) {
	if index != "" {
		return oauth.Endpoints{Index: index, Server: server}, nil
	}
	ep, err := oauth.Discover(ctx, hc, api, userAgent)
	if err != nil {
		return oauth.Endpoints{}, fmt.Errorf("%w (give --index and --server if siteinfo's addresses are not reachable from here)", err)
	}
	if server != "" {
		ep.Server = server
	}
	return ep, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// redact replaces every secret in err's message by ***. Nothing in
// runtime/oauth puts a secret into an error; this is a second guard.
func redact(err error, secrets []string) error {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "***")
		}
	}
	return errors.New(msg)
}

// readSecret reads one line from in without echoing it when in is a
// terminal (through stty; where that is not available the line is echoed
// as typed). It reads byte by byte, so that what follows the line stays
// for the authorization prompt.
func readSecret(in io.Reader) (string, error) {
	if f, ok := in.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			if stty(f, "-echo") == nil {
				defer stty(f, "echo")
			}
		}
	}
	var b strings.Builder
	var buf [1]byte
	for {
		n, err := in.Read(buf[:])
		if n == 1 {
			if buf[0] == '\n' {
				break
			}
			b.WriteByte(buf[0])
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
	}
	return strings.TrimSpace(b.String()), nil
}

// stty runs stty with the terminal as its standard input.
func stty(tty *os.File, arg string) error {
	cmd := exec.Command("stty", arg)
	cmd.Stdin = tty
	return cmd.Run()
}

type whoamiOpts struct {
	api, index, userAgent string
	asJSON                bool
	timeout               time.Duration
}

// whoamiOAuth2 shows the profile of an OAuth 2.0 token.
func whoamiOAuth2(ctx context.Context, e env, o whoamiOpts, store *oauth.Store, r oauth.ResolvedOAuth2) int {
	secrets := []string{r.Entry.OAuth2.ClientSecret, r.Entry.OAuth2.AccessToken, r.Entry.OAuth2.RefreshToken}
	failWho := func(err error) int { return fail(e, "whoami", redact(err, secrets)) }
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	hc, src, err := oauth.OAuth2ClientFor(o.api, r, oauth.ClientOptions{Store: store, HTTPClient: &http.Client{Timeout: o.timeout}, Index: o.index, UserAgent: o.userAgent})
	if err != nil {
		return failWho(err)
	}
	rest, err := oauth.RESTURL(firstNonEmpty(o.index, o.api))
	if err != nil {
		return failWho(err)
	}
	prof, err := oauth.FetchProfile(ctx, hc, rest, o.userAgent)
	if cur := src.Current(); cur != nil {
		secrets = append(secrets, cur.AccessToken, cur.RefreshToken)
	}
	if err != nil {
		if errors.Is(err, oauth.ErrOAuth2Expired) || isRefused(err) {
			err = fmt.Errorf("%w (run 'mwgen login --api %s --oauth2 --client-id %s' again)", err, o.api, r.Entry.OAuth2.ClientID)
		}
		return failWho(err)
	}
	src2 := "credential file " + store.Path + " (" + r.Pattern + ")"
	if r.OwnerOnly {
		src2 = "environment (" + oauth.EnvOAuth2Token + ", owner-only)"
	}
	if o.asJSON {
		out := map[string]any{
			"username": prof.Username, "sub": prof.Sub, "editcount": prof.EditCount,
			"confirmed_email": prof.ConfirmedEmail, "blocked": prof.Blocked, "registered": prof.Registered,
			"groups": nonNil(prof.Groups), "rights": nonNil(prof.Rights), "grants": nonNil(prof.Grants),
			"oauth": "2.0", "client": r.Entry.OAuth2.ClientID,
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return failWho(err)
		}
		return exitOK
	}
	fmt.Fprintf(e.stdout, "user:       %s\n", prof.Username)
	fmt.Fprintf(e.stdout, "wiki:       %s\n", rest)
	fmt.Fprintf(e.stdout, "groups:     %s\n", strings.Join(prof.Groups, ", "))
	fmt.Fprintf(e.stdout, "grants:     %s\n", strings.Join(prof.Grants, ", "))
	fmt.Fprintf(e.stdout, "edits:      %d\n", prof.EditCount)
	if prof.Registered != "" {
		fmt.Fprintf(e.stdout, "registered: %s\n", prof.Registered)
	}
	if prof.Blocked {
		fmt.Fprintf(e.stdout, "blocked:    yes\n")
	}
	client := r.Entry.OAuth2.ClientID
	if client == "" {
		client = "(owner-only token)"
	}
	fmt.Fprintf(e.stdout, "client:     %s (OAuth 2.0), from the %s\n", client, src2)
	return exitOK
}

// isRefused reports whether err is the wiki's refusal of an OAuth 2.0
// token.
func isRefused(err error) bool {
	var oe *oauth.OAuth2Error
	return errors.As(err, &oe) && (oe.Status == http.StatusUnauthorized || oe.Revoked())
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
