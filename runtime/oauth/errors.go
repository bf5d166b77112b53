package oauth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Errors of the handshake, identify and the credential store. Test with
// errors.Is.
var (
	// ErrCallbackNotConfirmed: Special:OAuth/initiate answered a request
	// token without oauth_callback_confirmed=true.
	ErrCallbackNotConfirmed = errors.New("oauth: the wiki did not confirm oauth_callback (oauth_callback_confirmed is not true)")
	// ErrTokenMismatch: the callback given to [Complete] carries an
	// oauth_token other than the request token of this handshake (it
	// belongs to another authorization, or was tampered with).
	ErrTokenMismatch = errors.New("oauth: the callback's oauth_token does not match the request token of this authorization")
	// ErrNoVerifier: the callback given to [Complete] holds no verifier.
	ErrNoVerifier = errors.New("oauth: no oauth_verifier in the callback")
	// ErrInvalidIdentity: identify's JWT failed a check; the error also
	// wraps the reason (jwt.ErrTokenSignatureInvalid,
	// jwt.ErrTokenInvalidAudience, jwt.ErrTokenExpired, [ErrIssuerMismatch],
	// [ErrNonceMismatch], ...).
	ErrInvalidIdentity = errors.New("oauth: identify's JWT is not valid")
	// ErrIssuerMismatch: the JWT's iss is not the wiki's canonical server.
	ErrIssuerMismatch = errors.New("oauth: the JWT's issuer (iss) is not the wiki's canonical server")
	// ErrNonceMismatch: the JWT's nonce is not the oauth_nonce the identify
	// request was signed with (a replayed answer).
	ErrNonceMismatch = errors.New("oauth: the JWT's nonce is not the one the identify request was signed with")
	// ErrNoCredentials: neither the environment nor the credential store
	// has credentials for the wiki.
	ErrNoCredentials = errors.New("oauth: no OAuth credentials")
	// ErrInsecureStore: the credential file can be read or written by
	// other users than its owner.
	ErrInsecureStore = errors.New("oauth: the credential file is accessible to other users")
)

// ProviderError is an error answered by one of the Special:OAuth pages
// (initiate, token, identify). MediaWiki answers them with HTTP 200: in the
// raw format as a body "Error: <message>" (HTML-escaped, often with a link
// to Help:OAuth/Errors#E0NN), in JSON as {"error": key, "message": text}.
type ProviderError struct {
	// Endpoint is the Special:OAuth subpage: "initiate", "token" or
	// "identify".
	Endpoint string
	// Code is the E0xx code (E001..E012, see
	// https://www.mediawiki.org/wiki/Help:OAuth/Errors) of a raw error, or
	// the message key of a JSON error (e.g.
	// "mwoauthdatastore-access-token-not-found"); empty when the wiki gave
	// none.
	Code string
	// Message is the wiki's text, HTML entities decoded and tags removed.
	Message string
}

func (e *ProviderError) Error() string {
	var b strings.Builder
	b.WriteString("oauth: Special:OAuth/")
	b.WriteString(e.Endpoint)
	b.WriteString(" refused")
	if e.Code != "" {
		b.WriteString(" (")
		b.WriteString(e.Code)
		b.WriteString(")")
	}
	b.WriteString(": ")
	b.WriteString(e.Message)
	return b.String()
}

var (
	eCodeRE = regexp.MustCompile(`\bE0[0-9][0-9]\b`)
	tagRE   = regexp.MustCompile(`<[^>]*>`)
	spaceRE = regexp.MustCompile(`\s+`)
)

