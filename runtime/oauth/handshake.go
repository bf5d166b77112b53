package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/mwgen/mwgen/internal/version"
)

// Config describes one wiki's Special:OAuth pages and the consumer that
// talks to them, for the three-legged handshake ([Initiate],
// [AuthorizeURL], [Complete]) and [Identify].
//
//	cfg := oauth.Config{
//		Index:    "https://meta.wikimedia.org/w/index.php",
//		Server:   "https://meta.wikimedia.org",
//		Consumer: oauth.Credentials{ConsumerKey: key, ConsumerSecret: secret},
//	}
//	rt, err := oauth.Initiate(ctx, cfg)
//	fmt.Println("Open", oauth.AuthorizeURL(cfg, rt))
//	// ... the user approves and is sent to the callback URL ...
//	creds, err := oauth.Complete(ctx, cfg, rt, callbackURLOrVerifier)
//	id, err := oauth.Identify(ctx, cfg, creds)
type Config struct {
	// Index is the wiki's index.php URL, e.g.
	// "https://meta.wikimedia.org/w/index.php" (siteinfo's server + script;
	// see [Discover]). The Special:OAuth pages are reached through it in
	// the non-pretty form index.php?title=Special:OAuth/...: a pretty
	// /wiki/Special:OAuth URL redirects, and a redirect breaks the
	// signature.
	Index string
	// Server is the wiki's canonical server ($wgServer, siteinfo's
	// "server"), e.g. "https://meta.wikimedia.org": the base of the
	// signature base strings and the iss that identify's JWT must carry.
	// Empty means Index's scheme and host; a protocol-relative server
	// ("//meta.wikimedia.org") takes Index's scheme.
	Server string
	// Consumer is the consumer's key with its secret (HMAC-SHA1) or private
	// key (RSA-SHA1); its Token and TokenSecret are ignored.
	Consumer Credentials
	// Callback is sent as oauth_callback: "oob" (the default when empty),
	// or, for a consumer registered with "callback is a prefix", a URL
	// that the registered callback is a prefix of.
	Callback string
	// HTTPClient sends the handshake's requests; nil means a new client.
	// Its redirects are not followed (a redirect breaks OAuth signatures).
	HTTPClient *http.Client
	// UserAgent identifies the tool, as Wikimedia's User-Agent policy
	// asks; mwgen's product token is appended. Empty: mwgen's alone.
	UserAgent string
}

// RequestToken is the temporary credential of a handshake, from
// [Initiate]. Its String and fmt verbs never show Secret.
type RequestToken struct {
	Token, Secret string
}

// String returns "oauth.RequestToken{token=TOKEN, secret redacted}".
func (rt RequestToken) String() string {
	return "oauth.RequestToken{token=" + rt.Token + ", secret redacted}"
}

// GoString is String.
func (rt RequestToken) GoString() string { return rt.String() }

// Format prints String for every verb.
func (rt RequestToken) Format(f fmt.State, verb rune) { _, _ = io.WriteString(f, rt.String()) }

// OwnerOnly returns the credentials of an owner-only consumer: MediaWiki
// shows its four values (consumer key and secret, access token and secret)
// once, when the owner registers it on Special:OAuthConsumerRegistration.
// Such a consumer has no handshake (Special:OAuth/initiate refuses it with
// E010); it signs API calls for its owner directly:
//
//	creds := oauth.OwnerOnly(consumerKey, consumerSecret, accessToken, accessSecret)
//	hc := oauth.NewHTTPClient(&oauth.Signer{Credentials: creds, Server: "https://test.wikipedia.org"}, nil)
func OwnerOnly(consumerKey, consumerSecret, accessToken, accessSecret string) Credentials {
	return Credentials{ConsumerKey: consumerKey, ConsumerSecret: consumerSecret, Token: accessToken, TokenSecret: accessSecret}
}

// Initiate gets a request token from Special:OAuth/initiate, signed with
// the consumer alone and with oauth_callback set to cfg.Callback ("oob"
// unless set). MediaWiki's "Error: ..." answers become a *[ProviderError];
// an answer without oauth_callback_confirmed=true is
// [ErrCallbackNotConfirmed].
func Initiate(ctx context.Context, cfg Config) (RequestToken, error) {
	callback := cfg.Callback
	if callback == "" {
		callback = "oob"
	}
	consumer := cfg.consumer()
	body, _, err := cfg.call(ctx, "initiate", consumer, map[string]string{"oauth_callback": callback})
	if err != nil {
		return RequestToken{}, err
	}
	v, err := parseTokenBody("initiate", body)
	if err != nil {
		return RequestToken{}, err
	}
	if v.Get("oauth_callback_confirmed") != "true" {
		return RequestToken{}, ErrCallbackNotConfirmed
	}
	return RequestToken{Token: v.Get("oauth_token"), Secret: v.Get("oauth_token_secret")}, nil
}

