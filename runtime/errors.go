package runtime

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Sentinel errors for the API error codes callers usually react to. An
// [*APIError] matches one with errors.Is when any of its entries has one of
// the codes listed:
//
//	if errors.Is(err, mw.ErrMaxLag) { /* wait and retry */ }
var (
	// ErrBadToken: the token was invalid or expired (badtoken). The client
	// refetches and retries once by itself before returning it.
	ErrBadToken = errors.New("mediawiki: bad token")
	// ErrMaxLag: the wiki's replicas lag more than the maxlag parameter
	// allows (maxlag); retry later.
	ErrMaxLag = errors.New("mediawiki: database replication lag too high")
	// ErrRateLimited: the user exceeded a rate limit (ratelimited).
	ErrRateLimited = errors.New("mediawiki: rate limited")
	// ErrReadOnly: the wiki is in read-only mode (readonly).
	ErrReadOnly = errors.New("mediawiki: wiki is read-only")
	// ErrAssertFailed: an assert parameter failed, usually because the
	// session was lost (assertuserfailed, assertbotfailed,
	// assertnameduserfailed).
	ErrAssertFailed = errors.New("mediawiki: assertion failed")
	// ErrPermissionDenied: the user may not do this (permissiondenied,
	// protectedpage, cascadeprotected, blocked, ... see permissionCodes).
	ErrPermissionDenied = errors.New("mediawiki: permission denied")
	// ErrOAuthInvalid: the OAuth authorization was rejected
	// (mwoauth-invalid-authorization and its variants).
	ErrOAuthInvalid = errors.New("mediawiki: invalid OAuth authorization")
	// ErrReadAPIDenied: the user may not read through the API
	// (readapidenied), typically a private wiki without login.
	ErrReadAPIDenied = errors.New("mediawiki: read access denied")
)

// permissionCodes are the error codes that mean "not allowed to do that".
var permissionCodes = map[string]bool{
	"permissiondenied":             true,
	"protectedpage":                true,
	"protectedtitle":               true,
	"protectednamespace":           true,
	"protectednamespace-interface": true,
	"cascadeprotected":             true,
	"customcssprotected":           true,
	"customjsprotected":            true,
	"customjsonprotected":          true,
	"sitecssprotected":             true,
	"sitejsprotected":              true,
	"sitejsonprotected":            true,
	"mycustomcssprotected":         true,
	"mycustomjsprotected":          true,
	"mycustomjsonprotected":        true,
	"cantcreate":                   true,
	"cantcreate-anon":              true,
	"noedit":                       true,
	"noedit-anon":                  true,
	"writeapidenied":               true,
	"blocked":                      true,
	"autoblocked":                  true,
	"globalblocking-blockedtext":   true,
}

// sentinelFor maps an error code to its sentinel, or nil.
func sentinelFor(code string) error {
	switch code {
	case "badtoken":
		return ErrBadToken
	case "maxlag":
		return ErrMaxLag
	case "ratelimited":
		return ErrRateLimited
	case "readonly":
		return ErrReadOnly
	case "assertuserfailed", "assertbotfailed", "assertnameduserfailed":
		return ErrAssertFailed
	case "readapidenied":
		return ErrReadAPIDenied
	}
	if permissionCodes[code] {
		return ErrPermissionDenied
	}
	if strings.HasPrefix(code, "mwoauth-invalid-authorization") {
		return ErrOAuthInvalid
	}
	return nil
}

// ErrorEntry is one entry of an error answer's "errors" list.
type ErrorEntry struct {
	// Code is the machine-readable code, e.g. "badtoken".
	Code string `json:"code"`
	// Text is the human-readable message (errorformat=plaintext).
	Text string `json:"text"`
	// Module is the module path that raised it, e.g. "edit" or
	// "query+allpages".
	Module string `json:"module"`
	// Data is extra structured data some errors carry (e.g. maxlag's lag),
	// or nil.
	Data json.RawMessage `json:"data,omitempty"`
}

// APIError is an error answer of the API. Code, Text and Module are those
// of the first entry; All holds every entry (permission errors often come
// with several).
type APIError struct {
	Code, Text, Module string
	// HTTPStatus is the status of the answer: usually 200, MediaWiki sends
	// most errors with it.
	HTTPStatus int
	// ServedBy is the answering server's name, when the wiki reports it.
	ServedBy string
	// DocRef is the documentation hint of the answer, if any.
	DocRef string
	// All lists every error entry; All[0] is the one shown above.
	All []ErrorEntry
}

// Error returns e.g. `mediawiki: badtoken (edit): Invalid CSRF token.`,
// noting how many further entries there are.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("mediawiki: ")
	b.WriteString(e.Code)
	if e.Module != "" {
		fmt.Fprintf(&b, " (%s)", e.Module)
	}
	if e.Text != "" {
		b.WriteString(": ")
		b.WriteString(e.Text)
	}
	if n := len(e.All) - 1; n > 0 {
		fmt.Fprintf(&b, " (and %d more)", n)
	}
	return b.String()
}

// Is reports whether target is the sentinel for the code of any entry.
func (e *APIError) Is(target error) bool {
	if s := sentinelFor(e.Code); s != nil && s == target {
		return true
	}
	for _, en := range e.All {
		if s := sentinelFor(en.Code); s != nil && s == target {
			return true
		}
	}
	return false
}

// HasCode reports whether any entry has the given code.
func (e *APIError) HasCode(code string) bool {
	if e.Code == code {
		return true
	}
	for _, en := range e.All {
		if en.Code == code {
			return true
		}
	}
	return false
}

// ResponseError is an answer that is not a usable API response: not JSON
// (an HTML error page of a proxy, a PHP fatal error), truncated JSON, or a
// non-200 status without an API error.
type ResponseError struct {
	// Action is the request's action.
	Action string
	// StatusCode and Status are the HTTP status, e.g. 502 and "502 Bad Gateway".
	StatusCode int
	Status     string
	// ContentType is the answer's Content-Type header.
	ContentType string
	// Excerpt is the start of the body, whitespace collapsed.
	Excerpt string
	// Err is the decoding error, if decoding was the problem.
	Err error
}

// Error describes the answer, e.g. `mediawiki: action=query: HTTP 502 Bad
// Gateway: not an API response (text/html): <html><head>...`.
func (e *ResponseError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "mediawiki: action=%s: HTTP %s", e.Action, e.Status)
	switch {
	case e.Err != nil:
		fmt.Fprintf(&b, ": invalid API response (%s, %v)", orUnknown(e.ContentType), e.Err)
	default:
		fmt.Fprintf(&b, ": not an API response (%s)", orUnknown(e.ContentType))
	}
	if e.Excerpt != "" {
		b.WriteString(": ")
		b.WriteString(e.Excerpt)
	} else {
		b.WriteString(": empty body")
	}
	return b.String()
}

// Unwrap returns the decoding error, if any.
func (e *ResponseError) Unwrap() error { return e.Err }

func orUnknown(ct string) string {
	if ct == "" {
		return "no Content-Type"
	}
	return ct
}

// maxExcerpt bounds the body excerpt in a [ResponseError].
const maxExcerpt = 200

// excerpt returns the start of body as valid UTF-8 with whitespace runs
// collapsed to one space, cut to about maxExcerpt bytes.
func excerpt(body []byte) string {
	if len(body) > 4*maxExcerpt {
		body = body[:4*maxExcerpt]
	}
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(body), "\uFFFD")), " ")
	if len(s) <= maxExcerpt {
		return s
	}
	i := maxExcerpt
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "..."
}
