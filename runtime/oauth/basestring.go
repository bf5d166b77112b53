package oauth

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
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
// The encoder is our own (a table, one pass, appending into one buffer),
// byte for byte oauth1.PercentEncode (TestPercentEncodeMatchesDghubble,
// FuzzPercentEncode), which spends a fmt.Sprintf on every escaped byte;
// baseString is checked against the straightforward implementation it
// replaced (reference_test.go, FuzzBaseString).
//
// Query keys that PHP renames in $_GET ("a.b" and "a b" become "a_b",
// "a[]" becomes the array "a") end up signed under two names on the server,
// and numeric keys ("5") are renumbered by PHP's array_merge; requests with
// such keys cannot be signed and are refused with an error.

// pair is one parameter: a name and a value.
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
	bu, err := baseStringURI(u, server)
	if err != nil {
		return "", err
	}
	op := make([]pair, 0, len(oauthParams))
	for k, v := range oauthParams {
		op = append(op, pair{k, v})
	}
	signBody := signsBody(method, contentType)
	if !signBody {
		body = nil
	}
	base, err := baseString(method, bu, u.RawQuery, body, signBody, op)
	return string(base), err
}

// signsBody reports whether MediaWiki includes the body of a request with
// this method and Content-Type in the signature: WebRequest::wasPosted()
// (REQUEST_METHOD === 'POST') and strpos($contentType,
// 'application/x-www-form-urlencoded') === 0.
func signsBody(method, contentType string) bool {
	return method == "POST" && strings.HasPrefix(contentType, "application/x-www-form-urlencoded")
}

// baseURI is the normalized base URL in parts, so that it is encoded
// without being assembled first: scheme://host[:port]path, the host in
// brackets when ipv6.
type baseURI struct {
	scheme, host, port, path string
	ipv6                     bool
}

// String assembles the base URL.
func (b baseURI) String() string {
	host := b.host
	if b.ipv6 {
		host = "[" + host + "]"
	}
	if b.port != "" {
		host += ":" + b.port
	}
	return b.scheme + "://" + host + b.path
}

// appendEncoded appends the base URL, percent-encoded (RFC 3986).
func (b baseURI) appendEncoded(dst []byte) []byte {
	dst = appendPercentEncoded(dst, b.scheme)
	dst = append(dst, "%3A%2F%2F"...)
	if b.ipv6 {
		dst = append(dst, "%5B"...)
	}
	dst = appendPercentEncoded(dst, b.host)
	if b.ipv6 {
		dst = append(dst, "%5D"...)
	}
	if b.port != "" {
		dst = append(dst, "%3A"...)
		dst = appendPercentEncoded(dst, b.port)
	}
	return appendPercentEncoded(dst, b.path)
}

// encodedLen is the length of appendEncoded's output.
func (b baseURI) encodedLen() int {
	n := encodedLen(b.scheme) + len("%3A%2F%2F") + encodedLen(b.host) + encodedLen(b.path)
	if b.ipv6 {
		n += len("%5B%5D")
	}
	if b.port != "" {
		n += len("%3A") + encodedLen(b.port)
	}
	return n
}

// baseStringURI returns the normalized base URL: the scheme and host of
// server (or of u when server is empty; a protocol-relative server takes
// u's scheme) and the path of u as it is sent on the wire.
func baseStringURI(u *url.URL, server string) (baseURI, error) {
	scheme, host, port := u.Scheme, u.Hostname(), u.Port()
	if server != "" {
		s, h, p, err := parseServer(server)
		if err != nil {
			return baseURI{}, err
		}
		if s != "" {
			scheme = s
		}
		host, port = h, p
	}
	if scheme == "" || host == "" {
		return baseURI{}, errors.New("oauth: request URL has no scheme or host and no Server is set")
	}
	b := baseURI{scheme: asciiLower(scheme), host: asciiLower(host)}
	b.ipv6 = strings.IndexByte(b.host, ':') >= 0
	if port != "" && !(b.scheme == "https" && port == "443") && !(b.scheme == "http" && port == "80") {
		b.port = port
	}
	b.path = requestPath(u)
	return b, nil
}

