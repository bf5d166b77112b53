package oauth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// IdentifyLeeway is the clock difference allowed when checking the iat and
// exp of identify's JWT (whose lifetime is only 100 s), as python-mwoauth
// allows.
const IdentifyLeeway = 10 * time.Second

// Identity is the user behind an access token, as Special:OAuth/identify
// reports it in its JWT.
type Identity struct {
	// Username is the user's name on the wiki.
	Username string
	// Sub is the user's central id (a string since 2024; older wikis send
	// a number, converted here).
	Sub string
	// EditCount, ConfirmedEmail, Blocked and Registered (a MediaWiki
	// timestamp, e.g. "20240101000000") describe the user; a hidden user
	// carries only Blocked.
	EditCount      int64
	ConfirmedEmail bool
	Blocked        bool
	Registered     string
	// Groups are the user's effective groups, Rights the rights, Grants the
	// grants the user gave the consumer.
	Groups, Rights, Grants []string
	// RealName and Email are present only with the grant
	// mwoauth-authonlyprivate (or one including viewmyprivateinfo).
	RealName, Email string
	// Issuer (the wiki's canonical server), Audience (the consumer key),
	// IssuedAt, ExpiresAt and Nonce are the JWT's checked claims.
	Issuer, Audience    string
	IssuedAt, ExpiresAt time.Time
	Nonce               string
	// Claims holds every claim as decoded (numbers as json.Number).
	Claims map[string]any
}

// Identify asks Special:OAuth/identify who the access token in creds
// belongs to, and verifies the JWT it answers (with golang-jwt):
//
//   - the algorithm is HS256, the only one MediaWiki uses (so "none" and
//     RS256 tokens are refused), and the signature is made with the
//     consumer secret;
//   - aud is the consumer key, iss is the wiki's canonical server
//     (cfg.Server, compared as scheme://host[:port]);
//   - iat is not in the future and exp not in the past, with
//     [IdentifyLeeway];
//   - nonce is the oauth_nonce the identify request was signed with (so an
//     answer cannot be replayed).
//
// Failures wrap [ErrInvalidIdentity] and the reason; MediaWiki's error
// answers (HTTP 200 with {"error", "message"}) become a *[ProviderError].
func Identify(ctx context.Context, cfg Config, creds Credentials) (*Identity, error) {
	if creds.Token == "" {
		return nil, errors.New("oauth: Identify needs an access token")
	}
	if creds.ConsumerSecret == "" {
		return nil, errors.New("oauth: Identify needs the consumer secret: the JWT is signed with it")
	}
	body, nonce, err := cfg.call(ctx, "identify", creds, nil)
	if err != nil {
		return nil, err
	}
	return VerifyIdentity(body, creds.ConsumerKey, creds.ConsumerSecret, cfg.server(), nonce, nil)
}

// VerifyIdentity checks a JWT answered by Special:OAuth/identify, as
// [Identify] does, for callers that send the identify request themselves.
// now is the clock (nil: time.Now).
func VerifyIdentity(answer []byte, consumerKey, consumerSecret, server, nonce string, now func() time.Time) (*Identity, error) {
	raw := bytes.TrimSpace(answer)
	if len(raw) > 0 && raw[0] == '"' { // a JSON string
		var s string
		if json.Unmarshal(raw, &s) == nil {
			raw = []byte(s)
		}
	}
	opts := []jwt.ParserOption{
		jwt.WithValidMethods([]string{"HS256"}),
		jwt.WithAudience(consumerKey),
		jwt.WithLeeway(IdentifyLeeway),
		jwt.WithIssuedAt(),
		jwt.WithExpirationRequired(),
		jwt.WithJSONNumber(),
	}
	if now != nil {
		opts = append(opts, jwt.WithTimeFunc(now))
	}
	claims := jwt.MapClaims{}
	_, err := jwt.NewParser(opts...).ParseWithClaims(string(raw), claims, func(t *jwt.Token) (any, error) {
		return []byte(consumerSecret), nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidIdentity, err)
	}
	iss, _ := claims["iss"].(string)
	if !sameServer(iss, server) {
		return nil, fmt.Errorf("%w: %w: got %q, want %q", ErrInvalidIdentity, ErrIssuerMismatch, iss, server)
	}
	if n, _ := claims["nonce"].(string); n == "" || n != nonce {
		return nil, fmt.Errorf("%w: %w", ErrInvalidIdentity, ErrNonceMismatch)
	}
	return identityFrom(claims), nil
}

// sameServer compares two server URLs as scheme://host[:port], case- and
// trailing-slash-insensitively, default ports ignored.
func sameServer(a, b string) bool {
	na, oka := normServer(a)
	nb, okb := normServer(b)
	return oka && okb && na == nb
}

func normServer(s string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Host == "" {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host + strings.TrimRight(u.Path, "/"), true
}

// identityFrom converts checked claims.
func identityFrom(c jwt.MapClaims) *Identity {
	id := &Identity{Claims: c}
	id.Username, _ = c["username"].(string)
	id.Sub = claimString(c["sub"])
	id.EditCount, _ = claimInt(c["editcount"])
	id.ConfirmedEmail, _ = c["confirmed_email"].(bool)
	id.Blocked, _ = c["blocked"].(bool)
	id.Registered = claimString(c["registered"])
	id.Groups = claimList(c["groups"])
	id.Rights = claimList(c["rights"])
	id.Grants = claimList(c["grants"])
	id.RealName, _ = c["realname"].(string)
	id.Email, _ = c["email"].(string)
	id.Issuer, _ = c["iss"].(string)
	id.Nonce, _ = c["nonce"].(string)
	if aud, err := c.GetAudience(); err == nil && len(aud) > 0 {
		id.Audience = aud[0]
	}
	if t, err := c.GetIssuedAt(); err == nil && t != nil {
		id.IssuedAt = t.Time
	}
	if t, err := c.GetExpirationTime(); err == nil && t != nil {
		id.ExpiresAt = t.Time
	}
	return id
}

// claimString returns a string claim, or a number claim as a string.
func claimString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}

func claimInt(v any) (int64, bool) {
	switch x := v.(type) {
	case json.Number:
		n, err := x.Int64()
		return n, err == nil
	case float64:
		return int64(x), true
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		return n, err == nil
	}
	return 0, false
}

// claimList returns a list claim. PHP encodes an array with holes in its
// keys as an object ({"0": "basic", "2": "editpage"}); its values are
// taken in key order.
func claimList(v any) []string {
	switch x := v.(type) {
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s := claimString(e); s != "" {
				out = append(out, s)
			}
		}
		return out
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			a, ea := strconv.Atoi(keys[i])
			b, eb := strconv.Atoi(keys[j])
			if ea == nil && eb == nil {
				return a < b
			}
			return keys[i] < keys[j]
		})
		out := make([]string, 0, len(x))
		for _, k := range keys {
			if s := claimString(x[k]); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