// AuthorizeURL returns the page where the user approves the request token:
// index.php?title=Special:OAuth/authorize&oauth_token=...&oauth_consumer_key=...
// (non-pretty, as MediaWiki documents). It holds no secret.
func AuthorizeURL(cfg Config, rt RequestToken) string {
	return cfg.Index + "?title=Special:OAuth/authorize&oauth_token=" + url.QueryEscape(rt.Token) +
		"&oauth_consumer_key=" + url.QueryEscape(cfg.Consumer.ConsumerKey)
}

// Complete exchanges the approved request token for an access token at
// Special:OAuth/token. callback is what the user got after approving, in
// any of three forms:
//
//   - the full URL the wiki redirected to, e.g.
//     https://wiki.example/w/index.php?title=Special:OAuth/verified&oauth_verifier=V&oauth_token=T;
//   - its query string, e.g. "oauth_verifier=V&oauth_token=T" (with or
//     without a leading "?");
//   - the bare verifier "V" that the Special:OAuth/verified page shows.
//
// A URL or query string must carry the request token as oauth_token
// ([ErrTokenMismatch] otherwise, [ErrNoVerifier] without a verifier). The
// credentials returned are the consumer's with the access token.
func Complete(ctx context.Context, cfg Config, rt RequestToken, callback string) (Credentials, error) {
	token, verifier, err := ParseCallback(callback)
	if err != nil {
		return Credentials{}, err
	}
	if token != "" && token != rt.Token {
		return Credentials{}, ErrTokenMismatch
	}
	creds := cfg.consumer()
	creds.Token, creds.TokenSecret = rt.Token, rt.Secret
	body, _, err := cfg.call(ctx, "token", creds, map[string]string{"oauth_verifier": verifier})
	if err != nil {
		return Credentials{}, err
	}
	v, err := parseTokenBody("token", body)
	if err != nil {
		return Credentials{}, err
	}
	creds.Token, creds.TokenSecret = v.Get("oauth_token"), v.Get("oauth_token_secret")
	return creds, nil
}

var bareVerifierRE = regexp.MustCompile(`^[A-Za-z0-9._~-]+$`)

// ParseCallback extracts oauth_token and oauth_verifier from what [Complete]
// accepts: a callback URL, its query string, or a bare verifier (then token
// is empty). For a URL or query string both must be present.
func ParseCallback(callback string) (token, verifier string, err error) {
	s := strings.TrimSpace(callback)
	if s == "" {
		return "", "", ErrNoVerifier
	}
	var q url.Values
	switch {
	case strings.Contains(s, "://"):
		u, err := url.Parse(s)
		if err != nil {
			return "", "", errors.New("oauth: the callback is not a valid URL")
		}
		q = u.Query()
	case strings.ContainsAny(s, "=&?"):
		if i := strings.IndexByte(s, '?'); i >= 0 {
			s = s[i+1:]
		}
		q, err = url.ParseQuery(s)
		if err != nil {
			return "", "", errors.New("oauth: the callback is not a valid query string")
		}
	default:
		if !bareVerifierRE.MatchString(s) {
			return "", "", errors.New("oauth: the callback is neither a URL, a query string nor a verifier")
		}
		return "", s, nil
	}
	token, verifier = q.Get("oauth_token"), q.Get("oauth_verifier")
	if verifier == "" {
		return "", "", ErrNoVerifier
	}
	if token == "" {
		return "", "", fmt.Errorf("%w (the callback has no oauth_token)", ErrTokenMismatch)
	}
	return token, verifier, nil
}

// consumer returns the consumer part of cfg.Consumer.
func (cfg Config) consumer() Credentials {
	return Credentials{ConsumerKey: cfg.Consumer.ConsumerKey, ConsumerSecret: cfg.Consumer.ConsumerSecret, PrivateKey: cfg.Consumer.PrivateKey}
}