// requestPath is the path of u exactly as net/http puts it on the request
// line: u.RequestURI() up to the query, without building the query.
func requestPath(u *url.URL) string {
	p := u.Opaque
	if p == "" {
		p = u.EscapedPath()
		if p == "" {
			p = "/"
		}
	} else if strings.HasPrefix(p, "//") {
		p = u.Scheme + ":" + p
	}
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	return p
}

// parseServer returns the scheme (empty when protocol-relative), host and
// port of a canonical server, which must be scheme and host only. The
// common "https://host[:port][/]" is split without url.Parse (one
// allocation less on every request); anything else goes through it.
func parseServer(server string) (scheme, host, port string, err error) {
	if scheme, host, port, ok := simpleServer(server); ok {
		return scheme, host, port, nil
	}
	s, err := url.Parse(server)
	if err != nil {
		return "", "", "", fmt.Errorf("oauth: parsing Server %q: %w", server, err)
	}
	if s.Host == "" || (s.Path != "" && s.Path != "/") || s.RawQuery != "" || s.Fragment != "" || s.User != nil {
		return "", "", "", fmt.Errorf("oauth: Server %q is not a canonical server like \"https://en.wikipedia.org\" (scheme and host only)", server)
	}
	return s.Scheme, s.Hostname(), s.Port(), nil
}

// simpleServer splits "[scheme:]//host[:port][/]" when scheme is
// [A-Za-z][A-Za-z0-9+.-]*, host is letters, digits, "." and "-", and port
// one or more digits: strings on which url.Parse cannot fail and
// Hostname and Port give exactly these parts. ok is false for anything
// else.
func simpleServer(s string) (scheme, host, port string, ok bool) {
	rest := s
	if i := strings.Index(s, "//"); i > 1 && s[i-1] == ':' {
		scheme = s[:i-1]
		if !isSchemeStart(scheme[0]) {
			return "", "", "", false
		}
		for j := 1; j < len(scheme); j++ {
			if c := scheme[j]; !isSchemeStart(c) && !('0' <= c && c <= '9') && c != '+' && c != '.' && c != '-' {
				return "", "", "", false
			}
		}
		rest = s[i:]
	}
	rest, ok = strings.CutPrefix(rest, "//")
	if !ok {
		return "", "", "", false
	}
	rest = strings.TrimSuffix(rest, "/")
	host, port, hasPort := strings.Cut(rest, ":")
	if host == "" || (hasPort && port == "") {
		return "", "", "", false
	}
	for j := 0; j < len(host); j++ {
		if c := host[j]; !isSchemeStart(c) && !('0' <= c && c <= '9') && c != '.' && c != '-' {
			return "", "", "", false
		}
	}
	for j := 0; j < len(port); j++ {
		if c := port[j]; c < '0' || c > '9' {
			return "", "", "", false
		}
	}
	return scheme, host, port, true
}