// parseProviderError returns the error a Special:OAuth answer body holds,
// or nil when it is not an error.
func parseProviderError(endpoint string, body []byte) *ProviderError {
	b := bytes.TrimSpace(body)
	if rest, ok := bytes.CutPrefix(b, []byte("Error:")); ok {
		raw := string(rest)
		e := &ProviderError{Endpoint: endpoint, Message: cleanText(raw)}
		if m := eCodeRE.FindString(raw); m != "" {
			e.Code = m
		}
		return e
	}
	if len(b) > 0 && b[0] == '{' {
		var j struct {
			Error   json.RawMessage `json:"error"`
			Message string          `json:"message"`
		}
		if json.Unmarshal(b, &j) != nil || len(j.Error) == 0 {
			return nil
		}
		e := &ProviderError{Endpoint: endpoint, Message: cleanText(j.Message)}
		var key string
		var obj struct{ Code, Info string }
		switch {
		case json.Unmarshal(j.Error, &key) == nil:
			e.Code = key
		case json.Unmarshal(j.Error, &obj) == nil:
			e.Code = obj.Code
			if e.Message == "" {
				e.Message = cleanText(obj.Info)
			}
		}
		if e.Message == "" {
			e.Message = e.Code
		}
		return e
	}
	return nil
}

// cleanText decodes HTML entities, removes tags and collapses white space.
func cleanText(s string) string {
	s = tagRE.ReplaceAllString(html.UnescapeString(s), "")
	s = tagRE.ReplaceAllString(s, "") // escaped tags that the unescaping revealed
	return strings.TrimSpace(spaceRE.ReplaceAllString(s, " "))
}

// AuthFailure classifies api.php's mwoauth-invalid-authorization answers.
type AuthFailure int

const (
	// FailureOther is any other OAuth failure, e.g. "Invalid signature"
	// or "Invalid consumer". Re-authorizing does not help.
	FailureOther AuthFailure = iota
	// FailureInvalidToken: the access token is unknown or was revoked
	// ("Invalid access token: ...", mwoauthdatastore-access-token-not-found,
	// "No approved grant was found for that authorization token.").
	// Re-authorizing helps.
	FailureInvalidToken
	// FailureNonceUsed: "Nonce already used: ..."; a retry with a fresh
	// nonce helps.
	FailureNonceUsed
	// FailureExpiredTimestamp: "Expired timestamp, yours X, ours Y": the
	// clocks differ by more than 300 s.
	FailureExpiredTimestamp
)

// AuthorizationError is api.php's answer to a request whose OAuth
// authorization MediaWiki refused: an Action API error with HTTP 200,
// header MediaWiki-API-Error: mwoauth-invalid-authorization (or one of its
// -wrong-wiki, -invalid-user, -blocked-user, -not-approved variants).
type AuthorizationError struct {
	// Code is the API error code, e.g. "mwoauth-invalid-authorization".
	Code string
	// Text is the error text, e.g. "The authorization headers in your
	// request are not valid: Invalid signature".
	Text string
	// Failure classifies Text.
	Failure AuthFailure
}

func (e *AuthorizationError) Error() string {
	return "oauth: the wiki refused the request's authorization (" + e.Code + "): " + e.Text
}

// ClockSkewError is returned for api.php's "Expired timestamp, yours X,
// ours Y": this computer's clock and the wiki's differ by more than the
// 300 s MediaWiki allows.
type ClockSkewError struct {
	// Yours is the oauth_timestamp sent, Ours the wiki's clock, in Unix
	// seconds.
	Yours, Ours int64
	// Err is the wiki's answer.
	Err *AuthorizationError
}

// Skew is how far this computer's clock is ahead of the wiki's (negative:
// behind).
func (e *ClockSkewError) Skew() time.Duration { return time.Duration(e.Yours-e.Ours) * time.Second }

func (e *ClockSkewError) Error() string {
	d := e.Yours - e.Ours
	dir := "ahead of"
	if d < 0 {
		d, dir = -d, "behind"
	}
	return fmt.Sprintf("oauth: the wiki refused the request's timestamp: this computer's clock is %d seconds %s the wiki's "+
		"(yours %d, ours %d; MediaWiki allows 300); correct the system clock (e.g. enable NTP)", d, dir, e.Yours, e.Ours)
}

func (e *ClockSkewError) Unwrap() error { return e.Err }

// Retryable reports false: sending the request again cannot succeed until
// the clock is corrected. (The method lets retry logic that wraps a
// RoundTripper, such as an API client's, tell it from a network failure.)
func (e *ClockSkewError) Retryable() bool { return false }

