package oauth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"golang.org/x/oauth2"
)

// DefaultEarlyExpiry is how long before its expiry an OAuth 2.0 access
// token is refreshed: the wiki does not say when a token expired (an
// expired token looks like a revoked one), so the client keeps track.
const DefaultEarlyExpiry = time.Minute

// OAuth2SourceOptions configure an [OAuth2TokenSource].
type OAuth2SourceOptions struct {
	// Config is the client (its REST, ClientID and, for a confidential
	// client, ClientSecret).
	Config OAuth2Config
	// Token is the current token. A token without RefreshToken and without
	// Expiry (an owner-only access token) is used as it is until the wiki
	// refuses it.
	Token *oauth2.Token
	// Prompter asks the user to authorize again when the refresh fails
	// (the refresh token was revoked or used, the grant expired, or the
	// client is public on a wiki that does not refresh public clients).
	// nil: such failures are errors wrapping [ErrOAuth2Expired].
	Prompter Prompter
	// Store and StorePattern, when both are set, receive every new token
	// (refreshed or authorized again), written atomically with entry as
	// the rest of the entry (see [Entry.WithOAuth2Token]).
	Store        *Store
	StorePattern string
	Entry        Entry
	// OnToken, when set, is called with every new token after it is in
	// use (and stored), under the source's lock: keep it short. The web
	// login stores the pair in the user's session with it.
	OnToken func(ctx context.Context, t *oauth2.Token) error
	// EarlyExpiry is how long before Expiry the token is refreshed;
	// 0 means [DefaultEarlyExpiry].
	EarlyExpiry time.Duration
	// Clock gives the time; nil means time.Now.
	Clock func() time.Time
	// Logger receives an info record for each refresh and
	// re-authorization, and a warning when a new token cannot be stored.
	// nil discards them. Records never hold tokens.
	Logger *slog.Logger
}

// OAuth2TokenSource hands out a wiki's OAuth 2.0 access token, renewing it
// when needed:
//
//   - before it expires (EarlyExpiry ahead), by a refresh;
//   - when the wiki refused it ([OAuth2TokenSource.Invalidate]: api.php's
//     mwoauth-invalid-authorization, which expired, revoked and unknown
//     tokens all give), by a refresh;
//   - when the refresh fails with the wiki's refusal (revoked, used,
//     expired, a public client on REL1_39), by asking the Prompter to
//     authorize again, once.
//
// One renewal runs at a time, and callers that wait for it get its token:
// many requests on one expired token make one refresh, and a failed
// refresh one prompt. Each new pair is stored (Store, OnToken) before it
// is handed out. It implements golang.org/x/oauth2's TokenSource. It is
// safe for concurrent use.
type OAuth2TokenSource struct {
	opts OAuth2SourceOptions
	// sem is the lock (a channel, so that waiting honours ctx): it guards
	// tok and serializes renewals.
	sem chan struct{}
	tok *oauth2.Token
}

// NewOAuth2TokenSource returns a token source; opts.Token must be set.
func NewOAuth2TokenSource(opts OAuth2SourceOptions) (*OAuth2TokenSource, error) {
	if opts.Token == nil || opts.Token.AccessToken == "" {
		return nil, errors.New("oauth: OAuth2SourceOptions.Token has no access token")
	}
	if opts.EarlyExpiry <= 0 {
		opts.EarlyExpiry = DefaultEarlyExpiry
	}
	t := *opts.Token
	return &OAuth2TokenSource{opts: opts, sem: make(chan struct{}, 1), tok: &t}, nil
}

// String describes the source without its tokens.
func (s *OAuth2TokenSource) String() string {
	return "oauth.OAuth2TokenSource{" + s.opts.Config.String() + "}"
}

// Format prints String for every verb.
func (s *OAuth2TokenSource) Format(f fmt.State, verb rune) { writeRedacted(f, verb, s.String()) }

func (s *OAuth2TokenSource) now() time.Time {
	if s.opts.Clock != nil {
		return s.opts.Clock()
	}
	return time.Now()
}

func (s *OAuth2TokenSource) log() *slog.Logger {
	if s.opts.Logger != nil {
		return s.opts.Logger
	}
	return slog.New(discard{})
}