func isSchemeStart(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// Where a parameter of the base string comes from.
const (
	fromQuery = iota
	fromForm
	fromOAuth
)

// param is one parameter of the base string: its name and value
// percent-encoded (RFC 3986), as offsets into a buffer.
type param struct {
	// pre is the first 8 bytes of the encoded name, big-endian and
	// zero-padded: comparing it orders most names without reading them
	// (encoded names have no zero byte, so padding sorts first, as
	// bytes.Compare does).
	pre            uint64
	k0, k1, v0, v1 int
	// idx is the position among the query parameters.
	idx  int
	src  uint8
	keep bool
}

// sortKey orders a parameter: its prefix and its index in the list.
type sortKey struct {
	pre uint64
	i   int
}

// baseString computes METHOD&url&params per MediaWiki. oauth holds the
// header parameters (oauth_signature is dropped, if there). body counts
// only when signBody.
//
// Parameters are held encoded twice, as the base string holds them
// (encode(key) "=" encode(value), the whole encoded again): that sorts
// them as encoded once would (a "%" is still a "%", only followed by
// "25"), and leaves the base string to be copied together.
//
// It decodes every query and body parameter and percent-encodes it in the
// same pass, into one buffer; sorts the parameters in place; applies
// PHP's rules of which parameter wins; and writes the result, encoded a
// second time, into the slice it returns: one allocation in all for
// requests with up to 32 parameters.
func baseString[B ~string | ~[]byte](method string, bu baseURI, rawQuery string, body B, signBody bool, oauth []pair) ([]byte, error) {
	if method == "" {
		method = "GET"
	}
	// The buffer holds every part encoded, sized to fit (the query and
	// body closely, the rest exactly): allocating and zeroing is much of
	// the cost.
	upper := asciiUpper(method)
	n := encodedLen(upper) + bu.encodedLen() + decodedEncodedTwiceLen(rawQuery)
	if signBody {
		n += decodedEncodedTwiceLen(body)
	}
	for _, p := range oauth {
		n += encodedTwiceLen(p.k) + encodedTwiceLen(p.v)
	}
	count := len(oauth) + 1 + strings.Count(rawQuery, "&")
	if signBody {
		count += 1 + countByte(body, '&')
	}
	// The base string goes after the parts, in the same allocation: it
	// holds each part at most once, with at most 6 bytes of separators a
	// parameter ("%3D", "%26") and 2 more ("&" twice).
	arena := make([]byte, 0, 2*n+6*count+2)
	var stack [32]param
	ps := stack[:0]
	if count > len(stack) {
		ps = make([]param, 0, count)
	}

	var err error
	if arena, ps, err = parseInto(arena, ps, rawQuery, fromQuery); err != nil {
		return nil, err
	}
	if signBody {
		if arena, ps, err = parseInto(arena, ps, body, fromForm); err != nil {
			return nil, err
		}
	}
	for _, p := range oauth {
		q := param{src: fromOAuth, k0: len(arena)}
		arena = appendPercentEncodedTwice(arena, p.k)
		q.k1, q.v0 = len(arena), len(arena)
		arena = appendPercentEncodedTwice(arena, p.v)
		q.v1 = len(arena)
		ps = append(ps, q)
	}
	m0 := len(arena)
	arena = appendPercentEncoded(arena, upper)
	u0 := len(arena)
	arena = bu.appendEncoded(arena)
	encMethod, encURL := arena[m0:u0], arena[u0:]

	key := func(p *param) []byte { return arena[p.k0:p.k1] }
	value := func(p *param) []byte { return arena[p.v0:p.v1] }
	// Sorted through (prefix, index) pairs, by insertion for the few
	// dozen parameters of a request: the prefix decides most comparisons,
	// and 16-byte pairs move faster than parameters.
	var keyStack [32]sortKey
	keys := keyStack[:0]
	if len(ps) > len(keyStack) {
		keys = make([]sortKey, 0, len(ps))
	}
	for i := range ps {
		ps[i].pre = prefix(key(&ps[i]))
		keys = append(keys, sortKey{ps[i].pre, i})
	}
	compare := func(a, b sortKey) int {
		if a.pre != b.pre {
			return cmp.Compare(a.pre, b.pre)
		}
		pa, pb := &ps[a.i], &ps[b.i]
		if c := bytes.Compare(key(pa), key(pb)); c != 0 {
			return c
		}
		return bytes.Compare(value(pa), value(pb))
	}
	if len(keys) <= 64 {
		for i := 1; i < len(keys); i++ {
			for j := i; j > 0 && compare(keys[j], keys[j-1]) < 0; j-- {
				keys[j], keys[j-1] = keys[j-1], keys[j]
			}
		}
	} else {
		slices.SortFunc(keys, compare)
	}
	var sortedStack [32]param
	sorted := sortedStack[:0]
	if len(ps) > len(sortedStack) {
		sorted = make([]param, 0, len(ps))
	}
	for _, k := range keys {
		sorted = append(sorted, ps[k.i])
	}
	ps = sorted

	// Which parameters MediaWiki signs, key by key (equal keys are now
	// adjacent): an oauth_* header parameter overrides the body and the
	// query, a body parameter the query; of a repeated query key only the
	// last value counts ($_GET), but PHP does not register an empty name
	// in $_GET, so every raw "&&" pair stays. oauth_signature never.
	size := len(encMethod) + 1 + len(encURL) + 1
	kept := 0
	for i := 0; i < len(ps); {
		k := key(&ps[i])
		j := i + 1
		for j < len(ps) && ps[j].pre == ps[i].pre && bytes.Equal(key(&ps[j]), k) {
			j++
		}
		group := ps[i:j]
		i = j
		if string(k) == "oauth_signature" {
			continue
		}
		var hasOAuth, hasForm bool
		lastQuery := -1
		for _, p := range group {
			switch p.src {
			case fromOAuth:
				hasOAuth = true
			case fromForm:
				hasForm = true
			default:
				lastQuery = max(lastQuery, p.idx)
			}
		}
		for g := range group {
			p := &group[g]
			switch p.src {
			case fromOAuth:
				p.keep = true
			case fromForm:
				p.keep = !hasOAuth
			default:
				p.keep = !hasOAuth && !hasForm && (len(k) == 0 || p.idx == lastQuery)
			}
			if p.keep {
				kept++
				size += len(key(p)) + len("%3D") + len(value(p))
			}
		}
	}
	if kept > 1 {
		size += (kept - 1) * len("%26")
	}

	out := arena[len(arena):]
	if cap(out) < size {
		out = make([]byte, 0, size) // the arena grew past its estimate
	}
	out = append(out, encMethod...)
	out = append(out, '&')
	out = append(out, encURL...)
	out = append(out, '&')
	first := true
	for i := range ps {
		p := &ps[i]
		if !p.keep {
			continue
		}
		if !first {
			out = append(out, "%26"...)
		}
		first = false
		out = append(out, key(p)...)
		out = append(out, "%3D"...)
		out = append(out, value(p)...)
	}
	return out, nil
}

// parseInto is OAuthUtil::parse_parameters without the grouping: it splits
// s on "&", then each part on its first "=", PHP-urldecodes both halves
// and appends them percent-encoded to arena, and their offsets to ps. An
// empty s has no pairs (PHP's !$input, which is also true for "0"). It
// refuses the names MediaWiki cannot sign: for the query those PHP
// renames or renumbers in $_GET, for the body numeric ones.
func parseInto[S ~string | ~[]byte](arena []byte, ps []param, s S, src uint8) ([]byte, []param, error) {
	if len(s) == 0 || (len(s) == 1 && s[0] == '0') {
		return arena, ps, nil
	}
	for idx, i := 0, 0; i <= len(s); idx++ {
		// One pass over the name up to "=" or "&", one over the value
		// up to "&": decoded and encoded as they are scanned.
		start := i
		p := param{src: src, idx: idx, k0: len(arena)}
		var renamed bool
		arena, i, renamed = decodeEncode(arena, s, i, true)
		p.k1 = len(arena)
		if src == fromQuery && renamed {
			return nil, nil, fmt.Errorf("oauth: query parameter name %q cannot be signed for MediaWiki: PHP renames it in $_GET (use \"|\" or U+001F for multi-values, never name[])", phpURLDecode(string(s[start:i])))
		}
		// Digits and "-" are unreserved: the encoded name is numeric
		// exactly when the decoded one is.
		if isPHPIntKey(arena[p.k0:p.k1]) {
			if src == fromQuery {
				return nil, nil, fmt.Errorf("oauth: query parameter name %q is numeric; PHP renumbers it and MediaWiki would sign another name", phpURLDecode(string(s[start:i])))
			}
			return nil, nil, fmt.Errorf("oauth: body parameter name %q is numeric; PHP renumbers it and MediaWiki would sign another name", phpURLDecode(string(s[start:i])))
		}
		p.v0 = p.k1
		if i < len(s) && s[i] == '=' {
			arena, i, _ = decodeEncode(arena, s, i+1, false)
		}
		p.v1 = len(arena)
		ps = append(ps, p)
		i++ // past the "&" (or the end)
	}
	return arena, ps, nil
}

// prefix returns the first 8 bytes of b as a big-endian number, zero-padded.
func prefix(b []byte) uint64 {
	if len(b) >= 8 {
		return binary.BigEndian.Uint64(b)
	}
	var p uint64
	for i := range 8 {
		p <<= 8
		if i < len(b) {
			p |= uint64(b[i])
		}
	}
	return p
}

func countByte[S ~string | ~[]byte](s S, c byte) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
		}
	}
	return n
}

