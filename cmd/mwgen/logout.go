package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mwgen/mwgen/runtime/oauth"
)

// logout: remove stored OAuth credentials.

func runLogout(ctx context.Context, e env, args []string) int {
	o, code, done := parseLogout(e, args)
	if done {
		return code
	}
	return o.run(e)
}

type logoutOpts struct {
	api, host, credFile string
	hostKey             string
}

func parseLogout(e env, args []string) (*logoutOpts, int, bool) {
	fs := newFlags(e, "logout", "mwgen logout --api URL [--host PATTERN]", `  # Forget the token stored for a wiki:
  mwgen logout --api https://test.wikipedia.org/w/api.php

  # Forget a wildcard entry (one token for every Wikipedia):
  mwgen logout --api https://en.wikipedia.org/w/api.php --host '*.wikipedia.org'

logout removes the credentials stored for the API's host from the
credential file (OAuth 1.0a or 2.0, the client secret with them). A
wildcard entry that also serves other hosts is removed only when named with
--host. The wiki still knows the authorization: revoke it on the wiki's
Special:OAuthManageMyGrants to make the token useless everywhere.
`)
	o := &logoutOpts{}
	fs.StringVar(&o.api, "api", "", "the wiki's api.php `URL` (required)")
	fs.StringVar(&o.host, "host", "", "remove this host `PATTERN`, e.g. '*.wikipedia.org' (default: the API's host)")
	fs.StringVar(&o.credFile, "credentials", "", "the credential `FILE` (default $"+oauth.EnvCredentialsFile+" or ~/.config/mwgen/credentials.json)")
	if code, done := parse(fs, args); done {
		return nil, code, true
	}
	failed := func(err error) (*logoutOpts, int, bool) { return nil, fail(e, "logout", err), true }
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
	if o.host != "" && !oauth.MatchHost(o.host, o.hostKey) {
		return failed(fmt.Errorf("--host %q does not match the API's host %q", o.host, o.hostKey))
	}
	return o, exitOK, false
}

func (o *logoutOpts) run(e env) int {
	store, err := oauth.OpenStore(o.credFile)
	if err != nil {
		return fail(e, "logout", err)
	}
	pattern, entry, ok, err := store.Lookup(o.hostKey)
	if err != nil {
		return fail(e, "logout", err)
	}
	found := pattern
	if o.host != "" {
		pattern = strings.ToLower(o.host)
		pats, err := store.Patterns()
		if err != nil {
			return fail(e, "logout", err)
		}
		ok = false
		for _, p := range pats {
			ok = ok || p == pattern
		}
	}
	if !ok {
		fmt.Fprintf(e.stdout, "No credentials stored for %s in %s.\n", firstNonEmpty(o.host, o.hostKey), store.Path)
		return exitOK
	}
	if o.host == "" && pattern != o.hostKey {
		return fail(e, "logout", fmt.Errorf("the credentials for %s are the wildcard entry %q, which may serve other wikis: remove it with --host '%s'", o.hostKey, pattern, pattern))
	}
	if err := store.Delete(pattern); err != nil {
		return fail(e, "logout", err)
	}
	who := ""
	if entry.Username != "" && pattern == found {
		who = " (" + entry.Username + ")"
	}
	fmt.Fprintf(e.stdout, "Removed the credentials for %s%s from %s.\n", pattern, who, store.Path)
	fmt.Fprintln(e.stdout, "The wiki still knows the authorization: revoke it on Special:OAuthManageMyGrants if the token may have leaked.")
	return exitOK
}
