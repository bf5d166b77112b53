package oauth

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/dghubble/oauth1"
)

// This file computes the signature base string exactly as MediaWiki's
// Extension:OAuth does (MWOAuthRequest::fromRequest, Lib/OAuthRequest.php,
// Lib/OAuthUtil.php), which differs from RFC 5849 and from
// dghubble/oauth1's own collectParameters/signatureBase:
//
//   - The base URL is $wgServer (the wiki's canonical server) followed by the
//     request path as sent (REQUEST_URI without the query), normalized to
//     scheme://lowercasehost[:port]/path, the port dropped only when it is
//     the scheme's default (443 for https, 80 for http).
//   - Parameters come from, later sources overriding earlier ones key by key:
//     1. the raw query string, parsed by OAuthUtil::parse_parameters
//     (split on "&", then on the first "=", PHP urldecode: "+" is a space,
//     invalid "%" sequences stay as they are, an empty pair "a&&b" is the
//     key "" with the value "", a repeated key collects all its values);
//     2. PHP's $_GET, in which a repeated key has only its last value, so
//     a repeated query key is signed once, with its last value;
//     3. the raw body, parsed by parse_parameters (repeated keys keep all
//     their values), only for a POST whose Content-Type starts with
//     "application/x-www-form-urlencoded" (case-sensitive prefix test);
//     4. the oauth_* parameters of the Authorization header.
//   - oauth_signature is dropped; keys and values are encoded with
//     rawurlencode ("~" unescaped, i.e. RFC 3986, as oauth1.PercentEncode),
//     sorted by key and then by value, and joined.
//
// Query keys that PHP renames in $_GET ("a.b" and "a b" become "a_b",
// "a[]" becomes the array "a") end up signed under two names on the server,
// and numeric keys ("5") are renumbered by PHP's array_merge; requests with
// such keys cannot be signed and are refused with an error.

// pair is one decoded (or, after encoding, encoded) parameter.
type pair struct{ k, v string }

// BaseString returns the signature base string MediaWiki computes for a
// request, for tests and debugging. It is a pure function of its arguments:
//
//   - method is the HTTP method as sent ("" means GET);
//   - rawURL is the request URL with its query string exactly as sent;
//   - server is the wiki's canonical server ($wgServer, e.g.
//     "https://en.wikipedia.org" or protocol-relative "//en.wikipedia.org");
//     empty means rawURL's scheme and host;
//   - contentType and body are the request's Content-Type and raw body; the
//     body counts only for a POST whose contentType starts with
//     "application/x-www-form-urlencoded";
//   - oauthParams are the oauth_* parameters of the Authorization header
//     (oauth_signature, if present, is ignored).
//
// For example:
//
//	base, err := oauth.BaseString("GET",
//		"https://en.wikipedia.org/w/api.php?action=query&meta=userinfo",
//		"https://en.wikipedia.org", "", nil, map[string]string{
//			"oauth_consumer_key": "key", "oauth_token": "token",
//			"oauth_nonce": "n", "oauth_timestamp": "1700000000",
//			"oauth_signature_method": "HMAC-SHA1", "oauth_version": "1.0",
//		})
func BaseString(method, rawURL, server, contentType string, body []byte, oauthParams map[string]string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("oauth: parsing request URL: %w", err)
	}
	baseURL, err := baseStringURI(u, server)
	if err != nil {
		return "", err
	}
	op := make([]pair, 0, len(oauthParams))
	for k, v := range oauthParams {
		op = append(op, pair{k, v})
	}
	var form string
	signBody := signsBody(method, contentType)
	if signBody {
		form = string(body)
	}
	return baseString(method, baseURL, u.RawQuery, form, signBody, op)
}

// signsBody reports whether MediaWiki includes the body of a request with
// this method and Content-Type in the signature: WebRequest::wasPosted()
// (REQUEST_METHOD === 'POST') and strpos($contentType,
// 'application/x-www-form-urlencoded') === 0.
func signsBody(method, contentType string) bool {
	return method == "POST" && strings.HasPrefix(contentType, "application/x-www-form-urlencoded")
}