// appendDecodedEncoded appends percentEncode(phpURLDecode(s)) to dst in
// one pass, and reports whether the decoded s has a byte that makes PHP
// rename a $_GET name (" ", ".", "[", NUL).
func appendDecodedEncoded[S ~string | ~[]byte](dst []byte, s S) ([]byte, bool) {
	dst, _, renamed := decodeEncodeStop(dst, s, 0, false, false, false)
	return dst, renamed
}

// decodeEncode is appendDecodedEncoded of s[i:] up to the first raw "&"
// (or "=" too, when name): it returns the index of that separator, or
// len(s). A "%XX" never spans a separator, which is no hex digit.
func decodeEncode[S ~string | ~[]byte](dst []byte, s S, i int, name bool) ([]byte, int, bool) {
	return decodeEncodeStop(dst, s, i, true, name, true)
}

func decodeEncodeStop[S ~string | ~[]byte](dst []byte, s S, i int, amp, eq, twice bool) ([]byte, int, bool) {
	n := len(dst)
	d := dst[n:cap(dst)]
	j := 0
	renamed := false
	for i < len(s) {
		// A run of unreserved bytes (no separator among them) is copied
		// as it is.
		if unreservedSet[s[i]] {
			k := i
			for k < len(s) && unreservedSet[s[k]] {
				renamed = renamed || s[k] == '.'
				k++
			}
			if len(d)-j < k-i {
				dst = slices.Grow(dst[:n+j], 5*(len(s)-i))
				d = dst[n:cap(dst)]
			}
			j += copy(d[j:], s[i:k])
			i = k
			continue
		}
		c := s[i]
		if (amp && c == '&') || (eq && c == '=') {
			break
		}
		if len(d)-j < 5 {
			// Out of room (callers size dst to fit, so rarely).
			dst = slices.Grow(dst[:n+j], 5*(len(s)-i))
			d = dst[n:cap(dst)]
		}
		switch {
		case c == '+':
			c = ' '
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			c = unhex(s[i+1])<<4 | unhex(s[i+2])
			i += 2
		}
		i++
		if unreservedSet[c] {
			renamed = renamed || c == '.'
			d[j] = c
			j++
		} else {
			renamed = renamed || c == ' ' || c == '[' || c == 0
			d[j] = '%'
			if twice {
				d[j+1], d[j+2] = '2', '5'
				j += 2
			}
			d[j+1], d[j+2] = upperHex[c>>4], upperHex[c&0xF]
			j += 3
		}
	}
	return dst[:n+j], i, renamed
}

