package oauth

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"os"
	"strings"

	"golang.org/x/oauth2"
)

// ResolvedOAuth2 is the OAuth 2.0 login found for a wiki by [LookupOAuth2].
type ResolvedOAuth2 struct {
	// Entry holds the client and token (Entry.OAuth2 is set).
	Entry Entry
	// Pattern is the store entry used ("" for MWGEN_OAUTH2_TOKEN).
	Pattern string
	// FromEnv lists the MWGEN_* variables that were used.
	FromEnv []string
	// OwnerOnly is set for a token from MWGEN_OAUTH2_TOKEN: used as it is,
	// never refreshed.
	OwnerOnly bool
}

// LookupOAuth2 returns the OAuth 2.0 login for host (a [HostKey]): the
// owner-only access token in MWGEN_OAUTH2_TOKEN, else the store's best
// entry when it is an OAuth 2.0 one (store may be nil) and
// MWGEN_CONSUMER_KEY (OAuth 1.0a from the environment) is not set, with
// the client secret from MWGEN_OAUTH2_CLIENT_SECRET when it was not
// stored. ok is
// false when there is none; an insecure or broken store is an error.
func LookupOAuth2(host string, store *Store) (r ResolvedOAuth2, ok bool, err error) {
	if tok := strings.TrimSpace(os.Getenv(EnvOAuth2Token)); tok != "" {
		return ResolvedOAuth2{
			Entry:     Entry{OAuth2: &OAuth2Entry{ClientID: os.Getenv(EnvOAuth2ClientID), Token: oauth2.Token{AccessToken: tok, TokenType: "Bearer"}}},
			FromEnv:   []string{EnvOAuth2Token},
			OwnerOnly: true,
		}, true, nil
	}
	if store == nil || os.Getenv(EnvConsumerKey) != "" {
		// (MWGEN_CONSUMER_KEY asks for OAuth 1.0a: the environment
		// overrides the file.)
		return ResolvedOAuth2{}, false, nil
	}
	p, e, found, err := store.Lookup(host)
	if err != nil || !found || e.OAuth2 == nil {
		return ResolvedOAuth2{}, false, err
	}
	o := *e.OAuth2
	e.OAuth2 = &o
	r = ResolvedOAuth2{Entry: e, Pattern: p}
	if o.Confidential && o.ClientSecret == "" {
		if s := os.Getenv(EnvOAuth2ClientSecret); s != "" {
			o.ClientSecret = s
			r.FromEnv = append(r.FromEnv, EnvOAuth2ClientSecret)
		}
	}
	return r, true, nil
}

// Config returns the OAuth 2.0 client of the login for the wiki whose
// rest.php is rest.
func (r ResolvedOAuth2) Config(rest string, hc *http.Client, userAgent string) OAuth2Config {
	o := r.Entry.OAuth2
	return OAuth2Config{REST: rest, ClientID: o.ClientID, ClientSecret: o.ClientSecret, HTTPClient: hc, UserAgent: userAgent}
}

// OAuth2ClientFor returns an *http.Client whose requests carry the login's
// bearer token, through an [OAuth2Transport] over opts.HTTPClient (nil: a
// new client with a cookie jar), and its token source. The token is
// refreshed silently while the refresh token is good, and stored under
// r.Pattern in opts.Store; opts.Prompter authorizes again when the refresh
// fails. An owner-only token is used as it is. The wiki's rest.php is
// beside api (or opts.Index, when set).
func OAuth2ClientFor(api string, r ResolvedOAuth2, opts ClientOptions) (*http.Client, *OAuth2TokenSource, error) {
	if r.Entry.OAuth2 == nil {
		return nil, nil, fmt.Errorf("%w: no OAuth 2.0 login", ErrNoCredentials)
	}
	script := api
	if opts.Index != "" {
		script = opts.Index
	}
	rest, err := RESTURL(script)
	if err != nil {
		return nil, nil, err
	}
	base := opts.HTTPClient
	if base == nil {
		jar, _ := cookiejar.New(nil)
		base = &http.Client{Jar: jar}
	}
	so := OAuth2SourceOptions{
		Config: r.Config(rest, base, opts.UserAgent),
		Token:  &r.Entry.OAuth2.Token,
		Logger: opts.Logger,
	}
	if !r.OwnerOnly {
		so.Prompter = opts.Prompter
		if opts.Store != nil && r.Pattern != "" {
			so.Store, so.StorePattern, so.Entry = opts.Store, r.Pattern, r.Entry
			if so.Entry.OAuth2.ClientSecret != "" && r.secretFromEnv() {
				// A secret from the environment stays out of the file.
				o := *so.Entry.OAuth2
				o.ClientSecret = ""
				so.Entry.OAuth2 = &o
			}
		}
	}
	src, err := NewOAuth2TokenSource(so)
	if err != nil {
		return nil, nil, err
	}
	return NewOAuth2HTTPClient(src, base), src, nil
}

// secretFromEnv reports whether the client secret came from
// MWGEN_OAUTH2_CLIENT_SECRET.
func (r ResolvedOAuth2) secretFromEnv() bool {
	for _, v := range r.FromEnv {
		if v == EnvOAuth2ClientSecret {
			return true
		}
	}
	return false
}

// OAuth2ClientFromEnvOrStore is [LookupOAuth2] and [OAuth2ClientFor] in one
// step: ok is false when there is no OAuth 2.0 login for api's host.
func OAuth2ClientFromEnvOrStore(ctx context.Context, api string, opts ClientOptions) (hc *http.Client, ok bool, err error) {
	store := opts.Store
	if store == nil {
		if store, err = OpenStore(""); err != nil {
			return nil, false, err
		}
		opts.Store = store
	}
	host, err := HostKey(api)
	if err != nil {
		return nil, false, err
	}
	r, ok, err := LookupOAuth2(host, store)
	if err != nil || !ok {
		return nil, false, err
	}
	hc, _, err = OAuth2ClientFor(api, r, opts)
	return hc, err == nil, err
}