// baseStringURI returns the normalized base URL: the scheme and host of
// server (or of u when server is empty; a protocol-relative server takes
// u's scheme) and the path of u as it is sent on the wire.
func baseStringURI(u *url.URL, server string) (string, error) {
	scheme, host, port := u.Scheme, u.Hostname(), u.Port()
	if server != "" {
		s, err := url.Parse(server)
		if err != nil {
			return "", fmt.Errorf("oauth: parsing Server %q: %w", server, err)
		}
		if s.Host == "" || (s.Path != "" && s.Path != "/") || s.RawQuery != "" || s.Fragment != "" || s.User != nil {
			return "", fmt.Errorf("oauth: Server %q is not a canonical server like \"https://en.wikipedia.org\" (scheme and host only)", server)
		}
		if s.Scheme != "" {
			scheme = s.Scheme
		}
		host, port = s.Hostname(), s.Port()
	}
	if scheme == "" || host == "" {
		return "", errors.New("oauth: request URL has no scheme or host and no Server is set")
	}
	scheme = asciiLower(scheme)
	host = asciiLower(host)
	if strings.IndexByte(host, ':') >= 0 { // IPv6 literal
		host = "[" + host + "]"
	}
	if port != "" && !(scheme == "https" && port == "443") && !(scheme == "http" && port == "80") {
		host += ":" + port
	}
	// The path exactly as net/http puts it on the request line.
	path := u.RequestURI()
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	return scheme + "://" + host + path, nil
}

// baseString computes METHOD&url&params per MediaWiki. oauth holds the
// header parameters (without oauth_signature, or it is dropped).
func baseString(method, baseURL, rawQuery, body string, signBody bool, oauth []pair) (string, error) {
	if method == "" {
		method = "GET"
	}
	query := parseParameters(rawQuery)
	var form []pair
	if signBody {
		form = parseParameters(body)
	}
	for _, p := range query {
		if err := checkQueryKey(p.k); err != nil {
			return "", err
		}
	}
	for _, p := range form {
		if isPHPIntKey(p.k) {
			return "", fmt.Errorf("oauth: body parameter name %q is numeric; PHP renumbers it and MediaWiki would sign another name", p.k)
		}
	}

	inOAuth := func(k string) bool {
		for _, p := range oauth {
			if p.k == k {
				return true
			}
		}
		return false
	}
	var formKeys map[string]struct{}
	if len(form) > 8 {
		formKeys = make(map[string]struct{}, len(form))
		for _, p := range form {
			formKeys[p.k] = struct{}{}
		}
	}
	inForm := func(k string) bool {
		if formKeys != nil {
			_, ok := formKeys[k]
			return ok
		}
		for _, p := range form {
			if p.k == k {
				return true
			}
		}
		return false
	}
	// Last index of every repeated query key ($_GET keeps the last value).
	var last map[string]int
	if len(query) > 8 {
		last = make(map[string]int, len(query))
		for i, p := range query {
			last[p.k] = i
		}
	}
	isLast := func(i int) bool {
		k := query[i].k
		if last != nil {
			return last[k] == i
		}
		for _, p := range query[i+1:] {
			if p.k == k {
				return false
			}
		}
		return true
	}

	enc := make([]pair, 0, len(query)+len(form)+len(oauth))
	for i, p := range query {
		if p.k == "oauth_signature" || inOAuth(p.k) || inForm(p.k) {
			continue
		}
		// PHP does not register an empty name in $_GET, so every raw
		// "&&" pair stays; other repeated keys are signed once.
		if p.k != "" && !isLast(i) {
			continue
		}
		enc = append(enc, pair{percentEncode(p.k), percentEncode(p.v)})
	}
	for _, p := range form {
		if p.k == "oauth_signature" || inOAuth(p.k) {
			continue
		}
		enc = append(enc, pair{percentEncode(p.k), percentEncode(p.v)})
	}
	for _, p := range oauth {
		if p.k == "oauth_signature" {
			continue
		}
		enc = append(enc, pair{percentEncode(p.k), percentEncode(p.v)})
	}
	slices.SortFunc(enc, func(a, b pair) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})

	n := len(enc)
	for _, p := range enc {
		n += len(p.k) + len(p.v) + 1
	}
	var ps strings.Builder
	ps.Grow(n)
	for i, p := range enc {
		if i > 0 {
			ps.WriteByte('&')
		}
		ps.WriteString(p.k)
		ps.WriteByte('=')
		ps.WriteString(p.v)
	}
	m, bu, pe := percentEncode(asciiUpper(method)), percentEncode(baseURL), percentEncode(ps.String())
	var b strings.Builder
	b.Grow(len(m) + len(bu) + len(pe) + 2)
	b.WriteString(m)
	b.WriteByte('&')
	b.WriteString(bu)
	b.WriteByte('&')
	b.WriteString(pe)
	return b.String(), nil
}