func (s *OAuth2TokenSource) lock(ctx context.Context) error {
	select {
	case s.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *OAuth2TokenSource) unlock() { <-s.sem }

// fresh reports whether t can be used now.
func (s *OAuth2TokenSource) fresh(t *oauth2.Token) bool {
	return t.AccessToken != "" && (t.Expiry.IsZero() || s.now().Add(s.opts.EarlyExpiry).Before(t.Expiry))
}

// Token returns a usable access token (x/oauth2's TokenSource): see
// TokenContext.
func (s *OAuth2TokenSource) Token() (*oauth2.Token, error) {
	return s.TokenContext(context.Background())
}

// TokenContext returns the current token, refreshing it first when it
// expires within EarlyExpiry. The result is a copy.
func (s *OAuth2TokenSource) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.unlock()
	if s.fresh(s.tok) {
		t := *s.tok
		return &t, nil
	}
	return s.renew(ctx, "the access token expires")
}

// Current returns the token in use, without renewing it.
func (s *OAuth2TokenSource) Current() *oauth2.Token {
	s.sem <- struct{}{}
	defer s.unlock()
	t := *s.tok
	return &t
}

// Invalidate tells the source that the wiki refused the access token old
// (api.php's mwoauth-invalid-authorization), and returns a new token: the
// one another caller got meanwhile, or a refresh (or a new authorization)
// made now. When the token cannot be renewed (no refresh token and no
// Prompter, as for owner-only tokens) the error wraps [ErrOAuth2Expired].
func (s *OAuth2TokenSource) Invalidate(ctx context.Context, old *oauth2.Token) (*oauth2.Token, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.unlock()
	if old != nil && s.tok.AccessToken != old.AccessToken {
		t := *s.tok // renewed meanwhile
		return &t, nil
	}
	return s.renew(ctx, "the wiki refused the access token")
}

// CanRenew reports whether the source has any way to a new token (a
// refresh token or a Prompter).
func (s *OAuth2TokenSource) CanRenew() bool {
	return s.opts.Prompter != nil || s.Current().RefreshToken != ""
}

// renew refreshes the token, or authorizes again when the refresh is
// refused. The lock is held.
func (s *OAuth2TokenSource) renew(ctx context.Context, why string) (*oauth2.Token, error) {
	cfg := s.opts.Config
	var refreshErr error
	if rt := s.tok.RefreshToken; rt != "" {
		s.log().InfoContext(ctx, "oauth: refreshing the OAuth 2.0 access token", "reason", why, "client", cfg.ClientID)
		t, err := cfg.Refresh(ctx, rt)
		if err == nil {
			return s.use(ctx, t)
		}
		var oe *OAuth2Error
		if !errors.As(err, &oe) {
			return nil, err // the wiki cannot be reached, ...: try again later
		}
		refreshErr = err
		if !cfg.Confidential() && oe.Code == "invalid_client" {
			refreshErr = fmt.Errorf("%w; this wiki does not refresh tokens of public clients (MediaWiki 1.39 checks a client secret on every refresh), so the client must be authorized again", err)
		}
	}
	if s.opts.Prompter == nil {
		if refreshErr != nil {
			return nil, fmt.Errorf("%w: %w", ErrOAuth2Expired, refreshErr)
		}
		return nil, fmt.Errorf("%w: %s and there is no refresh token", ErrOAuth2Expired, why)
	}
	reason := why
	if refreshErr != nil {
		reason = refreshErr.Error()
	}
	s.log().InfoContext(ctx, "oauth: the OAuth 2.0 token cannot be refreshed; authorizing again", "reason", reason, "client", cfg.ClientID)
	t, err := AuthorizeOAuth2(ctx, cfg, s.opts.Prompter)
	if err != nil {
		if refreshErr != nil {
			return nil, fmt.Errorf("%w; authorizing again failed: %w", refreshErr, err)
		}
		return nil, err
	}
	return s.use(ctx, t)
}

// use makes t the current token and stores it.
func (s *OAuth2TokenSource) use(ctx context.Context, t *oauth2.Token) (*oauth2.Token, error) {
	nt := *t
	s.tok = &nt
	if s.opts.Store != nil && s.opts.StorePattern != "" {
		if err := s.opts.Store.Save(s.opts.StorePattern, s.opts.Entry.WithOAuth2Token(&nt)); err != nil {
			s.log().WarnContext(ctx, "oauth: the new OAuth 2.0 token works but could not be stored", "err", err)
		}
	}
	if s.opts.OnToken != nil {
		if err := s.opts.OnToken(ctx, &nt); err != nil {
			s.log().WarnContext(ctx, "oauth: storing the new OAuth 2.0 token", "err", err)
		}
	}
	out := nt
	return &out, nil
}

// Ensure OAuth2TokenSource is an x/oauth2 TokenSource.
var _ oauth2.TokenSource = (*OAuth2TokenSource)(nil)
