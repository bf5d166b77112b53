package oauth

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/dghubble/oauth1"
)

// The base string as it was computed before the one-pass encoder (issue
// 14), straightforwardly: decode every parameter into a string, encode
// each with oauth1.PercentEncode, join, encode the whole again. The tests
// and FuzzBaseString hold baseString to it, byte for byte, errors
// included.

// refBaseString computes METHOD&url&params per MediaWiki. oauth holds the
// header parameters (without oauth_signature, or it is dropped).
func refBaseString(method, baseURL, rawQuery, body string, signBody bool, oauth []pair) (string, error) {
	if method == "" {
		method = "GET"
	}
	query := refParseParameters(rawQuery)
	var form []pair
	if signBody {
		form = refParseParameters(body)
	}
	for _, p := range query {
		if err := refCheckQueryKey(p.k); err != nil {
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
		enc = append(enc, pair{oauth1.PercentEncode(p.k), oauth1.PercentEncode(p.v)})
	}
	for _, p := range form {
		if p.k == "oauth_signature" || inOAuth(p.k) {
			continue
		}
		enc = append(enc, pair{oauth1.PercentEncode(p.k), oauth1.PercentEncode(p.v)})
	}
	for _, p := range oauth {
		if p.k == "oauth_signature" {
			continue
		}
		enc = append(enc, pair{oauth1.PercentEncode(p.k), oauth1.PercentEncode(p.v)})
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
	m, bu, pe := oauth1.PercentEncode(asciiUpper(method)), oauth1.PercentEncode(baseURL), oauth1.PercentEncode(ps.String())
	var b strings.Builder
	b.Grow(len(m) + len(bu) + len(pe) + 2)
	b.WriteString(m)
	b.WriteByte('&')
	b.WriteString(bu)
	b.WriteByte('&')
	b.WriteString(pe)
	return b.String(), nil
}

// refCheckQueryKey refuses query keys that PHP registers in $_GET under
// another name, or renumbers: MediaWiki would sign both the raw name and
// the PHP one (or a renumbered one), which no client can reproduce sanely.
func refCheckQueryKey(k string) error {
	if strings.ContainsAny(k, " .[\x00") {
		return fmt.Errorf("oauth: query parameter name %q cannot be signed for MediaWiki: PHP renames it in $_GET (use \"|\" or U+001F for multi-values, never name[])", k)
	}
	if isPHPIntKey(k) {
		return fmt.Errorf("oauth: query parameter name %q is numeric; PHP renumbers it and MediaWiki would sign another name", k)
	}
	return nil
}

// refParseParameters is OAuthUtil::parse_parameters without the grouping:
// the decoded pairs in order. An empty input has no pairs (PHP's !$input,
// which is also true for "0").
func refParseParameters(s string) []pair {
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

// refBaseStringURI returns the normalized base URL: the scheme and host of
// server (or of u when server is empty; a protocol-relative server takes
// u's scheme) and the path of u as it is sent on the wire.
func refBaseStringURI(u *url.URL, server string) (string, error) {
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