// checkQueryKey refuses query keys that PHP registers in $_GET under
// another name, or renumbers: MediaWiki would sign both the raw name and
// the PHP one (or a renumbered one), which no client can reproduce sanely.
func checkQueryKey(k string) error {
	if strings.ContainsAny(k, " .[\x00") {
		return fmt.Errorf("oauth: query parameter name %q cannot be signed for MediaWiki: PHP renames it in $_GET (use \"|\" or U+001F for multi-values, never name[])", k)
	}
	if isPHPIntKey(k) {
		return fmt.Errorf("oauth: query parameter name %q is numeric; PHP renumbers it and MediaWiki would sign another name", k)
	}
	return nil
}

// isPHPIntKey reports whether PHP turns the array key k into an integer
// key (a canonical decimal integer in range), which array_merge renumbers.
func isPHPIntKey(k string) bool {
	if k == "" || len(k) > 20 {
		return false
	}
	d := k
	if d[0] == '-' {
		d = d[1:]
	}
	if d == "" || (d[0] == '0' && (len(d) > 1 || len(k) != len(d))) {
		return false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	_, err := strconv.ParseInt(k, 10, 64)
	return err == nil
}

// parseParameters is OAuthUtil::parse_parameters without the grouping:
// the decoded pairs in order. An empty input has no pairs (PHP's !$input,
// which is also true for "0").
func parseParameters(s string) []pair {
	if s == "" || s == "0" {
		return nil
	}
	out := make([]pair, 0, strings.Count(s, "&")+1)
	for {
		seg, rest, more := strings.Cut(s, "&")
		k, v, _ := strings.Cut(seg, "=")
		out = append(out, pair{phpURLDecode(k), phpURLDecode(v)})
		if !more {
			return out
		}
		s = rest
	}
}

// phpURLDecode is PHP's urldecode(): "+" is a space, "%" and two hex
// digits is that byte, any other "%" stays as it is.
func phpURLDecode(s string) string {
	i := strings.IndexAny(s, "%+")
	if i < 0 {
		return s
	}
	b := make([]byte, i, len(s))
	copy(b, s[:i])
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

// percentEncode is oauth1.PercentEncode (RFC 3986, as PHP's rawurlencode
// with "~" kept), skipping the call when nothing needs escaping.
func percentEncode(s string) string {
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			return oauth1.PercentEncode(s)
		}
	}
	return s
}

// unreserved reports whether c is an RFC 3986 unreserved character, the
// bytes oauth1.PercentEncode leaves as they are.
func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func asciiUpper(s string) string {
	for i := 0; i < len(s); i++ {
		if 'a' <= s[i] && s[i] <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'a' <= b[j] && b[j] <= 'z' {
					b[j] -= 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