// ReauthorizationError is returned by [RefreshingTransport] when the wiki
// refused the access token and authorizing again failed (the user gave no
// answer, the handshake failed, ...).
type ReauthorizationError struct {
	// Refused is the wiki's refusal of the old token.
	Refused *AuthorizationError
	// Err is why authorizing again failed.
	Err error
}

func (e *ReauthorizationError) Error() string {
	return "oauth: the wiki refused the access token (" + e.Refused.Text + "), and authorizing again failed: " + e.Err.Error()
}

func (e *ReauthorizationError) Unwrap() []error { return []error{e.Refused, e.Err} }

// Retryable reports false: the request needs a new authorization first.
func (e *ReauthorizationError) Retryable() bool { return false }

var expiredRE = regexp.MustCompile(`Expired timestamp, yours (-?[0-9]+), ours (-?[0-9]+)`)

// classify returns the kind of an OAuth failure text.
func classify(text string) AuthFailure {
	switch {
	case strings.Contains(text, "Invalid access token"),
		strings.Contains(text, "mwoauthdatastore-access-token-not-found"),
		strings.Contains(text, "No approved grant was found for that authori"): // -zation, -sation (en-gb)
		return FailureInvalidToken
	case strings.Contains(text, "Nonce already used"):
		return FailureNonceUsed
	case expiredRE.MatchString(text):
		return FailureExpiredTimestamp
	}
	return FailureOther
}

// clockSkew parses "Expired timestamp, yours X, ours Y" in e.Text.
func clockSkew(e *AuthorizationError) *ClockSkewError {
	m := expiredRE.FindStringSubmatch(e.Text)
	if m == nil {
		return nil
	}
	yours, err1 := strconv.ParseInt(m[1], 10, 64)
	ours, err2 := strconv.ParseInt(m[2], 10, 64)
	if err1 != nil || err2 != nil {
		return nil
	}
	return &ClockSkewError{Yours: yours, Ours: ours, Err: e}
}

// isAuthCode reports whether an API error code is one of Extension:OAuth's
// authorization failures.
func isAuthCode(code string) bool {
	return strings.HasPrefix(strings.TrimSpace(code), "mwoauth-invalid-authorization")
}

// ParseAuthorizationError returns the OAuth authorization failure an
// api.php answer holds, or nil when it holds none. It looks at the
// MediaWiki-API-Error header and the body in any errorformat (the errors
// array, or the older error object).
func ParseAuthorizationError(header http.Header, body []byte) *AuthorizationError {
	var code string
	for _, c := range strings.Split(header.Get("MediaWiki-API-Error"), ",") {
		if isAuthCode(c) {
			code = strings.TrimSpace(c)
			break
		}
	}
	if code == "" && !bytes.Contains(body, []byte(`"mwoauth-invalid-authorization`)) {
		return nil
	}
	var r struct {
		Errors []map[string]any `json:"errors"`
		Error  map[string]any   `json:"error"`
	}
	_ = json.Unmarshal(body, &r)
	entries := r.Errors
	if r.Error != nil {
		entries = append(entries, r.Error)
	}
	for _, e := range entries {
		c, _ := e["code"].(string)
		if !isAuthCode(c) || (code != "" && c != code) {
			continue
		}
		var text string
		for _, k := range []string{"text", "info", "*", "html"} {
			if s, ok := e[k].(string); ok && s != "" {
				text = cleanText(s)
				break
			}
		}
		if text == "" {
			if k, ok := e["key"].(string); ok { // errorformat=raw
				text = k
				if ps, ok := e["params"].([]any); ok {
					for _, p := range ps {
						text += " " + fmt.Sprint(p)
					}
				}
			}
		}
		return &AuthorizationError{Code: c, Text: text, Failure: classify(text)}
	}
	if code == "" {
		return nil
	}
	text := cleanText(string(body))
	if len(text) > 500 {
		text = text[:500] + "..."
	}
	return &AuthorizationError{Code: code, Text: text, Failure: classify(text)}
}