// decodedEncodedLen bounds len(appendDecodedEncoded(nil, s)) from above,
// in a pass without branches: 2 more bytes for every byte that is not
// unreserved (a "%XX" encodes to at most its own 3 bytes, "+" to 3).
func decodedEncodedLen[S ~string | ~[]byte](s S) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		n += int(escapeExtra[s[i]])
	}
	return n
}

// decodedEncodedTwiceLen bounds len(appendDecodedEncodedTwice(nil, s))
// from above the same way: 4 more bytes for a byte that is not
// unreserved ("%XX" encoded twice is "%25XX").
func decodedEncodedTwiceLen[S ~string | ~[]byte](s S) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		n += 2 * int(escapeExtra[s[i]])
	}
	return n
}

// appendDecodedEncodedTwice appends
// percentEncode(percentEncode(phpURLDecode(s))) to dst, as the base
// string holds a parameter: encoding twice is encoding once with each
// "%" written "%25".
func appendDecodedEncodedTwice[S ~string | ~[]byte](dst []byte, s S) []byte {
	dst, _, _ = decodeEncodeStop(dst, s, 0, false, false, true)
	return dst
}

// escapeExtra[c] is what percent-encoding adds to the byte c: 0 or 2.
var escapeExtra = func() (t [256]uint8) {
	for c := range 256 {
		if !unreservedSet[c] {
			t[c] = 2
		}
	}
	return t
}()

