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
	fs := newFlags(e, "login", "mwgen login --api URL --consumer-key KEY [flags]", `  # Authorize mwgen (or your tool's consumer) for your account on a wiki:
  export MWGEN_CONSUMER_SECRET='...'   # the consumer's secret, kept out of ps
  mwgen login --api https://test.wikipedia.org/w/api.php --consumer-key 0123abcd...

  # One consumer and token for every Wikipedia (Wikimedia's OAuth is central):
  mwgen login --api https://en.wikipedia.org/w/api.php --consumer-key KEY --host '*.wikipedia.org'

mwgen prints the wiki's authorization address on stderr. Open it, approve,
and paste the address the browser ends on (or the verification code that
Special:OAuth/verified shows) on stdin. The access token is stored in the
credential file (mode 0600; --credentials, $MWGEN_CREDENTIALS_FILE or
~/.config/mwgen/credentials.json), per host pattern, where "mwgen whoami",
"mwgen api" and programs using runtime/oauth find it.

The consumer secret is read from --consumer-secret, else from
MWGEN_CONSUMER_SECRET, else from the credential file (same consumer key),
else from stdin (not echoed on a terminal). Prefer the environment: a flag
is visible to every user of the machine in the process list.

The consumer must be registered with "oob" as callback (not a callback
prefix), as desktop and command-line tools are; MediaWiki then shows
Special:OAuth/verified after approval. Owner-only consumers need no login:
set MWGEN_CONSUMER_KEY, MWGEN_CONSUMER_SECRET, MWGEN_ACCESS_TOKEN and
MWGEN_ACCESS_SECRET instead.
`)
	api := fs.String("api", "", "the wiki's api.php `URL` (required)")
	key := fs.String("consumer-key", "", "the consumer key (default $"+oauth.EnvConsumerKey+")")
	secretFlag := fs.String("consumer-secret", "", "the consumer secret (prefer $"+oauth.EnvConsumerSecret+": flags show in ps)")
	host := fs.String("host", "", "store the token under this host `PATTERN`, e.g. '*.wikipedia.org' (default: the API's host)")
	credFile := fs.String("credentials", "", "the credential `FILE` (default $"+oauth.EnvCredentialsFile+" or ~/.config/mwgen/credentials.json)")
	index := fs.String("index", "", "the wiki's index.php `URL` (default: siteinfo's server+script)")
	server := fs.String("server", "", "the wiki's canonical server `URL` (default: siteinfo's server)")
	callback := fs.String("callback", "oob", "the oauth_callback to send: oob, or a URL the consumer's registered callback prefix matches")
	userAgent := fs.String("user-agent", "", "your tool and contact, prepended to mwgen's User-Agent")
	timeout := fs.Duration("timeout", 15*time.Minute, "give up after this long, waiting for you included")
	if code, done := parse(fs, args); done {
		return code
	}
	var secrets []string // values never to print
	failLogin := func(err error) int { return fail(e, "login", redact(err, secrets)) }
	if *api == "" {
		return failLogin(errors.New("--api is required (the wiki's api.php URL)"))
	}
	if fs.NArg() > 0 {
		return failLogin(fmt.Errorf("unexpected arguments %q", fs.Args()))
	}
	hostKey, err := oauth.HostKey(*api)
	if err != nil {
		return failLogin(err)
	}
	pattern := hostKey
	if *host != "" {
		if !oauth.MatchHost(*host, hostKey) {
			return failLogin(fmt.Errorf("--host %q does not match the API's host %q", *host, hostKey))
		}
		pattern = strings.ToLower(*host)
	}
	store, err := oauth.OpenStore(*credFile)
	if err != nil {
		return failLogin(err)
	}
	// Refuse an insecure credential file before asking anything.
	_, stored, haveStored, err := store.Lookup(hostKey)
	if err != nil {
		return failLogin(err)
	}

	consumerKey := *key
	if consumerKey == "" {
		consumerKey = os.Getenv(oauth.EnvConsumerKey)
	}
	if consumerKey == "" {
		return failLogin(fmt.Errorf("--consumer-key is required (or set %s): register a consumer on the wiki's Special:OAuthConsumerRegistration/propose", oauth.EnvConsumerKey))
	}
	secret := *secretFlag
	if secret == "" {
		secret = os.Getenv(oauth.EnvConsumerSecret)
	}
	if secret == "" && haveStored && stored.ConsumerKey == consumerKey {
		secret = stored.ConsumerSecret
	}
	if secret == "" {
		fmt.Fprintf(e.stderr, "Consumer secret for %s: ", consumerKey)
		secret, err = readSecret(e.stdin)
		fmt.Fprintln(e.stderr)
		if err != nil {
			return failLogin(fmt.Errorf("reading the consumer secret: %w", err))
		}
		if secret == "" {
			return failLogin(errors.New("no consumer secret given"))
		}
	}
	secrets = append(secrets, secret)

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	hc := &http.Client{Timeout: 2 * time.Minute}
	ep, err := endpoints(ctx, hc, *api, *index, *server, *userAgent)
	if err != nil {
		return failLogin(err)
	}
	cfg := oauth.Config{
		Index:      ep.Index,
		Server:     ep.Server,
		Consumer:   oauth.Credentials{ConsumerKey: consumerKey, ConsumerSecret: secret},
		Callback:   *callback,
		HTTPClient: hc,
		UserAgent:  *userAgent,
	}
	prompter := &oauth.TerminalPrompter{In: e.stdin, Out: e.stderr, App: "mwgen (consumer " + consumerKey + ")"}
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
	if err := store.Save(pattern, oauth.EntryFor(creds, username)); err != nil {
		return failLogin(err)
	}
	who := username
	if who == "" {
		who = "(unknown user)"
	}
	fmt.Fprintf(e.stdout, "Logged in to %s as %s.\n", hostKey, who)
	if id != nil {
		fmt.Fprintf(e.stdout, "Grants: %s\n", strings.Join(id.Grants, ", "))
	}
	fmt.Fprintf(e.stdout, "Credentials saved in %s for %s.\n", store.Path, pattern)
	return exitOK
}

func runWhoami(ctx context.Context, e env, args []string) int {
	fs := newFlags(e, "whoami", "mwgen whoami --api URL [flags]", `  # Who the stored OAuth token (or MWGEN_* variables) acts as:
  mwgen whoami --api https://test.wikipedia.org/w/api.php

  # The whole identity as JSON:
  mwgen whoami --api URL --json

whoami asks Special:OAuth/identify and verifies its answer (a JWT signed
with the consumer secret, for this consumer, from this wiki, fresh, with
the nonce of the request). Credentials come from MWGEN_CONSUMER_KEY,
MWGEN_CONSUMER_SECRET, MWGEN_ACCESS_TOKEN, MWGEN_ACCESS_SECRET, which
override the credential file (see 'mwgen login --help').
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