// server returns the canonical server: Server, or Index's origin.
func (cfg Config) server() string {
	index, err := url.Parse(cfg.Index)
	if cfg.Server != "" {
		s := strings.TrimRight(cfg.Server, "/")
		if strings.HasPrefix(s, "//") && err == nil && index.Scheme != "" {
			s = index.Scheme + ":" + s // protocol-relative $wgServer
		}
		return s
	}
	if err == nil {
		return index.Scheme + "://" + index.Host
	}
	return ""
}

// userAgent returns the User-Agent of the handshake's requests.
func (cfg Config) userAgent() string {
	if cfg.UserAgent == "" {
		return version.UserAgent
	}
	return cfg.UserAgent + " " + version.UserAgent
}

// endpoint returns index.php?title=Special:OAuth/sub after checking Index.
func (cfg Config) endpoint(sub string) (string, error) {
	u, err := url.Parse(cfg.Index)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("oauth: Config.Index %q is not an absolute http(s) URL of index.php", cfg.Index)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("oauth: Config.Index %q must not have a query or fragment", cfg.Index)
	}
	return cfg.Index + "?title=Special:OAuth/" + sub, nil
}

// maxAnswer bounds what is read of a Special:OAuth answer.
const maxAnswer = 1 << 20

// call POSTs an empty body to Special:OAuth/sub signed with creds and
// extra, and returns the answer's body and the nonce signed with.
// MediaWiki's errors (HTTP 200 "Error: ..." or JSON) become *ProviderError.
func (cfg Config) call(ctx context.Context, sub string, creds Credentials, extra map[string]string) (body []byte, nonce string, err error) {
	endpoint, err := cfg.endpoint(sub)
	if err != nil {
		return nil, "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, http.NoBody)
	if err != nil {
		return nil, "", fmt.Errorf("oauth: Special:OAuth/%s: %w", sub, err)
	}
	req.Header.Set("User-Agent", cfg.userAgent())
	s := &Signer{Credentials: creds, Server: cfg.server()}
	if nonce, err = s.SignWith(req, extra); err != nil {
		return nil, "", err
	}
	hc := noRedirects(cfg.HTTPClient)
	resp, err := hc.Do(req)
	if err != nil {
		// *url.Error names the URL, which holds only the title.
		return nil, "", fmt.Errorf("oauth: Special:OAuth/%s: %w", sub, err)
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, "", fmt.Errorf("oauth: Special:OAuth/%s: reading the answer: %w", sub, err)
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return nil, "", fmt.Errorf("oauth: Special:OAuth/%s redirected (HTTP %d) to %q: a redirect breaks the OAuth signature; "+
			"set Index to the wiki's canonical index.php URL (https, canonical host, non-pretty)", sub, resp.StatusCode, resp.Header.Get("Location"))
	}
	if pe := parseProviderError(sub, body); pe != nil {
		return nil, "", pe
	}
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("oauth: Special:OAuth/%s: HTTP %s: %s", sub, resp.Status, excerpt(body))
	}
	return body, nonce, nil
}

// parseTokenBody parses an oauth_token=...&oauth_token_secret=... answer
// (raw format), or its JSON form.
func parseTokenBody(sub string, body []byte) (url.Values, error) {
	s := strings.TrimSpace(string(body))
	var v url.Values
	if strings.HasPrefix(s, "{") {
		var j map[string]any
		if err := json.Unmarshal([]byte(s), &j); err == nil {
			v = url.Values{}
			for k, x := range j {
				if str, ok := x.(string); ok {
					v.Set(k, str)
				}
			}
		}
	} else if parsed, err := url.ParseQuery(s); err == nil {
		v = parsed
	}
	if v.Get("oauth_token") == "" || v.Get("oauth_token_secret") == "" {
		quoted := excerpt(body)
		if strings.Contains(s, "secret") {
			quoted = "(answer withheld: it may hold a secret)"
		}
		return nil, fmt.Errorf("oauth: Special:OAuth/%s answered no oauth_token and oauth_token_secret: %s", sub, quoted)
	}
	return v, nil
}

// noRedirects returns a copy of hc (or a new client) that does not follow
// redirects.
func noRedirects(hc *http.Client) *http.Client {
	var c http.Client
	if hc != nil {
		c = *hc
	} else {
		c.Timeout = 2 * time.Minute
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// excerpt returns the start of an answer for an error message, with tags
// removed.
func excerpt(body []byte) string {
	s := cleanText(string(body))
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	if s == "" {
		return "(empty body)"
	}
	return s
}