// isPHPIntKey reports whether PHP turns the array key k into an integer
// key (a canonical decimal integer in range), which array_merge renumbers.
func isPHPIntKey[S ~string | ~[]byte](k S) bool {
	if len(k) == 0 || len(k) > 20 {
		return false
	}
	d := k
	if d[0] == '-' {
		d = d[1:]
	}
	if len(d) == 0 || (d[0] == '0' && (len(d) > 1 || len(k) != len(d))) {
		return false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	_, err := strconv.ParseInt(string(k), 10, 64)
	return err == nil
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

// unreservedSet[c] reports whether c is an RFC 3986 unreserved character
// (ALPHA, DIGIT, "-", ".", "_", "~"), the bytes percent-encoding leaves as
// they are: those oauth1.PercentEncode and PHP's rawurlencode leave.
var unreservedSet = func() (t [256]bool) {
	for c := range 256 {
		t[c] = 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~'
	}
	return t
}()

const upperHex = "0123456789ABCDEF"

// appendPercentEncoded appends s percent-encoded per RFC 5849 3.6 (RFC
// 3986: every byte but the unreserved ones as "%" and two upper-case hex
// digits), byte for byte what oauth1.PercentEncode returns.
func appendPercentEncoded(dst []byte, s string) []byte {
	n := len(dst)
	d := dst[n:cap(dst)] // indexing, not append, byte by byte
	j := 0
	for i := 0; i < len(s); i++ {
		if len(d)-j < 3 {
			// Out of room (callers size dst exactly, so rarely).
			dst = slices.Grow(dst[:n+j], 3*(len(s)-i))
			d = dst[n:cap(dst)]
		}
		if c := s[i]; unreservedSet[c] {
			d[j] = c
			j++
		} else {
			d[j], d[j+1], d[j+2] = '%', upperHex[c>>4], upperHex[c&0xF]
			j += 3
		}
	}
	return dst[:n+j]
}

// appendPercentEncodedTwice appends percentEncode(percentEncode(s)).
func appendPercentEncodedTwice(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; unreservedSet[c] {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', '2', '5', upperHex[c>>4], upperHex[c&0xF])
		}
	}
	return dst
}

// encodedTwiceLen is len(appendPercentEncodedTwice(nil, s)).
func encodedTwiceLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if !unreservedSet[s[i]] {
			n += 4
		}
	}
	return n
}

// encodedLen is len(appendPercentEncoded(nil, s)).
func encodedLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if !unreservedSet[s[i]] {
			n += 2
		}
	}
	return n
}

// writePercentEncoded writes s percent-encoded to b, each run of
// unreserved bytes at once.
func writePercentEncoded(b *strings.Builder, s string) {
	for {
		i := 0
		for i < len(s) && unreservedSet[s[i]] {
			i++
		}
		b.WriteString(s[:i])
		if i == len(s) {
			return
		}
		c := s[i]
		b.WriteByte('%')
		b.WriteByte(upperHex[c>>4])
		b.WriteByte(upperHex[c&0xF])
		s = s[i+1:]
	}
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
